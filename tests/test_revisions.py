"""desk/revisions.py: the desk at a revision, in the index or in the work tree, and the two sides of a change."""

from __future__ import annotations

import os
import subprocess

import pytest

from gitdesk.desk.revisions import Files, change_sides, work_tree
from gitdesk.errors import GitdeskError, UsageError
from gitdesk.git.repo import GitRepo


def git(root, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def two_commits(desk, desk_root):
    """A ticket opened (first commit), then noted (second): (ticket id, the first commit)."""
    t = desk.open("Printer jams", {"name": "Bob Smith", "email": "bob@example.com"})
    first = git(desk_root, "rev-parse", "HEAD")
    desk.note(t.id, "Ordered rollers")
    return t.id, first


def test_each_side_reads_its_own_version_of_a_file(desk_root, two_commits):
    tid, first = two_commits
    rel = f"tickets/{tid}.md"
    (desk_root / rel).write_text("the work tree's copy\n")
    repo = GitRepo(desk_root)
    then, now, tree = Files(repo, first), Files(repo, "HEAD"), work_tree(desk_root)
    assert b"Ordered rollers" not in then.read([rel])[rel] and b"Ordered rollers" in now.read([rel])[rel]
    assert tree.read([rel]) == {rel: b"the work tree's copy\n"}
    assert Files(repo, "").read([rel])[rel] == now.read([rel])[rel]  # the index: nothing staged
    assert then.read(["tickets/HD-nothere0.md", rel])["tickets/HD-nothere0.md"] is None


def test_a_file_is_read_once_per_side(desk_root, two_commits):
    tid, _ = two_commits
    rel = f"tickets/{tid}.md"
    tree = work_tree(desk_root)
    first = tree.read([rel])[rel]
    (desk_root / rel).write_text("changed after the first read\n")
    assert tree.read([rel, rel]) == {rel: first}


def test_the_work_tree_side_never_opens_what_is_not_a_regular_file(desk_root):
    os.mkfifo(desk_root / "tickets" / "HD-ffffffff.md")  # opening it would block validate
    (desk_root / "tickets" / "HD-llllllll.md").symlink_to("/etc/passwd")
    paths = ["tickets/HD-ffffffff.md", "tickets/HD-llllllll.md"]
    assert work_tree(desk_root).read(paths) == dict.fromkeys(paths)


def test_a_range_of_commits_has_both_sides_and_only_its_changes(desk_root, two_commits):
    tid, first = two_commits
    sides = change_sides(desk_root, first, None, staged=False)
    rel = f"tickets/{tid}.md"
    assert sides.entries == [("M", rel)] and sides.scope == f"{first[:12]}..HEAD"
    assert sides.old.read([rel])[rel] != sides.new.read([rel])[rel]
    assert sides.special == {}
    assert change_sides(desk_root, None, None, staged=False) is None  # the whole desk, from the work tree


def test_the_staged_change_is_the_index_against_head(desk_root, two_commits):
    tid, _ = two_commits
    rel = f"tickets/{tid}.md"
    (desk_root / rel).write_text((desk_root / rel).read_text() + "A staged hand edit.\n")
    (desk_root / "kb" / "printer.md").write_text("---\ntitle: Printer\n---\n")
    git(desk_root, "add", rel, "kb/printer.md")
    (desk_root / rel).write_text("not staged: not seen\n")
    sides = change_sides(desk_root, None, None, staged=True)
    assert sorted(sides.entries) == [("A", "kb/printer.md"), ("M", rel)] and sides.scope == "staged changes"
    assert sides.new.read([rel])[rel].endswith(b"A staged hand edit.\n")
    assert b"A staged hand edit." not in sides.old.read([rel])[rel]


def test_a_symlink_or_a_directory_named_like_a_desk_file_is_noted(desk_root, two_commits):
    (desk_root / "tickets" / "HD-llllllll.md").symlink_to("/etc/passwd")
    (desk_root / "kb" / "trap.md").mkdir()
    (desk_root / "kb" / "trap.md" / "inner.txt").write_text("x")
    git(desk_root, "add", "tickets/HD-llllllll.md", "kb/trap.md/inner.txt")
    special = change_sides(desk_root, None, None, staged=True).special
    assert special == {"tickets/HD-llllllll.md": "a symlink", "kb/trap.md": "a directory"}


def test_bad_combinations_and_unknown_revisions_are_refused(desk_root, two_commits):
    with pytest.raises(UsageError, match="--head needs --base"):
        change_sides(desk_root, None, "HEAD", staged=False)
    with pytest.raises(UsageError, match="not both"):
        change_sides(desk_root, "HEAD", None, staged=True)
    with pytest.raises(GitdeskError, match="'no-such-branch' is not a commit") as err:
        change_sides(desk_root, "no-such-branch", None, staged=False)
    assert "fetch-depth: 0" in str(err.value)
