"""Priorities, SLA alerts and reports: `gitdesk priorities`, `gitdesk sla`, `gitdesk report`."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from gitdesk.cli.options import json_flag, pass_desk, warn_skipped
from gitdesk.core.reports import GROUP_KEYS
from gitdesk.errors import ExitCode

if TYPE_CHECKING:
    from gitdesk.desk.facade import Desk


@click.command(epilog="Examples:\n\n\b\n  gitdesk priorities\n  gitdesk priorities --json")
@json_flag("the table")
@pass_desk
def priorities(desk: Desk, as_json: bool) -> None:
    """Print each priority's criteria and targets, the business calendar and the impact x urgency matrix."""
    from gitdesk.cli.report_views import priorities_text
    from gitdesk.core.calendar import summary
    from gitdesk.core.priority_matrix import matrix

    config = desk.config
    rows = [
        {
            "priority": name,
            "criteria": p.criteria,
            "response": str(p.raw.get("response", p.response)),
            "resolution": str(p.raw.get("resolution", p.resolution)),
            "checkin": str(p.raw.get("checkin", p.checkin)),
            "calendar": p.calendar,
        }
        for name, p in sorted(config.priorities.items())
    ]
    calendar, table = summary(config), matrix(config)
    if as_json:
        click.echo(json.dumps({"priorities": rows, "calendar": calendar, "matrix": table}, indent=2))
    else:
        click.echo(priorities_text(rows, calendar, table))


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk sla\n  gitdesk sla --at 2026-03-04T12:00:00Z --json\n"
    "  gitdesk sla --fail-on-breach    # in CI: exit 3 when any promise is broken"
)
@click.option(
    "--at",
    "at",
    default=None,
    metavar="TIME",
    help="Evaluate the clocks at this ISO 8601 time (default: now).",
)
@json_flag("the alerts")
@click.option("--fail-on-breach", is_flag=True, help="Exit with status 3 when any ticket is breached.")
@pass_desk
def sla(desk: Desk, at: str | None, as_json: bool, fail_on_breach: bool) -> None:
    """List open tickets whose SLA clocks are at risk or breached, with time left or overdue."""
    from gitdesk.cli.report_views import alerts_table
    from gitdesk.cli.views import terminal_text
    from gitdesk.core.reports import parse_day
    from gitdesk.core.sla import scan
    from gitdesk.core.ticket import iso

    given = parse_day(at, "--at") if at else None
    instant = given if given is not None else int(desk.clock().timestamp())
    alerts = scan(desk.facts(), desk.config, instant)
    if as_json:
        click.echo(json.dumps({"at": iso(instant), "alerts": alerts}, indent=1))
    else:
        click.echo(terminal_text(alerts_table(alerts, iso(instant))))
    breached = sorted({a["id"] for a in alerts if a["state"] == "breached"})
    if fail_on_breach and breached:
        click.echo(f"gitdesk: {len(breached)} ticket(s) breached their SLA: {', '.join(breached[:10])}", err=True)
    warn_skipped(desk.skipped(), ExitCode.BREACH if fail_on_breach and breached else None)


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk report\n  gitdesk report --since 2026-01-01 --until 2026-04-01 "
    "--by priority\n  gitdesk report --by assignee --format csv > technicians.csv"
)
@click.option("--since", default=None, metavar="DATE", help="Start of the window (YYYY-MM-DD or ISO time).")
@click.option("--until", default=None, metavar="DATE", help="End of the window (default: now).")
@click.option(
    "--by",
    type=click.Choice(GROUP_KEYS),
    default=None,
    help="Also give every figure per group.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="json is indented on a terminal and one compact line when piped.",
)
@pass_desk
def report(desk: Desk, since: str | None, until: str | None, by: str | None, fmt: str) -> None:
    """Volumes, response and resolution times (business hours), SLA compliance, rates and satisfaction."""
    from gitdesk.cli.report_views import report_csv, report_table
    from gitdesk.cli.views import terminal_text

    result = desk.report(since=since, until=until, by=by, now=desk.clock())
    if fmt == "json":
        # Indented for a person at a terminal; compact (and several times faster to write) for a pipe.
        indent = 1 if sys.stdout.isatty() else None
        click.echo(json.dumps(result, indent=indent, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(report_csv(result), nl=False)
    else:
        click.echo(terminal_text(report_table(result)))
    warn_skipped(desk.skipped())
