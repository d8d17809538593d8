"""Terminal and CSV renderings of reports, SLA alerts and the priority table. No click, no printing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gitdesk.core.calendar import Calendars, from_config
from gitdesk.core.duration import duration_text as span
from gitdesk.core.sla import Clock, Facts, clocks
from gitdesk.core.ticket import Ticket

_ROWS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("opened", ("counts", "opened"), "n"),
    ("closed (resolved)", ("counts", "closed"), "n"),
    ("open at end", ("counts", "open"), "n"),
    ("cancelled", ("counts", "cancelled"), "n"),
    ("first response median h", ("first_response", "median_hours"), "h"),
    ("first response p90 h", ("first_response", "p90_hours"), "h"),
    ("resolution median h", ("resolution", "median_hours"), "h"),
    ("resolution p90 h", ("resolution", "p90_hours"), "h"),
    ("response SLA met %", ("sla_compliance", "response_pct"), "%"),
    ("resolution SLA met %", ("sla_compliance", "resolution_pct"), "%"),
    ("escalation rate %", ("escalation_rate",), "rate"),
    ("reopen rate %", ("reopen_rate",), "rate"),
    ("satisfaction mean (1-5)", ("satisfaction", "mean_score"), "h"),
    ("survey responses", ("satisfaction", "responses"), "n"),
)


def _get(figures: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = figures
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "rate":
        return f"{value * 100:.1f}"
    if kind in ("h", "%"):
        return f"{value:.1f}" if kind == "%" else f"{value:g}"
    return str(value)


def report_table(report: dict[str, Any]) -> str:
    """The headline figures, one column for everything and one per group."""
    window = report["window"]
    columns = [("all", report)] + list((report.get("groups") or {}).items())
    head = (
        f"Report from {window['since']} to {window['until']}"
        if window["since"]
        else f"Report of everything up to {window['until']}"
    )
    if report.get("by"):
        head += f"  (by {report['by']})"
    width = max(8, *(len(name) + 1 for name, _ in columns))
    lines = [head, "", f"{'':<26}" + "".join(f"{name:>{width}}" for name, _ in columns)]
    for label, path, kind in _ROWS:
        lines.append(f"{label:<26}" + "".join(f"{_cell(_get(f, path), kind):>{width}}" for _, f in columns))
    lines += ["", "Resolution by priority (business hours)", f"  {'':<4}{'count':>7}{'median':>9}{'p90':>9}"]
    for name, row in report["resolution_by_priority"].items():
        median, p90 = _cell(row["median_hours"], "h"), _cell(row["p90_hours"], "h")
        lines.append(f"  {name:<4}{row['count']:>7}{median:>9}{p90:>9}")
    lines += ["", *_satisfaction_lines(report["satisfaction"]), "", "Technicians (productivity)"]
    lines += [
        f"  {t['assignee']:<20}{t['closed']:>5} closed   median {_cell(t['median_resolution_hours'], 'h')} h"
        for t in report["technicians"]
    ] or ["  nobody resolved a ticket in this window"]
    lines += [
        "",
        "Volume by week",
        *(f"  {v['week']}  opened {v['opened']:>5}  closed {v['closed']:>5}" for v in report["volume"]),
    ]
    return "\n".join(lines)


def _satisfaction_lines(s: dict[str, Any]) -> list[str]:
    dist = "  ".join(f"{k}: {v}" for k, v in s["distribution"].items())
    q = s["questions"]
    lines = [
        "Satisfaction",
        f"  responses {s['responses']}, mean score {_cell(s['mean_score'], 'h')}",
        f"  How satisfied are you (1-5)?          {dist}",
        f"  Did we ask the right questions?       yes {q['right_questions']['yes']}  no {q['right_questions']['no']}",
        f"  Was the time to resolve adequate?     adequate {q['time']['adequate']}  too long {q['time']['too-long']}",
        "  What should we improve?",
    ]
    lines += [f"    - {c['ticket']}: {c['text']}" for c in s["improve"]] or ["    (no answers)"]
    lines.append("  Anything else you want to tell us?")
    lines += [f"    - {c['ticket']}: {c['text']}" for c in s["comments"]] or ["    (no answers)"]
    return lines


CSV_COLUMNS = (
    "group",
    "opened",
    "closed",
    "open",
    "cancelled",
    "first_response_median_hours",
    "first_response_p90_hours",
    "resolution_median_hours",
    "resolution_p90_hours",
    "response_sla_pct",
    "resolution_sla_pct",
    "escalation_rate",
    "reopen_rate",
    "satisfaction_responses",
    "satisfaction_mean",
    "score_1",
    "score_2",
    "score_3",
    "score_4",
    "score_5",
    "right_questions_yes",
    "right_questions_no",
    "time_adequate",
    "time_too_long",
    "improve_count",
)


def _csv_row(name: str, f: dict[str, Any]) -> list[Any]:
    c, s, q = f["counts"], f["satisfaction"], f["satisfaction"]["questions"]
    values = [
        name,
        c["opened"],
        c["closed"],
        c["open"],
        c["cancelled"],
        f["first_response"]["median_hours"],
        f["first_response"]["p90_hours"],
        f["resolution"]["median_hours"],
        f["resolution"]["p90_hours"],
        f["sla_compliance"]["response_pct"],
        f["sla_compliance"]["resolution_pct"],
        f["escalation_rate"],
        f["reopen_rate"],
        s["responses"],
        s["mean_score"],
        *s["distribution"].values(),
        q["right_questions"]["yes"],
        q["right_questions"]["no"],
        q["time"]["adequate"],
        q["time"]["too-long"],
        len(s["improve"]),
    ]
    return ["" if v is None else v for v in values]


def report_csv(report: dict[str, Any]) -> str:
    """One row for everything and one per group: the headline figures, for a spreadsheet."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerow(_csv_row("all", report))
    for name, figures in (report.get("groups") or {}).items():
        writer.writerow(_csv_row(name, figures))
    return out.getvalue()


