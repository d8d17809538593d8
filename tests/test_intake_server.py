"""intake/server.py, `gitdesk intake serve` as Slack meets it: a real server process on 127.0.0.1, requests
signed by the slack_sdk package's own SignatureVerifier, a burst under a held desk lock, SIGTERM with work
queued, and malformed or hostile requests on a raw socket; then the parts in process (replays, the words
of each answer, what the worker keeps when a payload fails, replaying and draining the spool)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import gitdesk_exe
from gitdesk.intake import Outcome, Unusable
from gitdesk.intake.server import MAX_AGE, Replays, SlackApp, _reply, make_server
from recording_servers import SLACK_SECRET, slack_post

SECRET = SLACK_SECRET


class Serve:
    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.log_path = root.parent / "serve.log"
        env = {**os.environ, "GITDESK_SLACK_SIGNING_SECRET": SECRET}
        env.pop("GITDESK_NOW", None)  # signatures are checked against the real clock
        self.proc = subprocess.Popen(
            [*gitdesk_exe(), "intake", "serve", "--port", "0", *args],
            cwd=root,
            env=env,
            stderr=self.log_path.open("w"),
            stdin=subprocess.DEVNULL,
        )
        self.port = int(self._wait_for(r"listening on http://127\.0\.0\.1:(\d+)/").group(1))
        self.url = f"http://127.0.0.1:{self.port}/slack"

    def log(self) -> str:
        return self.log_path.read_text()

    def _wait_for(self, pattern: str, seconds: float = 30) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log())
            if match:
                return match
            assert self.proc.poll() is None, self.log()
            time.sleep(0.05)
        raise AssertionError(f"never logged {pattern!r}:\n{self.log()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


@pytest.fixture
def serve(desk_root):
    started: list[Serve] = []

    def start(*args: str) -> Serve:
        started.append(Serve(desk_root, *args))
        return started[-1]

    yield start
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


def event(n: int) -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0001",
            "event": {
                "type": "message",
                "channel": "C1",
                "user": "U1",
                "text": f"Request number {n}: the printer &amp; scanner on <#C9|floor-3> jam",
                "ts": f"1772441700.{n:06d}",
                "user_profile": {"real_name": "Ada Lovelace"},
            },
        }
    ).encode()


def post(url: str, body: bytes) -> tuple[int, dict]:
    return slack_post(url, body, "application/json")


def tickets(root: Path) -> list[Path]:
    return list((root / "tickets").glob("*.md"))


def spooled(root: Path) -> list[Path]:
    folder = root / ".git" / "gitdesk" / "spool"
    return list(folder.glob("*.slack")) if folder.exists() else []


class HeldLock:
    """The desk lock held by this (live) test process: nothing can be committed until release."""

    def __init__(self, root: Path) -> None:
        import fcntl

        path = root / ".git" / "gitdesk" / "lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.held = open(path, "a")  # noqa: SIM115 - held until release()
        fcntl.flock(self.held, fcntl.LOCK_EX)  # the desk lock is an flock (git/repo.py)

    def release(self) -> None:
        self.held.close()


def wait_until(check, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def burst(url: str, bodies: list[bytes]) -> list[tuple[int, dict]]:
    answers: list[tuple[int, dict]] = [(0, {})] * len(bodies)

    def one(i: int) -> None:
        try:
            answers[i] = post(url, bodies[i])
        except OSError as exc:  # shown in the failing assertion rather than lost in a thread
            answers[i] = (-1, {"error": repr(exc)})

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_burst_of_20_is_answered_before_anything_is_committed(serve, desk_root):
    """While the desk lock is held nothing can be committed, yet all 20 get their 200: the answer
    does not wait for the commit. Each payload is in the spool when answered, a ticket soon after."""
    server = serve("--reply-within", "0.2")
    lock = HeldLock(desk_root)
    answers = burst(server.url, [event(n) for n in range(20)])
    assert [status for status, _ in answers] == [200] * 20
    assert all(a["text"].startswith("Received") for _, a in answers)
    assert tickets(desk_root) == []  # answered, not processed
    assert len(spooled(desk_root)) == 20  # but every one of them is safe on disk
    lock.release()
    assert wait_until(lambda: len(tickets(desk_root)) == 20), server.log()
    assert wait_until(lambda: not spooled(desk_root)), server.log()
    titles = sorted(p.read_text().split("title: ", 1)[1].split("\n", 1)[0] for p in tickets(desk_root))
    assert titles[0].startswith("'Request number 0: the printer & scanner on #floor-3 jam")
    assert server.stop() == 0
    lines = [ln for ln in server.log().splitlines() if ln.startswith("gitdesk intake: POST /slack 200")]
    assert len(lines) == 20 and all(ln.endswith("queued") for ln in lines)


def test_sigterm_with_30_acknowledged_leaves_30_tickets(serve, desk_root):
    server = serve("--reply-within", "0")
    lock = HeldLock(desk_root)  # nothing is processed before the signal
    answers = burst(server.url, [event(n) for n in range(30)])
    assert [status for status, _ in answers] == [200] * 30
    server.proc.send_signal(signal.SIGTERM)
    lock.release()
    assert server.proc.wait(timeout=120) == 0, server.log()
    assert len(tickets(desk_root)) == 30, server.log()
    assert spooled(desk_root) == []
    assert "Traceback" not in server.log()


def test_start_up_replays_what_a_crash_left_in_the_spool(serve, desk_root):
    server = serve("--reply-within", "0")
    lock = HeldLock(desk_root)
    assert post(server.url, event(1))[0] == 200
    assert post(server.url, event(2))[0] == 200
    server.proc.kill()  # a crash: no drain
    server.proc.wait()
    lock.release()
    assert len(spooled(desk_root)) == 2 and tickets(desk_root) == []
    again = serve()
    assert wait_until(lambda: len(tickets(desk_root)) == 2), again.log()
    assert wait_until(lambda: not spooled(desk_root)), again.log()
    assert "replaying 2 payload(s)" in again.log()


def test_empty_slash_command_is_held_not_retried(serve, desk_root):
    server = serve()
    status, answer = post(server.url, b"command=%2Fhelpdesk&text=+&user_id=U1&trigger_id=t1")
    assert status == 200 and answer["gitdesk"]["kind"] == "held"
    held = desk_root / ".git" / "gitdesk" / "spool" / "held"
    assert [p.suffix for p in held.glob("*.slack")] == [".slack"] and spooled(desk_root) == []
    assert tickets(desk_root) == []


def raw_request(port: int, head: str, body: bytes = b"", close_early: bool = False) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n" + body)
        if close_early:
            return ""
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data.decode("latin-1")


def _head(length: str | None, ts: str = "1", sig: str = "v0=00") -> str:
    lines = ["POST /slack HTTP/1.1", "Host: x", "Connection: close", f"X-Slack-Request-Timestamp: {ts}"]
    lines += [f"X-Slack-Signature: {sig}"] + ([f"Content-Length: {length}"] if length is not None else [])
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize(
    "length, status",
    [(None, "411"), ("-5", "400"), ("abc", "400"), ("1" * 40, "400"), ("2000000", "413")],
)
def test_bad_content_length(serve, length, status):
    server = serve()
    answer = raw_request(server.port, _head(length), b"x=1")
    assert answer.split(" ")[1] == status, answer


@pytest.mark.parametrize(
    "ts, sig", [("١٧٧٢٤٤١٧٠٠", "v0=" + "0" * 64), ("9" * 400, "v0=" + "0" * 64), ("1772441700", "v0=ü" + "0" * 63)]
)
def test_hostile_signature_headers_get_401(serve, desk_root, ts, sig):
    server = serve()
    head = _head("3", ts, sig).encode("utf-8").decode("latin-1")  # the bytes a client really sends
    answer = raw_request(server.port, head, b"x=1")
    assert answer.split(" ")[1] == "401", answer
    assert server.proc.poll() is None and "Traceback" not in server.log()


def test_client_that_disconnects_mid_body_is_one_line_not_a_traceback(serve, desk_root):
    server = serve()
    raw_request(server.port, _head("5000"), b"half a body", close_early=True)
    assert post(server.url, event(7))[0] == 200  # still serving
    server.stop()
    log = server.log()
    assert "Traceback" not in log
    assert re.search(r"POST /slack 400 body ended after \d+ of 5000 bytes", log), log


def test_a_stalled_client_is_cut_off_by_the_socket_timeout(serve, desk_root):
    server = serve("--socket-timeout", "0.5")
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as sock:
        sock.sendall(_head("100").encode() + b"\r\n" + b"x=1")  # 3 of 100 bytes, then nothing
        assert sock.recv(1024) == b""  # the server closed it; without a timeout this recv waits forever
    assert post(server.url, event(8))[0] == 200  # and it kept serving
    assert "client gone or too slow" in server.log() and "Traceback" not in server.log()


# -- in process: the server's parts, with the desk's own intake or a `take` that fails on purpose --------------


def test_replays_a_signature_is_taken_once_then_forgotten_after_twice_the_max_age():
    seen = Replays()
    assert seen.first_time("v0=aa", 1000.0)
    assert not seen.first_time("v0=aa", 1000.0 + MAX_AGE)
    assert seen.first_time("v0=bb", 1000.0 + MAX_AGE)
    assert seen.first_time("v0=aa", 1000.0 + 2 * MAX_AGE + 1)  # by then its timestamp is refused anyway


def _done(outcome: Outcome | None = None, error: Exception | None = None):
    from concurrent.futures import Future

    future: Future[Outcome] = Future()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(outcome)
    return future


@pytest.mark.parametrize(
    "outcome, text",
    [
        (Outcome("opened", "HD-1"), "Opened HD-1. We will get back to you."),
        (Outcome("replied", "HD-1"), "Added to HD-1."),
        (Outcome("reopened", "HD-1"), "Reopened HD-1."),
        (Outcome("duplicate", "HD-1"), "Already recorded on HD-1."),
        (Outcome("ignored", reason="a bot's message"), "Not a request (a bot's message)."),
        (Outcome("held", reason="empty"), "Received, but it is not a request we can open as it is"),
        (Outcome("review", "HD-1"), "HD-1: customer's verdict recorded"),  # no words of its own: the CLI's line
    ],
)
def test_each_outcome_has_its_answer(outcome, text):
    answer = _reply(_done(outcome), 1.0)
    assert answer["response_type"] == "ephemeral" and answer["text"].startswith(text)
    assert answer["gitdesk"] == {"kind": outcome.kind, "ticket": outcome.ticket_id}


def test_no_outcome_yet_or_a_failure_is_still_received():
    queued = {"response_type": "ephemeral", "text": "Received; your ticket is being opened."}
    assert _reply(None, 1.0) == queued
    from concurrent.futures import Future

    assert _reply(Future(), 0.0) == queued  # not done within the time: queued
    failed = _reply(_done(error=RuntimeError("kept in the spool (x.slack): disk full")), 1.0)
    assert failed["text"] == "Received, but not yet recorded: kept in the spool (x.slack): disk full"


def _fails(exc: Exception):
    def take(raw: bytes) -> Outcome:
        raise exc

    return take


def test_a_payload_that_fails_stays_in_the_spool_with_its_error(tmp_path):
    app = SlackApp(SECRET, _fails(OSError("disk full")), tmp_path)
    path, future = app.accept(b"command=%2Fhelpdesk&text=x")
    assert future is not None
    with pytest.raises(RuntimeError, match=r"kept in the spool \(.*\.slack\): disk full"):
        future.result(timeout=30)
    app.worker.shutdown(wait=True)
    assert path.exists() and path.with_name(path.name + ".error").read_text() == "OSError: disk full\n"


def test_an_unusable_payload_is_held_and_leaves_the_spool(tmp_path):
    app = SlackApp(SECRET, _fails(Unusable("slack payload", "empty command")), tmp_path)
    path, future = app.accept(b"command=%2Fhelpdesk&text=+")
    assert future is not None
    outcome = future.result(timeout=30)
    app.worker.shutdown(wait=True)
    assert outcome.kind == "held" and "empty command" in outcome.reason
    assert not path.exists() and sorted(p.suffix for p in (tmp_path / "held").iterdir()) == [".error", ".slack"]


def test_replay_and_drain_take_what_the_spool_holds_with_the_desks_own_intake(desk_root, tmp_path):
    from gitdesk.desk.facade import Desk
    from gitdesk.intake.slack import take_slack
    from gitdesk.intake.spool import save

    lines: list[str] = []
    app = SlackApp(SECRET, lambda raw: take_slack(Desk(desk_root), raw), tmp_path, lines.append)
    save(tmp_path, event(1), "slack", "left by a crash")
    save(tmp_path, b"not json, not a form", "eml", "another intake's")  # not this server's to replay
    assert app.replay() == 1
    app.worker.shutdown(wait=True)
    path, future = app.accept(event(2))  # arrived while stopping: spooled, left for the drain
    assert future is None and path.exists()
    assert app.drain() == 0
    assert len(tickets(desk_root)) == 2 and list(tmp_path.glob("*.slack")) == []
    assert len(list(tmp_path.glob("*.eml"))) == 1
    assert lines[0].startswith("replayed ") and ": HD-" in lines[0] and lines[1].startswith("drained: HD-")


@pytest.fixture
def in_process(desk_root, tmp_path):
    """The server in this process, on 127.0.0.1 port 0, over the desk's own Slack intake; its log lines."""
    from gitdesk.desk.facade import Desk
    from gitdesk.intake.slack import take_slack

    lines: list[str] = []
    app = SlackApp(SECRET, lambda raw: take_slack(Desk(desk_root), raw), tmp_path / "spool", lines.append, 30.0)
    httpd = make_server(app, "127.0.0.1", 0)
    serving = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)  # a quick shutdown
    serving.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", lines, tmp_path / "spool"
    httpd.shutdown()
    httpd.server_close()
    app.worker.shutdown(wait=True)


def test_get_is_a_health_check(in_process):
    url, lines, _ = in_process
    with urllib.request.urlopen(f"{url}/", timeout=30) as resp:
        assert (resp.status, json.loads(resp.read())) == (200, {"ok": True, "service": "gitdesk intake"})
    assert lines == ["GET / 200 health"]


def test_a_signed_but_unreadable_payload_is_400_and_spools_nothing(in_process, desk_root):
    url, lines, spool = in_process
    status, answer = post(f"{url}/slack", b"{not json")
    assert status == 400 and "invalid JSON" in answer["error"]
    assert not spool.exists() and tickets(desk_root) == []


def test_an_accepted_payload_is_logged_with_its_outcome_and_ticket(in_process, desk_root):
    url, lines, spool = in_process
    status, answer = post(f"{url}/slack", event(3))
    assert status == 200 and answer["gitdesk"]["kind"] == "opened"
    assert lines == [f"POST /slack 200 opened {answer['gitdesk']['ticket']}"]
    assert list(spool.glob("*.slack")) == [] and len(tickets(desk_root)) == 1
