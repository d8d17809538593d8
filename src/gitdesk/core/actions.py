"""The lifecycle verbs as pure functions: (ticket, context, arguments) -> event.

No disk and no git here. Each function changes the ticket it is given (the desk
hands it a copy) and returns the history event it appended; the legality of
every status change is decided by `lifecycle.MOVES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitdesk.core import review_policy
from gitdesk.core.config import Config, language_code
from gitdesk.core.lifecycle import MOVES, STATUSES, allowed_actions, choose_target, missing_fields
from gitdesk.core.ticket import CHANNELS, PRIORITIES, VISIBILITIES, Ticket, parse_time
from gitdesk.errors import IllegalTransition, InvalidValue, MalformedTicket, UsageError

CONTACT_VIA = ("phone", "email", "slack", "meeting", "web", "github")
UPDATES = ("on", "off")  # the requester's choice of proactive updates (channels/updates.py)


@dataclass(frozen=True)
class Context:
    """Who acts, when, under which desk configuration."""

    config: Config
    now: str  # UTC ISO 8601
    actor: str


def record(
    t: Ticket, ctx: Context, move: str, by: str | None = None, to: str | None = None, **data: Any
) -> dict[str, Any]:
    """Append one history event for `move`, changing status as the table says (`to` picks one of its targets)."""
    spec = MOVES[move]
    before = t.status or None
    if before is not None and before not in STATUSES:  # hand-edited; "allowed from 'foo': none" would puzzle
        raise MalformedTicket(t.path or t.id, None, f"status: '{before}' is not one of {', '.join(STATUSES)}")
    if not spec.allowed_from(before):
        raise IllegalTransition(t.id, move.partition(":")[0], str(before), allowed_actions(before))
    target = to if to in spec.allowed_from(before) else choose_target(spec, before, t.meta)
    assert target is not None
    if target != before:
        lacking = missing_fields(t.meta, target)
        if lacking:
            raise IllegalTransition(
                t.id,
                move.partition(":")[0],
                str(before),
                allowed_actions(before),
                f"'{target}' needs {', '.join(lacking)}",
            )
    at = ctx.now
    if t.history:  # clocks of different clones may disagree; history never runs backwards
        last = t.history[-1].get("at")
        try:
            if last and parse_time(last) > parse_time(at):
                at = str(last)
        except ValueError:
            raise MalformedTicket(
                t.path or t.id, None, f"history event {len(t.history)}: 'at' is not a UTC ISO 8601 time: {last!r}"
            ) from None
    event: dict[str, Any] = {
        "at": at,
        "by": by or ctx.actor,
        "action": move.partition(":")[0],
        "from": before,
        "to": target,
    }
    event.update({k: v for k, v in data.items() if v not in (None, "", [], {})})
    t.history.append(event)
    t.meta["status"] = target
    t.set("updated", at)
    return event


def text_arg(value: str | None, name: str) -> str:
    if value is None or not str(value).strip():
        raise UsageError(f"{name} must not be empty")
    return str(value).strip()


def check_choice(value: str, choices: tuple[str, ...], field: str) -> str:
    if value not in choices:
        raise InvalidValue(field, f"'{value}' is not one of {', '.join(choices)}")
    return value


def ticket_language(value: Any) -> Any:
    """'es-ES' -> 'es'; anything else is kept as given for the gate's rules to refuse, naming `language`."""
    return language_code(value) or value


def new_ticket(
    ctx: Context,
    ticket_id: str,
    title: str,
    requester: dict[str, str],
    *,
    channel: str = "web",
    queue: str | None = None,
    priority: str | None = None,
    location: str = "",
    product: dict[str, str] | None = None,
    visibility: str = "unlisted",
    language: str | None = None,
    body: str = "",
    parent: str | None = None,
    extra: dict[str, Any] | None = None,
    status: str | None = None,
    opened: dict[str, Any] | None = None,
) -> Ticket:
    """A fresh ticket with its `open` event: `triaged` when it has its priority, else `new`.

    `status` picks one of the open move's targets; `opened` adds keys to the open event
    (a split child's `requested` and `responded`, the parent's clock, see sla.Facts).
    """
    title = text_arg(title, "title")
    if "\n" in title:
        raise InvalidValue("title", "must be one line")
    if not requester.get("email") and not requester.get("phone") and not requester.get("name"):
        raise InvalidValue("requester", "who is asking? give --requester 'Name <email>'")
    check_choice(channel, CHANNELS, "channel")
    check_choice(visibility, VISIBILITIES, "visibility")
    queue = queue or ctx.config.default_queue
    check_choice(queue, tuple(ctx.config.queue_names()), "queue")
    if priority:
        check_choice(priority.upper(), PRIORITIES, "priority")
    meta: dict[str, Any] = {
        "id": ticket_id,
        "title": title,
        "status": None,
        "priority": priority.upper() if priority else None,
        "queue": queue,
        "tier": 1,
        "assignee": None,
        "requester": requester,
        "channel": channel,
        "location": location or None,
        "product": dict(product or {}),
        "visibility": visibility,
        **({"language": ticket_language(language)} if language else {}),  # else the desk's
        "created": ctx.now,
        "updated": ctx.now,
    }
    if parent:
        meta["parent"] = parent
    meta.update(extra or {})
    meta["history"] = []
    t = Ticket(meta, ("\n" + body.strip() + "\n") if body.strip() else "")
    record(t, ctx, "open", to=status, channel=channel, split_from=parent, **(opened or {}))
    return t


