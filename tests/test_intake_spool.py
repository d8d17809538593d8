"""intake/spool.py: where a message waits after a failure, until `intake retry`, and the held folder.

Interrupted intake first: a failure after the ticket and its attachment are on disk, inside the one git
seam, must leave no trace in the work tree, keep the message in the spool (exit 75) for `intake retry`.
Then the spool's own functions: one file per message, replay, holding, finding and dropping."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import git
from gitdesk.cli.main import cli
from gitdesk.errors import ExitCode, GitdeskError, GitFailure
from gitdesk.git.repo import GitRepo
from gitdesk.intake import Outcome, Unusable
from gitdesk.intake.spool import Spooled, drop, find_held, held, hold, pending, replay, save, spool_dir

MAIL = Path(__file__).parent / "fixtures" / "mail"


def test_commit_failing_after_files_are_written_spools_and_retry_succeeds(desk_root, monkeypatch):
    real = GitRepo.commit_paths
    written: list[list[str]] = []

    def git_fails(self, paths, message, env=None):
        written.append([p for p in paths if (self.root / p).exists()])  # the files really were on disk
        raise GitFailure("git commit-tree: fatal: unable to write new object (simulated)")

    monkeypatch.setattr(GitRepo, "commit_paths", git_fails)
    head = git(desk_root, "rev-parse", "HEAD")
    raw = (MAIL / "attachment.eml").read_bytes()
    result = CliRunner().invoke(cli, ["intake", "email", "-"], input=raw)
    assert result.exit_code == 75, result.output
    assert "unable to write new object" in result.stderr and "intake retry" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert any(p.endswith(".png") for p in written[0]) and any(p.endswith(".md") for p in written[0])
    # nothing left behind: no ticket, no attachment, not even an empty attachments folder
    assert git(desk_root, "rev-parse", "HEAD") == head
    assert git(desk_root, "status", "--porcelain", "--untracked-files=all") == ""
    assert [p.name for p in (desk_root / "tickets").iterdir() if p.name != ".gitkeep"] == []
    spool = desk_root / ".git" / "gitdesk" / "spool"
    [kept] = spool.glob("*.eml")
    assert kept.read_bytes() == raw
    assert "unable to write new object" in (spool / f"{kept.name}.error").read_text()

    monkeypatch.setattr(GitRepo, "commit_paths", real)
    again = CliRunner().invoke(cli, ["intake", "retry", "--no-ack"])
    assert again.exit_code == 0, again.output
    assert "1 replayed, 0 left" in again.stdout
    committed = git(desk_root, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert len(committed) == 2 and any(p.endswith("/attachments/screen_shot.png") for p in committed)
    assert not list(spool.glob("*.eml")) and not list(spool.glob("*.error"))


def test_desk_lock_held_too_long_spools_and_retry_succeeds(desk_root, monkeypatch):
    """Another gitdesk (a live process) holds the desk lock past the wait: the mail is kept, exit 75."""
    lock = desk_root / ".git" / "gitdesk" / "lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(GitRepo.lock.__wrapped__, "__defaults__", (0.2,))  # wait 0.2 s, not 15 s
    hold = (
        "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
        "print(1, flush=True); time.sleep(30)"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(lock)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline()  # the other writer holds the flock
        result = CliRunner().invoke(cli, ["intake", "email", "--no-ack", str(MAIL / "plain.eml")])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 75, result.output
    assert "another gitdesk command is writing" in result.stderr and "intake retry" in result.stderr
    assert git(desk_root, "status", "--porcelain", "--untracked-files=all") == ""
    again = CliRunner().invoke(cli, ["intake", "retry", "--no-ack"])
    assert again.exit_code == 0 and "1 replayed, 0 left" in again.stdout, again.output


# -- the spool's own functions ---------------------------------------------------------------------------------
def test_save_keeps_the_bytes_once_named_by_time_and_hash_with_the_error_beside(tmp_path):
    first = save(tmp_path / "spool", b"raw message", "eml", "GitFailure: disk full")
    assert re.fullmatch(r"\d{8}T\d{6}-[0-9a-f]{16}\.eml", first.name)
    assert first.read_bytes() == b"raw message"
    again = save(tmp_path / "spool", b"raw message", "eml", "LockTimeout: busy")
    assert again == first and pending(tmp_path / "spool") == [first]  # the same bytes twice are one file
    assert (tmp_path / "spool" / f"{first.name}.error").read_text() == "LockTimeout: busy\n"  # the latest reason
    other = save(tmp_path / "spool", b"raw message", "slack", "x")  # the same bytes as another kind: its own
    assert other != first and len(pending(tmp_path / "spool")) == 2


def test_pending_lists_only_messages_in_order(tmp_path):
    assert pending(tmp_path / "nowhere") == []
    for name in ("20260302T090001-b.slack", "20260302T090000-a.eml", "x.eml.error", ".20260302T0-c.eml", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "held").mkdir()
    assert [p.name for p in pending(tmp_path)] == ["20260302T090000-a.eml", "20260302T090001-b.slack"]


def test_replay_drops_what_succeeds_keeps_what_fails_and_holds_what_never_can(tmp_path):
    good = save(tmp_path, b"good", "eml", "x")
    bad = save(tmp_path, b"bad", "eml", "x")
    never = save(tmp_path, b"never", "slack", "x")

    def handle(kind: str, raw: bytes) -> str:
        if raw == b"bad":
            raise OSError("disk full")
        if raw == b"never":
            raise Unusable("slack payload", "empty command")
        return f"took {kind}"

    results = {path: (result, error) for path, result, error in replay(tmp_path, handle)}
    assert results[good] == ("took eml", "")
    assert results[bad] == (None, "disk full")
    outcome, error = results[never]
    assert isinstance(outcome, Outcome) and outcome.kind == "held" and error == ""
    assert pending(tmp_path) == [bad]
    assert (tmp_path / f"{bad.name}.error").read_text() == "OSError: disk full\n"
    assert not (tmp_path / f"{good.name}.error").exists()
    [(kept, reason)] = held(tmp_path)
    assert kept.read_bytes() == b"never" and reason == "slack payload: empty command"


def test_replay_takes_only_the_kinds_asked_for(tmp_path):
    save(tmp_path, b"mail", "eml", "x")
    slack = save(tmp_path, b"slack", "slack", "x")
    taken = [path for path, _, _ in replay(tmp_path, lambda kind, raw: kind, ("slack",))]
    assert taken == [slack] and [p.suffix for p in pending(tmp_path)] == [".eml"]


def test_an_error_already_named_by_its_type_is_not_named_twice(tmp_path):
    class Busy(GitdeskError):
        pass

    def handle(kind: str, raw: bytes) -> None:
        raise Busy("Busy: the lock")

    path = save(tmp_path, b"m", "eml", "x")
    [(_, _, error)] = list(replay(tmp_path, handle))
    assert error == "Busy: the lock" and (tmp_path / f"{path.name}.error").read_text() == "Busy: the lock\n"


def test_find_held_by_name_or_any_unique_part(tmp_path):
    a = hold(tmp_path, b"first", "eml", "no sender")
    b = hold(tmp_path, b"second", "slack", "empty command")
    assert find_held(tmp_path, a.name) == a
    assert find_held(tmp_path, f"some/dir/{b.name}") == b  # a path as the shell completes it
    assert find_held(tmp_path, a.name.split("-")[1][:8]) == a
    with pytest.raises(GitdeskError, match="no held message matches 'zzz'"):
        find_held(tmp_path, "zzz")
    with pytest.raises(GitdeskError, match="matches 2 held messages"):
        find_held(tmp_path, "-")  # in every held name
    with pytest.raises(GitdeskError, match="no held message matches"):
        find_held(tmp_path, "  ")


def test_drop_removes_the_message_and_its_reason_and_minds_nothing_missing(tmp_path):
    path = hold(tmp_path, b"m", "eml", "no sender")
    drop(path)
    assert held(tmp_path) == [] and list((tmp_path / "held").iterdir()) == []
    drop(path)  # already gone: nothing to do


def test_spool_dir_is_the_configured_one_or_the_state_dir_when_the_config_is_broken(desk_root, clock):
    from gitdesk.desk.facade import Desk

    assert spool_dir(Desk(desk_root, clock=clock)) == desk_root / ".git" / "gitdesk" / "spool"
    config = desk_root / "gitdesk.yml"
    config.write_text(config.read_text() + "\nintake:\n  spool: var/spool\n")
    assert spool_dir(Desk(desk_root, clock=clock)) == desk_root / "var" / "spool"
    config.write_text(config.read_text().replace("spool: var/spool", "spool: [not, a, path]"))
    assert spool_dir(Desk(desk_root, clock=clock)) == desk_root / ".git" / "gitdesk" / "spool"


def test_spooled_is_a_temporary_failure_the_sender_retries():
    assert Spooled("kept").exit_code == ExitCode.TEMPFAIL == 75
