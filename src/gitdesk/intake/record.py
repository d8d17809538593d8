"""Writing what arrived: a new ticket, or a reply on the ticket it threads onto. One commit each.

Every channel hands over a `Request`. In one `Desk.write` (the gate) the Message-ID index
decides: seen before (no change), part of a thread (inbound contact, so a
`waiting` ticket goes back to `in_progress`), or new (a ticket in the queue
the routing rules pick). An emailed reply to a closed ticket that fills in
the survey invitation's answer lines records the survey instead (survey_reply.py).
Attachments are written beside the ticket in the same commit; those over the
size limit are refused with a note on the ticket.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from gitdesk.core import actions
from gitdesk.core.config import human_size
from gitdesk.core.ids import canonical, id_pattern
from gitdesk.core.lifecycle import RESOLVED
from gitdesk.core.ticket import Ticket, dump, parse_time
from gitdesk.desk.gate import Change
from gitdesk.errors import GitdeskError, UnknownTicket
from gitdesk.i18n import N_
from gitdesk.intake import Kind, Outcome, review_reply, survey_reply
from gitdesk.intake.message import Attachment
from gitdesk.intake.rules import IntakeSettings
from gitdesk.intake.text import one_line, strip_quoted, strip_signature, summary
from gitdesk.store.messages import FIELD, MessageIndex, ids_of


@dataclass
class Request:
    """What any channel delivers, in the desk's terms."""

    channel: str  # email, slack, github
    message_id: str  # unique per delivery: redelivery is a no-op
    title: str
    requester: dict[str, str]
    body: str = ""
    recipients: list[str] = field(default_factory=list)
    product: dict[str, str] = field(default_factory=dict)
    location: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    thread_ids: list[str] = field(default_factory=list)  # message ids this one answers
    extra: dict[str, Any] = field(default_factory=dict)  # channel data for the front matter
    technician: str | None = None  # set when a staff address wrote: an outbound contact by them
    created: str = ""  # the message's own time (imports of old mail); "" = now
    # email: the From address, whose verdict, survey or reopen a reply is. Reply-To is set by the
    # sender and proves nothing, so it only names the requester of a NEW ticket (web-form relays).
    sender: str = ""
    language: str = ""  # the customer's, when the message says (Content-Language): "" = the desk's


OnOpen = Callable[[Ticket, Any, list[str]], str]


def receive(desk: Any, req: Request, rules: IntakeSettings, on_open: OnOpen | None = None) -> Outcome:
    """Open, thread or skip `req`; decided and written in one `Desk.write` so duplicates race safely.

    `on_open(ticket, ctx, notes)` runs on a new ticket just before its one commit (the email
    acknowledgement: sent, then recorded in the same commit); its line joins the outcome's notes.
    """
    chosen: list[Any] = []  # (verdict, answers, target) when the message is a review or a survey

    def prepare(draft: Any) -> Change:
        index = MessageIndex(desk.store)
        holder = index.lookup(req.message_id)
        if holder:
            return _nothing(Outcome("duplicate", holder, f"{req.message_id} was delivered before"))
        target = index.first(req.thread_ids) or _tagged(desk, req.title) or _sent_by_desk(desk, req.thread_ids)
        if not target:
            return _open(draft, req, rules, on_open)
        verdict, refused = (
            (None, "") if req.technician is not None else review_reply.verdict_for(desk, target, req.body, author(req))
        )
        answers = None if verdict else _survey_answers(desk, target, req)
        if answers is not None and survey_reply.recorded(desk, target):
            return _nothing(Outcome("duplicate", target, "a survey is already recorded"))
        flag = _survey_flag(desk, target, req, answers)
        if verdict is None and (answers is None or flag):
            if answers is None and req.technician is None and _follow_up_instead(desk, target, rules):
                return _open(draft, replace(req, extra={**req.extra, "follows": target}), rules, on_open)
            survey_like = req.channel == "email" and survey_reply.read_reply(req.body) is not None
            return _reply(draft, target, req, rules, flag or refused, reopen=answers is None and not survey_like)
        chosen.extend([verdict, answers, target])
        return _nothing(None)

    outcome = desk.write(prepare).result
    if outcome is not None:
        return outcome  # type: ignore[no-any-return]
    verdict, answers, target = chosen
    if verdict is not None:  # the customer's verdict on the proposed solution (review_reply.py)
        return review_reply.record(desk, target, verdict, req.channel, req.message_id, FIELD)
    # desk.survey is a write of its own; `record` copes with a delivery that raced us to it
    assert answers is not None
    return survey_reply.record(desk, target, answers, req.channel, author(req))


