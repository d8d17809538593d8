"""Durations as gitdesk.yml and the CLI write them ('30m', '4h', '1.5d', '1w'), and what they count.

A day and a week are the calendar's: on a business calendar of 09:00-17:00, Monday to Friday,
'1d' is 8 working hours and '1w' is 40; minutes and hours are taken literally. On the 24x7
calendar (and where no calendar applies, such as intake's `reopen_within`) a day is 24 hours.
`Duration.seconds(calendar)` is that rule, in one place: the SLA clocks, `due --within`, the
"overdue by" figures and the site's promise text all count through it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from gitdesk.errors import ConfigError

_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_LITERAL = {"s": 1, "m": 60, "h": 3600}
HINT = "use e.g. 30m, 4h, 2d, 1w"


class Lengths(Protocol):
    """What a duration needs of a calendar: how long its day and its week are."""

    day_length: int
    week_length: int


@dataclass(frozen=True)
class Duration:
    """An amount of a unit ('s' for a plain number of seconds); a day or week counts as the calendar's."""

    amount: float
    unit: str  # "s", "m", "h", "d" or "w"

    def seconds(self, calendar: Lengths | None = None) -> int:
        """Seconds of `calendar` time (a business day is its working hours); 24-hour days without one."""
        if self.unit in _LITERAL:
            return int(self.amount * _LITERAL[self.unit])
        day = calendar.day_length if calendar is not None else 86400
        week = calendar.week_length if calendar is not None else 7 * 86400
        return int(self.amount * (day if self.unit == "d" else week))

    def __str__(self) -> str:
        amount = int(self.amount) if self.amount == int(self.amount) else self.amount
        return f"{amount}{self.unit}" if self.unit != "s" else f"{amount}s"


def parse(value: Any, key: str) -> Duration:
    """'30m', '4h', '2d', '1w' (or a positive number of seconds); a bad value names `key`."""
    if isinstance(value, bool):
        raise ConfigError(key, f"'{value}' is not a duration ({HINT})")
    if isinstance(value, (int, float)) and value > 0:
        return Duration(float(int(value)), "s")
    match = _TEXT.match(str(value))
    if not match or float(match.group(1)) <= 0:
        raise ConfigError(key, f"'{value}' is not a duration ({HINT})")
    return Duration(float(match.group(1)), match.group(2))


def duration_text(seconds: int) -> str:
    """2h10m, 45m, 26h: business time is easiest to read in hours (a business day is no 24 of them)."""
    seconds = abs(int(seconds))
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes}m"
