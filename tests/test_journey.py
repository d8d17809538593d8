"""site/journey.py: what a ticket's page asks of the customer: our question, their requested changes,
the verdict buttons (with the review token only where the page is the requester's own), the next step, the feed."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

import feedparser
import pytest

from gitdesk.core.config import from_mapping
from gitdesk.core.review_policy import verdict_token
from gitdesk.core.ticket import Ticket
from gitdesk.i18n import translator
from gitdesk.intake.review_reply import read_verdict
from gitdesk.site.journey import (
    CUSTOMER_REOPENED,
    NEXT_STEP,
    answer_link,
    journey_view,
    last_reason,
    open_feedback,
    open_question,
    review_links,
    ticket_feed,
)

KEY = "k" * 40
MAILBOX = "help@desk.example"
REQUIRED = from_mapping({})  # review.customer: required (the default)
OFF = from_mapping({"review": {"customer": "off"}})


def ticket(status: str, *history: dict, **meta) -> Ticket:
    return Ticket(
        {
            "id": "HD-abcd2345",
            "title": "Printer jams",
            "status": status,
            "visibility": meta.pop("visibility", "unlisted"),
            "requester": {"name": "Bob Smith", "email": "bob@example.com"},
            **meta,
            "history": [{"at": "2026-03-02T09:00:00Z", "action": "open", "to": "new"}, *history],
        }
    )


PROPOSE = {"at": "2026-03-02T10:00:00Z", "action": "propose", "solution": "New rollers"}


def test_the_open_question_is_the_latest_one_and_only_while_waiting():
    first = {"action": "wait", "question": "Which floor?"}
    second = {"action": "wait", "question": "Which tray?"}
    assert open_question(ticket("waiting", first, {"action": "start"}, second)) == "Which tray?"
    assert open_question(ticket("in_progress", first, {"action": "start"})) == ""  # answered: work goes on


def test_open_feedback_is_the_customers_request_for_changes_until_a_newer_proposal():
    customer = {"action": "review", "verdict": "request-changes", "role": "requester", "feedback": "Still jams"}
    assert open_feedback(ticket("in_progress", PROPOSE, customer)) == "Still jams"
    assert open_feedback(ticket("proposed", PROPOSE, customer, PROPOSE)) == ""


def test_a_reviewers_internal_request_for_changes_is_not_shown_to_the_customer():
    reviewer = {"action": "review", "verdict": "request-changes", "by": "lin", "feedback": "Test tray 3 first"}
    assert open_feedback(ticket("in_progress", PROPOSE, reviewer)) == ""
    assert journey_view(ticket("in_progress", PROPOSE, reviewer), REQUIRED, MAILBOX, KEY)["feedback"] is None


def test_last_reason_of_a_cancel_and_a_staff_reopen_is_staffs_reason():
    assert last_reason(ticket("cancelled", {"action": "cancel", "reason": "Duplicate of a P1"})) == "Duplicate of a P1"
    staff = {"action": "reopen", "reason": "The fix did not hold"}
    assert last_reason(ticket("in_progress", PROPOSE, staff)) == "The fix did not hold"
    assert last_reason(ticket("proposed", PROPOSE, staff, PROPOSE)) == ""  # no reason for other statuses


def test_a_reopen_by_the_customers_reply_shows_a_fixed_sentence_never_their_mail():
    """Their mail's text (with whatever it quotes) stays in the history for staff."""
    mail = "The customer replied after it was closed: still broken, call me on 0161 555 0199"
    by_mail = {"action": "reopen", "reason": mail, "via": "email"}
    es = translator("es")
    assert last_reason(ticket("in_progress", PROPOSE, by_mail)) == CUSTOMER_REOPENED
    assert last_reason(ticket("in_progress", PROPOSE, by_mail), es) == es._(CUSTOMER_REOPENED) != CUSTOMER_REOPENED
    older = {"action": "reopen", "reason": mail}  # recorded before `via` was written
    assert last_reason(ticket("in_progress", PROPOSE, older)) == CUSTOMER_REOPENED


def test_a_reopen_older_than_the_latest_start_gives_no_reason():
    reopen = {"action": "reopen", "reason": "The fix did not hold"}
    t = ticket("in_progress", PROPOSE, reopen, {"action": "wait", "question": "?"}, {"action": "start"})
    assert last_reason(t) == ""


def _body(mailto: str) -> str:
    return unquote(parse_qs(urlparse(mailto).query)["body"][0])


def test_review_links_on_the_requesters_unlisted_page_carry_the_token_intake_reads_back():
    links = review_links(ticket("proposed", PROPOSE), REQUIRED, MAILBOX, KEY)
    assert links is not None and links["issue"] == ""
    for name, approve in (("accept", True), ("change", False)):
        url = urlparse(links[name])
        assert url.scheme == "mailto" and url.path == MAILBOX
        assert unquote(parse_qs(url.query)["subject"][0]).startswith("[HD-abcd2345] ")  # intake finds the ticket
        verdict = read_verdict(_body(links[name]))
        assert verdict is not None and verdict.approve is approve
        assert verdict.token == verdict_token(KEY, "HD-abcd2345")


