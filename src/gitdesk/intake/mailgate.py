"""Email intake: one RFC 5322 message in, a ticket or a reply out, and the acknowledgement sent.

Like Request Tracker's mailgate it is made to be piped from a mail server.
Batch import (mbox, Maildir) runs every message through the same path and
yields progress for the CLI's progress bar.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitdesk.core.ticket import iso, valid_email
from gitdesk.errors import InvalidValue
from gitdesk.intake import Outcome, Unusable
from gitdesk.intake.message import parse
from gitdesk.intake.record import Request, receive
from gitdesk.intake.rules import settings
from gitdesk.intake.text import read_fields


def own_addresses(desk: Any) -> tuple[str, ...]:
    """Addresses mail from which is the desk talking to itself."""
    from gitdesk.channels.mail import settings as mail_settings

    addresses = settings(desk.config).addresses
    sender = mail_settings(desk.config).sender_address
    return addresses + ((sender,) if sender else ())


def take_email(desk: Any, raw: bytes, acknowledge: bool = True, keep_date: bool = False) -> Outcome:
    """Open or thread one message; auto-replies, bounces, bulk mail and our own mail are ignored.

    `keep_date` (imports of old mail): the message's own Date becomes the ticket's `created`.
    """
    rules = settings(desk.config)
    own = own_addresses(desk)
    msg = parse(raw, own)
    if msg.loop_reason:
        return Outcome("ignored", reason=msg.loop_reason)
    if not valid_email(msg.sender_email):
        what = f"'{msg.sender_email}' is not" if msg.sender_email else "no From: header gives"
        raise Unusable("From", f"{what} a sender address a reply could reach")
    requester = _requester(msg, own)
    product, location = read_fields(msg.body)
    sent = _sent_at(msg.date, desk.clock())
    technician = rules.technician(msg.sender_email)
    req = Request(
        "email",
        msg.message_id,
        msg.subject,
        requester,
        msg.body,
        msg.recipients,
        product,
        location,
        msg.attachments,
        msg.thread_ids(),
        technician=technician,
        created=iso(sent) if keep_date and sent is not None else "",
        sender=msg.sender_email,
        language=msg.language,
    )
    hook = None
    if acknowledge and technician is None:
        too_old = sent is not None and (desk.clock() - sent).total_seconds() > rules.ack_max_age
        hook = _acknowledger(desk, msg.message_id, rules, requester["email"], too_old)
    return receive(desk, req, rules, hook)


def _requester(msg: Any, own: tuple[str, ...]) -> dict[str, str]:
    """Who a NEW ticket is for: Reply-To when it names someone else than the desk, else From.

    Only where the desk replies to: a reply's verdict, survey or reopen counts by From alone
    (record.author), as anyone can write any Reply-To."""
    email, name = msg.sender_email, msg.sender_name
    if msg.reply_to and valid_email(msg.reply_to) and msg.reply_to not in own and msg.reply_to != email:
        email, name = msg.reply_to, msg.reply_name
    name = name.replace("<", "").replace(">", "").strip('" ') or email.split("@")[0]
    return {"name": name, "email": email}


def _sent_at(date: str, now: dt.datetime) -> dt.datetime | None:
    """The Date header as a UTC time; None when unreadable or in the future (a wrong clock)."""
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC) if when <= now else None


def _acknowledger(desk: Any, in_reply_to: str, rules: Any, to: str, too_old: bool) -> Any:
    """The hook that acknowledges a new ticket inside its opening commit (record.receive's on_open).

    The mail goes out first and is recorded only once the server took it; the ticket stands
    whether or not it does. (Should the commit then fail, the message is spooled as always and
    a retry opens the ticket again, so the customer may get a second acknowledgement.)
    No acknowledgement for old mail (an import) or past `intake.acks_per_hour` for one sender:
    an auto-responder that sends no loop headers cannot keep a ping-pong going.
    """
    from gitdesk.channels.mail import MailError, acknowledge
    from gitdesk.channels.mail import settings as mail_settings

    cfg = mail_settings(desk.config)

    def hook(ticket: Any, ctx: Any, notes: list[str]) -> str:
        if not cfg.acknowledge:
            return "acknowledgement switched off (mail.acknowledge: false)"
        if too_old:
            return "no acknowledgement: the message is older than intake.ack_max_age"
        if not cfg.host or not cfg.sender:
            return "no acknowledgement sent: mail.smtp.host and mail.from are not both set"
        if not ack_allowed(desk.repo.state_dir(), to, desk.clock(), rules.acks_per_hour):
            return f"no acknowledgement: {to} had {rules.acks_per_hour} in the last hour (intake.acks_per_hour)"
        try:
            message_id = acknowledge(desk, ticket, ctx, in_reply_to, list(notes))
        except (MailError, InvalidValue) as exc:
            return f"no acknowledgement sent: {exc}"
        return f"acknowledgement sent ({message_id})"

    return hook


def ack_allowed(state: Path, to: str, now: dt.datetime, per_hour: int) -> bool:
    """Count one acknowledgement to `to` if fewer than `per_hour` went out in the last hour.

    Called under the desk lock. The counts are derived state, not truth: deleting the file
    only allows a few more acknowledgements.
    """
    import json

    path = state / "acks.json"
    try:
        seen = json.loads(path.read_text(encoding="utf-8"))
        seen = seen if isinstance(seen, dict) else {}
    except (OSError, ValueError):
        seen = {}
    cutoff = now.timestamp() - 3600
    seen = {
        k: [t for t in v if isinstance(t, (int, float)) and t > cutoff] for k, v in seen.items() if isinstance(v, list)
    }
    seen = {k: v for k, v in seen.items() if v}
    recent = seen.get(to.lower(), [])
    if len(recent) >= per_hour:
        return False
    seen[to.lower()] = [*recent, now.timestamp()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".acks.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(seen), encoding="utf-8")
    tmp.replace(path)  # derived counts: a rename is enough, no fsync needed
    return True


def batch(desk: Any, messages: Iterator[bytes], spool: Path, acknowledge: bool) -> Iterator[tuple[Outcome | None, str]]:
    """Take each message; a failing one is spooled and reported, and the batch goes on."""
    from gitdesk.intake.spool import hold, save

    for raw in messages:
        try:
            yield take_email(desk, raw, acknowledge, keep_date=True), ""
        except Unusable as exc:
            held = hold(spool, raw, "eml", str(exc))
            yield Outcome("held", reason=f"{exc}; kept as {held.name}"), ""
        except Exception as exc:  # keep the message, report it, carry on with the rest
            save(spool, raw, "eml", f"{type(exc).__name__}: {exc}")
            yield None, str(exc)


def mailbox_messages(path: Path, kind: str) -> tuple[int, Iterator[bytes]]:
    """(count, raw messages) of an mbox file or a Maildir."""
    import mailbox

    box: Any = mailbox.mbox(str(path), create=False) if kind == "mbox" else mailbox.Maildir(str(path), create=False)
    keys = list(box.keys())

    def each() -> Iterator[bytes]:
        for key in keys:
            yield box.get_bytes(key)

    return len(keys), each()
