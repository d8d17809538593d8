"""channels/messages.py: the words of every proactive update, in the ticket's language.

That no English is left in a Spanish desk's updates is pinned in test_i18n_customer.py; here the
shape of each update, and that the choices a proposal offers read back as the customer's verdict.
"""

from __future__ import annotations

import pytest

from gitdesk.channels import messages
from gitdesk.core.ticket import Ticket
from gitdesk.i18n.translator import translator
from gitdesk.intake.review_reply import read_verdict

EN = translator("en")
BOB = Ticket({"id": "HD-4f7k2m9q", "title": "Printer jams", "requester": {"name": "Bob Smith", "email": "b@x.example"}})


@pytest.mark.parametrize(
    "via, how",
    [
        ("email", "reply to this message and keep [HD-4f7k2m9q] in the subject"),
        ("slack", "reply in this thread"),
        ("github", "comment on this issue"),
        ("fax", "reply to this message and keep [HD-4f7k2m9q] in the subject"),  # unknown: as email
    ],
)
def test_how_to_answer_is_the_channels_own_way(via, how):
    assert messages.how_to_answer(via, "HD-4f7k2m9q", EN) == how


def test_a_question_quotes_each_line_and_says_how_to_answer_and_where_to_follow():
    msg = messages.question(BOB, "Which model is it?\nAnd on which floor?", "reply in this thread", "https://s/t", EN)
    assert (msg.kind, msg.subject) == ("question", "We have a question: Printer jams")
    assert msg.lines[0] == "Hello Bob Smith,"
    assert "  Which model is it?" in msg.lines and "  And on which floor?" in msg.lines
    assert "To answer, reply in this thread." in msg.lines
    assert msg.lines[-1] == "Follow your request here: https://s/t"
    assert msg.summary == "Question sent to the customer"  # what the desk logs stays English, for staff


def test_no_link_no_follow_line_and_no_name_a_plain_greeting():
    nameless = Ticket({"id": "HD-1", "title": "T", "requester": {"email": "x@y.example"}})
    msg = messages.resolved(nameless, "", EN)
    assert msg.lines[0] == "Hello," and not any("Follow your request" in line for line in msg.lines)


def test_a_name_cannot_break_the_greeting_over_lines():
    hostile = Ticket({"id": "HD-1", "title": "T", "requester": {"name": "Bob\r\nBcc: eve@evil.example"}})
    greeting = messages.closed(hostile, "", EN).lines[0]
    assert "\n" not in greeting and "\r" not in greeting and greeting.startswith("Hello Bob")


def test_text_ends_in_exactly_one_newline():
    text = messages.reopened(BOB, "It jams again.", "", EN).text()
    assert text.endswith("It jams again.\n") and not text.endswith("\n\n")


def test_a_proposal_offers_choices_only_when_the_customer_is_asked():
    asked = messages.proposed(BOB, "Replace the rollers", "reply in this thread", "", True, EN)
    told = messages.proposed(BOB, "Replace the rollers", "reply in this thread", "", False, EN)
    assert "  Replace the rollers" in asked.lines and "  Replace the rollers" in told.lines
    assert any(line.strip().startswith("accept") for line in asked.lines)
    assert not any(line.strip().startswith(("accept", "change:")) for line in told.lines)


@pytest.mark.parametrize("language", ["en", "es", "ca"])
def test_the_choices_offered_read_back_as_the_verdict(language):
    msg = messages.proposed(BOB, "Replace the rollers", "x", "", True, translator(language))
    accept, change = [line.split()[0] for line in msg.lines if line.startswith("  ") and " - " in line]
    assert read_verdict(accept).approve is True
    reply = read_verdict(f"{change} the fan is silent")
    assert reply is not None and reply.approve is False and reply.feedback == "the fan is silent"


@pytest.mark.parametrize(
    "make, kind, subject",
    [
        (lambda tr: messages.changes(BOB, "It still jams", "", tr), "changes", "Changes recorded: Printer jams"),
        (lambda tr: messages.resolved(BOB, "", tr), "resolved", "Resolved: Printer jams"),
        (lambda tr: messages.closed(BOB, "", tr), "closed", "Closed: Printer jams"),
        (lambda tr: messages.reopened(BOB, "Again", "", tr), "reopened", "Reopened: Printer jams"),
        (lambda tr: messages.cancelled(BOB, "Duplicate", "", tr), "cancelled", "Cancelled: Printer jams"),
    ],
)
def test_each_update_has_its_kind_subject_and_logged_summary(make, kind, subject):
    msg = make(EN)
    assert (msg.kind, msg.subject) == (kind, subject)
    assert msg.summary == messages.SUMMARY[kind]
    assert any("HD-4f7k2m9q" in line for line in msg.lines)
    assert make(translator("es")).subject != subject  # and it is worded again in another language
