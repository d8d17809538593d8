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

from gitdesk.core.config import Config, expect
from gitdesk.errors import ConfigError

DEFAULT_MAX_ATTACHMENT = 10 * 1024 * 1024
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$", re.I)
_SIZE_UNIT = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}
RULE_KEYS = ("to", "keyword", "product", "channel", "queue")


def parse_size(value: Any, key: str) -> int:
    """'10MB', '512k' or a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(str(value))
    if not match or isinstance(value, bool):
        raise ConfigError(key, f"'{value}' is not a size (use e.g. 512KB, 10MB)")
    return int(float(match.group(1)) * _SIZE_UNIT[(match.group(2) or "b").lower()])


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
    raw = config.section("intake")
    unknown = sorted(set(raw) - {"address", "max_attachment", "spool", "routes"})
    if unknown:
        raise ConfigError(f"intake.{unknown[0]}", "unknown key (use address, max_attachment, spool, routes)")
    addresses = tuple(a.lower() for a in _strings(raw["address"], "intake.address")) if "address" in raw else ()
    limit = parse_size(raw.get("max_attachment", DEFAULT_MAX_ATTACHMENT), "intake.max_attachment")
    spool = raw.get("spool") or ""
    expect(spool, str, "intake.spool", "a directory path")
    routes = raw.get("routes") or []
    expect(routes, list, "intake.routes", "a list of rules")
    rules = tuple(_rule(r, f"intake.routes[{i}]", config) for i, r in enumerate(routes))
    return IntakeSettings(addresses, limit, spool, rules)
