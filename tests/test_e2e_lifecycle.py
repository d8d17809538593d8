"""A full lifecycle through real `gitdesk` subprocesses in a fresh git repo; checks every commit."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import gitdesk_exe
from gitdesk.core.ticket import dump, parse

pytestmark = pytest.mark.slow


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path, clock) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "src" / "app.py").write_text("print('hello')\n")
    git(root, "add", "src")
    git(root, "commit", "-qm", "the project's own first commit")
    return root


def test_full_lifecycle_through_real_processes(repo, clock):
    def gd(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        clock.advance(minutes=7)  # GITDESK_NOW is in os.environ, which the child inherits
        proc = subprocess.run(
            [*gitdesk_exe(), *args],
            cwd=repo / "src",
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=os.environ.copy(),
            timeout=30,
        )
        assert (proc.returncode == 0) == ok, proc.stderr
        assert "Traceback" not in proc.stderr
        return proc

    assert "desk ready" in gd("init", str(repo)).stdout
    init_files = set(git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").splitlines())
    assert {"gitdesk.yml", "mkdocs.yml", ".gitattributes", "README.md"} <= init_files
    (repo / "src" / "app.py").write_text("print('work in progress')\n")  # the engineer's own unstaged work

    tid = json.loads(
        gd(
            "new",
            "VPN drops every 10 minutes",
            "--requester",
            "Chloé Martin <chloe@example.org>",
            "--channel",
            "email",
            "--location",
            "Zürich",
            "--product",
            "client=AnyConnect",
            "--body",
            "Since the upgrade.",
            "--json",
        ).stdout
    )["id"]
    short = tid.split("-")[1][:5]
    steps = [
        (("prioritise", short, "P2"), "prioritise", "triaged"),
        (("assign", short, "--to", "grace", "--queue", "network"), "assign", "triaged"),
        (("escalate", short, "--reason", "needs network engineering"), "escalate", "triaged"),
        (("start", short), "start", "in_progress"),
        (("note", short, "DPD timeout is 600 s"), "note", "in_progress"),
        (("wait", short, "--question", "Which client version?"), "wait", "waiting"),
        (("contact", short, "--via", "email", "--inbound", "--summary", "4.10"), "contact", "in_progress"),
        (("propose", short, "--solution", "Raise the idle timeout"), "propose", "proposed"),
        (
            ("review", short, "--request-changes", "--by", "carol", "--comment", "Check DPD too"),
            "review",
            "in_progress",
        ),
        (("propose", short, "--solution", "Raise idle timeout and DPD"), "propose", "proposed"),
        (("review", short, "--approve", "--customer"), "review", "resolved"),
        (
            ("close", short, "--lesson", "Group policy overrides the client", "--kb", "vpn-idle-timeout"),
            "close",
            "closed",
        ),
        (
            ("survey", short, "--score", "5", "--right-questions", "yes", "--time", "adequate"),
            "survey",
            "closed",
        ),
        (("reopen", short, "--reason", "Drops are back"), "reopen", "in_progress"),
        (("cancel", short, "--reason", "Customer moved to the new office"), "cancel", "cancelled"),
    ]
    for args, _action, status in steps:
        out = gd(*args, "--json")
        assert json.loads(out.stdout)["status"] == status, args

    commits = git(repo, "rev-list", "--reverse", "HEAD").splitlines()
    assert len(commits) == 1 + 1 + 1 + len(steps)  # project, init, new, one per step
    extra_files = {"close": {"kb/vpn-idle-timeout.md"}, "survey": {f"surveys/{tid}.yml"}}
    expected = [("open", set())] + [(action, extra_files.get(action, set())) for _, action, _ in steps]
    ticket_file = f"tickets/{tid}.md"
    for commit, (action, extra), index in zip(commits[2:], expected, range(len(expected)), strict=True):
        files = set(git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", commit).splitlines())
        assert files == {ticket_file} | extra, action
        body = git(repo, "log", "-1", "--format=%B", commit)
        assert body.startswith(f"{tid}: ")
        assert f"Gitdesk-Ticket: {tid}" in body and f"Gitdesk-Action: {action}" in body
        # The ticket as of this commit has exactly one more history event than before, this action's.
        history = parse(git(repo, "show", f"{commit}:{ticket_file}")).history
        assert len(history) == index + 1 and history[-1]["action"] == action
        assert git(repo, "log", "-1", "--format=%an", commit) == "Ada Tech"

    final = parse((repo / ticket_file).read_text(encoding="utf-8"))
    assert dump(final) == (repo / ticket_file).read_text(encoding="utf-8")  # what the CLI writes is canonical
    assert final.status == "cancelled" and final.tier == 2 and final.meta["assignee"] == "grace"
    assert final.history[9]["feedback"] == "Check DPD too"
    assert [e["at"] for e in final.history] == sorted(e["at"] for e in final.history)
    assert yaml.safe_load((repo / "surveys" / f"{tid}.yml").read_text())["score"] == 5
    assert tid in (repo / "kb" / "vpn-idle-timeout.md").read_text(encoding="utf-8")
    # The engineer's unstaged edit was never swept into any gitdesk commit.
    assert git(repo, "status", "--porcelain") == "M src/app.py"
    assert git(repo, "show", "HEAD:src/app.py") == "print('hello')"

    shown = gd("show", tid.lower()).stdout
    assert "History (16 events)" in shown and "Check DPD too" in shown
    listed = gd("list", "--all", "--json").stdout
    assert [row["id"] for row in json.loads(listed)] == [tid]
    assert gd("list").stdout.strip() == "no tickets match"
    bad = gd("start", tid, ok=False)
    assert bad.stderr.count("\n") == 1 and "cannot start a ticket that is 'cancelled'" in bad.stderr
    assert len(git(repo, "rev-list", "HEAD").splitlines()) == len(commits)