def prioritise(t: Ticket, ctx: Context, priority: str, reason: str | None = None, **inputs: Any) -> dict[str, Any]:
    priority = check_choice(priority.upper(), PRIORITIES, "priority")
    old = t.priority
    if old and old != priority and not (reason and reason.strip()):
        raise UsageError(f"{t.id}: priority is already {old}; give --reason to change it to {priority}")
    t.meta["priority"] = priority
    return record(t, ctx, "prioritise", priority=priority, previous=old, reason=reason, **inputs)


def assign(
    t: Ticket, ctx: Context, to: str | None = None, queue: str | None = None, unassign: bool = False
) -> dict[str, Any]:
    """Route to a technician and/or queue; `unassign` (or `to=""`) takes the technician off first."""
    if to is not None and not to.strip():  # `--to ''`: the shell's way to say nobody
        unassign, to = True, None
    if unassign and to:
        raise UsageError("give either --to NAME or --unassign, not both")
    if not to and not queue and not unassign:
        raise UsageError("assign needs --to NAME, --queue QUEUE, --unassign, or a combination")
    if queue:
        check_choice(queue, tuple(ctx.config.queue_names()), "queue")
    event: dict[str, Any] = {}
    if unassign:
        previous = t.meta.get("assignee")
        if not previous:
            raise UsageError(f"{t.id} is not assigned to anyone")
        t.set("assignee", None)
        event = record(t, ctx, "unassign", previous=previous)
    if to or queue:
        if queue:
            t.meta["queue"] = queue
        if to:
            t.set("assignee", to.strip())
        event = record(t, ctx, "assign", assignee=to.strip() if to else None, queue=queue)
    return event


# Which way each tier move goes: escalate and de-escalate are one rule read both ways.
TIER_STEP = {"escalate": 1, "de-escalate": -1}


def move_tier(t: Ticket, ctx: Context, move: str, reason: str, tier: int | None = None) -> dict[str, Any]:
    """Escalate (up) or de-escalate (down) one tier, or to a given one in that direction."""
    reason = text_arg(reason, "--reason")
    step = TIER_STEP[move]
    if not MOVES[move].allowed_from(t.status or None):  # the status, before any tier complaint
        raise IllegalTransition(t.id, move, str(t.status or None), allowed_actions(t.status or None))
    last = ctx.config.tiers
    target = tier if tier is not None else t.tier + step
    if not 1 <= target <= last:
        # Not an illegal move (it is allowed from here), so not IllegalTransition: its
        # "allowed: ..., escalate" list would contradict the refusal.
        raise InvalidValue(
            "tier",
            f"{t.id} is at tier {t.tier} and the desk has {last} tiers; there is no tier {target} to {move} to",
        )
    if (target - t.tier) * step <= 0:
        raise InvalidValue("tier", f"{target} is not {'above' if step > 0 else 'below'} the current tier {t.tier}")
    previous = t.tier
    t.set("tier", target)
    return record(t, ctx, move, tier=target, previous_tier=previous, reason=reason)


def escalate(t: Ticket, ctx: Context, reason: str, tier: int | None = None) -> dict[str, Any]:
    return move_tier(t, ctx, "escalate", reason, tier)


def de_escalate(t: Ticket, ctx: Context, reason: str, tier: int | None = None) -> dict[str, Any]:
    return move_tier(t, ctx, "de-escalate", reason, tier)


def start(t: Ticket, ctx: Context) -> dict[str, Any]:
    return record(t, ctx, "start")


def note(t: Ticket, ctx: Context, text: str) -> dict[str, Any]:
    return record(t, ctx, "note", text=text_arg(text, "note text"))


def contact(t: Ticket, ctx: Context, via: str, summary: str, inbound: bool = False, **extra: Any) -> dict[str, Any]:
    check_choice(via, CONTACT_VIA, "via")
    move = "contact:inbound" if inbound else "contact:outbound"
    return record(
        t,
        ctx,
        move,
        via=via,
        direction="inbound" if inbound else "outbound",
        summary=text_arg(summary, "--summary"),
        **extra,
    )


