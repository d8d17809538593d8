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


_PIECE = 2000  # lines per stored piece of an ordered listing


def _joined(ids: list[int], pieces: dict[int, Any]) -> tuple[list[str], list[str]]:
    """(statuses, lines) of a listing from its pieces, in the header's order."""
    statuses: list[str] = []
    lines: list[str] = []
    for i in ids:
        statuses += pieces[i][0]
        lines += pieces[i][1]
    return statuses, lines


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

        Kept as its own listing, so the everyday `list` reads two lists and builds no object per ticket.
        It is stored in pieces of about _PIECE lines, and beside them (read only to move the listing
        along) the path and sort key of each line: a write rewrites the piece or two it changed.
        """
        index = self._index()
        name = f"list:{kind}:{order_name}{index.sizes.key()}"  # a listing holds one limit's refusals
        with gc_paused():
            index.prefetch(TICKETS_DIR)  # git stats the files while the stored listing is read
            stored = index.get_pieces(name, "L")
            token = index.token(TICKETS_DIR)
            if stored is not None and stored[0][0] == token:
                if stored[0][2]:  # the files left out of this listing, kept beside it
                    index.skipped.update(stored[0][2])
                return _joined(stored[0][1], stored[1])
            if stored is not None:
                patched = self._patched_order(name, stored, render, order_key)
                if patched is not None:
                    return patched
            _, paths, values, _ = self._listing(kind, render)
            rows = [v[0] for v in values]
            keys = list(map(order_key, rows))
            order = sorted(range(len(rows)), key=keys.__getitem__)
            statuses, lines = [rows[i][_STATUS] for i in order], [values[i][1] for i in order]
            paths, keys = [paths[i] for i in order], [keys[i] for i in order]
            cuts = range(0, len(order), _PIECE)
            pieces = {
                n: [statuses[c : c + _PIECE], lines[c : c + _PIECE], paths[c : c + _PIECE], keys[c : c + _PIECE]]
                for n, c in enumerate(cuts)
            }
            self._store_order(name, list(pieces), pieces, pieces, whole=True)
            return statuses, lines

    def _store_order(
        self,
        name: str,
        ids: list[int],
        pieces: dict[int, list[Any]],
        touched: Any,
        drop: Any = (),
        whole: bool = False,
        expect: Any = None,
    ) -> None:
        """The listing's header and its `touched` pieces: (statuses, lines) as part L, (paths, keys) as part K;
        patched pieces only onto the header (`expect`) they were patched from."""
        index = self._index()
        header = (index.token(TICKETS_DIR), ids, dict(index.skipped), index.overlay_paths(TICKETS_DIR))
        parts = {
            "L": {i: (pieces[i][0], pieces[i][1]) for i in touched},
            "K": {i: (pieces[i][2], pieces[i][3]) for i in touched},
        }
        index.put_pieces(name, header, parts, drop, whole, expect)

    def _patched_order(
        self, name: str, stored: Any, render: Callable[[Summary], str], order_key: Callable[[tuple[Any, ...]], Any]
    ) -> tuple[list[str], list[str]] | None:
        """The stored ordered listing with only the tickets changed since moved: no whole-desk read after a write.

        None when that is not the cheap way (no stored keys, many changes, a file that does not parse)."""
        index = self._index()
        (token_then, ids, skipped_then, overlay_then), lines_of = stored
        keyed = index.get_pieces(name, "K")
        if keyed is None or keyed[0] != stored[0]:
            return None
        changes = index.changes_since(TICKETS_DIR, token_then, overlay_then)
        if changes is None:
            return None
        rows = index.rows("summary", {b: p for p, b in changes.items() if b is not None})
        if any(map(is_error, rows.values())):
            return None
        ids = list(ids)
        pieces = {i: [*lines_of[i], *keyed[1][i]] for i in ids}  # statuses, lines, paths, keys
        touched: set[int] = set()
        dropped: list[int] = []

        def edit(i: int) -> list[Any]:
            if i not in touched:
                pieces[i] = [list(column) for column in pieces[i]]
                touched.add(i)
            return pieces[i]

        for path, blob in changes.items():
            at_piece = next((i for i in ids if path in pieces[i][2]), None)
            if at_piece is not None:
                piece = edit(at_piece)
                at = piece[2].index(path)
                for column in piece:
                    del column[at]
                if not piece[2]:
                    ids.remove(at_piece)
                    touched.discard(at_piece)
                    dropped.append(at_piece)
            if blob is None:
                continue
            row = rows[blob][0]
            key = order_key(row)
            if not ids:  # the first ticket of an empty listing
                ids.append(max(dropped, default=-1) + 1)
                pieces[ids[0]] = [[], [], [], []]
                i = ids[0]
            else:
                # by (key, path): equal keys (hand-edited `id: 0` twins) stay in path order, as a rebuild sorts them
                lasts = [(pieces[i][3][-1], pieces[i][2][-1]) for i in ids]  # no piece in `ids` is empty
                i = ids[min(bisect.bisect_left(lasts, (key, path)), len(ids) - 1)]
            piece = edit(i)
            lo, hi = bisect.bisect_left(piece[3], key), bisect.bisect_right(piece[3], key)
            at = bisect.bisect_left(piece[2], path, lo, hi)
            for column, value in zip(piece, (row[_STATUS], render(Summary._make(row)), path, key), strict=True):
                column.insert(at, value)
            if len(piece[2]) > 2 * _PIECE:  # a piece that grew twice its size is cut in two
                new = max([*ids, *dropped]) + 1
                pieces[new] = [column[_PIECE:] for column in piece]
                pieces[i] = [column[:_PIECE] for column in piece]
                ids.insert(ids.index(i) + 1, new)
                touched.add(new)
        # the committed files left out before, unchanged; what the work tree holds is looked at afresh
        worktree_then = {"/".join(p.split("/", 2)[:2]) for p in overlay_then}
        still = dict(skipped_then or {}).items()
        index.skipped.update((p, why) for p, why in still if p not in changes and p not in worktree_then)
        self._store_order(name, ids, pieces, touched, [i for i in dropped if i not in ids], expect=stored[0])
        return _joined(ids, {i: pieces[i][:2] for i in ids})

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
