"""action.yml, the reusable GitHub Action: its schema, and its script run for real on desks.

The script of the action's command step is run with bash exactly as the runner would, with the
environment the action maps from its inputs and the event; git remotes are bare repositories.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import git

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
FIXTURES = Path(__file__).parent / "fixtures" / "github"
COMMANDS = ("validate", "site", "review", "intake")


def command_step() -> dict:
    return next(s for s in ACTION["runs"]["steps"] if "GITDESK_COMMAND" in s.get("env", {}))


def run_action(cwd: Path, command: str, **env: str) -> subprocess.CompletedProcess:
    """The action's command step, with its inputs' defaults and the runner's variables."""
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    runner = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_"))}
    full = {
        **runner,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
        "GITDESK_COMMAND": command,
        "GITDESK_SITE_DIR": defaults["site-dir"],
        "GITDESK_RETRIES": defaults["retries"],
        "EVENT_NAME": "",
        "BASE_SHA": "",
        "BEFORE": "",
        **env,
    }
    script = command_step()["run"]
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=full, capture_output=True, text=True)


def test_action_matches_githubs_schema():
    exe = shutil.which("check-jsonschema", path=os.path.dirname(sys.executable))
    if not exe:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    proc = subprocess.run(
        [exe, "--builtin-schema", "vendor.github-actions", str(ROOT / "action.yml")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_is_composite_and_never_expands_event_text_in_shell():
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["inputs"]["command"]["required"] is True
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step  # inputs and event data arrive as environment variables
            assert step["shell"] == "bash"
    for command in COMMANDS:
        assert f"  {command})" in command_step()["run"]


def test_an_unknown_command_fails_with_one_annotation(tmp_path):
    proc = run_action(tmp_path, "deploy")
    assert proc.returncode == 2
    assert proc.stdout.strip() == "::error::gitdesk action: unknown command 'deploy' (validate, site, review or intake)"


def test_validate_on_a_pull_request_checks_only_its_change(desk_root, open_ticket):
    base = git(desk_root, "rev-parse", "HEAD")
    ticket = open_ticket()
    assert run_action(desk_root, "validate", EVENT_NAME="pull_request", BASE_SHA=base).returncode == 0
    path = desk_root / "tickets" / f"{ticket}.md"
    path.write_text(path.read_text().replace("status: new", "status: flying"))
    git(desk_root, "commit", "-qam", "a broken edit")
    proc = run_action(desk_root, "validate", EVENT_NAME="pull_request", BASE_SHA=base)
    assert proc.returncode == 1
    assert f"::error file=tickets/{ticket}.md" in proc.stdout and "flying" in proc.stdout


def test_validate_on_a_first_push_checks_the_whole_desk(desk_root, open_ticket):
    ticket = open_ticket()
    path = desk_root / "tickets" / f"{ticket}.md"
    path.write_text(path.read_text().replace("status: new", "status: flying"))
    git(desk_root, "commit", "-qam", "a broken edit")
    proc = run_action(desk_root, "validate", EVENT_NAME="push", BEFORE="0" * 40)
    assert proc.returncode == 1 and f"tickets/{ticket}.md" in proc.stdout


@pytest.mark.slow
def test_site_builds_into_the_site_dir(desk_root, open_ticket):
    open_ticket("Printer on floor 3 jams", "--visibility", "public")
    proc = run_action(desk_root, "site", GITDESK_SITE_DIR="_site")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (desk_root / "_site" / "index.html").exists()


def clone_of(desk_root: Path, tmp_path: Path, name: str) -> tuple[Path, Path]:
    remote = tmp_path / "remote.git"
    if not remote.exists():
        git(tmp_path, "clone", "-q", "--bare", str(desk_root), str(remote))
    work = tmp_path / name
    git(tmp_path, "clone", "-q", str(remote), str(work))
    return remote, work


@pytest.mark.slow
def test_intake_opens_the_ticket_and_pushes_over_a_concurrent_commit(desk_root, open_ticket, tmp_path):
    remote, ci = clone_of(desk_root, tmp_path, "ci")
    other = open_ticket("Someone else's ticket")  # a desk commit that lands while the job runs
    git(desk_root, "push", "-q", str(remote), "HEAD:main")
    proc = run_action(ci, "intake", GITHUB_EVENT_PATH=str(FIXTURES / "issue_request_opened.json"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = git(remote, "log", "--format=%s%n%an", "main").splitlines()
    assert any("Plotter prints twice" in line for line in log) and any(other in line for line in log)
    assert git(remote, "log", "-1", "--format=%an", "main") == "gitdesk intake"


@pytest.mark.slow
def test_review_records_the_verdict_on_the_pr_branch(desk_root, desk, clock, tmp_path):
    t = desk.open("Printer on floor 3 jams", {"name": "Bob Smith", "email": "bob@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    clock.advance(minutes=10)
    remote, tech = clone_of(desk_root, tmp_path, "tech")
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    subprocess.run(
        ["gitdesk", "propose", t.id, "--solution", "Replace the rollers", "--branch", "--push"],
        cwd=tech,
        env=env,
        check=True,
        capture_output=True,
    )
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "-q", "--branch", f"solution/{t.id}", str(remote), str(ci))
    event = tmp_path / "review.json"
    event.write_text((FIXTURES / "review_approved.json").read_text().replace("HD-h3ggyvha", t.id))
    proc = run_action(ci, "review", GITHUB_EVENT_PATH=str(event))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(remote, "log", "-1", "--format=%s", f"solution/{t.id}") == f"{t.id}: review: approve"
