"""The package a team installs: its dependencies do work, its version has one source, and a wheel
built from nothing installs and runs a desk."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import gitdesk

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "gitdesk"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# A dependency that is used without an import statement, and the proof that it is used.
NOT_IMPORTED = {"mkdocs-material": "the theme the scaffolded mkdocs.yml names"}


def requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].strip().lower()


def imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def distribution_modules() -> dict[str, set[str]]:
    """distribution name (lower case) -> the top-level modules it installs."""
    out: dict[str, set[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            out.setdefault(dist.lower(), set()).add(module)
    return out


def test_every_runtime_dependency_is_imported_by_src():
    imported = imported_top_levels()
    modules = distribution_modules()
    deps = [requirement_name(spec) for spec in PYPROJECT["project"]["dependencies"]]
    assert deps, "pyproject.toml lists no dependencies"
    for dep in deps:
        if dep in NOT_IMPORTED:
            continue
        provided = modules.get(dep) or modules.get(dep.replace("-", "_"))
        assert provided, f"{dep} is a dependency but is not installed in this environment"
        assert provided & imported, f"{dep} is a dependency but src/ never imports {sorted(provided)}"


def test_the_theme_dependency_is_the_scaffolds_theme():
    scaffold = yaml.safe_load((SRC / "desk" / "scaffold" / "mkdocs.yml").read_text())
    assert scaffold["theme"]["name"] == "material"
    assert "material" in distribution_modules()["mkdocs-material"]


def test_a_module_src_imports_is_either_stdlib_ours_or_declared():
    """The other direction: nothing in src/ imports a library the wheel would not bring."""
    modules = distribution_modules()
    declared = {requirement_name(s) for s in PYPROJECT["project"]["dependencies"]}
    optional = {requirement_name(s) for group in PYPROJECT["project"]["optional-dependencies"].values() for s in group}
    provided = {m for dep in declared | optional for m in modules.get(dep, set())}
    undeclared = imported_top_levels() - set(sys.stdlib_module_names) - provided - {"gitdesk"}
    assert not undeclared, f"src/ imports {sorted(undeclared)}, which pyproject.toml does not declare"


def test_gitpython_and_python_frontmatter_are_gone():
    deps = {requirement_name(s) for s in PYPROJECT["project"]["dependencies"]}
    assert not deps & {"gitpython", "python-frontmatter"}
    assert not imported_top_levels() & {"git", "frontmatter"}


def test_the_version_has_one_source():
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gitdesk.__version__"}
    assert importlib.metadata.version("gitdesk") == gitdesk.__version__


def test_the_build_backend_supports_the_license_expression():
    assert PYPROJECT["project"]["license"] == "MIT"
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (SRC / "py.typed").exists()


# -- a wheel built from nothing -------------------------------------------------------------------
def run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def bin_of(venv: Path, name: str) -> str:
    return str(venv / "bin" / name)


def source_copy(dest: Path) -> Path:
    """The work tree as git sees it (tracked and new files), so the build never writes into the repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """`python -m build` in a clean venv: the sdist and the wheel built from it."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = tmp_path_factory.mktemp("build")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env.update(PIP_CACHE_DIR=str(top / "pip-cache"), XDG_CACHE_HOME=str(top / "cache"))
    builder = top / "builder-venv"
    run([sys.executable, "-m", "venv", str(builder)], top, env)
    run([bin_of(builder, "python"), "-m", "pip", "install", "-q", "build"], top, env)
    source = source_copy(top / "source")
    run([bin_of(builder, "python"), "-m", "build", "--outdir", str(top / "dist"), str(source)], top, env)
    sdists = list((top / "dist").glob("gitdesk-*.tar.gz"))
    wheels = list((top / "dist").glob("gitdesk-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list((top / "dist").iterdir())
    return {"top": top, "sdist": sdists[0], "wheel": wheels[0]}


@pytest.mark.slow
def test_the_wheel_carries_the_version_license_types_and_scaffold(built):
    wheel = built["wheel"]
    assert wheel.name.startswith(f"gitdesk-{gitdesk.__version__}-")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = zf.read(f"gitdesk-{gitdesk.__version__}.dist-info/METADATA").decode()
    assert "gitdesk/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    scaffold = {str(p.relative_to(ROOT / "src")) for p in (SRC / "desk" / "scaffold").rglob("*") if p.is_file()} - {
        n for n in names if "__pycache__" in n
    }
    assert scaffold <= names, sorted(scaffold - names)
    assert "License-Expression: MIT" in meta
    requires = {
        requirement_name(line.split(":", 1)[1].strip())
        for line in meta.splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert {"click", "pyyaml", "markdown", "mkdocs", "mkdocs-material"} <= requires
    assert not requires & {"gitpython", "python-frontmatter"}


@pytest.mark.slow
def test_the_sdist_carries_what_its_tests_need(built):
    with tarfile.open(built["sdist"]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    tracked = subprocess.run(
        ["git", "ls-files", "tests", "docs", "bench", "scripts", ".github", "LICENSE", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = [rel for rel in tracked if rel not in names and not rel.startswith("bench/results/")]
    assert not missing, f"the sdist lacks {missing[:10]}"


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_venv_runs_a_desk(built):
    top = built["top"]
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))
    }  # the test's HOME and author
    env.update(PIP_CACHE_DIR=str(top / "pip-cache"), XDG_CACHE_HOME=str(top / "cache"))
    user = top / "user-venv"
    run([sys.executable, "-m", "venv", str(user)], top, env)
    run([bin_of(user, "python"), "-m", "pip", "install", "-q", str(built["wheel"])], top, env)
    exe = bin_of(user, "gitdesk")
    assert run([exe, "--version"], top, env).split()[-1] == gitdesk.__version__
    repo = top / "desk"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], repo, env)
    run([exe, "init"], repo, env)
    assert (repo / "gitdesk.yml").exists() and (repo / ".github" / "workflows" / "validate.yml").exists()
    out = run(
        [
            exe,
            "new",
            "Printer on floor 3 jams",
            "--requester",
            "Bob <bob@example.com>",
            "--visibility",
            "public",
            "--json",
        ],
        repo,
        env,
    )
    ticket = yaml.safe_load(out)["id"]
    assert (repo / "tickets" / f"{ticket}.md").exists()
    assert "Printer on floor 3 jams" in run(["git", "log", "-1", "--format=%s"], repo, env)
    run([exe, "site", "build", "--out", str(top / "site")], repo, env)
    assert (top / "site" / "index.html").exists()
    pages = [p for p in (top / "site").rglob("*.html") if ticket in p.read_text()]
    assert pages, f"no page of the built site mentions {ticket}"
