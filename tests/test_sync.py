"""gitdesk sync: two clones of one bare remote edit the same ticket at once; rejected pushes are retried."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli.main import cli
from gitdesk.core.ticket import parse
from gitdesk.desk.facade import Desk

REQ = {"name": "Bob Smith", "email": "bob@example.com"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def gitdesk(clone: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--desk", str(clone), *args])


@pytest.fixture
def world(desk_root, desk, clock, tmp_path, monkeypatch):
    """A bare remote holding a desk with one ticket in progress, and two clones: alice and bob.

    alice ran `gitdesk install`; bob did not, so his sync must bring the driver itself.
    """
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    t = desk.open("Printer on floor 3 jams", REQ)
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(desk_root), str(remote))
    clones = {}
    for name in ("alice", "bob"):
        clones[name] = tmp_path / name
        git(tmp_path, "clone", "-q", str(remote), str(clones[name]))
    assert gitdesk(clones["alice"], "install").exit_code == 0
    clock.advance(minutes=10)
    return {
        "id": t.id,
        "remote": remote,
        **clones,
        "a": Desk(clones["alice"], clock=clock, actor="alice"),
        "b": Desk(clones["bob"], clock=clock, actor="bob"),
    }


def ticket_at(root: Path, ticket_id: str):  # type: ignore[no-untyped-def]
    return parse((root / "tickets" / f"{ticket_id}.md").read_text())


def both_sync(world, clock, alice_does, bob_does):  # type: ignore[no-untyped-def]
    alice_does(world["a"])
    clock.advance(minutes=1)
    bob_does(world["b"])
    first = gitdesk(world["alice"], "sync")
    assert first.exit_code == 0, first.output
    return gitdesk(world["bob"], "sync")


def test_different_fields_merge(world, clock):
    tid = world["id"]
    result = both_sync(
        world, clock, lambda d: d.assign(tid, to="carol"), lambda d: d.edit(tid, {"location": "Floor 3, room 12"})
    )
    assert result.exit_code == 0, result.output
    assert "main: in sync with origin" in result.output
    t = ticket_at(world["bob"], tid)
    assert (t.meta["assignee"], t.meta["location"]) == ("carol", "Floor 3, room 12")
    assert git(world["remote"], "rev-parse", "main") == git(world["bob"], "rev-parse", "HEAD")
    assert gitdesk(world["bob"], "validate", "--base", "HEAD~2").exit_code == 0


def test_both_adding_notes_keeps_both(world, clock):
    tid = world["id"]
    result = both_sync(
        world, clock, lambda d: d.note(tid, "alice: checked tray 2"), lambda d: d.note(tid, "bob: ordered rollers")
    )
    assert result.exit_code == 0, result.output
    notes = [(e["by"], e["text"]) for e in ticket_at(world["bob"], tid).history if e["action"] == "note"]
    assert notes == [("alice", "alice: checked tray 2"), ("bob", "bob: ordered rollers")]
    gitdesk(world["alice"], "sync")
    assert ticket_at(world["alice"], tid).history == ticket_at(world["bob"], tid).history
    assert gitdesk(world["alice"], "validate").exit_code == 0


def test_a_real_status_conflict_stops_with_markers(world, clock):
    tid = world["id"]
    result = both_sync(
        world, clock, lambda d: d.wait(tid, "Which tray?"), lambda d: d.propose(tid, "Replace the rollers")
    )
    assert result.exit_code == 1
    assert f"sync stopped: tickets/{tid}.md really conflict" in result.output
    assert len(result.output.strip().splitlines()) == 1
    text = (world["bob"] / "tickets" / f"{tid}.md").read_text()
    # During a rebase "ours" is the remote's side (alice's wait) and "theirs" is bob's commit.
    assert "<<<<<<< ours\nstatus: waiting\n=======\nstatus: proposed\n>>>>>>> theirs\n" in text
    check = gitdesk(world["bob"], "validate")
    assert check.exit_code == 1 and "unresolved merge conflict on field 'status'" in check.output
    assert git(world["remote"], "log", "-1", "--format=%an", "main") != ""  # alice's push stands


def hook(remote: Path, script: str) -> None:
    path = remote / "hooks" / "pre-receive"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_a_push_rejected_by_a_race_is_retried(world, clock):
    tid, remote = world["id"], world["remote"]
    world["a"].note(tid, "alice got there first")
    git(world["alice"], "push", "-q", "origin", "HEAD:refs/heads/racer")
    racer = git(world["alice"], "rev-parse", "HEAD")
    # Someone else's push lands while bob's is in flight: main moves under him once.
    hook(
        remote,
        f'cat >/dev/null\nif [ ! -f "$GIT_DIR/raced" ]; then touch "$GIT_DIR/raced"; '
        f"env -u GIT_QUARANTINE_PATH git update-ref refs/heads/main {racer} && echo raced >&2; fi\n",
    )
    world["b"].note(tid, "bob second")
    result = gitdesk(world["bob"], "sync")
    assert result.exit_code == 0, result.output
    assert "in sync with origin after 2 attempts" in result.output
    log = git(remote, "log", "--format=%s", "-3", "main").splitlines()
    assert log[:2] == [f"{tid}: note", f"{tid}: note"]
    assert git(remote, "merge-base", "--is-ancestor", racer, "main") == ""


def test_a_push_rejected_every_time_stops_with_a_clear_message(world):
    hook(world["remote"], 'cat >/dev/null\necho try >> "$GIT_DIR/attempts"\necho "desk is frozen" >&2\nexit 1\n')
    world["b"].note(world["id"], "will not land")
    result = gitdesk(world["bob"], "sync", "--retries", "2")
    assert result.exit_code == 1
    assert "the push to origin/main was rejected 3 times" in result.output
    assert "run 'gitdesk sync' again" in result.output
    assert (world["remote"] / "attempts").read_text().count("try") == 3


def test_sync_without_a_remote_or_branch(desk_root, cli_invoke):
    result = cli_invoke("sync", ok=False)
    assert result.exit_code == 1 and "there is no remote 'origin'" in result.output
    git(desk_root, "checkout", "-q", "--detach")
    result = cli_invoke("sync", ok=False)
    assert result.exit_code == 1 and "HEAD is detached" in result.output


# -- the merge cases of issue 10: each result replays validly, and validate accepts it -------------
def history_of(root: Path, ticket_id: str) -> list[tuple[str, str, str, str]]:
    return [(e["by"], e["action"], e["from"], e["to"]) for e in ticket_at(root, ticket_id).history]


def validates(world) -> None:  # type: ignore[no-untyped-def]
    """The synced clone's whole desk, and the change against what the remote had before, are valid."""
    whole = gitdesk(world["bob"], "validate")
    assert whole.exit_code == 0, whole.output
    change = gitdesk(world["bob"], "validate", "--base", "HEAD~1")
    assert change.exit_code == 0, change.output


