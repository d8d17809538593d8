""".pre-commit-hooks.yaml: the gitdesk-validate hook, run by pre-commit itself on a desk (`pre-commit try-repo`).

pre-commit installs this repository into an environment of its own, under a PRE_COMMIT_HOME in
tmp_path, so nothing is cached outside the test's directory.
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


def test_the_hook_runs_validate_on_what_is_staged():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "gitdesk-validate" and hook["entry"] == "gitdesk validate --staged"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    # the same files the scaffold's local hook watches
    scaffold = yaml.safe_load((ROOT / "src/gitdesk/desk/scaffold/dot-pre-commit-config.yaml").read_text())
    local = next(h for repo in scaffold["repos"] for h in repo["hooks"] if h["id"] == "gitdesk-validate")
    assert hook["files"] == local["files"]


@pytest.fixture(scope="module")
def pre_commit() -> str:
    exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable))
    if not exe:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    return exe


@pytest.mark.slow
def test_try_repo_lets_a_good_ticket_through_and_stops_a_broken_one(desk_root, open_ticket, pre_commit, tmp_path):
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_CACHE_DIR": str(tmp_path / "pip-cache"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("VIRTUAL_ENV", None)

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), "gitdesk-validate"],
            cwd=desk_root,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    ticket = open_ticket()
    git(desk_root, "reset", "-q", "--soft", "HEAD~1")  # the new ticket, staged as a commit would take it
    good = try_repo()
    assert good.returncode == 0, good.stdout + good.stderr
    assert "gitdesk validate (staged changes)" in good.stdout and "Passed" in good.stdout

    path = desk_root / "tickets" / f"{ticket}.md"
    path.write_text(path.read_text().replace("status: new", "status: flying"))
    git(desk_root, "add", str(path))
    broken = try_repo()
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert f"tickets/{ticket}.md" in broken.stdout and "flying" in broken.stdout
