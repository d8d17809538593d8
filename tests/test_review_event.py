"""Reviews count only from reviewers: GitHub's own recorded payloads (npm @octokit/webhooks-examples), varied.

The payloads are GitHub's examples of `pull_request_review` (a submitted comment and a
dismissal, by the repository OWNER, on a branch that is no solution branch); each case
changes only the fields it is about: the state, the reviewer's author_association and
login, the PR's branch and author.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import git

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "node_modules" / "@octokit" / "webhooks-examples" / "api.github.com" / "index.json"
REQ = {"name": "Bob Smith", "email": "bob@example.com"}


def github_examples() -> dict[str, dict]:
    """GitHub's pull_request_review examples by action; `npm ci` first if node_modules is missing."""
    if not EXAMPLES.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=False, capture_output=True)
    if not EXAMPLES.exists():
        pytest.fail(f"{EXAMPLES} is missing: run 'npm ci' at the repository root (npm is needed for the tests)")
    hooks = json.loads(EXAMPLES.read_text())
    reviews = next(h for h in hooks if h["name"] == "pull_request_review")["examples"]
    return {e["action"]: e for e in reviews}


@pytest.fixture(scope="module")
def examples() -> dict[str, dict]:
    return github_examples()


def event(  # type: ignore[no-untyped-def]
    examples,
    tmp_path: Path,
    ticket_id: str,
    state: str,
    association: str = "MEMBER",
    login: str = "carol",
    branch: str | None = None,
    action: str = "submitted",
    review_id: int = 1001,
    author: str = "ada",
) -> Path:
    data = copy.deepcopy(examples["dismissed" if action == "dismissed" else "submitted"])
    data["action"] = action
    data["review"].update(state=state, author_association=association, id=review_id, body="Checked: rollers worn.")
    data["review"]["user"]["login"] = login
    data["pull_request"]["head"]["ref"] = branch if branch is not None else f"solution/{ticket_id}"
    data["pull_request"]["user"]["login"] = author
    path = tmp_path / f"review-{review_id}-{action}-{state}.json"
    path.write_text(json.dumps(data))
    return path


def status(desk, ticket_id: str) -> str:  # type: ignore[no-untyped-def]
    return desk.get(ticket_id).status


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


def configure(root: Path, review: str) -> None:
    config = root / "gitdesk.yml"
    text = config.read_text().replace("review:\n  customer: optional\n", f"review:\n  customer: optional\n{review}")
    assert text != config.read_text()
    config.write_text(text)
    git(root, "commit", "-q", "-am", "review settings")


def test_the_recorded_payloads_are_githubs(examples):
    assert examples["submitted"]["review"]["state"] == "commented"
    assert examples["dismissed"]["review"]["state"] == "dismissed"
    assert examples["submitted"]["review"]["author_association"] == "OWNER"


@pytest.mark.parametrize(
    "state, association, recorded, after",
    [
        ("approved", "MEMBER", True, "resolved"),
        ("approved", "OWNER", True, "resolved"),
        ("approved", "COLLABORATOR", True, "resolved"),
        ("changes_requested", "MEMBER", True, "in_progress"),
        ("approved", "CONTRIBUTOR", False, "proposed"),
        ("approved", "NONE", False, "proposed"),
        ("changes_requested", "NONE", False, "proposed"),
        ("commented", "MEMBER", False, "proposed"),
    ],
)
def test_who_may_review(examples, desk, desk_root, proposed, cli_invoke, tmp_path, state, association, recorded, after):
    before = head(desk_root)
    result = cli_invoke("review", "--from-github-event", event(examples, tmp_path, proposed, state, association))
    assert status(desk, proposed) == after
    assert (head(desk_root) != before) == recorded
    if not recorded:
        assert "gitdesk review: nothing recorded:" in result.output
    if association in ("NONE", "CONTRIBUTOR"):
        assert f"carol may not review here (author_association {association}" in result.output


def test_a_listed_reviewer_needs_no_membership(examples, desk, desk_root, proposed, cli_invoke, tmp_path):
    configure(desk_root, "  reviewers: [carol]\n")
    cli_invoke("review", "--from-github-event", event(examples, tmp_path, proposed, "approved", "NONE"))
    assert status(desk, proposed) == "resolved"


def test_codeowners_may_review(examples, desk, desk_root, proposed, cli_invoke, tmp_path):
    (desk_root / ".github").mkdir(exist_ok=True)
    (desk_root / ".github" / "CODEOWNERS").write_text("tickets/ @carol @acme/desk-team\n")
    git(desk_root, "add", ".github/CODEOWNERS")
    git(desk_root, "commit", "-q", "-m", "codeowners")
    cli_invoke("review", "--from-github-event", event(examples, tmp_path, proposed, "approved", "CONTRIBUTOR"))
    assert status(desk, proposed) == "resolved"


