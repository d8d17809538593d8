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
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from gitdesk.core.common_words import COMMON, GENERIC
from gitdesk.core.ids import ID_PART_PATTERN, PREFIX_PATTERN, canonical

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
_DIGIT_RUN = re.compile(r"[+(]{0,3}\d[\d\s().-]*\d")  # a number as people write one: digits and separators
_PHONE_VALUE = re.compile(r"\s*\+?[\d\s().-]+")
_ISO_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"\w+")
_MENTIONED_ID = re.compile(rf"(?<![\w-]){PREFIX_PATTERN}-{ID_PART_PATTERN}(?![\w-])", re.IGNORECASE)
_SENTENCE_MARKS = frozenset(".!?:;\n\"'([")
MIN_DIGITS_IN_PHONE = 9  # ISO dates have 8 digits, phone numbers 9 or more: any such run is removed
MIN_PHONE_DIGITS = 6  # a known phone number (the requester's) is removed however it is written, from 6 digits
MIN_TOKEN = 3
# Labels of mail providers' domains (and the documentation domains): a requester's address there names
# no organisation, so its domain is not scrubbed on its own ("Gmail will not sync" keeps "Gmail").
MAIL_PROVIDERS = frozenset(
    """aol fastmail gmail gmx googlemail hey hotmail icloud live mac mail me msn outlook pm proton protonmail
    qq tutanota web yahoo yandex ymail zoho example test invalid localhost""".split()
)
SECOND_LEVEL = frozenset("ac co com edu gov net org".split())  # yahoo.co.uk is yahoo's


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
                    values.update(_own_domain(leaf))
    return {v for v in values if len(v) >= MIN_TOKEN}


def _own_domain(address: str) -> list[str]:
    """The domain of an address, when it is the requester's own (not a mail provider's): it names their
    organisation ("secretcorp.example" of quentin@secretcorp.example), whether or not an org is set."""
    domain = _DOMAIN.match(address.rsplit("@", 1)[1].strip().rstrip(">").lower())
    labels = domain.group(0).split(".")[:-1] if domain else []
    own = next((label for label in reversed(labels) if label not in SECOND_LEVEL), None)
    return [domain.group(0)] if domain and own and own not in MAIL_PROVIDERS else []


def _domain_labels(value: str) -> Iterator[str]:
    """The names in an address's own domain, its top-level and generic labels left out ("secretcorp")."""
    for domain in _own_domain(value) if "@" in value else ():
        yield from (label for label in domain.split(".")[:-1] if label not in SECOND_LEVEL | MAIL_PROVIDERS)


def naming_values(meta: dict[str, Any]) -> Iterator[str]:
    """The values that name a person, a place or an organisation, now or in the past."""
    for key, value in _fields(meta):
        if key in NAMING_KEYS:
            yield from _leaves(value)
        elif isinstance(value, dict):
            for sub, item in value.items():
                if sub in NAMING_KEYS:
                    yield from _leaves(item)
        for leaf in _leaves(value):
            yield from _domain_labels(leaf)


