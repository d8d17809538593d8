"""`gitdesk init`: lay out a desk in a repository without clobbering what is there.

The workflows it writes call the gitdesk GitHub Action and pin the gitdesk that ran
`init` (`install: gitdesk==X.Y.Z`); `gitdesk upgrade` (`init --update`) rewrites them for
the gitdesk that runs it, so a desk upgrades its CI in one commit.

Which action they call: `--action OWNER/REPO@REF`, else the desk's `action:` in gitdesk.yml,
else the copy of gitdesk's action.yml that `init` writes into the desk itself
(`./.github/actions/gitdesk`), which works with no action published anywhere.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitdesk import __version__
from gitdesk.errors import InvalidValue

if TYPE_CHECKING:
    from collections.abc import Iterator
    from importlib.resources.abc import Traversable

# The tokens in the scaffold's workflow files that become the running gitdesk's version and the
# action the desk calls.
VERSION_TOKEN = "GITDESK_VERSION"
ACTION_TOKEN = "GITDESK_ACTION"
WORKFLOWS = ".github/workflows/"
LOCAL_ACTION_DIR = ".github/actions/gitdesk/"
LOCAL_ACTION = "./" + LOCAL_ACTION_DIR.rstrip("/")  # the default: the desk's own copy of action.yml
ACTION_KEY = "action"  # gitdesk.yml: the action the workflows call, kept by `gitdesk upgrade`
OWNED = (WORKFLOWS, LOCAL_ACTION_DIR)  # what `upgrade` rewrites when this gitdesk would lay it out otherwise
_ACTION = re.compile(r"^(\./[A-Za-z0-9._/-]+|[A-Za-z0-9-]+/[A-Za-z0-9._-]+(/[A-Za-z0-9._/-]+)?@[A-Za-z0-9._/-]+)$")


def check_action(value: Any, where: str) -> str:
    """`OWNER/REPO@REF` (a path inside the repo after REPO allowed), or a local `./path`."""
    text = str(value or "").strip()
    if not _ACTION.match(text) or ".." in text.split("/"):
        raise InvalidValue(where, f"'{value}' is not a GitHub Action reference like OWNER/gitdesk@v1 or ./path")
    return text


def desk_action(root: Path, given: str | None = None) -> str:
    """The action this desk's workflows call: `given`, else gitdesk.yml's `action:`, else the local copy."""
    if given:
        return check_action(given, "--action")
    from gitdesk.core.config import load

    configured = load(root).raw.get(ACTION_KEY) if (root / "gitdesk.yml").exists() else None
    return check_action(configured, f"gitdesk.yml: {ACTION_KEY}") if configured else LOCAL_ACTION


def _walk(node: Traversable, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        name = child.name
        if name == "__pycache__" or name.endswith(".pyc"):
            continue
        target = name.replace("dot-", ".", 1) if name.startswith("dot-") else name
        rel = f"{prefix}{target}"
        if child.is_dir():
            yield from _walk(child, rel + "/")
        else:
            yield rel, child.read_bytes()


def render_workflow(
    text: str, version: str = __version__, action: str = LOCAL_ACTION, install: str | None = None
) -> str:
    """A scaffold workflow as a desk gets it: pinned to `version` (or `install`), calling `action`."""
    pinned = f"install: {install}" if install else f"install: gitdesk=={version}"
    return text.replace(f"install: gitdesk=={VERSION_TOKEN}", pinned).replace(
        f"uses: {ACTION_TOKEN}", f"uses: {action}"
    )


def template_files(version: str = __version__, action: str = LOCAL_ACTION) -> list[tuple[str, bytes]]:
    """(relative path, contents) of every file a new desk gets, its workflows pinned to `version`.

    The local copy of the action comes along only where the workflows call it.
    """
    out = []
    for rel, data in _walk(resources.files("gitdesk") / "desk" / "scaffold"):
        if rel.startswith(LOCAL_ACTION_DIR) and action != LOCAL_ACTION:
            continue
        if rel.startswith(WORKFLOWS):
            data = render_workflow(data.decode("utf-8"), version, action).encode("utf-8")
        elif rel == "gitdesk.yml" and action != LOCAL_ACTION:
            data = with_action(data.decode("utf-8"), action).encode("utf-8")
        out.append((rel, data))
    return out


def with_action(config_text: str, action: str) -> str:
    """gitdesk.yml with its `action:` set to `action` (the line replaced, or added at the end)."""
    line = f"{ACTION_KEY}: {action}"
    found = re.compile(rf"^{ACTION_KEY}:.*$", re.M)
    if found.search(config_text):
        return found.sub(line, config_text, count=1)
    note = "# The GitHub Action the workflows call (gitdesk upgrade keeps it; default: ./.github/actions/gitdesk)\n"
    return config_text.rstrip("\n") + "\n\n" + note + line + "\n"


def missing_files(
    root: Path, update: bool = False, version: str = __version__, action: str | None = None
) -> dict[str, str | bytes]:
    """The template files a desk lacks (path -> contents): what `Desk.init` writes and commits.

    With `update`, the files gitdesk owns (the workflows, the local action) are included too
    when they differ from what this gitdesk would lay out (a new pinned version, new steps);
    an `action` given for an existing desk is also written into its gitdesk.yml, so the next
    upgrade keeps it.
    """
    chosen = desk_action(root, action)
    out: dict[str, str | bytes] = {}
    for rel, data in template_files(version, chosen):
        path = root / rel
        if path.exists() and not (update and rel.startswith(OWNED) and path.read_bytes() != data):
            continue
        out[rel] = data
    config = root / "gitdesk.yml"
    if action and config.exists():
        text = config.read_text(encoding="utf-8")
        if (changed := with_action(text, chosen)) != text:
            out["gitdesk.yml"] = changed
    return out


def create_repository(root: Path) -> None:
    """`git init` for a directory that is not in a repository yet."""
    from gitdesk.git.repo import GitRepo

    root.mkdir(parents=True, exist_ok=True)
    GitRepo(root).run("init", "-q")


def repository_around(path: Path) -> Path | None:
    """The top of the git repository `path` is in, or None."""
    from gitdesk.errors import NotADesk
    from gitdesk.git.repo import find_root

    try:
        return find_root(path)
    except NotADesk:
        return None
