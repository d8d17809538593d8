"""Ticket files on disk: atomic writes, ID resolution by prefix, and the list cache.

The files are the only truth. The cache in .git/gitdesk/ is derived, keyed by
each file's (mtime_ns, size), and rebuilt on demand, so a hand edit or a
`git pull` is picked up on the next read.
"""
from __future__ import annotations

import contextlib
import gc
import marshal
import os
import re
import sys
import time
from itertools import compress, repeat
from operator import ne
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import AmbiguousTicket, GitdeskError, MalformedTicket, UnknownTicket

if TYPE_CHECKING:
    from .ticket import Ticket

TICKETS_DIR = "tickets"
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: no i, l, o, u
ID_BITS = 40
CACHE_VERSION = 6


def new_id(prefix: str) -> str:
    """PREFIX-xxxxxxxx: 40 random bits, so clones never need to coordinate."""
    n = int.from_bytes(os.urandom(8), "big") >> (64 - ID_BITS)  # os.urandom: `secrets` costs 6 ms to import
    body = "".join(_ALPHABET[(n >> shift) & 31] for shift in range(ID_BITS - 5, -1, -5))
    return f"{prefix}-{body}"


def canonical(ref: str) -> str:
    """Case-insensitive IDs: the prefix is upper case, the random part lower case."""
    ref = ref.strip()
    if "-" in ref:
        prefix, rest = ref.split("-", 1)
        return f"{prefix.upper()}-{rest.lower()}"
    return ref.lower()


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file.

    Bytes are written as they are: intake stores mail attachments beside tickets.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with (open(tmp, "wb") if isinstance(text, bytes)
              else open(tmp, "w", encoding="utf-8", newline="\n")) as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


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
        return cls(t.id, t.title, t.status, t.priority or "", str(t.meta.get("queue") or ""), t.tier,
                   str(t.meta.get("assignee") or ""), str(req.get("name") or ""), str(req.get("email") or ""),
                   str(t.meta.get("created") or ""), str(t.meta.get("updated") or ""), t.visibility,
                   str(t.meta.get("parent") or ""))


