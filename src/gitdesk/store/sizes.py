"""`limits.ticket_file` (gitdesk.yml) at the read index: a ticket file over it is left out by every reader.

Rows are keyed by blob and mean the same whatever the limit, so the limit is applied when a reader
gets them, never stored with them: raising or lowering it serves no stale refusal or acceptance.
The index remembers the size of each ticket blob larger than the smallest limit gitdesk.yml may set
(`TICKET_FILE_FLOOR`); a desk of smaller tickets never even reads gitdesk.yml for this. A blob over
the limit is not parsed at all.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from typing import Any

from gitdesk.core.config import TICKET_FILE_FLOOR, Limits, human_size
from gitdesk.store.rows import ERROR, is_error

SIZED_KINDS = ("summary", "facts")  # the whole-desk readers; intake's threading (mids) still sees the ticket
_MARK = "larger than limits.ticket_file"
_PRUNE_FROM = 2000  # remembered blobs before the ones no longer in the folder are forgotten


def refusal_text(size: int, limit: int) -> str:
    return f"{human_size(size)}, {_MARK} ({human_size(limit)}) in gitdesk.yml: left out; split it or raise the limit"


def is_refusal(row: Any) -> bool:
    return is_error(row) and _MARK in str(row[2])


class Sizes:
    """The remembered sizes (blob -> bytes) of big ticket blobs, and the limit they are held to."""

    def __init__(self, load: Callable[[], Any], save: Callable[[bytes], None]) -> None:
        self._load, self._save = load, save
        self.limit_of: Callable[[], int] = lambda: Limits().ticket_file  # the Desk sets gitdesk.yml's
        self._known: dict[str, int] | None = None
        self._limit: int | None = None

    def known(self) -> dict[str, int]:
        if self._known is None:
            raw = self._load()
            try:
                self._known = dict(marshal.loads(raw)) if raw else {}
            except (ValueError, EOFError, TypeError):  # a damaged index: its sizes are learnt again
                self._known = {}
        return self._known

    def limit(self) -> int:
        if self._limit is None:
            self._limit = self.limit_of()
        return self._limit

    def forget_limit(self) -> None:
        self._limit = None

    def note(self, sizes: dict[str, int]) -> None:
        """Remember the big ones among blobs just read (blob -> their length)."""
        known = self.known()
        big = {b: n for b, n in sizes.items() if n > TICKET_FILE_FLOOR and known.get(b) != n}
        if big:
            known.update(big)
            self._save(marshal.dumps(known))

    def over(self, blob: str) -> bool:
        size = self.known().get(blob)
        return size is not None and size > self.limit()

    def refusal(self, blob: str) -> tuple[str, None, str]:
        return (ERROR, None, refusal_text(self.known()[blob], self.limit()))

    def apply(self, blobs: list[str], values: list[Any], remake: Callable[[int], Any]) -> list[Any]:
        """`values` (one per blob, as a column stored them) held to today's limit: a blob over it
        becomes a refusal, a refusal made under a lower limit is made again."""
        known = self.known()
        if not known:
            return values
        out: list[Any] | None = None
        for i, blob in enumerate(blobs):
            if blob not in known:
                continue
            over, refused = known[blob] > self.limit(), is_refusal(values[i])
            if over != refused:
                out = list(values) if out is None else out
                out[i] = self.refusal(blob) if over else remake(i)
        if len(known) > _PRUNE_FROM:  # a growing ticket leaves a size per version behind
            present = set(blobs)
            self._known = {b: n for b, n in known.items() if b in present}
            self._save(marshal.dumps(self._known))
        return values if out is None else out

    def key(self) -> str:
        """A suffix for results kept whole (the ordered listing): '' unless a big ticket is known."""
        return f"@{self.limit()}" if self.known() else ""
