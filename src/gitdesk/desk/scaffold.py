"""`gitdesk init`: lay out a desk in a repository without clobbering what is there."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gitdesk.store.writer import atomic_write


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


def template_files() -> list[tuple[str, bytes]]:
    """(relative path, contents) of every file a new desk gets."""
    return list(_walk(resources.files("gitdesk") / "desk" / "scaffold"))


def lay_out(root: Path) -> list[str]:
    """Write every template file that does not exist yet; return what was written."""
    written = []
    for rel, data in template_files():
        path = root / rel
        if path.exists():
            continue
        atomic_write(path, data.decode("utf-8"))
        written.append(rel)
    return written
