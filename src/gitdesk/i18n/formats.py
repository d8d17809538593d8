"""Dates, numbers and durations as a locale writes them (CLDR data through Babel), in the desk's zone."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from typing import Any

_UNIT_SECONDS = (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60))


@cache
def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC  # config validation reports a bad zone; a page still renders


def _moment(stamp: Any, timezone: str) -> dt.datetime | None:
    from gitdesk.core.ticket import parse_time

    if not stamp:
        return None
    try:
        moment = stamp if isinstance(stamp, dt.datetime) else parse_time(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        return moment.astimezone(_zone(timezone))
    except OverflowError:  # 9999-12-31T23:30Z is already year 10000 in Madrid; 0001-01-01 is year 0 in New York
        return None


def when(stamp: Any, language: str, timezone: str, long: bool = False) -> str:
    """'Mon, Mar 2, 2026, 09:00 GMT' / 'lun, 2 mar 2026, 9:00 CET'; the stamp itself if unreadable."""
    moment = _moment(stamp, timezone)
    if moment is None:
        return str(stamp or "")
    # The zone's own abbreviation (CET, CEST, GMT, BST): CLDR lacks one for many zone/locale pairs.
    zone = moment.tzname() or timezone
    return f"{_day_text(moment.date(), language, long)}, {_clock(moment.hour, moment.minute, language)} {zone}"


@lru_cache(maxsize=8192)
def _day_text(day: dt.date, language: str, long: bool) -> str:
    """A day as the locale writes it: a site shows thousands of times over a few hundred days."""
    from babel.dates import format_date, format_skeleton

    return str(format_date(day, "full", locale=language) if long else format_skeleton("yMMMEd", day, locale=language))


@lru_cache(maxsize=4096)
def _clock(hour: int, minute: int, language: str) -> str:
    from babel.dates import format_time

    return str(format_time(dt.time(hour, minute), "HH:mm", locale=language))


def day(stamp: Any, language: str, timezone: str) -> str:
    from babel.dates import format_skeleton

    moment = _moment(stamp, timezone)
    return format_skeleton("yMMMd", moment, locale=language) if moment else str(stamp or "")


def number(value: float, language: str, digits: int = 1) -> str:
    if type(value) is int and not digits:  # counts repeat: "3 hours", "12 tickets"
        return _integer(value, language)
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, pattern, locale=language))


@lru_cache(maxsize=4096)
def _integer(value: int, language: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, "#,##0", locale=language))


def percent(value: float, language: str, digits: int = 1) -> str:
    from babel.numbers import format_percent

    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0%"
    return str(format_percent(value / 100, pattern, locale=language))


def duration_unit(seconds: int, day: int = 86400, week: int = 604800) -> tuple[int, str]:
    """(4, 'hour'): the largest unit the duration is a whole number of, minutes as the last resort.

    `day` and `week` are the calendar's (a business day of 8 hours: 12 hours is no whole day).
    """
    sizes = (("week", week), ("day", day), *_UNIT_SECONDS[2:])
    for unit, size in sizes:
        if seconds >= size and seconds % size == 0:
            return seconds // size, unit
    return max(1, round(seconds / 60)), "minute"
