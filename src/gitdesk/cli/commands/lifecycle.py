"""The lifecycle verbs: open, route, work, document, close, reopen, cancel, correct, survey."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitdesk.cli import completion
from gitdesk.cli.options import (
    CHANNEL,
    CONTACT_VIA,
    PRIORITY,
    TIME_ANSWER,
    UPDATES,
    VISIBILITY,
    YES_NO,
    emit,
    id_argument,
    json_option,
    key_values,
    pass_desk,
    read_body,
    write_options,
)
from gitdesk.cli.tell import tell

if TYPE_CHECKING:
    from gitdesk.core.ticket import Ticket
    from gitdesk.desk.facade import Desk


def _done(ticket: Ticket, as_json: bool, what: str) -> None:
    emit(ticket, as_json, f"{ticket.id}: {what} (status {ticket.status})")


@click.command(
    epilog="""Examples:

\b
  gitdesk new "Printer on floor 3 jams" --requester "Ada Lovelace <ada@example.org>" \\
      --channel phone --location "Floor 3, room 301" --product model=HP-M404 --product account=AC-1001
  echo "Details..." | gitdesk new "VPN drops" --requester bob@example.org
"""
)
@click.argument("title")
@click.option("--requester", required=True, help="'Name <email>' of who is asking.")
@click.option("--phone", default="", help="Requester's phone number.")
@click.option("--org", default="", help="Requester's organisation.")
@click.option(
    "--channel",
    type=CHANNEL,
    default="web",
    show_default=True,
    help="Where the request arrived.",
)
@click.option(
    "--queue",
    default=None,
    shell_complete=completion.queues,
    help="Support team queue (default: the desk's default queue).",
)
@click.option("--priority", type=PRIORITY, default=None)
@click.option("--location", default="", help="Where the affected equipment is.")
@click.option("--product", multiple=True, metavar="KEY=VALUE", help="Product/account data; repeatable.")
@click.option(
    "--visibility",
    type=VISIBILITY,
    default="unlisted",
    show_default=True,
    help="Who may see the status page.",
)
@click.option(
    "--language",
    default=None,
    metavar="CODE",
    help="The customer's language (en, es, ca): their mails and status page (default: the desk's).",
)
@click.option("--body", default=None, help="The description (Markdown); '-' reads it from stdin.")
@click.option("--body-file", default=None, metavar="FILE", help="Read the description from FILE ('-' = stdin).")
@json_option
@write_options
@pass_desk
def new(
    desk: Desk,
    title: str,
    requester: str,
    phone: str,
    org: str,
    channel: str,
    queue: str | None,
    priority: str | None,
    location: str,
    product: tuple[str, ...],
    visibility: str,
    language: str | None,
    body: str | None,
    body_file: str | None,
    as_json: bool,
) -> None:
    """Open a ticket (status new)."""
    from gitdesk.core.ticket import parse_requester

    # stdin only when asked (`--body -`, `--body-file -`): a `while read t; do gitdesk new "$t"; done`
    # loop must not hand the other titles to the first ticket as its description
    text = read_body(body, body_file)
    who = parse_requester(requester)
    who.update({k: v for k, v in (("phone", phone), ("org", org)) if v})
    if not as_json:
        desk.read_after_write = ("kb",)  # the related-articles lines: git stats kb/ while the ticket is committed
    ticket = desk.open(
        title,
        who,
        channel=channel,
        queue=queue,
        priority=priority,
        location=location,
        product=key_values(product, "--product"),
        visibility=visibility,
        language=language,
        body=text,
    )
    if as_json:
        emit(ticket, True, "")
        return
    click.echo(f"{ticket.id}: opened '{ticket.title}' in queue {ticket.meta['queue']}")
    for line in _suggestions(desk, ticket):
        click.echo(line)


def _suggestions(desk: Desk, ticket: Ticket) -> list[str]:
    """Related KB articles, when the KB search is available."""
    try:
        from gitdesk.store.kbsearch import suggest
    except ImportError:
        return []
    hits = suggest(desk.index, f"{ticket.title}\n{ticket.description}", limit=3)
    return [f"  related: kb/{slug}.md  {title}" for slug, title in hits]


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk prioritise HD-4f7k P2\n"
    "  gitdesk prioritise 4f7k P1 --reason 'whole floor cannot print'"
)
@id_argument
@click.argument("priority", required=False, type=PRIORITY)
@click.option("--reason", default=None, help="Why; required when changing an existing priority.")
@click.option("--impact", default=None, help="Impact level (with --urgency, derives the priority).")
@click.option("--urgency", default=None, help="Urgency level (with --impact, derives the priority).")
@json_option
@write_options
@pass_desk
def prioritise(
    desk: Desk,
    ticket_ref: str,
    priority: str | None,
    reason: str | None,
    impact: str | None,
    urgency: str | None,
    as_json: bool,
) -> None:
    """Set the priority (P1 business failure .. P4 planned event); new becomes triaged."""
    inputs = {}
    if impact or urgency:
        from gitdesk.core.priority_matrix import derive

        derived = derive(desk.config, impact, urgency)
        if priority and priority.upper() != derived:
            raise click.UsageError(
                f"the matrix gives {derived} for impact {impact} and urgency {urgency}, not {priority.upper()}"
            )
        priority, inputs = derived, {"impact": impact, "urgency": urgency}
    if not priority:
        raise click.UsageError("give a priority P1..P4, or --impact and --urgency")
    ticket = desk.prioritise(ticket_ref, priority, reason, **inputs)
    _done(ticket, as_json, f"priority {ticket.priority}")


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk assign HD-4f7k --to grace --queue network\n"
    "  gitdesk assign HD-4f7k --unassign                  # nobody has it: back to the queue\n"
    "  gitdesk assign HD-4f7k --unassign --queue network  # hand it to another team, to be picked up"
)
@id_argument
@click.option(
    "--to", "to", default=None, shell_complete=completion.assignees, help="The technician who takes it ('' = nobody)."
)
@click.option("--queue", default=None, shell_complete=completion.queues, help="The support team's queue.")
@click.option("--unassign", is_flag=True, help="Take the technician off the ticket (the same as --to '').")
@json_option
@write_options
@pass_desk
def assign(desk: Desk, ticket_ref: str, to: str | None, queue: str | None, unassign: bool, as_json: bool) -> None:
    """Route a ticket to a technician and/or queue; new becomes triaged once it has a priority."""
    ticket = desk.assign(ticket_ref, to, queue, unassign)
    _done(ticket, as_json, f"assigned to {ticket.meta.get('assignee') or '-'} in {ticket.meta.get('queue')}")


@click.command(epilog="Examples:\n\n\b\n  gitdesk split HD-4f7k --into 'Printer jams' --into 'Scanner offline'")
@id_argument
@click.option("--into", "titles", multiple=True, required=True, help="Title of one child ticket; repeatable.")
@json_option
@write_options
@pass_desk
def split(desk: Desk, ticket_ref: str, titles: tuple[str, ...], as_json: bool) -> None:
    """Split one request into discrete child tickets, in one commit."""
    parent, *children = desk.split(ticket_ref, list(titles))
    emit(
        [parent, *children],
        as_json,
        "\n".join([f"{parent.id}: split into {len(children)}"] + [f"  {c.id}: {c.title}" for c in children]),
    )


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk escalate HD-4f7k --reason 'needs network engineering'\n"
    "  gitdesk escalate HD-4f7k --tier 3 --reason 'vendor bug'"
)
@id_argument
@click.option("--tier", type=int, default=None, help="Target tier (default: the next one).")
@click.option("--reason", required=True, help="Why it needs a higher tier.")
@json_option
@write_options
@pass_desk
def escalate(desk: Desk, ticket_ref: str, tier: int | None, reason: str, as_json: bool) -> None:
    """Move a ticket up to the next (or a given) tier of technicians."""
    ticket = desk.escalate(ticket_ref, reason, tier)
    _done(ticket, as_json, f"escalated to tier {ticket.tier}")


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk de-escalate HD-4f7k --reason 'network fixed; only the user setup is left'\n"
    "  gitdesk de-escalate HD-4f7k --tier 1 --reason 'vendor patch applied'"
)
@id_argument
@click.option("--tier", type=int, default=None, help="Target tier (default: the one below).")
@click.option("--reason", required=True, help="Why a lower tier can take it from here.")
@json_option
@write_options
@pass_desk
def de_escalate(desk: Desk, ticket_ref: str, tier: int | None, reason: str, as_json: bool) -> None:
    """Move a ticket down to the previous (or a given lower) tier of technicians."""
    ticket = desk.de_escalate(ticket_ref, reason, tier)
    _done(ticket, as_json, f"de-escalated to tier {ticket.tier}")


@click.command(epilog="Examples:\n\n\b\n  gitdesk start HD-4f7k")
@id_argument
@json_option
@write_options
@pass_desk
def start(desk: Desk, ticket_ref: str, as_json: bool) -> None:
    """Start work on a triaged ticket (in_progress)."""
    _done(desk.start(ticket_ref), as_json, "work started")


@click.command(epilog="Examples:\n\n\b\n  gitdesk note HD-4f7k 'Replaced the fuser; jams persist on tray 2.'")
@id_argument
@click.argument("text")
@json_option
@write_options
@pass_desk
def note(desk: Desk, ticket_ref: str, text: str, as_json: bool) -> None:
    """Add an internal note for the next technician (never shown to customers)."""
    _done(desk.note(ticket_ref, text), as_json, "note added")


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk contact HD-4f7k --via phone --summary 'Explained the workaround'\n"
    "  gitdesk contact HD-4f7k --via email --inbound --summary 'Customer sent the logs'"
)
@id_argument
@click.option("--via", type=CONTACT_VIA, required=True)
@click.option("--inbound", is_flag=True, help="The customer contacted us (default: we contacted them).")
@click.option("--summary", required=True, help="What was said.")
@json_option
@write_options
@pass_desk
def contact(desk: Desk, ticket_ref: str, via: str, inbound: bool, summary: str, as_json: bool) -> None:
    """Log a communication with the customer."""
    ticket = desk.contact(ticket_ref, via, summary, inbound)
    _done(ticket, as_json, f"{'inbound' if inbound else 'outbound'} contact via {via} logged")


@click.command(epilog="Examples:\n\n\b\n  gitdesk wait HD-4f7k --question 'Which tray is jamming?'")
@id_argument
@click.option("--question", required=True, help="What we asked the customer.")
@json_option
@write_options
@pass_desk
def wait(desk: Desk, ticket_ref: str, question: str, as_json: bool) -> None:
    """Wait on the customer; an inbound contact brings the ticket back to in_progress."""
    ticket = desk.wait(ticket_ref, question)
    _done(ticket, as_json, "waiting on the customer")
    tell(desk, ticket)


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk close HD-4f7k --lesson 'Tray 2 rollers wear out after 200k pages' "
    "--cause 'worn rollers' --kb printer-tray-jams\n"
    "  gitdesk close HD-9p2q --lesson 'Stolen laptops: revoke the VPN certificate first' --kb-public\n"
    "  gitdesk close HD-7c1d --lesson 'Check the badge log before anything else' --kb-internal"
)
@id_argument
@click.option("--lesson", required=True, help="The lesson learned; feeds the knowledge base.")
@click.option("--cause", default=None, help="The root cause.")
@click.option(
    "--kb",
    "kb_slug",
    default=None,
    shell_complete=completion.kb_slugs,
    help="KB article slug to write or extend (default: from the title).",
)
@click.option(
    "--kb-public/--kb-internal",
    "kb_public",
    default=None,
    help="Publish the article on the site (a private or unlisted ticket's lesson is scrubbed), or keep it "
    "internal. Default: published for public tickets only.",
)
@json_option
@write_options
@pass_desk
def close(
    desk: Desk,
    ticket_ref: str,
    lesson: str,
    cause: str | None,
    kb_slug: str | None,
    kb_public: bool | None,
    as_json: bool,
) -> None:
    """Close a resolved ticket with a lesson learned, written to the knowledge base.

    The lesson is always recorded, in the ticket and in kb/. The article is on the public site
    only for a public ticket, or with --kb-public; --kb-internal keeps it off the site.

    Where mail is configured, the customer is invited to the satisfaction survey by email
    (the close event records it); the status page always shows the invitation.
    """
    from gitdesk.channels.mail import MailError, send_survey_invitation, survey_invitation_possible

    invite = "email" if survey_invitation_possible(desk, ticket_ref) else None
    ticket = desk.close(ticket_ref, lesson, cause, kb_slug, survey_invite=invite, kb_public=kb_public)
    slug = ticket.history[-1]["kb"]
    shown = "published on the site" if desk.kb_published(slug) else "internal: not on the site"
    _done(ticket, as_json, f"closed; lesson in kb/{slug}.md ({shown})")
    if invite:
        try:
            send_survey_invitation(desk, ticket.id, log=False)
        except MailError as exc:
            click.echo(f"gitdesk: warning: survey invitation not sent: {exc}", err=True)
    tell(desk, ticket)


@click.command(epilog="Examples:\n\n\b\n  gitdesk reopen HD-4f7k --reason 'Jams are back'")
@id_argument
@click.option("--reason", required=True)
@json_option
@write_options
@pass_desk
def reopen(desk: Desk, ticket_ref: str, reason: str, as_json: bool) -> None:
    """Reopen a resolved, closed or cancelled ticket; the resolution clock resumes."""
    ticket = desk.reopen(ticket_ref, reason)
    _done(ticket, as_json, "reopened")
    tell(desk, ticket)


@click.command(epilog="Examples:\n\n\b\n  gitdesk cancel HD-4f7k --reason 'duplicate' --duplicate-of HD-9q2m")
@id_argument
@click.option("--reason", required=True)
@click.option("--duplicate-of", default=None, metavar="ID", shell_complete=completion.ticket_refs)
@json_option
@write_options
@pass_desk
def cancel(desk: Desk, ticket_ref: str, reason: str, duplicate_of: str | None, as_json: bool) -> None:
    """Cancel a ticket that needs no work; --duplicate-of also links the original back to it."""
    ticket = desk.cancel(ticket_ref, reason, duplicate_of)
    original = ticket.history[-1].get("duplicate_of")
    _done(ticket, as_json, f"cancelled as a duplicate of {original} (linked there)" if original else "cancelled")
    tell(desk, ticket)


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk edit HD-4f7k --location 'Floor 4' --product licence=LIC-778\n"
    "  gitdesk edit HD-4f7k --body-file description.md\n"
    "  git log -1 -p tickets/HD-4f7k.md | gitdesk edit HD-4f7k --body -"
)
@id_argument
@click.option("--title", default=None)
@click.option("--location", default=None)
@click.option("--channel", default=None, type=CHANNEL)
@click.option("--visibility", default=None, type=VISIBILITY)
@click.option("--requester", default=None, help="'Name <email>'.")
@click.option("--phone", default=None)
@click.option("--org", default=None)
@click.option("--product", multiple=True, metavar="KEY=VALUE", help="Set (or with an empty value, drop) a key.")
@click.option("--updates", type=UPDATES, default=None, help="Whether the requester gets proactive updates.")
@click.option("--language", default=None, metavar="CODE", help="The customer's language (en, es, ca).")
@click.option("--body", default=None, help="Replace the description (Markdown); '-' reads it from stdin.")
@click.option("--body-file", default=None, metavar="FILE", help="Replace the description with FILE ('-' = stdin).")
@click.option(
    "--incident/--no-incident", default=None, help="Show it on the status board as an incident (P1 tickets are)."
)
@click.option("--service", default=None, help="The affected service an incident names (else its team).")
@json_option
@write_options
@pass_desk
def edit(
    desk: Desk,
    ticket_ref: str,
    title: str | None,
    location: str | None,
    channel: str | None,
    visibility: str | None,
    requester: str | None,
    phone: str | None,
    org: str | None,
    product: tuple[str, ...],
    updates: str | None,
    language: str | None,
    body: str | None,
    body_file: str | None,
    incident: bool | None,
    service: str | None,
    as_json: bool,
) -> None:
    """Correct a ticket's data or its description; every change is recorded in its history."""
    from gitdesk.core.ticket import parse_requester

    changes: dict = {
        k: v
        for k, v in (
            ("title", title),
            ("location", location),
            ("channel", channel),
            ("visibility", visibility),
            ("updates", updates),
            ("language", language),
            ("incident", incident),
            ("service", service),
        )
        if v is not None
    }
    who = parse_requester(requester) if requester else {}
    who.update({k: v for k, v in (("phone", phone), ("org", org)) if v is not None})
    if who:
        changes["requester"] = who
    if product:
        changes["product"] = key_values(product, "--product")
    if body is not None or body_file is not None:
        changes["description"] = read_body(body, body_file)
    if not changes:
        raise click.UsageError("nothing to edit: give at least one of --title, --location, --product, --body, ...")
    _done(desk.edit(ticket_ref, changes), as_json, "edited " + ", ".join(sorted(changes)))


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk survey HD-4f7k --score 4 --right-questions yes --time adequate "
    "--comment 'Quick and friendly' --improve 'Call back sooner'"
)
@id_argument
@click.option("--score", type=click.IntRange(1, 5), required=True, help="Satisfaction, 1 (poor) to 5 (great).")
@click.option("--right-questions", type=YES_NO, required=True, help="Were the right questions asked?")
@click.option(
    "--time",
    "time_",
    type=TIME_ANSWER,
    required=True,
    help="Was the time to resolve adequate?",
)
@click.option("--comment", default="", help="Free comment.")
@click.option("--improve", default="", help="What should improve.")
@click.option("--replace", is_flag=True, help="Replace an existing survey.")
@json_option
@write_options
@pass_desk
def survey(
    desk: Desk,
    ticket_ref: str,
    score: int,
    right_questions: str,
    time_: str,
    comment: str,
    improve: str,
    replace: bool,
    as_json: bool,
) -> None:
    """Record the customer's satisfaction survey for a closed ticket."""
    ticket = desk.survey(ticket_ref, score, right_questions, time_, comment, improve, replace)
    _done(ticket, as_json, f"survey recorded in surveys/{ticket.id}.yml")
