"""The YAML that gitdesk itself writes, read without PyYAML: the fast path of `ticket.parse`.

`dump_yaml` (PyYAML's block style, two-space indents, sequences not indented under
their key) produces a small part of YAML: plain, quoted and literal-block scalars,
nested mappings, lists. `load` reads exactly that part and answers None for
anything else (comments, flow collections, anchors, tags, tabs, blank lines, a
plain scalar YAML would read as a float or a date, ...), so the caller falls back
to the full parser. Whatever `load` does return is what `yaml.load` with
CSafeLoader returns for the same text (tests/test_written_yaml.py checks that
property on every ticket shape gitdesk writes and on hand-edited variants).
Pure: no imports beyond `re`.
"""

from __future__ import annotations

import re
from typing import Any

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
_BLOCK_HEADER = re.compile(r"\|([1-9])?([-+])?$")
# YAML 1.1 reads these plain scalars as something other than a string.
_NULLS = {"~": None, "null": None, "Null": None, "NULL": None}
_BOOLS = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")  # longer numbers: the full parser (and its limits)
# A superset of YAML 1.1's int, float and timestamp forms: such a scalar goes to the full parser.
_NUMBERISH = re.compile(r"[-+]?(?:0[xXoObB][0-9a-fA-F_]*|[0-9._:]+(?:[eE][-+]?[0-9]+)?|\.[a-zA-Z]+)|[0-9]{4}-.*")
_PLAIN_FIRST_BAD = frozenset("?:,[]{}#&*!|>'\"%@`")
_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SPECIAL_KEYS = frozenset((*_NULLS, *_BOOLS))


class _Unrecognised(Exception):
    """Not the form gitdesk writes: the caller uses the full parser."""


def load(text: str) -> dict[str, Any] | None:
    """The mapping in `text` if it is written the way gitdesk writes, else None."""
    if not text.endswith("\n") or "\t" in text or "\r" in text:  # gitdesk ends every line (a `|+` block keeps it)
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or not all(map(str.isprintable, lines)):
        return None
    # One C-level pass splits every line into (indent, "- ", key, value); the parse below only walks it.
    parts = _LINE.findall(text)
    try:
        value, end = _Reader(lines, parts).mapping(0, 0)
    except _Unrecognised:
        return None
    return value if end == len(lines) and value else None


# indent, "- " with what follows it, key, value; a line that is no `key: value` leaves key empty.
_LINE = re.compile(r"^( *)(- (?=\S))?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$)?", re.M)
_MEMO: dict[str, Any] = {}  # inline value text -> value: statuses, names and times repeat across tickets
_MEMO_LIMIT = 200_000


