"""SLA clocks computed from a ticket's history: first response, resolution and customer check-in.

The rules (docs/sla.md says the same in prose):
- Every clock starts when the ticket is opened and counts time in the priority's calendar.
- The clocks run while the ticket is open and not `waiting`; waiting on the customer pauses them.
- First response is the first *customer touch*: an outbound contact, a `wait` (a question to the
  customer) or a `propose` (a solution sent for review). Notes, assigning and escalating are internal,
  and an automatic contact (`auto: true`, the emailed acknowledgement) is no response.
- Resolution stops when the ticket reaches `resolved`; a reopen resumes it where it stopped.
- The check-in clock restarts at every customer touch.
- The targets are those of the ticket's current priority; an unprioritised ticket has no clocks.

Pure: the renderings for `show` live with the CLI (`cli/report_views.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from gitdesk.core.calendar import Calendar, Calendars, from_config
from gitdesk.core.lifecycle import OPEN, RESOLVED, WITHOUT_CLOCKS, move_name
from gitdesk.core.ticket import Ticket, iso, parse_time
from gitdesk.errors import MalformedTicket

TOUCHES = frozenset({"contact:outbound", "wait", "propose", "resolve"})  # resolve: the quick one tells them
PAUSED = frozenset({"waiting"})
RUNNING = frozenset(OPEN - PAUSED)
KINDS = ("response", "resolution", "checkin")

State = Literal["met", "breached", "running", "paused", "stopped"]


def epoch(value: Any, field: str = "time") -> int:
    """Seconds since 1970; a value that is no time raises ValueError naming `field`."""
    try:
        return int(parse_time(value).timestamp())
    except (ValueError, TypeError, OverflowError):
        raise ValueError(f"{field}: {str(value)!r} is not a UTC time like 2026-03-02T09:00:00Z") from None


class Facts(NamedTuple):
    """What the clocks and reports need of one ticket; small, picklable, config-independent."""

    id: str
    title: str
    priority: str
    queue: str
    tier: int
    assignee: str
    status: str
    created: int
    changes: tuple[tuple[int, str], ...]  # (instant, status entered), the first is the opening
    touches: tuple[int, ...]  # instants of customer touches, in order
    escalations: int
    reopens: int
    # Spans in which the clocks run (consecutive running statuses merged; None: still running).
    # Derived from `changes`, kept so a report does one calendar lookup per span, not per event.
    blocks: tuple[tuple[int, int | None], ...] = ()

    @classmethod
    def of(cls, t: Ticket) -> Facts:
        try:
            return cls._of(t)
        except (ValueError, TypeError, OverflowError) as exc:
            raise MalformedTicket(t.path or t.id, None, str(exc)) from None

    @classmethod
    def _of(cls, t: Ticket) -> Facts:
        opened = t.meta.get("created") or (t.history[0].get("at") if t.history else None)
        created = epoch(opened, "created") if opened else 0
        changes: list[tuple[int, str]] = [(created, "new")]
        touches: list[int] = []
        escalations = reopens = 0
        for n, event in enumerate(t.history):
            at = epoch(event["at"], f"history[{n}].at") if event.get("at") else changes[-1][0]
            at = max(at, changes[-1][0])  # hand-edited histories never make time run backwards
            name = move_name(event)
            to = str(event.get("to") or changes[-1][1])
            if name == "open":
                changes[0] = (at, to)
                if event.get("requested"):  # a split child: its clocks started when the customer asked
                    asked = min(epoch(event["requested"], f"history[{n}].requested"), at)
                    changes[0:1] = [(asked, "new"), (at, to)] if to != "new" else [(asked, "new")]
                if event.get("responded"):  # ... and its first response is the parent's
                    touches.append(min(epoch(event["responded"], f"history[{n}].responded"), at))
            elif to != changes[-1][1]:
                changes.append((at, to))
            if name in TOUCHES and not event.get("auto"):  # an automatic acknowledgement answers nothing
                touches.append(at)
            escalations += name == "escalate"
            reopens += name == "reopen"
        return cls(
            t.id,
            t.title,
            t.priority or "",
            str(t.meta.get("queue") or ""),
            t.tier,
            str(t.meta.get("assignee") or ""),
            t.status,
            changes[0][0],
            tuple(changes),
            tuple(touches),
            escalations,
            reopens,
            _blocks(changes),
        )

    def as_of(self, at: int) -> Facts:
        """The ticket as it stood at instant `at` (events after it ignored)."""
        if self.changes[-1][0] <= at and (not self.touches or self.touches[-1] <= at):
            return self
        changes = tuple(c for c in self.changes if c[0] <= at) or self.changes[:1]
        return self._replace(
            status=changes[-1][1],
            changes=changes,
            touches=tuple(x for x in self.touches if x <= at),
            blocks=_blocks(changes),
        )

    def status_at(self, at: int) -> str | None:
        if at < self.created:
            return None
        current = self.changes[0][1]
        for when, status in self.changes:
            if when > at:
                break
            current = status
        return current

    @property
    def resolved_at(self) -> int | None:
        """When the ticket last reached `resolved`, if it is resolved or closed now."""
        if self.status not in RESOLVED:
            return None
        for at, status in reversed(self.changes):
            if status == "resolved":
                return at
        return None

    def running(self, since: int | None = None) -> list[tuple[int, int | None]]:
        """Intervals in which the clocks run; the last may be open-ended (None)."""
        out: list[tuple[int, int | None]] = []
        for at, end in self.blocks:
            if since is not None:
                if end is not None and end <= since:
                    continue
                at = max(at, since)
            out.append((at, end))
        return out


def first_response(t: Ticket) -> str | None:
    """When the ticket's first customer touch was (its `at`), None before any: what a split child inherits."""
    for event in t.history:
        if move_name(event) in TOUCHES and not event.get("auto"):
            return str(event.get("at") or "") or None
        if event.get("action") == "open" and event.get("responded"):
            return str(event["responded"])
    return None


