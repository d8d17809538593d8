"""The customer's loop in Slack and on a GitHub issue, against a recording HTTP server on 127.0.0.1.

The server stands in for the Slack Web API (`chat.postMessage`) and the GitHub REST API
(issue comments, closing the issue); the tests read back what gitdesk sent it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli.main import cli
from gitdesk.desk.facade import Desk
from recording_servers import api  # noqa: F401 - the recording HTTP server fixture


@pytest.fixture
def gd(customer_desk_root, clock):
    runner = CliRunner()

    def run(*args: str, payload: str | None = None):
        if payload is not None:
            Path("payload.json").write_text(payload, encoding="utf-8")
        clock.advance(minutes=30)
        result = runner.invoke(cli, [*args])
        assert result.exit_code == 0, result.output
        return result

    return run


def slack_message(text: str, ts: str, user: str = "U1", thread: str = "") -> str:
    event = {"type": "message", "channel": "C9", "user": user, "text": text, "ts": ts}
    if thread:
        event["thread_ts"] = thread
    return json.dumps({"type": "event_callback", "team_id": "T1", "event": event})


def test_the_whole_customer_loop_in_slack(gd, api, customer_desk_root, clock, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GITDESK_SLACK_API", api.url)
    monkeypatch.setenv("GITDESK_SLACK_BOT_TOKEN", "xoxb-test")
    desk = Desk(customer_desk_root, clock=clock)
    out = gd("intake", "slack", "payload.json", "--json", payload=slack_message("VPN drops every hour", "100.1"))
    tid = json.loads(out.stdout)["ticket"]
    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("wait", tid, "--question", "Which client version do you run?")
    [question] = api.to("/chat.postMessage")
    assert question.headers["Authorization"] == "Bearer xoxb-test"
    assert (question.body["channel"], question.body["thread_ts"]) == ("C9", "100.1")
    assert "Which client version do you run?" in question.body["text"]
    assert "reply in this thread" in question.body["text"]
    gd("intake", "slack", "payload.json", payload=slack_message("6.1.2", "100.2", thread="100.1"))
    assert desk.get(tid).status == "in_progress"

    gd("propose", tid, "--solution", "Roll the client back to 6.0.")
    assert "Roll the client back to 6.0." in api.to("/chat.postMessage")[-1].body["text"]
    # someone else in the channel cannot judge the requester's solution
    gd("intake", "slack", "payload.json", payload=slack_message("accept", "100.3", user="U2", thread="100.1"))
    assert desk.get(tid).status == "proposed"
    gd("intake", "slack", "payload.json", payload=slack_message("change: 6.0 lacks MFA", "100.4", thread="100.1"))
    t = desk.get(tid)
    assert t.status == "in_progress"
    review = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (review["role"], review["verdict"], review["feedback"]) == ("requester", "request-changes", "6.0 lacks MFA")

    gd("propose", tid, "--solution", "Raise the gateway rekey lifetime to 3600 s.")
    gd("intake", "slack", "payload.json", payload=slack_message("Accept", "100.5", thread="100.1"))
    assert desk.get(tid).status == "resolved"
    gd("close", tid, "--lesson", "Match the gateway rekey lifetime to the client")
    posts = [c.body["text"] for c in api.to("/chat.postMessage")]
    assert all(c.body["thread_ts"] == "100.1" for c in api.to("/chat.postMessage"))
    assert [p.split("\n")[2].split(" ")[0:2] for p in posts] == [
        ["To", "go"],
        ["We", "propose"],
        ["We", "have"],
        ["We", "propose"],
        ["Your", "request"],
        ["Your", "request"],
    ]
    assert "is closed" in posts[-1] and "how we did" in posts[-1]
    updates = [e["update"] for e in desk.get(tid).history if e.get("update")]
    assert updates == ["question", "proposed", "changes", "proposed", "resolved", "closed"]
    assert {e["via"] for e in desk.get(tid).history if e.get("update")} == {"slack"}

    gd("reopen", tid, "--reason", "The drops are back since the gateway update.")
    reopened = api.to("/chat.postMessage")[-1].body
    assert reopened["thread_ts"] == "100.1" and "The drops are back since the gateway update." in reopened["text"]
    assert [e["update"] for e in desk.get(tid).history if e.get("update")][-1] == "reopened"


def test_a_slash_command_request_starts_its_thread_with_the_first_update(
    gd,
    api,  # noqa: F811
    customer_desk_root,
    clock,
    monkeypatch,
):
    monkeypatch.setenv("GITDESK_SLACK_API", api.url)
    monkeypatch.setenv("GITDESK_SLACK_BOT_TOKEN", "xoxb-test")
    desk = Desk(customer_desk_root, clock=clock)
    form = "command=/helpdesk&text=Printer+jams&user_id=U1&user_name=mia&channel_id=C5&trigger_id=tr1"
    tid = json.loads(gd("intake", "slack", "payload.json", "--json", payload=form).stdout)["ticket"]
    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("wait", tid, "--question", "Which tray?")
    [first] = api.to("/chat.postMessage")
    assert "thread_ts" not in first.body and first.body["channel"] == "C5"
    root = desk.get(tid).meta["slack"]["thread"]
    gd("intake", "slack", "payload.json", payload=slack_message("Tray 2", "200.9", thread=root).replace("C9", "C5"))
    assert desk.get(tid).status == "in_progress"  # the answer in that thread reached the ticket


def test_slack_refusal_is_noted_on_the_ticket(gd, api, customer_desk_root, clock, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GITDESK_SLACK_API", api.url)
    monkeypatch.setenv("GITDESK_SLACK_BOT_TOKEN", "xoxb-test")
    api.fail = 500
    desk = Desk(customer_desk_root, clock=clock)
    tid = json.loads(gd("intake", "slack", "payload.json", "--json", payload=slack_message("VPN", "1.1")).stdout)[
        "ticket"
    ]
    gd("prioritise", tid, "P3")
    gd("start", tid)
    result = gd("wait", tid, "--question", "Which version?")
    assert "the customer was not told" in result.output
    note = desk.get(tid).history[-1]
    assert note["action"] == "note" and "HTTP 500" in note["text"] and "via slack" in note["text"]


REQUEST_BODY = """### Your name

