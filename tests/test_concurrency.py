"""Real `gitdesk` processes writing to one desk at the same moment: no change is lost."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from conftest import gitdesk_exe
from gitdesk.core.ticket import parse

pytestmark = pytest.mark.slow

BUSY = "another gitdesk command is writing to this desk"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def _race(root: Path, commands: list[list[list[str]]]) -> list[subprocess.CompletedProcess]:
    """Run each list of commands in its own thread, all threads released at once."""
    results: list[subprocess.CompletedProcess] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(commands))

    def worker(batch: list[list[str]]) -> None:
        gate.wait()
        for args in batch:
            proc = subprocess.run(
                [*gitdesk_exe(), *args],
                cwd=root,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=60,
            )
            with lock:
                results.append(proc)

    threads = [threading.Thread(target=worker, args=(batch,)) for batch in commands]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _check(results: list[subprocess.CompletedProcess]) -> int:
    """Every run succeeded, or failed with the one clear busy line; returns how many succeeded."""
    ok = 0
    for proc in results:
        assert "Traceback" not in proc.stderr
        if proc.returncode == 0:
            ok += 1
        else:
            assert proc.returncode == 75 and proc.stderr.count("\n") == 1 and BUSY in proc.stderr, proc.stderr
    return ok


def test_two_processes_noting_the_same_ticket(desk_root, open_ticket):
    tid = open_ticket()
    start = git(desk_root, "rev-parse", "HEAD")
    batches = [[["note", tid, f"{who} note {i}"] for i in range(10)] for who in ("alice", "bob")]
    ok = _check(_race(desk_root, batches))
    assert ok == 20  # the lock waits up to 15 s, far longer than 20 notes take
    ticket = parse((desk_root / "tickets" / f"{tid}.md").read_text(encoding="utf-8"))
    notes = [e["text"] for e in ticket.history if e["action"] == "note"]
    assert sorted(notes) == sorted(f"{who} note {i}" for who in ("alice", "bob") for i in range(10))
    for who in ("alice", "bob"):  # each writer's own notes stay in the order it made them
        mine = [n for n in notes if n.startswith(who)]
        assert mine == [f"{who} note {i}" for i in range(10)]
    assert git(desk_root, "rev-list", "--count", f"{start}..HEAD") == "20"
    assert git(desk_root, "status", "--porcelain") == ""
    # Every commit holds exactly one more note than its parent: none overwrote another.
    counts = []
    for commit in git(desk_root, "rev-list", "--reverse", f"{start}..HEAD").splitlines():
        text = git(desk_root, "show", f"{commit}:tickets/{tid}.md")
        counts.append(sum(1 for e in parse(text).history if e["action"] == "note"))
    assert counts == list(range(1, 21))


def test_two_processes_opening_tickets(desk_root):
    start = git(desk_root, "rev-parse", "HEAD")
    batches = [
        [["new", f"{who} ticket {i}", "--requester", f"{who}@example.com"] for i in range(3)]
        for who in ("alice", "bob")
    ]
    assert _check(_race(desk_root, batches)) == 6
    files = sorted(p.name for p in (desk_root / "tickets").glob("*.md"))
    assert len(files) == 6 == len(set(files))
    assert git(desk_root, "rev-list", "--count", f"{start}..HEAD") == "6"
    assert sorted(git(desk_root, "ls-files", "tickets/*.md").split()) == [f"tickets/{f}" for f in files]
    assert git(desk_root, "status", "--porcelain") == ""
