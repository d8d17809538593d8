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

from gitdesk.core.config import Config
from gitdesk.core.lifecycle import DONE, MOVES, STATUS_TEXT, move_name
from gitdesk.core.ticket import Ticket, iso, parse_time
from gitdesk.site.privacy import Scrubber, personal_values, site_key, ticket_url

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


def duration_text(seconds: int) -> str:
    """4 hours, 2 days, 1 week: how a promise reads to a customer."""
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0 or unit == "minute":
            count = max(1, round(seconds / size))
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"  # pragma: no cover - the loop always returns


def promise(config: Config, priority: str | None) -> dict[str, str] | None:
    spec = config.priorities.get(priority or "")
    if spec is None:
        return None
    hours = "around the clock" if spec.calendar == "24x7" else "in business hours"
    return {
        "name": spec.name,
        "criteria": spec.criteria,
        "response": duration_text(spec.response),
        "resolution": duration_text(spec.resolution),
        "text": f"First response within {duration_text(spec.response)} and a resolution within "
        f"{duration_text(spec.resolution)}, counted {hours}.",
    }


def resolved_at(t: Ticket) -> str:
    """When the ticket was last resolved (approval, or closing when that was skipped)."""
    if t.status not in ("resolved", "closed"):
        return ""
    for target in ("resolved", "closed"):
        for event in reversed(t.history):
            if event.get("to") == target and event.get("from") != target:
                return str(event.get("at") or "")
    return str(t.meta.get("updated") or "")


def card(t: Ticket, scrub: Scrubber, key: str | None) -> Card:
    url = ticket_url(t.id, t.visibility, key) or ""
    return Card(
        t.id,
        scrub(t.title),
        t.status,
        t.priority or "",
        str(t.meta.get("queue") or ""),
        t.tier,
        str(t.meta.get("created") or ""),
        str(t.meta.get("updated") or ""),
        resolved_at(t),
        t.visibility,
        url,
    )


def ticket_scrubber(t: Ticket) -> Scrubber:
    return Scrubber(personal_values(t.meta))


def _detail(name: str, event: dict[str, Any], config: Config) -> str:
    if name == "prioritise" and event.get("priority"):
        return str(event["priority"])
    if name == "assign" and event.get("queue"):
        queue = next((q for q in config.queues if q.name == event["queue"]), None)
        return queue.description or queue.name if queue else ""
    if name == "escalate" and event.get("tier"):
        return f"Now with tier {event['tier']} technicians"
    if name == "split":
        count = len(event.get("children") or [])
        return f"{count} separate request{'' if count == 1 else 's'}"
    return ""


def timeline(t: Ticket, config: Config) -> list[dict[str, str]]:
    """Customer-visible events only: moves whose table row has a summary (notes and edits have none)."""
    out = []
    for event in t.history:
        name = move_name(event)
        move = MOVES.get(name)
        if move is None or not move.summary:
            continue
        entry = {
            "at": iso(event.get("at") or ""),
            "event": move.summary,
            "detail": _detail(name, event, config),
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


def _related(ref: str, cards: dict[str, Card]) -> dict[str, str]:
    other = cards.get(ref)
    if other is None or other.visibility == "private":
        return {
            "id": "",
            "title": "A related request (not published)",
            "status": other.status if other else "",
            "status_text": STATUS_TEXT.get(other.status, "") if other else "",
            "url": "",
        }
    return {
        "id": other.id,
        "title": other.title,
        "status": other.status,
        "status_text": STATUS_TEXT.get(other.status, ""),
        "url": other.url,
    }


class SurveyInvite(NamedTuple):
    """Where a customer can answer the survey of a closed ticket; "" for a way the desk lacks."""

    form: str = ""  # a web form's URL; "{id}" stands for the ticket ID, "{token}" for its survey token
    mailbox: str = ""  # an address whose mail intake reads survey answers from
    body: str = ""  # the mailto body, already quoted: the answer lines intake reads back
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
        body = quote("".join(f"{line} \n" for line in blank_answers()))
        return cls(form, mail.sender_address, body, site_key() or "")


def survey_view(t: Ticket, answered: bool, invite: SurveyInvite) -> dict[str, Any] | None:
    """The survey invitation of a closed ticket's page (None before closing): links, or thanks."""
    if t.status != "closed":
        return None
    if answered:
        return {"answered": True, "form_url": None, "mailto": None}
    subject = f"%5B{t.id}%5D%20Survey"  # "[ID] Survey": intake finds the ticket by the tag
    mailto = f"mailto:{invite.mailbox}?subject={subject}&body={invite.body}" if invite.mailbox else None
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
) -> dict[str, Any]:
    """The customer's view of one ticket: the content of its page and of its JSON file."""
    scrub = ticket_scrubber(t)
    own = cards[t.id]
    queue = next((q for q in config.queues if q.name == own.queue), None)
    due = checkin_due(t, config) if checkin_due and t.status not in DONE else None
    parent = str(t.meta.get("parent") or "")
    return {
        "id": t.id,
        "url": own.url,
        "title": own.title,
        "status": t.status,
        "status_text": STATUS_TEXT.get(t.status, t.status),
        "priority": promise(config, t.priority),
        "tier": t.tier,
        "queue": {"name": own.queue, "description": queue.description if queue else ""},
        "created": own.created,
        "updated": own.updated,
        "resolved": own.resolved or None,
        "description": scrub(t.description),
        "timeline": timeline(t, config),
        "solution": scrub(latest_solution(t)) or None,
        "children": [_related(str(c), cards) for c in (t.meta.get("children") or [])],
        "parent": _related(parent, cards) if parent else None,
        "next_update_due": iso(due) if due else None,
        "next_update_overdue": bool(due and due < now),
        "survey": survey,
    }


def when_text(stamp: str | None) -> str:
    """2026-03-02 09:00 UTC, the one way the site shows a time."""
    if not stamp:
        return ""
    try:
        return parse_time(stamp).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(stamp)
