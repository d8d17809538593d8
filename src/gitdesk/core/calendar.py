"""Business-time arithmetic: working seconds between two instants, and the instant a budget runs out.

Pure: no disk, no git, no wall clock. Instants are POSIX seconds (ints), so a
report over 100,000 tickets does no datetime juggling per ticket. A business
calendar keeps a running total of working seconds per local day, which turns
"how much working time lies between a and b" into two partial days and one
subtraction, however far apart a and b are.

The `calendar:` section of gitdesk.yml is validated here (`from_config`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gitdesk.errors import ConfigError, GitdeskError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULTS: dict[str, Any] = {
    "timezone": "UTC",
    "hours": "09:00-17:00",
    "weekdays": list(WEEKDAYS[:5]),
    "holidays": [],
    "at_risk": 0.8,
}
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_COUNTRY = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,4})?$")
_CHUNK = 64  # days of running totals computed at a time (small: `show` needs only a few weeks)
_HORIZON = 366 * 20  # a budget that needs more than 20 years of calendar is a broken calendar


class Always:
    """The 24x7 calendar: every second counts, so business time is plain elapsed time."""

    name = "24x7"
    day_length = 86400
    week_length = 7 * 86400

    def elapsed(self, start: int, end: int) -> int:
        return max(0, end - start)

    def cumulative(self, instant: int) -> int:
        return instant

    def add(self, start: int, seconds: int) -> int:
        return start + max(0, seconds)


class Business:
    """Working hours on working weekdays in one time zone, minus holidays."""

    name = "business"

    def __init__(
        self,
        tz: dt.tzinfo,
        opens: dt.time,
        closes: dt.time,
        weekdays: frozenset[int],
        is_holiday: Callable[[dt.date], bool] = lambda d: False,
    ) -> None:
        if not weekdays:
            raise ValueError("a business calendar needs at least one working weekday")
        self.tz, self.opens, self.closes = tz, opens, closes
        self.weekdays, self.is_holiday = weekdays, is_holiday
        self.to_midnight = closes == dt.time(0)  # "09:00-24:00" works until the day ends
        # Nominal length, used to turn "1d" into working time; DST days may really be an hour off.
        close_s = 86400 if self.to_midnight else closes.hour * 3600 + closes.minute * 60
        self.day_length = close_s - (opens.hour * 3600 + opens.minute * 60)
        self.week_length = self.day_length * len(weekdays)
        # The table, one entry per local day from ordinal _base on. Lists and bisect rather than
        # datetime per lookup: a 100,000-ticket report asks for about a million instants.
        self._base = 0
        self._starts: list[int] = []  # instant each day begins, plus one: the day after the last
        self._opens: list[int] = []  # working window of each day as instants; opens == closes on a day off
        self._closes: list[int] = []
        self._totals: list[int] = []  # working seconds from a fixed origin to the start of each day (+1)

    # -- the table of days -----------------------------------------------------------------
    def _midnight(self, day: int) -> int:
        return int(dt.datetime.combine(dt.date.fromordinal(day), dt.time(0), self.tz).timestamp())

    def window(self, day: int) -> tuple[int, int] | None:
        """(opens, closes) of a local day (ordinal) as instants, or None when nobody works that day."""
        date = dt.date.fromordinal(day)
        if date.weekday() not in self.weekdays or self.is_holiday(date):
            return None
        # Real instants, so a DST change inside working hours gives a day one hour shorter or longer.
        start = int(dt.datetime.combine(date, self.opens, self.tz).timestamp())
        close_day = date + dt.timedelta(days=1) if self.to_midnight else date
        end = int(dt.datetime.combine(close_day, self.closes, self.tz).timestamp())
        return (start, end) if end > start else None

    def _days(self, first: int, count: int) -> tuple[list[int], list[int], list[int]]:
        starts, opens, closes = [], [], []
        for day in range(first, first + count):
            midnight = self._midnight(day)
            win = self.window(day) or (midnight, midnight)
            starts.append(midnight)
            opens.append(win[0])
            closes.append(win[1])
        return starts, opens, closes

    def _append(self) -> None:
        if len(self._opens) > _HORIZON:
            raise GitdeskError("the business calendar has no working time left (check calendar.holidays)")
        first = self._base + len(self._opens)
        starts, opens, closes = self._days(first, _CHUNK)
        for o, c in zip(opens, closes, strict=True):
            self._totals.append(self._totals[-1] + c - o)
        self._starts[-1:] = [*starts, self._midnight(first + _CHUNK)]
        self._opens += opens
        self._closes += closes

    def _prepend(self) -> None:
        # Existing totals stay as they are (callers may hold them); the new days count down from them.
        self._base -= _CHUNK
        starts, opens, closes = self._days(self._base, _CHUNK)
        head = [self._totals[0]]
        for o, c in zip(reversed(opens), reversed(closes), strict=True):
            head.append(head[-1] - (c - o))
        self._totals = head[:0:-1] + self._totals
        self._starts = starts + self._starts
        self._opens = opens + self._opens
        self._closes = closes + self._closes

    def cumulative(self, instant: int) -> int:
        """Working seconds from a fixed origin up to `instant`; only differences mean anything.

        elapsed(a, b) == cumulative(b) - cumulative(a), which lets a report clip many intervals
        at one stop instant with plain min/max arithmetic.
        """
        if not self._starts:
            self._base = dt.datetime.fromtimestamp(instant, self.tz).toordinal() - _CHUNK // 2
            self._starts, self._totals = [self._midnight(self._base)], [0]
            self._append()
        while instant < self._starts[0]:
            self._prepend()
        while instant >= self._starts[-1]:
            self._append()
        i = bisect.bisect_right(self._starts, instant) - 1
        o, c = self._opens[i], self._closes[i]
        return self._totals[i] + (0 if instant <= o else (c - o if instant >= c else instant - o))

    # -- the two operations ---------------------------------------------------------------
    def elapsed(self, start: int, end: int) -> int:
        """Working seconds in [start, end)."""
        if end <= start:
            return 0
        return self.cumulative(end) - self.cumulative(start)

    def add(self, start: int, seconds: int) -> int:
        """The earliest instant by which `seconds` of working time have passed since `start`."""
        if seconds <= 0:
            return start
        goal = self.cumulative(start) + seconds
        while self._totals[-1] < goal:
            self._append()
        day = bisect.bisect_left(self._totals, goal) - 1  # totals[day] < goal <= totals[day + 1]
        return self._opens[day] + goal - self._totals[day]


Calendar = Always | Business


@dataclass(frozen=True)
class Calendars:
    """The desk's two calendars and its at-risk threshold, from gitdesk.yml."""

    business: Business
    always: Always
    at_risk: float

    def for_name(self, name: str) -> Calendar:
        return self.always if name == "24x7" else self.business


