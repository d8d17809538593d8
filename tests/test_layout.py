"""Tests mirror modules: every module under src/gitdesk has tests/test_<module>.py (or test_<package>_<module>.py).

A new module without its test file fails here, naming it.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _unmirrored(root: Path = ROOT) -> set[str]:
    src = root / "src" / "gitdesk"
    tests = {p.name for p in (root / "tests").glob("test_*.py")}
    out = set()
    for path in src.rglob("*.py"):
        if path.name in ("__init__.py", "__main__.py") or "scaffold" in path.relative_to(src).parts[:-1]:
            continue
        module, package = path.stem, path.parent.name
        if f"test_{module}.py" not in tests and f"test_{package}_{module}.py" not in tests:
            out.add(str(path.relative_to(src)))
    return out


def test_every_module_has_its_test_file():
    assert not _unmirrored(), f"add a test file for: {sorted(_unmirrored())}"


def test_the_check_sees_a_module_without_a_test_file(tmp_path):
    """The check itself can fail: a module with no test file of either name is named."""
    (tmp_path / "src" / "gitdesk" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "gitdesk" / "pkg" / "lonely.py").write_text("", encoding="utf-8")
    (tmp_path / "src" / "gitdesk" / "pkg" / "paired.py").write_text("", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_pkg_paired.py").write_text("", encoding="utf-8")
    assert _unmirrored(tmp_path) == {"pkg/lonely.py"}
