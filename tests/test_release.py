"""intake/release.py: a held message opened by hand for the requester a person names.

`gitdesk intake held` (list, show, release, drop) is in test_intake_hostile.py; here `release` itself.
"""

from __future__ import annotations

import pytest

from gitdesk.errors import InvalidValue, UsageError
from gitdesk.intake.release import release

NO_SENDER = (
    b"Subject: Scanner offline\r\nMessage-ID: <held-1@example.com>\r\nTo: help@desk.example\r\n\r\n"
    b"The scanner on floor 2 is offline.\r\nModel: Canon-DR\r\n"
)
ADA = "Ada Lovelace <Ada@Example.org>"


def test_a_held_email_opens_for_the_named_requester_with_its_own_subject_and_fields(desk):
    outcome = release(desk, NO_SENDER, "eml", ADA)
    assert outcome.kind == "opened"
    t = desk.get(outcome.ticket_id)
    assert t.requester == {"name": "Ada Lovelace", "email": "ada@example.org"}
    assert (t.title, t.meta["channel"], t.meta["product"]) == ("Scanner offline", "email", {"model": "Canon-DR"})
    assert t.meta["message_ids"] == ["<held-1@example.com>"]
    assert release(desk, NO_SENDER, "eml", ADA).kind == "duplicate"  # released twice: still one ticket


def test_a_given_title_wins_over_the_subject(desk):
    outcome = release(desk, NO_SENDER, "eml", ADA, title="Floor 2 scanner")
    assert desk.get(outcome.ticket_id).title == "Floor 2 scanner"


@pytest.mark.parametrize("who", ["", "   "])
def test_no_requester_is_a_usage_error(desk, who):
    with pytest.raises(UsageError, match="--requester"):
        release(desk, NO_SENDER, "eml", who)
    assert list(desk.tickets()) == []


def test_a_requester_without_a_valid_address_is_refused(desk):
    with pytest.raises(InvalidValue):
        release(desk, NO_SENDER, "eml", "Ada <not-an-address>")
    assert list(desk.tickets()) == []


def test_garbage_slack_bytes_become_the_text_of_a_slack_ticket(desk):
    raw = b"\xff\xfe not a payload at all\nthe VPN drops\x1b[2J"
    outcome = release(desk, raw, "slack", ADA)
    t = desk.get(outcome.ticket_id)
    assert t.meta["channel"] == "slack" and "\x1b" not in t.body and "the VPN drops" in t.body
    assert t.meta["message_ids"][0].startswith("held:slack:")
    assert release(desk, raw, "slack", ADA).kind == "duplicate"


def test_a_slack_payload_gives_its_text_and_first_line_as_the_title(desk):
    raw = b"command=%2Fhelpdesk&text=Printer+jams%0Aon+tray+2&user_id=U1"
    outcome = release(desk, raw, "slack", ADA)
    t = desk.get(outcome.ticket_id)
    assert t.title == "Printer jams" and "on tray 2" in t.body


def test_a_held_message_with_no_text_needs_a_title(desk):
    empty = b"command=%2Fhelpdesk&text=+&user_id=U1"
    with pytest.raises(UsageError, match="--title"):
        release(desk, empty, "slack", ADA)
    assert list(desk.tickets()) == []
    outcome = release(desk, empty, "slack", ADA, title="Called about the printer")
    assert desk.get(outcome.ticket_id).title == "Called about the printer"


def test_any_other_kind_is_utf8_text_from_the_web(desk):
    outcome = release(desk, "Formulario: la impresora está rota\r\nsiempre".encode(), "web", ADA)
    t = desk.get(outcome.ticket_id)
    assert t.meta["channel"] == "web" and t.title == "Formulario: la impresora está rota"
