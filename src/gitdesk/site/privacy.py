"""Who may see what: visibility rules, unguessable URLs for unlisted tickets, and scrubbing.

The site never copies a ticket's fields wholesale: pages are built from an
explicit list of customer-visible facts, and every piece of free text that
reaches a page first goes through a Scrubber that removes the personal data
the desk knows about (requester, location, product and account values) and
anything that looks like an email address or a phone number.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from gitdesk.errors import GitdeskError

KEY_ENV = "GITDESK_SITE_KEY"
REMOVED = "[removed]"
# Front-matter keys the site may read; every other key may hold personal data and is
# treated as such (its values are scrubbed wherever they turn up in free text).
SAFE_KEYS = frozenset(
    {
        "id",
        "title",
        "status",
        "priority",
        "queue",
        "tier",
        "assignee",
        "channel",
        "visibility",
        "created",
        "updated",
        "parent",
        "children",
        "history",
    }
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # what an address is; scrub_emails finds them in linear time
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_WORD = re.compile(r"\w+")
MIN_DIGITS_IN_PHONE = 9  # ISO dates have 8 digits, phone numbers 9 or more


class SiteKeyMissing(GitdeskError):
    """Unlisted pages need GITDESK_SITE_KEY; without it they are not published."""

    def __init__(self) -> None:
        super().__init__(
            f"{KEY_ENV} is not set: unlisted tickets have no page until it is "
            "(set it to a long random secret, the same wherever the site is built)"
        )


class NotPublished(GitdeskError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"{ticket_id} is private: it has no page on the site")


def site_key(environ: dict[str, str] | None = None) -> str | None:
    key = (environ if environ is not None else os.environ).get(KEY_ENV, "").strip()
    return key or None


def unlisted_token(key: str, ticket_id: str) -> str:
    """HMAC of the ID: anyone with the link can read the page, nobody can guess it."""
    return hmac.new(key.encode("utf-8"), ticket_id.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def ticket_url(ticket_id: str, visibility: str, key: str | None) -> str | None:
    """Site-relative URL of a ticket's page, or None when it has none."""
    if visibility == "public":
        return f"tickets/{ticket_id}/"
    if visibility == "private" or key is None:
        return None
    return f"t/{unlisted_token(key, ticket_id)}/"


def ticket_json_url(ticket_id: str, visibility: str, key: str | None) -> str | None:
    page = ticket_url(ticket_id, visibility, key)
    if page is None:
        return None
    return f"api/tickets/{ticket_id}.json" if visibility == "public" else f"{page}ticket.json"


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif value not in (None, "") and not isinstance(value, bool):
        yield str(value)


def personal_values(meta: dict[str, Any]) -> set[str]:
    """Every value of a ticket that may identify its requester: all keys outside SAFE_KEYS."""
    values: set[str] = set()
    for key, value in meta.items():
        if key in SAFE_KEYS:
            continue
        for leaf in _leaves(value):
            leaf = leaf.strip()
            if len(leaf) >= 3:
                values.add(leaf)
                if "@" in leaf:  # the local part doubles as the name when none was given
                    values.add(leaf.split("@", 1)[0])
    return {v for v in values if len(v) >= 3}


class Scrubber:
    """Replaces known personal values, emails and phone numbers in free text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        # Index by first word, so scrubbing costs one pass over the text however many values.
        self._by_word: dict[str, set[str]] = {}
        for value in values:
            self.add(value)

    def add(self, value: str) -> None:
        low = value.strip().lower()
        first = _WORD.search(low)
        if first and len(low) >= 3:
            self._by_word.setdefault(first.group(0), set()).add(low[first.start() :])

    def values(self) -> Iterator[str]:
        for group in self._by_word.values():
            yield from group

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        text = scrub_emails(str(text))
        text = _PHONE.sub(_phone, text)
        if not self._by_word:
            return text
        return self._known(text)

    def _known(self, text: str) -> str:
        low = text.lower()
        out: list[str] = []
        pos = 0
        for word in _WORD.finditer(low):
            start = word.start()
            if start < pos:
                continue
            candidates = self._by_word.get(word.group(0))
            if not candidates:
                continue
            hit = max(
                (c for c in candidates if low.startswith(c, start) and _ends_word(low, start + len(c))),
                key=len,
                default=None,
            )
            if hit:
                out.append(text[pos:start])
                out.append(REMOVED)
                pos = start + len(hit)
        out.append(text[pos:])
        return "".join(out)


def scrub_emails(text: str) -> str:
    """`_EMAIL.sub(REMOVED, text)`, in linear time: the regex retries its local part from every
    position of a long run without '@', which takes minutes on a 250 KB single-line body. Here
    each '@' is expanded left over the local part (never past the previous address) and matched
    right with the domain pattern, so each character is looked at a bounded number of times."""
    out: list[str] = []
    done = 0  # text[:done] is written out
    at = text.find("@")
    while at != -1:
        start = at
        while start > done and (text[start - 1].isalnum() or text[start - 1] in "_.+-"):
            start -= 1
        domain = _DOMAIN.match(text, at + 1) if start < at else None
        if domain:
            out.append(text[done:start])
            out.append(REMOVED)
            done = domain.end()
        at = text.find("@", max(at + 1, done))
    out.append(text[done:])
    return "".join(out)


def _ends_word(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] == "_") or not text[end - 1].isalnum()


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return REMOVED if digits >= MIN_DIGITS_IN_PHONE else match.group(0)
