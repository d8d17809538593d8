"""intake/issue_comments.py: a comment on a request's issue threads onto its ticket; bots and edits never do.

The whole loop on an issue (questions, verdicts, who may give them) is in test_customer_loop_channels.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitdesk.intake.forms import take_issue
from gitdesk.intake.issue_comments import request_of, take_comment
from gitdesk.intake.record import Request

GITHUB = Path(__file__).parent / "fixtures" / "github"


def comment_event(body: str = "The light is off.", n: int = 1, **comment) -> dict:
    event = json.loads((GITHUB / "issue_request_opened.json").read_text())
    event["action"] = "created"
    event["comment"] = {"id": n, "body": body, "user": {"login": "ada-l", "type": "User"}, **comment}
    return event


def test_a_comment_is_a_request_threaded_on_its_issue():
    req = request_of(comment_event(n=77))
    assert isinstance(req, Request)
    assert (req.channel, req.message_id, req.thread_ids) == (
        "github",
        "github:example/desk#42:comment:77",
        ["github:example/desk#42"],
    )
    assert req.requester == {"name": "ada-l", "github": "ada-l"} and req.body == "The light is off."


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"action": "edited"}, "comment action 'edited', only 'created' is taken"),
        ({"action": "deleted"}, "comment action 'deleted', only 'created' is taken"),
        ({"user": {"login": "gitdesk-bot", "type": "Bot"}}, "a bot's comment"),
        ({"user": {"login": "github-actions[bot]", "type": "User"}}, "a bot's comment"),
        ({"performed_via_github_app": {"slug": "desk"}}, "a bot's comment"),
        ({"body": "   \n "}, "an empty comment"),
    ],
)
def test_what_is_never_a_reply(change, reason):
    event = comment_event()
    if "action" in change:
        event["action"] = change["action"]
    else:
        event["comment"].update(change)
    got = request_of(event)
    assert isinstance(got, str) and got.startswith(reason)


def test_a_comment_replies_on_the_ticket_the_form_opened(desk):
    opened = take_issue(desk, json.loads((GITHUB / "issue_request_opened.json").read_text()))
    outcome = take_comment(desk, comment_event("Since the driver update it also smears.", 5))
    assert (outcome.kind, outcome.ticket_id) == ("replied", opened.ticket_id)
    t = desk.get(opened.ticket_id)
    assert t.history[-1]["summary"] == "Since the driver update it also smears."
    assert t.history[-1]["via"] == "github" and t.history[-1]["direction"] == "inbound"
    assert take_comment(desk, comment_event("Since the driver update it also smears.", 5)).kind == "duplicate"


def test_a_bots_comment_changes_nothing(desk, desk_root):
    opened = take_issue(desk, json.loads((GITHUB / "issue_request_opened.json").read_text()))
    before = desk.get(opened.ticket_id).meta
    outcome = take_comment(desk, comment_event("We have a question", 6, user={"login": "x[bot]", "type": "Bot"}))
    assert outcome.kind == "ignored" and desk.get(opened.ticket_id).meta == before


def test_a_comment_on_an_issue_no_ticket_came_from_opens_nothing(desk):
    """A bug report or a discussion in the desk's repository is not a request: its comments are not either."""
    outcome = take_comment(desk, comment_event("Any news on the dark mode?", 9))
    assert (outcome.kind, outcome.reason) == ("ignored", "a comment on an issue no ticket came from")
    assert list(desk.tickets()) == []
