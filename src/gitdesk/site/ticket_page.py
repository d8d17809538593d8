"""The status page of one ticket, written for the customer who asked.

Standalone HTML (no MkDocs template): one small page per ticket keeps a
100,000-ticket site within its size and time budget, and with no script at all
a ticket's own text has nothing to run in.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from gitdesk.core.lifecycle import FINISHED
from gitdesk.core.survey import QUESTIONS
from gitdesk.i18n import Translator
from gitdesk.site import journey_page
from gitdesk.site.customer import Card, when_text
from gitdesk.site.markup import badge, document, e, rel, text_block


def _facts(view: dict[str, Any], tr: Translator) -> str:
    rows = []
    promise = view.get("priority")
    if promise:
        rows.append(
            (
                tr._("Priority"),
                f"<strong>{e(promise['name'])}</strong> ({e(promise['criteria'])}). {e(promise['text'])}",
            )
        )
    else:
        rows.append((tr._("Priority"), e(tr._("Not set yet: it is decided when the request is triaged."))))
    rows.append((tr._("Support tier"), e(tr._("Tier {tier}", tier=view["tier"]))))
    queue = view["queue"]
    rows.append((tr._("Team"), e(queue["description"] or queue["name"])))
    rows.append((tr._("Opened"), e(when_text(view["created"], tr, long=True))))
    rows.append((tr._("Last update"), e(when_text(view.get("last_update") or view["updated"], tr, long=True))))
    if view.get("resolved"):
        rows.append((tr._("Resolved"), e(when_text(view["resolved"], tr, long=True))))
    if view.get("first_response_due"):
        rows.append((tr._("First response due"), e(when_text(view["first_response_due"], tr, long=True))))
    if view.get("resolution_due"):
        rows.append((tr._("Resolution due"), e(when_text(view["resolution_due"], tr, long=True))))
    elif view.get("resolution_paused"):
        rows.append((tr._("Resolution due"), e(tr._("The clock is paused while we wait for your answer."))))
    if view.get("next_update_due"):
        due = when_text(view["next_update_due"], tr, long=True)
        if view.get("next_update_overdue"):
            due = tr._("{when} (overdue: we owe you an update)", when=due)
        rows.append((tr._("Next update due"), e(due)))
    body = "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="gd-facts">{body}</table>'


def _timeline(view: dict[str, Any], root: str, kb_slugs: Collection[str], tr: Translator) -> str:
    items = []
    for entry in view["timeline"]:
        detail = f" — {e(entry['detail'])}" if entry.get("detail") else ""
        if entry.get("kb") in kb_slugs:
            detail += f' — <a href="{e(root)}kb/{e(entry["kb"])}/">{e(tr._("what we learned"))}</a>'
        when = e(when_text(entry["at"], tr))
        items.append(f'<li><time datetime="{e(entry["at"])}">{when}</time> {e(entry["event"])}{detail}</li>')
    return f'<h2>{e(tr._("What has happened"))}</h2><ol class="gd-timeline">{"".join(items)}</ol>'


def _related(item: dict[str, str], page_url: str, tr: Translator) -> str:
    label = f"{item['id']}: {item['title']}" if item["id"] else item["title"]
    name = f'<a href="{e(rel(page_url, item["url"]))}">{e(label)}</a>' if item["url"] else e(label)
    status = badge(item["status"], tr) if item["status"] else ""
    return f'{name} {status} <span class="gd-muted">{e(item["status_text"])}</span>'


def _children(view: dict[str, Any], tr: Translator) -> str:
    children = view["children"]
    if not children:
        return ""
    done = sum(c["status"] in FINISHED for c in children)
    items = "".join(f"<li>{_related(c, view['url'], tr)}</li>" for c in children)
    summary = tr.ngettext("{done} of {n} done.", "{done} of {n} done.", len(children), done=tr.integer(done))
    return (
        f"<h2>{e(tr._('Progress of the separate requests'))}</h2><p>{e(summary)}</p>"
        f'<progress max="{len(children)}" value="{done}"></progress><ul class="gd-children">{items}</ul>'
    )


def _survey(view: dict[str, Any], tr: Translator) -> str:
    survey = view.get("survey")
    if not survey:
        return ""
    if survey["answered"]:
        return (
            f'<div class="gd-survey"><h2>{e(tr._("Your survey"))}</h2>'
            f"<p>{e(tr._('Thank you: your answers have reached us.'))}</p></div>"
        )
    ways = []
    if survey["form_url"]:
        ways.append(
            f'<a class="gd-button gd-primary" href="{e(survey["form_url"])}">{e(tr._("Answer the survey"))}</a>'
        )
    if survey["mailto"]:
        label, style = (
            (tr._("or answer by email"), "gd-button") if ways else (tr._("Answer by email"), "gd-button gd-primary")
        )
        ways.append(f'<a class="{style}" href="{e(survey["mailto"])}">{e(label)}</a>')
    if not ways:
        ways.append(f"<p>{e(tr._('Reply to our last email about request {id} with your answers.', id=view['id']))}</p>")
    questions = "".join(f"<li>{e(tr._(q))}</li>" for q in QUESTIONS.values())
    return (
        f'<div class="gd-survey"><h2>{e(tr._("How did we do?"))}</h2>'
        f"<p>{e(tr._('Your request is closed. Five short questions, one minute:'))}</p><ul>{questions}</ul>"
        f'<div class="gd-survey-ways">{" ".join(ways)}</div></div>'
    )


def render(
    view: dict[str, Any],
    site_name: str,
    cards: Mapping[str, Card],
    kb_slugs: Collection[str] = (),
    tr: Translator | None = None,
) -> str:
    """The whole page for one ticket view (see customer.ticket_view), in the view's language."""
    from gitdesk.i18n import translator

    tr = tr or translator(view.get("language") or "en")
    root = rel(view["url"], "")
    parts = [
        f'<p class="gd-muted">{e(tr._("Request {id}", id=view["id"]))}</p><h1>{e(view["title"])}</h1>',
        f'<div class="gd-now">{badge(view["status"], tr)} <span class="gd-status-text">'
        f"{e(view['status_text'])}</span></div>",
        journey_page.next_step(view, tr),
        journey_page.question(view, tr),
        journey_page.feedback(view, tr),
        _facts(view, tr),
        _survey(view, tr),
    ]
    if view.get("parent"):
        parts.append(f"<p>{e(tr._('Part of a larger request:'))} {_related(view['parent'], view['url'], tr)}</p>")
    if view.get("duplicate_of"):
        label = e(tr._("The same as an earlier request:"))
        parts.append(f"<p>{label} {_related(view['duplicate_of'], view['url'], tr)}</p>")
    if view.get("solution"):
        heading = e(tr._("Solution") if view.get("solution_heading") == "Solution" else tr._("Proposed solution"))
        parts.append(f'<h2>{heading}</h2><div class="gd-solution">{text_block(view["solution"])}</div>')
        parts.append(journey_page.review(view, tr))
    parts.append(_children(view, tr))
    if view.get("description"):
        heading = e(tr._("Your request"))
        parts.append(f'<h2>{heading}</h2><div class="gd-description">{text_block(view["description"])}</div>')
    parts.append(_timeline(view, root, kb_slugs, tr))
    if view.get("as_of"):
        parts.append(
            f'<p class="gd-muted gd-as-of">{e(tr._("As of {when}.", when=when_text(view["as_of"], tr, long=True)))} '
            f'<a href="feed.xml">{e(tr._("Follow this request (Atom feed)"))}</a></p>'
        )
    noindex = not view["url"].startswith("tickets/")
    return document(view["title"], "".join(parts), site_name, root, noindex, tr)
