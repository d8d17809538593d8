"""Shared fixtures: a real git desk in tmp_path with a fixed author, a settable clock, cli_invoke."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitdesk.cli.main import cli

AUTHOR = {
    "GIT_AUTHOR_NAME": "Ada Tech",
    "GIT_AUTHOR_EMAIL": "ada@desk.example",
    "GIT_COMMITTER_NAME": "Ada Tech",
    "GIT_COMMITTER_EMAIL": "ada@desk.example",
}
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    """No test sees the developer's git config, desk or clock."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key, value in AUTHOR.items():
        monkeypatch.setenv(key, value)
    for key in ("GITDESK_DESK", "GITDESK_NOW", "GITDESK_USER", "GITDESK_SITE_KEY"):
        monkeypatch.delenv(key, raising=False)
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Ada Tech\n\temail = ada@desk.example\n[init]\n\tdefaultBranch = main\n"
    )


class Clock:
    """A settable clock: sets GITDESK_NOW, which the CLI and Desk read."""

    def __init__(self, monkeypatch) -> None:
        self._mp = monkeypatch
        self.set(START)

    def set(self, when: dt.datetime) -> None:
        self.now = when
        self._mp.setenv("GITDESK_NOW", when.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def advance(self, **delta) -> dt.datetime:
        self.set(self.now + dt.timedelta(**delta))
        return self.now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def _make_desk(root: Path, customer_optional: bool) -> None:
    """`git init` + `gitdesk init` (+ the reviewer-resolves tweak), as every desk test starts."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    if customer_optional:
        # Most tests take a ticket through the desk's own review; the customer's verdict (required by
        # default) has its own tests, which use `customer_desk_root`.
        config = root / "gitdesk.yml"
        text = config.read_text(encoding="utf-8")
        assert "\n  customer: required\n" in text
        config.write_text(text.replace("\n  customer: required\n", "\n  customer: optional\n"), encoding="utf-8")
        git(root, "commit", "-q", "-am", "tests: the desk's reviewer approval resolves")


@pytest.fixture(scope="session")
def _template_desks(tmp_path_factory) -> dict[str, Path]:
    """The two desks tests start from, made once per session (per xdist worker) and copied per test.

    Made under the same isolated environment `_isolated_env` gives each test (its own HOME and git
    config, the fixed author, GITDESK_NOW at START), so a copy is byte for byte the desk a test
    would have made itself; `.git/gitdesk/` (the read index, the lock) is left behind, as a fresh
    desk has none.
    """
    home = tmp_path_factory.mktemp("template-home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Ada Tech\n\temail = ada@desk.example\n[init]\n\tdefaultBranch = main\n"
    )
    env = {
        **AUTHOR,
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
        "GITDESK_NOW": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    cleared = ("GITDESK_DESK", "GITDESK_USER", "GITDESK_SITE_KEY")
    saved = {k: os.environ.get(k) for k in [*env, *cleared]}
    os.environ.update(env)
    for key in cleared:
        os.environ.pop(key, None)
    try:
        base = tmp_path_factory.mktemp("template")
        _make_desk(base / "desk", customer_optional=True)
        _make_desk(base / "cdesk", customer_optional=False)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"desk": base / "desk", "cdesk": base / "cdesk"}


def _copy_desk(template: Path, root: Path) -> Path:
    shutil.copytree(template, root, symlinks=True, ignore=lambda d, names: ["gitdesk"] if d.endswith("/.git") else [])
    # the copied index's stat data names the template's files: refresh it, as a fresh checkout has it
    subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=root, capture_output=True)
    return root


@pytest.fixture
def desk_root(tmp_path, clock, monkeypatch, _template_desks) -> Path:
    """An initialised desk (git repo + gitdesk init), current directory set to it; the desk's
    reviewer approval resolves (review.customer: optional)."""
    root = _copy_desk(_template_desks["desk"], tmp_path / "desk")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def customer_desk_root(tmp_path, clock, monkeypatch, _template_desks) -> Path:
    """A desk as `gitdesk init` makes it: the customer approves solutions (review.customer default)."""
    root = _copy_desk(_template_desks["cdesk"], tmp_path / "cdesk")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def desk(desk_root, clock):
    from gitdesk.desk.facade import Desk

    return Desk(desk_root, clock=clock)


BOB = {"name": "Bob", "email": "bob@example.com"}


def closed_ticket(
    desk, title: str = "Printer jams", requester: dict | None = None, visibility: str | None = "public"
) -> str:
    """A ticket taken the whole way to closed: prioritised P3, started, proposed, approved, closed with a lesson.

    `visibility=None` leaves the desk's default."""
    extra = {"visibility": visibility} if visibility else {}
    t = desk.open(title, requester or BOB, **extra)
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "New rollers")
    desk.review(t.id, True, "lead")
    desk.close(t.id, "Rollers wear out")
    return t.id


@pytest.fixture
def proposed(desk, clock):
    """A P3 ticket with a solution proposed, its clock moved on: what the review tests start from."""
    t = desk.open("Printer on floor 3 jams", {"name": "Bob Smith", "email": "bob@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    clock.advance(minutes=10)
    desk.propose(t.id, "Replace the tray 2 rollers")
    clock.advance(minutes=10)
    return t.id


@pytest.fixture
def cli_invoke(desk_root):
    """Run a gitdesk command in the desk; print output and traceback when it fails unexpectedly."""
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, input: str | None = None):
        result = runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=True)
        if ok and result.exit_code != 0:
            print(result.output)
            if result.exc_info and not isinstance(result.exception, SystemExit):
                traceback.print_exception(*result.exc_info)
        if ok:
            assert result.exit_code == 0, f"gitdesk {' '.join(map(str, args))} failed: {result.output}"
        return result

    return invoke


@pytest.fixture
def open_ticket(cli_invoke):
    """Open a ticket through the CLI and return its ID."""
    import json

    def make(title: str = "Printer on floor 3 jams", *extra: str) -> str:
        out = cli_invoke("new", title, "--requester", "Bob Smith <bob@example.com>", "--json", *extra)
        return json.loads(out.stdout)["id"]

    return make


def gitdesk_exe() -> list[str]:
    """How to run gitdesk as a real subprocess."""
    exe = shutil.which("gitdesk", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "gitdesk"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def snapshot(root: Path) -> tuple[str, str, dict[str, bytes]]:
    """HEAD, `git status`, and every byte of the work tree (outside .git)."""
    files = {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    return git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain"), files


@pytest.fixture
def refused(cli_invoke, desk_root):
    """Run a command that must fail cleanly and leave everything untouched; return its one stderr line."""

    def run(*args: str, code: int | None = None) -> str:
        before = snapshot(desk_root)
        result = cli_invoke(*args, ok=False)
        assert result.exit_code != 0, result.output
        if code is not None:
            assert result.exit_code == code
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("gitdesk: ") and "Traceback" not in result.stderr
        after = snapshot(desk_root)
        assert after[:2] == before[:2]
        assert after[2] == before[2]
        return lines[0]

    return run
