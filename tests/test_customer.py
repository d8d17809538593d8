"""site/customer.py: what a customer may see of a ticket, built from an allow-list: the view, the card,
the timeline, the promise, the relatives and the survey invitation. Private data must not come out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from gitdesk.core.config import from_mapping
from gitdesk.core.sla import checkin_due
from gitdesk.core.ticket import Ticket
from gitdesk.i18n import translator
from gitdesk.site.customer import (
    Card,
    SurveyInvite,
    card,
    due_times,
    duplicate_of,
    last_visible_update,
    latest_solution,
    promise,
    resolved_at,
    survey_view,
    ticket_scrubber,
    ticket_view,
    timeline,
)
from gitdesk.site.journey import journey_view

CONFIG = from_mapping({})
EN = translator("en")
NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)
KEY = "k" * 40
SECRETS = ("Bob", "Smith", "bob@example.com", "0161 555 0199", "555", "SN-99881", "grumpy", "ada-internal", "Leeds")
VIEW_KEYS = {
    "id", "url", "title", "status", "language", "status_text", "priority", "tier", "queue", "created", "updated",
    "resolved", "description", "timeline", "solution", "children", "parent", "duplicate_of", "next_update_due",
    "next_update_overdue", "first_response_due", "resolution_due", "resolution_paused", "next_step_due",
    "next_step_overdue", "survey", "solution_heading", "last_update", "timezone", "as_of",
}  # fmt: skip


def at(minute: int) -> str:
    return f"2026-03-02T09:{minute:02d}:00Z"


def ticket(status: str = "in_progress", *history: dict, tid: str = "HD-abcd2345", body: str = "", **meta) -> Ticket:
    return Ticket(
        {
            "id": tid,
            "title": meta.pop("title", "Printer jams"),
            "status": status,
            "priority": meta.pop("priority", "P3"),
            "queue": "service-desk",
            "visibility": meta.pop("visibility", "public"),
            "requester": meta.pop("requester", {"name": "Bob Smith", "email": "bob@example.com"}),
            "created": at(0),
            **meta,
            "history": [{"at": at(0), "action": "open", "to": "new"}, *history],
        },
        body,
    )


def view_of(t: Ticket, *others: Ticket, key: str | None = KEY, journey: dict | None = None) -> dict:
    cards = {x.id: card(x, ticket_scrubber(x), key) for x in (t, *others)}
    return ticket_view(t, CONFIG, cards, NOW, checkin_due, None, EN, journey)


def hostile() -> Ticket:
    """A ticket whose every internal and personal field holds something that must not reach the site."""
    return ticket(
        "waiting",
        {"at": at(10), "action": "prioritise", "priority": "P3", "from": "new", "to": "triaged"},
        {"at": at(20), "action": "start", "from": "triaged", "to": "in_progress"},
        {"at": at(30), "action": "note", "text": "Bob is grumpy, see ada-internal"},
        {"at": at(40), "action": "contact", "direction": "outbound", "via": "phone", "summary": "Rang 0161 555 0199"},
        {"at": at(50), "action": "wait", "question": "Bob, is SN-99881 on the sticker?", "to": "waiting"},
        title="Printer for Bob Smith in Leeds jams",
        body="Hi, Bob Smith here (bob@example.com, 0161 555 0199), Leeds office. Serial SN-99881.",
        requester={"name": "Bob Smith", "email": "bob@example.com", "phone": "0161 555 0199", "location": "Leeds"},
        assignee="ada-internal",
        product={"serial": "SN-99881"},
        secret_field="grumpy",
    )


def test_ticket_view_holds_only_the_allowed_fields_and_no_personal_or_internal_value():
    t = hostile()
    journey = journey_view(t, CONFIG, "help@desk.example", KEY, EN)
    view = view_of(t, journey=journey)
    assert set(view) == VIEW_KEYS | set(journey)
    assert view["answer_mailto"]
    text = unquote(json.dumps(view, ensure_ascii=False))  # the reply link's subject is URL-quoted
    for secret in SECRETS:
        assert secret not in text, secret
    assert "[removed]" in view["title"] and "[removed]" in view["description"] and "[removed]" in view["question"]
    assert view["question"].endswith("is [removed] on the sticker?")


def test_the_timeline_shows_customer_visible_moves_only_and_no_free_text_of_theirs():
    events = [(e["at"], e["event"], e["detail"]) for e in timeline(hostile(), CONFIG, EN)]
    assert events == [
        (at(0), "Request opened", ""),
        (at(10), "Priority set", "P3"),
        (at(20), "Work started", ""),
        (at(40), "We contacted you", ""),  # that we did, never what was said
        (at(50), "Waiting for your answer", ""),
    ]


def test_the_timeline_names_the_team_a_tier_and_the_kb_article_of_a_close():
    config = from_mapping({"queues": {"hardware": "Hardware support"}})
    t = ticket(
        "closed",
        {"at": at(10), "action": "assign", "queue": "hardware", "assignee": "ada-internal"},
        {"at": at(20), "action": "escalate", "tier": 2},
        {"at": at(30), "action": "edit", "changes": {"title": "Old title with Bob"}},
        {"at": at(40), "action": "review", "verdict": "dismiss", "reason": "stale"},
        {"at": at(50), "action": "close", "lesson": "Rollers wear out", "kb": "printer-rollers"},
    )
    got = timeline(t, config, EN)
    assert [e["detail"] for e in got] == ["", "Hardware support", "Now with tier 2 technicians", ""]
    assert got[-1]["kb"] == "printer-rollers" and all("kb" not in e for e in got[:-1])
    assert "ada-internal" not in json.dumps(got) and "Rollers wear out" not in json.dumps(got)


def test_card_is_scrubbed_and_its_url_follows_the_visibility():
    t = hostile()
    c = card(t, ticket_scrubber(t), KEY)
    assert "Bob" not in c.title and "Leeds" not in c.title
    assert c.url == "tickets/HD-abcd2345/"
    assert c.requester and "bob" not in c.requester  # a fingerprint, compared only
    unlisted = ticket(visibility="unlisted")
    assert card(unlisted, ticket_scrubber(unlisted), KEY).url.startswith("t/")
    assert card(unlisted, ticket_scrubber(unlisted), None).url == ""  # no key: no page
    private = ticket(visibility="private")
    assert card(private, ticket_scrubber(private), KEY).url == ""


def test_another_tickets_id_is_removed_unless_it_has_a_public_page_or_is_this_one():
    t = ticket(body="Same as HD-pppp2222, hd-PPPP2222 and HD-qqqq3333; this is HD-abcd2345.")
    scrub = ticket_scrubber(t, frozenset({"HD-pppp2222", "HD-abcd2345"}))  # no public page: hidden
    assert scrub(t.description) == "Same as [removed], [removed] and HD-qqqq3333; this is HD-abcd2345."


def test_a_relative_the_page_may_not_name_is_an_unnamed_related_request():
    other_requester = {"name": "Eve Jones", "email": "eve@example.com"}
    secret = ticket(
        "in_progress", tid="HD-cccc4444", title="Eve's payroll", visibility="unlisted", requester=other_requester
    )
    private = ticket("resolved", tid="HD-dddd5555", title="Board pay rise", visibility="private")
    parent = ticket("split", children=["HD-cccc4444", "HD-dddd5555", "HD-eeee6666"])
    children = view_of(parent, secret, private)["children"]
    assert [(c["id"], c["url"], c["status"]) for c in children] == [
        ("", "", "in_progress"),
        ("", "", "resolved"),
        ("", "", ""),  # not on the desk at all
    ]
    assert all(c["title"] == "A related request (not published)" for c in children)
    assert "payroll" not in json.dumps(children) and "pay rise" not in json.dumps(children)


def test_a_public_relative_is_named_and_a_split_parent_reads_as_the_parent():
    parent = ticket("split", tid="HD-ffff7777", title="Office move", children=["HD-abcd2345"])
    child = ticket("in_progress", parent="HD-ffff7777")
    related = view_of(child, parent)["parent"]
    assert (related["id"], related["title"], related["url"]) == ("HD-ffff7777", "Office move", "tickets/HD-ffff7777/")
    assert related["status_text"] == "That request was split into separate ones; this is one of them."


def test_children_that_a_hand_edit_left_as_no_list_count_as_none():
    assert view_of(ticket("split", children="HD-cccc4444"))["children"] == []


@pytest.mark.parametrize(
    ("status", "shown"), [("in_progress", False), ("proposed", True), ("resolved", True), ("closed", True)]
)
def test_the_latest_solution_is_shown_once_proposed(status, shown):
    t = ticket(status, {"action": "propose", "solution": "Old idea"}, {"action": "propose", "solution": "New rollers"})
    assert latest_solution(t) == ("New rollers" if shown else "")


def test_the_solution_in_the_view_is_scrubbed():
    t = ticket("proposed", {"at": at(5), "action": "propose", "solution": "Bob Smith: call bob@example.com"})
    assert view_of(t)["solution"] == "[removed]: call [removed]"


def test_duplicate_of_only_for_a_cancelled_duplicate():
    cancel = {"action": "cancel", "reason": "dup", "duplicate_of": "HD-ffff7777"}
    assert duplicate_of(ticket("cancelled", cancel)) == "HD-ffff7777"
    assert duplicate_of(ticket("cancelled", {"action": "cancel", "reason": "no longer needed"})) == ""
    assert duplicate_of(ticket("in_progress", cancel, {"action": "reopen"})) == ""


def test_promise_names_the_targets_in_business_or_round_the_clock_terms():
    business = promise(CONFIG, "P3", EN)
    assert business is not None and business["name"] == "P3"
    assert business["text"].endswith("counted in business hours.")
    p1 = promise(CONFIG, "P1", EN)
    assert p1 is not None and p1["text"].endswith("counted around the clock.")  # the default P1 is 24x7
    assert promise(CONFIG, None, EN) is None and promise(CONFIG, "P9", EN) is None


def test_last_visible_update_ignores_notes_and_edits():
    t = ticket(
        "in_progress",
        {"at": at(20), "action": "start"},
        {"at": at(30), "action": "note", "text": "internal"},
        {"at": at(40), "action": "edit", "changes": {}},
    )
    assert last_visible_update(t) == at(20)
    assert last_visible_update(Ticket({"id": "HD-x", "created": at(1), "history": []})) == at(1)


def test_resolved_at_is_empty_while_unresolved_or_when_a_time_is_no_time():
    resolve = {"at": at(30), "action": "resolve", "from": "proposed", "to": "resolved"}
    assert resolved_at(ticket("resolved", resolve)) == at(30)
    assert resolved_at(ticket("in_progress")) == ""
    assert resolved_at(ticket("resolved", {**resolve, "at": "yesterday-ish"})) == ""


def test_due_times_pause_resolution_while_waiting_and_stop_once_done():
    prioritised = {"at": at(10), "action": "prioritise", "priority": "P3", "to": "triaged"}
    running = due_times(ticket("triaged", prioritised), CONFIG, NOW)
    assert running["first_response_due"] and running["resolution_due"] and not running["resolution_paused"]
    waiting = due_times(ticket("waiting", prioritised, {"at": at(20), "action": "wait", "to": "waiting"}), CONFIG, NOW)
    assert waiting["resolution_due"] is None and waiting["resolution_paused"]
    done = due_times(ticket("resolved", prioritised), CONFIG, NOW)
    assert done == {"first_response_due": None, "resolution_due": None, "resolution_paused": False}


def test_survey_view_invites_only_a_closed_ticket_and_thanks_once_answered():
    invite = SurveyInvite("https://forms.example/s?t={id}&k={token}", "help@desk.example", (("en", "Score%3A"),), KEY)
    assert survey_view(ticket("resolved"), False, invite, EN) is None
    assert survey_view(ticket("closed"), True, invite, EN) == {"answered": True, "form_url": None, "mailto": None}
    mailto = survey_view(ticket("closed"), False, invite, EN)["mailto"]
    assert mailto == "mailto:help@desk.example?subject=%5BHD-abcd2345%5D%20Survey&body=Score%3A"


def test_the_survey_link_of_a_page_anyone_can_read_carries_no_token():
    from gitdesk.intake.survey_reply import fill_link

    invite = SurveyInvite("https://forms.example/s?t={id}&k={token}", "", (), KEY)
    public = survey_view(ticket("closed", visibility="public"), False, invite, EN)
    unlisted = survey_view(ticket("closed", visibility="unlisted"), False, invite, EN)
    assert public["form_url"] == fill_link(invite.form, "HD-abcd2345", None)
    assert unlisted["form_url"] == fill_link(invite.form, "HD-abcd2345", KEY) != public["form_url"]
    assert public["mailto"] is None  # no mailbox: no mail link


def test_survey_invite_uses_the_repos_github_form_only_when_the_desk_has_one(tmp_path: Path):
    assert SurveyInvite.of(tmp_path, CONFIG, "https://github.com/acme/help").form == ""
    (tmp_path / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (tmp_path / ".github" / "ISSUE_TEMPLATE" / "survey.yml").write_text("name: Survey\n", encoding="utf-8")
    form = SurveyInvite.of(tmp_path, CONFIG, "https://github.com/acme/help/").form
    assert form.startswith("https://github.com/acme/help/issues/new?template=survey.yml&")
    assert "ticket={id}" in form and "token={token}" in form
    assert SurveyInvite.of(tmp_path, CONFIG, "").form == ""


def test_card_fields_are_what_lists_need():
    assert Card._fields == (
        "id", "title", "status", "priority", "queue", "tier", "created", "updated", "resolved", "visibility", "url",
        "requester",
    )  # fmt: skip
