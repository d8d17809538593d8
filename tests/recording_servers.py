"""Stand-ins for the outside world, on 127.0.0.1: an SMTP inbox (aiosmtpd), a recording HTTP API,
and Slack's side of a request to gitdesk's Slack endpoint (signed with slack_sdk).

The HTTP server answers like the Slack Web API (`chat.postMessage`) and the GitHub REST
API (issue comments, issue updates) and records every request, so tests can read what
gitdesk sent. Both bind port 0 and keep the socket: no free-port race.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def _controller(inbox: Inbox):
    from aiosmtpd.controller import Controller

    class BoundController(Controller):
        """Serves on a socket bound before start and kept open (port 0: the system picks)."""

        def __init__(self, handler: Any) -> None:
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))
            super().__init__(handler, hostname="127.0.0.1", port=self.sock.getsockname()[1])

        def _create_server(self):
            return self.loop.create_server(self._factory_invoker, sock=self.sock)

    return BoundController(inbox)


@pytest.fixture
def inbox(monkeypatch):
    """A real SMTP server on 127.0.0.1 the desk sends through (GITDESK_SMTP_*)."""
    box = Inbox()
    controller = _controller(box)
    controller.start()
    monkeypatch.setenv("GITDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GITDESK_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Service desk <help@desk.example>")
    yield box
    controller.stop()


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class RecordingAPI:
    """What the stand-in API received, and whether it should refuse (`fail` = an HTTP status) or
    answer 200 with other bytes than the API's usual JSON (`raw`: b"", b"ok", a refusal in the body)."""

    url: str = ""
    calls: list[Call] = field(default_factory=list)
    fail: int = 0
    raw: bytes | None = None

    def to(self, suffix: str) -> list[Call]:
        return [c for c in self.calls if c.path.endswith(suffix)]


def _handler(api: RecordingAPI):
    counter = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw.strip() else {}
            api.calls.append(Call(self.command, self.path, dict(self.headers), body))
            if api.fail:
                self.send_response(api.fail)
                self.end_headers()
                self.wfile.write(b'{"message": "stand-in refused"}')
                return
            if api.raw is not None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(api.raw)))
                self.end_headers()
                self.wfile.write(api.raw)
                return
            n = next(counter)
            if self.path.endswith("/chat.postMessage"):
                answer: dict[str, Any] = {"ok": True, "channel": body.get("channel"), "ts": f"1772442000.{n:06d}"}
            elif self.path.endswith("/comments"):
                answer = {"id": n, "html_url": f"https://github.example/issues/comment-{n}"}
            else:
                answer = {"ok": True}
            data = json.dumps(answer).encode()
            self.send_response(201 if self.command == "POST" and "comments" in self.path else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_PATCH = _answer  # noqa: N815 - http.server's names

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def api():
    """A recording HTTP server on 127.0.0.1 standing in for the Slack Web API and GitHub REST API."""
    recorder = RecordingAPI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # shutdown: 0.05 s, not 0.5
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # Slack's documented example signing secret


def slack_post(
    url: str, body: bytes, content_type: str, ts: str | None = None, sig: str | None = None, timeout: float = 30
) -> tuple[int, dict[str, Any]]:
    """POST `body` as Slack does: timestamped and signed by slack_sdk's SignatureVerifier with
    SLACK_SECRET (or with `sig`, a forged one); (status, the JSON answer)."""
    from slack_sdk.signature import SignatureVerifier

    ts = ts or str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig or SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body),
        "Content-Type": content_type,
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
