"""The GitHub files gitdesk lays out (and this repo carries): valid against GitHub's schemas, and safe."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import gitdesk
from gitdesk.desk.scaffold import LOCAL_ACTION

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
    from gitdesk.desk.scaffold import missing_files

    root = tmp_path_factory.mktemp("fresh")
    written = missing_files(root)
    for rel, data in written.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode())
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


def _command_step() -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    return next(s for s in action["runs"]["steps"] if "GITDESK_COMMAND" in s.get("env", {}))


def command_script() -> str:
    return _command_step()["run"]


def command_env() -> dict:
    return _command_step()["env"]


def action_step(data: dict, command: str, where: str) -> dict:
    """The one step that calls the gitdesk action for `command`, pinned as `where` pins it."""
    (step,) = [s for s in steps(data) if s.get("with", {}).get("command") == command]
    if where == "scaffold":
        assert step["uses"] == LOCAL_ACTION and step["with"]["install"] == f"gitdesk=={gitdesk.__version__}"
    else:
        assert step["uses"] == "./" and step["with"]["install"] == "."
    return step


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_validate_workflow_checks_prs_from_their_base(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "validate.yml")
    assert "pull_request" in data["on"] and data["on"]["push"] == {"branches": ["main"]}
    assert data["permissions"] == {"contents": "read"}
    checkout = next(s for s in steps(data) if str(s.get("uses", "")).startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    action_step(data, "validate", where)
    # what the action does with it (run for real in tests/test_action.py)
    env = command_env()
    assert env["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert 'gitdesk validate --base "$BASE_SHA" --format github' in command_script()


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_review_workflow_records_the_verdict_and_pushes(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "review.yml")
    assert data["on"] == {"pull_request_review": {"types": ["submitted"]}}
    assert data["permissions"] == {"contents": "write"}
    action_step(data, "review", where)
    assert 'gitdesk review --from-github-event "$GITHUB_EVENT_PATH"' in command_script()
    assert "gitdesk sync" in command_script()  # the push, rebasing over concurrent commits
    assert "head.repo.full_name == github.repository" in data["jobs"]["record"]["if"]


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_pages_workflow_builds_strict_and_deploys(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "pages.yml")
    assert data["on"]["push"] == {"branches": ["main"]} and data["on"]["schedule"]
    step = action_step(data, "site", where)
    assert step["env"]["GITDESK_SITE_KEY"] == "${{ secrets.GITDESK_SITE_KEY }}"
    upload = next(s for s in steps(data) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == step["with"]["site-dir"]
    assert "gitdesk site build --strict" in command_script()
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps(data))
    assert data["permissions"]["pages"] == "write" and data["permissions"]["id-token"] == "write"


@pytest.mark.parametrize("where", ["scaffold", "repo"])
def test_intake_workflow_calls_the_action(laid_out, where):
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    data = load(top, "intake.yml")
    assert data["on"] == {"issues": {"types": ["opened"]}}
    step = action_step(data, "intake", where)
    assert 'gitdesk intake github-issue "$GITHUB_EVENT_PATH"' in command_script()
    # survey and verdict links carry a token signed with the site key: intake needs the same secret as the site
    assert step["env"]["GITDESK_SITE_KEY"] == "${{ secrets.GITDESK_SITE_KEY }}"
    assert (
        step["env"]["GITDESK_SITE_KEY"] == action_step(load(top, "pages.yml"), "site", where)["env"]["GITDESK_SITE_KEY"]
    )


def test_every_scaffold_workflow_pins_the_gitdesk_that_laid_it_out(laid_out):
    for path in workflows(laid_out / ".github"):
        text = path.read_text()
        assert "GITDESK_VERSION" not in text, path
        installs = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("install:")]
        assert installs == [f"gitdesk=={gitdesk.__version__}"], path
        assert "pip install" not in text, path  # no unpinned install beside the action


def test_the_repos_workflows_are_rendered_from_the_scaffolds():
    """One source: .github/workflows/ is what scripts/repo_workflows.py makes of the scaffold."""
    spec = importlib.util.spec_from_file_location("repo_workflows", ROOT / "scripts" / "repo_workflows.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rendered = module.rendered()
    assert set(rendered) == {
        f".github/workflows/{name}" for name in ("validate.yml", "review.yml", "pages.yml", "intake.yml")
    }
    for rel, text in rendered.items():
        assert (ROOT / rel).read_text() == text, f"{rel} drifted from the scaffold: run scripts/repo_workflows.py"


def test_init_update_rewrites_the_workflows_for_this_gitdesk(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gitdesk.cli.main import cli
    from gitdesk.desk.scaffold import missing_files

    root = tmp_path / "desk"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    written = missing_files(root, version="0.0.1")
    for rel, data in written.items():  # an old gitdesk's init, by hand
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data if isinstance(data, bytes) else data.encode())
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "an old desk"], cwd=root, check=True)
    (root / "gitdesk.yml").write_text((root / "gitdesk.yml").read_text() + "# our own edit\n")
    assert "install: gitdesk==0.0.1" in (root / ".github/workflows/validate.yml").read_text()

    plain = CliRunner().invoke(cli, ["init", str(root)])
    assert plain.exit_code == 0 and "nothing to do" in plain.output  # init alone never overwrites
    result = CliRunner().invoke(cli, ["init", "--update", str(root)])
    assert result.exit_code == 0, result.output
    for name in ("validate.yml", "review.yml", "pages.yml", "intake.yml"):
        text = (root / ".github" / "workflows" / name).read_text()
        assert f"install: gitdesk=={gitdesk.__version__}" in text and "0.0.1" not in text
    log = subprocess.run(["git", "log", "-1", "--format=%s", "--name-only"], cwd=root, capture_output=True, text=True)
    subject, *files = [line for line in log.stdout.splitlines() if line]
    assert subject == f"gitdesk: update the desk's files for gitdesk {gitdesk.__version__}"
    assert sorted(files) == sorted(r for r in written if r.startswith(".github/workflows/"))
    assert "# our own edit" in (root / "gitdesk.yml").read_text()  # the desk's own files are left alone
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert status.strip() == "M gitdesk.yml"
    again = CliRunner().invoke(cli, ["init", "--update", str(root)])
    assert again.exit_code == 0 and "nothing to do" in again.output


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


@pytest.mark.parametrize("where", ["scaffold", "repo"])
@pytest.mark.parametrize("name", ["pages.yml", "intake.yml"])
def test_whole_desk_workflows_reuse_the_read_index(laid_out, where, name):
    """A fresh runner restores the index keyed by the tickets/ tree (or an older one) and parses only what changed."""
    top = laid_out / ".github" if where == "scaffold" else ROOT / ".github"
    found = steps(load(top, name))
    uses = [str(s.get("uses", "")) for s in found]
    cache = found[next(i for i, u in enumerate(uses) if u.startswith("actions/cache@"))]
    assert cache["with"]["path"] == ".git/gitdesk/index.sqlite"
    assert cache["with"]["key"] == "gitdesk-index-${{ steps.index-key.outputs.tree }}"
    assert cache["with"]["restore-keys"] == "gitdesk-index-"
    key_step = next(s for s in found if s.get("id") == "index-key")
    assert "git rev-parse HEAD:tickets" in key_step["run"]
    checkout = next(i for i, u in enumerate(uses) if u.startswith("actions/checkout@"))
    assert checkout < found.index(key_step) < found.index(cache)


def test_the_desks_own_action_is_gitdesks_action_yml(laid_out):
    """By default the workflows call the copy init writes into the desk: it is action.yml, byte for byte."""
    copy = laid_out / ".github" / "actions" / "gitdesk" / "action.yml"
    assert copy.read_bytes() == (ROOT / "action.yml").read_bytes(), (
        "run: cp action.yml src/gitdesk/desk/scaffold/dot-github/actions/gitdesk/"
    )
    assert LOCAL_ACTION == "./.github/actions/gitdesk"
    for path in workflows(laid_out / ".github"):
        assert "GITDESK_ACTION" not in path.read_text() and "gitdesk/gitdesk@" not in path.read_text(), path


def _desk(tmp_path, *init_args):
    from click.testing import CliRunner

    from gitdesk.cli.main import cli

    root = tmp_path / "desk"
    result = CliRunner().invoke(cli, ["init", str(root), *init_args])
    assert result.exit_code == 0, result.output
    return root, lambda *args: CliRunner().invoke(cli, [*args])


def _uses(root):
    return {
        p.name: [s["uses"] for s in steps(load(root / ".github", p.name)) if "command" in s.get("with", {})]
        for p in workflows(root / ".github")
    }


def test_init_action_is_kept_in_gitdesk_yml_and_by_upgrade(tmp_path):
    root, gitdesk_cli = _desk(tmp_path, "--action", "my-org/gitdesk@v1")
    assert set(map(tuple, _uses(root).values())) == {("my-org/gitdesk@v1",)}
    assert "\naction: my-org/gitdesk@v1\n" in (root / "gitdesk.yml").read_text()
    assert not (root / ".github" / "actions").exists()  # no local copy where none is called
    assert gitdesk_cli("--desk", str(root), "validate").exit_code == 0  # the key is no problem for validate
    # `upgrade` keeps the desk's choice, and a new one is written to gitdesk.yml in the same commit
    result = gitdesk_cli("upgrade", str(root))
    assert result.exit_code == 0 and "nothing to do" in result.output, result.output
    result = gitdesk_cli("upgrade", str(root), "--action", "my-org/gitdesk@v2")
    assert result.exit_code == 0, result.output
    assert set(map(tuple, _uses(root).values())) == {("my-org/gitdesk@v2",)}
    shown = subprocess.run(["git", "show", "--name-only", "--format="], cwd=root, capture_output=True, text=True)
    assert "gitdesk.yml" in shown.stdout.split() and ".github/workflows/validate.yml" in shown.stdout.split()
    assert "\naction: my-org/gitdesk@v2\n" in (root / "gitdesk.yml").read_text()
    assert subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout == ""


def test_a_bad_action_is_one_line_and_creates_nothing(tmp_path):
    from click.testing import CliRunner

    from gitdesk.cli.main import cli

    result = CliRunner().invoke(cli, ["init", str(tmp_path / "d"), "--action", "$(reboot)"])
    assert result.exit_code != 0 and not (tmp_path / "d").exists()
    assert (
        result.stderr.strip()
        == "gitdesk: --action: '$(reboot)' is not a GitHub Action reference like OWNER/gitdesk@v1 or ./path"
    )
    root, gitdesk_cli = _desk(tmp_path)
    (root / "gitdesk.yml").write_text((root / "gitdesk.yml").read_text() + "action: ../../elsewhere\n")
    bad = gitdesk_cli("upgrade", str(root))
    assert bad.exit_code != 0 and "gitdesk.yml: action: '../../elsewhere'" in bad.stderr
    missing = gitdesk_cli("upgrade", str(tmp_path / "nowhere"))
    assert missing.exit_code != 0 and "not a desk" in missing.stderr


def test_upgrade_is_init_update(tmp_path):
    """An old desk (the placeholder action, an old pin) gets this gitdesk's workflows and its own action."""
    root, gitdesk_cli = _desk(tmp_path)
    for path in workflows(root / ".github"):
        text = path.read_text().replace(f"gitdesk=={gitdesk.__version__}", "gitdesk==0.0.1")
        path.write_text(text.replace(f"uses: {LOCAL_ACTION}", "uses: gitdesk/gitdesk@v1"))
    subprocess.run(["git", "commit", "-qam", "an old desk"], cwd=root, check=True)
    result = gitdesk_cli("upgrade", str(root))
    assert result.exit_code == 0, result.output
    assert set(map(tuple, _uses(root).values())) == {(LOCAL_ACTION,)}
    for path in workflows(root / ".github"):
        assert f"install: gitdesk=={gitdesk.__version__}" in path.read_text()
    log = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, capture_output=True, text=True).stdout.strip()
    assert log == f"gitdesk: update the desk's files for gitdesk {gitdesk.__version__}"


