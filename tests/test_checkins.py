"""intake/checkins.py: which open tickets owe the customer news, most overdue first.

`gitdesk due` (its words, calendars across a weekend, --within past the horizon) is in test_due.py;
here `due` is called directly for what it keeps out and how it orders.
"""

from __future__ import annotations

import datetime as dt

from gitdesk.core.duration import parse as duration
from gitdesk.intake.checkins import CheckIn, due

BOB = {"name": "Bob", "email": "bob@example.com"}


def started(desk, title: str, priority: str) -> str:
    t = desk.open(title, BOB)
    desk.prioritise(t.id, priority)
    desk.start(t.id)
    return t.id


def test_a_checkin_due_exactly_now_is_due_and_one_a_second_later_is_not(desk, clock):
    p1 = started(desk, "Site down", "P1")  # every 2h, 24x7
    clock.advance(hours=2)
    [row] = due(desk, clock.now)
    assert (row.ticket_id, row.overdue, row.due) == (p1, 0, clock.now)
    assert due(desk, clock.now - dt.timedelta(seconds=1)) == []


def test_most_overdue_first_then_by_id(desk, clock):
    a = started(desk, "Site down", "P1")
    b = started(desk, "Mail down", "P1")
    clock.advance(hours=1)
    c = started(desk, "VPN down", "P1")
    clock.advance(hours=3)
    rows = due(desk, clock.now)
    assert [r.ticket_id for r in rows] == [*sorted([a, b]), c]
    assert [r.overdue for r in rows] == [7200, 7200, 3600]


def test_within_looks_ahead_and_counts_negative_overdue(desk, clock):
    p1 = started(desk, "Site down", "P1")
    assert due(desk, clock.now) == []
    [row] = due(desk, clock.now, duration("2h", "--within"))
    assert (row.ticket_id, row.overdue) == (p1, -7200)
    assert due(desk, clock.now, duration("1h", "--within")) == []


def test_tickets_owing_nothing_are_left_out(desk, clock):
    waiting = started(desk, "Which model?", "P1")
    desk.wait(waiting, "Which printer model is it?")  # the ball is in the customer's court
    untriaged = desk.open("No priority yet", BOB)
    resolved = started(desk, "Fixed", "P1")
    desk.propose(resolved, "Restarted it")
    desk.review(resolved, True, "lead")
    cancelled = started(desk, "Never mind", "P1")
    desk.cancel(cancelled, "asked by the customer")
    open_one = started(desk, "Still down", "P1")
    clock.advance(days=3)
    ids = [r.ticket_id for r in due(desk, clock.now)]
    assert open_one in ids
    assert not {waiting, untriaged.id, resolved, cancelled} & set(ids)


def test_to_json_is_the_row_the_cli_prints():
    row = CheckIn("HD-1", "Site down", "P1", "in_progress", dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC), 60)
    assert row.to_json() == {
        "id": "HD-1",
        "title": "Site down",
        "priority": "P1",
        "status": "in_progress",
        "due": "2026-03-02T11:00:00Z",
        "overdue_seconds": 60,
    }
