"""Which ticket holds which message: the Message-ID lookup used for threading and de-duplication.

The truth is each ticket's `message_ids` front-matter list (email Message-IDs,
`slack:<channel>:<ts>`, `github:<repo>#<number>`). The read index keeps every
ticket's list, keyed by blob id, so finding a thread never re-parses an
unchanged ticket, in any clone (and a ticket without the key is not parsed at all).
"""

from __future__ import annotations

from typing import Any

FIELD = "message_ids"


def ids_of(meta: dict[str, Any]) -> list[str]:
    value = meta.get(FIELD)
    return [str(v) for v in value] if isinstance(value, list) else []


class MessageIndex:
    """Message ID -> ticket ID over the whole desk, from the read index, built once per use."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._map: dict[str, str] | None = None

    def lookup(self, message_id: str) -> str | None:
        """The ticket ID holding `message_id`, or None."""
        if self._map is None:
            paths, values = self.store.message_ids()
            self._map = {mid: path[8:-3] for path, mids in zip(paths, values, strict=True) for mid in mids}
        return self._map.get(message_id)

    def first(self, message_ids: list[str]) -> str | None:
        for mid in message_ids:
            found = self.lookup(mid)
            if found and self.store.exists(found):
                return found
        return None