def test_no_self_approval_unless_the_desk_allows_it(examples, desk, desk_root, proposed, cli_invoke, tmp_path):
    mine = event(examples, tmp_path, proposed, "approved", "MEMBER", login="ada", author="ada")
    result = cli_invoke("review", "--from-github-event", mine)
    assert "ada proposed this solution and cannot approve it (review.self_approval: true allows it)" in result.output
    assert status(desk, proposed) == "proposed"
    configure(desk_root, "  self_approval: true\n")
    cli_invoke("review", "--from-github-event", mine)
    assert status(desk, proposed) == "resolved"


def test_a_pr_about_no_ticket_exits_0_and_changes_nothing(examples, desk_root, proposed, cli_invoke, tmp_path):
    before = head(desk_root)
    other = event(examples, tmp_path, proposed, "approved", branch="changes")  # GitHub's own example branch
    result = cli_invoke("review", "--from-github-event", other)
    assert "nothing recorded" in result.output and "is not solution/<ID>" in result.output
    assert head(desk_root) == before


def test_a_dismissed_approval_takes_its_verdict_back(examples, desk, desk_root, proposed, cli_invoke, tmp_path):
    cli_invoke("review", "--from-github-event", event(examples, tmp_path, proposed, "approved"))
    assert status(desk, proposed) == "resolved"
    dismissed = event(examples, tmp_path, proposed, "dismissed", action="dismissed")
    cli_invoke("review", "--from-github-event", dismissed)
    t = desk.get(proposed)
    assert t.status == "proposed"
    assert (t.history[-1]["verdict"], t.history[-1]["review_id"], t.history[-1]["from"]) == (
        "dismiss",
        1001,
        "resolved",
    )
    again = cli_invoke("review", "--from-github-event", dismissed)
    assert "was dismissed already" in again.output
    assert cli_invoke("validate").exit_code == 0


def test_approvals_n_resolve_at_the_nth(examples, desk, desk_root, proposed, cli_invoke, tmp_path):
    configure(desk_root, "  approvals: 2\n")
    first = event(examples, tmp_path, proposed, "approved", login="carol", review_id=1)
    cli_invoke("review", "--from-github-event", first)
    assert status(desk, proposed) == "proposed"
    same = event(examples, tmp_path, proposed, "approved", login="carol", review_id=2)
    assert (
        "approved this proposal already; an approval counts once"
        in cli_invoke("review", "--from-github-event", same).output
    )
    assert status(desk, proposed) == "proposed"
    cli_invoke(
        "review", "--from-github-event", event(examples, tmp_path, proposed, "approved", login="dan", review_id=3)
    )
    assert status(desk, proposed) == "resolved"
    before = head(desk_root)
    late = cli_invoke(
        "review", "--from-github-event", event(examples, tmp_path, proposed, "approved", login="eve", review_id=4)
    )
    assert late.exit_code == 0 and "is resolved already; a later approval changes nothing" in late.output
    assert cli_invoke("review", "--from-github-event", first).exit_code == 0  # a redelivery
    assert head(desk_root) == before
    assert cli_invoke("validate").exit_code == 0


def test_the_cli_applies_the_reviewers_list(desk, desk_root, proposed, cli_invoke):
    configure(desk_root, "  reviewers: [carol]\n")
    result = cli_invoke("review", proposed, "--approve", "--by", "mallory", ok=False)
    assert result.exit_code == 1 and "mallory is not among the reviewers" in result.output
    assert status(desk, proposed) == "proposed"
    cli_invoke("review", proposed, "--approve", "--by", "carol")
    assert status(desk, proposed) == "resolved"


def test_bad_review_settings_are_named(desk_root, proposed, cli_invoke):
    configure(desk_root, "  approvals: none\n")
    result = cli_invoke("review", proposed, "--approve", "--by", "carol", ok=False)
    assert result.exit_code == 1 and "review.approvals: 'none' must be a whole number of 1 or more" in result.output


def test_the_first_of_two_approvals_says_more_are_awaited_not_the_customer(desk, desk_root, proposed, cli_invoke):
    config = desk_root / "gitdesk.yml"
    text = config.read_text().replace("review:\n  customer: optional\n", "review:\n  customer: off\n  approvals: 2\n")
    assert text != config.read_text()
    config.write_text(text)
    git(desk_root, "commit", "-q", "-am", "two reviewers, no customer verdict")
    first = cli_invoke("review", proposed, "--approve", "--by", "carol").output
    assert "(status proposed awaiting more approvals)" in first and "customer" not in first
    assert "(status resolved)" in cli_invoke("review", proposed, "--approve", "--by", "dan").output
