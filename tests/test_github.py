"""channels/github.py: comments on a request's GitHub issue, and closing or reopening it, against a
recording REST API on 127.0.0.1 (the whole loop on an issue is in test_customer_loop_channels.py)."""

from __future__ import annotations

import pytest

from gitdesk.channels.github import close_issue, comment, issue_of, reachable, reopen_issue
from gitdesk.channels.http import DeliveryError
from gitdesk.core.ticket import Ticket
from recording_servers import api  # noqa: F401 - the recording HTTP server fixture


def ticket(github=None) -> Ticket:
    meta = {"id": "HD-4f7k2m9q", "title": "Plotter prints twice", "channel": "github"}
    if github is not None:
        meta["github"] = github
    return Ticket(meta)


ON_RECORD = {"issue": 7, "repo": "acme/desk", "url": "https://github.com/acme/desk/issues/7"}


@pytest.mark.parametrize(
    "info, found",
    [
        (ON_RECORD, ("acme/desk", 7)),
        ({"issue": 7, "url": "https://github.com/acme/desk/issues/7"}, ("acme/desk", 7)),  # repo from the URL
        ({"issue": 7, "url": "https://github.com/acme/desk/pull/7"}, None),
        ({"issue": "7", "repo": "acme/desk"}, None),  # hand-edited: not a number
        ({"issue": True, "repo": "acme/desk"}, None),
        ({"repo": "acme/desk"}, None),
        ("github:acme/desk#7", None),
        (None, None),
    ],
)
def test_issue_of(info, found):
    assert issue_of(ticket(info)) == found


def test_reachable_needs_a_token_and_an_issue():
    assert reachable(ticket(ON_RECORD), {"GITHUB_TOKEN": "ghs-1"})
    assert not reachable(ticket(ON_RECORD), {})
    assert not reachable(ticket(ON_RECORD), {"GITDESK_GITHUB_TOKEN": ""})
    assert not reachable(ticket(), {"GITHUB_TOKEN": "ghs-1"})


def test_a_comment_goes_to_the_issue_with_the_desks_token_first(api):  # noqa: F811
    env = {"GITDESK_GITHUB_TOKEN": "desk-token", "GITHUB_TOKEN": "actions-token", "GITDESK_GITHUB_API": api.url + "/"}
    ref = comment(ticket(ON_RECORD), "Is the plotter's light on?", env)
    [sent] = api.calls
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/repos/acme/desk/issues/7/comments",
        {"body": "Is the plotter's light on?"},
    )
    assert sent.headers["Authorization"] == "Bearer desk-token"
    assert sent.headers["Accept"] == "application/vnd.github+json"
    assert ref == "https://github.example/issues/comment-1"  # the comment's URL is what the ticket logs


def test_a_comment_answer_without_a_url_is_logged_by_its_id_or_the_endpoint(api):  # noqa: F811
    env = {"GITHUB_TOKEN": "t", "GITDESK_GITHUB_API": api.url}
    api.raw = b'{"id": 99}'
    assert comment(ticket(ON_RECORD), "x", env) == "99"
    api.raw = b""
    assert comment(ticket(ON_RECORD), "x", env) == f"{api.url}/repos/acme/desk/issues/7/comments"


@pytest.mark.parametrize("completed, reason", [(True, "completed"), (False, "not_planned")])
def test_closing_the_issue_says_why(api, completed, reason):  # noqa: F811
    close_issue(ticket(ON_RECORD), completed, {"GITHUB_TOKEN": "t", "GITDESK_GITHUB_API": api.url})
    [sent] = api.calls
    assert (sent.method, sent.path, sent.body) == (
        "PATCH",
        "/repos/acme/desk/issues/7",
        {"state": "closed", "state_reason": reason},
    )


def test_reopening_the_issue(api):  # noqa: F811
    reopen_issue(ticket(ON_RECORD), {"GITHUB_TOKEN": "t", "GITDESK_GITHUB_API": api.url})
    assert [(c.method, c.path, c.body) for c in api.calls] == [
        ("PATCH", "/repos/acme/desk/issues/7", {"state": "open"})
    ]


@pytest.mark.parametrize("info, env", [(ON_RECORD, {}), (None, {"GITHUB_TOKEN": "t"})])
def test_without_a_token_or_an_issue_nothing_is_sent(api, info, env):  # noqa: F811
    env = {**env, "GITDESK_GITHUB_API": api.url}
    for send in (lambda: comment(ticket(info), "x", env), lambda: close_issue(ticket(info), True, env)):
        with pytest.raises(DeliveryError, match="HD-4f7k2m9q: no GitHub issue on record or no GITDESK_GITHUB_TOKEN"):
            send()
    assert api.calls == []


def test_a_refused_comment_is_a_delivery_error(api):  # noqa: F811
    api.fail = 404
    with pytest.raises(DeliveryError, match="HTTP 404"):
        comment(ticket(ON_RECORD), "x", {"GITHUB_TOKEN": "t", "GITDESK_GITHUB_API": api.url})
