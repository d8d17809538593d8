"""Scrubbing: the personal data a ticket holds, removed from any free text before it is published.

Pure text in, text out, so the site, the KB article writer and anything else use the same
rule. A ticket's personal values are every front-matter value outside SAFE_KEYS. Each is
removed as a whole phrase; the values that name a person, a place or an organisation
(requester name and org, location) are also cut into tokens, and each *distinctive* token
is removed on its own ("Leeds" from the location "Leeds office"), while common words are
left alone ("the Sales dashboard" keeps "Sales" when the org is "Sales Ltd"). An everyday
word that is part of such a value ("Will", "Green", "King") is removed only where the text
writes it as a name: capitalised, not at the start of a sentence. Words of the trade and of
addresses ("office", "street", "north", "sales") are never removed alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from gitdesk.core.common_words import COMMON, GENERIC

REMOVED = "[removed]"
# Front-matter keys whose values are not personal; every other key may hold personal data.
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
        "link_version",  # the generation of an unlisted ticket's secret link (gitdesk site revoke)
        "updates",  # on/off: whether the requester gets proactive updates ("off" is no one's name)
        "language",  # en/es/ca: the language the customer is written to in
        "incident",  # true/false: shown on the status board as an incident
        "service",  # the affected service an incident names: the desk's words, published by design
    }
)
# Keys (top level, or inside `requester`) whose values name a person, a place or an organisation.
NAMING_KEYS = frozenset({"name", "location", "org", "organisation", "organization", "company", "site", "address"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # what an address is; scrub_emails finds them in linear time
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")
_WORD = re.compile(r"\w+")
_SENTENCE_MARKS = frozenset(".!?:;\n\"'([")
MIN_DIGITS_IN_PHONE = 9  # ISO dates have 8 digits, phone numbers 9 or more
MIN_TOKEN = 3


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif value not in (None, "") and not isinstance(value, bool):
        yield str(value)


# Keys of an edit event's `changes` that hold no front-matter value (a description's gist, a file marker).
_NOT_FIELDS = frozenset({"description", "file", "history"})


def _fields(meta: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The ticket's personal fields as (key, value), with every value they ever held: an edit event
    keeps the old one in `changes.KEY.from` (`gitdesk edit`, and hand edits taken in by --include-edits)."""
    for key, value in meta.items():
        if key not in SAFE_KEYS:
            yield key, value
    history = meta.get("history")
    for event in history if isinstance(history, list) else ():
        changes = event.get("changes") if isinstance(event, dict) else None
        for key, diff in changes.items() if isinstance(changes, dict) else ():
            if key in SAFE_KEYS or key in _NOT_FIELDS or not isinstance(diff, dict):
                continue
            for side in ("from", "to"):
                if diff.get(side) is not None:
                    yield str(key), diff[side]


def personal_values(meta: dict[str, Any]) -> set[str]:
    """Every value of a ticket that may identify its requester: all keys outside SAFE_KEYS, now or
    in the past (the history's edits)."""
    values: set[str] = set()
    for _key, value in _fields(meta):
        for leaf in _leaves(value):
            leaf = leaf.strip()
            if len(leaf) >= MIN_TOKEN:
                values.add(leaf)
                if "@" in leaf:  # the local part doubles as the name when none was given
                    values.add(leaf.split("@", 1)[0])
    return {v for v in values if len(v) >= MIN_TOKEN}


def naming_values(meta: dict[str, Any]) -> Iterator[str]:
    """The values that name a person, a place or an organisation, now or in the past."""
    for key, value in _fields(meta):
        if key in NAMING_KEYS:
            yield from _leaves(value)
        elif isinstance(value, dict):
            for sub, item in value.items():
                if sub in NAMING_KEYS:
                    yield from _leaves(item)


def tokens(value: str) -> Iterator[str]:
    """The words of a value long enough to mean something, lower-cased, digits-only ones left out."""
    for word in _WORD.findall(value.lower()):
        if len(word) >= MIN_TOKEN and not word.isdigit():
            yield word


class Scrubber:
    """Replaces known personal values, their distinctive tokens, emails and phone numbers in free text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        # Index by first word, so scrubbing costs one pass over the text however many values.
        self._by_word: dict[str, set[str]] = {}
        self._tokens: set[str] = set()  # distinctive: removed wherever they stand
        self._name_words: set[str] = set()  # everyday words in a value: removed where written as a name
        for value in values:
            self.add(value)

    @classmethod
    def of(cls, meta: dict[str, Any]) -> Scrubber:
        """The scrubber of one ticket's front matter."""
        scrub = cls(personal_values(meta))
        for value in naming_values(meta):
            scrub.add_tokens(value)
        return scrub

    def add(self, value: str) -> None:
        low = value.strip().lower()
        first = _WORD.search(low)
        if first and len(low) >= MIN_TOKEN:
            self._by_word.setdefault(first.group(0), set()).add(low[first.start() :])

    def add_tokens(self, value: str) -> None:
        for word in tokens(value):
            if word not in COMMON:
                self._tokens.add(word)
            elif word not in GENERIC:
                self._name_words.add(word)

    def merge(self, other: Scrubber) -> None:
        for word, group in other._by_word.items():
            self._by_word.setdefault(word, set()).update(group)
        self._tokens |= other._tokens
        self._name_words |= other._name_words

    def values(self) -> Iterator[str]:
        for group in self._by_word.values():
            yield from group
        yield from self._tokens

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        text = scrub_emails(str(text))
        text = _PHONE.sub(_phone, text)
        if not (self._by_word or self._tokens or self._name_words):
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
            end = self._match(text, low, start, word.group(0))
            if end:
                out.append(text[pos:start])
                out.append(REMOVED)
                pos = end
        out.append(text[pos:])
        return "".join(out)

    def _match(self, text: str, low: str, start: int, word: str) -> int:
        """Where the personal value starting at `start` ends; 0 when none starts there."""
        candidates = self._by_word.get(word)
        if candidates:
            hit = max(
                (c for c in candidates if low.startswith(c, start) and _ends_word(low, start + len(c))),
                key=len,
                default=None,
            )
            if hit:
                return start + len(hit)
        if word in self._tokens:
            return start + len(word)
        if word in self._name_words and text[start].isupper() and not _starts_sentence(text, start):
            return start + len(word)
        return 0


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


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" \t")
    return (not before and start < 8) or (bool(before) and before[-1] in _SENTENCE_MARKS)


def _ends_word(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum() or text[end] == "_") or not text[end - 1].isalnum()


def _phone(match: re.Match[str]) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return REMOVED if digits >= MIN_DIGITS_IN_PHONE else match.group(0)
