"""Ticket files on disk (read side; writes are `writer.py`): ID generation and resolution by prefix, loading.

The files are the only truth; what `list` reads comes from the read index
(index.py), derived from them and rebuilt on demand.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitdesk.core.config import Limits
from gitdesk.core.ids import ID_ALPHABET, ID_BITS, TICKETS_DIR, canonical  # noqa: F401 - re-exported
from gitdesk.errors import AmbiguousTicket, GitdeskError, MalformedTicket, UnknownTicket
from gitdesk.store.index import DeskIndex, is_regular
from gitdesk.store.rows import Summary, is_error, is_ticket_file, ticket_of
from gitdesk.store.sizes import refusal_text

__all__ = ["Summary", "TicketStore", "canonical", "gc_paused", "is_ticket_file", "new_id"]

if TYPE_CHECKING:
    from gitdesk.core.ticket import Ticket

_ALPHABET = ID_ALPHABET


def new_id(prefix: str) -> str:
    """PREFIX-xxxxxxxx: 40 random bits, so clones never need to coordinate."""
    n = int.from_bytes(os.urandom(8), "big") >> (64 - ID_BITS)  # os.urandom: `secrets` costs 6 ms to import
    body = "".join(_ALPHABET[(n >> shift) & 31] for shift in range(ID_BITS - 5, -1, -5))
    return f"{prefix}-{body}"


class TicketStore:
    """The ticket files: loading one, and the whole-desk reads through the read index."""

    def __init__(self, root: Path, index: DeskIndex | None = None) -> None:
        self.root = root
        self.dir = root / TICKETS_DIR
        self.index = index

    def rel(self, ticket_id: str) -> str:
        return f"{TICKETS_DIR}/{ticket_id}.md"

    def path(self, ticket_id: str) -> Path:
        return self.dir / f"{ticket_id}.md"

    def exists(self, ticket_id: str) -> bool:
        return self.path(ticket_id).exists()

    def ids(self) -> list[str]:
        """Every ticket ID: the names in tickets/, the truth that resolution reads (one listdir)."""
        try:
            with os.scandir(self.dir) as it:
                # regular files only: a FIFO named like a ticket would block every reader, a symlink
                # could point anywhere; `gitdesk validate` reports them
                return [e.name[:-3] for e in it if is_ticket_file(e.name) and e.is_file(follow_symlinks=False)]
        except FileNotFoundError:
            return []

    def resolve(self, ref: str) -> str:
        """An ID from any unambiguous, case-insensitive prefix, as git does for hashes."""
        ref = ref.strip()
        if not ref:
            raise UnknownTicket(ref)
        full = canonical(ref)
        if "-" in full and is_regular(self.path(full)):  # a symlink named like a ticket is never read
            return full
        matches = self._by_prefix(ref.lower())
        if not matches:
            raise UnknownTicket(ref)
        if len(matches) > 1:
            raise AmbiguousTicket(ref, sorted(matches))
        return matches[0]

    def _by_prefix(self, low: str) -> list[str]:
        """IDs whose whole name or part after the dash starts with `low`: the names are filtered as text
        first, and only the few that match are checked to be ticket files (at 100k names, a tenth of a second)."""
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        hits = [n[:-3] for n in names if n.lower().startswith(low) or n.startswith(low, n.find("-") + 1)]
        exact = [i for i in hits if i.lower().startswith(low) or i.split("-", 1)[-1].startswith(low)]  # not ".md"
        return [i for i in exact if is_ticket_file(f"{i}.md") and is_regular(self.path(i))]

    def load(self, ticket_id: str) -> Ticket:
        """One ticket file; a symlink, FIFO or directory named like it is no ticket (and is never followed)."""
        try:
            fd = os.open(self.path(ticket_id), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, OSError):
            raise UnknownTicket(ticket_id) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise UnknownTicket(ticket_id)
        with open(fd, "rb") as fh:
            data = fh.read()
        self._within_limit(self.rel(ticket_id), len(data))
        return ticket_of(self.rel(ticket_id), data)  # type: ignore[no-any-return]

    def _within_limit(self, rel: str, size: int) -> None:
        """A ticket file larger than limits.ticket_file (gitdesk.yml) is refused, naming the limit."""
        limit = self.index.sizes.limit() if self.index is not None else Limits().ticket_file
        if size > limit:
            raise MalformedTicket(rel, None, refusal_text(size, limit))

    def iter_tickets(self) -> Iterator[Ticket]:
        for ticket_id in sorted(self.ids()):
            yield self.load(ticket_id)

    def every_ticket(self, batch: int = 2000) -> Iterator[Ticket]:
        """Every ticket in ID order, read by blob id through the index (a few `cat-file --batch` runs).

        A file that does not parse is left out and noted in the index's `skipped`.
        """
        index = self._index()
        paths, blobs = index.files(TICKETS_DIR)
        for start in range(0, len(paths), batch):
            part = list(zip(paths[start : start + batch], blobs[start : start + batch], strict=True))
            texts = index.contents({b: p for p, b in part})
            for path, blob in part:
                try:
                    self._within_limit(path, len(texts[blob]))
                    ticket = ticket_of(path, texts[blob])
                except MalformedTicket as exc:
                    index.skipped[path] = (exc.line, exc.problem)
                    continue
                yield ticket

    # -- what `list` reads: columns of the index ---------------------------------------------
    def summaries(self) -> list[Summary]:
        """Every ticket's summary, oldest first (created, then ID)."""
        with gc_paused():
            paths, values, derived = self.summary_column()
            rows = [v[0] for v in values]
            return list(map(Summary._make, map(rows.__getitem__, self._age(SUMMARY_COLUMN, rows, derived))))

    def summaries_rendered(self, kind: str, render: Callable[[Summary], str]) -> list[tuple[Summary, str]]:
        """Summaries, oldest first, each with its one-line rendering, kept in the index beside it."""
        with gc_paused():
            name, _, values, derived = self._listing(kind, render)
            order = self._age(name, [v[0] for v in values], derived)
            return [(Summary._make(values[i][0]), values[i][1]) for i in order]

    def rendered_in_order(
        self, kind: str, render: Callable[[Summary], str], order_name: str, order_key: Callable[[tuple[Any, ...]], Any]
    ) -> tuple[list[str], list[str]]:
        """(statuses, renderings) of every ticket sorted by `order_key(row)`; name the order after its key.

        Kept as its own small column, so the everyday listing reads two lists and builds no object per ticket.
        """
        index = self._index()
        name = f"list:{kind}:{order_name}{index.sizes.key()}"  # a listing holds one limit's refusals
        with gc_paused():
            index.prefetch(TICKETS_DIR)  # git stats the files while the stored listing is read
            stored = index.get_column(name)
            token = index.token(TICKETS_DIR)
            if stored is not None and stored[0] == token:
                if stored[1]:  # the files left out of this listing, kept beside it
                    index.skipped.update(stored[1])
                return stored[3]  # type: ignore[no-any-return]
            if stored is not None:
                patched = self._patched_order(name, stored, render, order_key)
                if patched is not None:
                    return patched
            _, paths, values, _ = self._listing(kind, render)
            rows = [v[0] for v in values]
            keys = list(map(order_key, rows))
            order = sorted(range(len(rows)), key=keys.__getitem__)
            result = ([rows[i][_STATUS] for i in order], [values[i][1] for i in order])
            self._store_order(name, token, result, [paths[i] for i in order], [keys[i] for i in order])
            return result

    def _store_order(
        self, name: str, token: str, result: tuple[list[str], list[str]], paths: list[str], keys: list[Any]
    ) -> None:
        """The ordered listing, and beside it (read only to patch it) the path and sort key of each line."""
        index = self._index()
        index.put_column(name, (token, dict(index.skipped), [], result, {}))
        index.put_column(name + ":keys", (token, paths, keys, None, {"overlay": index.overlay_paths(TICKETS_DIR)}))

    def _patched_order(
        self, name: str, stored: Any, render: Callable[[Summary], str], order_key: Callable[[tuple[Any, ...]], Any]
    ) -> tuple[list[str], list[str]] | None:
        """The stored ordered listing with only the tickets changed since moved: no whole-desk read after a write.

        None when that is not the cheap way (no stored keys, many changes, a file that does not parse)."""
        index = self._index()
        keyed = index.get_column(name + ":keys")
        if keyed is None or keyed[0] != stored[0]:
            return None
        overlay_then = keyed[4].get("overlay", [])
        changes = index.changes_since(TICKETS_DIR, stored[0], overlay_then)
        if changes is None:
            return None
        rows = index.rows("summary", {b: p for p, b in changes.items() if b is not None})
        if any(map(is_error, rows.values())):
            return None
        statuses, lines = list(stored[3][0]), list(stored[3][1])
        paths, keys = list(keyed[1]), list(keyed[2])
        for path, blob in changes.items():
            with contextlib.suppress(ValueError):
                at = paths.index(path)
                del statuses[at], lines[at], paths[at], keys[at]
            if blob is None:
                continue
            row = rows[blob][0]
            key = order_key(row)
            at = bisect.bisect_left(keys, key)
            statuses.insert(at, row[_STATUS])
            lines.insert(at, render(Summary._make(row)))
            paths.insert(at, path)
            keys.insert(at, key)
        result = (statuses, lines)
        # the committed files left out before, unchanged; what the work tree holds is looked at afresh
        worktree_then = {"/".join(p.split("/", 2)[:2]) for p in overlay_then}
        still = dict(stored[1] or {}).items()
        index.skipped.update((p, why) for p, why in still if p not in changes and p not in worktree_then)
        self._store_order(name, index.token(TICKETS_DIR), result, paths, keys)
        return result

    def _listing(
        self, kind: str, render: Callable[[Summary], str]
    ) -> tuple[str, list[str], list[Any], dict[str, list[Any]]]:
        """(column name, paths, (summary, line) per ticket, derived): the rendering is patched per changed ticket."""
        name = f"tickets:list:{kind}"
        index = self._index()
        paths, values, derived = index.column(
            name, TICKETS_DIR, "summary", lambda _, row: (row[0], render(Summary._make(row[0])))
        )
        paths, values = index.good(paths, values)
        return name, paths, values, derived

    def _age(self, name: str, rows: list[tuple[Any, ...]], derived: dict[str, list[Any]]) -> list[int]:
        if _AGE not in derived:
            derived = {**derived, _AGE: _permutation(rows, _age)}
            self._index().put_derived(name, derived)
        return derived[_AGE]

    def summary_column(self) -> tuple[list[str], list[Any], dict[str, list[Any]]]:
        """(paths, (summary, message ids) per ticket, derived); a broken ticket is left out and noted in `skipped`."""
        index = self._index()
        paths, values, derived = index.column(SUMMARY_COLUMN, TICKETS_DIR, "summary")
        paths, values = index.good(paths, values)
        return paths, values, derived

    def message_ids(self) -> tuple[list[str], list[Any]]:
        """(paths, message ids per ticket): what intake threads and de-duplicates by."""
        return self._index().values("tickets:mids", TICKETS_DIR, "mids")

    def _index(self) -> DeskIndex:
        if self.index is None:
            raise GitdeskError(f"{self.root}: not a git work tree, so there is no read index")
        return self.index


SUMMARY_COLUMN = "tickets:summary"
_AGE = "order:created,id"  # the derived column holding the oldest-first permutation
_CREATED = Summary._fields.index("created")
_STATUS = Summary._fields.index("status")


def _age(row: tuple[Any, ...]) -> tuple[str, str]:
    """Oldest first, ties by ID: the order every caller starts from."""
    return row[_CREATED], row[0]


def _permutation(rows: list[tuple[Any, ...]], key: Callable[[tuple[Any, ...]], Any]) -> list[int]:
    ranks = list(map(key, rows))
    return sorted(range(len(rows)), key=ranks.__getitem__)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector around bulk work on rows.

    Loading 100k rows makes over a million long-lived objects, and the collector
    would walk them again and again as they arrive. Afterwards they are frozen
    (moved out of the collector's sight): nothing made here forms cycles, so there
    is nothing for it to find, only time to lose. Young garbage is collected first
    (cheap), so a long-running process does not freeze someone else's cycles.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
