"""The site audit's tools: axe-core and the Nu HTML checker from node_modules, Debian's chromium and JRE.

Outside CI a missing tool skips its test with the command that installs it; in CI (CI=true)
a missing tool fails the test, so the audit can never pass by not running.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(ok: bool, what: str, how: str) -> None:
    """Skip (or in CI, fail) when a tool is missing."""
    if ok:
        return
    message = f"{what} is missing ({how})"
    if in_ci():
        pytest.fail(f"CI must run the site audit, but {message}")
    pytest.skip(message)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_axe() -> Path:
    require(AXE_JS.exists(), "axe-core", "run: npm ci --ignore-scripts")
    return AXE_JS


def require_vnu() -> list[str]:
    java = shutil.which("java")
    require(java is not None, "a Java runtime", "run: apt-get install default-jre-headless")
    require(VNU_JAR.exists(), "vnu-jar", "run: npm ci --ignore-scripts")
    return [str(java), "-jar", str(VNU_JAR)]


def vnu_messages(files: list[Path]) -> list[dict]:
    """The Nu HTML checker's errors for `files`, as its JSON messages."""
    cmd = [*require_vnu(), "--format", "json", "--errors-only", *map(str, files)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    report = json.loads(proc.stderr or proc.stdout or '{"messages": []}')
    return [m for m in report.get("messages", []) if m.get("type") == "error"]


def axe(page) -> list[dict]:
    """axe-core's violations on the page as loaded (injected past the page's CSP by the context)."""
    page.add_script_tag(path=str(require_axe()))
    return page.evaluate("async () => (await axe.run(document)).violations")