def _blocks(changes: Sequence[tuple[int, str]]) -> tuple[tuple[int, int | None], ...]:
    out: list[tuple[int, int | None]] = []
    start: int | None = None
    for at, status in changes:
        if status in RUNNING:
            start = at if start is None else start
        elif start is not None:
            out.append((start, at))
            start = None
    if start is not None:
        out.append((start, None))
    return tuple(out)


@dataclass(frozen=True)
class Clock:
    kind: str  # response | resolution | checkin
    target: int  # seconds of calendar time
    used: int  # seconds of calendar time used so far (or until it stopped)
    state: State
    due: int | None  # instant the budget runs out, while running
    stopped: int | None  # instant it stopped (met or breached)
    calendar: str

    @property
    def fraction(self) -> float:
        return self.used / self.target if self.target else 0.0

    @property
    def breached(self) -> bool:
        return self.used > self.target

    def left(self) -> int:
        return self.target - self.used


def budget(config: Any, priority: str, kind: str, calendars: Calendars | None = None) -> int:
    """A target in seconds of its calendar's time: "1d" on a 09:00-17:00 calendar is 8 working
    hours and "1w" a working week (`Duration.seconds`, the one rule); hours and minutes are literal."""
    hit = _BUDGETS.get((id(config), priority, kind))
    if hit is not None and hit[0] is config:
        return hit[1]
    spec = config.priorities[priority]
    cal = (calendars or from_config(config)).for_name(spec.calendar)
    seconds = getattr(spec, kind).seconds(cal)
    if len(_BUDGETS) > 64:  # configs come and go in tests; a desk process has one
        _BUDGETS.clear()
    _BUDGETS[(id(config), priority, kind)] = (config, seconds)
    return seconds


_BUDGETS: dict[tuple[int, str, str], tuple[Any, int]] = {}


def usage(
    facts: Facts, cal: Calendar, end: int, resolved_at: int | None | bool = False
) -> tuple[int, int | None, int, int | None]:
    """(response used, instant it stopped, resolution used, instant it stopped) by `end`.

    The lean path for reports: the same rules as `clocks`, without due instants or check-ins,
    two cumulative lookups per running span. `facts` must already be as of `end`.
    """
    cum = cal.cumulative
    changes = facts.changes
    touch = facts.touches[0] if facts.touches else None
    response_stop = touch if touch is not None else (None if facts.status in OPEN else changes[-1][0])
    # The caller may pass resolved_at it already has (False: not given), to save a history walk.
    resolution_stop = facts.resolved_at if resolved_at is False else resolved_at
    response_cap = cum(end if response_stop is None else response_stop)
    resolution_cap = cum(end if resolution_stop is None else resolution_stop)
    response = resolution = 0
    for start, stop in facts.blocks:
        a = cum(start)
        b = cum(end if stop is None else stop)
        response += max(0, min(b, response_cap) - a)
        resolution += max(0, min(b, resolution_cap) - a)
    return response, response_stop, resolution, resolution_stop


def _spent(cal: Calendar, intervals: list[tuple[int, int | None]], stop: int) -> int:
    return sum(cal.elapsed(a, min(b, stop) if b is not None else stop) for a, b in intervals if a < stop)


def _due(cal: Calendar, intervals: list[tuple[int, int | None]], target: int) -> int | None:
    """The instant `target` seconds of running time are used up, walking the intervals."""
    left = target
    for start, end in intervals:
        if end is None:
            return cal.add(start, left)
        part = cal.elapsed(start, end)
        if part >= left:
            return cal.add(start, left)
        left -= part
    return None


def _clock(
    kind: str,
    cal: Calendar,
    intervals: list[tuple[int, int | None]],
    target: int,
    stop: int | None,
    now: int,
    paused: bool,
) -> Clock:
    if stop is not None:
        used = _spent(cal, intervals, stop)
        return Clock(kind, target, used, "breached" if used > target else "met", None, stop, cal.name)
    used = _spent(cal, intervals, now)
    if paused:
        return Clock(kind, target, used, "paused", None, None, cal.name)
    return Clock(kind, target, used, "running", _due(cal, intervals, target), None, cal.name)