def test_a_wait_and_the_customers_later_reply_merge_into_waiting_then_in_progress(world, clock):
    tid = world["id"]
    result = both_sync(
        world,
        clock,
        lambda d: d.wait(tid, "Which tray jams?"),
        lambda d: d.contact(tid, "email", "Tray 2, since Monday", inbound=True),
    )
    assert result.exit_code == 0, result.output
    assert history_of(world["bob"], tid)[-2:] == [
        ("alice", "wait", "in_progress", "waiting"),
        ("bob", "contact", "waiting", "in_progress"),  # bob recorded it from in_progress; the replay moved it
    ]
    assert ticket_at(world["bob"], tid).meta["status"] == "in_progress"
    validates(world)
    assert git(world["remote"], "rev-parse", "main") == git(world["bob"], "rev-parse", "HEAD")


def test_a_status_move_and_a_note_merge_with_the_note_in_the_new_status(world, clock):
    tid = world["id"]
    result = both_sync(world, clock, lambda d: d.wait(tid, "Which tray?"), lambda d: d.note(tid, "rollers ordered"))
    assert result.exit_code == 0, result.output
    assert history_of(world["bob"], tid)[-2:] == [
        ("alice", "wait", "in_progress", "waiting"),
        ("bob", "note", "waiting", "waiting"),
    ]
    assert ticket_at(world["bob"], tid).meta["status"] == "waiting"
    validates(world)