def test_upgrade_over_a_hand_edited_workflow_says_how_to_settle_it(tmp_path):
    """upgrade rewrites whole files and has no --include-edits: its refusal must not offer it."""
    root, gitdesk_cli = _desk(tmp_path)
    path = next(iter(workflows(root / ".github")))
    path.write_text(path.read_text().replace(f"gitdesk=={gitdesk.__version__}", "gitdesk==0.0.1") + "# mine\n")
    result = gitdesk_cli("upgrade", str(root))
    assert result.exit_code != 0
    rel = path.relative_to(root).as_posix()
    assert f"{rel} has uncommitted changes" in result.output and f"git checkout -- {rel}" in result.output
    assert "--include-edits" not in result.output and "# mine" in path.read_text()


def test_ci_lints_formats_and_type_checks_before_the_suite():
    text = (ROOT / ".ci" / "run").read_text()
    steps = [
        "ruff check src tests scripts bench",
        "ruff format --check src tests scripts bench",
        "mypy",
        "bash scripts/test",
    ]
    at = [text.index(f"; {s}\n") if s != "bash scripts/test" else text.rindex(f"\n{s}") for s in steps]
    assert at == sorted(at), "ruff, ruff format and mypy run before the tests"
    assert "source scripts/bootstrap.sh test,dev" in text
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "check_untyped_defs = true" in pyproject.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
