"""cli/report_views.py: reports, SLA alerts, the priority table and the clock lines of `show`, as text."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from gitdesk.cli.report_views import (
    CSV_COLUMNS,
    alerts_table,
    clock_line,
    describe_clocks,
    priorities_text,
    report_csv,
    report_table,
    when,
)
from gitdesk.core.calendar import from_config, summary
from gitdesk.core.config import from_mapping
from gitdesk.core.priority_matrix import matrix
from gitdesk.core.reports import build_report
from gitdesk.core.sla import Clock

CONFIG = from_mapping({})  # the default desk: P3 is 1d / 5d / 2d on a 09:00-17:00 UTC calendar
HOUR = 3600


@pytest.fixture
def closed_report(desk, proposed, clock):
    """One P3 ticket, escalated once, resolved by grace, closed and surveyed; one P1 still open."""
    desk.assign(proposed, to="grace")
    desk.review(proposed, True, "carol")
    desk.close(proposed, "Rollers wear out", kb_slug="printer-rollers")
    desk.survey(proposed, 4, "yes", "too-long", improve="Call first")
    urgent = desk.open("Payroll down", {"name": "Ann", "email": "ann@example.com"})
    desk.prioritise(urgent.id, "P1")
    desk.escalate(urgent.id, "needs the payroll team")
    clock.advance(hours=1)
    return desk.report(by="priority", now=clock())


def test_an_empty_report_says_what_is_missing():
    report = build_report([], [], CONFIG, until="2026-03-31")
    lines = report_table(report).splitlines()
    assert lines[0] == "Report of everything up to 2026-03-31T00:00:00Z"
    opened = next(line for line in lines if line.startswith("opened"))
    assert opened.split() == ["opened", "0"]
    median = next(line for line in lines if line.startswith("resolution median h"))
    assert median.split()[-1] == "-"  # no figure, not a made-up zero
    assert "  nobody resolved a ticket in this window" in lines
    assert lines.count("    (no answers)") == 2


def test_report_table_has_a_column_per_group_and_formats_each_kind(closed_report):
    text = report_table(closed_report)
    lines = text.splitlines()
    assert lines[0].startswith("Report of everything up to ") and lines[0].endswith("  (by priority)")
    assert lines[2].split() == ["all", "P1", "P3"]
    assert next(line for line in lines if line.startswith("opened")).split()[1:] == ["2", "1", "1"]
    assert next(line for line in lines if line.startswith("closed (resolved)")).split()[2:] == ["1", "0", "1"]
    # a rate is a fraction shown as a percentage: one of two tickets escalated
    assert next(line for line in lines if line.startswith("escalation rate %")).split()[3:] == ["50.0", "100.0", "0.0"]
    assert "  grace                   1 closed   median " in text
    assert "  responses 1, mean score 4" in text
    assert "Was the time to resolve adequate?     adequate 0  too long 1" in text
    assert f"    - {closed_report['satisfaction']['improve'][0]['ticket']}: Call first" in text


def test_report_table_names_its_window():
    report = build_report([], [], CONFIG, since="2026-03-01", until="2026-03-31")
    assert report_table(report).splitlines()[0] == "Report from 2026-03-01T00:00:00Z to 2026-03-31T00:00:00Z"


def test_report_csv_rows_line_up_with_the_header(closed_report):
    rows = list(csv.reader(io.StringIO(report_csv(closed_report))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ["all", "P1", "P3"]
    assert all(len(r) == len(CSV_COLUMNS) for r in rows)
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert (row["opened"], row["closed"], row["open"], row["score_4"], row["time_too_long"]) == (
        "2",
        "1",
        "1",
        "1",
        "1",
    )
    p1 = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert p1["resolution_median_hours"] == ""  # None is an empty cell, not "None"


def alert(**fields):
    base = {"id": "HD-1", "priority": "P1", "clock": "response", "state": "breached", "used_pct": 250.0}
    return {**base, "left_seconds": -90 * 60, "due": "2026-03-02T10:00:00Z", "title": "Payroll down", **fields}


def test_alerts_table_says_left_or_over_and_paused():
    assert alerts_table([], "2026-03-02T12:00:00Z") == "no tickets at risk or breached at 2026-03-02T12:00:00Z"
    head, over, left, paused = alerts_table(
        [alert(), alert(id="HD-2", state="at-risk", used_pct=85.0, left_seconds=600), alert(id="HD-3", due=None)],
        "now",
    ).splitlines()
    assert head.split()[:3] == ["ID", "PRI", "CLOCK"]
    assert over.split() == [
        "HD-1",
        "P1",
        "response",
        "breached",
        "250%",
        "1h30m",
        "over",
        "2026-03-02",
        "10:00",
        "Payroll",
        "down",
    ]
    assert "  85%" in left and "10m left" in left
    assert "  paused  " in paused


def test_priorities_text_lists_targets_calendar_and_the_matrix():
    rows = [
        {
            "priority": "P1",
            "criteria": "business failure",
            "response": "1h",
            "resolution": "8h",
            "checkin": "2h",
            "calendar": "24x7",
        }
    ]
    text = priorities_text(rows, summary(CONFIG), matrix(CONFIG))
    lines = text.splitlines()
    assert lines[1].split() == ["P1", "business", "failure", "1h", "8h", "2h", "24x7"]
    assert "Business hours: 09:00-17:00 UTC, mon, tue, wed, thu, fri; holidays: none." in text
    assert "One business day (1d) = 8h of working time." in text and "At risk once 80 % of a target" in text
    assert lines[-4].split() == ["impact", "\\", "urgency", "high", "medium", "low"]
    assert [line.split() for line in lines[-3:]] == [
        ["high", "P1", "P2", "P3"],
        ["medium", "P2", "P3", "P4"],
        ["low", "P3", "P4", "P4"],
    ]


def clock(kind="response", state="running", used=2 * HOUR, target=8 * HOUR, due=None):
    return Clock(kind, target, used, state, due, None, "business")


@pytest.mark.parametrize(
    ("c", "now", "line"),
    [
        (clock(state="met", used=3 * HOUR), 0, "  response    met after 3h (target 1d)"),
        (clock(state="breached", used=10 * HOUR), 0, "  response    breached: took 10h (target 1d, 2h over)"),
        (clock(state="paused"), 0, "  response    paused, 2h of 1d used (25 %), paused while waiting on the customer"),
        (clock(kind="resolution", due=None), 0, "  resolution  running, 2h of 5d used (25 %)"),
        (clock(kind="checkin", state="paused"), 0, "  check-in    paused while waiting on the customer"),
        (clock(kind="checkin", due=5000), 1400, "  check-in    due in 1h"),
        (clock(kind="checkin", due=5000), 8600, "  check-in    overdue by 1h"),
        (clock(kind="checkin", state="stopped"), 0, "  check-in    stopped"),
    ],
)
def test_clock_line_in_words(c, now, line):
    assert clock_line(c, CONFIG, "P3", now, from_config(CONFIG)) == line


def test_clock_line_gives_the_due_time_in_the_desks_zone():
    config = from_mapping({"calendar": {"timezone": "Europe/Amsterdam"}})
    due = 1772445600  # 2026-03-02 10:00 UTC
    assert when(due, from_config(config)) == "2026-03-02 11:00 CET"
    running = clock(due=due)
    assert clock_line(running, config, "P3", 0, from_config(config)).endswith(", due 2026-03-02 11:00 CET")
    late = clock(due=due, used=9 * HOUR)
    assert clock_line(late, config, "P3", 0, from_config(config)).endswith(", was due 2026-03-02 11:00 CET")


def test_describe_clocks_needs_a_priority_then_gives_one_line_per_clock(desk):
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    assert describe_clocks(desk, t) == ["  sla         no clocks until the ticket has a priority"]
    t = desk.prioritise(t.id, "P2")
    lines = describe_clocks(desk, t)
    assert [line.split()[0] for line in lines] == ["response", "resolution", "check-in"]
    assert lines[0].startswith("  response    running, 0m of 4h used (0 %)")


def test_a_due_time_past_the_calendar_is_said_in_words_not_a_traceback():
    """A ticket created 9999-12-31T23:30Z (validate accepts it) is due in the year 10000: `show` still shows it."""
    config = from_mapping({"calendar": {"timezone": "Europe/Madrid"}})
    last = int(dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC).timestamp())
    assert when(last, from_config(config)) == "after 9999-12-31"
    assert when(last + 3600, from_config(config)) == "after 9999-12-31"
    assert when(last - 86400, from_config(config)) == "9999-12-31 00:30 CET"
    first = int(dt.datetime(1, 1, 1, tzinfo=dt.UTC).timestamp())
    assert when(first, from_config(from_mapping({"calendar": {"timezone": "America/New_York"}}))) == "before 0001-01-01"
    assert clock_line(clock(due=last + 3600), config, "P3", 0, from_config(config)).endswith(", due after 9999-12-31")
