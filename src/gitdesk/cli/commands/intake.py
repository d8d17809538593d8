"""Intake and the customer conversation: intake (email, mbox, maildir, slack, serve, github-issue,
retry, held), notify, due, kb search."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from gitdesk.cli.options import desk_from, id_argument, json_flag, json_option, pass_desk, write_options
from gitdesk.errors import ExitCode


def _outcome_json(outcome: Any) -> str:
    return json.dumps(
        {"kind": outcome.kind, "ticket": outcome.ticket_id, "reason": outcome.reason, "notes": outcome.notes},
        ensure_ascii=False,
    )


def _show(outcome: Any, as_json: bool, desk: Any) -> None:
    if as_json:
        click.echo(_outcome_json(outcome))
        return
    click.echo(outcome.line())
    for note in outcome.notes:
        click.echo(f"  {note}")
    if outcome.kind == "opened":
        from gitdesk.store.kbsearch import suggest

        ticket = desk.get(outcome.ticket_id)
        for slug, title in suggest(desk.index, f"{ticket.title}\n{ticket.description}", limit=3):
            click.echo(f"  related: kb/{slug}.md  {title}")


def _guarded(ctx: click.Context, raw: bytes, kind: str, take: Callable[[Any, bytes], Any]) -> tuple[Any, Any]:
    """Run one intake; on a temporary failure keep the raw message in the spool and exit 75 (EX_TEMPFAIL).

    A message that can never succeed (Unusable) is held for a person instead, with exit 0:
    retrying it forever helps nobody, and a bounce would go to a missing or forged sender.
    """
    from gitdesk.errors import GitdeskError
    from gitdesk.intake import Outcome, Unusable
    from gitdesk.intake.spool import Spooled, hold, save, spool_dir

    try:
        desk = desk_from(ctx)
    except GitdeskError as exc:  # no desk to spool into: the sender keeps the message and retries
        raise Spooled(f"{exc}; message not taken (the sender will retry)") from None
    try:
        return desk, take(desk, raw)
    except Unusable as exc:
        try:
            path = hold(spool_dir(desk), raw, kind, str(exc))
        except OSError as disk:
            raise Spooled(f"{exc}; could not hold it ({disk.strerror}); the sender will retry") from None
        return desk, Outcome("held", reason=f"{exc}; kept as {path.name}, see 'gitdesk intake held'")
    except Exception as exc:  # git lock, full disk, broken config: git lock, full disk, broken config: keep the message
        reason = str(exc) if isinstance(exc, GitdeskError) else f"{type(exc).__name__}: {exc}"
        try:
            path = save(spool_dir(desk), raw, kind, reason)
        except OSError as disk:
            raise Spooled(f"{reason}; could not spool either ({disk.strerror}); the sender will retry") from None
        raise Spooled(f"{reason}; message kept in {path} (run 'gitdesk intake retry')") from None


def _read_input(source: str) -> bytes:
    """The message bytes. Nothing was received when there are none, so nothing is spooled."""
    from gitdesk.errors import UsageError

    if source == "-":
        if sys.stdin.isatty():  # a person typed the command: waiting silently on the terminal helps nobody
            raise UsageError("give a FILE, or pipe the message in on stdin")
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise click.BadParameter(f"{source}: {exc.strerror}", param_hint="FILE") from None
    if not raw.strip():
        raise UsageError(f"{'stdin' if source == '-' else source}: empty input, no message to take")
    return raw


@click.group()
def intake() -> None:
    """Turn email, Slack messages and issue forms into tickets and replies."""


@intake.command(
    "email",
    epilog="Examples:\n\n\b\n  gitdesk intake email message.eml\n"
    '  # in /etc/aliases:  help: "|gitdesk --desk /srv/desk intake email"',
)
@click.argument("source", metavar="[FILE|-]", default="-")
@click.option("--no-ack", is_flag=True, help="Do not send the acknowledgement email.")
@json_flag("the outcome")
@click.pass_context
def email(ctx: click.Context, source: str, no_ack: bool, as_json: bool) -> None:
    """Take one RFC 5322 message: open a ticket, or add a reply to its ticket.

    On a temporary failure after reading (desk lock, disk, broken config) the message
    is kept in the spool and the exit status is 75 (EX_TEMPFAIL), so the mail server
    retries. A message that can never succeed (no usable sender, garbage) is held
    for a person (`gitdesk intake held`) and the exit status is 0.
    """
    from gitdesk.intake.mailgate import take_email

    raw = _read_input(source)
    desk, outcome = _guarded(ctx, raw, "eml", lambda desk, data: take_email(desk, data, not no_ack))
    _show(outcome, as_json, desk)


def _batch(ctx: click.Context, path: str, kind: str, no_ack: bool) -> None:
    from gitdesk.intake.mailgate import batch, mailbox_messages
    from gitdesk.intake.spool import spool_dir

    desk = desk_from(ctx)
    try:
        total, messages = mailbox_messages(Path(path), kind)
    except Exception as exc:  # mailbox raises OSError and its own errors for a damaged box
        raise click.BadParameter(f"{path}: not a readable {kind} ({exc})", param_hint="PATH") from None
    if not total and kind == "mbox" and Path(path).stat().st_size:
        raise click.BadParameter(
            f"{path}: not an mbox file (no 'From ' line starts a message); "
            "for a single message use 'gitdesk intake email'",
            param_hint="PATH",
        )
    counts: dict[str, int] = {}
    failed = []
    with click.progressbar(
        batch(desk, messages, spool_dir(desk), not no_ack),
        length=total,
        label=f"importing {total} messages",
        file=sys.stderr,
    ) as bar:
        for outcome, error in bar:
            key = outcome.kind if outcome else "spooled"
            counts[key] = counts.get(key, 0) + 1
            if error:
                failed.append(error)
    click.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no messages")
    for error in failed[:10]:
        click.echo(f"  spooled: {error}", err=True)
    if failed:
        ctx.exit(ExitCode.TEMPFAIL)


@intake.command("mbox", epilog="Examples:\n\n\b\n  gitdesk intake mbox old-helpdesk.mbox --no-ack")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--no-ack", is_flag=True, help="Do not send acknowledgements (usual for an import).")
@click.pass_context
def mbox(ctx: click.Context, path: str, no_ack: bool) -> None:
    """Import every message of an mbox file, with a progress bar."""
    _batch(ctx, path, "mbox", no_ack)


@intake.command("maildir", epilog="Examples:\n\n\b\n  gitdesk intake maildir ~/Maildir/.helpdesk --no-ack")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--no-ack", is_flag=True, help="Do not send acknowledgements (usual for an import).")
@click.pass_context
def maildir(ctx: click.Context, path: str, no_ack: bool) -> None:
    """Import every message of a Maildir, with a progress bar."""
    _batch(ctx, path, "maildir", no_ack)


@intake.command(
    "slack",
    epilog="Examples:\n\n\b\n  gitdesk intake slack payload.txt\n"
    "  echo 'command=/helpdesk&text=VPN+drops&user_id=U1&user_name=ada' | gitdesk intake slack -",
)
@click.argument("source", metavar="FILE|-")
@json_flag("the outcome")
@click.pass_context
def slack(ctx: click.Context, source: str, as_json: bool) -> None:
    """Take a Slack slash-command payload (form-encoded) or an Events API message event."""
    from gitdesk.intake.slack import take_slack

    desk, outcome = _guarded(ctx, _read_input(source), "slack", take_slack)
    _show(outcome, as_json, desk)


@intake.command("github-issue", epilog='Examples:\n\n\b\n  gitdesk intake github-issue "$GITHUB_EVENT_PATH"')
@click.argument("event", type=click.Path(exists=True, dir_okay=False))
@json_flag("the outcome")
@pass_desk
def github_issue(desk: Any, event: str, as_json: bool) -> None:
    """Turn an `issues` event from the request or survey issue form into a ticket or a survey.

    No spool here: the issue stays on GitHub, and the failed workflow run shows why.
    """
    from gitdesk.intake.forms import load_event, take_issue

    _show(take_issue(desk, load_event(Path(event))), as_json, desk)


@intake.command("retry", epilog="Examples:\n\n\b\n  gitdesk intake retry")
@click.option("--no-ack", is_flag=True, help="Do not send acknowledgements for replayed mail.")
@pass_desk
def retry(desk: Any, no_ack: bool) -> None:
    """Replay the spool: every message kept after a failure goes through intake again."""
    from gitdesk.intake.forms import take_issue
    from gitdesk.intake.mailgate import take_email
    from gitdesk.intake.slack import take_slack
    from gitdesk.intake.spool import replay, spool_dir

    def handle(kind: str, raw: bytes) -> Any:
        if kind == "eml":
            return take_email(desk, raw, not no_ack)
        if kind == "slack":
            return take_slack(desk, raw)
        return take_issue(desk, json.loads(raw))

    left = done = 0
    for path, outcome, error in replay(spool_dir(desk), handle):
        if error:
            left += 1
            # the full path: a message that can never be taken (no sender, say) is deleted by hand
            click.echo(f"{path}: still failing: {error}", err=True)
        else:
            done += 1
            click.echo(f"{path.name}: {outcome.line()}")
    click.echo(f"spool: {done} replayed, {left} left")
    if left:
        click.echo(f"  a message that can never be taken can be deleted from {spool_dir(desk)}", err=True)
        sys.exit(ExitCode.TEMPFAIL)


@intake.group("held")
def held() -> None:
    """Messages that can never become a ticket by themselves: list, show, release, drop."""


def _held_path(desk: Any, ref: str) -> Path:
    from gitdesk.intake.spool import find_held, spool_dir

    return find_held(spool_dir(desk), ref)


@held.command("list", epilog="Examples:\n\n\b\n  gitdesk intake held list\n  gitdesk intake held list --json")
@json_flag("the list")
@pass_desk
def held_list(desk: Any, as_json: bool) -> None:
    """Every held message with the reason it is held, oldest first."""
    from gitdesk.intake.spool import held as held_messages
    from gitdesk.intake.spool import spool_dir
    from gitdesk.intake.text import one_line

    rows = held_messages(spool_dir(desk))
    if as_json:
        click.echo(json.dumps([{"name": p.name, "size": p.stat().st_size, "reason": r} for p, r in rows], indent=1))
        return
    if not rows:
        click.echo("no held messages")
    for path, reason in rows:
        click.echo(f"{path.name}  {one_line(reason, 100)}")


@held.command("show", epilog="Examples:\n\n\b\n  gitdesk intake held show 3f9a2c")
@click.argument("name")
@pass_desk
def held_show(desk: Any, name: str) -> None:
    """The reason a message is held and its text (control characters made harmless)."""
    from gitdesk.intake.message import decode_bytes
    from gitdesk.intake.text import clean_text

    path = _held_path(desk, name)
    reason = path.with_name(f"{path.name}.error")
    click.echo(f"{path.name}: held: {reason.read_text(encoding='utf-8').strip() if reason.exists() else '?'}")
    click.echo("")
    click.echo(clean_text(decode_bytes(path.read_bytes()[:65536], "utf-8")))


@held.command(
    "release",
    epilog="Examples:\n\n\b\n  gitdesk intake held release 3f9a2c --requester 'Ada Lovelace <ada@example.org>'",
)
@click.argument("name")
@click.option("--requester", required=True, help="Who the ticket is for: 'Name <email>' or an email.")
@click.option("--title", default="", help="The ticket's title, when the message has none.")
@json_flag("the outcome")
@pass_desk
def held_release(desk: Any, name: str, requester: str, title: str, as_json: bool) -> None:
    """Open a ticket from a held message by hand, for the requester given."""
    from gitdesk.intake.release import release
    from gitdesk.intake.spool import drop

    path = _held_path(desk, name)
    outcome = release(desk, path.read_bytes(), path.suffix[1:], requester, title)
    drop(path)
    _show(outcome, as_json, desk)


@held.command("drop", epilog="Examples:\n\n\b\n  gitdesk intake held drop 3f9a2c")
@click.argument("name")
@pass_desk
def held_drop(desk: Any, name: str) -> None:
    """Delete a held message for good (spam, garbage)."""
    from gitdesk.intake.spool import drop

    path = _held_path(desk, name)
    drop(path)
    click.echo(f"{path.name}: dropped")


@intake.command("serve", epilog="Examples:\n\n\b\n  GITDESK_SLACK_SIGNING_SECRET=... gitdesk intake serve --port 8087")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8087, show_default=True, help="Port (0 = any free port)."
)
@click.option(
    "--reply-within",
    type=click.FloatRange(0, 2.5),
    default=2.0,
    show_default=True,
    help="Seconds to wait for the commit before answering 'received' (Slack allows 3).",
)
@click.option(
    "--socket-timeout",
    type=click.FloatRange(0.1, 300),
    default=10.0,
    show_default=True,
    help="Seconds a slow or stalled client may take per read before its connection is closed.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, reply_within: float, socket_timeout: float) -> None:
    """Serve Slack's slash commands and Events API on HTTP, checking X-Slack-Signature.

    The signing secret comes from GITDESK_SLACK_SIGNING_SECRET. Put a TLS proxy in front.
    Every accepted payload is spooled before the answer; SIGTERM or SIGINT drains the
    queue before exiting, and the next start replays anything a crash left behind.
    """
    from gitdesk.desk.facade import Desk
    from gitdesk.errors import UsageError
    from gitdesk.intake.server import SlackApp, make_server
    from gitdesk.intake.server import serve as serve_until_stopped
    from gitdesk.intake.slack import SECRET_ENV, take_slack
    from gitdesk.intake.spool import spool_dir

    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise UsageError(f"set {SECRET_ENV} to the Slack app's signing secret")
    desk = desk_from(ctx)
    root = desk.root

    def log(line: str) -> None:
        click.echo(f"gitdesk intake: {line}", err=True)

    app = SlackApp(secret, lambda raw: take_slack(Desk(root), raw), spool_dir(desk), log, reply_within)
    server = make_server(app, host, port, socket_timeout)
    log(f"listening on http://{host}:{server.server_address[1]}/ for Slack")
    left = serve_until_stopped(app, server)
    log("stopped" + (f"; {left} payload(s) left in the spool for 'gitdesk intake retry'" if left else ""))


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk notify HD-4f7k\n"
    "  gitdesk notify HD-4f7k --message 'The new toner arrives tomorrow morning.'"
)
@id_argument
@click.option("--message", default="", help="What to tell the customer, besides the status.")
@json_option
@write_options
@pass_desk
def notify(desk: Any, ticket_ref: str, message: str, as_json: bool) -> None:
    """Email the requester a status update and log it as an outbound contact."""
    from gitdesk.channels.mail import notify as send_update
    from gitdesk.cli.options import emit

    ticket, message_id = send_update(desk, ticket_ref, message)
    emit(ticket, as_json, f"{ticket.id}: update sent to {ticket.requester.get('email')} ({message_id})")


@click.command(epilog="Examples:\n\n\b\n  gitdesk due\n  gitdesk due --within 4h --json")
@click.option(
    "--within", default=None, metavar="DURATION", help="Also list check-ins falling due within DURATION (30m, 4h, 2d)."
)
@json_flag("the list")
@pass_desk
def due(desk: Any, within: str | None, as_json: bool) -> None:
    """Open tickets whose customer check-in is due or overdue, most overdue first.

    Times count as the SLA counts them, in each priority's calendar: on a business calendar
    `--within 1d` looks one working day ahead and "overdue by" is working time.
    """
    from gitdesk.cli.options import warn_skipped
    from gitdesk.cli.views import terminal_text
    from gitdesk.core.duration import duration_text, parse
    from gitdesk.errors import ConfigError, UsageError
    from gitdesk.intake.checkins import due as due_list

    try:
        ahead = parse(within, "--within") if within else None
    except ConfigError as exc:
        raise UsageError(f"--within: {exc.problem}") from None
    rows = due_list(desk, desk.clock(), ahead)
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], indent=1))
    elif not rows:
        click.echo("no check-ins due" + (f" within {within}" if within else ""))
    lines = []
    for r in [] if as_json else rows:
        when = f"overdue by {duration_text(r.overdue)}" if r.overdue >= 0 else f"due in {duration_text(r.overdue)}"
        lines.append(f"{r.ticket_id}  {r.priority}  {r.status:<11}  {when:<20}  {r.title}")
    if lines:  # one write: at 100k tickets tens of thousands of lines are due
        click.echo(terminal_text("\n".join(lines)))
    warn_skipped(desk.skipped())


@click.group()
def kb() -> None:
    """The knowledge base."""


@kb.command("search", epilog="Examples:\n\n\b\n  gitdesk kb search printer jams on tray 2")
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@json_flag("the list")
@pass_desk
def kb_search(desk: Any, text: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Rank KB articles for TEXT (BM25, titles count more)."""
    from gitdesk.store.kbsearch import search

    hits = search(desk.index, " ".join(text), limit)
    if as_json:
        click.echo(json.dumps([{"slug": h.slug, "title": h.title, "score": h.score} for h in hits], indent=1))
        return
    if not hits:
        click.echo("no matching articles")
    for h in hits:
        click.echo(f"{h.score:7.3f}  kb/{h.slug}.md  {h.title}")
