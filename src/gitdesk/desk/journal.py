"""The write journal: what a gitdesk write is doing to the work tree, so a crash can be undone by the next one.

Before the gate writes a file it records, in .git/gitdesk/journal.json, each
path's previous bytes and a digest of the new ones. A write that finishes (or
fails cleanly) removes the journal. One that was killed leaves it, and the next
write (under the desk lock) settles each path against HEAD: if HEAD has the new
bytes the commit happened and only the user's index needs staging; if not, the
half-done write is taken back. Either way the work tree and the user's index
then agree with HEAD for those paths, and the crash's temporary files are gone.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitdesk.git.commit import reset_user_index, wait_for_index
from gitdesk.store.writer import atomic_write

if TYPE_CHECKING:
    from gitdesk.git.repo import GitRepo

NAME = "journal.json"


def _digest(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def begin(state: Path, files: dict[str, bytes], backups: dict[str, bytes | None]) -> None:
    entries = {p: {"new": _digest(data), "old": _encoded(backups[p])} for p, data in files.items()}
    atomic_write(state / NAME, json.dumps({"version": 1, "paths": entries}))


def _encoded(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def end(state: Path) -> None:
    (state / NAME).unlink(missing_ok=True)


def undo(root: Path, files: dict[str, bytes], backups: dict[str, bytes | None], made: list[str]) -> None:
    """Put the work tree back as it was before a write that failed in this process."""
    for rel in files:
        _put(root / rel, backups[rel])
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            (root / folder).rmdir()  # only when empty: never anybody else's files


def _put(path: Path, data: bytes | None) -> None:
    with contextlib.suppress(OSError):
        if data is None:
            path.unlink(missing_ok=True)
        else:
            atomic_write(path, data)


def recover(root: Path, repo: GitRepo) -> list[str]:
    """Settle what a killed write left behind; returns the paths it put right ([] when nothing was pending)."""
    state = repo.state_dir()
    for stray in state.glob(f".{NAME}.*.tmp"):
        stray.unlink(missing_ok=True)
    try:
        record: dict[str, Any] = json.loads((state / NAME).read_text(encoding="utf-8"))
        entries: dict[str, dict[str, Any]] = dict(record["paths"])
    except FileNotFoundError:
        return []
    except (ValueError, KeyError, TypeError, OSError):
        end(state)  # a journal torn by the crash: it was written before any file was touched
        return []
    wait_for_index(repo)  # a stale index.lock is reported (with the command that removes it) before any repair
    head = repo.head()
    at_head = repo.read_blobs([f"{head}:{p}" for p in entries]) if head else {}
    settled = []
    for rel, entry in entries.items():
        path = root / rel
        now = path.read_bytes() if path.is_file() else None
        landed = _digest(at_head.get(f"{head}:{rel}")) == entry.get("new")
        if not landed and now is not None and _digest(now) == entry.get("new"):
            old = entry.get("old")
            _put(path, base64.b64decode(old) if old is not None else None)
            _prune(root, path.parent)
        elif not landed and _digest(now) != _digest(at_head.get(f"{head}:{rel}")):
            continue  # changed by someone since the crash: theirs to keep
        settled.append(rel)
        for stray in path.parent.glob(f".{path.name}.*.tmp") if path.parent.is_dir() else ():
            stray.unlink(missing_ok=True)
    reset_user_index(repo, head, settled)
    (state / "index.head").unlink(missing_ok=True)  # the private index may hold the crashed paths
    end(state)
    return settled


def _prune(root: Path, folder: Path) -> None:
    """Remove folders the crashed write created (attachments), if it left them empty."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
