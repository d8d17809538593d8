"""Ticket files on disk (read side; writes are `writer.py`): ID generation and resolution by prefix, loading.

The files are the only truth; the summary cache `list` reads (listcache.py) is
derived from them and rebuilt on demand.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitdesk.core.ids import ID_ALPHABET, ID_BITS, TICKETS_DIR, canonical  # noqa: F401 - re-exported
from gitdesk.errors import AmbiguousTicket, GitdeskError, MalformedTicket, UnknownTicket
from gitdesk.store.listcache import CACHE_VERSION, Summary, SummaryCache, gc_paused, is_ticket_file  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from gitdesk.core.ticket import Ticket

_ALPHABET = ID_ALPHABET


def new_id(prefix: str) -> str:
    """PREFIX-xxxxxxxx: 40 random bits, so clones never need to coordinate."""
    n = int.from_bytes(os.urandom(8), "big") >> (64 - ID_BITS)  # os.urandom: `secrets` costs 6 ms to import
    body = "".join(_ALPHABET[(n >> shift) & 31] for shift in range(ID_BITS - 5, -1, -5))
    return f"{prefix}-{body}"


class TicketStore:
    def __init__(self, root: Path, cache_dir: Path | None = None) -> None:
        self.root = root
        self.dir = root / TICKETS_DIR
        self.cache = SummaryCache(self.dir, cache_dir, self._summary_of_file)

    def rel(self, ticket_id: str) -> str:
        return f"{TICKETS_DIR}/{ticket_id}.md"

    def path(self, ticket_id: str) -> Path:
        return self.dir / f"{ticket_id}.md"

    def exists(self, ticket_id: str) -> bool:
        return self.path(ticket_id).exists()

    def ids(self) -> list[str]:
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
        from gitdesk.core.ticket import parse  # lazily: a warm `list` never needs YAML

        ticket = parse(text, rel)
        if ticket.id and canonical(ticket.id) != ticket_id:
            raise MalformedTicket(rel, 2, f"id '{ticket.id}' does not match the file name")
        return ticket

    def iter_tickets(self) -> Iterator[Ticket]:
        for ticket_id in sorted(self.ids()):
            yield self.load(ticket_id)

    # -- what `list` reads: the summary cache (listcache.py) -------------------------------
    def summaries(self) -> list[Summary]:
        """Every ticket's summary, oldest first, parsing only files whose stat changed."""
        return self.cache.summaries()

    def summaries_rendered(self, kind: str, render: Callable[[Summary], str]) -> list[tuple[Summary, str]]:
        return self.cache.summaries_rendered(kind, render)

    def rendered_in_order(
        self, kind: str, render: Callable[[Summary], str], order_name: str, order_key: Callable[[tuple[Any, ...]], Any]
    ) -> tuple[list[str], list[str]]:
        return self.cache.rendered_in_order(kind, render, order_name, order_key)

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
            from gitdesk.core.ticket import Ticket, load_yaml, split_front_matter

            try:
                meta = load_yaml(split_front_matter(head, rel)[0], rel, 2)
            except GitdeskError:
                meta = None
            if isinstance(meta, dict) and (not meta.get("id") or canonical(str(meta["id"])) == ticket_id):
                return Summary.of(Ticket(meta, "", rel))
        return Summary.of(self.load(ticket_id))


# `history:` and its block lines ("- ..." items, indented lines, blank lines); a "---" fence ends it.
_HISTORY = re.compile(r"^history:[ \t]*\r?\n(?:(?:-(?:[ \t][^\n]*)?|[# \t][^\n]*)?\r?\n)*", re.M)


def _without_history(text: str) -> str | None:
    """The ticket text with its block-style `history:` cut out; None if it is not written that way."""
    match = _HISTORY.search(text)
    if match is None:
        return None if "\nhistory:" in text else text
    return text[: match.start()] + text[match.end() :]
