"""`gitdesk intake serve`: a small HTTP endpoint for Slack's slash commands and Events API.

Each POST is checked before anything else: a bad or stale signature, or a
signature seen before (a replay), gets 401 and nothing is written. The ticket
is committed by one worker thread, so writes stay serial; the answer goes back
as soon as the commit is done or after REPLY_WITHIN seconds, whichever comes
first, which keeps inside Slack's 3-second limit even when the desk lock is
busy. A payload that fails to commit is spooled for `gitdesk intake retry`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gitdesk.intake import Outcome
from gitdesk.intake.slack import MAX_AGE, decode, verify

REPLY_WITHIN = 2.0
MAX_BODY = 1024 * 1024


class Replays:
    """Signatures seen in the last five minutes: the same signed request twice is a replay."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, sig: str, now: float) -> bool:
        with self._lock:
            self._seen = {s: t for s, t in self._seen.items() if now - t <= MAX_AGE * 2}
            if sig in self._seen:
                return False
            self._seen[sig] = now
            return True


class SlackApp:
    """What the handler needs: the secret, the worker, and how to take and spool a payload."""

    def __init__(self, secret: str, take: Callable[[bytes], Outcome], spool: Callable[[bytes, str], Path]) -> None:
        self.secret = secret
        self.take = take
        self.spool = spool
        self.replays = Replays()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gitdesk-intake")

    def submit(self, raw: bytes) -> Future[Outcome]:
        def job() -> Outcome:
            try:
                return self.take(raw)
            except Exception as exc:  # kept in the spool; the HTTP answer has long gone
                path = self.spool(raw, f"{type(exc).__name__}: {exc}")
                raise RuntimeError(f"kept in the spool ({path.name}): {exc}") from None

        return self.worker.submit(job)


class Handler(BaseHTTPRequestHandler):
    server_version = "gitdesk-intake"
    app: SlackApp  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: the CLI prints one line per request itself, see _answer

    def _answer(self, code: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._answer(200, {"ok": True, "service": "gitdesk intake"})

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, {"error": "payload too large"})
            return
        raw = self.rfile.read(length)
        sig = self.headers.get("X-Slack-Signature") or ""
        problem = verify(self.app.secret, self.headers.get("X-Slack-Request-Timestamp") or "", raw, sig, time.time())
        if not problem and not self.app.replays.first_time(sig, time.time()):
            problem = "request already received (a replay)"
        if problem:
            self._answer(401, {"error": problem})
            return
        try:
            data = decode(raw)
        except Exception as exc:  # a signed but unreadable payload: tell Slack, write nothing
            self._answer(400, {"error": str(exc)})
            return
        if data.get("type") == "url_verification":
            self._answer(200, {"challenge": data.get("challenge", "")})
            return
        self._answer(200, _reply(self.app.submit(raw)))


def _reply(future: Future[Outcome]) -> dict[str, Any]:
    try:
        outcome = future.result(timeout=REPLY_WITHIN)
    except FutureTimeout:
        return {"response_type": "ephemeral", "text": "Received; your ticket is being opened."}
    except Exception as exc:  # already spooled by the worker
        return {"response_type": "ephemeral", "text": f"Received, but not yet recorded: {exc}"}
    words = {
        "opened": f"Opened {outcome.ticket_id}. We will get back to you.",
        "replied": f"Added to {outcome.ticket_id}.",
        "duplicate": f"Already recorded on {outcome.ticket_id}.",
        "ignored": f"Not a request ({outcome.reason}).",
    }
    return {
        "response_type": "ephemeral",
        "text": words.get(outcome.kind, outcome.line()),
        "gitdesk": {"kind": outcome.kind, "ticket": outcome.ticket_id},
    }


def make_server(app: SlackApp, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"app": app})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
