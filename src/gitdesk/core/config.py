"""gitdesk.yml: read once, validated at the edge, handed on as frozen dataclasses.

Sections owned by other parts of gitdesk (calendar, mail, intake, site) are kept
raw in `Config.raw` and validated by their owners with the helpers here, so a
bad key is always reported as `gitdesk.yml: <dotted.key>: <problem>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.core.duration import Duration, parse
from gitdesk.core.marks import N_
from gitdesk.core.ticket import MAX_TICKET_BYTES, PRIORITIES, load_yaml
from gitdesk.errors import ConfigError, MalformedTicket

CONFIG_FILE = "gitdesk.yml"
# The languages customers can be written to in; gitdesk.i18n ships a catalog for each.
LANGUAGES = ("en", "es", "ca")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$", re.I)
_SIZE_UNIT = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}

DEFAULT_PRIORITIES: dict[str, dict[str, Any]] = {
    "P1": {
        "criteria": N_("business failure"),
        "response": "1h",
        "resolution": "8h",
        "checkin": "2h",
        "calendar": "24x7",
    },
    "P2": {"criteria": N_("critical situation"), "response": "4h", "resolution": "2d", "checkin": "1d"},
    "P3": {"criteria": N_("regular scheduled service"), "response": "1d", "resolution": "5d", "checkin": "2d"},
    "P4": {"criteria": N_("planned event"), "response": "2d", "resolution": "20d", "checkin": "5d"},
}


def parse_duration(value: Any, key: str) -> int:
    """Wall-clock seconds of '30m', '4h', '2d', '1w' (a day of 24 hours): for settings no calendar counts.

    SLA targets are `Duration`s instead, which count a day as the calendar's (core/duration.py).
    """
    return parse(value, key).seconds()


def parse_size(value: Any, key: str) -> int:
    """'10MB', '512k' or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(str(value))
    if not match or isinstance(value, bool):
        raise ConfigError(key, f"'{value}' is not a size (use e.g. 512KB, 10MB)")
    return int(float(match.group(1)) * _SIZE_UNIT[(match.group(2) or "b").lower()])


