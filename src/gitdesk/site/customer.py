"""What a customer may see of a ticket: built field by field from an allow-list, never copied.

`ticket_view` is the one place that decides which facts of a ticket reach the
site; the ticket page, its JSON file and every list are made from its output
(or from the smaller `Card`), so nothing else can leak a field by accident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from gitdesk.core.calendar import from_config
from gitdesk.core.config import Config
from gitdesk.core.lifecycle import DONE, MOVES, RESOLVED, STATUS_TEXT, move_name
from gitdesk.core.scrub import Scrubber
from gitdesk.core.ticket import Ticket, iso
from gitdesk.i18n import Translator
from gitdesk.site.privacy import can_link, link_version, requester_mark, site_key, ticket_url

SHOWN_SOLUTION_IN = frozenset({"proposed", "resolved", "closed"})


class Card(NamedTuple):
    """The few facts lists, feeds and counts need; small enough to keep 100,000 in memory."""

    id: str
    title: str  # already scrubbed
    status: str
    priority: str
    queue: str
    tier: int
    created: str
    updated: str
    resolved: str  # "" while unresolved
    visibility: str
    url: str  # "" when the ticket has no page
    requester: str = ""  # privacy.requester_mark: compared by can_link, never published


def promise(config: Config, priority: str | None, tr: Translator) -> dict[str, str] | None:
    """A priority's targets as the customer reads them: '4 hours', '2 business days'."""
    spec = config.priorities.get(priority or "")
    if spec is None:
        return None
    cal = from_config(config).for_name(spec.calendar)  # what the SLA counts in: its day is the working day
    business = spec.calendar != "24x7"
    response, resolution = tr.duration(spec.response, business, cal), tr.duration(spec.resolution, business, cal)
    if business:
        text = tr._(
            "First response within {response} and a resolution within {resolution}, counted in business hours.",
            response=response,
            resolution=resolution,
        )
    else:
        text = tr._(
            "First response within {response} and a resolution within {resolution}, counted around the clock.",
            response=response,
            resolution=resolution,
        )
    return {
        "name": spec.name,
        "criteria": tr._(spec.criteria),  # the default criteria are in the catalog; a desk's own stay as written
        "response": response,
        "resolution": resolution,
        "text": text,
    }


def resolved_at(t: Ticket) -> str:
    """When the ticket was last resolved, as the SLA has it (`Facts.resolved_at`); "" while it is not."""
    from gitdesk.core.sla import Facts
    from gitdesk.errors import MalformedTicket

    try:
        instant = Facts.of(t).resolved_at
    except MalformedTicket:  # a time that is no time: the page says nothing rather than something wrong
        return ""
    return iso(instant) if instant is not None else ""


def last_visible_update(t: Ticket) -> str:
    """When the customer last saw something happen: the last event the timeline shows
    (a note, an edit or a dismissed review is internal and does not count), else the opening."""
    for event in reversed(t.history):
        move = MOVES.get(move_name(event))
        if move is not None and move.summary and event.get("at"):
            return str(event["at"])
    return str(t.meta.get("created") or t.meta.get("updated") or "")


def due_times(t: Ticket, config: Config, now: dt.datetime) -> dict[str, Any]:
    """What the desk owes the customer next and by when: first response, resolution (UTC stamps).

    A clock the customer holds up (waiting on their answer) is paused and has no due time."""
    from gitdesk.core.sla import Facts, clocks

    found = {c.kind: c for c in clocks(Facts.of(t), config, int(now.timestamp()))} if t.status not in DONE else {}
    response, resolution = found.get("response"), found.get("resolution")
    return {
        "first_response_due": iso(response.due) if response and response.due is not None else None,
        "resolution_due": iso(resolution.due) if resolution and resolution.due is not None else None,
        "resolution_paused": bool(resolution and resolution.state == "paused"),
    }


def _next_step_due(status: str, dues: dict[str, Any], next_update: str | None) -> str | None:
    """The due time of the next step the page names: our first response while none was given,
    then the next update we owe; none while the ball is in the customer's court."""
    if status in ("new", "triaged", "in_progress"):
        return dues["first_response_due"] or next_update
    return None


def card(t: Ticket, scrub: Scrubber, key: str | None) -> Card:
    url = ticket_url(t.id, t.visibility, key, link_version(t.meta)) or ""
    return Card(
        t.id,
        scrub(t.title),
        t.status,
        t.priority or "",
        str(t.meta.get("queue") or ""),
        t.tier,
        str(t.meta.get("created") or ""),
        last_visible_update(t),  # the board's "Last update": customer-visible updates only
        resolved_at(t),
        t.visibility,
        url,
        requester_mark(t.meta),
    )