def tokens(value: str) -> Iterator[str]:
    """The words of a value long enough to mean something, folded (see `fold`), digits-only ones left out."""
    for word in _WORD.findall(fold(value)):
        if len(word) >= MIN_TOKEN and not word.isdigit():
            yield word


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """One character as it is compared: case-folded, compatibility-decomposed, its accents dropped,
    Turkish dotless ı as i ("İ" -> "i", "ß" -> "ss", "é" -> "e"; a combining mark -> "")."""
    decomposed = unicodedata.normalize("NFKD", c.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().replace("ı", "i")


def fold(text: str) -> str:
    """`text` as values are compared: "José NÚÑEZ", "Jose Nunez" and the NFD "Jose\u0301 Nun\u0303ez" are one."""
    return text.lower() if text.isascii() else "".join(map(_fold_char, text))


def fold_map(text: str) -> tuple[str, Sequence[int]]:
    """The folded text and, for each of its characters, the index of the character of `text` it came
    from, so a value found in the folded text is cut from the original (an "İ" folds to one "i", an
    "ß" to two characters, a combining mark to none)."""
    if text.isascii():
        return text.lower(), range(len(text))
    parts: list[str] = []
    src: list[int] = []
    for i, c in enumerate(text):
        f = _fold_char(c)
        parts.append(f)
        src.extend([i] * len(f))
    return "".join(parts), src


_COMMON = frozenset(map(fold, COMMON))
_GENERIC = frozenset(map(fold, GENERIC))


def phone_digits(value: str) -> str | None:
    """The digits of a value written as a phone number (at least MIN_PHONE_DIGITS of them), else None."""
    if not _PHONE_VALUE.fullmatch(value) or _ISO_DATE.match(value):
        return None
    digits = "".join(c for c in value if c.isdigit())
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def _phone_key(digits: str) -> str:
    """The digits a mention of the phone must contain: all of a short number's (trunk zeros aside), a
    long one's last digits, so the number matches with or without its +country prefix or (0)."""
    core = digits.lstrip("0") or digits
    return core if len(core) <= 9 else core[-(len(core) - 3) :]


class Scrubber:
    """Replaces known personal values, their distinctive tokens, emails and phone numbers in free text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        # Index by first word, so scrubbing costs one pass over the text however many values.
        self._by_word: dict[str, set[str]] = {}
        self._tokens: set[str] = set()  # distinctive: removed wherever they stand
        self._name_words: set[str] = set()  # everyday words in a value: removed where written as a name
        self._phones: set[str] = set()  # _phone_key of known phone numbers: removed however spaced
        self._hidden: frozenset[str] = frozenset()  # IDs of tickets with no public page (hide_ids)
        self._own = ""  # the one hidden ID the text may name: its own ticket's
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
        low = fold(value.strip())
        first = _WORD.search(low)
        if first and len(low) >= MIN_TOKEN:
            self._by_word.setdefault(first.group(0), set()).add(low[first.start() :])
        digits = phone_digits(value.strip())
        if digits:
            self._phones.add(_phone_key(digits))

    def add_tokens(self, value: str) -> None:
        for word in tokens(value):
            if word not in _COMMON:
                self._tokens.add(word)
            elif word not in _GENERIC:
                self._name_words.add(word)

    def hide_ids(self, ids: frozenset[str], own: str = "") -> None:
        """Mentions of these tickets (private, unlisted: no public page) are removed like personal
        values, however the ID is cased; `own`, the ticket whose text this is, may name itself."""
        self._hidden, self._own = ids, canonical(own) if own else ""

    def merge(self, other: Scrubber) -> None:
        for word, group in other._by_word.items():
            self._by_word.setdefault(word, set()).update(group)
        self._tokens |= other._tokens
        self._name_words |= other._name_words
        self._phones |= other._phones
        if other._hidden and other._hidden is not self._hidden:
            self._hidden = self._hidden | other._hidden

    def values(self) -> Iterator[str]:
        for group in self._by_word.values():
            yield from group
        yield from self._tokens

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        text = str(text)
        if self._hidden:
            text = _MENTIONED_ID.sub(self._ticket_id, text)
        text = scrub_emails(text)
        text = _DIGIT_RUN.sub(self._phone, text)
        if not (self._by_word or self._tokens or self._name_words):
            return text
        return self._known(text)

    def _ticket_id(self, match: re.Match[str]) -> str:
        ref = canonical(match.group(0))
        return REMOVED if ref in self._hidden and ref != self._own else match.group(0)

    def _phone(self, match: re.Match[str]) -> str:
        """A run of digits and separators: removed when it is long enough to be a phone number, or
        holds the digits of a known one ("612 34 56 78", "+34 612-345-678" for "612345678")."""
        digits = "".join(c for c in match.group(0) if c.isdigit())
        if len(digits) >= MIN_DIGITS_IN_PHONE or any(key in digits for key in self._phones):
            return REMOVED
        return match.group(0)

    def _known(self, text: str) -> str:
        """Values are found in the folded text and cut from the original, each cut on whole characters
        (with the combining marks that follow the last one)."""
        low, src = fold_map(text)
        out: list[str] = []
        done = skip = 0  # text[:done] is written out; low[:skip] is inside a removed value
        for word in _WORD.finditer(low):
            start = word.start()
            if start < skip:
                continue
            end = self._match(text, low, src, start, word.group(0))
            if end:
                cut = max(src[start], done)
                out.append(text[done:cut])
                out.append(REMOVED)
                done, skip = _past_marks(text, src[end - 1] + 1), end
        out.append(text[done:])
        return "".join(out)

    def _match(self, text: str, low: str, src: Sequence[int], start: int, word: str) -> int:
        """Where (in `low`) the personal value starting at `start` ends; 0 when none starts there."""
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
        at = src[start]
        if word in self._name_words and text[at].isupper() and not _starts_sentence(text, at):
            return start + len(word)
        return 0


def _past_marks(text: str, end: int) -> int:
    """`end` moved past the characters that fold to nothing (the accents of an NFD name's last letter)."""
    while end < len(text) and not text[end].isascii() and not _fold_char(text[end]):
        end += 1
    return end


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
