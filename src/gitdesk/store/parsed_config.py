"""gitdesk.yml as last parsed, kept beside the read index: most commands then never import PyYAML.

The file holds the exact text it was parsed from and the mapping PyYAML made of it;
it is used only when the text is the same, so it can never disagree with the file.
Dates (a holiday, a hand-typed time) are kept tagged, since marshal has no date type.
Like the index, it is derived: deleting it, or finding it unreadable, costs one parse.
"""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE = "config.marshal"
_DATE, _DATETIME = "\0date", "\0datetime"  # tuples never come out of YAML, so these tags cannot clash


def parsed(state_dir: Path | None, text: str, parse: Callable[[str], Any]) -> Any:
    """`parse(text)`, or the mapping stored for this very text."""
    if state_dir is None:
        return parse(text)
    path = state_dir / FILE
    try:
        stored_text, raw = marshal.loads(path.read_bytes())
        if stored_text == text:
            return _untag(raw)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    raw = parse(text)  # a broken file raises here, and nothing is stored
    try:
        from gitdesk.store.writer import atomic_write

        atomic_write(path, marshal.dumps((text, _tag(raw))))
    except (OSError, ValueError):  # a read-only .git, or a value marshal cannot hold: parsed each time
        pass
    return raw


def _tag(value: Any) -> Any:
    if isinstance(value, dict):
        return {_tag(k): _tag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, dt.datetime):
        return (_DATETIME, value.isoformat())
    if isinstance(value, dt.date):
        return (_DATE, value.isoformat())
    if isinstance(value, tuple):
        raise ValueError("not a YAML value")
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        return {_untag(k): _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if isinstance(value, tuple) and len(value) == 2 and value[0] in (_DATE, _DATETIME):
        kind = dt.datetime if value[0] == _DATETIME else dt.date
        return kind.fromisoformat(value[1])
    if isinstance(value, tuple):
        raise ValueError("foreign value")
    return value
