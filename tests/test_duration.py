"""core/duration.py: one duration rule for the SLA, `due`, the site's promise and intake's settings."""

from __future__ import annotations

import pytest

from gitdesk.core.calendar import from_config
from gitdesk.core.config import from_mapping, parse_duration
from gitdesk.core.duration import Duration, duration_text, parse
from gitdesk.core.sla import budget
from gitdesk.errors import ConfigError

NINE_TO_FIVE = from_mapping({"calendar": {"hours": "09:00-17:00"}})


@pytest.mark.parametrize(
    "text, business, wall",
    [
        ("30m", 1800, 1800),
        ("4h", 4 * 3600, 4 * 3600),
        ("1d", 8 * 3600, 86400),  # a business day is its working hours
        ("1.5d", 12 * 3600, 36 * 3600),
        ("1w", 40 * 3600, 7 * 86400),
        (5400, 5400, 5400),  # a bare number is seconds
    ],
)
def test_a_day_is_the_calendars_day(text, business, wall):
    cal = from_config(NINE_TO_FIVE).business
    assert parse(text, "k").seconds(cal) == business
    assert parse(text, "k").seconds() == wall == parse_duration(text, "k")


@pytest.mark.parametrize("bad", ["soon", "0h", "-1d", "1y", True, "", "1.5"])
def test_bad_durations_name_their_key(bad):
    with pytest.raises(ConfigError) as err:
        parse(bad, "priorities.P2.checkin")
    assert "priorities.P2.checkin" in str(err.value) and "30m, 4h, 2d, 1w" in str(err.value)


def test_the_sla_budget_and_the_config_agree():
    config = from_mapping(
        {
            "calendar": {"hours": "09:00-17:00"},
            "priorities": {
                "P1": {"criteria": "a", "response": "1h", "resolution": "8h", "checkin": "2h", "calendar": "24x7"},
                "P2": {"criteria": "b", "response": "4h", "resolution": "1.5d", "checkin": "1d"},
                "P3": {"criteria": "c", "response": "1d", "resolution": "5d", "checkin": "2d"},
                "P4": {"criteria": "d", "response": "2d", "resolution": "1w", "checkin": "5d"},
            },
        }
    )
    assert (
        config.priorities["P2"].resolution == Duration(1.5, "d") and str(config.priorities["P2"].resolution) == "1.5d"
    )
    assert budget(config, "P2", "resolution") == 12 * 3600
    assert budget(config, "P1", "resolution") == 8 * 3600
    assert budget(config, "P4", "resolution") == 40 * 3600


def test_the_sites_promise_says_what_the_sla_counts():
    """'1.5d' of business time is 12 working hours: the promise must not read '36 hours'."""
    from gitdesk.i18n import translator
    from gitdesk.site.customer import promise

    raw = {"criteria": "b", "response": "4h", "resolution": "1.5d", "checkin": "1d"}
    config = from_mapping(
        {
            "calendar": {"hours": "09:00-17:00"},
            "priorities": {
                "P1": {"criteria": "a", "response": "1h", "resolution": "2d", "checkin": "2h", "calendar": "24x7"},
                "P2": raw,
                "P3": {**raw, "resolution": "2d"},
                "P4": {**raw, "resolution": "1w"},
            },
        }
    )
    en = translator("en")
    assert promise(config, "P2", en)["resolution"] == "12 hours"
    assert "counted in business hours" in promise(config, "P2", en)["text"]
    assert promise(config, "P3", en)["resolution"] == "2 business days"
    assert promise(config, "P4", en)["resolution"] == "1 working week"
    assert promise(config, "P1", en)["resolution"] == "2 days"  # around the clock, a day is 24 hours


@pytest.mark.parametrize(
    "seconds, text", [(0, "0m"), (45 * 60, "45m"), (7800, "2h10m"), (26 * 3600, "26h"), (-3600, "1h")]
)
def test_duration_text_reads_in_hours(seconds, text):
    assert duration_text(seconds) == text
