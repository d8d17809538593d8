"""The status page of one ticket, written for the customer who asked.

Standalone HTML (no MkDocs template): one small page per ticket keeps a
100,000-ticket site within its size and time budget, and with no script at all
a ticket's own text has nothing to run in.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from gitdesk.core.survey import QUESTIONS
from gitdesk.site.customer import Card, when_text
from gitdesk.site.markup import badge, document, e, rel, text_block


def _facts(view: dict[str, Any]) -> str:
    rows = []
    promise = view.get("priority")
    if promise:
        rows.append(
            (
                "Priority",
                f"<strong>{e(promise['name'])}</strong> ({e(promise['criteria'])}). {e(promise['text'])}",
            )
        )
    else:
        rows.append(("Priority", "Not set yet: it is decided when the request is triaged."))
    rows.append(("Support tier", f"Tier {e(view['tier'])}"))
    queue = view["queue"]
    rows.append(("Team", e(queue["description"] or queue["name"])))
    rows.append(("Opened", e(when_text(view["created"]))))
    rows.append(("Last update", e(when_text(view["updated"]))))
    if view.get("resolved"):
        rows.append(("Resolved", e(when_text(view["resolved"]))))
    if view.get("next_update_due"):
        late = " (overdue: we owe you an update)" if view.get("next_update_overdue") else ""
        rows.append(("Next update due", e(when_text(view["next_update_due"]) + late)))
    body = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="gd-facts">{body}</table>'


def _timeline(view: dict[str, Any], root: str, kb_slugs: Collection[str]) -> str:
    items = []
    for entry in view["timeline"]:
        detail = f" — {e(entry['detail'])}" if entry.get("detail") else ""
        if entry.get("kb") in kb_slugs:
            detail += f' — <a href="{e(root)}kb/{e(entry["kb"])}/">what we learned</a>'
        items.append(
            f'<li><time datetime="{e(entry["at"])}">{e(when_text(entry["at"]))}</time> {e(entry["event"])}{detail}</li>'
        )
    return f'<h2>What has happened</h2><ol class="gd-timeline">{"".join(items)}</ol>'


def _related(item: dict[str, str], page_url: str) -> str:
    label = f"{item['id']}: {item['title']}" if item["id"] else item["title"]
    name = f'<a href="{e(rel(page_url, item["url"]))}">{e(label)}</a>' if item["url"] else e(label)
    status = badge(item["status"]) if item["status"] else ""
    return f'{name} {status} <span class="gd-muted">{e(item["status_text"])}</span>'


def _children(view: dict[str, Any]) -> str:
    children = view["children"]
    if not children:
        return ""
    done = sum(c["status"] in ("resolved", "closed", "cancelled") for c in children)
    items = "".join(f"<li>{_related(c, view['url'])}</li>" for c in children)
    return (
        f"<h2>Progress of the separate requests</h2><p>{done} of {len(children)} done.</p>"
        f'<progress max="{len(children)}" value="{done}"></progress><ul class="gd-children">{items}</ul>'
    )


def _survey(view: dict[str, Any]) -> str:
    survey = view.get("survey")
    if not survey:
        return ""
    if survey["answered"]:
        return '<div class="gd-survey"><h2>Your survey</h2><p>Thank you: your answers have reached us.</p></div>'
    ways = []
    if survey["form_url"]:
        ways.append(f'<a class="gd-button gd-primary" href="{e(survey["form_url"])}">Answer the survey</a>')
    if survey["mailto"]:
        label, style = ("or answer by email", "gd-button") if ways else ("Answer by email", "gd-button gd-primary")
        ways.append(f'<a class="{style}" href="{e(survey["mailto"])}">{label}</a>')
    if not ways:
        ways.append(f"<p>Reply to our last email about request {e(view['id'])} with your answers.</p>")
    questions = "".join(f"<li>{e(q)}</li>" for q in QUESTIONS.values())
    return (
        '<div class="gd-survey"><h2>How did we do?</h2>'
        f"<p>Your request is closed. Five short questions, one minute:</p><ul>{questions}</ul>"
        f'<p class="gd-survey-ways">{" ".join(ways)}</p></div>'
    )


def render(view: dict[str, Any], site_name: str, cards: Mapping[str, Card], kb_slugs: Collection[str] = ()) -> str:
    """The whole page for one ticket view (see customer.ticket_view)."""
    root = rel(view["url"], "")
    parts = [
        f'<p class="gd-muted">Request {e(view["id"])}</p><h1>{e(view["title"])}</h1>',
        f'<div class="gd-now">{badge(view["status"])} <span class="gd-status-text">'
        f"{e(view['status_text'])}</span></div>",
        _facts(view),
        _survey(view),
    ]
    if view.get("parent"):
        parts.append(f"<p>Part of a larger request: {_related(view['parent'], view['url'])}</p>")
    if view.get("solution"):
        parts.append(f'<h2>Proposed solution</h2><div class="gd-solution">{text_block(view["solution"])}</div>')
    parts.append(_children(view))
    if view.get("description"):
        parts.append(f'<h2>Your request</h2><div class="gd-description">{text_block(view["description"])}</div>')
    parts.append(_timeline(view, root, kb_slugs))
    noindex = not view["url"].startswith("tickets/")
    return document(view["title"], "".join(parts), site_name, root, noindex)