Mia Novak

### Email

_No response_

### What is the problem?

The scanner on floor 2 is offline.
"""


def issue_event(number: int = 7) -> str:
    issue = {
        "number": number,
        "title": "[Request] Scanner offline",
        "body": REQUEST_BODY,
        "html_url": f"https://github.example/acme/desk/issues/{number}",
        "user": {"login": "mia-n"},
        "labels": [{"name": "gitdesk-request"}],
    }
    return json.dumps({"action": "opened", "issue": issue, "repository": {"full_name": "acme/desk"}})


def comment_event(body: str, n: int, login: str = "mia-n", kind: str = "User") -> str:
    event = json.loads(issue_event())
    event["action"] = "created"
    event["comment"] = {"id": n, "body": body, "user": {"login": login, "type": kind}}
    return json.dumps(event)


def test_the_whole_customer_loop_on_a_github_issue(gd, api, customer_desk_root, clock, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GITDESK_GITHUB_API", api.url)
    monkeypatch.setenv("GITDESK_GITHUB_TOKEN", "ghs-test")
    desk = Desk(customer_desk_root, clock=clock)
    tid = json.loads(gd("intake", "github-issue", "payload.json", "--json", payload=issue_event()).stdout)["ticket"]
    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("wait", tid, "--question", "Is the scanner's light on?")
    [question] = api.to("/comments")
    assert question.path == "/repos/acme/desk/issues/7/comments"
    assert question.headers["Authorization"] == "Bearer ghs-test"
    assert "Is the scanner's light on?" in question.body["body"] and "comment on this issue" in question.body["body"]
    gd("intake", "github-issue", "payload.json", payload=comment_event("The light is off.", 1))
    assert desk.get(tid).status == "in_progress"
    # the desk's own comment comes back as an event too: never taken as the customer's
    assert (
        "bot" in gd("intake", "github-issue", "payload.json", payload=comment_event("x", 2, "bot[bot]", "Bot")).output
    )

    gd("propose", tid, "--solution", "Replace the power supply.")
    gd("intake", "github-issue", "payload.json", payload=comment_event("Not solved: still dead.", 3))
    assert desk.get(tid).status == "in_progress"
    gd("propose", tid, "--solution", "Replace the mainboard.")
    gd("intake", "github-issue", "payload.json", payload=comment_event("accept", 4))
    assert desk.get(tid).status == "resolved"
    gd("close", tid, "--lesson", "Check the mainboard when the PSU is fine")
    [closing] = [c for c in api.calls if c.method == "PATCH"]
    assert closing.path == "/repos/acme/desk/issues/7" and closing.body == {
        "state": "closed",
        "state_reason": "completed",
    }
    comments = [c.body["body"] for c in api.to("/comments")]
    assert len(comments) == 6 and "is closed" in comments[-1]
    updates = [e["update"] for e in desk.get(tid).history if e.get("update")]
    assert updates == ["question", "proposed", "changes", "proposed", "resolved", "closed"]
    t = desk.get(tid)
    review = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (review["by"], review["role"]) == ("mia-n", "requester")

    gd("reopen", tid, "--reason", "The scanner died again.")
    assert "The scanner died again." in api.to("/comments")[-1].body["body"]
    reopening = [c for c in api.calls if c.method == "PATCH"][-1]
    assert reopening.path == "/repos/acme/desk/issues/7" and reopening.body["state"] == "open"
    assert [e["update"] for e in desk.get(tid).history if e.get("update")][-1] == "reopened"


def test_a_cancelled_request_closes_its_issue_as_not_planned(gd, api, customer_desk_root, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GITDESK_GITHUB_API", api.url)
    monkeypatch.setenv("GITDESK_GITHUB_TOKEN", "ghs-test")
    tid = json.loads(gd("intake", "github-issue", "payload.json", "--json", payload=issue_event()).stdout)["ticket"]
    gd("prioritise", tid, "P3")
    assert [c for c in api.calls if c.method == "PATCH"] == []  # an internal move leaves the issue open
    gd("cancel", tid, "--reason", "The scanner was replaced anyway.")
    [closing] = [c for c in api.calls if c.method == "PATCH"]
    assert closing.path == "/repos/acme/desk/issues/7"
    assert closing.body == {"state": "closed", "state_reason": "not_planned"}


def test_a_verdict_on_the_issue_counts_only_from_the_issue_author(gd, api, customer_desk_root, clock, monkeypatch):  # noqa: F811
    """`accept` or `not solved: ...` commented by someone else is kept as a comment, never a verdict."""
    monkeypatch.setenv("GITDESK_GITHUB_API", api.url)
    monkeypatch.setenv("GITDESK_GITHUB_TOKEN", "ghs-test")
    desk = Desk(customer_desk_root, clock=clock)
    tid = json.loads(gd("intake", "github-issue", "payload.json", "--json", payload=issue_event()).stdout)["ticket"]
    gd("prioritise", tid, "P3")
    gd("start", tid)
    gd("propose", tid, "--solution", "Replace the power supply.")
    for n, body in enumerate(("accept", "Not solved: it is still dead."), 1):
        out = gd("intake", "github-issue", "payload.json", payload=comment_event(body, n, login="eve-x")).output
        assert "not the requester" in out
        t = desk.get(tid)
        assert t.status == "proposed" and not [e for e in t.history if e["action"] == "review"]
    gd("intake", "github-issue", "payload.json", payload=comment_event("not solved: the fan is silent", 9))
    t = desk.get(tid)
    review = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (t.status, review["by"], review["role"], review["feedback"]) == (
        "in_progress",
        "mia-n",
        "requester",
        "the fan is silent",
    )
