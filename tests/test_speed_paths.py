"""The fast paths stay correct: the read index under list, HEAD read from files, the split private index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitdesk.git.repo import _UNSURE, GitRepo, _read_head


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def listed(cli_invoke) -> dict[str, dict]:
    """Tickets as `list --json` sees them; the table (its lines are cached apart) must agree."""
    rows = {row["id"]: row for row in json.loads(cli_invoke("list", "--all", "--json").stdout)}
    table = cli_invoke("list", "--all").stdout.splitlines()[1:]
    assert sorted((line.split()[0], line.endswith(" " + rows[line.split()[0]]["title"])) for line in table) == sorted(
        (i, True) for i in rows
    )
    return rows


def rewrite_in_place(path: Path, old: str, new: str, mtime_ns: int) -> None:
    """An editor that writes in place, within one clock tick: same inode, same size, same mtime."""
    text = path.read_text(encoding="utf-8")
    assert len(old) == len(new) and old in text
    with open(path, "r+", encoding="utf-8") as fh:
        fh.write(text.replace(old, new, 1))
    os.utime(path, ns=(mtime_ns, mtime_ns))


# -- the read index under list --------------------------------------------------------------------
def test_cache_sees_an_in_place_edit_within_the_same_clock_tick(desk_root, cli_invoke, open_ticket):
    tid = open_ticket("VPN drops")
    path = desk_root / "tickets" / f"{tid}.md"
    before = path.stat().st_mtime_ns
    assert listed(cli_invoke)[tid]["title"] == "VPN drops"
    rewrite_in_place(path, "title: VPN drops", "title: VPN fails", before)
    assert path.stat().st_mtime_ns == before
    assert listed(cli_invoke)[tid]["title"] == "VPN fails"


def test_cache_sees_an_atomic_replace_with_same_size_and_mtime(desk_root, cli_invoke, open_ticket):
    tid = open_ticket("Printer jams")
    path = desk_root / "tickets" / f"{tid}.md"
    old = 1_600_000_000_000_000_000  # long ago: outside the racy window, so the stat key is trusted
    os.utime(path, ns=(old, old))
    assert listed(cli_invoke)[tid]["title"] == "Printer jams"
    tmp = path.with_name("replacement.tmp")
    tmp.write_text(path.read_text(encoding="utf-8").replace("Printer jams", "Printer hums"), encoding="utf-8")
    os.utime(tmp, ns=(old, old))
    os.replace(tmp, path)  # same size, same mtime; only the inode tells
    assert listed(cli_invoke)[tid]["title"] == "Printer hums"


def test_cache_follows_deleted_and_added_files(desk_root, cli_invoke, open_ticket):
    a, b = open_ticket("First"), open_ticket("Second")
    assert set(listed(cli_invoke)) == {a, b}
    (desk_root / "tickets" / f"{a}.md").unlink()
    assert set(listed(cli_invoke)) == {b}
    c = open_ticket("Third")
    assert set(listed(cli_invoke)) == {b, c}


def test_malformed_ticket_still_fails_list_with_one_line(desk_root, cli_invoke, open_ticket):
    tid = open_ticket("Share unreachable")
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: Share unreachable", "title: [broken"), encoding="utf-8"
    )
    result = cli_invoke("list", "--all", ok=False)
    assert result.exit_code != 0
    assert f"tickets/{tid}.md" in result.output and "Traceback" not in result.output


# -- HEAD without rev-parse ------------------------------------------------------------------
def test_head_from_files_agrees_with_git(desk_root, open_ticket):
    repo = GitRepo(desk_root)
    git_dir = desk_root / ".git"
    assert _read_head(git_dir) == git(desk_root, "rev-parse", "HEAD")
    open_ticket("Before packing")
    git(desk_root, "pack-refs", "--all")
    assert not (git_dir / "refs" / "heads" / "main").exists()
    assert _read_head(git_dir) == git(desk_root, "rev-parse", "HEAD")
    git(desk_root, "checkout", "-q", "--detach")
    assert _read_head(git_dir) == git(desk_root, "rev-parse", "HEAD") == repo.head()
    git(desk_root, "checkout", "-q", "--orphan", "fresh")
    assert _read_head(git_dir) is None and repo.head() is None


def test_head_in_a_linked_worktree_asks_git(desk_root, tmp_path):
    git(desk_root, "worktree", "add", "-q", str(tmp_path / "wt"))
    repo = GitRepo(tmp_path / "wt")
    assert _read_head(repo.git_dir) is _UNSURE
    assert repo.head() == git(tmp_path / "wt", "rev-parse", "HEAD")


# -- the private split index ----------------------------------------------------------------
def test_commit_leaves_the_users_staged_and_unstaged_work_alone(desk_root, cli_invoke, open_ticket):
    (desk_root / "notes.txt").write_text("staged\n")
    git(desk_root, "add", "notes.txt")
    (desk_root / "notes.txt").write_text("staged\nand then edited\n")
    (desk_root / "README.md").write_text("unstaged edit\n")
    tid = open_ticket("Access to dashboard")
    assert git(desk_root, "show", "--name-only", "--format=", "HEAD") == f"tickets/{tid}.md"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=desk_root, capture_output=True, text=True
    ).stdout.splitlines()
    assert sorted(status) == [" M README.md", "AM notes.txt"]


def test_user_commit_in_between_is_kept(desk_root, cli_invoke, open_ticket):
    open_ticket("One")
    (desk_root / "extra.txt").write_text("mine\n")
    git(desk_root, "add", "extra.txt")
    git(desk_root, "commit", "-q", "-m", "user work")
    user_commit = git(desk_root, "rev-parse", "HEAD")
    tid = open_ticket("Two")
    assert git(desk_root, "rev-parse", "HEAD^") == user_commit
    tree = git(desk_root, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert "extra.txt" in tree and f"tickets/{tid}.md" in tree
    assert git(desk_root, "status", "--porcelain") == ""


def test_vanished_shared_index_is_rebuilt(desk_root, cli_invoke, open_ticket):
    open_ticket("One")
    shared = list((desk_root / ".git").glob("sharedindex.*"))
    assert shared, "the private index is expected to be a split index"
    for path in shared:
        path.unlink()
    tid = open_ticket("Two")
    assert git(desk_root, "show", "--name-only", "--format=", "HEAD") == f"tickets/{tid}.md"
    assert len(git(desk_root, "ls-tree", "--name-only", "HEAD", "tickets/").splitlines()) >= 2
    assert git(desk_root, "status", "--porcelain") == ""


def test_default_listing_fast_path_matches_the_general_one(desk_root, cli_invoke, open_ticket, clock):
    for i, prio in enumerate(["P3", None, "P1", "P3", "P2", None]):
        clock.advance(minutes=7)
        tid = open_ticket(f"Ticket {i}")
        if prio:
            cli_invoke("prioritise", tid, prio)
    cli_invoke("cancel", tid, "--reason", "duplicate")
    for _ in range(2):  # building the cached order, then reading it
        fast_all = cli_invoke("list", "--all").stdout
        assert fast_all == cli_invoke("list", "--all", "--sort", "priority,priority").stdout
        fast_open = cli_invoke("list").stdout
        every_open = [f"--status={s}" for s in ("new", "triaged", "in_progress", "waiting", "proposed")]
        assert fast_open == cli_invoke("list", *every_open).stdout
    assert len(fast_all.splitlines()) == 7 and len(fast_open.splitlines()) == 6
    assert [line.split()[2] for line in fast_all.splitlines()[1:4]] == ["P1", "P2", "P3"]


READS_LEAVE_OUT = ("yaml", "gitdesk.core.actions", "gitdesk.core.survey", "gitdesk.core.scrub", "gitdesk.desk.gate")


@pytest.mark.parametrize(
    "args,left_out",
    [
        (["show", "{tid}"], READS_LEAVE_OUT),
        (["list", "--all"], READS_LEAVE_OUT),
        (["prioritise", "{tid}", "P1", "--reason", "outage"], ("yaml",)),  # a write: gitdesk writes its own YAML
        (["note", "{tid}", "called back"], ("yaml",)),
    ],
)
def test_a_command_imports_only_what_its_path_needs(desk_root, open_ticket, cli_invoke, args, left_out):
    """Start-up: the reads never load the write path, and an ordinary write never loads PyYAML."""
    tid = open_ticket("VPN drops")
    cli_invoke("show", tid)  # gitdesk.yml parsed once and kept beside the index
    argv = [a.format(tid=tid) for a in args]
    code = (
        "import sys; from gitdesk.cli.main import cli; "
        f"cli.main(['--desk', {str(desk_root)!r}, *{argv!r}], standalone_mode=False); "
        f"print([m for m in {list(left_out)!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
