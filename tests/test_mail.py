"""SMTP to customers against a real aiosmtpd server on 127.0.0.1: acknowledgement, notify, survey."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from recording_servers import Inbox

MAIL = Path(__file__).parent / "fixtures" / "mail"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def _head(root: Path) -> str:
    return _git(root, "rev-parse", "HEAD")


@pytest.fixture
def smtp(monkeypatch):
    from recording_servers import _controller

    inbox = Inbox()
    controller = _controller(inbox)  # bound to port 0 and kept: no free-port race
    controller.start()
    port = controller.port
    monkeypatch.setenv("GITDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GITDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Service desk <help@desk.example>")
    yield inbox
    controller.stop()


def _take(cli_invoke, raw: bytes):
    Path("in.eml").write_bytes(raw)
    return json.loads(cli_invoke("intake", "email", "in.eml", "--json").stdout)


def test_acknowledgement_headers_threading_and_kb(cli_invoke, desk, desk_root, smtp):
    (desk_root / "kb").mkdir(exist_ok=True)
    (desk_root / "kb" / "printer-tray-jams.md").write_text(
        "---\ntitle: Printer tray jams\ntags: [hardware]\n---\nWorn rollers on tray 2 jam thick paper.\n"
    )
    before = _head(desk_root)
    out = _take(cli_invoke, (MAIL / "plain.eml").read_bytes())
    ticket_id = out["ticket"]
    # one command, one commit: the opening commit carries the acknowledgement's contact event
    log = _git(desk_root, "log", "--format=%B", f"{before}..HEAD")
    assert log.count("Gitdesk-Action:") == 1 and "Gitdesk-Action: open" in log
    assert _git(desk_root, "show", "--format=", "--name-only", "HEAD").split() == [f"tickets/{ticket_id}.md"]
    [envelope] = smtp.envelopes
    assert envelope.mail_from == "help@desk.example" and envelope.rcpt_tos == ["bob@example.com"]
    [msg] = smtp.messages()
    assert msg["To"] == "Bob Smith <bob@example.com>"
    assert msg["Subject"] == f"[{ticket_id}] Received: Printer on floor 3 jams"
    assert msg["In-Reply-To"] == "<plain-1@mail.example.com>"
    assert msg["Auto-Submitted"] == "auto-replied"
    body = msg.get_content()
    assert ticket_id in body and "Printer tray jams" in body
    t = desk.get(ticket_id)
    assert msg["Message-ID"] in t.meta["message_ids"]
    assert [e["action"] for e in t.history] == ["open", "contact"]
    assert t.history[-1]["direction"] == "outbound" and t.history[-1]["message_id"] == msg["Message-ID"]
    assert t.history[-1]["auto"] is True  # a machine's "we got it" is no first response
    # the customer's reply to the acknowledgement threads onto the ticket by In-Reply-To alone
    reply = (
        f"From: Bob <bob@example.com>\r\nTo: help@desk.example\r\nSubject: Re: your mail\r\n"
        f"Message-ID: <r2@example.com>\r\nIn-Reply-To: {msg['Message-ID']}\r\n\r\nTray 2.\r\n"
    ).encode()
    assert _take(cli_invoke, reply)["kind"] == "replied"
    assert len(smtp.envelopes) == 1  # replies are not acknowledged again


def test_header_injection_is_impossible(cli_invoke, smtp):
    raw = (
        b"From: =?utf-8?b?Qm9iDQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?= <bob@example.com>\r\n"
        b"To: help@desk.example\r\nSubject: =?utf-8?b?UHJpbnRlcg0KQmNjOiBldmlsQGF0dGFja2VyLmV4YW1wbGU=?=\r\n"
        b"Message-ID: <inj@example.com>\r\n\r\nhello\r\n"
    )
    _take(cli_invoke, raw)
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["bob@example.com"]
    [msg] = smtp.messages()
    assert msg["Bcc"] is None
    assert "\n" not in msg["Subject"] and "Bcc: evil" in msg["Subject"]  # harmless text, not a header


def test_notify_sends_update_in_thread_and_logs_contact(cli_invoke, desk, smtp):
    ticket_id = _take(cli_invoke, (MAIL / "plain.eml").read_bytes())["ticket"]
    ack_id = smtp.messages()[0]["Message-ID"]
    cli_invoke("notify", ticket_id, "--message", "The new rollers arrive tomorrow.")
    update = smtp.messages()[1]
    assert update["In-Reply-To"] == ack_id
    assert "<plain-1@mail.example.com>" in update["References"]
    assert "The new rollers arrive tomorrow." in update.get_content()
    assert update["Auto-Submitted"] is None
    event = desk.get(ticket_id).history[-1]
    assert (event["action"], event["direction"], event["via"]) == ("contact", "outbound", "email")
    assert event["summary"] == "The new rollers arrive tomorrow."


def test_notify_without_smtp_is_one_line_error(cli_invoke, open_ticket, desk_root):
    ticket_id = open_ticket()
    result = cli_invoke("notify", ticket_id, ok=False)
    assert result.exit_code == 1
    assert "mail.from is not set" in result.output or "no SMTP server" in result.output
    assert "Traceback" not in result.output


def test_survey_invitation(desk, smtp, monkeypatch):
    from gitdesk.channels.mail import send_survey_invitation

    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    mid = send_survey_invitation(desk, t.id)
    [msg] = smtp.messages()
    assert msg["Message-ID"] == mid and msg["Auto-Submitted"] == "auto-generated"
    assert "How did we do?" in msg["Subject"]
    assert desk.get(t.id).history[-1]["summary"] == "Survey invitation sent by email"


def test_smtp_down_keeps_the_ticket(cli_invoke, desk, monkeypatch, request):
    closed = socket.socket()  # bound and kept, never listening: refused, and no one else can take the port
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    request.addfinalizer(closed.close)
    monkeypatch.setenv("GITDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GITDESK_SMTP_PORT", str(port))
    monkeypatch.setenv("GITDESK_MAIL_FROM", "help@desk.example")
    before = _head(desk.root)
    out = _take(cli_invoke, (MAIL / "plain.eml").read_bytes())
    assert out["kind"] == "opened" and any("no acknowledgement sent" in n for n in out["notes"])
    t = desk.get(out["ticket"])
    assert t.status == "new"
    assert [e["action"] for e in t.history] == ["open"]  # no contact claimed for mail that never left
    assert _git(desk.root, "rev-list", "--count", f"{before}..HEAD") == "1"


def _resolved(cli_invoke, open_ticket) -> str:
    tid = open_ticket("Scanner offline")
    for args in (
        ("prioritise", tid, "P3"),
        ("start", tid),
        ("propose", tid, "--solution", "Restart it"),
        ("review", tid, "--approve", "--by", "carol"),
    ):
        cli_invoke(*args)
    return tid


def test_close_invites_to_the_survey_in_the_same_commit(cli_invoke, open_ticket, desk, desk_root, smtp):
    from conftest import git

    tid = _resolved(cli_invoke, open_ticket)
    before = int(git(desk_root, "rev-list", "--count", "HEAD"))
    cli_invoke("close", tid, "--lesson", "Restart scanners after firmware updates")
    assert int(git(desk_root, "rev-list", "--count", "HEAD")) == before + 1  # one action, one commit
    assert desk.get(tid).history[-1]["survey_invite"] == "email"
    *updates, msg = smtp.messages()  # before it: the proposal and "resolved" (channels/updates.py)
    assert [m["Subject"].split("] ")[1].split(":")[0] for m in updates] == ["Proposed solution", "Resolved"]
    assert msg["To"] == "Bob Smith <bob@example.com>" and "How did we do?" in msg["Subject"]
    assert tid in msg.get_content()


def test_close_without_mail_records_no_invitation(cli_invoke, open_ticket, desk):
    tid = _resolved(cli_invoke, open_ticket)
    cli_invoke("close", tid, "--lesson", "Restart scanners after firmware updates")
    assert "survey_invite" not in desk.get(tid).history[-1]