class _Reader:
    __slots__ = ("lines", "parts", "n")

    def __init__(self, lines: list[str], parts: list[tuple[str, str, str, str]]) -> None:
        self.lines, self.parts, self.n = lines, parts, len(lines)

    def mapping(self, i: int, indent: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        parts, n, memo = self.parts, self.n, _MEMO
        special = _SPECIAL_KEYS
        while i < n:
            spaces, dash, key, rest = parts[i]
            here = len(spaces)
            if here != indent:
                if here < indent:
                    break
                raise _Unrecognised
            if dash or not key or key in out or key in special:
                raise _Unrecognised
            i += 1
            if rest:
                value = memo.get(rest, memo)  # the common case, without a call
                if value is memo:
                    value, i = self.inline(rest, i, indent)
                out[key] = value
                continue
            out[key] = None
            if i < n:
                below = len(parts[i][0])
                if below == indent and self.lines[i].startswith("-", indent):
                    out[key], i = self.sequence(i, indent)
                elif below > indent:
                    out[key], i = self.node(i, below)
        return out, i

    def node(self, i: int, indent: int) -> tuple[Any, int]:
        if self.lines[i].startswith("-", indent):
            return self.sequence(i, indent)
        return self.mapping(i, indent)

    def sequence(self, i: int, indent: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        parts, lines, n = self.parts, self.lines, self.n
        while i < n:
            spaces, dash, key, rest = parts[i]
            here = len(spaces)
            if here < indent or not lines[i].startswith("-", indent):
                break
            if here > indent or not dash:
                raise _Unrecognised
            if key:  # the item is a mapping whose first key shares the `- ` line
                parts[i] = (spaces + "  ", "", key, rest)
                item, i = self.mapping(i, indent + 2)
                out.append(item)
                continue
            rest = lines[i][indent + 2 :]
            if rest.startswith("-"):
                raise _Unrecognised
            value, i = self.inline(rest, i + 1, indent)
            out.append(value)
        return out, i

    def inline(self, rest: str, i: int, indent: int) -> tuple[Any, int]:
        """A value that starts on its key's line (or its `- ` line); block literals take more lines."""
        value = _MEMO.get(rest, _MEMO)
        if value is not _MEMO:
            return value, i
        first = rest[0]
        if first == "|":
            return _literal(rest, self.lines, i, indent)
        if rest == "[]":
            return [], i
        if rest == "{}":
            return {}, i
        if first == "'":
            value = _single_quoted(rest)
        elif first == '"':
            value = _double_quoted(rest)
        else:
            value = _plain(rest)
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[rest] = value
        return value, i


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _plain(text: str) -> Any:
    text = text.rstrip(" ")
    if not text or text[0] in _PLAIN_FIRST_BAD or ": " in text or " #" in text or text.endswith(":"):
        raise _Unrecognised
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return int(text)
    if text[0] == "-" and (len(text) == 1 or text[1] == " "):
        raise _Unrecognised
    if text in ("<<", "=") or _NUMBERISH.fullmatch(text):
        raise _Unrecognised
    return text


def _single_quoted(rest: str) -> str:
    if rest.endswith("'") and rest.count("'") == 2 and len(rest) > 1:
        return rest[1:-1]  # the usual quoted time or number-like text
    pos = 1
    while True:
        end = rest.find("'", pos)
        if end < 0:
            raise _Unrecognised  # continues on the next line
        if rest.startswith("'", end + 1):
            pos = end + 2
            continue
        if rest[end + 1 :].strip(" "):
            raise _Unrecognised
        return rest[1:end].replace("''", "'")


def _double_quoted(rest: str) -> str:
    pos = 1
    while True:
        end = rest.find('"', pos)
        if end < 0:
            raise _Unrecognised
        backslashes = len(rest[pos:end]) - len(rest[pos:end].rstrip("\\"))
        if backslashes % 2:
            pos = end + 1
            continue
        if rest[end + 1 :].strip(" "):
            raise _Unrecognised
        return _ESCAPE.sub(_unescape, rest[1:end])


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if len(code) == 1:
        if code not in _ESCAPES:
            raise _Unrecognised
        return _ESCAPES[code]
    point = int(code[1:], 16)
    if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
        raise _Unrecognised
    return chr(point)


def _literal(header: str, lines: list[str], i: int, indent: int) -> tuple[str, int]:
    """A `|` block: its lines as they are, less their indentation; `-` strips, `+` keeps final newlines."""
    match = _BLOCK_HEADER.match(header.rstrip(" "))
    if match is None:
        raise _Unrecognised
    column = indent + int(match.group(1)) if match.group(1) else None
    chomp = match.group(2) or ""
    taken: list[str] = []
    n = len(lines)
    widest_blank = 0
    while i < n:
        line = lines[i]
        if not line.strip(" "):
            if column is None:
                widest_blank = max(widest_blank, len(line))
            taken.append(line)
            i += 1
            continue
        here = _indent(line)
        if column is None:
            if here <= indent or widest_blank > here:
                break
            column = here
        if here < column:
            break
        taken.append(line)
        i += 1
    if column is None:
        raise _Unrecognised  # an empty block: rare enough to leave to the full parser
    text = "".join(line[column:] + "\n" for line in taken)
    if chomp == "-":
        text = text.rstrip("\n")
    elif chomp == "":
        text = text.rstrip("\n") + "\n" if text.strip("\n") else ""
    return text, i


# -- the other way: dump, for the same part of YAML -----------------------------------------------
# `dump` writes what `ticket.dump_yaml` (PyYAML, block style) writes, byte for byte, for the values
# it is sure of, and answers None for anything else, so the caller uses PyYAML: a write then never
# imports PyYAML (~15 ms) for an ordinary ticket. tests/test_written_yaml.py checks the property.
_SAFE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# What YAML 1.1 reads as something other than a string (its int, float, timestamp, merge and value
# forms, from the spec's type pages): PyYAML single-quotes such a string so that it stays one.
_NOT_A_STRING = re.compile(
    r"[-+]?(?:0b[0-1_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)"
    r"|[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
    r"|<<|=|~"
)
_QUOTED_FIRST = frozenset("#,[]{}&*!|>'\"%@`")  # a plain scalar cannot start with these: single quotes
_DOUBTFUL_WORDS = frozenset(w.lower() for w in (*_NULLS, *_BOOLS))  # in any case: left to PyYAML
_LONGEST = 2000  # PyYAML folds a scalar past its width; this stays far below it


class _Declined(Exception):
    """A value `dump` is not sure to write as PyYAML does."""


def _printable(text: str) -> bool:
    """No character PyYAML escapes (it writes only these as they are, with allow_unicode)."""
    for ch in text:
        if "\x20" <= ch <= "\x7e":
            continue
        if not ("\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"):  # libyaml escapes beyond the BMP
            return False
        if ch in "\ufeff\u2028\u2029":  # a byte order mark, or line breaks
            return False
    return True


def _scalar_text(value: Any) -> str:
    """A one-line scalar as PyYAML writes it, or _Declined."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is not str or len(value) > _LONGEST or not _printable(value):
        raise _Declined
    if value == "":
        return "''"
    if value[0] == " " or value[-1] == " " or value.lower() in _DOUBTFUL_WORDS:
        raise _Declined
    if (
        _NOT_A_STRING.fullmatch(value)
        or value[0] in _QUOTED_FIRST
        or (value[0] in "-?:" and (len(value) == 1 or value[1] == " "))
        or value.startswith(("---", "..."))
        or ": " in value
        or " #" in value
        or value.endswith(":")
    ):
        return "'" + value.replace("'", "''") + "'"
    return value


def _literal_text(value: str, indent: int) -> str:
    """A multi-line string as a `|` block (PyYAML's choice for text with a line break), or _Declined."""
    body = value[:-1] if value.endswith("\n") else value
    if (
        len(value) > _LONGEST
        or value[0] in " \n"
        or body.endswith("\n")
        or " \n" in value
        or value.endswith(" ")
        or not all(map(_printable, body.split("\n")))
    ):
        raise _Declined
    pad = " " * indent
    lines = "".join(f"{pad}{line}\n" if line else "\n" for line in body.split("\n"))
    return ("|\n" if value.endswith("\n") else "|-\n") + lines


def _key(key: Any) -> str:
    if type(key) is not str or len(key) > 100 or not _SAFE_KEY.fullmatch(key) or key.lower() in _DOUBTFUL_WORDS:
        # (PyYAML writes a key of 128 characters or more as a complex `? key` one)
        raise _Declined
    return key


def _mapping(data: dict[str, Any], indent: int, out: list[str], first_prefix: str | None = None) -> None:
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        lead = first_prefix if n == 0 and first_prefix is not None else pad
        out.append(f"{lead}{_key(key)}:")
        _value(value, indent, out)


def _value(value: Any, indent: int, out: list[str]) -> None:
    """The rest of a `key:` line (already in `out`) and the lines below it."""
    if type(value) is dict:
        if not value:
            out.append(" {}\n")
            return
        out.append("\n")
        _mapping(value, indent + 2, out)
    elif type(value) is list:
        if not value:
            out.append(" []\n")
            return
        out.append("\n")
        _sequence(value, indent, out)
    elif type(value) is str and "\n" in value:
        out.append(" " + _literal_text(value, indent + 2))
    else:
        out.append(f" {_scalar_text(value)}\n")


def _sequence(items: list[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if type(item) is dict and item:
            _mapping(item, indent + 2, out, first_prefix=pad + "- ")
        elif type(item) in (dict, list):
            raise _Declined  # an empty mapping or a list in a list: left to PyYAML
        elif type(item) is str and "\n" in item:
            out.append(f"{pad}- " + _literal_text(item, indent + 2))
        else:
            out.append(f"{pad}- {_scalar_text(item)}\n")


def dump(data: dict[str, Any]) -> str | None:
    """`data` as PyYAML's block style writes it (see `ticket.dump_yaml`), or None when not sure."""
    if type(data) is not dict or not data:
        return None
    out: list[str] = []
    try:
        _mapping(data, 0, out)
    except _Declined:
        return None
    return "".join(out)