def author(req: Request) -> str:
    """Who wrote `req`, in the terms `review_policy.requester_ids` uses: an email's From address
    (never Reply-To), the Slack user or GitHub login the platform vouches for."""
    return req.sender.lower() if req.sender else review_reply.identity(req.channel, req.requester)


def _nothing(outcome: Outcome | None) -> Change:
    """No file to write: the gate commits nothing."""
    return Change({}, "", None, "", result=outcome)


def _survey_flag(desk: Any, ticket_id: str, req: Request, answers: survey_reply.Answers | None) -> str:
    """Why survey answers in a reply cannot count ('' when they can or there are none)."""
    if answers is None:
        return ""
    if answers.problem:
        return f"Survey answers could not be read ({answers.problem}); record them with 'gitdesk survey'."
    owner = str(desk.store.load(ticket_id).requester.get("email") or "").lower()
    if not owner or owner != author(req):
        who = author(req) or "an unknown sender"
        return f"Survey answers from {who}, not the requester: not counted (a survey counts only from the requester)."
    return ""


def _follow_up_instead(desk: Any, ticket_id: str, rules: IntakeSettings) -> bool:
    """A reply to a resolved/closed ticket opens a new linked ticket (policy new-ticket, or reopen
    past intake.reopen_within since it was closed) instead of landing on the old one."""
    ticket = desk.store.load(ticket_id)
    if ticket.status not in RESOLVED or rules.reply_to_closed == "flag":
        return False
    if rules.reply_to_closed == "new-ticket":
        return True
    done = next((e.get("at") for e in reversed(ticket.history) if e.get("to") in RESOLVED), None)
    try:
        age = (desk.clock() - parse_time(done)).total_seconds() if done else 0
    except (TypeError, ValueError):
        return False
    return age > rules.reopen_within


def _survey_answers(desk: Any, ticket_id: str, req: Request) -> survey_reply.Answers | None:
    """Survey answers in an emailed reply to a closed ticket (the invitation asks for them), else None."""
    if req.channel != "email" or desk.store.load(ticket_id).status != "closed":
        return None
    return survey_reply.read_reply(req.body)


def _tagged(desk: Any, subject: str) -> str | None:
    """A `[HD-xxxxxxxx]` tag in the subject names the ticket when the headers do not: the FULL ID
    (any case), never a prefix, which a stranger could guess in a few tries."""
    prefix = re.escape(desk.config.prefix)
    for ref in re.findall(rf"\[\s*({id_pattern(prefix)})\s*\]", subject, re.I):
        try:
            found = str(desk.store.resolve(canonical(ref)))
        except (UnknownTicket, GitdeskError):
            continue
        if found == canonical(ref):
            return found
    return None