# -- the calendar: section of gitdesk.yml ------------------------------------------------
def _timezone(value: Any) -> dt.tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("calendar.timezone", f"'{value}' is not a time zone (e.g. Europe/Amsterdam)") from None


def _hours(value: Any) -> tuple[dt.time, dt.time]:
    match = _HOURS.match(str(value))
    problem = f"'{value}' must be like 09:00-17:00 (opening before closing, same day)"
    if not match:
        raise ConfigError("calendar.hours", problem)
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2) or h1 * 60 + m1 >= h2 * 60 + m2:
        raise ConfigError("calendar.hours", problem)
    # 24:00 is stored as midnight, which Business reads as the start of the next day.
    return dt.time(h1, m1), dt.time(0) if h2 == 24 else dt.time(h2, m2)


def _weekdays(value: Any) -> frozenset[int]:
    if not isinstance(value, list) or not value:
        raise ConfigError("calendar.weekdays", f"must be a list such as [mon, tue, wed, thu, fri], not {value!r}")
    days = set()
    for item in value:
        name = str(item).strip().lower()[:3]
        if name not in WEEKDAYS:
            raise ConfigError("calendar.weekdays", f"'{item}' is not a weekday (mon..sun)")
        days.add(WEEKDAYS.index(name))
    return frozenset(days)


