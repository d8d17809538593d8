"""The spool: where a message waits when intake fails after reading it, until `intake retry`;
and the held folder, where a message that can never succeed waits for a person.

A spooled message is its raw bytes, exactly as received, named
`<UTC time>-<sha256 prefix>.<kind>`, with the error beside it in `<name>.error`.
Replaying goes through the normal intake, so a message that did get through
before (the mail server retried too) is recognised by its Message-ID and
changes nothing. `intake serve` spools every accepted payload before it answers
Slack, and removes it once the ticket is committed, so an answer is a promise.

A message that will never succeed as it is (intake.Unusable: no usable sender,
garbage bytes, an empty command) is not retried: it goes to `<spool>/held/`
with the reason beside it, for `gitdesk intake held` to show, release or drop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from gitdesk.errors import ExitCode, GitdeskError
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


def replay(
    folder: Path, handle: Callable[[str, bytes], Any], kinds: tuple[str, ...] = KINDS
) -> Iterator[tuple[Path, Any, str]]:
    """Feed each spooled message to `handle(kind, raw)`; remove it when that succeeds.

    Yields (path, result, error) per message; a failure leaves the file in place, and a
    message that can never be taken (Unusable) moves to the held folder (result: a held Outcome).
    """
    from gitdesk.intake import Outcome, Unusable

    for path in pending(folder):
        kind = path.suffix[1:]
        if kind not in kinds:
            continue
        try:
            raw = path.read_bytes()
        except FileNotFoundError:  # another replay (intake serve, intake retry) took it meanwhile
            continue
        try:
            result = handle(kind, raw)
        except Unusable as exc:
            held_at = hold(folder, raw, kind, str(exc))
            drop(path)
            yield path, Outcome("held", reason=f"{exc}; kept as {held_at.name}"), ""
            continue
        except Exception as exc:  # kept for the next retry; the reason is recorded beside it
            error = f"{type(exc).__name__}: {exc}" if not str(exc).startswith(type(exc).__name__) else str(exc)
            (folder / f"{path.name}.error").write_text(error + "\n", encoding="utf-8")
            yield path, None, str(exc)
            continue
        drop(path)
        yield path, result, ""


class Spooled(GitdeskError):
    """Intake failed after reading; the message is safe in the spool. 75 = EX_TEMPFAIL: the sender retries."""

    exit_code = ExitCode.TEMPFAIL


HELD = "held"


def held_dir(spool: Path) -> Path:
    return spool / HELD


def hold(spool: Path, raw: bytes, kind: str, reason: str) -> Path:
    """Keep a message that can never be taken as it is; the same bytes held twice are one file."""
    return save(held_dir(spool), raw, kind, reason)


def held(spool: Path) -> list[tuple[Path, str]]:
    """(message, reason) for every held message, oldest first."""
    out = []
    for path in pending(held_dir(spool)):
        reason_file = path.with_name(f"{path.name}.error")
        reason = reason_file.read_text(encoding="utf-8").strip() if reason_file.exists() else ""
        out.append((path, reason))
    return out


def find_held(spool: Path, ref: str) -> Path:
    """A held message by its file name, or any unique part of it (the hash prefix)."""
    ref = ref.strip().rsplit("/", 1)[-1]
    matches = [p for p, _ in held(spool) if ref and (p.name == ref or ref in p.name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise GitdeskError(f"no held message matches '{ref}' (see 'gitdesk intake held list')")
    raise GitdeskError(f"'{ref}' matches {len(matches)} held messages; give more of the name")


def drop(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(f"{path.name}.error").unlink(missing_ok=True)
