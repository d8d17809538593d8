"""The site audit's tools: axe-core and the Nu HTML checker from node_modules, Debian's chromium and JRE.

Outside CI a missing tool skips its test with the command that installs it; in CI (CI=true)
a missing tool fails the test, so the audit can never pass by not running.
"""

from __future__ import annotations

import json
import os
import re
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
    """Debian's chromium (the one CI installs), wherever PATH may point."""
    for path in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(path):
            return path
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


SCHEMAS = REPO / "src" / "gitdesk" / "site" / "theme" / "schema"


def check_machine_outputs(out: Path) -> int:
    """Every JSON file of a built site validates against its schema, and the feed parses cleanly.

    Returns how many JSON files were validated; a JSON file no schema covers fails the check.
    """
    import feedparser
    import jsonschema

    names = ("status", "ticket", "requests")
    schemas = {name: json.loads((SCHEMAS / f"{name}.schema.json").read_text()) for name in names}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    checked = 0
    for path in sorted(out.rglob("*.json")):
        rel = path.relative_to(out).as_posix()
        data = json.loads(path.read_text(encoding="utf-8"))
        if rel == "api/status.json":
            jsonschema.validate(data, schemas["status"])
        elif rel == "api/requests.json":
            jsonschema.validate(data, schemas["requests"])
        elif re.fullmatch(r"api/tickets/[^/]+\.json|t/[0-9a-f]{32}/ticket\.json", rel):
            jsonschema.validate(data, schemas["ticket"])
        elif rel.startswith("api/schema/"):
            jsonschema.Draft202012Validator.check_schema(data)
        elif rel == "search/search_index.json":  # Material's: its own format, no schema of ours
            assert isinstance(data.get("docs"), list), rel
        else:
            raise AssertionError(f"{rel}: a JSON file no schema covers")
        checked += 1
    for name in ("feed.xml", "incidents.xml"):
        feed = feedparser.parse((out / name).read_text(encoding="utf-8"))
        assert not feed.bozo, (name, feed.bozo_exception)
    return checked