def _holidays(value: Any) -> Callable[[dt.date], bool]:
    """A list of dates and/or country codes ('NL', 'DE-BY' for a subdivision), or one code."""
    items = value if isinstance(value, list) else [value]
    dates: set[dt.date] = set()
    countries = []
    for item in items:
        if isinstance(item, dt.datetime):
            item = item.date()
        if isinstance(item, dt.date):
            dates.add(item)
        elif isinstance(item, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", item.strip()):
            try:
                dates.add(dt.date.fromisoformat(item.strip()))
            except ValueError:
                raise ConfigError("calendar.holidays", f"'{item}' is not a date") from None
        elif isinstance(item, str) and _COUNTRY.match(item.strip()):
            countries.append(_country(item.strip()))
        else:
            raise ConfigError("calendar.holidays", f"'{item}' is neither a date (YYYY-MM-DD) nor a country code")
    frozen = frozenset(dates)
    if not countries:
        return frozen.__contains__
    return lambda d: d in frozen or any(d in c for c in countries)


def _country(code: str) -> Any:
    try:
        import holidays
    except ImportError:
        raise ConfigError(
            "calendar.holidays",
            f"country code '{code}' needs the 'holidays' package "
            "(pip install 'gitdesk[sla]'), or list the dates instead",
        ) from None
    country, _, subdiv = code.upper().partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError:
        raise ConfigError(
            "calendar.holidays", f"'{code}' is not a country (or subdivision) the holidays package knows"
        ) from None


def from_section(section: dict[str, Any]) -> Calendars:
    """Validate a `calendar:` mapping; every problem names its key."""
    unknown = sorted(set(section) - set(DEFAULTS))
    if unknown:
        raise ConfigError(f"calendar.{unknown[0]}", f"unknown key (known: {', '.join(DEFAULTS)})")
    spec = {**DEFAULTS, **{k: v for k, v in section.items() if v is not None}}
    opens, closes = _hours(spec["hours"])
    at_risk = spec["at_risk"]
    if isinstance(at_risk, bool) or not isinstance(at_risk, (int, float)) or not 0 < at_risk <= 1:
        raise ConfigError("calendar.at_risk", f"'{at_risk}' must be a fraction above 0 and at most 1, e.g. 0.8")
    business = Business(
        _timezone(spec["timezone"]), opens, closes, _weekdays(spec["weekdays"]), _holidays(spec["holidays"])
    )
    return Calendars(business, Always(), float(at_risk))


_CACHE: dict[int, tuple[Any, Calendars]] = {}


def from_config(config: Any) -> Calendars:
    """The desk's calendars; built once per Config object, because the running totals are worth keeping."""
    hit = _CACHE.get(id(config))
    if hit is not None and hit[0] is config:
        return hit[1]
    calendars = from_section(config.section("calendar"))
    _CACHE.clear()  # one desk per process in practice; never grow without bound
    _CACHE[id(config)] = (config, calendars)
    return calendars


def summary(config: Any) -> dict[str, Any]:
    """The calendar as people configured it, for `gitdesk priorities` and the site."""
    calendars = from_config(config)
    spec = {**DEFAULTS, **{k: v for k, v in config.section("calendar").items() if v is not None}}
    holidays = spec["holidays"] if isinstance(spec["holidays"], list) else [spec["holidays"]]
    return {
        "timezone": str(spec["timezone"]),
        "hours": str(spec["hours"]).replace(" ", ""),
        "weekdays": [WEEKDAYS[d] for d in sorted(calendars.business.weekdays)],
        "holidays": ", ".join(str(h) for h in holidays),
        "at_risk": calendars.at_risk,
        "day_seconds": calendars.business.day_length,
    }
