"""The `intake:` section of gitdesk.yml: the desk's own addresses, limits, spool and routing rules.

Validated once into a frozen dataclass; a bad key is reported as
`gitdesk.yml: intake.<key>: <problem>`. Routing is a first-match list of rules,
each matching on recipient address, keyword and/or product data.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitdesk.core.config import Config, expect, parse_size  # noqa: F401 - parse_size re-exported
from gitdesk.errors import ConfigError

DEFAULT_MAX_ATTACHMENT = 10 * 1024 * 1024
REPLY_TO_CLOSED = ("reopen", "new-ticket", "flag")
KEYS = (
    "address",
    "max_attachment",
    "max_attachments",
    "max_attachments_total",
    "max_body",
    "max_title",
    "spool",
    "routes",
    "staff",
    "reply_to_closed",
    "reopen_within",
    "acks_per_hour",
    "ack_max_age",
)
RULE_KEYS = ("to", "keyword", "product", "channel", "queue")


@dataclass(frozen=True)
class Rule:
    queue: str
    to: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    product: tuple[tuple[str, str], ...] = ()  # (key, glob) pairs, all must match
    channels: tuple[str, ...] = ()

    def matches(self, recipients: list[str], text: str, product: dict[str, str], channel: str) -> bool:
        """Every condition the rule names must hold (AND); a rule names at least one."""
        if self.to and not {r.lower() for r in recipients} & set(self.to):
            return False
        if self.keywords and not any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", text, re.I) for k in self.keywords):
            return False
        if self.channels and channel not in self.channels:
            return False
        for key, pattern in self.product:
            if not fnmatch.fnmatchcase(str(product.get(key, "")).lower(), pattern.lower()):
                return False
        return True


@dataclass(frozen=True)
class IntakeSettings:
    addresses: tuple[str, ...] = ()  # the desk's own addresses: mail from them is a loop
    max_attachment: int = DEFAULT_MAX_ATTACHMENT
    spool: str = ""  # "" = .git/gitdesk/spool
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    max_attachments: int = 20  # per message; the rest are refused with a note
    max_attachments_total: int = 25 * 1024 * 1024  # per message
    max_body: int = 64 * 1024  # characters of body in the ticket; the whole text is kept as body.txt beside it
    max_title: int = 200
    staff: tuple[tuple[str, str], ...] = ()  # (address or @domain, technician name or "")
    reply_to_closed: str = "reopen"
    reopen_within: int = 30 * 86400  # seconds after closing; later replies open a new linked ticket
    acks_per_hour: int = 5  # per sender: a responder without loop headers cannot ping-pong forever
    ack_max_age: int = 7 * 86400  # messages older than this (imports) are not acknowledged

    def technician(self, address: str) -> str | None:
        """The technician a staff address belongs to ('' = unnamed staff), None for a customer."""
        address = address.lower()
        for pattern, name in self.staff:
            if address == pattern or (pattern.startswith("@") and address.endswith(pattern)):
                return name or address.split("@")[0]
        return None

    def route(self, config: Config, recipients: list[str], text: str, product: dict[str, str], channel: str) -> str:
        for rule in self.rules:
            if rule.matches(recipients, text, product, channel):
                return rule.queue
        return config.default_queue

    def spool_dir(self, root: Path, state_dir: Path) -> Path:
        return (root / self.spool) if self.spool else state_dir / "spool"


def _strings(value: Any, key: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(key, f"must be a string or a list of strings, not {item!r}")
    return tuple(i.strip() for i in items)


def _rule(raw: Any, key: str, config: Config) -> Rule:
    expect(raw, dict, key, "a mapping like {keyword: vpn, queue: network}")
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}", f"unknown key (use {', '.join(RULE_KEYS)})")
    queue = raw.get("queue")
    if queue not in config.queue_names():
        raise ConfigError(f"{key}.queue", f"'{queue}' is not one of the queues ({', '.join(config.queue_names())})")
    product = raw.get("product") or {}
    expect(product, dict, f"{key}.product", "a mapping like {model: 'HP-*'}")
    rule = Rule(
        str(queue),
        tuple(a.lower() for a in _strings(raw["to"], f"{key}.to")) if "to" in raw else (),
        _strings(raw["keyword"], f"{key}.keyword") if "keyword" in raw else (),
        tuple((str(k).lower(), str(v)) for k, v in product.items()),
        _strings(raw["channel"], f"{key}.channel") if "channel" in raw else (),
    )
    if not (rule.to or rule.keywords or rule.product or rule.channels):
        raise ConfigError(key, "a rule needs at least one of to, keyword, product, channel")
    return rule


def settings(config: Config) -> IntakeSettings:
    """Validate the `intake:` section."""
    from gitdesk.core.config import parse_duration

    raw = config.section("intake")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ConfigError(f"intake.{unknown[0]}", f"unknown key (use {', '.join(KEYS)})")
    addresses = tuple(a.lower() for a in _strings(raw["address"], "intake.address")) if "address" in raw else ()
    limit = parse_size(raw.get("max_attachment", DEFAULT_MAX_ATTACHMENT), "intake.max_attachment")
    spool = raw.get("spool") or ""
    expect(spool, str, "intake.spool", "a directory path")
    routes = raw.get("routes") or []
    expect(routes, list, "intake.routes", "a list of rules")
    rules = tuple(_rule(r, f"intake.routes[{i}]", config) for i, r in enumerate(routes))
    policy = raw.get("reply_to_closed", "reopen")
    if policy not in REPLY_TO_CLOSED:
        raise ConfigError("intake.reply_to_closed", f"'{policy}' is not one of {', '.join(REPLY_TO_CLOSED)}")
    base = IntakeSettings()
    return IntakeSettings(
        addresses,
        limit,
        spool,
        rules,
        max_attachments=_count(raw, "max_attachments", base.max_attachments),
        max_attachments_total=parse_size(
            raw.get("max_attachments_total", base.max_attachments_total), "intake.max_attachments_total"
        ),
        max_body=parse_size(raw.get("max_body", base.max_body), "intake.max_body"),
        max_title=_count(raw, "max_title", base.max_title, low=20),
        staff=_staff(raw.get("staff")),
        reply_to_closed=str(policy),
        reopen_within=parse_duration(raw["reopen_within"], "intake.reopen_within")
        if "reopen_within" in raw
        else base.reopen_within,
        acks_per_hour=_count(raw, "acks_per_hour", base.acks_per_hour, low=0),
        ack_max_age=parse_duration(raw["ack_max_age"], "intake.ack_max_age")
        if "ack_max_age" in raw
        else base.ack_max_age,
    )


def _count(raw: dict[str, Any], key: str, default: int, low: int = 1) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 10**9:
        raise ConfigError(f"intake.{key}", f"'{value}' must be a whole number from {low}")
    return value


def _staff(raw: Any) -> tuple[tuple[str, str], ...]:
    """`staff: [ada@desk.example, "@desk.example"]` or `staff: {ada@desk.example: Ada}`."""
    if raw is None:
        return ()
    pairs = list(raw.items()) if isinstance(raw, dict) else [(a, "") for a in _strings(raw, "intake.staff")]
    out = []
    for address, name in pairs:
        address = str(address).strip().lower()
        if "@" not in address:
            address = "@" + address  # a bare domain
        if not re.fullmatch(r"[^@\s]*@[^@\s]+\.[^@\s]+", address):
            raise ConfigError("intake.staff", f"'{address}' is not an address or @domain")
        out.append((address, str(name or "").strip()))
    return tuple(out)
