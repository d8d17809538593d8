"""Bad input and failures: one line on stderr, non-zero exit, the repo and work tree exactly as before."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import snapshot
from gitdesk.errors import GitFailure
from gitdesk.git.repo import GitRepo


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def work(desk_root):
    """Some unrelated, uncommitted work in the tree, which failures must leave alone too."""
    (desk_root / "README.md").write_text("# my own edit\n")
    (desk_root / "draft.txt").write_text("untracked\n")


def _put(root: Path, ticket_id: str, text: str) -> None:
    (root / "tickets" / f"{ticket_id}.md").write_text(text, encoding="utf-8")
    git(root, "add", "tickets")
    git(root, "commit", "-qm", f"add {ticket_id} by hand")


def test_illegal_move_names_from_to_and_allowed(open_ticket, refused, work):
    tid = open_ticket()
    line = refused("start", tid, code=1)
    assert line == (
        f"gitdesk: {tid}: cannot start a ticket that is 'new'; "
        "allowed from 'new': assign, cancel, contact, de-escalate, edit, escalate, note, prioritise, resolve, split"
    )
    assert "cannot close a ticket that is 'new'" in refused("close", tid, "--lesson", "x")


def test_unknown_id(open_ticket, refused, work):
    open_ticket()
    assert refused("show", "HD-zzzzzzzz") == "gitdesk: no ticket matches 'HD-zzzzzzzz'"
    assert "no ticket matches 'nope'" in refused("note", "nope", "text")


def test_ambiguous_prefix_lists_candidates(desk_root, open_ticket, refused, cli_invoke, work):
    tid = open_ticket()
    text = (desk_root / "tickets" / f"{tid}.md").read_text()
    for twin in ("HD-abc11111", "HD-abc22222"):
        _put(desk_root, twin, text.replace(tid, twin))
    (desk_root / "README.md").write_text("# my own edit\n")
    line = refused("note", "ABC", "which one?")
    assert line == "gitdesk: 'ABC' is ambiguous: it matches HD-abc11111, HD-abc22222"
    assert "is ambiguous" in refused("show", "hd-abc")
    assert json.loads(cli_invoke("show", "abc2", "--json").stdout)["id"] == "HD-abc22222"


def test_malformed_ticket_names_file_and_line(desk_root, open_ticket, refused, work, cli_invoke):
    good = open_ticket()
    _put(desk_root, "HD-bad00001", "---\nid: HD-bad00001\ntitle: Broken\nstatus: [new\n---\n")
    (desk_root / "README.md").write_text("# my own edit\n")
    expect = "gitdesk: tickets/HD-bad00001.md:5: invalid YAML"
    assert refused("show", "HD-bad00001").startswith(expect)
    assert refused("note", "bad0", "x").startswith(expect)
    listed = cli_invoke("list", ok=False)  # list leaves the broken one out, names it, and shows the rest
    assert listed.exit_code == 65 and good in listed.stdout and "HD-bad00001" not in listed.stdout
    assert listed.stderr.startswith("gitdesk: warning: skipped tickets/HD-bad00001.md:5: invalid YAML")
    assert good  # other tickets still work through their own commands


def test_ticket_whose_id_does_not_match_its_file(desk_root, open_ticket, refused, work):
    tid = open_ticket()
    text = (desk_root / "tickets" / f"{tid}.md").read_text()
    _put(desk_root, "HD-other000", text)
    (desk_root / "README.md").write_text("# my own edit\n")
    assert "tickets/HD-other000.md:2: id" in refused("show", "HD-other000")


@pytest.mark.parametrize(
    "config, key",
    [
        ("tiers: 12\n", "gitdesk.yml: tiers: '12' must be a whole number from 1 to 9"),
        ("prefix: 'H D'\n", "gitdesk.yml: prefix:"),
        ("queues: {Bad Name: x}\n", "gitdesk.yml: queues.Bad Name:"),
        (
            "priorities:\n  P1: {criteria: x, response: soon, resolution: 8h, checkin: 2h}\n",
            "gitdesk.yml: priorities.P1.response: 'soon' is not a duration",
        ),
        (
            "queues: [a, b]\ndefault_queue: c\n",
            "gitdesk.yml: default_queue: 'c' is not one of the queues (a, b)",
        ),
        ("tiers: [3\n", "gitdesk.yml: line 2: invalid YAML"),
    ],
)
def test_bad_config_names_the_key(desk_root, refused, config, key):
    (desk_root / "gitdesk.yml").write_text(config)
    git(desk_root, "commit", "-qam", "break the config")
    assert refused("new", "Printer", "--requester", "bob@example.com").startswith(f"gitdesk: {key}")


@pytest.mark.parametrize(
    "args, expect",
    [
        (("escalate", "{id}"), "Missing option '--reason'"),
        (("new", "Title"), "Missing option '--requester'"),
        (("contact", "{id}", "--summary", "hi"), "Missing option '--via'. Choose from: phone, email, slack"),
        (("note",), "Missing argument 'ID'"),
        (("contact", "{id}", "--via", "pigeon", "--summary", "hi"), "'pigeon' is not one of"),
        (("survey", "{id}", "--score", "9", "--right-questions", "yes", "--time", "adequate"), "--score"),
        (("prioritise", "{id}"), "give a priority P1..P4"),
        (("assign", "{id}"), "--to NAME, --queue QUEUE, --unassign"),
        (("edit", "{id}"), "nothing to edit"),
        (("split", "{id}"), "Missing option '--into'"),
        (("note", "{id}", "   "), "note text must not be empty"),
        (("new", "Two\nlines", "--requester", "bob@example.com"), "title: must be one line"),
        (
            ("new", "T", "--requester", "bob@example.com", "--queue", "nowhere"),
            "queue: 'nowhere' is not one of",
        ),
        (("new", "T", "--requester", "bob@example.com", "--product", "model"), "must be KEY=VALUE"),
        (("frobnicate",), "No such command 'frobnicate'"),
    ],
)
def test_missing_or_bad_options(open_ticket, refused, work, args, expect):
    tid = open_ticket()
    line = refused(*(a.format(id=tid) for a in args))
    assert expect in line


def test_usage_errors_exit_2(open_ticket, refused):
    tid = open_ticket()
    refused("escalate", tid, code=2)
    refused("assign", tid, code=2)


@pytest.mark.parametrize(
    "requester",
    ["Bob <bob@>", "Bob <bob@example>", "bob@@example.com", "Bob <bob smith@example.com>", "Bob <>"],
)
def test_invalid_email(refused, work, requester):
    line = refused("new", "Printer", "--requester", requester)
    assert line.startswith("gitdesk: requester: ")


def test_invalid_email_on_edit(open_ticket, refused, work):
    tid = open_ticket()
    assert refused("edit", tid, "--requester", "Bob <nope>").startswith("gitdesk: requester: ")


def test_not_a_desk(tmp_path, cli_invoke):
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    result = cli_invoke("--desk", lonely, "list", ok=False)
    assert result.exit_code != 0 and "not inside a git repository" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "no such directory" in cli_invoke("--desk", tmp_path / "missing", "list", ok=False).stderr


# -- interrupted writes -----------------------------------------------------------------------------
@pytest.fixture
def failing_commit(monkeypatch):
    """commit_paths that sees the files written, then dies as a full disk or a kill would."""
    seen: dict[str, bytes] = {}

    def install(exc: BaseException):
        def boom(self, paths, message, env=None):
            for rel in paths:
                seen[rel] = (self.root / rel).read_bytes()
            raise exc

        monkeypatch.setattr(GitRepo, "commit_paths", boom)
        return seen

    return install


def _no_temp_files(root: Path) -> None:
    leftovers = [p for p in root.rglob(".*.tmp") if ".git" not in p.parts]
    assert leftovers == []


def test_interrupted_commit_restores_the_ticket(desk_root, open_ticket, refused, failing_commit, work):
    tid = open_ticket()
    seen = failing_commit(GitFailure("git commit-tree failed: disk full"))
    line = refused("note", tid, "this never lands")
    assert line == "gitdesk: git commit-tree failed: disk full"
    assert b"this never lands" in seen[f"tickets/{tid}.md"]  # it was written, then put back
    _no_temp_files(desk_root)


def test_interrupted_close_removes_new_kb_article(desk_root, open_ticket, cli_invoke, refused, failing_commit):
    tid = open_ticket()
    for args in (
        ("prioritise", tid, "P3"),
        ("start", tid),
        ("propose", tid, "--solution", "s"),
        ("review", tid, "--approve", "--by", "carol"),
    ):
        cli_invoke(*args)
    seen = failing_commit(KeyboardInterrupt())
    before = snapshot(desk_root)
    result = cli_invoke("close", tid, "--lesson", "l", "--kb", "fresh-article", ok=False)
    assert result.exit_code == 130
    assert result.stderr.strip() == "gitdesk: interrupted; nothing was committed"
    assert "kb/fresh-article.md" in seen
    assert snapshot(desk_root) == before
    assert not (desk_root / "kb" / "fresh-article.md").exists()
    _no_temp_files(desk_root)


def test_interrupted_open_and_split_leave_no_files(desk_root, open_ticket, refused, failing_commit, work):
    tid = open_ticket()
    seen = failing_commit(OSError(28, "No space left on device"))
    assert "No space left on device" in refused("new", "Lost", "--requester", "bob@example.com")
    refused("split", tid, "--into", "One", "--into", "Two")
    assert len([p for p in seen if p.startswith("tickets/")]) == 1 + 3
    assert sorted(p.name for p in (desk_root / "tickets").glob("*.md")) == [f"{tid}.md"]
    _no_temp_files(desk_root)


def test_failed_write_of_second_file_restores_the_first(desk_root, open_ticket, cli_invoke, refused, monkeypatch):
    tid = open_ticket()
    for args in (
        ("prioritise", tid, "P3"),
        ("start", tid),
        ("propose", tid, "--solution", "s"),
        ("review", tid, "--approve", "--by", "carol"),
    ):
        cli_invoke(*args)
    import gitdesk.desk.gate as desk_module

    real = desk_module.atomic_write

    def flaky(path, text):
        if "kb" in Path(path).parts:
            raise PermissionError(13, "Permission denied", str(path))
        real(path, text)

    monkeypatch.setattr(desk_module, "atomic_write", flaky)
    line = refused("close", tid, "--lesson", "l", "--kb", "locked")
    assert "Permission denied" in line and "kb/locked.md" in line
    _no_temp_files(desk_root)


def test_failed_commit_tree_does_not_leak_into_the_next_commit(desk_root, open_ticket, cli_invoke, monkeypatch):
    """A commit that dies after staging in the private index must not carry its files into the next one."""
    tid = open_ticket()
    real_run = GitRepo.run

    def no_identity(self, *args, **kw):
        if args and args[0] == "commit-tree":
            raise GitFailure("git commit-tree failed: fatal: no email was given")
        return real_run(self, *args, **kw)

    monkeypatch.setattr(GitRepo, "run", no_identity)
    failed = cli_invoke("new", "Phantom", "--requester", "bob@example.com", ok=False)
    assert "no email was given" in failed.stderr
    monkeypatch.setattr(GitRepo, "run", real_run)
    cli_invoke("note", tid, "identity fixed")
    touched = git(desk_root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").splitlines()
    assert touched == [f"tickets/{tid}.md"]
    assert git(desk_root, "ls-files", "tickets").splitlines() == ["tickets/.gitkeep", f"tickets/{tid}.md"]


def test_busy_desk_gives_a_clear_message(desk_root, open_ticket, refused, monkeypatch):
    import fcntl

    tid = open_ticket()
    lock = desk_root / ".git" / "gitdesk" / "lock"
    with open(lock, "a") as held:  # another writer: an flock on the lock file, held
        fcntl.flock(held, fcntl.LOCK_EX)
        monkeypatch.setattr(GitRepo.lock.__wrapped__, "__defaults__", (0.2,))
        line = refused("note", tid, "blocked", code=75)
    assert "another gitdesk command is writing to this desk" in line and "try again" in line
    assert "blocked" not in (desk_root / "tickets" / f"{tid}.md").read_text()


@pytest.mark.parametrize("holder", ["dead", "live"])
def test_lock_file_naming_any_pid_never_blocks(desk_root, open_ticket, cli_invoke, holder):
    """The lock is an flock, released by the kernel when its holder dies: the file's contents
    (an old gitdesk wrote a PID there) mean nothing, whether that PID is gone or reused."""
    tid = open_ticket()
    proc = subprocess.Popen(["true"])
    proc.wait()
    pid = proc.pid if holder == "dead" else 1  # pid 1 always exists
    (desk_root / ".git" / "gitdesk" / "lock").write_text(str(pid))
    cli_invoke("note", tid, "went through")
    assert "went through" in (desk_root / "tickets" / f"{tid}.md").read_text()


def test_hand_edited_bad_timestamp_is_named_not_a_crash(desk_root, open_ticket, refused):
    tid = open_ticket()
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(path.read_text().replace("- at: '2026-03-02T09:00:00Z'", "- at: yesterday"))
    git(desk_root, "commit", "-qam", "a careless hand edit")
    line = refused("note", tid, "x", code=1)
    assert line == f"gitdesk: tickets/{tid}.md: history event 1: 'at' is not a UTC ISO 8601 time: 'yesterday'"


def test_bare_gitdesk_prints_help(cli_invoke):
    result = cli_invoke()
    assert result.stdout.startswith("Usage: ") and "prioritise" in result.stdout
    assert result.stderr == ""


def test_review_refuses_both_verdicts(cli_invoke, open_ticket):
    tid = open_ticket()
    result = cli_invoke("review", tid, "--approve", "--request-changes", "--by", "carol", ok=False)
    assert result.exit_code == 2 and "not both" in result.output and result.output.count("\n") == 1