def _open(draft: Any, req: Request, rules: IntakeSettings, on_open: OnOpen | None = None) -> Change:
    desk, ctx = draft.desk, draft.ctx
    if req.created and req.created < ctx.now:  # an import keeps the message's own time
        ctx = actions.Context(ctx.config, req.created, ctx.actor)
    ticket_id = draft.fresh_id()
    body, items = _bounded_body(req.body, req.attachments, rules)
    files, stored, refused = _attachments(desk, ticket_id, items, rules, set())
    queue = rules.route(desk.config, req.recipients, f"{req.title}\n{body}", req.product, req.channel)
    extra = {**req.extra, FIELD: [req.message_id]}
    if stored:
        extra["attachments"] = stored
    if req.extra.get("follows"):
        body = f"Follow-up to {req.extra['follows']}, which was already resolved or closed.\n\n{body}"
    title = req.title.strip() or _first_line(body) or f"Request by {req.requester.get('name') or 'email'}"
    ticket = actions.new_ticket(
        ctx,
        ticket_id,
        one_line(title, min(rules.max_title, desk.config.limits.title)),  # the desk's limit bounds intake's
        req.requester,
        channel=req.channel,
        queue=queue,
        location=req.location,
        product=req.product,
        language=req.language or None,
        body=body,
        extra=extra,
    )
    for text in refused:
        actions.record(ticket, ctx, "note", text=str(text))
    notes = list(refused)
    if on_open is not None:
        notes.append(on_open(ticket, ctx, refused))
    files[desk.store.rel(ticket_id)] = dump(ticket)
    outcome = Outcome("opened", ticket_id, f"queue {queue}", notes)
    return Change(
        files, f"open {ticket.title}", ticket_id, "open", f"Intake via {req.channel}: {req.message_id}", outcome
    )


_THANKS = re.compile(
    r"^\W*(many |great, |ok,? )?(thanks?( you)?|thx|ty|danke|merci|cheers|great|perfect)\b.{0,40}$", re.I | re.S
)


def _reply(
    draft: Any, ticket_id: str, req: Request, rules: IntakeSettings, flag: str = "", reopen: bool = True
) -> Change:
    desk, ctx = draft.desk, draft.ctx
    ticket: Ticket = draft.ticket(ticket_id)
    taken = {a.get("name") for a in ticket.meta.get("attachments") or [] if isinstance(a, dict)}
    files, stored, refused = _attachments(desk, ticket_id, req.attachments, rules, taken)
    text = summary(strip_signature(strip_quoted(req.body))) or "(a reply with no new text)"
    sender = req.sender or req.requester.get("email") or req.requester.get("name") or ""
    before = ticket.status
    if req.technician is not None:  # staff wrote from their own mailbox: our contact, not the customer's
        ctx = actions.Context(ctx.config, ctx.now, req.technician)
        actions.contact(
            ticket, ctx, req.channel, text, message_id=req.message_id, attachments=[a["name"] for a in stored]
        )
    else:
        actions.contact(
            ticket,
            ctx,
            req.channel,
            text,
            inbound=True,
            message_id=req.message_id,
            sender=sender,
            attachments=[a["name"] for a in stored],
        )
    ticket.set(FIELD, ids_of(ticket.meta) + [req.message_id])
    if stored:
        ticket.set("attachments", list(ticket.meta.get("attachments") or []) + stored)
    notes = [*refused, *([flag] if flag else [])]
    for note_text in notes:
        actions.record(ticket, ctx, "note", text=str(note_text))
    kind: Kind = "replied"
    if reopen and req.technician is None and before in RESOLVED:
        kind, flag = _reply_when_done(ticket, ctx, req, rules, text)
        notes += [flag] if flag else []
    files[desk.store.rel(ticket_id)] = dump(ticket)
    direction = "outbound" if req.technician is not None else "inbound"
    moved = f"{before} -> {ticket.status}" if before != ticket.status else f"status {ticket.status}"
    outcome = Outcome(kind, ticket_id, moved, notes)
    body = f"Intake via {req.channel}: {req.message_id}"
    return Change(files, f"contact {direction} via {req.channel}", ticket_id, "contact", body, outcome)


