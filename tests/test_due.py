"""`gitdesk due`: check-ins due or overdue, counted from the last outbound contact."""

from __future__ import annotations

import json


def _ticket(desk, title, priority):
    t = desk.open(title, {"name": "Bob", "email": "bob@example.com"})
    desk.prioritise(t.id, priority)
    desk.start(t.id)
    return t.id


def test_due_lists_overdue_first_and_resets_on_outbound_contact(desk, clock, cli_invoke):
    p1 = _ticket(desk, "Site down", "P1")  # check-in every 2h, 24x7
    p4 = _ticket(desk, "Plan a move", "P4")  # every 5 business days
    assert "no check-ins due" in cli_invoke("due").output
    clock.advance(hours=3)
    rows = json.loads(cli_invoke("due", "--json").stdout)
    assert [r["id"] for r in rows] == [p1]
    assert rows[0]["overdue_seconds"] == 3600
    assert "overdue by 1h" in cli_invoke("due").output
    desk.contact(p1, "phone", "Told them we are on it")
    assert json.loads(cli_invoke("due", "--json").stdout) == []
    soon = json.loads(cli_invoke("due", "--within", "2h", "--json").stdout)
    assert [r["id"] for r in soon] == [p1] and soon[0]["overdue_seconds"] == -7200
    assert p4 not in [r["id"] for r in soon]


def test_inbound_contact_does_not_reset_the_clock(desk, clock, cli_invoke):
    p1 = _ticket(desk, "Site down", "P1")
    clock.advance(hours=3)
    desk.contact(p1, "email", "Customer asks for news", inbound=True)
    assert [r["id"] for r in json.loads(cli_invoke("due", "--json").stdout)] == [p1]


def test_bad_within_is_a_one_line_error(cli_invoke, desk_root):
    result = cli_invoke("due", "--within", "soon", ok=False)
    assert result.exit_code == 2 and "--within" in result.output and "Traceback" not in result.output


def test_a_new_checkin_interval_is_counted_at_once(desk, desk_root, clock, cli_invoke):
    """The index keeps counted check-ins per calendar and targets: changing gitdesk.yml must not serve old ones."""
    p1 = _ticket(desk, "Site down", "P1")
    clock.advance(hours=3)
    assert [r["overdue_seconds"] for r in json.loads(cli_invoke("due", "--json").stdout)] == [3600]
    config = desk_root / "gitdesk.yml"
    text = config.read_text(encoding="utf-8")
    assert "checkin: 2h, calendar: 24x7" in text
    config.write_text(text.replace("checkin: 2h, calendar: 24x7", "checkin: 1h, calendar: 24x7"), encoding="utf-8")
    rows = json.loads(cli_invoke("due", "--json").stdout)
    assert [(r["id"], r["overdue_seconds"]) for r in rows] == [(p1, 7200)]


def test_due_counts_in_the_priorities_calendar_as_the_sla_does(desk, clock, cli_invoke):
    """P2 checks in every business day (8 working hours), P3 every two: the weekend does not count."""
    import datetime as dt

    clock.set(dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.UTC))  # a Friday, 09:00
    p2 = _ticket(desk, "Printer queue stuck", "P2")  # due Friday 17:00
    p3 = _ticket(desk, "New monitor", "P3")  # due Monday 17:00
    # one working day ahead ends Friday 17:00; two end Monday 17:00 (a calendar's 48 hours: Sunday 09:00)
    assert [r["id"] for r in json.loads(cli_invoke("due", "--within", "1d", "--json").stdout)] == [p2]
    ahead = json.loads(cli_invoke("due", "--within", "2d", "--json").stdout)
    assert [(r["id"], r["overdue_seconds"]) for r in ahead] == [(p2, -8 * 3600), (p3, -16 * 3600)]
    clock.set(dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC))  # Monday 10:00: 65 hours later, 1 working hour
    rows = json.loads(cli_invoke("due", "--json").stdout)
    assert [(r["id"], r["overdue_seconds"]) for r in rows] == [(p2, 3600)]
    assert "overdue by 1h " in cli_invoke("due").output


def test_a_within_past_the_calendar_horizon_lists_every_checkin(desk, clock, cli_invoke):
    """`--within 10000d` (business days: decades) means everything, not a broken-calendar error."""
    p4 = _ticket(desk, "Plan a move", "P4")  # every 5 business days
    rows = json.loads(cli_invoke("due", "--within", "10000d", "--json").stdout)
    assert [r["id"] for r in rows] == [p4]