def ticket_scrubber(t: Ticket, hidden: frozenset[str] = frozenset()) -> Scrubber:
    """The ticket's own personal values, and the IDs of the tickets with no public page (`hidden`)."""
    scrub = Scrubber.of(t.meta)
    scrub.hide_ids(hidden, own=t.id)
    return scrub


def _detail(name: str, event: dict[str, Any], config: Config, tr: Translator) -> str:
    if name == "prioritise" and event.get("priority"):
        return str(event["priority"])
    if name == "assign" and event.get("queue"):
        queue = next((q for q in config.queues if q.name == event["queue"]), None)
        return queue.description or queue.name if queue else ""
    if name == "escalate" and event.get("tier"):
        return tr._("Now with tier {tier} technicians", tier=event["tier"])
    if name == "split":
        count = len(_listed(event.get("children")))
        return tr.ngettext("{n} separate request", "{n} separate requests", count)
    return ""


def timeline(t: Ticket, config: Config, tr: Translator) -> list[dict[str, str]]:
    """Customer-visible events only: moves whose table row has a summary (notes and edits have none)."""
    out = []
    for event in t.history:
        name = move_name(event)
        move = MOVES.get(name)
        if move is None or not move.summary:
            continue
        entry = {
            "at": iso(event.get("at") or ""),
            "event": tr._(move.summary),
            "detail": _detail(name, event, config, tr),
        }
        if name == "close" and event.get("kb"):
            entry["kb"] = str(event["kb"])
        out.append(entry)
    return out


def latest_solution(t: Ticket) -> str:
    if t.status not in SHOWN_SOLUTION_IN:
        return ""
    for event in reversed(t.history):
        if event.get("action") == "propose":
            return str(event.get("solution") or "")
    return ""


def status_text(status: str, tr: Translator) -> str:
    """The customer-facing sentence for a status, in the reader's language."""
    return tr._(STATUS_TEXT[status]) if status in STATUS_TEXT else status


def duplicate_of(t: Ticket) -> str:
    """The ticket a cancelled one duplicates ('' when it is not a duplicate)."""
    if t.status != "cancelled":
        return ""
    cancel = next((ev for ev in reversed(t.history) if ev.get("action") == "cancel"), None)
    return str(cancel.get("duplicate_of") or "") if cancel else ""


def _related(own: Card, ref: str, cards: dict[str, Card], tr: Translator, parent: bool = False) -> dict[str, str]:
    """A relative as the page of `own` may show it: named and linked only where can_link says so."""
    other = cards.get(ref)
    words = status_text(other.status, tr) if other else ""
    if parent and other is not None and other.status == "split":
        # On a child's page the parent's own sentence ("This request was split ...") would read as the child's.
        words = tr._("That request was split into separate ones; this is one of them.")
    if other is None or not other.url or not can_link(own, other):
        return {
            "id": "",
            "title": tr._("A related request (not published)"),
            "status": other.status if other else "",
            "status_text": words,
            "url": "",
        }
    return {"id": other.id, "title": other.title, "status": other.status, "status_text": words, "url": other.url}


class SurveyInvite(NamedTuple):
    """Where a customer can answer the survey of a closed ticket; "" for a way the desk lacks."""

    form: str = ""  # a web form's URL; "{id}" stands for the ticket ID, "{token}" for its survey token
    mailbox: str = ""  # an address whose mail intake reads survey answers from
    bodies: tuple[tuple[str, str], ...] = ()  # (language, mailto body already quoted): the answer lines intake reads
    key: str = ""  # the site key, which signs the survey token

    @classmethod
    def of(cls, root: Path, config: Config, repo_url: str = "") -> SurveyInvite:
        """mail.survey_url, else the repo's GitHub survey form (when the desk has one); mail.from for email."""
        from urllib.parse import quote

        from gitdesk.channels.mail import settings
        from gitdesk.intake.survey_reply import blank_answers

        mail = settings(config)
        form = mail.survey_url
        if not form and repo_url and (root / ".github" / "ISSUE_TEMPLATE" / "survey.yml").exists():
            # GitHub fills an issue form's field from the query parameter of the same id
            form = repo_url.rstrip("/") + "/issues/new?template=survey.yml&title=Survey%3A%20{id}&ticket={id}"
            form += "&token={token}"
        from gitdesk.i18n import LANGUAGES, translator

        bodies = tuple(
            (code, quote("".join(f"{line} \n" for line in blank_answers(translator(code))))) for code in LANGUAGES
        )
        return cls(form, mail.sender_address, bodies, site_key() or "")


