"""Ticket files: Markdown with YAML front matter, parsed and dumped without loss.

Pure: no disk, no git. `parse(dump(t)) == t`, unknown keys keep their place,
and a file written by `dump` reads back byte for byte the same.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from gitdesk.core import controls, written_yaml
from gitdesk.errors import InvalidValue, MalformedTicket

# The order new tickets are written in; keys a person adds by hand keep their own place.
FIELD_ORDER = (
    "id",
    "title",
    "status",
    "priority",
    "queue",
    "tier",
    "assignee",
    "requester",
    "channel",
    "location",
    "product",
    "visibility",
    "language",
    "created",
    "updated",
    "parent",
    "children",
    "history",
)
CHANNELS = ("email", "slack", "phone", "web", "github")
VISIBILITIES = ("public", "unlisted", "private")
PRIORITIES = ("P1", "P2", "P3", "P4")
TIME_KEYS = ("created", "updated")


@cache
def _yaml() -> tuple[Any, Any, Any]:
    """(yaml, loader, dumper), imported on first use: a warm `list` never needs PyYAML (~30 ms)."""
    import yaml  # noqa: PLC0415

    class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        """Block style for multi-line text so notes stay readable in the file."""

    _Dumper.add_representer(str, _str_representer)
    _Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]  # never &id001: refused on read
    return yaml, getattr(yaml, "CSafeLoader", yaml.SafeLoader), _Dumper


def _str_representer(dumper: Any, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def iso(value: Any) -> str:
    """UTC ISO 8601 with a Z, the one timestamp form in ticket files (and of every instant gitdesk prints).

    Takes a datetime (naive ones are UTC), a date, or seconds since 1970.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = dt.datetime.fromtimestamp(value, dt.UTC)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    return str(value)


def parse_time(value: Any) -> dt.datetime:
    """Read a timestamp from a ticket; raises ValueError when it is not one."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    stamp = dt.datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


@dataclass
class Ticket:
    """A ticket: its front matter (ordered, unknown keys kept) and its Markdown body."""

    meta: dict[str, Any]
    body: str = ""
    path: str = ""

    # -- typed views of the fields every part of gitdesk reads --------------------------
    @property
    def id(self) -> str:
        return str(self.meta.get("id", ""))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def status(self) -> str:
        return str(self.meta.get("status") or "")

    @property
    def priority(self) -> str | None:
        value = self.meta.get("priority")
        return str(value) if value else None

    @property
    def tier(self) -> int:
        try:
            return int(self.meta.get("tier") or 1)
        except (TypeError, ValueError):
            return 1

    @property
    def history(self) -> list[dict[str, Any]]:
        events = self.meta.get("history")
        if not isinstance(events, list):
            events = []
            self.meta["history"] = events
        return events

    @property
    def requester(self) -> dict[str, Any]:
        value = self.meta.get("requester")
        return value if isinstance(value, dict) else {}

    @property
    def visibility(self) -> str:
        return str(self.meta.get("visibility") or "unlisted")

    @property
    def description(self) -> str:
        return self.body.strip()

    def copy(self) -> Ticket:
        return Ticket(copy.deepcopy(self.meta), self.body, self.path)

    def set(self, key: str, value: Any) -> None:
        """Set a field; a new key goes where FIELD_ORDER puts it, before history."""
        if key in self.meta:
            self.meta[key] = value
            return
        order = {k: i for i, k in enumerate(FIELD_ORDER)}
        rank = order.get(key, len(FIELD_ORDER) - 1)
        items = list(self.meta.items())
        pos = next((i for i, (k, _) in enumerate(items) if order.get(k, -1) > rank), len(items))
        items.insert(pos, (key, value))
        self.meta = dict(items)

    def to_json(self) -> dict[str, Any]:
        return {**self.meta, "description": self.description}


_FENCE = re.compile(r"^---[ \t]*\r?\n", re.M)


def split_front_matter(text: str, path: str = "<ticket>") -> tuple[str, str, int]:
    """Return (yaml text, body, line number where the yaml starts)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not _FENCE.match(text):
        raise MalformedTicket(path, 1, "front matter must start with a '---' line")
    start = text.index("\n") + 1
    end = _FENCE.search(text, start)
    if end is None:
        if text.rstrip().endswith("\n---") or text.rstrip() == "---":
            cut = text.rstrip().rfind("---")
            return text[start:cut], "", 2
        raise MalformedTicket(path, 1, "the front matter opened here is never closed by a '---' line")
    return text[start : end.start()], text[end.end() :], 2


# What a hand-edited file could carry to a terminal: the one copy of the rule is core/controls.py.
UNSAFE_TEXT = controls.REFUSED

# No front matter larger than this is ever parsed, whatever gitdesk.yml says: the ceiling of
# `limits.ticket_file` (default 1 MB), which validate, the verbs and the readers apply (core.config).
MAX_TICKET_BYTES = 16 * 1024 * 1024
_ANCHOR_HINT = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s]", re.M)


