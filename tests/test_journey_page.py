"""site/journey_page.py: the HTML of our question, the customer's requested changes, the verdict buttons
and the next step: every part of the view escaped, each part present only when the view has it."""

from __future__ import annotations

import re

import pytest

from gitdesk.i18n import translator
from gitdesk.site.journey_page import feedback, next_step, question, review

EN, CA = translator("en"), translator("ca")
HOSTILE = '<script>alert(1)</script> "quoted" & <b>bold</b>'


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize("part", [question, feedback, review])
def test_each_part_is_empty_when_the_view_has_nothing_for_it(part):
    assert part({"id": "HD-1", "question": None, "feedback": None, "review": None}, EN) == ""
    assert part({"id": "HD-1"}, EN) == ""


def test_the_question_is_escaped_text_with_a_reply_button_and_the_tag_to_keep():
    view = {
        "id": "HD-abcd2345",
        "question": HOSTILE + "\nsecond line",
        "answer_mailto": 'mailto:help@desk.example?subject=%5BHD-abcd2345%5D"x',
        "answer_address": "help@desk.example",
    }
    out = question(view, EN)
    assert "<script" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "<br>second line" in out
    assert hrefs(out) == ["mailto:help@desk.example?subject=%5BHD-abcd2345%5D&quot;x"]  # the quote cannot end href
    assert "<code>[HD-abcd2345]</code>" in out and "help@desk.example" in out


def test_the_reply_button_survives_translation():
    """A translated sentence with HTML in its placeholders: the words escaped, the button as built."""
    view = {"id": "HD-1", "question": "Q", "answer_mailto": "mailto:a@desk.example", "answer_address": "a@desk.example"}
    out = question(view, CA)
    assert '<a class="gd-button gd-primary" href="mailto:a@desk.example">' in out
    assert "{reply}" not in out and "{tag}" not in out and "{address}" not in out
    assert "l&#x27;assumpte" in out  # the translation's own apostrophe is escaped, not markup


def test_without_a_mailbox_the_question_says_to_reply_to_our_last_message():
    out = question({"id": "HD-abcd2345", "question": "Which floor?", "answer_mailto": None}, EN)
    assert "<a " not in out and "HD-abcd2345" in out


def test_the_customers_requested_changes_are_shown_back_escaped():
    out = feedback({"feedback": HOSTILE}, EN)
    assert "<script" not in out and "&lt;script&gt;" in out and "&quot;quoted&quot;" in out
    assert "You asked us to change the solution" in out


def test_review_shows_a_button_per_way_to_answer():
    links = {"accept": "mailto:a@x?body=Verdict%3A%20accept", "change": "mailto:a@x?body=change", "issue": ""}
    out = review({"review": links}, EN)
    assert hrefs(out) == [links["accept"], links["change"]]
    assert "gd-accept" in out and "gd-change" in out and "GitHub" not in out


def test_review_of_a_github_request_points_at_the_issue_and_says_what_to_comment():
    out = review({"review": {"accept": "", "change": "", "issue": "https://github.com/acme/help/issues/7"}}, EN)
    assert hrefs(out) == ["https://github.com/acme/help/issues/7"]
    assert "<code>accept</code>" in out and "<code>change:</code>" in out


def test_next_step_with_its_due_time_on_time_and_overdue():
    view = {"next_step": "We triage your request.", "next_step_due": "2026-03-02T13:00:00Z"}
    on_time = next_step({**view, "next_step_overdue": False}, EN)
    late = next_step({**view, "next_step_overdue": True}, EN)
    assert "We triage your request." in on_time
    assert "By Monday, March 2, 2026, 13:00 UTC." in on_time and "Overdue" not in on_time
    assert "Overdue since Monday, March 2, 2026, 13:00 UTC." in late
    assert "gd-due" not in next_step({"next_step": "x"}, EN)


def test_next_step_gives_the_reason_escaped_and_nothing_without_a_step_or_reason():
    out = next_step({"next_step": "", "reason": HOSTILE}, EN)
    assert 'class="gd-next"' not in out
    assert out.startswith('<p class="gd-reason">Why: &lt;script&gt;')
    assert next_step({"next_step": "", "reason": None}, EN) == ""
