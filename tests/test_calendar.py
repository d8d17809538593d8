"""Business-time arithmetic: tables of cases across nights, weekends, holidays and DST, plus properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.core.calendar import Always, from_config, from_section
from gitdesk.core.config import from_mapping
from gitdesk.errors import ConfigError

H = 3600


def ts(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


UTC = from_section({}).business  # 09:00-17:00 Mon-Fri UTC
HOLIDAY = from_section({"holidays": ["2026-03-04"]}).business  # Wednesday off
AMS = from_section({"timezone": "Europe/Amsterdam", "holidays": ["2026-04-06"]}).business
NIGHT_SHIFT = from_section(
    {
        "timezone": "Europe/Amsterdam",
        "hours": "01:00-05:00",  # spans the DST hour
        "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    }
).business
NEW_YORK = from_section({"timezone": "America/New_York", "hours": "08:30-17:30"}).business
ALWAYS = Always()

ELAPSED = [
    # calendar, start, end, expected hours, why
    (UTC, "2026-03-02T10:00+00:00", "2026-03-02T15:00+00:00", 5, "within one working day"),
    (UTC, "2026-03-02T06:00+00:00", "2026-03-02T20:00+00:00", 8, "before opening to after closing"),
    (UTC, "2026-03-02T16:00+00:00", "2026-03-03T10:00+00:00", 2, "across a night"),
    (UTC, "2026-03-06T16:00+00:00", "2026-03-09T10:00+00:00", 2, "across a weekend"),
    (UTC, "2026-03-07T10:00+00:00", "2026-03-08T15:00+00:00", 0, "inside a weekend"),
    (UTC, "2026-03-02T00:00+00:00", "2026-03-09T00:00+00:00", 40, "a whole week"),
    (UTC, "2026-03-02T09:00+00:00", "2026-04-27T09:00+00:00", 8 * 40, "eight weeks (running totals)"),
    (HOLIDAY, "2026-03-03T16:00+00:00", "2026-03-05T10:00+00:00", 2, "across a holiday"),
    (HOLIDAY, "2026-03-02T09:00+00:00", "2026-03-09T09:00+00:00", 32, "a week with a holiday"),
    (AMS, "2026-03-02T08:00+00:00", "2026-03-02T16:00+00:00", 8, "09:00-17:00 CET is 08:00-16:00 UTC"),
    (AMS, "2026-03-02T16:30+00:00", "2026-03-03T08:30+00:00", 0.5, "17:30 CET is closed; 09:30 CET is open"),
    (
        AMS,
        "2026-03-27T15:00+00:00",
        "2026-03-30T08:00+00:00",
        2,
        "DST starts over the weekend: Monday 10:00 CEST is 08:00 UTC",
    ),
    (AMS, "2026-04-03T14:00+00:00", "2026-04-07T08:00+00:00", 2, "Easter Monday is a listed holiday"),
    (
        NIGHT_SHIFT,
        "2026-03-28T00:00+01:00",
        "2026-03-30T00:00+02:00",
        4 + 3,
        "the spring-forward night is short",
    ),
    (NIGHT_SHIFT, "2026-10-24T00:00+02:00", "2026-10-26T00:00+01:00", 4 + 5, "the fall-back night is long"),
    (
        NEW_YORK,
        "2026-03-06T22:30+00:00",
        "2026-03-09T14:30+00:00",
        2,
        "US DST: Monday 10:30 EDT is 14:30 UTC",
    ),
    (ALWAYS, "2026-03-06T16:00+00:00", "2026-03-09T10:00+00:00", 66, "24x7 counts every hour"),
    (ALWAYS, "2026-03-27T15:00+00:00", "2026-03-30T08:00+00:00", 65, "24x7 ignores DST: real elapsed time"),
    (UTC, "2026-03-02T15:00+00:00", "2026-03-02T10:00+00:00", 0, "an end before the start is no time"),
]


@pytest.mark.parametrize("cal,start,end,hours,why", ELAPSED, ids=[c[-1] for c in ELAPSED])
def test_elapsed(cal, start, end, hours, why):
    assert cal.elapsed(ts(start), ts(end)) == hours * H


ADD = [
    (UTC, "2026-03-02T15:00+00:00", 4, "2026-03-03T11:00+00:00", "rolls over the night"),
    (UTC, "2026-03-02T13:00+00:00", 4, "2026-03-02T17:00+00:00", "ends exactly at closing, not next morning"),
    (UTC, "2026-03-02T07:00+00:00", 1, "2026-03-02T10:00+00:00", "starts counting at opening"),
    (UTC, "2026-03-06T16:00+00:00", 2, "2026-03-09T10:00+00:00", "skips the weekend"),
    (UTC, "2026-03-07T12:00+00:00", 8, "2026-03-09T17:00+00:00", "from a Saturday"),
    (UTC, "2026-03-02T09:00+00:00", 40 * 3, "2026-03-20T17:00+00:00", "three working weeks"),
    (HOLIDAY, "2026-03-03T16:00+00:00", 2, "2026-03-05T10:00+00:00", "skips the holiday"),
    (AMS, "2026-03-27T15:00+00:00", 3, "2026-03-30T09:00+00:00", "lands after the DST change"),
    (ALWAYS, "2026-03-06T16:00+00:00", 8, "2026-03-07T00:00+00:00", "24x7 runs through the night"),
]


@pytest.mark.parametrize("cal,start,hours,due,why", ADD, ids=[c[-1] for c in ADD])
def test_add(cal, start, hours, due, why):
    assert cal.add(ts(start), hours * H) == ts(due)


def test_day_length_defines_a_business_day():
    assert UTC.day_length == 8 * H and UTC.week_length == 40 * H
    assert from_section({"hours": "08:30-12:00"}).business.day_length == 3.5 * H
    assert ALWAYS.day_length == 24 * H


def test_country_holidays_come_from_the_holidays_package():
    nl = from_section({"holidays": ["NL", "2026-03-04"]}).business
    # King's Day (27 April 2026, a Monday) and the listed Wednesday are both days off.
    assert nl.elapsed(ts("2026-04-27T00:00+00:00"), ts("2026-04-28T00:00+00:00")) == 0
    assert nl.elapsed(ts("2026-03-04T00:00+00:00"), ts("2026-03-05T00:00+00:00")) == 0
    assert nl.elapsed(ts("2026-04-28T00:00+00:00"), ts("2026-04-29T00:00+00:00")) == 8 * H


BAD = [
    ({"timezone": "Mars/Olympus"}, "calendar.timezone"),
    ({"hours": "17:00-09:00"}, "calendar.hours"),
    ({"hours": "9-5"}, "calendar.hours"),
    ({"weekdays": ["mon", "funday"]}, "calendar.weekdays"),
    ({"weekdays": []}, "calendar.weekdays"),
    ({"holidays": ["2026-02-30"]}, "calendar.holidays"),
    ({"holidays": ["christmas!"]}, "calendar.holidays"),
    ({"holidays": "XX"}, "calendar.holidays"),
    ({"at_risk": 1.5}, "calendar.at_risk"),
    ({"at_risk": "high"}, "calendar.at_risk"),
    ({"timezon": "UTC"}, "calendar.timezon"),
]


@pytest.mark.parametrize("section,key", BAD, ids=[k for _, k in BAD])
def test_bad_calendar_names_the_key(section, key):
    with pytest.raises(ConfigError) as info:
        from_section(section)
    assert info.value.key == key
    assert str(info.value).startswith(f"gitdesk.yml: {key}: ")


def test_from_config_reads_the_section_and_keeps_the_threshold():
    cals = from_config(from_mapping({"calendar": {"timezone": "Europe/Amsterdam", "at_risk": 0.5}}))
    assert cals.at_risk == 0.5
    assert cals.for_name("24x7") is cals.always and cals.for_name("business") is cals.business
    assert str(cals.business.tz) == "Europe/Amsterdam"


# -- properties -----------------------------------------------------------------------------
LO, HI = ts("2025-01-01T00:00+00:00"), ts("2027-12-31T00:00+00:00")
instants = st.integers(min_value=LO, max_value=HI)
CALENDARS = [
    UTC,
    HOLIDAY,
    AMS,
    NIGHT_SHIFT,
    NEW_YORK,
    ALWAYS,
    from_section({"timezone": "Europe/Amsterdam", "holidays": ["NL"]}).business,
]
calendars = st.sampled_from(CALENDARS)


@settings(max_examples=300, deadline=None)
@given(calendars, instants, instants, instants)
def test_business_time_never_runs_backwards(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert 0 <= cal.elapsed(a, b) <= cal.elapsed(a, c)
    assert cal.elapsed(b, c) <= cal.elapsed(a, c)
    assert cal.elapsed(a, c) <= c - a


@settings(max_examples=300, deadline=None)
@given(calendars, instants, instants, instants)
def test_splitting_an_interval_adds_up(cal, a, b, c):
    a, b, c = sorted((a, b, c))
    assert cal.elapsed(a, b) + cal.elapsed(b, c) == cal.elapsed(a, c)


@settings(max_examples=300, deadline=None)
@given(calendars, instants, st.integers(min_value=1, max_value=400 * H))
def test_add_is_the_inverse_of_elapsed(cal, start, seconds):
    due = cal.add(start, seconds)
    assert cal.elapsed(start, due) == seconds
    assert cal.elapsed(start, due - 1) < seconds  # and it is the earliest such instant
