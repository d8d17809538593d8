"""`gitdesk init`: lay out a desk in a repository without clobbering what is there.

The workflows it writes call the gitdesk GitHub Action and pin the gitdesk that ran
`init` (`install: gitdesk==X.Y.Z`); `gitdesk init --update` rewrites them for the
gitdesk that runs it, so a desk upgrades its CI in one commit.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gitdesk import __version__

# The action the scaffolded workflows call (this repository's action.yml), and the token in the
# scaffold's workflow files that becomes the running gitdesk's version.
ACTION = "gitdesk/gitdesk@v1"
VERSION_TOKEN = "GITDESK_VERSION"
WORKFLOWS = ".github/workflows/"


def _walk(node, prefix: str = ""):  # type: ignore[no-untyped-def]
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


def render_workflow(text: str, version: str = __version__, action: str = ACTION, install: str | None = None) -> str:
    """A scaffold workflow as a desk gets it: pinned to `version` (or `install`), calling `action`."""
    pinned = f"install: {install}" if install else f"install: gitdesk=={version}"
    return text.replace(f"install: gitdesk=={VERSION_TOKEN}", pinned).replace(f"uses: {ACTION}", f"uses: {action}")


def template_files(version: str = __version__) -> list[tuple[str, bytes]]:
    """(relative path, contents) of every file a new desk gets, its workflows pinned to `version`."""
    out = []
    for rel, data in _walk(resources.files("gitdesk") / "desk" / "scaffold"):
        if rel.startswith(WORKFLOWS):
            data = render_workflow(data.decode("utf-8"), version).encode("utf-8")
        out.append((rel, data))
    return out


def missing_files(root: Path, update: bool = False, version: str = __version__) -> dict[str, str | bytes]:
    """The template files a desk lacks (path -> contents): what `Desk.init` writes and commits.

    With `update`, the workflows gitdesk owns are included too when they differ from
    what this gitdesk would lay out (a new pinned version, new steps).
    """
    out: dict[str, str | bytes] = {}
    for rel, data in template_files(version):
        path = root / rel
        if path.exists() and not (update and rel.startswith(WORKFLOWS) and path.read_bytes() != data):
            continue
        out[rel] = data
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
