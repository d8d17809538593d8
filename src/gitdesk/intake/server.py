"""`gitdesk intake serve`: a small HTTP endpoint for Slack's slash commands and Events API.

Each POST is checked before anything else: a malformed request gets 400/411/413,
a bad or stale signature, or a signature seen before (a replay), gets 401, and
nothing is written. An accepted payload is written to the spool *before* the
answer, so a 200 is a promise: the ticket is committed by one worker thread
(writes stay serial) and the spool file removed only once it is. The answer goes
back when the commit is done or after `reply_within` seconds, whichever is first,
so Slack's 3-second limit holds however busy the desk lock is. On SIGTERM or
SIGINT the server stops listening, lets requests in flight finish and drains the
queue; at start-up it replays whatever a crash left in the spool.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from gitdesk.intake import Outcome, Unusable
from gitdesk.intake import spool as spooling
from gitdesk.intake.slack import MAX_AGE, decode, verify

REPLY_WITHIN = 2.0
SOCKET_TIMEOUT = 10.0  # a slow or stalled client cannot hold a thread longer than this per read
MAX_BODY = 1024 * 1024
Log = Callable[[str], None]


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
    """What the handler needs: the secret, how to take a payload, the spool, and the log."""

    def __init__(
        self,
        secret: str,
        take: Callable[[bytes], Outcome],
        spool: Path,
        log: Log = lambda line: None,
        reply_within: float = REPLY_WITHIN,
    ) -> None:
        self.secret, self.take, self.spool, self.log = secret, take, spool, log
        self.reply_within = reply_within
        self.replays = Replays()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gitdesk-intake")

    def accept(self, raw: bytes) -> tuple[Path, Future[Outcome] | None]:
        """Spool first (the answer is a promise), then queue for the worker; None once draining."""
        path = spooling.save(self.spool, raw, "slack", "queued by intake serve, not yet committed")
        try:
            return path, self.worker.submit(self._job, path, raw)
        except RuntimeError:  # shutting down: the spool keeps it and the drain or the next start takes it
            return path, None

    def _job(self, path: Path, raw: bytes) -> Outcome:
        try:
            outcome = self.take(raw)
        except Unusable as exc:
            held = spooling.hold(self.spool, raw, "slack", str(exc))
            spooling.drop(path)
            return Outcome("held", reason=f"{exc}; kept as {held.name}")
        except Exception as exc:  # stays in the spool for `intake retry` (or the next start)
            path.with_name(f"{path.name}.error").write_text(f"{type(exc).__name__}: {exc}\n", encoding="utf-8")
            raise RuntimeError(f"kept in the spool ({path.name}): {exc}") from None
        spooling.drop(path)
        return outcome

    def replay(self) -> int:
        """Queue what an earlier run left in the spool; returns how many."""
        paths = [p for p in spooling.pending(self.spool) if p.suffix == ".slack"]
        for path in paths:
            future = self.worker.submit(self._job, path, path.read_bytes())
            future.add_done_callback(self._replayed(path.name))
        return len(paths)

    def _replayed(self, name: str) -> Callable[[Future[Outcome]], None]:
        return lambda future: self.log(f"replayed {name}: {_result_words(future)}")

    def drain(self) -> int:
        """After the worker stopped: take what requests spooled while it was stopping."""
        left = 0
        for _, outcome, error in spooling.replay(self.spool, lambda kind, raw: self.take(raw), ("slack",)):
            left += bool(error)
            self.log(f"drained: {error or outcome.line()}")
        return left


def _result_words(future: Future[Outcome]) -> str:
    try:
        outcome = future.result()
    except Exception as exc:  # already kept in the spool by _job
        return str(exc)
    return outcome.line()


class Handler(BaseHTTPRequestHandler):
    server_version = "gitdesk-intake"
    timeout = SOCKET_TIMEOUT  # StreamRequestHandler applies it to the socket
    app: SlackApp  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: one line per request is logged by _answer

    def _answer(self, code: int, payload: dict[str, Any], outcome: str = "", ticket: str = "") -> None:
        data = json.dumps(payload).encode("utf-8")
        what = outcome or str(payload.get("error") or "")
        self.app.log(f"{self.command} {self.path} {code} {what}{' ' + ticket if ticket else ''}".rstrip())
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (ConnectionError, TimeoutError):  # the client went away; its payload, if any, is spooled
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self._answer(200, {"ok": True, "service": "gitdesk intake"}, "health")

    def _body(self) -> bytes | None:
        """The request body, or None after answering what is wrong with the request."""
        given = self.headers.get("Content-Length")
        if given is None:
            self._answer(411, {"error": "Content-Length required"})
            return None
        if not (given.strip().isascii() and given.strip().isdigit()) or len(given.strip()) > 12:
            self._answer(400, {"error": "Content-Length must be a whole number of bytes"})
            return None
        length = int(given)
        if length > MAX_BODY:
            self._answer(413, {"error": "payload too large"})
            return None
        raw = self.rfile.read(length)
        if len(raw) != length:
            self._answer(400, {"error": f"body ended after {len(raw)} of {length} bytes"})
            return None
        return raw

    def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
        try:
            raw = self._body()
        except (ConnectionError, TimeoutError):
            self.app.log(f"POST {self.path} - client gone or too slow before the body arrived")
            self.close_connection = True
            return
        if raw is None:
            return
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
            self._answer(200, {"challenge": data.get("challenge", "")}, "url_verification")
            return
        path, future = self.app.accept(raw)
        payload = _reply(future, self.app.reply_within)
        info = payload.get("gitdesk", {})
        self._answer(200, payload, info.get("kind", "queued"), info.get("ticket", ""))


def _reply(future: Future[Outcome] | None, within: float) -> dict[str, Any]:
    queued = {"response_type": "ephemeral", "text": "Received; your ticket is being opened."}
    if future is None:
        return queued
    try:
        outcome = future.result(timeout=within)
    except FutureTimeout:
        return queued
    except Exception as exc:  # already spooled by the worker
        return {"response_type": "ephemeral", "text": f"Received, but not yet recorded: {exc}"}
    words = {
        "opened": f"Opened {outcome.ticket_id}. We will get back to you.",
        "replied": f"Added to {outcome.ticket_id}.",
        "reopened": f"Reopened {outcome.ticket_id}.",
        "duplicate": f"Already recorded on {outcome.ticket_id}.",
        "ignored": f"Not a request ({outcome.reason}).",
        "held": "Received, but it is not a request we can open as it is; the desk will look at it.",
    }
    return {
        "response_type": "ephemeral",
        "text": words.get(outcome.kind, outcome.line()),
        "gitdesk": {"kind": outcome.kind, "ticket": outcome.ticket_id},
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    request_queue_size = 128  # the stdlib's 5 refuses a burst of concurrent Slack requests
    block_on_close = True  # server_close waits for requests in flight (each bounded by SOCKET_TIMEOUT)
    log: Log = staticmethod(lambda line: None)  # type: ignore[assignment]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, never a traceback: a reset connection is the client's business."""
        import sys

        exc = sys.exc_info()[1]
        self.log(f"request from {client_address[0]} failed: {type(exc).__name__}: {exc}")


def make_server(app: SlackApp, host: str, port: int, timeout: float = SOCKET_TIMEOUT) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"app": app, "timeout": timeout})
    server = _Server((host, port), handler)
    server.log = app.log  # type: ignore[method-assign]
    return server


def serve(app: SlackApp, server: ThreadingHTTPServer) -> int:
    """Replay the spool, serve until SIGTERM/SIGINT, then drain; returns how many payloads are left."""
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()  # shutdown() waits for serve_forever

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        replayed = app.replay()
        if replayed:
            app.log(f"replaying {replayed} payload(s) left in the spool")
        server.serve_forever()
    finally:
        server.server_close()  # no new connections; requests in flight finish
        app.worker.shutdown(wait=True)  # the queue is committed
        left = app.drain()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return left
