"""Proposing a solution and reviewing it."""
from __future__ import annotations

import click

from ..options import emit, id_argument, json_option, pass_desk


@click.command(epilog="Examples:\n\n\b\n  gitdesk propose HD-4f7k --solution 'Replace the tray 2 rollers'")
@id_argument
@click.option("--solution", required=True, help="The proposed solution, for review.")
@json_option
@pass_desk
def propose(desk, ticket_ref, solution, as_json):  # type: ignore[no-untyped-def]
    """Propose a solution; the ticket awaits review (proposed)."""
    ticket = desk.propose(ticket_ref, solution)
    emit(ticket, as_json, f"{ticket.id}: solution proposed (status {ticket.status})")


@click.command(epilog="Examples:\n\n\b\n  gitdesk review HD-4f7k --approve --by carol\n"
               "  gitdesk review HD-4f7k --request-changes --by carol --comment 'Check the firmware first'")
@id_argument
@click.option("--approve", "verdict", flag_value="approve", help="Approve: the ticket is resolved.")
@click.option("--request-changes", "verdict", flag_value="request-changes",
              help="Send back to in_progress with feedback.")
@click.option("--by", "by", required=True, help="The reviewer.")
@click.option("--comment", default=None, help="Review comment; required feedback when requesting changes.")
@json_option
@pass_desk
def review(desk, ticket_ref, verdict, by, comment, as_json):  # type: ignore[no-untyped-def]
    """Review a proposed solution: approve it, or request changes."""
    if verdict is None:
        raise click.UsageError("give --approve or --request-changes")
    ticket = desk.review(ticket_ref, verdict == "approve", by, comment)
    emit(ticket, as_json, f"{ticket.id}: review recorded (status {ticket.status})")
