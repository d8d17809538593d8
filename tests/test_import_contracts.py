"""The import contracts in pyproject.toml ([tool.importlinter]): the layers hold, and a broken one is caught."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path, src: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package under `src`, with the contracts of `root`/pyproject.toml."""
    if not LINT.exists():
        pytest.fail(f"{LINT} is missing: import-linter is a test dependency (pip install -e '.[test]')")
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
    )


def test_the_source_keeps_every_contract():
    result = lint(REPO, REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the source tree and its contracts, to break on purpose."""
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "src" / "gitdesk", tmp_path / "src" / "gitdesk", ignore=skip)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


BREAKS = [
    ("core/ticket.py", "from gitdesk.desk import facade", "The core is pure", "gitdesk.core.ticket -> gitdesk.desk"),
    ("core/lifecycle.py", "import click", "Only the CLI imports click", "gitdesk.core.lifecycle -> click"),
    ("store/files.py", "from gitdesk.desk import sync", "Layers", "gitdesk.store.files -> gitdesk.desk.sync"),
    ("cli/views.py", "from gitdesk.git.repo import GitRepo", "Faces never import", "gitdesk.cli.views -> gitdesk.git"),
    ("site/pages.py", "from gitdesk.store import writer", "Faces never import", "gitdesk.site.pages -> gitdesk.store"),
    ("intake/text.py", "import git", "Faces never import", "gitdesk.intake.text -> git"),
]


@pytest.mark.parametrize("module,line,contract,chain", BREAKS, ids=[b[0] for b in BREAKS])
def test_a_forbidden_import_breaks_its_contract(copy: Path, module: str, line: str, contract: str, chain: str):
    path = copy / "src" / "gitdesk" / module
    text = path.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    path.write_text(head + sep + line + "  # noqa\n" + rest)
    result = lint(copy, copy / "src")
    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    assert chain in broken
