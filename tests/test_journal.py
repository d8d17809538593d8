"""Crash safety (desk/journal.py): a write killed at any moment is settled by the next one.

The SIGKILL loop is bench/kill_loop.py (a longer run: `python bench/kill_loop.py DIR --runs 300`);
here it runs 55 times: a kill at each git call of five verbs, then at random moments.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import git

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import contextlib

import kill_loop  # noqa: E402


def test_sigkill_at_every_git_call_and_at_random_moments_loses_nothing(tmp_path):
    root = tmp_path / "desk"
    kill_loop.make_desk(root)
    loop = kill_loop.Loop(root, seed=10)
    counts = loop.run(55)
    assert counts.failures == []
    assert counts.runs == 55
    at_calls = sum(n for moment, n in counts.by_moment.items() if moment.startswith("git call"))
    assert at_calls >= 25 and counts.by_moment["random"] == 55 - at_calls
    # Most kills land; not all: a verb may make fewer git calls than its counted run (a warm index
    # needs fewer), and a random moment may come after the verb finished.
    assert counts.killed >= 25
    assert counts.recovered >= 1  # some kills left a journal, and the next verb settled it
    print(f"kill loop: {counts.runs} runs, {counts.killed} killed, {counts.recovered} settled by the next verb")


def test_an_uncommitted_write_is_taken_back(desk, desk_root, open_ticket, cli_invoke, monkeypatch):
    from gitdesk.desk import journal

    tid = open_ticket()
    rel = f"tickets/{tid}.md"
    committed = (desk_root / rel).read_bytes()
    monkeypatch.setattr(journal, "undo", lambda *a: None)
    monkeypatch.setattr(journal, "end", lambda state: None)
    monkeypatch.setattr(desk.repo, "commit_paths", lambda *a, **k: (_ for _ in ()).throw(SystemExit(9)))
    with contextlib.suppress(SystemExit):
        desk.note(tid, "half done")
    assert b"half done" in (desk_root / rel).read_bytes()  # as a crash would leave it
    assert (desk_root / ".git" / "gitdesk" / "journal.json").exists()
    monkeypatch.undo()
    (desk_root / "tickets" / f".{tid}.md.4242.tmp").write_text("torn")
    assert journal.recover(desk_root, desk.repo) == [rel]
    assert (desk_root / rel).read_bytes() == committed
    assert git(desk_root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (desk_root / ".git" / "gitdesk" / "journal.json").exists()


def test_a_commit_that_landed_gets_the_users_index_staged(desk, desk_root, open_ticket, monkeypatch):
    """Killed after HEAD moved: nothing to undo, but `git status` must not show a revert (MM, or D + ??)."""
    from gitdesk.desk import journal
    from gitdesk.git import commit

    tid = open_ticket()
    monkeypatch.setattr(journal, "end", lambda state: None)
    desk.note(tid, "landed")
    new = desk.open("Fresh", {"email": "c@example.com"})
    monkeypatch.undo()
    commit.reset_user_index(desk.repo, git(desk_root, "rev-parse", "HEAD~1"), [f"tickets/{new.id}.md"])
    assert git(desk_root, "status", "--porcelain", "--", "tickets").splitlines() == [
        f"D  tickets/{new.id}.md",
        f"?? tickets/{new.id}.md",
    ]  # what a kill between update-ref and staging used to leave: the next `git commit` deletes it
    journal.recover(desk_root, desk.repo)
    assert git(desk_root, "status", "--porcelain", "--untracked-files=all") == ""
    assert "Fresh" in git(desk_root, "show", f"HEAD:tickets/{new.id}.md")