def test_a_priority_change_and_an_escalation_merge_both(world, clock):
    tid = world["id"]
    result = both_sync(
        world,
        clock,
        lambda d: d.prioritise(tid, "P2", reason="the whole floor prints there"),
        lambda d: d.escalate(tid, "needs the vendor's technician"),
    )
    assert result.exit_code == 0, result.output
    t = ticket_at(world["bob"], tid)
    assert (t.meta["priority"], t.meta["tier"], t.meta["status"]) == ("P2", 2, "in_progress")
    assert [a for _, a, _, _ in history_of(world["bob"], tid)[-2:]] == ["prioritise", "escalate"]
    validates(world)


def resolve(desk, ticket_id: str) -> None:  # type: ignore[no-untyped-def]
    desk.propose(ticket_id, "Replace the tray rollers")
    desk.review(ticket_id, True, "carol")


def test_two_closes_into_one_kb_article_keep_both_lessons(world, clock):
    first = world["id"]
    second = world["a"].open("Printer on floor 5 jams", REQ).id
    world["a"].prioritise(second, "P3")
    world["a"].start(second)
    resolve(world["a"], first)
    resolve(world["a"], second)
    assert gitdesk(world["alice"], "sync").exit_code == 0
    assert gitdesk(world["bob"], "sync").exit_code == 0
    clock.advance(minutes=5)
    result = both_sync(
        world,
        clock,
        lambda d: d.close(first, "Worn rollers jam tray 2", kb_slug="printer-jams"),
        lambda d: d.close(second, "Damp paper jams tray 1", kb_slug="printer-jams"),
    )
    assert result.exit_code == 0, result.output
    article = (world["bob"] / "kb" / "printer-jams.md").read_text()
    assert "Worn rollers jam tray 2" in article and "Damp paper jams tray 1" in article
    assert article.count("## Printer on floor") == 2 and "<<<<<<<" not in article
    from gitdesk.core.kb import parse_article

    meta, _ = parse_article(article, "kb/printer-jams.md")
    assert meta["tickets"] == [first, second]
    validates(world)


def test_no_valid_replay_stops_the_sync_and_pushes_nothing(world, clock):
    tid = world["id"]
    before = git(world["remote"], "rev-parse", "main")
    result = both_sync(world, clock, lambda d: d.wait(tid, "Which tray?"), lambda d: d.propose(tid, "Rollers"))
    assert result.exit_code == 1
    assert git(world["remote"], "rev-parse", "main") != before  # alice's wait landed
    assert git(world["remote"], "log", "-1", "--format=%s", "main") == f"{tid}: wait for the customer"
    check = gitdesk(world["bob"], "validate")
    assert "unresolved merge conflict on field 'status'" in check.output
    assert "unresolved merge conflict on field 'history'" in check.output


def test_sync_never_pushes_what_validate_rejects(world, clock):
    tid = world["id"]
    path = world["bob"] / "tickets" / f"{tid}.md"
    path.write_text(path.read_text().replace("status: in_progress", "status: resolved", 1))
    git(world["bob"], "commit", "-q", "-am", "hand edit: mark it resolved")
    before = git(world["remote"], "rev-parse", "main")
    result = gitdesk(world["bob"], "sync")
    assert result.exit_code == 1
    assert "sync did not push: 'gitdesk validate' rejects tickets/" in result.output
    assert "a resolved ticket needs a review event approving its latest proposal (and 1 more)" in result.output
    assert "your commits are safe locally" in result.output
    assert git(world["remote"], "rev-parse", "main") == before
    assert git(world["bob"], "log", "-1", "--format=%s") == "hand edit: mark it resolved"
