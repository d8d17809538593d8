"""Characters that never belong in a desk file or on a terminal: the one copy of that rule.

ANSI/VT escape sequences (a window title, the clipboard, a cleared screen), the other C0
controls (NUL makes git treat a ticket as binary, so no diff of it could be reviewed), DEL,
C1, the bidi overrides and isolates that make text read other than it is, and the Unicode
line breaks a terminal or YAML reads differently. Tab and newline are text.

Intake strips them from what it receives (`intake/text.py`); `validate` and the write gate
refuse a desk file that holds one, naming the field; the CLI prints any that an uncommitted
hand edit holds as U+FFFD (`cli.views.terminal_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|\x9b[0-?]*[ -/]*[@-~]")
# C0 (but tab and newline), DEL, C1 (but NEL, a line break), bidi overrides and isolates
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"[\u2028\u2029\x85]")
REFUSED = re.compile(CONTROL.pattern[:-1] + r"\u2028\u2029\x85]")  # what no desk file holds


def first_refused(text: str) -> str | None:
    """The first character of `text` that no desk file may hold, or None."""
    found = REFUSED.search(text)
    return found.group() if found else None


def name_of(char: str) -> str:
    """U+001B ESC and the like, for a one-line message."""
    import unicodedata

    names = {"\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL", "\x85": "NEL"}
    return f"U+{ord(char):04X}" + (f" {names.get(char) or unicodedata.name(char, '')}".rstrip())


def refused_fields(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path to the field, the first refused character) for every string in a parsed value."""
    if isinstance(value, str):
        char = first_refused(value)
        if char is not None:
            yield where, char
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from refused_fields(key, where)
            yield from refused_fields(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from refused_fields(item, (*where, i))
