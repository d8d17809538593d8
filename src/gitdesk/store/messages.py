"""Which ticket holds which message: the Message-ID index used for threading and de-duplication.

The truth is each ticket's `message_ids` front-matter list (email Message-IDs,
`slack:<channel>:<ts>`, `github:<repo>#<number>`). This module keeps a derived
cache in .git/gitdesk/, keyed by each ticket file's (mtime_ns, size) like the
list cache, so finding a thread never re-parses unchanged tickets.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from typing import Any

from gitdesk.store.files import TicketStore, is_ticket_file

FIELD = "message_ids"
_VERSION = 1


def ids_of(meta: dict[str, Any]) -> list[str]:
    value = meta.get(FIELD)
    return [str(v) for v in value] if isinstance(value, list) else []


class MessageIndex:
    def __init__(self, store: TicketStore, state_dir: Any) -> None:
        self.store = store
        self.file = state_dir / "message-index.pickle" if state_dir else None
        self._map: dict[str, str] | None = None

    def lookup(self, message_id: str) -> str | None:
        """The ticket ID holding `message_id`, or None."""
        if self._map is None:
            self._map = self._build()
        return self._map.get(message_id)

    def first(self, message_ids: list[str]) -> str | None:
        for mid in message_ids:
            found = self.lookup(mid)
            if found and self.store.exists(found):
                return found
        return None

    def _build(self) -> dict[str, str]:
        cached = self._read()
        fresh: dict[str, tuple[int, int, list[str]]] = {}
        try:
            entries = list(os.scandir(self.store.dir))
        except FileNotFoundError:
            entries = []
        for entry in entries:
            if not is_ticket_file(entry.name):
                continue
            st = entry.stat()
            hit = cached.get(entry.name)
            if hit and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                fresh[entry.name] = hit
            else:
                fresh[entry.name] = (st.st_mtime_ns, st.st_size, ids_of(self.store.load(entry.name[:-3]).meta))
        if fresh != cached:
            self._write(fresh)
        return {mid: name[:-3] for name, (_, _, mids) in fresh.items() for mid in mids}

    def _read(self) -> dict[str, Any]:
        if not self.file:
            return {}
        try:
            with open(self.file, "rb") as fh:
                version, data = pickle.load(fh)
            return data if version == _VERSION else {}
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            return {}

    def _write(self, data: dict[str, Any]) -> None:
        if not self.file:
            return
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump((_VERSION, data), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.file)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
