"""The GitHub files gitdesk lays out (and this repo carries): valid against GitHub's schemas, and safe."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCAFFOLD = ROOT / "src" / "gitdesk" / "desk" / "scaffold"
OURS = ("validate.yml", "review.yml", "pages.yml")


def check_jsonschema() -> str:
    exe = shutil.which("check-jsonschema", path=os.path.dirname(sys.executable))
    if not exe:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    return exe


def workflows(top: Path) -> list[Path]:
    return sorted((top / "workflows").glob("*.yml"))


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> Path:
    """What `gitdesk init` writes into a fresh desk."""
    from gitdesk.desk.scaffold import lay_out

    root = tmp_path_factory.mktemp("fresh")
    written = lay_out(root)
    for name in OURS:
        assert f".github/workflows/{name}" in written
    assert ".github/CODEOWNERS" in written and ".pre-commit-config.yaml" in written
    return root


def every_github_dir(laid_out: Path) -> list[Path]:
    return [laid_out / ".github", ROOT / ".github"]


def test_workflows_match_githubs_schema(laid_out):
    files = [str(p) for top in every_github_dir(laid_out) for p in workflows(top)]
    assert len(files) >= 6
    proc = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-workflows", *files], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_broken_workflow_is_caught_by_the_same_check(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\non: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    proc = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode != 0


def test_issue_forms_match_githubs_schema(laid_out):
    forms = [
        str(p)
        for top in every_github_dir(laid_out)
        for p in sorted(top.glob("ISSUE_TEMPLATE/*.yml"))
        if p.name != "config.yml"
    ]
    if not forms:
        pytest.skip("no issue forms in this tree")
    proc = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-issue-forms", *forms], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_workflow_uses_pull_request_target(laid_out):
    for top in every_github_dir(laid_out):
        for path in workflows(top):
            data = yaml.safe_load(path.read_text())
            triggers = data.get(True, data.get("on"))  # YAML 1.1 reads a bare `on` as True
            names = triggers if isinstance(triggers, (list, str)) else list(triggers or {})
            assert "pull_request_target" not in names, path
            code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
            assert not any("pull_request_target" in line for line in code), path


def load(top: Path, name: str) -> dict:
    data = yaml.safe_load((top / "workflows" / name).read_text())
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(data: dict) -> list[dict]:
    return [s for job in data["jobs"].values() for s in job.get("steps", [])]


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_validate_workflow_checks_prs_from_their_base(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "validate.yml")
    assert "pull_request" in data["on"]
    assert data["permissions"] == {"contents": "read"}
    checkout = next(s for s in steps(data) if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    pr_step = next(s for s in steps(data) if "--base" in s.get("run", ""))
    assert pr_step["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert 'gitdesk validate --base "$BASE_SHA" --format github' in pr_step["run"]


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_review_workflow_records_the_verdict_and_pushes(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "review.yml")
    assert data["on"] == {"pull_request_review": {"types": ["submitted"]}}
    runs = "\n".join(s.get("run", "") for s in steps(data))
    assert 'gitdesk review --from-github-event "$GITHUB_EVENT_PATH"' in runs
    assert "gitdesk sync" in runs  # the push, rebasing over concurrent commits
    assert "${{" not in runs  # untrusted review text never reaches a shell through expressions
    assert "head.repo.full_name == github.repository" in data["jobs"]["record"]["if"]


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_pages_workflow_builds_strict_and_deploys(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "pages.yml")
    assert data["on"]["push"] == {"branches": ["main"]} and data["on"]["schedule"]
    runs = "\n".join(s.get("run", "") for s in steps(data))
    assert "mkdocs build --strict" in runs
    uses = [s.get("uses", "") for s in steps(data)]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert data["permissions"]["pages"] == "write" and data["permissions"]["id-token"] == "write"
    if where == "repo":
        assert "python -m pip install ." in runs


def test_pre_commit_hook_runs_validate_staged(laid_out):
    for path in (laid_out / ".pre-commit-config.yaml", ROOT / ".pre-commit-config.yaml"):
        hooks = [h for repo in yaml.safe_load(path.read_text())["repos"] for h in repo["hooks"]]
        hook = next(h for h in hooks if h["id"] == "gitdesk-validate")
        assert hook["entry"] == "gitdesk validate --staged"
        assert hook["language"] == "system" and hook["pass_filenames"] is False


def test_codeowners_template_names_the_desk_paths(laid_out):
    text = (laid_out / ".github" / "CODEOWNERS").read_text()
    for path in ("/tickets/", "/kb/", "/gitdesk.yml", "/.github/"):
        assert path in text
