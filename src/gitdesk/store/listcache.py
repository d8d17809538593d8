"""The summary cache behind `list`: derived from the ticket files, keyed by their stat, rebuilt on demand.

Two marshal files in .git/gitdesk/: `summaries.marshal` holds the file names,
their stat keys and derived columns (rendered table lines, cached orders,
statuses); `summary-rows.marshal` holds the summary rows, tied to the first by
a token. A warm default `list` reads only the first: one listdir, one stat per
file, two list comparisons in C and a join. After a change only the changed
tickets are re-read. A hand edit, a `git pull` or a corrupt or foreign cache is
noticed on the next read; the files stay the only truth.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import ne
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, NamedTuple

# tickets/ holds PREFIX-id.md files; anything else there (a README, an editor's backup) is not a
# ticket, is skipped by every reader, and is reported by `gitdesk validate`.
_TICKET_FILE = re.compile(r"[A-Z][A-Z0-9]{0,9}-[0-9a-z]+\.md")


def is_ticket_file(name: str) -> bool:
    return _TICKET_FILE.fullmatch(name) is not None


if TYPE_CHECKING:
    from gitdesk.core.ticket import Ticket

CACHE_VERSION = 6


class Summary(NamedTuple):
    """What `list` needs of a ticket; cached so listing never re-parses unchanged files."""

    id: str
    title: str
    status: str
    priority: str
    queue: str
    tier: int
    assignee: str
    requester: str
    email: str
    created: str
    updated: str
    visibility: str
    parent: str

    @classmethod
    def of(cls, t: Ticket) -> Summary:
        req = t.requester
        return cls(
            t.id,
            t.title,
            t.status,
            t.priority or "",
            str(t.meta.get("queue") or ""),
            t.tier,
            str(t.meta.get("assignee") or ""),
            str(req.get("name") or ""),
            str(req.get("email") or ""),
            str(t.meta.get("created") or ""),
            str(t.meta.get("updated") or ""),
            t.visibility,
            str(t.meta.get("parent") or ""),
        )


class SummaryCache:
    """Summaries of the `.md` files in one directory; `read_one(name)` parses a changed file."""

    def __init__(self, directory: Path, cache_dir: Path | None, read_one: Callable[[str], Summary]) -> None:
        self.dir = directory
        self._read_one = read_one
        self.cache_file = cache_dir / "summaries.marshal" if cache_dir else None  # names, keys, lines, orders
        self.rows_file = cache_dir / "summary-rows.marshal" if cache_dir else None  # the rows: read when needed

    def summaries(self) -> list[Summary]:
        """Every ticket's summary, parsing only files whose stat changed since last time.

        The warm path is what keeps `list` fast at 100k tickets: one listdir, one
        stat per file, and two list comparisons done in C; no YAML is imported.
        """
        with gc_paused():
            rows, _, orders = self._rows()
            return list(map(Summary._make, map(rows.__getitem__, orders[_ORDER])))

    def summaries_rendered(self, kind: str, render: Callable[[Summary], str]) -> list[tuple[Summary, str]]:
        """Summaries paired with a one-line rendering that is cached beside them.

        `kind` names the rendering (and its version): formatting 100k table lines
        costs more than reading the cache, so `list` formats only changed tickets.
        """
        with gc_paused():
            rows, lines, orders = self._rows((kind, render))
            order = orders[_ORDER]
            assert lines is not None
            return list(
                zip(map(Summary._make, map(rows.__getitem__, order)), map(lines.__getitem__, order), strict=True)
            )

    def rendered_in_order(
        self, kind: str, render: Callable[[Summary], str], order_name: str, order_key: Callable[[tuple[Any, ...]], Any]
    ) -> tuple[list[str], list[str]]:
        """(statuses, renderings) of every ticket, sorted by `order_key(row)` on Summary-ordered rows.

        The permutation is cached as `order_name` (name it after the key and its
        version), and the rows themselves are not even loaded when nothing changed:
        the commonest listing builds no object per ticket at all.
        """
        name = f"order:{order_name}"
        with gc_paused():
            _, lines, derived = self._rows((kind, render), {name: order_key}, need_rows=False)
            assert lines is not None
            order = derived.get(name, [])
            return list(map(derived.get(_STATUS, []).__getitem__, order)), list(map(lines.__getitem__, order))

    def _rows(
        self,
        rendering: tuple[str, Callable[[Summary], str]] | None = None,
        more_orders: dict[str, Callable[[tuple[Any, ...]], Any]] | None = None,
        need_rows: bool = True,
    ) -> tuple[list[tuple[Any, ...]], list[str] | None, dict[str, list[Any]]]:
        """(rows in directory order, their `rendering` lines, derived columns: orders, statuses).

        With need_rows=False and nothing changed, rows come back empty: they live in a
        second file, the bulk of the cache, which the default listing never reads.
        """
        try:
            names = [n for n in os.listdir(self.dir) if is_ticket_file(n)]
        except FileNotFoundError:
            return [], ([] if rendering else None), {_ORDER: [], _STATUS: []}
        keys = _stat_keys(self.dir, names)
        if None in keys:  # deleted while we looked
            names, keys = [n for n, k in zip(names, keys, strict=True) if k is not None], [k for k in keys if k]
        kind, render = rendering or ("", None)
        order_keys = {_ORDER: _age, **(more_orders or {})}
        index = self._read_cache()
        if index is not None and index[0] == names and index[1] == keys:
            derived = index[2]
            complete = (render is None or kind in derived) and all(n in derived for n in order_keys)
            if complete and not need_rows:
                return [], derived.get(kind), derived
            rows = self._read_rows(index[3], len(names))
            if rows is not None:
                if not complete:
                    derived = _derive(rows, {k: v for k, v in derived.items()}, kind, render, order_keys)
                    self._write_index(names, keys, derived, index[3])
                return rows, derived.get(kind), derived
        # Something changed: line the cache up with the directory and redo only what differs.
        # Every step over all N entries is a C-level map or compare; Python runs per change.
        old_rows = self._read_rows(index[3], len(index[0])) if index is not None else None
        cached = None if old_rows is None else (index[0], index[1], old_rows, index[2])  # type: ignore[index]
        old_keys, rows, lines = _align(cached, names, kind if render else None)
        stored = list(keys)
        racy_after = time.time_ns() - RACY_NS
        for i in compress(range(len(names)), map(ne, keys, old_keys)):
            rows[i] = tuple(self._read_one(names[i]))
            if lines is not None:
                lines[i] = render(Summary._make(rows[i]))  # type: ignore[misc]
            # A file changed within the racy window may change again without its stat
            # key moving (coarse timestamps), so it is stored unmatched: re-read next time.
            if keys[i][0] >= racy_after:
                stored[i] = None
        derived = _derive(rows, {} if lines is None else {kind: lines}, kind, render, order_keys)
        token = os.urandom(8).hex()
        self._write_file(self.rows_file, (_CACHE_HEADER, token, rows))
        self._write_index(names, stored, derived, token)
        return rows, derived.get(kind), derived

    def _read_cache(self) -> tuple[list[str], list[Any], dict[str, list[Any]], str] | None:
        """(names, stat keys, derived columns, rows token), or None when missing, corrupt or foreign."""
        data = self._read_file(self.cache_file)
        try:
            header, names, keys, derived, token = data  # type: ignore[misc]
            if header != _CACHE_HEADER or len(names) != len(keys) or not isinstance(derived, dict):
                return None
            if (
                _ORDER not in derived
                or _STATUS not in derived
                or any(not isinstance(v, list) or len(v) != len(names) for v in derived.values())
            ):
                return None
            if names and any(min(v) < 0 or max(v) >= len(names) for n, v in derived.items() if n.startswith("order:")):
                return None
            return names, keys, derived, token
        except (ValueError, TypeError):
            return None

    def _read_rows(self, token: str, count: int) -> list[tuple[Any, ...]] | None:
        """The summary rows written with `token`; None if that file is missing, stale or foreign."""
        data = self._read_file(self.rows_file)
        try:
            header, rows_token, rows = data  # type: ignore[misc]
        except (ValueError, TypeError):
            return None
        if header != _CACHE_HEADER or rows_token != token or not isinstance(rows, list) or len(rows) != count:
            return None
        return rows

    @staticmethod
    def _read_file(path: Path | None) -> Any:
        if not path:
            return None
        try:
            with open(path, "rb") as fh:
                return marshal.loads(fh.read())  # marshal.load(fh) reads piecemeal: several times slower
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def _write_index(self, names: list[str], keys: list[Any], derived: dict[str, list[Any]], token: str) -> None:
        self._write_file(self.cache_file, (_CACHE_HEADER, names, keys, derived, token))

    @staticmethod
    def _write_file(path: Path | None, data: Any) -> None:
        if not path:
            return
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                fh.write(marshal.dumps(data))
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


# The cache is marshal, not pickle: plain tuples load several times faster than
# named tuples, and a header that names the fields makes a cache from another
# gitdesk version (or another Summary layout) simply not match.
_CACHE_HEADER = ("gitdesk-summaries", CACHE_VERSION, Summary._fields)
RACY_NS = 2_000_000_000
_ORDER = "order:created,id"  # the derived column holding the oldest-first permutation
_CREATED = Summary._fields.index("created")
_STATUS = "col:status"  # the derived column of statuses, enough to filter the default listing
_STATUS_FIELD = Summary._fields.index("status")


def _age(row: tuple[Any, ...]) -> tuple[str, str]:
    """Oldest first, ties by ID: the order every caller starts from."""
    return row[_CREATED], row[0]


def _derive(
    rows: list[tuple[Any, ...]],
    derived: dict[str, list[Any]],
    kind: str,
    render: Callable[[Summary], str] | None,
    order_keys: dict[str, Callable[[tuple[Any, ...]], Any]],
) -> dict[str, list[Any]]:
    """Fill in the derived columns `derived` lacks: the rendering, the orders, the statuses."""
    if render is not None and kind not in derived:
        derived[kind] = [render(Summary._make(r)) for r in rows]
    derived.update({n: _permutation(rows, key) for n, key in order_keys.items() if n not in derived})
    if _STATUS not in derived:  # interned, so marshal stores each status once
        derived[_STATUS] = [sys.intern(r[_STATUS_FIELD]) for r in rows]
    return derived


def _permutation(rows: list[tuple[Any, ...]], key: Callable[[tuple[Any, ...]], Any]) -> list[int]:
    ranks = list(map(key, rows))
    return sorted(range(len(rows)), key=ranks.__getitem__)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector around bulk work on summaries.

    Loading 100k rows makes over a million long-lived objects, and the collector
    would walk them again and again as they arrive (0.4 s of a 1.5 s `list`).
    Afterwards they are frozen (moved out of the collector's sight): nothing made
    here forms cycles, so there is nothing for it to find, only time to lose.
    Young garbage is collected first (cheap), so a long-running process that lists
    now and then does not freeze someone else's cycles along with the rows.
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


def _align(cached: Any, names: list[str], kind: str | None) -> tuple[list[Any], list[Any], list[Any] | None]:
    """The cached keys, rows and `kind` lines in the order of `names`; None where nothing is cached."""
    if cached is None:
        return [None] * len(names), [None] * len(names), None
    old_names, old_keys, old_rows, derived = cached
    old_lines = derived.get(kind) if kind else None
    if old_names == names:
        return list(old_keys), list(old_rows), (list(old_lines) if old_lines is not None else None)
    where = list(map(dict(zip(old_names, range(len(old_names)), strict=True)).get, names, repeat(-1)))
    pick = [*old_keys, None].__getitem__, [*old_rows, None].__getitem__  # index -1: not cached
    keys, rows = list(map(pick[0], where)), list(map(pick[1], where))
    return keys, rows, (list(map([*old_lines, None].__getitem__, where)) if old_lines is not None else None)


def _stat_keys(directory: Path, names: list[str]) -> list[Any]:
    """(mtime_ns, size, inode) per file; the inode catches an atomic replace within one clock tick."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        stat = os.stat
        try:
            return [  # None for a symlink, directory or FIFO named like a ticket: skipped (validate reports it)
                (s.st_mtime_ns, s.st_size, s.st_ino) if S_ISREG(s.st_mode) else None
                for s in [stat(n, dir_fd=fd, follow_symlinks=False) for n in names]
            ]
        except FileNotFoundError:  # deleted while we looked: that one simply has no key
            keys: list[Any] = []
            for n in names:
                try:
                    s = stat(n, dir_fd=fd, follow_symlinks=False)
                    keys.append((s.st_mtime_ns, s.st_size, s.st_ino) if S_ISREG(s.st_mode) else None)
                except FileNotFoundError:
                    keys.append(None)
            return keys
    finally:
        os.close(fd)