def wait(t: Ticket, ctx: Context, question: str) -> dict[str, Any]:
    return record(t, ctx, "wait", question=text_arg(question, "--question"))


def propose(t: Ticket, ctx: Context, solution: str, branch: str | None = None) -> dict[str, Any]:
    """`branch`: the solution branch whose PR is reviewed (review_policy then needs the reviewer's approval too)."""
    return record(t, ctx, "propose", solution=text_arg(solution, "--solution"), branch=branch)


def quick_resolve(t: Ticket, ctx: Context, solution: str) -> dict[str, Any]:
    """Resolve a trivial ticket without a separate review, where the desk and its review rules allow it."""
    solution = text_arg(solution, "--solution")
    if not MOVES["resolve"].allowed_from(t.status or None):
        raise IllegalTransition(t.id, "resolve", str(t.status or None), allowed_actions(t.status or None))
    refusal = review_policy.quick_resolve_refusal(t, ctx.config)
    if refusal:
        raise UsageError(f"{t.id}: {refusal}")
    return record(t, ctx, "resolve", solution=solution)


def review(
    t: Ticket,
    ctx: Context,
    approve: bool,
    by: str,
    comment: str | None = None,
    role: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A verdict on the proposed solution. `role="requester"` is the customer's own verdict; an
    approval resolves the ticket only once every review the desk requires has approved."""
    reviewer = text_arg(by, "--by")
    if approve:
        resolves = review_policy.resolves(t, ctx.config, role or "reviewer", reviewer)
        return record(
            t,
            ctx,
            "review:approve",
            by=reviewer,
            to="resolved" if resolves else "proposed",
            verdict="approve",
            role=role,
            comment=comment,
            **extra,
        )
    feedback = text_arg(comment, "--comment (the feedback for whoever picks the ticket up)")
    return record(
        t,
        ctx,
        "review:request-changes",
        by=reviewer,
        verdict="request-changes",
        role=role,
        feedback=feedback,
        **extra,
    )


def dismiss_review(t: Ticket, ctx: Context, by: str, review_id: Any, **extra: Any) -> dict[str, Any]:
    """A PR review was dismissed: its verdict no longer counts. A resolved ticket whose approvals
    no longer suffice goes back to proposed; a request for changes taken back leaves the rework as it is."""
    event = record(
        t,
        ctx,
        "review:dismiss",
        by=text_arg(by, "--by"),
        to="proposed",
        verdict="dismiss",
        review_id=review_id,
        **extra,
    )
    standing = review_policy.approved_by(t, ctx.config)
    if event["from"] == "resolved" and standing and not review_policy.needed(t, ctx.config) - standing:
        event["to"] = t.meta["status"] = "resolved"
    return event


def customer_review(t: Ticket, ctx: Context, approve: bool, feedback: str = "", **extra: Any) -> dict[str, Any]:
    """The requester's own verdict, recorded as theirs: by their address (or channel identity)."""
    if review_policy.customer_mode(ctx.config) == "off":
        raise UsageError(f"{t.id}: this desk does not ask customers to review solutions (review.customer: off)")
    who = t.requester
    by = str(who.get("email") or who.get("github") or who.get("name") or "requester")
    return review(t, ctx, approve, by, feedback or None, role=review_policy.REQUESTER, **extra)


def close(
    t: Ticket, ctx: Context, lesson: str, kb: str, cause: str | None = None, survey_invite: str | None = None
) -> dict[str, Any]:
    """`survey_invite` records how the customer is invited to the survey ("email"), if at all."""
    return record(t, ctx, "close", lesson=text_arg(lesson, "--lesson"), cause=cause, kb=kb, survey_invite=survey_invite)


def reopen(t: Ticket, ctx: Context, reason: str) -> dict[str, Any]:
    return record(t, ctx, "reopen", reason=text_arg(reason, "--reason"))


CUSTOMER_REOPEN = "The customer replied after it was "  # how intake's reopen reasons start


def customer_reopen(t: Ticket, ctx: Context, via: str, text: str) -> dict[str, Any]:
    """The requester's reply reopened a resolved or closed ticket. The reason keeps their words for
    staff; the status page says a fixed sentence instead (`by_customer`), as a mail can hold anything."""
    return record(t, ctx, "reopen", reason=f"{CUSTOMER_REOPEN}{t.status}: {text_arg(text, 'text')}", via=via)


def by_customer(event: dict[str, Any]) -> bool:
    """A reopen made by the customer's reply (also one recorded before `via` was written)."""
    return bool(event.get("via")) or str(event.get("reason") or "").startswith(CUSTOMER_REOPEN)


def cancel(t: Ticket, ctx: Context, reason: str, duplicate_of: str | None = None) -> dict[str, Any]:
    return record(t, ctx, "cancel", reason=text_arg(reason, "--reason"), duplicate_of=duplicate_of)


def link_duplicate(original: Ticket, ctx: Context, duplicate_id: str) -> dict[str, Any] | None:
    """The back-link on the original: `duplicates` lists the tickets cancelled as its duplicates.

    None when it already lists it (a duplicate reopened and cancelled again): no second event.
    """
    listed = [str(x) for x in original.meta.get("duplicates") or []]
    if duplicate_id in listed:
        return None
    original.set("duplicates", [*listed, duplicate_id])
    return record(original, ctx, "duplicate", duplicate=duplicate_id)


EDITABLE = (
    "title",
    "location",
    "channel",
    "visibility",
    "requester",
    "product",
    "updates",
    "language",
    "incident",  # shown on the status board as an incident (site/incidents.py); P1 tickets are anyway
    "service",  # the affected service an incident names
)


def edit(t: Ticket, ctx: Context, changes: dict[str, Any]) -> dict[str, Any]:
    """Correct data; each changed field is recorded as {from, to} in the event (a description by its gist)."""
    diff: dict[str, Any] = {}
    changes = dict(changes)
    if "description" in changes:
        body = str(changes.pop("description")).strip()
        if body != t.description:
            diff["description"] = {"from": _gist(t.description), "to": _gist(body)}
            t.body = ("\n" + body + "\n") if body else ""
    for key, value in changes.items():
        if key == "channel":
            check_choice(value, CHANNELS, "channel")
        if key == "visibility":
            check_choice(value, VISIBILITIES, "visibility")
        if key == "updates":  # the requester's opt-out of proactive updates (channels/updates.py)
            check_choice(value, UPDATES, "updates")
        if key == "language":  # the customer's: their mails and their ticket's page (gitdesk.i18n)
            value = ticket_language(value)
        if key == "incident" and not isinstance(value, bool):
            raise InvalidValue("incident", "must be true or false")
        if key == "service" and "\n" in str(value):
            raise InvalidValue("service", "must be one line")
        if key == "title" and (not str(value).strip() or "\n" in str(value)):
            raise InvalidValue("title", "must be one non-empty line")
        old = t.meta.get(key)
        if key in ("requester", "product"):
            value = {**(old if isinstance(old, dict) else {}), **value}
            value = {k: v for k, v in value.items() if v not in (None, "")}
        if old != value:
            diff[key] = {"from": old, "to": value}
            t.set(key, value)
    if not diff:
        raise UsageError(f"{t.id}: nothing to change (the values given are already set)")
    return record(t, ctx, "edit", changes=diff)


def _gist(text: str, width: int = 60) -> str:
    """A description in an edit event: its first line, clipped (git keeps the whole text)."""
    first = " ".join(text.split("\n", 1)[0].split())
    more = len(first) > width or "\n" in text
    return (first[: width - 1].rstrip() + "…") if more else first


def split_children(parent: Ticket, ctx: Context, titles: list[str], ids: list[str]) -> list[Ticket]:
    """Children inherit who asked, where, what product, which queue, priority, assignee and tier.

    A child of a triaged or started ticket is triaged (it can be started at once), and its
    clocks are the parent's: a split is no new request from the customer, so the child's
    open event carries when the customer asked (`requested`) and when we first answered
    them (`responded`), which sla.Facts reads.
    """
    from gitdesk.core.sla import first_response

    if not titles:
        raise UsageError("split needs at least one --into TITLE")
    inherit = {k: parent.meta.get(k) for k in ("location", "product")}
    status = "new" if parent.status == "new" else "triaged"
    carried = {"assignee": parent.meta.get("assignee"), "tier": parent.tier}
    clock = {"requested": parent.meta.get("created"), "responded": first_response(parent)}
    children = []
    for title, child_id in zip(titles, ids, strict=True):
        child = new_ticket(
            ctx,
            child_id,
            title,
            dict(parent.requester),
            channel=str(parent.meta.get("channel") or "web"),
            queue=str(parent.meta.get("queue") or ctx.config.default_queue),
            priority=parent.priority,
            location=str(inherit["location"] or ""),
            product=dict(inherit["product"])
            if isinstance(inherit["product"], dict)
            else {},  # the gate names a bad one
            visibility=parent.visibility,
            language=parent.meta.get("language"),
            parent=parent.id,
            extra=carried,
            status=status,
            opened=clock,
        )
        children.append(child)
    existing = parent.meta.get("children")
    existing = list(existing) if isinstance(existing, list) else []  # the gate names a bad one
    parent.set("children", existing + [c.id for c in children])
    record(parent, ctx, "split", children=[c.id for c in children])
    return children