def _refuse_aliases(yaml: Any, loader: Any, text: str, path: str, first_line: int) -> None:
    """YAML anchors and aliases are refused: a 1 KB "billion laughs" file expands to gigabytes.
    The scanner is linear and expands nothing; it only runs when `&` or `*` could start one."""
    if not _ANCHOR_HINT.search(text):
        return
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise MalformedTicket(
                    path,
                    token.start_mark.line + first_line,
                    "YAML anchors and aliases (&name, *name) are not allowed in desk files; write the value out",
                )
    except yaml.YAMLError:
        return  # the parser below reports the syntax error with its line


def load_yaml(text: str, path: str, first_line: int = 1) -> Any:
    yaml, loader, _ = _yaml()
    if len(text) > MAX_TICKET_BYTES:
        raise MalformedTicket(path, None, f"front matter larger than {MAX_TICKET_BYTES // 1024**2} MB; refused")
    _refuse_aliases(yaml, loader, text, path, first_line)
    try:
        return yaml.load(text, Loader=loader)
    except (ValueError, OverflowError) as exc:  # a 5,000-digit number, a date past 9999, a bad date
        what = (
            "a number too long to read (over 4300 digits)" if "digits" in str(exc) else str(exc).splitlines()[0][:120]
        )
        raise MalformedTicket(path, None, f"invalid value: {what}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        problem = f"invalid YAML: {exc.problem or exc}"
        # Where the broken construct began is often the line the person has to fix.
        if exc.context and exc.context_mark and exc.context_mark.line + first_line != line:
            problem += f" ({exc.context} started on line {exc.context_mark.line + first_line})"
        raise MalformedTicket(path, line, problem) from None
    except yaml.YAMLError as exc:
        raise MalformedTicket(path, None, f"invalid YAML: {exc}") from None


def _key_line(front: str, key: str, first: int) -> int:
    """The file line of a top-level key, so a shape error points at it, not at the fence."""
    match = re.search(rf"^{re.escape(key)}\s*:", front, re.M)
    return first + front.count("\n", 0, match.start()) if match else first


def parse(text: str, path: str = "<ticket>") -> Ticket:
    """Text to Ticket. Raises MalformedTicket naming the file and line."""
    front, body, first = split_front_matter(text, path)
    # The form gitdesk writes is read without PyYAML; anything else takes the full parser.
    meta = written_yaml.load(front) if len(front) <= MAX_TICKET_BYTES else None
    if meta is None:
        meta = load_yaml(front, path, first)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise MalformedTicket(path, first, "front matter must be a mapping of fields")
    try:
        _normalise_times(meta)
    except OverflowError:
        raise MalformedTicket(path, first, "a timestamp is out of range (past the year 9999 in UTC)") from None
    history = meta.get("history")
    if history is not None and not isinstance(history, list):
        raise MalformedTicket(path, _key_line(front, "history", first), "history must be a list of events")
    for n, event in enumerate(history or (), 1):
        if not isinstance(event, dict):
            raise MalformedTicket(
                path,
                _key_line(front, "history", first),
                f"history event {n} must be a mapping of at, by, action, from, to, ...",
            )
        if isinstance(event.get("at"), (dt.date, dt.datetime)):
            try:
                event["at"] = iso(event["at"])
            except OverflowError:
                raise MalformedTicket(
                    path, _key_line(front, "history", first), f"history event {n}: 'at' is out of range"
                ) from None
    return Ticket(meta, body, path)


def _normalise_times(meta: dict[str, Any]) -> None:
    for key in TIME_KEYS:
        if isinstance(meta.get(key), (dt.date, dt.datetime)):
            meta[key] = iso(meta[key])


def dump_yaml(data: Any) -> str:
    """`data` in block style: written by `written_yaml.dump` when it is sure to match PyYAML, else by PyYAML."""
    fast = written_yaml.dump(data) if type(data) is dict else None
    return fast if fast is not None else pyyaml_dump(data)


def pyyaml_dump(data: Any) -> str:
    yaml, _, dumper = _yaml()
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100000)


def dump(ticket: Ticket) -> str:
    """Ticket to text."""
    body = ticket.body
    if body and not body.startswith("\n"):
        body = "\n" + body
    if body and not body.endswith("\n"):
        body += "\n"
    return f"---\n{dump_yaml(ticket.meta)}---\n{body}"


# -- requester parsing, shared by `new`, `edit` and intake -------------------------------
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def parse_requester(text: str) -> dict[str, str]:
    """'Ada Lovelace <ada@example.org>' or a bare email, to {name, email}."""
    text = (text or "").strip()
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", text)
    name, email = (match.group(1).strip().strip('"'), match.group(2).strip()) if match else ("", text)
    if "@" not in email:
        if match or "<" in text or ">" in text:
            raise InvalidValue("requester", f"'{text}' has no valid email address")
        return {"name": text, "email": ""} if text else {}
    if not _EMAIL.match(email) or any(c in email for c in "\r\n"):
        raise InvalidValue("requester", f"'{email}' is not a valid email address")
    if any(c in name for c in "\r\n"):
        raise InvalidValue("requester", "the name may not contain line breaks")
    return {"name": name or email.split("@")[0], "email": email.lower()}


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(email or ""))
