"""i18n/formats.py: the locale's numbers and the units a duration reads in."""

from __future__ import annotations

import pytest

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