def clocks(facts: Facts, config: Any, now: int, calendars: Calendars | None = None) -> list[Clock]:
    """The ticket's clocks at instant `now`; [] when it has no priority."""
    if facts.priority not in config.priorities:
        return []
    calendars = calendars or from_config(config)
    facts = facts.as_of(now)
    cal = calendars.for_name(config.priorities[facts.priority].calendar)
    intervals = facts.running()
    is_open = facts.status in OPEN
    paused = facts.status in PAUSED
    ended = None if is_open else facts.changes[-1][0]
    out = []
    first_touch = facts.touches[0] if facts.touches else None
    response_stop = first_touch if first_touch is not None else ended
    response = _clock(
        "response",
        cal,
        intervals,
        budget(config, facts.priority, "response", calendars),
        response_stop,
        now,
        paused,
    )
    if first_touch is not None or is_open:
        out.append(response)
    if facts.status not in WITHOUT_CLOCKS:
        stop = facts.resolved_at
        out.append(
            _clock(
                "resolution",
                cal,
                intervals,
                budget(config, facts.priority, "resolution", calendars),
                stop,
                now,
                paused,
            )
        )
    if is_open:
        since = facts.touches[-1] if facts.touches else facts.created
        out.append(
            _clock(
                "checkin",
                cal,
                facts.running(since),
                budget(config, facts.priority, "checkin", calendars),
                None,
                now,
                paused,
            )
        )
    return out


def checkin_due(ticket: Ticket, config: Any) -> dt.datetime | None:
    """When the next customer check-in is due; None if the ticket is not open, has no priority,
    or is waiting on the customer (the ball is in their court)."""
    return checkin_due_of(Facts.of(ticket), config)


def checkin_due_of(facts: Facts, config: Any, calendars: Calendars | None = None) -> dt.datetime | None:
    """`checkin_due` from a ticket's facts (what the read index keeps), for `due` over the whole desk."""
    if facts.status not in RUNNING or facts.priority not in config.priorities:
        return None
    calendars = calendars or from_config(config)
    cal = calendars.for_name(config.priorities[facts.priority].calendar)
    since = facts.touches[-1] if facts.touches else facts.created
    due = _due(cal, facts.running(since), budget(config, facts.priority, "checkin", calendars))
    return None if due is None else dt.datetime.fromtimestamp(due, dt.UTC)


def scan(facts: Iterable[Facts], config: Any, now: int) -> list[dict[str, Any]]:
    """Open tickets with a clock at risk or breached at `now`: most overdue first, then least time left."""
    calendars = from_config(config)
    alerts = []
    for f in facts:
        if f.created > now or f.priority not in config.priorities or f.status_at(now) not in OPEN:
            continue
        if not _may_alert(f.as_of(now), config, now, calendars):
            continue
        for clock in clocks(f, config, now, calendars):
            state = "breached" if overdue(clock, now) else "at-risk" if at_risk(clock, calendars.at_risk) else ""
            if not state:
                continue
            alerts.append(
                {
                    "id": f.id,
                    "title": f.title,
                    "priority": f.priority,
                    "status": f.status_at(now),
                    "queue": f.queue,
                    "assignee": f.assignee,
                    "clock": clock.kind,
                    "state": state,
                    "clock_state": clock.state,
                    "used_seconds": clock.used,
                    "target_seconds": clock.target,
                    "left_seconds": clock.left(),
                    "used_pct": round(clock.fraction * 100, 1),
                    "due": iso(clock.due) if clock.due is not None else None,
                }
            )
    return sorted(alerts, key=lambda a: (a["state"] != "breached", a["left_seconds"], a["id"], a["clock"]))


def _may_alert(f: Facts, config: Any, now: int, calendars: Calendars) -> bool:
    """A cheap first look (no due instants) so `sla` over 100,000 tickets builds clocks only for the few
    that may need them."""
    cal = calendars.for_name(config.priorities[f.priority].calendar)
    limit = calendars.at_risk
    response, _, resolution, _ = usage(f, cal, now)
    if (not f.touches and response >= limit * budget(config, f.priority, "response", calendars)) or (
        resolution >= limit * budget(config, f.priority, "resolution", calendars)
    ):
        return True
    since = f.touches[-1] if f.touches else f.created
    checkin = _spent(cal, f.running(since), now)
    return checkin >= limit * budget(config, f.priority, "checkin", calendars)


def at_risk(clock: Clock, threshold: float) -> bool:
    return clock.state in ("running", "paused") and not clock.breached and clock.fraction >= threshold


def overdue(clock: Clock, now: int) -> bool:
    """Breached: a stopped clock over its target, or a running one past its due instant."""
    if clock.state == "breached":
        return True
    return clock.state in ("running", "paused") and clock.used > clock.target
