"""Ticket files on disk: atomic writes, ID resolution by prefix, and the list cache.

The files are the only truth. The cache in .git/gitdesk/ is derived, keyed by
each file's (mtime_ns, size), and rebuilt on demand, so a hand edit or a
`git pull` is picked up on the next read.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from .errors import AmbiguousTicket, MalformedTicket, UnknownTicket
from .ticket import Ticket, dump, parse

TICKETS_DIR = "tickets"
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: no i, l, o, u
ID_BITS = 40
CACHE_VERSION = 2


def new_id(prefix: str) -> str:
    """PREFIX-xxxxxxxx: 40 random bits, so clones never need to coordinate."""
    n = secrets.randbits(ID_BITS)
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
        self.cache_file = cache_dir / "summaries.pickle" if cache_dir else None

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
        ticket = parse(text, rel)
        if ticket.id and canonical(ticket.id) != ticket_id:
            raise MalformedTicket(rel, 2, f"id '{ticket.id}' does not match the file name")
        return ticket

    def save(self, ticket: Ticket) -> str:
        atomic_write(self.path(ticket.id), dump(ticket))
        return self.rel(ticket.id)

    def iter_tickets(self) -> Iterator[Ticket]:
        for ticket_id in sorted(self.ids()):
            yield self.load(ticket_id)

    # -- the summary cache --------------------------------------------------------------
    def summaries(self) -> list[Summary]:
        """Every ticket's summary, parsing only files whose stat changed since last time."""
        cache = self._read_cache()
        fresh: dict[str, tuple[int, int, Summary]] = {}
        changed = False
        try:
            entries = list(os.scandir(self.dir))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            name = entry.name
            if not name.endswith(".md") or name.startswith("."):
                continue
            st = entry.stat()
            hit = cache.get(name)
            if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                fresh[name] = hit
                continue
            changed = True
            fresh[name] = (st.st_mtime_ns, st.st_size, Summary.of(self.load(name[:-3])))
        if changed or len(fresh) != len(cache):
            self._write_cache(fresh)
        return [row[2] for row in fresh.values()]

    def _read_cache(self) -> dict[str, Any]:
        if not self.cache_file:
            return {}
        try:
            with open(self.cache_file, "rb") as fh:
                version, data = pickle.load(fh)
            return data if version == CACHE_VERSION else {}
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
            return {}

    def _write_cache(self, data: dict[str, Any]) -> None:
        if not self.cache_file:
            return
        tmp = self.cache_file.with_name(f".{self.cache_file.name}.{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump((CACHE_VERSION, data), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.cache_file)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
