"""site/ticket_page.py: one ticket's standalone page: what it shows from the view, escaped, in the view's
language; no script, links only to published articles, and a secret (unlisted) page kept out of search engines."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from gitdesk.core.config import from_mapping
from gitdesk.core.sla import checkin_due
from gitdesk.core.ticket import Ticket
from gitdesk.i18n import translator
from gitdesk.site.customer import card, ticket_scrubber, ticket_view
from gitdesk.site.journey import journey_view
from gitdesk.site.ticket_page import render

CONFIG = from_mapping({})
EN, ES = translator("en"), translator("es")
NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)
KEY = "k" * 40
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def at(minute: int) -> str:
    return f"2026-03-02T09:{minute:02d}:00Z"


def ticket(status: str, *history: dict, tid: str = "HD-abcd2345", body: str = "", **meta) -> Ticket:
    return Ticket(
        {
            "id": tid,
            "title": meta.pop("title", "Printer jams"),
            "status": status,
            "priority": "P3",
            "queue": "service-desk",
            "visibility": meta.pop("visibility", "public"),
            "requester": {"name": "Bob Smith", "email": "bob@example.com"},
            "created": at(0),
            **meta,
            "history": [
                {"at": at(0), "action": "open", "to": "new"},
                {"at": at(5), "action": "prioritise", "priority": "P3", "to": "triaged"},
                *history,
            ],
        },
        body,
    )


def page(t: Ticket, *others: Ticket, tr=EN, kb_slugs=(), survey=None, **view_extra) -> str:
    cards = {x.id: card(x, ticket_scrubber(x), KEY) for x in (t, *others)}
    journey = journey_view(t, CONFIG, "help@desk.example", KEY, tr)
    view = ticket_view(t, CONFIG, cards, NOW, checkin_due, survey, tr, journey)
    view.update(view_extra)
    return render(view, "Acme IT", cards, kb_slugs, tr)


def test_customer_text_on_the_page_is_text_never_markup():
    proposed = {"at": at(20), "action": "propose", "solution": HOSTILE}
    out = page(ticket("proposed", proposed, title=HOSTILE, body=HOSTILE))
    assert "<script" not in out and "<img" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # title (twice), description, solution


def test_the_page_has_the_request_its_status_facts_and_timeline():
    out = page(ticket("triaged", body="The tray jams\n\non every job"))
    assert "<h1>Printer jams</h1>" in out and "Request HD-abcd2345" in out
    assert '<span class="gd-status gd-triaged">' in out
    assert "<p>The tray jams</p><p>on every job</p>" in out
    assert "First response due" in out and "Resolution due" in out
    timeline = re.search(r'<ol class="gd-timeline">(.*?)</ol>', out)
    assert timeline is not None
    assert re.findall(r'<time datetime="([^"]+)">', timeline.group(1)) == [at(0), at(5)]
    assert '<a href="feed.xml">' in out


def test_a_page_without_a_priority_says_it_is_set_at_triage():
    t = ticket("new")
    t.meta["priority"] = None
    assert "Not set yet: it is decided when the request is triaged." in page(t)


def test_the_page_is_in_the_views_language():
    out = page(ticket("triaged"), tr=ES)
    assert out.startswith('<!doctype html><html lang="es">')
    assert "Solicitud HD-abcd2345" in out and "<h2>Qué ha pasado</h2>" in out
    assert "What has happened" not in out


@pytest.mark.parametrize(("visibility", "noindex"), [("public", False), ("unlisted", True)])
def test_a_secret_page_is_kept_out_of_search_engines_and_no_page_runs_a_script(visibility, noindex):
    out = page(ticket("triaged", visibility=visibility))
    assert ('content="noindex, nofollow"' in out) is noindex
    assert "<script" not in out
    assert 'href="../../assets/gitdesk.css"' in out  # both URL forms are two levels deep


def test_the_timeline_links_a_closes_article_only_when_it_is_published():
    closed = ticket(
        "closed",
        {"at": at(20), "action": "propose", "solution": "Rollers"},
        {"at": at(30), "action": "resolve", "to": "resolved"},
        {"at": at(40), "action": "close", "lesson": "x", "kb": "printer-rollers"},
    )
    assert '<a href="../../kb/printer-rollers/">what we learned</a>' in page(closed, kb_slugs={"printer-rollers"})
    assert "printer-rollers" not in page(closed, kb_slugs=set())


def test_a_resolved_page_heads_the_solution_solution_and_a_proposed_one_proposed_solution():
    proposal = {"at": at(20), "action": "propose", "solution": "New rollers"}
    assert "<h2>Proposed solution</h2>" in page(ticket("proposed", proposal))
    resolved = page(ticket("resolved", proposal, {"at": at(30), "action": "resolve", "to": "resolved"}))
    assert "<h2>Solution</h2>" in resolved and "Resolved" in resolved


def test_children_progress_counts_finished_ones_and_hides_the_unpublished():
    done = ticket("resolved", tid="HD-cccc4444", title="Move desks")
    hidden = ticket("closed", tid="HD-dddd5555", title="Payroll for Eve", visibility="private")
    parent = ticket("split", children=["HD-cccc4444", "HD-dddd5555", "HD-eeee6666"])
    out = page(parent, done, hidden)
    assert '<progress max="3" value="2">' in out and "2 of 3 done." in out
    assert '<a href="../HD-cccc4444/">HD-cccc4444: Move desks</a>' in out
    assert "Payroll" not in out and "HD-dddd5555" not in out
    assert out.count("A related request (not published)") == 2


def test_a_closed_page_invites_to_the_survey_by_each_way_there_is():
    closed = ticket("closed")
    both = page(closed, survey={"answered": False, "form_url": 'https://f.example/?t=1&x="', "mailto": "mailto:h@x"})
    assert 'href="https://f.example/?t=1&amp;x=&quot;"' in both and "or answer by email" in both
    only_mail = page(closed, survey={"answered": False, "form_url": None, "mailto": "mailto:h@x"})
    assert '<a class="gd-button gd-primary" href="mailto:h@x">Answer by email</a>' in only_mail
    neither = page(closed, survey={"answered": False, "form_url": None, "mailto": None})
    assert "Reply to our last email about request HD-abcd2345 with your answers." in neither
    thanks = page(closed, survey={"answered": True, "form_url": None, "mailto": None})
    assert "Thank you: your answers have reached us." in thanks and "How did we do?" not in thanks


def test_an_overdue_update_says_we_owe_one():
    out = page(ticket("in_progress"), next_update_due=at(30), next_update_overdue=True)
    assert "(overdue: we owe you an update)" in out
