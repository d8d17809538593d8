"""The customer's whole loop by email, through a real SMTP server on 127.0.0.1.

Ask a question, the customer answers; propose, the customer rejects with feedback;
propose again, the customer accepts; close, the customer answers the survey. Every
update reaches the customer's inbox and is logged on the ticket as an outbound contact.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gitdesk.cli.main import cli
from gitdesk.desk.facade import Desk
from recording_servers import inbox  # noqa: F401 - the aiosmtpd fixture

REQUEST = """\
From: Lena Fischer <lena@adatum.example>
To: help@desk.example
Subject: Reception printer jams on tray 2
Message-ID: <req-1@adatum.example>
Content-Type: text/plain; charset=utf-8

The reception printer jams on every job from tray 2.
"""


def reply(to_msg, body: str, n: int, sender: str = "Lena Fischer <lena@adatum.example>", reply_to: str = "") -> bytes:
    """A customer's answer to one of our messages, quoting it as mail clients do."""
    quoted = "\n".join(f"> {line}" for line in to_msg.get_content().splitlines())
    text = (
        f"From: {sender}\n{f'Reply-To: {reply_to}' + chr(10) if reply_to else ''}"
        f"To: help@desk.example\nSubject: Re: {to_msg['Subject']}\n"
        f"Message-ID: <reply-{n}@adatum.example>\nIn-Reply-To: {to_msg['Message-ID']}\n"
        f"References: {to_msg['Message-ID']}\nContent-Type: text/plain; charset=utf-8\n\n"
        f"{body}\n\nOn Mon, Service desk wrote:\n{quoted}\n"
    )
    return text.encode()


@pytest.fixture
def gd(customer_desk_root, clock):
    runner = CliRunner()

    def run(*args: str, ok: bool = True, mail: bytes | None = None):
        if mail is not None:
            Path("in.eml").write_bytes(mail)
        clock.advance(minutes=30)
        result = runner.invoke(cli, [*args])
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return run


def _last(inbox, subject_part: str):  # noqa: F811
    found = [m for m in inbox.messages() if subject_part in m["Subject"]]
    assert found, [m["Subject"] for m in inbox.messages()]
    return found[-1]


def test_the_whole_customer_loop_by_email(gd, inbox, customer_desk_root, clock):  # noqa: F811
    desk = Desk(customer_desk_root, clock=clock)
    opened = json.loads(gd("intake", "email", "in.eml", "--json", mail=REQUEST.encode()).stdout)
    tid = opened["ticket"]
    assert tid in inbox.messages()[0]["Subject"]  # the acknowledgement
    gd("prioritise", tid, "P3")
    gd("start", tid)

    gd("wait", tid, "--question", "Does it jam with paper from tray 1 too?")
    question = _last(inbox, "We have a question")
    assert "Does it jam with paper from tray 1 too?" in question.get_content()
    assert question["In-Reply-To"]  # threaded on the conversation
    gd("intake", "email", "in.eml", mail=reply(question, "Only tray 2 jams, tray 1 is fine.", 1))
    assert desk.get(tid).status == "in_progress"

    gd("propose", tid, "--solution", "Clean the tray 2 separation pad.")
    proposal = _last(inbox, "Proposed solution")
    body = proposal.get_content()
    assert "Clean the tray 2 separation pad." in body and "accept" in body and "change:" in body
    out = gd("intake", "email", "in.eml", mail=reply(proposal, "Not solved: it still jams on thick paper.", 2))
    assert "customer's verdict recorded" in out.output
    t = desk.get(tid)
    assert t.status == "in_progress"
    verdict = t.history[-2] if t.history[-1]["action"] == "contact" else t.history[-1]
    assert (verdict["action"], verdict["verdict"], verdict["role"], verdict["by"]) == (
        "review",
        "request-changes",
        "requester",
        "lena@adatum.example",
    )
    assert verdict["feedback"] == "it still jams on thick paper."
    assert "Changes recorded" in _last(inbox, "Changes recorded")["Subject"]
    shown = gd("show", tid).stdout.splitlines()
    assert shown[2] == "  ! The customer asked for changes: it still jams on thick paper."

    gd("propose", tid, "--solution", "Replace the tray 2 separation pad.")
    second = _last(inbox, "Proposed solution")
    assert "Replace the tray 2 separation pad." in second.get_content()
    # a colleague of the requester cannot accept for them: kept as a plain reply
    other = gd("intake", "email", "in.eml", mail=reply(second, "Accept", 3, "Tom <tom@adatum.example>"))
    assert "not the requester" in other.output and desk.get(tid).status == "proposed"
    gd("intake", "email", "in.eml", mail=reply(second, "Accept, thank you!", 4))
    t = desk.get(tid)
    assert t.status == "resolved"
    accept = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (accept["verdict"], accept["role"], accept["by"]) == ("approve", "requester", "lena@adatum.example")
    assert "Resolved" in _last(inbox, "Resolved")["Subject"]

    gd("close", tid, "--lesson", "Separation pads wear before rollers")
    invitation = _last(inbox, "How did we do?")
    answers = "Score (1-5): 5\nRight questions (yes/no): yes\nTime adequate (yes/no): yes\n"
    gd("intake", "email", "in.eml", mail=reply(invitation, answers, 5))
    assert (customer_desk_root / "surveys" / f"{tid}.yml").exists()

    # every update is an outbound contact on the ticket, naming which update it was
    t = desk.get(tid)
    updates = [e.get("update") for e in t.history if e["action"] == "contact" and e.get("update")]
    assert updates == ["question", "proposed", "changes", "proposed", "resolved"]
    subjects = [m["Subject"].split("] ", 1)[1].split(":")[0] for m in inbox.messages()]
    assert subjects == [
        "Received",
        "We have a question",
        "Proposed solution",
        "Changes recorded",
        "Proposed solution",
        "Resolved",
        "How did we do? Reception printer jams on tray 2",
    ]


