"""Interrupted intake: a failure after the ticket and its attachment are on disk, inside the one git
seam, must leave no trace in the work tree, keep the message in the spool (exit 75) for `intake retry`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conftest import git
from gitdesk.cli.main import cli
from gitdesk.errors import GitFailure
from gitdesk.git.repo import GitRepo

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
