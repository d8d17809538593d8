"""channels/http.py: JSON over HTTP to the Slack and GitHub APIs, against a recording server on 127.0.0.1.

Every failure is one plain `DeliveryError` line: a refusal with its status and the API's words, a host
that does not answer; answers that are not a JSON object are still a dict.
"""

from __future__ import annotations

import socket

import pytest

from gitdesk.channels.http import DeliveryError, call
from recording_servers import api  # noqa: F401 - the recording HTTP server fixture


def test_the_payload_goes_as_json_with_the_headers_given(api):  # noqa: F811
    answer = call("POST", f"{api.url}/chat.postMessage", {"channel": "C1", "text": "Ünïcode ✓"}, {"X-Extra": "1"})
    assert answer["ok"] is True and answer["channel"] == "C1"
    [sent] = api.calls
    assert (sent.method, sent.path, sent.body) == ("POST", "/chat.postMessage", {"channel": "C1", "text": "Ünïcode ✓"})
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert sent.headers["User-Agent"] == "gitdesk" and sent.headers["X-Extra"] == "1"


def test_the_method_is_the_one_asked_for(api):  # noqa: F811
    call("PATCH", f"{api.url}/repos/acme/desk/issues/7", {"state": "closed"}, {})
    assert [(c.method, c.body) for c in api.calls] == [("PATCH", {"state": "closed"})]


def test_a_refusal_names_the_call_the_status_and_the_apis_words(api):  # noqa: F811
    api.fail = 403
    with pytest.raises(DeliveryError) as caught:
        call("POST", f"{api.url}/repos/acme/desk/issues/7/comments", {"body": "x"}, {})
    message = str(caught.value)
    assert message.startswith(f"POST {api.url}/repos/acme/desk/issues/7/comments: HTTP 403")
    assert "stand-in refused" in message and "\n" not in message


def test_a_host_that_does_not_answer_is_one_line_too():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused, and no one else gets it
    try:
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/api"
        with pytest.raises(DeliveryError, match=r"^POST http://127\.0\.0\.1:\d+/api: .*refused"):
            call("POST", url, {}, {})
    finally:
        closed.close()


@pytest.mark.parametrize(
    "raw, answer",
    [
        (b"", {}),
        (b"  \n", {}),
        (b"ok", {"text": "ok"}),  # a Slack response_url answers in plain text
        (b"[1, 2]", {"value": [1, 2]}),
        (b'{"ok": false, "error": "channel_not_found"}', {"ok": False, "error": "channel_not_found"}),
    ],
)
def test_whatever_the_answer_it_is_a_dict(api, raw, answer):  # noqa: F811
    api.raw = raw
    assert call("POST", f"{api.url}/anything", {}, {}) == answer


def test_a_long_text_answer_is_cut(api):  # noqa: F811
    api.raw = b"x" * 5000
    assert call("POST", f"{api.url}/anything", {}, {}) == {"text": "x" * 200}