def test_a_failed_update_is_noted_on_the_ticket(gd, customer_desk_root, clock, monkeypatch):
    desk = Desk(customer_desk_root, clock=clock)
    monkeypatch.setenv("GITDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GITDESK_SMTP_PORT", "9")  # discard: nothing listens there
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Service desk <help@desk.example>")
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    gd("prioritise", t.id, "P3")
    gd("start", t.id)
    result = gd("wait", t.id, "--question", "Which client version?")
    assert "the customer was not told" in result.output
    note = desk.get(t.id).history[-1]
    assert note["action"] == "note" and note["text"].startswith("Customer update not delivered (question, via email)")


def test_opted_out_requester_gets_nothing(gd, inbox, customer_desk_root, clock):  # noqa: F811
    desk = Desk(customer_desk_root, clock=clock)
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    gd("edit", t.id, "--updates", "off")
    gd("prioritise", t.id, "P3")
    gd("start", t.id)
    gd("wait", t.id, "--question", "Which client version?")
    assert inbox.messages() == []
    assert not any(e.get("update") for e in desk.get(t.id).history)


def test_a_reopen_reaches_the_customer_with_the_reason(gd, inbox, customer_desk_root, clock):  # noqa: F811
    desk = Desk(customer_desk_root, clock=clock)
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    gd("prioritise", t.id, "P3")
    gd("start", t.id)
    gd("propose", t.id, "--solution", "Update the client.")
    gd("review", t.id, "--customer", "--approve")
    gd("close", t.id, "--lesson", "Keep the VPN client current")
    gd("reopen", t.id, "--reason", "The drops came back after the update.")
    reopened = _last(inbox, "Reopened")
    assert "The drops came back after the update." in reopened.get_content() and reopened["In-Reply-To"]
    assert [e.get("update") for e in desk.get(t.id).history if e.get("update")][-1] == "reopened"


