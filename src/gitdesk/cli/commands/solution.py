"""Proposing a solution and reviewing it, on the command line or from a GitHub PR review."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitdesk.cli.options import emit, id_argument, json_option, pass_desk, write_options
from gitdesk.cli.tell import tell

if TYPE_CHECKING:
    from gitdesk.desk.facade import Desk


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk propose HD-4f7k --solution 'Replace the tray 2 rollers'\n"
    "  gitdesk propose HD-4f7k --solution 'Replace the tray 2 rollers' --branch --push"
)
@id_argument
@click.option("--solution", required=True, help="The proposed solution, for review.")
@click.option(
    "--branch",
    "on_branch",
    is_flag=True,
    help="Commit on branch solution/<ID> (created from the current branch if missing) for a PR.",
)
@click.option("--push", is_flag=True, help="With --branch: push the branch to the remote.")
@click.option("--remote", default="origin", show_default=True, help="The remote --push pushes to.")
@json_option
@write_options
@pass_desk
def propose(
    desk: Desk, ticket_ref: str, solution: str, on_branch: bool, push: bool, remote: str, as_json: bool
) -> None:
    """Propose a solution; the ticket awaits review (proposed)."""
    if push and not on_branch:
        raise click.UsageError("--push needs --branch")
    if not on_branch:
        ticket = desk.propose(ticket_ref, solution)
        emit(ticket, as_json, f"{ticket.id}: solution proposed (status {ticket.status})")
        tell(desk, ticket)
        return
    from gitdesk.desk.sync import propose_on_branch, push_branch

    ticket, branch = propose_on_branch(desk, ticket_ref, solution)
    if push:
        push_branch(desk.repo, branch, remote)
    where = f"pushed to {remote}; open a pull request from {branch}" if push else f"on branch {branch}"
    emit(ticket, as_json, f"{ticket.id}: solution proposed {where} (status {ticket.status})")


@click.command(epilog="Examples:\n\n\b\n  gitdesk resolve HD-4f7k --solution 'Reset the password; the user logged in'")
@id_argument
@click.option(
    "--solution", required=True, help="What solved it (the customer is told; the KB lesson follows at close)."
)
@json_option
@write_options
@pass_desk
def resolve(desk: Desk, ticket_ref: str, solution: str, as_json: bool) -> None:
    """Resolve a trivial ticket at once, without a separate review.

    Only where the desk allows it for the ticket's priority (review.quick_resolve in gitdesk.yml)
    and no review it asks for would be skipped: not with review.customer: required, nor with
    review.approvals above 1. Otherwise propose the solution for review.
    """
    ticket = desk.quick_resolve(ticket_ref, solution)
    emit(ticket, as_json, f"{ticket.id}: resolved without a separate review (status {ticket.status})")
    tell(desk, ticket)


@click.command(
    epilog="Examples:\n\n\b\n  gitdesk review HD-4f7k --approve --by carol\n"
    "  gitdesk review HD-4f7k --request-changes --by carol --comment 'Check the firmware first'\n"
    "  gitdesk review HD-4f7k --approve --customer     # the requester accepted on the phone\n"
    '  gitdesk review --from-github-event "$GITHUB_EVENT_PATH"'
)
@click.argument("ticket_ref", metavar="[ID]", required=False)
@click.option("--approve", is_flag=True, help="Approve: the ticket is resolved.")
@click.option("--request-changes", is_flag=True, help="Send back to in_progress with feedback.")
@click.option("--by", "by", default=None, help="The reviewer.")
@click.option(
    "--customer",
    "by_customer",
    is_flag=True,
    help="Record the requester's own verdict (given by phone or in person), not a reviewer's.",
)
@click.option("--comment", default=None, help="Review comment; required feedback when requesting changes.")
@click.option(
    "--from-github-event",
    "event_path",
    default=None,
    metavar="PATH",
    help="Take ticket, verdict, reviewer and feedback from a pull_request_review webhook payload.",
)
@json_option
@write_options
@pass_desk
def review(
    desk: Desk,
    ticket_ref: str | None,
    approve: bool,
    request_changes: bool,
    by: str | None,
    by_customer: bool,
    comment: str | None,
    event_path: str | None,
    as_json: bool,
) -> None:
    """Review a proposed solution: approve it, or request changes.

    With review.customer: required (the default) the requester's acceptance resolves the
    ticket; a reviewer's approval alone leaves it proposed, awaiting the customer.
    """
    if approve and request_changes:
        raise click.UsageError("give either --approve or --request-changes, not both")
    verdict = "approve" if approve else "request-changes" if request_changes else None
    if event_path:
        if ticket_ref or verdict or by or comment:
            raise click.UsageError("--from-github-event takes everything from the payload; give nothing else")
        from gitdesk.core.review_event import read_event

        found = read_event(event_path, desk.config.prefix)
        ticket, unchanged = desk.review_from_github(found)
        if unchanged or ticket is None:  # a comment, a redelivery, someone who may not review: exit 0, as it was
            click.echo(f"gitdesk review: nothing recorded: {unchanged}")
            return
        emit(ticket, as_json, f"{ticket.id}: review by {found.by} recorded from the PR (status {ticket.status})")
        tell(desk, ticket)
        return
    if not ticket_ref:
        raise click.UsageError("give the ticket ID (or --from-github-event PATH)")
    if verdict is None:
        raise click.UsageError("give --approve or --request-changes")
    if by_customer:
        if by:
            raise click.UsageError("--customer records the requester's verdict; give no --by")
        ticket = desk.customer_review(ticket_ref, verdict == "approve", comment or "", via="cli")
        what = "accepted by the customer" if verdict == "approve" else "changes requested by the customer"
        emit(ticket, as_json, f"{ticket.id}: {what} (status {ticket.status})")
        tell(desk, ticket)
        return
    if not by:
        raise click.UsageError("give --by REVIEWER")
    ticket = desk.review(ticket_ref, verdict == "approve", by, comment)
    what = "approved" if verdict == "approve" else "changes requested"
    waiting = ""
    if verdict == "approve" and ticket.status == "proposed":
        from gitdesk.core.review_policy import awaiting_customer

        asks_customer = awaiting_customer(ticket, desk.config)
        waiting = " awaiting the customer's verdict" if asks_customer else " awaiting more approvals"
    emit(ticket, as_json, f"{ticket.id}: {what} by {by} (status {ticket.status}{waiting})")
    tell(desk, ticket)
