"""The spool: where a message waits when intake fails after reading it, until `intake retry`.

A spooled message is its raw bytes, exactly as received, named
`<UTC time>-<sha256 prefix>.<kind>`, with the error beside it in `<name>.error`.
Replaying goes through the normal intake, so a message that did get through
before (the mail server retried too) is recognised by its Message-ID and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from gitdesk.errors import GitdeskError
from gitdesk.store.writer import atomic_write

KINDS = ("eml", "slack", "github")


def spool_dir(desk: Any) -> Path:
    """The configured spool, or .git/gitdesk/spool when the config itself is what is broken."""
    from gitdesk.intake.rules import settings

    state = desk.repo.state_dir()
    try:
        return settings(desk.config).spool_dir(desk.root, state)
    except Exception:  # a broken gitdesk.yml must not stop us keeping the message
        return state / "spool"


def save(folder: Path, raw: bytes, kind: str, error: str) -> Path:
    """Keep `raw`; the same bytes spooled twice are one file."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    digest = hashlib.sha256(raw).hexdigest()[:16]
    for existing in folder.glob(f"*-{digest}.{kind}") if folder.exists() else ():
        (folder / f"{existing.name}.error").write_text(error + "\n", encoding="utf-8")
        return existing
    path = folder / f"{stamp}-{digest}.{kind}"
    atomic_write(path, raw)
    atomic_write(folder / f"{path.name}.error", error + "\n")
    return path


def pending(folder: Path) -> list[Path]:
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix[1:] in KINDS and not p.name.startswith("."))


def replay(folder: Path, handle: Callable[[str, bytes], Any]) -> Iterator[tuple[Path, Any, str]]:
    """Feed each spooled message to `handle(kind, raw)`; remove it when that succeeds.

    Yields (path, result, error) per message; a failure leaves the file in place.
    """
    for path in pending(folder):
        try:
            result = handle(path.suffix[1:], path.read_bytes())
        except Exception as exc:  # kept for the next retry; the reason is recorded beside it
            error = f"{type(exc).__name__}: {exc}" if not str(exc).startswith(type(exc).__name__) else str(exc)
            (folder / f"{path.name}.error").write_text(error + "\n", encoding="utf-8")
            yield path, None, str(exc)
            continue
        path.unlink()
        err = folder / f"{path.name}.error"
        if err.exists():
            os.unlink(err)
        yield path, result, ""


class Spooled(GitdeskError):
    """Intake failed after reading; the message is safe in the spool. 75 = EX_TEMPFAIL: the sender retries."""

    exit_code = 75