@pytest.mark.parametrize(("visibility", "key"), [("public", KEY), ("unlisted", None)])
def test_review_links_where_anyone_may_read_the_page_carry_no_token(visibility, key):
    links = review_links(ticket("proposed", PROPOSE, visibility=visibility), REQUIRED, MAILBOX, key)
    assert links is not None
    for name in ("accept", "change"):
        verdict = read_verdict(_body(links[name]))
        assert verdict is not None and verdict.token == ""
    assert verdict_token(KEY, "HD-abcd2345") not in links["accept"] + links["change"]


def test_review_links_only_while_the_proposal_is_the_customers_to_judge():
    approved = {"action": "review", "verdict": "approve", "role": "requester"}
    assert review_links(ticket("in_progress", PROPOSE), REQUIRED, MAILBOX, KEY) is None
    assert review_links(ticket("proposed", PROPOSE), OFF, MAILBOX, KEY) is None  # the customer is not asked
    assert review_links(ticket("proposed", PROPOSE, approved), REQUIRED, MAILBOX, KEY) is None
    assert review_links(ticket("proposed", PROPOSE), REQUIRED, "", KEY) is None  # no way to answer


def test_a_github_request_is_pointed_at_its_issue():
    issue = "https://github.com/acme/help/issues/7"
    t = ticket("proposed", PROPOSE, channel="github", github={"url": issue})
    assert review_links(t, REQUIRED, "", KEY) == {"accept": "", "change": "", "issue": issue}
    not_github = ticket("proposed", PROPOSE, channel="email", github={"url": issue})
    assert review_links(not_github, REQUIRED, "", KEY) is None


def test_answer_link_replies_with_the_tag_while_we_wait():
    waiting = ticket("waiting", {"action": "wait", "question": "Which floor?"})
    url = urlparse(answer_link(waiting, MAILBOX))
    assert url.path == MAILBOX
    assert unquote(parse_qs(url.query)["subject"][0]) == "[HD-abcd2345] Answer: Printer jams"
    assert answer_link(waiting, "") == ""
    assert answer_link(ticket("in_progress"), MAILBOX) == ""


def test_the_reply_subject_names_the_request_as_its_published_page_does():
    """The link is published with the page: the title in its subject is scrubbed like the page's title."""
    asked = {"action": "wait", "question": "Which floor?"}
    waiting = ticket("waiting", asked, title="Bob Smith: printer, see HD-zzzz9999")
    mailto = answer_link(waiting, MAILBOX, hidden=frozenset({"HD-zzzz9999"}))
    subject = unquote(parse_qs(urlparse(mailto).query)["subject"][0])
    assert subject == "[HD-abcd2345] Answer: [removed]: printer, see [removed]"
    view = journey_view(waiting, REQUIRED, MAILBOX, KEY, hidden=frozenset({"HD-zzzz9999"}))
    assert view["answer_mailto"] == mailto


@pytest.mark.parametrize("status", sorted(NEXT_STEP))
def test_journey_view_names_the_next_step_of_every_status_in_the_readers_language(status):
    es = translator("es")
    view = journey_view(ticket(status), REQUIRED, MAILBOX, None, es)
    assert view["next_step"] == es._(NEXT_STEP[status]) and view["next_step"]
    assert set(view) == {"question", "answer_mailto", "answer_address", "feedback", "review", "next_step", "reason"}


def test_journey_view_of_an_unknown_status_names_no_next_step():
    assert journey_view(ticket("frozen"), REQUIRED, MAILBOX, None)["next_step"] == ""


def test_ticket_feed_is_atom_with_the_newest_event_first_and_stable_ids():
    view = {
        "id": "HD-abcd2345",
        "title": "Printer <jams> & stops",
        "language": "es",
        "created": "2026-03-02T09:00:00Z",
        "timeline": [
            {"at": "2026-03-02T09:00:00Z", "event": "Request opened", "detail": ""},
            {"at": "2026-03-02T10:00:00Z", "event": "Priority set", "detail": "P3"},
        ],
    }
    feed = feedparser.parse(ticket_feed(view, "Acme <IT>"))
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "HD-abcd2345: Printer <jams> & stops"
    assert feed.feed.language == "es"
    assert feed.feed.updated == "2026-03-02T10:00:00Z"
    assert [(x.title, x.id) for x in feed.entries] == [
        ("Priority set: P3", "urn:gitdesk:ticket:HD-abcd2345:event:1"),
        ("Request opened", "urn:gitdesk:ticket:HD-abcd2345:event:0"),
    ]


def test_the_feed_of_a_request_with_no_events_is_dated_at_its_opening():
    view = {"id": "HD-abcd2345", "title": "T", "created": "2026-03-02T09:00:00Z", "timeline": []}
    feed = feedparser.parse(ticket_feed(view, "Desk"))
    assert not feed.bozo and feed.entries == [] and feed.feed.updated == "2026-03-02T09:00:00Z"
