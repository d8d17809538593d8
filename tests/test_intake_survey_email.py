"""Survey answers by email: the invitation on close asks for answer lines, and intake reads the reply."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from gitdesk.intake.survey_reply import read_reply
from test_mail import smtp  # noqa: F401 - the real aiosmtpd server on 127.0.0.1, as a fixture


def _head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def _resolved(desk, email: str = "bob@example.com") -> str:
    t = desk.open("Printer jams", {"name": "Bob", "email": email})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "New rollers")
    desk.review(t.id, True, "lead")
    return t.id


def _take(cli_invoke, raw: bytes, ok: bool = True):
    Path("reply.eml").write_bytes(raw)
    return cli_invoke("intake", "email", "reply.eml", ok=ok)


def _reply(
    ticket_id: str, body: str, message_id: str = "<r1@example.com>", in_reply_to: str = "", subject: str = ""
) -> bytes:
    subject = subject or f"Re: [{ticket_id}] How did we do? Printer jams"
    head = f"From: Bob <bob@example.com>\r\nTo: help@desk.example\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
    if in_reply_to:
        head += f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n"
    return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body.replace("\n", "\r\n")).encode()


def test_reply_to_the_emailed_invitation_records_the_survey(cli_invoke, desk, desk_root, smtp):  # noqa: F811
    ticket_id = _resolved(desk)
    cli_invoke("close", ticket_id, "--lesson", "Rollers wear out")
    [invitation] = smtp.messages()
    text = invitation.get_content()
    assert "Score (1-5):" in text and "Right questions (yes/no):" in text and "What should we improve:" in text
    assert desk.get(ticket_id).history[-1]["survey_invite"] == "email"
    quoted = "\n".join(f"> {line}" for line in text.splitlines())
    body = (
        "Score (1-5): 4/5\nright questions: Y\nTime adequate (yes/no): no, it took a week\n"
        "What should we improve: Call back sooner\nAnything else: Friendly technician.\n\n"
        f"On Mon, 2 Mar 2026, Service desk <help@desk.example> wrote:\n{quoted}\n"
    )
    before = _head(desk_root)
    out = _take(cli_invoke, _reply(ticket_id, body, in_reply_to=invitation["Message-ID"])).output
    assert out.strip() == f"{ticket_id}: survey recorded (score 4)"
    record = yaml.safe_load((desk_root / "surveys" / f"{ticket_id}.yml").read_text())
    assert (record["source"], record["score"], record["right_questions"], record["time"]) == (
        "email",
        4,
        "yes",
        "too-long",
    )
    assert (record["improve"], record["comment"]) == ("Call back sooner", "Friendly technician.")
    log = subprocess.run(
        ["git", "log", "--format=%B", f"{before}..HEAD"], cwd=desk_root, check=True, capture_output=True, text=True
    ).stdout
    assert log.count("Gitdesk-Action:") == 1 and "Gitdesk-Action: survey" in log  # exactly one commit
    t = desk.get(ticket_id)
    assert t.status == "closed" and t.history[-1]["action"] == "survey"
    report = json.loads(cli_invoke("report", "--format", "json").stdout)["satisfaction"]
    assert json.dumps(report).count("Call back sooner") == 1 and "4" in json.dumps(report)
    # the mail server delivers the same reply again: nothing changes
    head = _head(desk_root)
    again = _take(cli_invoke, _reply(ticket_id, body, in_reply_to=invitation["Message-ID"])).output
    assert "nothing changed" in again and "a survey is already recorded" in again
    assert _head(desk_root) == head
    assert len(smtp.envelopes) == 1  # a survey reply is not acknowledged


def test_reply_threads_by_the_invitation_message_id_when_the_subject_tag_is_gone(cli_invoke, desk, desk_root, smtp):  # noqa: F811
    ticket_id = _resolved(desk)
    cli_invoke("close", ticket_id, "--lesson", "Rollers wear out")
    [invitation] = smtp.messages()
    assert not desk.get(ticket_id).meta.get("message_ids")  # the invitation is not logged on the ticket
    body = "Score: 5\nRight questions: yes\nTime: yes\n"
    out = _take(cli_invoke, _reply(ticket_id, body, in_reply_to=invitation["Message-ID"], subject="Re: survey"))
    assert out.output.strip() == f"{ticket_id}: survey recorded (score 5)"
    assert yaml.safe_load((desk_root / "surveys" / f"{ticket_id}.yml").read_text())["source"] == "email"


def test_reply_without_answers_is_a_contact(cli_invoke, desk, desk_root):
    ticket_id = _resolved(desk)
    desk.close(ticket_id, "Rollers wear out")
    out = _take(cli_invoke, _reply(ticket_id, "Thanks, all good now!\n\n> Score (1-5):\n")).output
    assert out.startswith(f"{ticket_id}: reply added") and "survey" not in out
    event = desk.get(ticket_id).history[-1]
    assert (event["action"], event["direction"], event["summary"]) == ("contact", "inbound", "Thanks, all good now!")
    assert not (desk_root / "surveys" / f"{ticket_id}.yml").exists()


def test_unreadable_score_is_kept_as_a_contact_and_says_so(cli_invoke, desk, desk_root):
    ticket_id = _resolved(desk)
    desk.close(ticket_id, "Rollers wear out")
    result = _take(cli_invoke, _reply(ticket_id, "Score (1-5): 9\nRight questions: yes\nTime adequate: yes\n"))
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "reply added" in result.output
    assert "Survey answers could not be read (Score (1-5): '9' is not a score from 1 to 5)" in result.output
    contact, flag = desk.get(ticket_id).history[-2:]
    assert "Score (1-5): 9" in contact["summary"]  # nothing lost
    assert flag["action"] == "note" and "could not be read" in flag["text"]  # flagged on the ticket itself
    assert desk.get(ticket_id).status == "closed"  # a survey attempt does not reopen
    assert not (desk_root / "surveys" / f"{ticket_id}.yml").exists()


def test_a_survey_already_recorded_is_not_replaced(cli_invoke, desk, desk_root):
    ticket_id = _resolved(desk)
    desk.close(ticket_id, "Rollers wear out")
    cli_invoke("survey", ticket_id, "--score", "5", "--right-questions", "yes", "--time", "adequate")
    head = _head(desk_root)
    out = _take(cli_invoke, _reply(ticket_id, "Score: 1\nRight questions: no\nTime: too long\n")).output
    assert out.strip() == f"{ticket_id}: already received, nothing changed (a survey is already recorded)"
    assert _head(desk_root) == head
    assert yaml.safe_load((desk_root / "surveys" / f"{ticket_id}.yml").read_text())["score"] == 5


def test_answers_on_a_ticket_that_is_not_closed_are_a_plain_reply(cli_invoke, desk, desk_root):
    ticket_id = _resolved(desk)  # resolved, not closed: no survey yet
    out = _take(cli_invoke, _reply(ticket_id, "Score: 5\nRight questions: yes\nTime: yes\n")).output
    assert "reply added" in out
    assert not (desk_root / "surveys").exists() or not list((desk_root / "surveys").glob("*.yml"))


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Score (1-5): 4\nRight questions (yes/no): yes\nTime adequate (yes/no): yes", (4, "yes", "adequate")),
        ("SCORE: 4/5\nright questions: n\ntime adequate: too long", (4, "no", "too-long")),
        ("- **Score:** ****\n- **Right questions:** Y\n- Time: ok", (4, "yes", "adequate")),
        ("score = 5 - great\nDid we ask the right questions?: yes\nWas the time adequate?: No", (5, "yes", "too-long")),
        ("Score: 2\nRight questions: yes\nTime: yes\n\nOn Tue, X wrote:\n> Score: 5", (2, "yes", "adequate")),
        ("> Score: 5\nScore: 3 out of 5\nRight questions: yes\nTime: yes\nScore: 1", (3, "yes", "adequate")),
    ],
)
def test_answer_lines_are_read_leniently(body, expected):
    answers = read_reply(body)
    assert answers is not None and not answers.problem
    assert (answers.score, answers.right_questions, answers.time) == expected


@pytest.mark.parametrize(
    "body, problem",
    [
        ("Score: 9\nRight questions: yes\nTime: yes", "'9' is not a score from 1 to 5"),
        ("Score: ******\nRight questions: yes\nTime: yes", "is not a score from 1 to 5"),
        ("Score: 8/10\nRight questions: yes\nTime: yes", "'8/10' is not a score"),
        ("Score: 4\nRight questions: maybe\nTime: yes", "'maybe' is not yes or no"),
        ("Score: 4\nRight questions: yes", "Time adequate (yes/no): no answer"),
        ("What should we improve: faster replies", "Score (1-5): no answer"),
    ],
)
def test_unreadable_answers_name_the_problem(body, problem):
    answers = read_reply(body)
    assert answers is not None and problem in answers.problem


def test_free_text_answers_run_over_lines_and_plain_replies_have_none():
    answers = read_reply(
        "Score: 4\nRight questions: yes\nTime: yes\nWhat should we improve:\nCall back\n"
        "sooner.\n\nAnything else: no\n-- \nBob\nScore: 1"
    )
    assert answers is not None and (answers.improve, answers.comment, answers.score) == ("Call back\nsooner.", "no", 4)
    assert read_reply("Thanks, the printer works again.\n> Score (1-5):\n> Right questions (yes/no):") is None
