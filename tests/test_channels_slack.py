"""channels/slack.py: updates posted in the request's Slack thread (bot token) or to its response_url,
against a recording Web API on 127.0.0.1 (the whole loop in Slack is in test_customer_loop_channels.py)."""

from __future__ import annotations

import pytest

from gitdesk.channels.http import DeliveryError
from gitdesk.channels.slack import post, reachable, thread_of
from gitdesk.core.ticket import Ticket
from recording_servers import api  # noqa: F401 - the recording HTTP server fixture


def ticket(slack=None) -> Ticket:
    meta = {"id": "HD-4f7k2m9q", "title": "VPN drops", "channel": "slack"}
    if slack is not None:
        meta["slack"] = slack
    return Ticket(meta)


@pytest.mark.parametrize(
    "info, found",
    [
        ({"channel": "C1", "ts": "1772441700.000100"}, ("C1", "1772441700.000100")),  # a message: its own thread
        ({"channel": "C1", "ts": "1.1", "thread": "0.9"}, ("C1", "0.9")),  # a reply in a thread: the thread's
        ({"channel": "C1"}, ("C1", "")),  # a slash command: no thread until the first update
        ("C1", ("", "")),
        (None, ("", "")),
    ],
)
def test_thread_of(info, found):
    assert thread_of(ticket(info)) == found


def test_reachable_by_a_bot_token_and_a_channel_or_by_the_response_url():
    token = {"GITDESK_SLACK_BOT_TOKEN": "xoxb-1"}
    assert reachable(ticket({"channel": "C1"}), token)
    assert not reachable(ticket({"channel": "C1"}), {})
    assert not reachable(ticket({}), token)
    assert reachable(ticket({"response_url": "https://hooks.slack.example/x"}), {})


def test_a_post_in_the_thread_with_the_bot_token(api):  # noqa: F811
    env = {"GITDESK_SLACK_BOT_TOKEN": "xoxb-1", "GITDESK_SLACK_API": api.url + "/"}
    ref = post(ticket({"channel": "C1", "ts": "1772441700.000100"}), "We are on it.", env)
    [sent] = api.calls
    assert sent.path == "/chat.postMessage" and sent.headers["Authorization"] == "Bearer xoxb-1"
    assert sent.body == {
        "channel": "C1",
        "text": "We are on it.",
        "unfurl_links": False,
        "thread_ts": "1772441700.000100",
    }
    assert ref == "slack:C1:1772442000.000001"  # the ts Slack gave the posted message


def test_the_first_post_for_a_slash_command_starts_a_thread(api):  # noqa: F811
    env = {"GITDESK_SLACK_BOT_TOKEN": "xoxb-1", "GITDESK_SLACK_API": api.url}
    post(ticket({"channel": "C1"}), "Opened.", env)
    assert "thread_ts" not in api.calls[0].body


def test_slacks_refusal_in_an_ok_answer_is_a_delivery_error(api):  # noqa: F811
    api.raw = b'{"ok": false, "error": "channel_not_found"}'
    env = {"GITDESK_SLACK_BOT_TOKEN": "xoxb-1", "GITDESK_SLACK_API": api.url}
    with pytest.raises(DeliveryError, match="chat.postMessage refused: channel_not_found"):
        post(ticket({"channel": "C1"}), "x", env)
    api.raw = b"{}"
    with pytest.raises(DeliveryError, match="no ok in the answer"):
        post(ticket({"channel": "C1"}), "x", env)


def test_without_a_token_the_response_url_gets_it_in_channel(api):  # noqa: F811
    url = f"{api.url}/commands/T1/123/abc"
    ref = post(ticket({"channel": "C1", "response_url": url}), "Opened HD-4f7k2m9q.", {})
    [sent] = api.calls
    assert sent.path == "/commands/T1/123/abc"
    assert sent.body == {"text": "Opened HD-4f7k2m9q.", "response_type": "in_channel", "replace_original": False}
    assert "Authorization" not in sent.headers
    assert ref == "slack:response_url:HD-4f7k2m9q"


def test_with_neither_nothing_is_sent(api):  # noqa: F811
    with pytest.raises(DeliveryError, match="no GITDESK_SLACK_BOT_TOKEN in the environment and no response_url"):
        post(ticket({"channel": "C1"}), "x", {"GITDESK_SLACK_API": api.url})
    assert api.calls == []