class TicketStore:
    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        self.root = root
        self.dir = root / TICKETS_DIR
        self.cache_file = cache_dir / "summaries.marshal" if cache_dir else None  # names, keys, lines, orders
        self.rows_file = cache_dir / "summary-rows.marshal" if cache_dir else None  # the rows: read when needed

    def rel(self, ticket_id: str) -> str:
        return f"{TICKETS_DIR}/{ticket_id}.md"

    def path(self, ticket_id: str) -> Path:
        return self.dir / f"{ticket_id}.md"

    def exists(self, ticket_id: str) -> bool:
        return self.path(ticket_id).exists()

    def ids(self) -> list[str]:
        try:
            with os.scandir(self.dir) as it:
                return [e.name[:-3] for e in it if e.name.endswith(".md") and not e.name.startswith(".")]
        except FileNotFoundError:
            return []

    def resolve(self, ref: str) -> str:
        """An ID from any unambiguous, case-insensitive prefix, as git does for hashes."""
        ref = ref.strip()
        if not ref:
            raise UnknownTicket(ref)
        full = canonical(ref)
        if "-" in full and self.path(full).exists():
            return full
        low = ref.lower()
        matches = [i for i in self.ids() if i.lower().startswith(low) or i.lower().split("-", 1)[-1].startswith(low)]
        if not matches:
            raise UnknownTicket(ref)
        if len(matches) > 1:
            raise AmbiguousTicket(ref, sorted(matches))
        return matches[0]

    def load(self, ticket_id: str) -> Ticket:
        path = self.path(ticket_id)
        rel = self.rel(ticket_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UnknownTicket(ticket_id) from None
        except UnicodeDecodeError as exc:
            raise MalformedTicket(rel, None, f"not UTF-8 text ({exc.reason})") from None
        from .ticket import parse  # lazily: a warm `list` never needs YAML

        ticket = parse(text, rel)
        if ticket.id and canonical(ticket.id) != ticket_id:
            raise MalformedTicket(rel, 2, f"id '{ticket.id}' does not match the file name")
        return ticket

    def save(self, ticket: Ticket) -> str:
        from .ticket import dump

        atomic_write(self.path(ticket.id), dump(ticket))
        return self.rel(ticket.id)

    def iter_tickets(self) -> Iterator[Ticket]:
        for ticket_id in sorted(self.ids()):
            yield self.load(ticket_id)

    # -- the summary cache --------------------------------------------------------------
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
            return list(zip(map(Summary._make, map(rows.__getitem__, order)), map(lines.__getitem__, order),
                            strict=True))

    def rendered_in_order(self, kind: str, render: Callable[[Summary], str], order_name: str,
                          order_key: Callable[[tuple[Any, ...]], Any]) -> tuple[list[str], list[str]]:
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

    def _rows(self, rendering: tuple[str, Callable[[Summary], str]] | None = None,
              more_orders: dict[str, Callable[[tuple[Any, ...]], Any]] | None = None, need_rows: bool = True,
              ) -> tuple[list[tuple[Any, ...]], list[str] | None, dict[str, list[Any]]]:
        """(rows in directory order, their `rendering` lines, derived columns: orders, statuses).

        With need_rows=False and nothing changed, rows come back empty: they live in a
        second file, the bulk of the cache, which the default listing never reads.
        """
        try:
            names = [n for n in os.listdir(self.dir) if n.endswith(".md") and not n.startswith(".")]
        except FileNotFoundError:
            return [], ([] if rendering else None), {_ORDER: [], _STATUS: []}
        keys = _stat_keys(self.dir, names)
        if None in keys:  # deleted while we looked
            names, keys = [n for n, k in zip(names, keys) if k is not None], [k for k in keys if k is not None]
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
            rows[i] = tuple(self._summary_of_file(names[i]))
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

    def _summary_of_file(self, name: str) -> Summary:
        """A summary read from the front matter without its history, the bulk of a ticket."""
        ticket_id = name[:-3]
        rel = self.rel(ticket_id)
        try:
            with open(self.dir / name, encoding="utf-8") as fh:
                text = fh.read()
        except (FileNotFoundError, UnicodeDecodeError):
            return Summary.of(self.load(ticket_id))  # raises the proper one-line error
        head = _without_history(text)
        if head is not None:
            from .ticket import Ticket, load_yaml, split_front_matter

            try:
                meta = load_yaml(split_front_matter(head, rel)[0], rel, 2)
            except GitdeskError:
                meta = None
            if isinstance(meta, dict) and (not meta.get("id") or canonical(str(meta["id"])) == ticket_id):
                return Summary.of(Ticket(meta, "", rel))
        return Summary.of(self.load(ticket_id))

    def _read_cache(self) -> tuple[list[str], list[Any], dict[str, list[Any]], str] | None:
        """(names, stat keys, derived columns, rows token), or None when missing, corrupt or foreign."""
        data = self._read_file(self.cache_file)
        try:
            header, names, keys, derived, token = data  # type: ignore[misc]
            if header != _CACHE_HEADER or len(names) != len(keys) or not isinstance(derived, dict):
                return None
            if _ORDER not in derived or _STATUS not in derived or \
                    any(not isinstance(v, list) or len(v) != len(names) for v in derived.values()):
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


def _derive(rows: list[tuple[Any, ...]], derived: dict[str, list[Any]], kind: str,
            render: Callable[[Summary], str] | None, order_keys: dict[str, Callable[[tuple[Any, ...]], Any]],
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
    where = list(map(dict(zip(old_names, range(len(old_names)))).get, names, repeat(-1)))
    pick = [*old_keys, None].__getitem__, [*old_rows, None].__getitem__  # index -1: not cached
    keys, rows = list(map(pick[0], where)), list(map(pick[1], where))
    return keys, rows, (list(map([*old_lines, None].__getitem__, where)) if old_lines is not None else None)


def _stat_keys(directory: Path, names: list[str]) -> list[Any]:
    """(mtime_ns, size, inode) per file; the inode catches an atomic replace within one clock tick."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        stat = os.stat
        try:
            return [(s.st_mtime_ns, s.st_size, s.st_ino)
                    for s in [stat(n, dir_fd=fd, follow_symlinks=False) for n in names]]
        except FileNotFoundError:  # deleted while we looked: that one simply has no key
            keys: list[Any] = []
            for n in names:
                try:
                    s = stat(n, dir_fd=fd, follow_symlinks=False)
                    keys.append((s.st_mtime_ns, s.st_size, s.st_ino))
                except FileNotFoundError:
                    keys.append(None)
            return keys
    finally:
        os.close(fd)


# `history:` and its block lines ("- ..." items, indented lines, blank lines); a "---" fence ends it.
_HISTORY = re.compile(r"^history:[ \t]*\r?\n(?:(?:-(?:[ \t][^\n]*)?|[# \t][^\n]*)?\r?\n)*", re.M)


def _without_history(text: str) -> str | None:
    """The ticket text with its block-style `history:` cut out; None if it is not written that way."""
    match = _HISTORY.search(text)
    if match is None:
        return None if "\nhistory:" in text else text
    return text[:match.start()] + text[match.end():]
