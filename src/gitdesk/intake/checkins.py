"""Check-ins: which open tickets owe the customer news, and how overdue each one is.

The interval per priority is `priorities.Pn.checkin` in gitdesk.yml, counted from
the last outbound contact in that priority's calendar; `sla.checkin_due` is the one
place that rule lives (the site's "next update due" uses it too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gitdesk.core.lifecycle import OPEN


@dataclass(frozen=True)
class CheckIn:
    ticket_id: str
    title: str
    priority: str
    status: str
    due: dt.datetime
    overdue: int  # seconds past due; negative = due in that many seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.ticket_id,
            "title": self.title,
            "priority": self.priority,
            "status": self.status,
            "due": self.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "overdue_seconds": self.overdue,
        }


def due(desk: Any, now: dt.datetime, within: int = 0) -> list[CheckIn]:
    """Open tickets whose check-in is due by now + `within` seconds, most overdue first."""
    until = (now + dt.timedelta(seconds=within)).timestamp()
    out = []
    for ticket_id, title, priority, status, when in desk.checkin_dues():  # counted once per ticket change
        if status not in OPEN or when > until:
            continue
        instant = dt.datetime.fromtimestamp(when, dt.UTC)
        out.append(CheckIn(ticket_id, title, priority, status, instant, int((now - instant).total_seconds())))
    return sorted(out, key=lambda c: (-c.overdue, c.ticket_id))


def duration_text(seconds: int) -> str:
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{minutes}m" if minutes and not days else ""]
    return " ".join(p for p in parts if p) or "0m"
