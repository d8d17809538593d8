"""Solution review through pull requests: propose on a branch, review from GitHub payloads, end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import gitdesk_exe
from gitdesk.core.ticket import parse

FIXTURES = Path(__file__).parent / "fixtures" / "github"
SAMPLE_ID = "HD-h3ggyvha"  # the ticket the recorded payloads name
REQ = {"name": "Bob Smith", "email": "bob@example.com"}


def git(root: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check and proc.returncode:
        raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
    return proc.stdout.strip()


def payload(tmp_path: Path, name: str, ticket_id: str, **review: str) -> Path:
    """A recorded payload, pointed at a ticket of this test's desk."""
    text = (FIXTURES / name).read_text().replace(SAMPLE_ID, ticket_id)
    path = tmp_path / name
    if review:
        data = json.loads(text)
        data["review"].update(review)
        text = json.dumps(data)
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def _gitdesk_on_path(monkeypatch):
    """git runs the merge driver as `gitdesk merge-driver`, so gitdesk must be on PATH."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])


def ticket(root: Path, ticket_id: str):  # type: ignore[no-untyped-def]
    return parse((root / "tickets" / f"{ticket_id}.md").read_text())


def test_approved_review_becomes_approve(desk_root, proposed, cli_invoke, tmp_path):
    before = git(desk_root, "rev-parse", "HEAD")
    result = cli_invoke("review", "--from-github-event", payload(tmp_path, "review_approved.json", proposed))
    assert f"{proposed}: review by carol-lead recorded from the PR (status resolved)" in result.output
    event = ticket(desk_root, proposed).history[-1]
    assert (event["action"], event["verdict"], event["by"]) == ("review", "approve", "carol-lead")
    assert event["pr"] == 42
    assert event["comment"] == "Looks right: the rollers were worn."
    assert event["review_url"].endswith("#pullrequestreview-2101000001")
    assert git(desk_root, "rev-parse", "HEAD~1") == before
    assert git(desk_root, "log", "-1", "--format=%s") == f"{proposed}: review: approve"
    assert git(desk_root, "status", "--porcelain") == ""


def test_changes_requested_becomes_request_changes_with_feedback(desk_root, proposed, cli_invoke, tmp_path):
    cli_invoke("review", "--from-github-event", payload(tmp_path, "review_changes_requested.json", proposed))
    t = ticket(desk_root, proposed)
    assert t.meta["status"] == "in_progress"
    event = t.history[-1]
    assert (event["verdict"], event["by"]) == ("request-changes", "carol-lead")
    assert event["feedback"] == "Check the printer firmware first; the rollers were replaced last month."


def test_ticket_found_from_the_pr_body(desk_root, proposed, cli_invoke, tmp_path):
    cli_invoke("review", "--from-github-event", payload(tmp_path, "review_approved_body_ref.json", proposed))
    assert ticket(desk_root, proposed).meta["status"] == "resolved"


@pytest.mark.parametrize(
    "name, review, words",
    [
        ("review_malformed.json", {}, "'review.user' is missing"),
        ("not_json.json", {}, "not a JSON webhook payload (line 2"),
        ("review_changes_requested.json", {"body": "  "}, "a changes_requested review needs a body"),
    ],
)
def test_payloads_it_does_not_understand_change_nothing(desk_root, proposed, cli_invoke, tmp_path, name, review, words):
    before = git(desk_root, "rev-parse", "HEAD")
    text_before = (desk_root / "tickets" / f"{proposed}.md").read_text()
    event = payload(tmp_path, name, proposed, **review)
    result = cli_invoke("review", "--from-github-event", event, ok=False)
    assert result.exit_code == 1
    assert words in result.output and "nothing was changed" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert git(desk_root, "rev-parse", "HEAD") == before
    assert (desk_root / "tickets" / f"{proposed}.md").read_text() == text_before


def test_other_actions_change_nothing_and_unknown_tickets_are_refused(desk_root, proposed, cli_invoke, tmp_path):
    path = payload(tmp_path, "review_approved.json", proposed)
    data = json.loads(path.read_text())
    data["action"] = "edited"
    path.write_text(json.dumps(data))
    before = git(desk_root, "rev-parse", "HEAD")
    result = cli_invoke("review", "--from-github-event", path)
    assert "nothing recorded: review action 'edited' records nothing" in result.output
    assert git(desk_root, "rev-parse", "HEAD") == before
    gone = payload(tmp_path, "review_approved.json", "HD-zzzzzzzz")
    result = cli_invoke("review", "--from-github-event", gone, ok=False)
    assert result.exit_code == 1 and "no ticket matches 'HD-zzzzzzzz'" in result.output
    assert cli_invoke("review", proposed, "--from-github-event", path, ok=False).exit_code == 2


def test_a_redelivered_approval_exits_0_and_changes_nothing(desk_root, proposed, cli_invoke, tmp_path):
    path = payload(tmp_path, "review_approved.json", proposed)
    cli_invoke("review", "--from-github-event", path)
    before = git(desk_root, "rev-parse", "HEAD")
    result = cli_invoke("review", "--from-github-event", path)
    assert "nothing recorded" in result.output and "is recorded already (a redelivery)" in result.output
    assert git(desk_root, "rev-parse", "HEAD") == before


# -- propose on a branch ----------------------------------------------------------------------
@pytest.fixture
def started(desk, clock):
    t = desk.open("VPN drops after upgrade", REQ)
    desk.prioritise(t.id, "P2")
    desk.start(t.id)
    return t.id


def test_propose_on_a_branch_and_push(desk_root, started, cli_invoke, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(desk_root, "remote", "add", "origin", str(remote))
    main_before = git(desk_root, "rev-parse", "main")
    out = cli_invoke("propose", started, "--solution", "Roll back the client", "--branch", "--push").output
    assert f"solution proposed pushed to origin; open a pull request from solution/{started}" in out
    assert git(desk_root, "branch", "--show-current") == f"solution/{started}"
    assert git(desk_root, "rev-parse", "main") == main_before
    assert git(remote, "rev-parse", f"solution/{started}") == git(desk_root, "rev-parse", "HEAD")
    assert git(desk_root, "log", "-1", "--format=%s") == f"{started}: propose a solution"


def test_refused_proposal_leaves_no_branch(desk_root, desk, cli_invoke):
    fresh = desk.open("New one", REQ).id
    result = cli_invoke("propose", fresh, "--solution", "x", "--branch", ok=False)
    assert result.exit_code == 1 and "cannot propose a ticket that is 'new'" in result.output
    assert git(desk_root, "branch", "--show-current") == "main"
    assert git(desk_root, "branch", "--list", f"solution/{fresh}") == ""
    assert cli_invoke("propose", fresh, "--solution", "x", "--push", ok=False).exit_code == 2


# -- end to end: bare remote, technician clone, CI clone ----------------------------------------------
def run(cwd: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([*gitdesk_exe(), *args], cwd=cwd, capture_output=True, text=True)
    if ok:
        assert proc.returncode == 0, f"gitdesk {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc


@pytest.mark.slow
def test_end_to_end_pull_request(desk_root, started, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(desk_root), str(remote))
    tech, ci = tmp_path / "tech", tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(remote), str(tech))
    run(tech, "install")
    run(tech, "propose", started, "--solution", "Roll back the VPN client to 5.1", "--branch", "--push")

    # CI on the pull request: check out the PR, validate it against its base.
    git(tmp_path, "clone", "-q", str(remote), str(ci))
    git(ci, "switch", "-q", f"solution/{started}")
    base = git(ci, "rev-parse", "origin/main")
    assert "no problems" in run(ci, "validate", "--base", base, "--format", "github").stdout
    # The reviewer approves on GitHub; the review workflow records it and pushes.
    event = payload(tmp_path, "review_approved.json", started)
    run(ci, "review", "--from-github-event", str(event))
    run(ci, "sync")
    assert git(remote, "log", "-1", "--format=%s", f"solution/{started}") == f"{started}: review: approve"

    # Meanwhile main moved on with a note on the same ticket; the driver merges the PR; validate main.
    git(tech, "switch", "-q", "main")
    run(tech, "note", started, "Customer confirms the drops started with 5.2")
    git(tech, "fetch", "-q")
    git(tech, "merge", "-q", "--no-ff", "-m", "Merge PR #42", f"origin/solution/{started}")
    assert "no problems" in run(tech, "validate", "--base", base).stdout
    git(tech, "push", "-q", "origin", "main")
    assert "no problems" in run(tech, "validate").stdout
    merged = parse((tech / "tickets" / f"{started}.md").read_text())
    assert merged.meta["status"] == "resolved"
    assert [e["action"] for e in merged.history][-3:] == ["note", "propose", "review"]