def human_size(n: float) -> str:
    """1536 -> '1.5 KB': how limits and sizes are named in messages."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{int(n)} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


# limits.ticket_file may lie between these: below, a long history would not fit; above, one file
# could stall every reader (no ticket file larger than the ceiling is ever parsed, see core.ticket)
TICKET_FILE_FLOOR = 64 * 1024
TICKET_FILE_CEILING = MAX_TICKET_BYTES
TITLE_RANGE = (20, 10_000)


@dataclass(frozen=True)
class Limits:
    """The `limits:` section: what one desk file may hold (intake's own limits are under `intake:`)."""

    ticket_file: int = 1024 * 1024  # bytes of one tickets/*.md; validate and verbs refuse more, readers leave it out
    title: int = 200  # characters; validate and verbs refuse more; intake cuts longer subjects to fit


def _limits(raw: Any) -> Limits:
    raw = expect(raw or {}, dict, "limits", "a mapping")
    unknown = sorted(set(raw) - {"ticket_file", "title"})
    if unknown:
        raise ConfigError(f"limits.{unknown[0]}", "unknown key (use ticket_file, title)")
    base = Limits()
    size = parse_size(raw.get("ticket_file", base.ticket_file), "limits.ticket_file")
    if not TICKET_FILE_FLOOR <= size <= TICKET_FILE_CEILING:
        floor, ceiling = human_size(TICKET_FILE_FLOOR), human_size(TICKET_FILE_CEILING)
        raise ConfigError("limits.ticket_file", f"{human_size(size)} is outside {floor} to {ceiling}")
    title = raw.get("title", base.title)
    low, high = TITLE_RANGE
    if not isinstance(title, int) or isinstance(title, bool) or not low <= title <= high:
        raise ConfigError("limits.title", f"'{title}' must be a whole number of characters from {low} to {high}")
    return Limits(size, title)


def expect(value: Any, kind: type | tuple[type, ...], key: str, what: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigError(key, f"must be {what}, not {type(value).__name__} {value!r}")
    return value


@dataclass(frozen=True)
class Priority:
    name: str
    criteria: str
    response: Duration  # SLA time to the first response, counted in `calendar` (a day is its working day)
    resolution: Duration  # SLA time to resolution
    checkin: Duration  # SLA time between customer check-ins
    calendar: str  # "business" or "24x7"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Queue:
    name: str
    description: str = ""


@dataclass(frozen=True)
class Config:
    prefix: str
    tiers: int
    queues: tuple[Queue, ...]
    default_queue: str
    priorities: dict[str, Priority]
    title: str = "Service desk"
    language: str = "en"  # the desk's: the board and the KB; a ticket may carry its own
    limits: Limits = field(default_factory=Limits)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def queue_names(self) -> list[str]:
        return [q.name for q in self.queues]

    def section(self, name: str) -> dict[str, Any]:
        """A raw section for its owner to validate; {} when absent."""
        value = self.raw.get(name) or {}
        return expect(value, dict, name, "a mapping")


def _queues(raw: Any) -> tuple[Queue, ...]:
    if raw is None:
        return (Queue("service-desk", "First-line support"),)
    if isinstance(raw, list):
        raw = {str(name): {} for name in raw}
    expect(raw, dict, "queues", "a mapping of queue name to settings")
    queues = []
    for name, spec in raw.items():
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", str(name)):
            raise ConfigError(f"queues.{name}", "a queue name is lowercase letters, digits, '-' or '_'")
        spec = spec or {}
        if isinstance(spec, str):
            spec = {"description": spec}
        expect(spec, dict, f"queues.{name}", "a mapping")
        queues.append(Queue(str(name), str(spec.get("description", ""))))
    if not queues:
        raise ConfigError("queues", "at least one queue is needed")
    return tuple(queues)


def _priorities(raw: Any) -> dict[str, Priority]:
    raw = DEFAULT_PRIORITIES if raw is None else expect(raw, dict, "priorities", "a mapping P1..P4")
    out = {}
    for name in PRIORITIES:
        if name not in raw:
            raise ConfigError(f"priorities.{name}", "missing (P1 to P4 must all be defined)")
        spec = expect(raw[name], dict, f"priorities.{name}", "a mapping")
        key = f"priorities.{name}"
        for needed in ("criteria", "response", "resolution", "checkin"):
            if needed not in spec:
                raise ConfigError(f"{key}.{needed}", "missing")
        calendar = str(spec.get("calendar", "business"))
        if calendar not in ("business", "24x7"):
            raise ConfigError(f"{key}.calendar", f"'{calendar}' must be 'business' or '24x7'")
        out[name] = Priority(
            name,
            str(spec["criteria"]),
            parse(spec["response"], f"{key}.response"),
            parse(spec["resolution"], f"{key}.resolution"),
            parse(spec["checkin"], f"{key}.checkin"),
            calendar,
            dict(spec),
        )
    extra = set(raw) - set(PRIORITIES)
    if extra:
        raise ConfigError(f"priorities.{sorted(extra)[0]}", "unknown priority (only P1 to P4)")
    return out


def language_code(value: Any) -> str | None:
    """'es', 'es-ES', 'ca_ES', 'CA' -> the supported language it names; None when it names none."""
    code = re.split(r"[-_]", str(value or "").strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else None


def _language(raw: Any) -> str:
    if raw is None:
        return "en"
    code = language_code(raw) if isinstance(raw, str) else None
    if code is None:
        raise ConfigError("language", f"'{raw}' is not a supported language ({', '.join(LANGUAGES)})")
    return code


def from_mapping(raw: Any) -> Config:
    """Validate a parsed gitdesk.yml."""
    if raw is None:
        raw = {}
    expect(raw, dict, "(top level)", "a mapping")
    prefix = str(raw.get("prefix", "HD"))
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,9}", prefix):
        raise ConfigError("prefix", f"'{prefix}' must be 1-10 letters or digits, starting with a letter")
    tiers = raw.get("tiers", 3)
    if not isinstance(tiers, int) or isinstance(tiers, bool) or not 1 <= tiers <= 9:
        raise ConfigError("tiers", f"'{tiers}' must be a whole number from 1 to 9")
    queues = _queues(raw.get("queues"))
    names = [q.name for q in queues]
    default_queue = str(raw.get("default_queue", names[0]))
    if default_queue not in names:
        raise ConfigError("default_queue", f"'{default_queue}' is not one of the queues ({', '.join(names)})")
    return Config(
        prefix.upper(),
        tiers,
        queues,
        default_queue,
        _priorities(raw.get("priorities")),
        str(raw.get("title", "Service desk")),
        _language(raw.get("language")),
        _limits(raw.get("limits")),
        dict(raw),
    )


def load(root: Path, parse: Callable[[str], Any] | None = None) -> Config:
    """The desk's gitdesk.yml; `parse(text)` may stand in for PyYAML (the desk passes a cached one)."""
    path = root / CONFIG_FILE
    if path.exists() and not path.is_file():  # a FIFO would block every command on open
        raise ConfigError("(file)", "not a regular file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return from_mapping({})
    except OSError as exc:
        raise ConfigError("(file)", f"cannot read: {exc.strerror}") from None
    try:
        raw = parse(text) if parse else parse_text(text)
    except MalformedTicket as exc:
        raise ConfigError(f"line {exc.line}" if exc.line else "(file)", exc.problem) from None
    return from_mapping(raw)


def parse_text(text: str) -> Any:
    """gitdesk.yml's text as YAML (MalformedTicket naming the line when it is not)."""
    return load_yaml(text, CONFIG_FILE)
