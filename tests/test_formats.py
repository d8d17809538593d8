"""i18n/formats.py: the locale's numbers and the units a duration reads in."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.i18n import formats


@pytest.mark.parametrize(
    "seconds, day, week, expected",
    [
        (4 * 3600, 86400, 604800, (4, "hour")),
        (2 * 86400, 86400, 604800, (2, "day")),
        (604800, 86400, 604800, (1, "week")),
        (12 * 3600, 8 * 3600, 40 * 3600, (12, "hour")),  # 1.5 business days: no whole day
        (16 * 3600, 8 * 3600, 40 * 3600, (2, "day")),
        (80 * 3600, 8 * 3600, 40 * 3600, (2, "week")),
        (90 * 60, 86400, 604800, (90, "minute")),
        (20, 86400, 604800, (1, "minute")),
    ],
)
def test_duration_unit(seconds, day, week, expected):
    assert formats.duration_unit(seconds, day, week) == expected


def test_numbers_follow_the_locale():
    assert formats.number(2.5, "en") == "2.5" and formats.number(2.5, "es") == "2,5"
    assert formats.number(1234, "en", 0) == "1,234"
    assert formats.percent(12.5, "en") == "12.5\u00a0%"


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 1, 1)),
    st.sampled_from(["en", "es", "ca"]),
    st.sampled_from(["UTC", "Europe/Madrid", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]),
    st.booleans(),
)
def test_a_time_reads_as_babel_writes_the_whole_moment(naive, language, timezone, long):
    """`when` formats the day and the clock apart (each remembered); together they are Babel's own."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_date, format_skeleton, format_time

    moment = naive.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone))
    day = format_date(moment, "full", locale=language) if long else format_skeleton("yMMMEd", moment, locale=language)
    expected = f"{day}, {format_time(moment, 'HH:mm', locale=language)} {moment.tzname()}"
    assert formats.when(naive.strftime("%Y-%m-%dT%H:%M:%SZ"), language, timezone, long) == expected


@pytest.mark.parametrize("language", ["en", "es", "ca"])
def test_a_count_reads_as_babel_writes_it(language):
    from babel.numbers import format_decimal

    for value in (0, 7, 1234, 1234567, -42):
        assert formats.number(value, language, 0) == format_decimal(value, "#,##0", locale=language)
    assert formats.number(1234.5, language, 1) == format_decimal(1234.5, "#,##0.0", locale=language)


@pytest.mark.parametrize(
    ("stamp", "timezone"),
    [
        ("9999-12-31T23:30:00Z", "Europe/Madrid"),  # already the year 10000 there
        ("9999-12-31T23:30:00Z", "Pacific/Kiritimati"),
        ("0001-01-01T00:00:00Z", "America/New_York"),  # still the year 0 there
    ],
)
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_moment_past_the_calendar_in_the_zone_reads_as_its_stamp(stamp, timezone, language):
    """A hand-edited ticket `gitdesk validate` accepts must not stop the site build with a traceback."""
    assert formats.when(stamp, language, timezone) == stamp
    assert formats.when(stamp, language, timezone, long=True) == stamp
    assert formats.day(stamp, language, timezone) == stamp
    assert formats.when(stamp, language, "UTC").endswith(" UTC")  # in UTC it is a date like any other