def survey_view(t: Ticket, answered: bool, invite: SurveyInvite, tr: Translator | None = None) -> dict[str, Any] | None:
    """The survey invitation of a closed ticket's page (None before closing): links, or thanks."""
    from urllib.parse import quote

    if t.status != "closed":
        return None
    if answered:
        return {"answered": True, "form_url": None, "mailto": None}
    language = tr.language if tr else "en"
    body = dict(invite.bodies).get(language, "")
    # "[ID] Survey": intake finds the ticket by the tag
    subject = quote(f"[{t.id}] " + (tr._("Survey") if tr else "Survey"))
    mailto = f"mailto:{invite.mailbox}?subject={subject}&body={body}" if invite.mailbox else None
    from gitdesk.intake.survey_reply import fill_link

    # A public page is readable by anyone: its link carries no token, so the form asks for the emailed one.
    key = invite.key if t.visibility != "public" else None
    form = fill_link(invite.form, t.id, key) if invite.form else None
    return {"answered": False, "form_url": form, "mailto": mailto}


def ticket_view(
    t: Ticket,
    config: Config,
    cards: dict[str, Card],
    now: dt.datetime,
    checkin_due: Callable[[Ticket, Config], dt.datetime | None] | None,
    survey: dict[str, Any] | None = None,
    tr: Translator | None = None,
    journey: dict[str, Any] | None = None,
    hidden: frozenset[str] = frozenset(),
    scrub: Scrubber | None = None,
) -> dict[str, Any]:
    """The customer's view of one ticket, in `tr`'s language: the content of its page and of its JSON file.

    `scrub` is `ticket_scrubber(t, hidden)` when the caller has just made it.

    `journey` (site/journey.py) adds our open question, the customer's requested changes,
    the verdict buttons and the next step."""
    if tr is None:
        from gitdesk.i18n import for_ticket

        tr = for_ticket(config, t.meta)
    scrub = ticket_scrubber(t, hidden) if scrub is None else scrub
    own = cards[t.id]
    queue = next((q for q in config.queues if q.name == own.queue), None)
    due = checkin_due(t, config) if checkin_due and t.status not in DONE else None
    parent = str(t.meta.get("parent") or "")
    steps = timeline(t, config, tr)
    duplicate = duplicate_of(t)
    dues = due_times(t, config, now)
    next_update = iso(due) if due else None
    step_due = _next_step_due(t.status, dues, next_update)
    return {
        "id": t.id,
        "url": own.url,
        "title": own.title,
        "status": t.status,
        "language": tr.language,
        "status_text": status_text(t.status, tr),
        "priority": promise(config, t.priority, tr),
        "tier": t.tier,
        "queue": {"name": own.queue, "description": queue.description if queue else ""},
        "created": own.created,
        "updated": own.updated,
        "resolved": own.resolved or None,
        "description": scrub(t.description),
        "timeline": steps,
        "solution": scrub(latest_solution(t)) or None,
        "children": [_related(own, str(c), cards, tr) for c in _listed(t.meta.get("children"))],
        "parent": _related(own, parent, cards, tr, parent=True) if parent else None,
        "duplicate_of": _related(own, duplicate, cards, tr) if duplicate else None,
        "next_update_due": next_update,
        "next_update_overdue": bool(due and due < now),
        **dues,
        "next_step_due": step_due,
        "next_step_overdue": bool(step_due and step_due < iso(now)),
        "survey": survey,
        "solution_heading": "Solution" if t.status in RESOLVED else "Proposed solution",
        "last_update": (steps[-1]["at"] if steps else own.created),  # customer-visible updates only
        "timezone": str(config.section("calendar").get("timezone") or "UTC"),
        "as_of": iso(now),
        **{k: scrub(v) if k in ("question", "feedback", "reason") and v else v for k, v in (journey or {}).items()},
    }


def when_text(stamp: str | None, tr: Translator, long: bool = False) -> str:
    """The one way the site shows a time: 'lun, 2 mar 2026, 10:00 CET', in the desk's zone and the reader's language."""
    return tr.when(stamp, long)


def _listed(value: Any) -> list[Any]:
    """A list field as a list; a hand edit that left something else there counts as none."""
    return value if isinstance(value, list) else []