def test_a_pr_approval_after_the_customers_accept_tells_them_it_is_resolved(
    gd,
    inbox,  # noqa: F811
    customer_desk_root,
    clock,
    tmp_path,
):
    """Both approvals required (a solution branch, review.customer: required): whichever comes
    last resolves the ticket, and the customer hears "resolved" either way."""
    fixture = Path(__file__).parent / "fixtures" / "github" / "review_approved.json"
    desk = Desk(customer_desk_root, clock=clock)
    t = desk.open("Scanner offline", {"name": "Omar", "email": "omar@example.com"})
    gd("prioritise", t.id, "P3")
    gd("start", t.id)
    gd("propose", t.id, "--solution", "Re-seat the scanner's USB cable.", "--branch")
    gd("review", t.id, "--customer", "--approve")  # the customer accepted on the phone
    assert desk.get(t.id).status == "proposed"  # the PR reviewer's approval is still due
    assert not [m for m in inbox.messages() if "Resolved" in m["Subject"]]
    event = tmp_path / "approved.json"
    event.write_text(fixture.read_text(encoding="utf-8").replace("HD-h3ggyvha", t.id), encoding="utf-8")
    gd("review", "--from-github-event", str(event))
    assert desk.get(t.id).status == "resolved"
    assert "Scanner offline" in _last(inbox, "Resolved")["Subject"]
    updates = [e.get("update") for e in desk.get(t.id).history if e.get("update")]
    assert updates == ["resolved"]  # no "proposed" mail: the customer had already accepted

    # the other order: the reviewer approves first, and only then is the customer asked
    u = desk.open("Badge reader dead", {"name": "Omar", "email": "omar@example.com"})
    gd("prioritise", u.id, "P3")
    gd("start", u.id)
    gd("propose", u.id, "--solution", "Replace the reader's fuse.", "--branch")
    assert not [m for m in inbox.messages() if "Badge reader dead" in m["Subject"] and "Proposed" in m["Subject"]]
    event.write_text(fixture.read_text(encoding="utf-8").replace("HD-h3ggyvha", u.id), encoding="utf-8")
    gd("review", "--from-github-event", str(event))
    assert desk.get(u.id).status == "proposed"
    asked = _last(inbox, "Proposed solution")
    assert "Badge reader dead" in asked["Subject"] and "Replace the reader's fuse." in asked.get_content()
    gd("intake", "email", "in.eml", mail=reply(asked, "Accept", 7, "Omar <omar@example.com>"))
    assert desk.get(u.id).status == "resolved" and "Badge reader dead" in _last(inbox, "Resolved")["Subject"]


def test_reply_to_proves_nothing_a_verdict_and_a_survey_count_by_from(gd, inbox, customer_desk_root, clock):  # noqa: F811
    """Reply-To is whatever the sender writes: a stranger naming the requester there gives no
    verdict and answers no survey; the requester whose client sets Reply-To to an assistant does."""
    desk = Desk(customer_desk_root, clock=clock)
    tid = json.loads(gd("intake", "email", "in.eml", "--json", mail=REQUEST.encode()).stdout)["ticket"]
    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("propose", tid, "--solution", "Clean the tray 2 separation pad.")
    proposal = _last(inbox, "Proposed solution")
    spoof = reply(proposal, "accept", 1, "Mallory <mallory@evil.example>", reply_to="lena@adatum.example")
    out = gd("intake", "email", "in.eml", mail=spoof).output
    assert "mallory@evil.example, who is not the requester" in out and "customer's verdict" not in out
    t = desk.get(tid)
    assert t.status == "proposed" and not [e for e in t.history if e["action"] == "review"]
    assert (t.history[-2]["action"], t.history[-2]["sender"]) == ("contact", "mallory@evil.example")  # a reply
    assert t.history[-1]["action"] == "note" and "mallory@evil.example, who is not" in t.history[-1]["text"]

    own = reply(proposal, "accept", 2, reply_to="Assistant <assistant@adatum.example>")
    assert "customer's verdict recorded" in gd("intake", "email", "in.eml", mail=own).output
    t = desk.get(tid)
    accept = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (t.status, accept["role"], accept["by"]) == ("resolved", "requester", "lena@adatum.example")

    gd("close", tid, "--lesson", "Separation pads wear before rollers")
    invitation = _last(inbox, "How did we do?")
    answers = "Score (1-5): 1\nRight questions (yes/no): no\nTime adequate (yes/no): no\n"
    spoof = reply(invitation, answers, 3, "Mallory <mallory@evil.example>", reply_to="lena@adatum.example")
    out = gd("intake", "email", "in.eml", mail=spoof).output
    assert "not the requester: not counted" in out
    survey = customer_desk_root / "surveys" / f"{tid}.yml"
    assert not survey.exists() and desk.get(tid).status == "closed"
    answers = answers.replace(": 1", ": 5").replace(": no", ": yes")
    out = gd("intake", "email", "in.eml", mail=reply(invitation, answers, 4, reply_to="assistant@adatum.example"))
    assert "survey recorded" in out.output
    recorded = yaml.safe_load(survey.read_text(encoding="utf-8"))
    assert (recorded["score"], recorded["answered_by"]) == (5, "lena@adatum.example")
