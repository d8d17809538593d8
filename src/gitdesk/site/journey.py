"""What the customer needs from a ticket's page: what we asked, what they asked us to change,
how to give their verdict, what comes next, and a feed of their request.

Page words live here (and in ticket_page.py) so they can be translated in one place.
Prepared replies carry the ticket tag in the subject and, when the site key is set, the
per-ticket review token, so intake takes the verdict as the requester's from any address.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from gitdesk.core import review_policy
from gitdesk.core.actions import by_customer
from gitdesk.core.config import Config
from gitdesk.core.ticket import Ticket
from gitdesk.i18n import N_, Translator, translator

NEXT_STEP = {
    "new": N_("We triage your request: set its priority and pass it to a support team."),
    "triaged": N_("A technician of the team starts work on it."),
    "in_progress": N_("A technician works on it and sends you a solution to review."),
    "waiting": N_("Your answer to our question below: work goes on once it reaches us."),
    "proposed": N_("Your verdict on the solution below: accept it, or tell us what to change."),
    "resolved": N_("We close the request and ask you how we did."),
    "closed": N_("Nothing: the request is done. Tell us how we did below."),
    "split": N_("Each separate request below goes on on its own."),
    "cancelled": N_("Nothing: the request is cancelled."),
}
FEEDBACK_HEADING = N_("You asked us to change the solution")
CUSTOMER_REOPENED = N_("You told us the solution did not work, so we are working on it again.")


def open_question(t: Ticket) -> str:
    """The question a waiting ticket waits on."""
    if t.status != "waiting":
        return ""
    for event in reversed(t.history):
        if event.get("action") == "wait":
            return str(event.get("question") or "")
    return ""


def open_feedback(t: Ticket) -> str:
    """The customer's own request for changes that no newer proposal has answered yet."""
    for event in reversed(t.history):
        if event.get("action") == "propose":
            return ""
        if event.get("action") == "review" and event.get("verdict") == "request-changes":
            return str(event.get("feedback") or "") if review_policy.is_customer(event) else ""
    return ""


def last_reason(t: Ticket, tr: Translator | None = None) -> str:
    """Why a cancelled or reopened ticket is where it is: staff's reason as they wrote it, or for a
    reopen by the customer's reply a fixed sentence (their mail's text stays in the history for staff)."""
    want = {"cancelled": "cancel", "in_progress": "reopen"}.get(t.status)
    if not want:
        return ""
    for event in reversed(t.history):
        if event.get("action") == want:
            if want == "reopen" and by_customer(event):
                return (tr or translator())._(CUSTOMER_REOPENED)
            return str(event.get("reason") or "")
        if event.get("action") in ("propose", "start") and want == "reopen":
            return ""
    return ""


def _mailto(mailbox: str, subject: str, lines: list[str]) -> str:
    body = quote("".join(f"{line}\n" for line in lines))
    return f"mailto:{mailbox}?subject={quote(subject)}&body={body}"


def review_links(
    t: Ticket, config: Config, mailbox: str, key: str | None, tr: Translator | None = None
) -> dict[str, str] | None:
    """The accept and change buttons of a proposal awaiting the customer (None otherwise), in `tr`'s language."""
    from gitdesk.intake.review_reply import blank_verdict

    tr = tr or translator()
    if not review_policy.awaiting_customer(t, config):
        return None
    # Only an unlisted page is the requester's own (its URL is secret); a public page's link
    # carries no token, so there only the requester's own address or account counts.
    token = review_policy.verdict_token(key, t.id) if key and t.visibility == "unlisted" else ""
    links = {"accept": "", "change": "", "issue": ""}
    if mailbox:
        subject = f"[{t.id}] " + tr._("Review of the proposed solution")
        links["accept"] = _mailto(mailbox, subject, blank_verdict(True, token, tr))
        links["change"] = _mailto(mailbox, subject, blank_verdict(False, token, tr))
    github = t.meta.get("github")
    if t.meta.get("channel") == "github" and isinstance(github, dict) and github.get("url"):
        links["issue"] = str(github["url"])
    return links if any(links.values()) else None


def answer_link(t: Ticket, mailbox: str, tr: Translator | None = None, hidden: frozenset[str] = frozenset()) -> str:
    """How to answer our question: a reply with the ticket tag, and the title as the page shows it
    (the link is published with the page: scrubbed of personal values and of `hidden` tickets' IDs)."""
    from gitdesk.site.customer import ticket_scrubber

    if not mailbox or t.status != "waiting":
        return ""
    title = ticket_scrubber(t, hidden)(t.title)
    subject = f"[{t.id}] " + (tr or translator())._("Answer: {title}", title=title)
    return f"mailto:{mailbox}?subject={quote(subject)}"


def journey_view(
    t: Ticket,
    config: Config,
    mailbox: str,
    key: str | None,
    tr: Translator | None = None,
    hidden: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The journey's part of the customer's view (customer.ticket_view adds it), in `tr`'s language."""
    tr = tr or translator()
    return {
        "question": open_question(t) or None,
        "answer_mailto": answer_link(t, mailbox, tr, hidden) or None,
        "answer_address": mailbox or None,
        "feedback": open_feedback(t) or None,
        "review": review_links(t, config, mailbox, key, tr),
        "next_step": tr._(NEXT_STEP[t.status]) if t.status in NEXT_STEP else "",
        "reason": last_reason(t, tr) or None,
    }


def ticket_feed(view: dict[str, Any], site_name: str) -> str:
    """An Atom feed of one request's customer-visible events, beside its (secret, for unlisted) page."""
    from gitdesk.site.markup import e

    entries = []
    for n, entry in enumerate(reversed(view["timeline"])):
        text = f"{entry['event']}: {entry['detail']}" if entry.get("detail") else entry["event"]
        entries.append(
            f"<entry><title>{e(text)}</title><id>urn:gitdesk:ticket:{e(view['id'])}:event:"
            f"{len(view['timeline']) - 1 - n}</id><updated>{e(entry['at'])}</updated>"
            f'<link rel="alternate" type="text/html" href="./"/><summary>{e(text)}</summary></entry>'
        )
    updated = view["timeline"][-1]["at"] if view["timeline"] else view["created"]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{e(view.get("language") or "en")}">'
        f"<title>{e(view['id'])}: {e(view['title'])}</title><id>urn:gitdesk:ticket:{e(view['id'])}</id>"
        f"<updated>{e(updated)}</updated><author><name>{e(site_name)}</name></author>"
        '<link rel="self" type="application/atom+xml" href="feed.xml"/><link rel="alternate" href="./"/>'
        + "".join(entries)
        + "</feed>\n"
    )
