"""channels/updates.py: which update a ticket's last event calls for, by which channel, and what is kept.

The loops through Slack and GitHub (threads started, refusals noted) are in test_customer_loop_channels.py
and by email in test_customer_loop_email.py; here the module's rules, and `announce`'s skips.
"""

from __future__ import annotations

from typing import Any

import pytest

from gitdesk.channels.updates import Sent, announce, due, opted_out, route
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import Ticket
from gitdesk.errors import ConfigError
from recording_servers import inbox  # noqa: F401 - the aiosmtpd fixture on 127.0.0.1

REQUIRED = from_mapping({"review": {"customer": "required"}})
OFF = from_mapping({"review": {"customer": "off"}})


def ticket(*history: dict[str, Any], status: str = "in_progress", **meta: Any) -> Ticket:
    return Ticket(
        {
            "id": "HD-4f7k2m9q",
            "title": "Printer jams",
            "status": status,
            "requester": {"name": "Bob", "email": "bob@example.com"},
            "history": list(history),
            **meta,
        }
    )


PROPOSE = {"action": "propose", "solution": "New rollers"}


@pytest.mark.parametrize(
    "events, status, kind",
    [
        ([], "new", ""),
        ([{"action": "note", "text": "internal"}], "in_progress", ""),
        ([{"action": "wait", "question": "Which tray?"}], "waiting", "question"),
        ([PROPOSE], "proposed", "proposed"),
        ([{**PROPOSE, "branch": "solution/HD-4f7k2m9q"}], "proposed", ""),  # the PR reviewer judges first
        (
            [{**PROPOSE, "branch": "solution/HD-4f7k2m9q"}, {"action": "review", "verdict": "approve", "by": "lead"}],
            "proposed",
            "proposed",  # the reviewer approved: now the customer is asked
        ),
        ([PROPOSE, {"action": "review", "to": "resolved", "verdict": "approve"}], "resolved", "resolved"),
        ([PROPOSE, {"action": "review", "verdict": "request_changes", "role": "requester"}], "in_progress", "changes"),
        ([PROPOSE, {"action": "review", "verdict": "request_changes", "by": "lead"}], "in_progress", ""),  # internal
        ([{"action": "close"}], "closed", "closed"),
        ([{"action": "reopen", "reason": "again"}], "in_progress", "reopened"),
        ([{"action": "cancel", "reason": "duplicate"}], "cancelled", "cancelled"),
    ],
)
def test_due(events, status, kind):
    assert due(ticket(*events, status=status), REQUIRED) == kind


def test_with_the_customer_off_a_proposal_is_still_told():
    assert due(ticket({**PROPOSE, "branch": "solution/x"}, status="proposed"), OFF) == "proposed"


@pytest.mark.parametrize("value, out", [("off", True), (False, True), ("false", True), ("on", False), (None, False)])
def test_a_ticket_opts_out_by_its_updates_field(value, out):
    meta = {} if value is None else {"updates": value}  # YAML reads `updates: off` as False
    assert opted_out(ticket(**meta), REQUIRED) is out


def test_the_desk_opts_out_addresses_in_any_case():
    config = from_mapping({"updates": {"opt_out": ["Bob@Example.com"]}})
    assert opted_out(ticket(), config)
    assert not opted_out(ticket(requester={"name": "Ada", "email": "ada@example.com"}), config)
    assert not opted_out(ticket(requester={"name": "No email"}), config)


@pytest.mark.parametrize(
    "section, key",
    [({"opt_in": []}, "updates.opt_in"), ({"opt_out": "bob@example.com"}, "updates.opt_out")],
)
def test_a_bad_updates_section_names_its_key(section, key):
    with pytest.raises(ConfigError) as caught:
        opted_out(ticket(), from_mapping({"updates": section}))
    assert caught.value.key == key


def test_route_is_where_the_request_came_from_else_email_else_nothing(monkeypatch):
    slack = ticket(channel="slack", slack={"channel": "C1", "ts": "1.1"})
    github = ticket(channel="github", github={"issue": 7, "repo": "acme/desk"})
    monkeypatch.delenv("GITDESK_SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("GITDESK_GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert (route(slack, True), route(github, True), route(slack, False)) == ("email", "email", "")
    monkeypatch.setenv("GITDESK_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs-1")
    assert (route(slack, False), route(github, False)) == ("slack", "github")
    assert route(ticket(channel="email", requester={"name": "Phone caller"}), True) == ""  # no address to write to


def test_announce_nothing_for_an_internal_event(desk):
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    assert announce(desk, desk.note(t.id, "Checked the logs")) is None


def test_announce_skips_an_opted_out_requester_and_records_nothing(desk, inbox):  # noqa: F811
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    quiet = desk.edit(t.id, {"updates": "off"})
    asked = desk.wait(quiet.id, "Which tray?")
    assert announce(desk, asked) == Sent("question", "skipped", detail="the requester opted out of updates")
    assert inbox.messages() == [] and desk.get(t.id).history[-1]["action"] == "wait"


def test_announce_without_smtp_skips(desk, monkeypatch):
    for name in ("GITDESK_SMTP_HOST", "GITDESK_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    sent = announce(desk, desk.wait(t.id, "Which tray?"))
    assert sent == Sent("question", "skipped", detail="no channel to the requester is configured")


def test_announce_by_email_sends_and_logs_it_as_an_outbound_contact(desk, inbox):  # noqa: F811
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    sent = announce(desk, desk.wait(t.id, "Which tray is it?"))
    assert sent is not None and (sent.kind, sent.state, sent.via) == ("question", "sent", "email")
    [mail] = inbox.messages()
    assert "Which tray is it?" in mail.get_content() and t.id in str(mail["Subject"])
    event = desk.get(t.id).history[-1]
    assert (event["action"], event["direction"], event["update"], event["message_id"]) == (
        "contact",
        "outbound",
        "question",
        sent.detail,
    )
    assert sent.detail in desk.get(t.id).meta["message_ids"]  # the customer's reply threads by it


def test_announce_leaves_the_closing_update_to_the_survey_invitation(desk, proposed, inbox):  # noqa: F811
    desk.review(proposed, True, "lead")
    closed = desk.close(proposed, "Rollers wear out")
    assert announce(desk, closed) == Sent(
        "closed", "skipped", "email", "the survey invitation gitdesk close sends is the update"
    )
    assert inbox.messages() == []
