"""Check-ins: which open tickets owe the customer news, and how overdue each one is.

The interval per priority is `priorities.Pn.checkin` in gitdesk.yml, counted from
the last outbound contact in that priority's calendar; `sla.checkin_due` is the one
place that rule lives (the site's "next update due" uses it too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gitdesk.core.duration import Duration
from gitdesk.core.lifecycle import OPEN
from gitdesk.core.ticket import iso
from gitdesk.errors import GitdeskError


@dataclass(frozen=True)
class CheckIn:
    ticket_id: str
    title: str
    priority: str
    status: str
    due: dt.datetime
    overdue: int  # seconds of the priority's calendar past due; negative = due in that many

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ticket_id,
            "title": self.title,
            "priority": self.priority,
            "status": self.status,
            "due": iso(self.due),
            "overdue_seconds": self.overdue,
        }


def due(desk: Any, now: dt.datetime, within: Duration | None = None) -> list[CheckIn]:
    """Open tickets whose check-in is due by now + `within`, most overdue first.

    Both `within` and how overdue a check-in is count in its priority's calendar, as the SLA
    does: on a business calendar '1d' is one working day ahead, and a check-in due on Friday
    at 17:00 is not overdue by the weekend.
    """
    from gitdesk.core.calendar import from_config

    config = desk.config
    calendars = from_config(config)
    at = int(now.timestamp())
    # per calendar (there are two): the horizon and the clock's running total now, counted once
    horizons = {}
    for name in {p.calendar for p in config.priorities.values()}:
        cal = calendars.for_name(name)
        horizons[name] = (cal, _until(cal, at, within), cal.cumulative(at))
    out = []
    for ticket_id, title, priority, status, when in desk.checkin_dues():  # counted once per ticket change
        spec = config.priorities.get(priority)
        if status not in OPEN or spec is None:
            continue
        cal, until, now_total = horizons[spec.calendar]
        if when > until:
            continue
        overdue = now_total - cal.cumulative(int(when))  # working seconds past due; negative = ahead
        out.append(CheckIn(ticket_id, title, priority, status, dt.datetime.fromtimestamp(when, dt.UTC), overdue))
    return sorted(out, key=lambda c: (-c.overdue, c.ticket_id))


def _until(cal: Any, at: int, within: Duration | None) -> float:
    """The last instant `--within` reaches in this calendar; past the calendar's 20-year horizon, every one."""
    if within is None:
        return at
    try:
        return cal.add(at, within.seconds(cal))  # type: ignore[no-any-return]
    except GitdeskError:  # `--within 10000d`: further ahead than any check-in can be
        return float("inf")