def alerts_table(alerts: list[dict[str, Any]], at: str) -> str:
    if not alerts:
        return f"no tickets at risk or breached at {at}"
    lines = [f"{'ID':<12} {'PRI':<3} {'CLOCK':<10} {'STATE':<8} {'USED':>5} {'LEFT':>14}  {'DUE (UTC)':<16}  TITLE"]
    for a in alerts:
        left = a["left_seconds"]
        left_text = f"{span(left)} left" if left >= 0 else f"{span(left)} over"
        due = (a["due"] or "paused")[:16].replace("T", " ")
        lines.append(
            f"{a['id']:<12} {a['priority']:<3} {a['clock']:<10} {a['state']:<8} {a['used_pct']:>4.0f}% "
            f"{left_text:>14}  {due:<16}  {a['title']}"
        )
    return "\n".join(lines)


def priorities_text(rows: list[dict[str, Any]], calendar: dict[str, Any], matrix: dict[str, Any]) -> str:
    lines = [f"{'':<4}{'criteria':<28}{'response':>9}{'resolution':>11}{'check-in':>9}  calendar"]
    for r in rows:
        lines.append(
            f"{r['priority']:<4}{r['criteria']:<28}{r['response']:>9}{r['resolution']:>11}"
            f"{r['checkin']:>9}  {r['calendar']}"
        )
    lines += [
        "",
        f"Business hours: {calendar['hours']} {calendar['timezone']}, {', '.join(calendar['weekdays'])}"
        f"; holidays: {calendar['holidays'] or 'none'}. One business day (1d) = "
        f"{span(calendar['day_seconds'])} of working time.",
        f"At risk once {calendar['at_risk'] * 100:.0f} % of a target is used; clocks pause while waiting "
        "on the customer.",
        "",
        "Impact x urgency (gitdesk prioritise ID --impact I --urgency U):",
    ]
    urgencies = list(next(iter(matrix.values())))
    corner = "impact \\ urgency"
    lines.append(f"  {corner:<18}" + "".join(f"{u:>8}" for u in urgencies))
    lines += [f"  {impact:<18}" + "".join(f"{row[u]:>8}" for u in urgencies) for impact, row in matrix.items()]
    return "\n".join(lines)


# -- SLA clocks in words, for `gitdesk show` ------------------------------------------------
def when(instant: int, calendars: Calendars) -> str:
    try:
        local = dt.datetime.fromtimestamp(instant, calendars.business.tz)
    except (ValueError, OverflowError, OSError):  # a hand-edited stamp near 9999-12-31: due past the calendar
        return "after 9999-12-31" if instant > 0 else "before 0001-01-01"
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "")


def target_text(config: Any, priority: str, kind: str) -> str:
    """The target as gitdesk.yml says it ('2d'): what the desk promised, in its calendar's days."""
    return str(getattr(config.priorities[priority], kind))


LABEL = {"response": "response", "resolution": "resolution", "checkin": "check-in"}


def clock_line(clock: Clock, config: Any, priority: str, now: int, calendars: Calendars) -> str:
    target = target_text(config, priority, clock.kind)
    label = f"  {LABEL[clock.kind]:<11} "
    if clock.state == "met":
        return f"{label}met after {span(clock.used)} (target {target})"
    if clock.state == "breached":
        return f"{label}breached: took {span(clock.used)} (target {target}, {span(-clock.left())} over)"
    if clock.kind == "checkin":
        if clock.state == "paused":
            return f"{label}paused while waiting on the customer"
        if clock.due is None:
            return f"{label}{clock.state}"
        ahead = clock.due - now
        return f"{label}due in {span(ahead)}" if ahead >= 0 else f"{label}overdue by {span(ahead)}"
    pct = f"{clock.fraction * 100:.0f} %"
    head = f"{label}{clock.state}, {span(clock.used)} of {target} used ({pct})"
    if clock.state == "paused":
        return f"{head}, paused while waiting on the customer"
    if clock.due is None:
        return head
    verb = "was due" if clock.breached else "due"
    return f"{head}, {verb} {when(clock.due, calendars)}"


def describe_clocks(desk: Any, ticket: Ticket) -> list[str]:
    """Lines for `gitdesk show`: one per clock, or one saying why there are none."""
    config = desk.config
    calendars = from_config(config)
    facts = Facts.of(ticket)
    if facts.priority not in config.priorities:
        return ["  sla         no clocks until the ticket has a priority"]
    now = int(desk.clock().timestamp())
    return [clock_line(c, config, facts.priority, now, calendars) for c in clocks(facts, config, now, calendars)]