def _reply_when_done(
    ticket: Ticket, ctx: actions.Context, req: Request, rules: IntakeSettings, text: str
) -> tuple[Kind, str]:
    """A reply to a resolved or closed ticket: (outcome kind, the note it got). Only the requester's
    own reply (From, never Reply-To; their Slack user, GitHub login) may reopen it: anyone else's
    is kept as an inbound contact with a note for staff, and the ticket and its page stay as they are."""
    before = ticket.status
    if not review_reply.from_requester(ticket, author(req), "", None):
        who = author(req) or "someone"
        flag = f"A reply from {who}, who is not the requester, after it was {before}: not reopened; please look."
    elif rules.reply_to_closed == "reopen" and not _THANKS.match(text):
        actions.customer_reopen(ticket, ctx, req.channel, one_line(text, 300))
        return "reopened", ""
    elif rules.reply_to_closed == "flag":
        flag = f"The customer replied after it was {before} (intake.reply_to_closed: flag); please look."
    else:
        return "replied", ""
    actions.record(ticket, ctx, "note", text=flag)
    return "replied", flag


def _sent_by_desk(desk: Any, thread_ids: list[str]) -> str | None:
    """The ticket named in a desk Message-ID (`<...gitdesk-HD-xxxx@...>`, see mail.compose): the survey
    invitation is not logged on the ticket, and a reply to it may have lost the subject tag."""
    prefix = re.escape(desk.config.prefix)
    for mid in thread_ids:
        match = re.search(rf"\.gitdesk-({id_pattern(prefix)})@", mid, re.I)
        if match and desk.store.exists(match.group(1)):
            return match.group(1)
    return None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def safe_name(name: str) -> str:
    """A file name that cannot escape the attachments folder or pose as a ticket or config file."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.+-]+", "_", base, flags=re.ASCII).strip("._-")[:100] or "attachment"
    if base.lower().endswith((".md", ".yml", ".yaml")):  # site and CI read those; keep them inert
        base += ".txt"
    return base


def _bounded_body(body: str, items: list[Attachment], rules: IntakeSettings) -> tuple[str, list[Attachment]]:
    """A body longer than intake.max_body goes in whole as message.txt; the ticket keeps its start."""
    if len(body) <= rules.max_body:
        return body, items
    cut = body[: rules.max_body].rstrip()
    note = "\n\n[... the message is longer than intake.max_body; the whole text is attached as message.txt]"
    return cut + note, [Attachment("message.txt", "text/plain", body.encode("utf-8")), *items]


class Refusal(str):
    """A refused attachment's note: English for the ticket, with its facts for the customer's language."""

    name: str = ""
    size: str = ""
    why: str = ""  # marked for translation (mail.refusal_line)


def _attachments(
    desk: Any, ticket_id: str, items: list[Attachment], rules: IntakeSettings, taken: set[Any]
) -> tuple[dict[str, str | bytes], list[dict[str, Any]], list[str]]:
    """(files to commit, front-matter records, refusal notes)."""
    files: dict[str, str | bytes] = {}
    stored: list[dict[str, Any]] = []
    refused: list[str] = []
    folder = f"{desk.store.rel(ticket_id)[:-3]}/attachments"
    limit, total = rules.max_attachment, 0
    for item in items:
        size = len(item.data)
        why = ""
        if size > limit:
            why = f"larger than the {human_size(limit)} limit (intake.max_attachment in gitdesk.yml)"
        elif len(stored) >= rules.max_attachments:
            why = f"more than {rules.max_attachments} attachments in one message (intake.max_attachments)"
        elif total + size > rules.max_attachments_total:
            why = f"over {human_size(rules.max_attachments_total)} in one message (intake.max_attachments_total)"
        if why:
            note = Refusal(f"Attachment '{one_line(item.name, 100)}' ({human_size(size)}) refused: {why}.")
            note.name, note.size = one_line(item.name, 100), human_size(size)
            note.why = (
                N_("it is larger than we can accept") if size > limit else N_("the message had too many attachments")
            )
            refused.append(note)
            continue
        total += size
        name, n = safe_name(item.name), 1
        while name in taken or (desk.root / folder / name).exists():
            n += 1
            stem, dot, ext = safe_name(item.name).partition(".")
            name = f"{stem}-{n}{dot}{ext}"
        taken.add(name)
        files[f"{folder}/{name}"] = item.data
        stored.append({"name": name, "size": size, "type": item.content_type, "path": f"{folder}/{name}"})
    return files, stored, refused
