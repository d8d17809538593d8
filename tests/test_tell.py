"""cli/tell.py: after a verb the customer is told, and a failed delivery is a warning on stderr, never silent."""

from __future__ import annotations

import pytest

from gitdesk.cli.tell import tell
from recording_servers import inbox  # noqa: F401 - the fixture


@pytest.fixture
def waiting(desk):
    """An in-progress P3 ticket from an email requester: the next `wait` calls for an update."""
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    return t.id


def test_a_failed_delivery_warns_twice_and_is_noted(desk, waiting, monkeypatch, capsys):
    monkeypatch.setenv("GITDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GITDESK_SMTP_PORT", "9")  # nothing listens there
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Service desk <help@desk.example>")
    ticket = desk.wait(waiting, "Which client version?")
    tell(desk, ticket)
    out, err = capsys.readouterr()
    assert out == ""
    first, second = err.splitlines()
    assert first.startswith(f"gitdesk: warning: {waiting}: the customer was not told (email): ")
    assert second == f"gitdesk: the failure is noted on {waiting}; tell them another way"
    assert desk.get(waiting).history[-1]["action"] == "note"


def test_a_delivered_update_says_nothing(desk, waiting, inbox, capsys):  # noqa: F811
    ticket = desk.wait(waiting, "Which client version?")
    tell(desk, ticket)
    assert capsys.readouterr() == ("", "")
    assert len(inbox.messages()) == 1
    last = desk.get(waiting).history[-1]
    assert (last["action"], last.get("update")) == ("contact", "question")


def test_no_channel_configured_is_no_warning(desk, waiting, capsys):
    ticket = desk.wait(waiting, "Which client version?")
    before = len(desk.get(waiting).history)
    tell(desk, ticket)
    assert capsys.readouterr() == ("", "")
    assert len(desk.get(waiting).history) == before  # nothing sent, nothing recorded


def test_an_internal_event_calls_for_no_update(desk, waiting, inbox, capsys):  # noqa: F811
    ticket = desk.note(waiting, "checked the VPN logs")
    tell(desk, ticket)
    assert capsys.readouterr() == ("", "")
    assert inbox.messages() == []
