"""Metrics over a desk: volumes, response and resolution times, SLA compliance, rates and satisfaction.

`build_report` is the one implementation; `gitdesk report` and the site's metrics page both
call it. It is deterministic: the same tickets and surveys give the same figures, because
everything is sorted and "now" is passed in (by default the latest instant in the data),
never read from the wall clock. Definitions are in docs/sla.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from gitdesk.core import survey as survey_format
from gitdesk.core.calendar import from_config
from gitdesk.core.lifecycle import OPEN, WITHOUT_CLOCKS
from gitdesk.core.sla import Facts, budget, epoch, usage
from gitdesk.core.ticket import PRIORITIES, Ticket, iso
from gitdesk.errors import UsageError

GROUP_KEYS = ("priority", "queue", "tier", "assignee")
UNSET = "(none)"
_GROUPERS: dict[str, Callable[[Facts], str]] = {
    "priority": lambda f: f.priority or UNSET,
    "queue": lambda f: f.queue or UNSET,
    "tier": lambda f: str(f.tier),
    "assignee": lambda f: f.assignee or UNSET,
}


# -- loading ------------------------------------------------------------------------------
load_surveys = survey_format.load_all  # every survey record under surveys/, sorted by ticket


def as_facts(items: Iterable[Ticket | Facts]) -> list[Facts]:
    return sorted((i if isinstance(i, Facts) else Facts.of(i) for i in items), key=lambda f: f.id)


def parse_day(value: Any, option: str) -> int | None:
    """--since/--until: a date (midnight UTC) or a full ISO 8601 instant."""
    if value in (None, ""):
        return None
    try:
        return epoch(value)
    except (ValueError, TypeError):
        raise UsageError(f"{option}: '{value}' is not a date (YYYY-MM-DD) or ISO 8601 time") from None


# -- small statistics, defined once so the docs can state them ---------------------------------
def median_hours(seconds: list[int]) -> float | None:
    return round(statistics.median(seconds) / 3600, 2) if seconds else None


def p90_hours(seconds: list[int]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value at or above 90 % of the values."""
    if not seconds:
        return None
    ordered = sorted(seconds)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1] / 3600, 2)


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def iso_week(instant: int) -> str:
    return _week_of_day(instant // 86400)


@functools.lru_cache(maxsize=4096)
def _week_of_day(day: int) -> str:
    year, week, _ = dt.date.fromordinal(day + _EPOCH_ORDINAL).isocalendar()
    return f"{year}-W{week:02d}"


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_status = operator.itemgetter(1)


# -- per-ticket rows -------------------------------------------------------------------------
class Clocked:
    """One clock of one ticket as a report sees it: time used, whether it stopped, its target."""

    __slots__ = ("used", "stopped", "target")

    def __init__(self, used: int, stopped: bool, target: int) -> None:
        self.used, self.stopped, self.target = used, stopped, target

    @property
    def breached(self) -> bool:
        return self.used > self.target


class Row:
    """One ticket's figures as of the report's end, computed once and shared by every group."""

    __slots__ = (
        "facts",
        "opened",
        "resolved",
        "resolved_at",
        "is_open",
        "response",
        "resolution",
        "ever_resolved",
    )

    def __init__(self, facts: Facts, plan: dict[str, tuple[Any, int, int]], end: int, since: int | None) -> None:
        f = facts.as_of(end)
        self.facts = f
        self.opened = since is None or f.created >= since
        self.resolved_at = resolved_at = f.resolved_at
        self.resolved = resolved_at is not None and (since is None or resolved_at >= since)
        self.is_open = f.status in OPEN
        self.ever_resolved = "resolved" in map(_status, f.changes)
        self.response: Clocked | None = None
        self.resolution: Clocked | None = None
        if f.priority not in plan:
            return
        # Same rules as sla.clocks (which `show` and `sla` use), on the lean path: see sla.usage.
        cal, response_target, resolution_target = plan[f.priority]
        response, _, resolution, resolution_stop = usage(f, cal, end, resolved_at)
        if f.touches or self.is_open:
            self.response = Clocked(response, bool(f.touches), response_target)
        if f.status not in WITHOUT_CLOCKS:
            self.resolution = Clocked(resolution, resolution_stop is not None, resolution_target)


def _rows(facts: list[Facts], config: Any, since: int | None, end: int) -> list[Row]:
    calendars = from_config(config)
    plan = {
        name: (
            calendars.for_name(p.calendar),
            budget(config, name, "response", calendars),
            budget(config, name, "resolution", calendars),
        )
        for name, p in config.priorities.items()
    }
    return [Row(f, plan, end, since) for f in facts if f.created <= end]


# -- the figures ----------------------------------------------------------------------------
def _times(rows: list[Row]) -> dict[str, Any]:
    responded = [r.response.used for r in rows if r.opened and r.response and r.response.stopped]
    resolved = [r for r in rows if r.resolved and r.resolution]
    by_priority = {}
    for name in PRIORITIES:
        used = [r.resolution.used for r in resolved if r.facts.priority == name]  # type: ignore[union-attr]
        by_priority[name] = {
            "count": len(used),
            "median_hours": median_hours(used),
            "p90_hours": p90_hours(used),
        }
    spent = [r.resolution.used for r in resolved]  # type: ignore[union-attr]
    return {
        "first_response": {
            "count": len(responded),
            "median_hours": median_hours(responded),
            "p90_hours": p90_hours(responded),
        },
        "resolution": {
            "count": len(spent),
            "median_hours": median_hours(spent),
            "p90_hours": p90_hours(spent),
        },
        "resolution_by_priority": by_priority,
    }


def _compliance(rows: list[Row]) -> dict[str, Any]:
    """Only clocks whose outcome is known count: stopped ones, and running ones already over."""
    resp = [r.response for r in rows if r.opened and r.response and (r.response.stopped or r.response.breached)]
    reso = [
        r.resolution
        for r in rows
        if r.resolution
        and ((r.resolved and r.resolution.stopped) or (r.opened and r.is_open and r.resolution.breached))
    ]
    return {
        "response_pct": pct(sum(not c.breached for c in resp), len(resp)),  # type: ignore[union-attr]
        "resolution_pct": pct(sum(not c.breached for c in reso), len(reso)),  # type: ignore[union-attr]
        "response_count": len(resp),
        "resolution_count": len(reso),
    }


def _volume(rows: list[Row]) -> list[dict[str, Any]]:
    weeks: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        if r.opened:
            weeks[iso_week(r.facts.created)][0] += 1
        if r.resolved:
            weeks[iso_week(r.resolved_at)][1] += 1  # type: ignore[arg-type]
    return [{"week": w, "opened": o, "closed": c} for w, (o, c) in sorted(weeks.items())]


def _technicians(rows: list[Row]) -> list[dict[str, Any]]:
    done: dict[str, list[int]] = defaultdict(list)
    count: Counter[str] = Counter()
    for r in rows:
        if r.resolved:
            who = r.facts.assignee or UNSET
            count[who] += 1
            if r.resolution:
                done[who].append(r.resolution.used)
    return [
        {"assignee": who, "closed": count[who], "median_resolution_hours": median_hours(done[who])}
        for who in sorted(count)
    ]


def satisfaction(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Every survey question with its answers, and the free-text comments, oldest first."""
    scores = [r["score"] for r in records if isinstance(r.get("score"), int) and 1 <= r["score"] <= 5]
    dist = Counter(str(s) for s in scores)
    right = Counter(str(r.get("right_questions")) for r in records)
    time = Counter(str(r.get("time")) for r in records)
    ordered = sorted(records, key=lambda r: (str(r.get("at", "")), str(r.get("ticket", ""))))

    def texts(key: str) -> list[dict[str, str]]:
        return [
            {"ticket": str(r.get("ticket", "")), "at": str(r.get("at", "")), "text": str(r[key]).strip()}
            for r in ordered
            if str(r.get(key) or "").strip()
        ]

    return {
        "responses": len(records),
        "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
        "distribution": {str(n): dist.get(str(n), 0) for n in range(1, 6)},
        "questions": {
            "right_questions": {a: right.get(a, 0) for a in survey_format.YES_NO},
            "time": {a: time.get(a, 0) for a in survey_format.TIME_ANSWERS},
        },
        "improve": texts("improve"),
        "comments": texts("comment"),
    }


def _figures(rows: list[Row], records: list[dict[str, Any]]) -> dict[str, Any]:
    opened = [r for r in rows if r.opened]
    ever_resolved = [r for r in opened if r.ever_resolved]
    figures: dict[str, Any] = {
        "counts": {
            "opened": len(opened),
            "closed": sum(r.resolved for r in rows),
            "open": sum(r.is_open for r in rows),
            "cancelled": sum(r.opened and r.facts.status == "cancelled" for r in rows),
        },
        **_times(rows),
        "escalation_rate": rate(sum(r.facts.escalations > 0 for r in opened), len(opened)),
        "reopen_rate": rate(sum(r.facts.reopens > 0 for r in ever_resolved), len(ever_resolved)),
        "sla_compliance": _compliance(rows),
        "volume": _volume(rows),
        "satisfaction": satisfaction(records),
        "technicians": _technicians(rows),
    }
    return figures


def _in_window(record: dict[str, Any], since: int | None, end: int) -> bool:
    try:
        at = epoch(record.get("at"))
    except (ValueError, TypeError):
        return since is None  # an undated answer belongs to "all time" only
    return (since is None or at >= since) and at <= end


def latest_instant(facts: list[Facts]) -> int:
    return max((f.changes[-1][0] for f in facts), default=0)


def build_report(
    tickets: Iterable[Ticket | Facts],
    surveys: Iterable[dict[str, Any]],
    config: Any,
    since: Any = None,
    until: Any = None,
    by: str | None = None,
    now: Any = None,
) -> dict[str, Any]:
    """The figures for tickets opened, resolved or open within [since, until].

    `since`/`until`/`now` are ISO strings, datetimes or POSIX seconds; `now` defaults to the
    latest event in the data, so the same desk always gives the same report.
    """
    if by is not None and by not in GROUP_KEYS:
        raise UsageError(f"--by: '{by}' is not one of {', '.join(GROUP_KEYS)}")
    facts = as_facts(tickets)
    start = _instant(since, "--since")
    stop = _instant(until, "--until")
    end = _instant(now, "now")
    end = (latest_instant(facts) if end is None else end) if stop is None else stop
    if start is not None and start > end:
        raise UsageError("--since is after --until")
    rows = _rows(facts, config, start, end)
    records = [r for r in surveys if _in_window(r, start, end)]
    report: dict[str, Any] = {
        "window": {"since": _stamp(start), "until": _stamp(end)},
        **_figures(rows, records),
    }
    if by:
        key = _GROUPERS[by]
        members: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            members[key(row.facts)].append(row)
        group_of = {row.facts.id: name for name, group in members.items() for row in group}
        report["by"] = by
        report["groups"] = {
            name: _figures(members[name], [r for r in records if group_of.get(str(r.get("ticket"))) == name])
            for name in sorted(members)
        }
    return report


def _instant(value: Any, option: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return parse_day(value, option)


def _stamp(instant: int | None) -> str | None:
    return None if instant is None else iso(instant)


__all__ = ["build_report", "load_surveys", "satisfaction", "budget", "GROUP_KEYS"]
