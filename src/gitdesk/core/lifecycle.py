"""The lifecycle as data: statuses, the move table, and what each move requires.

The CLI, `gitdesk validate` and the site all read this table; there is no
second copy of the rules anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from gitdesk.core.marks import N_, Np_

Status = Literal["new", "triaged", "in_progress", "waiting", "proposed", "resolved", "closed", "split", "cancelled"]
STATUSES: tuple[Status, ...] = (
    "new",
    "triaged",
    "in_progress",
    "waiting",
    "proposed",
    "resolved",
    "closed",
    "split",
    "cancelled",
)
OPEN: frozenset[str] = frozenset({"new", "triaged", "in_progress", "waiting", "proposed"})
DONE: frozenset[str] = frozenset({"resolved", "closed", "split", "cancelled"})
ACTIVE = ("new", "triaged", "in_progress", "waiting", "proposed")
RESOLVED: frozenset[str] = frozenset({"resolved", "closed"})  # a solution was approved (and maybe closed)
WITHOUT_CLOCKS: frozenset[str] = frozenset({"split", "cancelled"})  # no SLA figures: the work is elsewhere or none
FINISHED: frozenset[str] = RESOLVED | {"cancelled"}  # a split's child that needs nothing more
ENDED: frozenset[str] = frozenset({"closed", "cancelled"})  # the request is over: its GitHub issue is closed
EVERY = STATUSES

# Fields a ticket must carry once it is in a status.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "new": ("id", "title", "status", "queue", "requester", "created"),
    **{
        s: ("id", "title", "status", "priority", "queue", "requester", "created")
        for s in ("triaged", "in_progress", "waiting", "proposed", "resolved", "closed")
    },
    "split": ("id", "title", "status", "children", "created"),
    "cancelled": ("id", "title", "status", "created"),
}


@dataclass(frozen=True)
class Move:
    """One row of the table: from each status, the statuses this move may lead to.

    The first target listed is preferred; a later one is used when the ticket
    lacks the fields the first needs (assigning a ticket with no priority yet
    routes it but leaves it `new`).
    """

    name: str
    targets: dict[str | None, tuple[str, ...]]
    requires: tuple[str, ...] = ()  # keys the history event must carry
    summary: str = ""  # customer-facing words for the site timeline; "" = internal
    verb: str | None = ""  # the command that makes it ("" = its name before any ':'; None = a side effect)

    @property
    def command(self) -> str | None:
        return self.name.split(":")[0] if self.verb == "" else self.verb

    def allowed_from(self, status: str | None) -> tuple[str, ...]:
        return self.targets.get(status, ())


def _same(statuses: tuple[str, ...]) -> dict[str | None, tuple[str, ...]]:
    return {s: (s,) for s in statuses}


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        # A request opened with its priority (`new --priority P2`, a split child of a triaged ticket) is triaged.
        Move("open", {None: ("triaged", "new")}, summary=N_("Request opened")),
        Move(
            "prioritise",
            {"new": ("triaged", "new"), **_same(("triaged", "in_progress", "waiting", "proposed"))},
            summary=N_("Priority set"),
        ),
        Move(
            "assign",
            {"new": ("triaged", "new"), **_same(("triaged", "in_progress", "waiting", "proposed"))},
            summary=N_("Routed to a support team"),
        ),
        Move(
            "split",
            {s: ("split",) for s in ("new", "triaged", "in_progress", "waiting")},
            requires=("children",),
            summary=N_("Split into separate requests"),
        ),
        Move(
            "escalate",
            _same(("new", "triaged", "in_progress", "waiting")),
            requires=("reason", "tier"),
            summary=N_("Escalated to the next tier of technicians"),
        ),
        # Back down a tier (the escalation was not needed, or the hard part is done); the table's
        # detail line on the site says which tier has it now, as it does for escalate.
        Move(
            "de-escalate",
            _same(("new", "triaged", "in_progress", "waiting")),
            requires=("reason", "tier"),
            summary=N_("Moved to another tier of technicians"),
        ),
        # Nobody has it any more: back to the queue (internal, like a note).
        Move("unassign", _same(ACTIVE), requires=("previous",), verb="assign"),  # assign --unassign
        Move("start", {"triaged": ("in_progress",), "waiting": ("in_progress",)}, summary=N_("Work started")),
        Move("note", _same(EVERY), requires=("text",)),
        Move("contact:outbound", _same(EVERY), requires=("via", "summary"), summary=N_("We contacted you")),
        Move(
            "contact:inbound",
            {"waiting": ("in_progress",), **_same(tuple(s for s in EVERY if s != "waiting"))},
            requires=("via", "summary"),
            summary=N_("You contacted us"),
        ),
        Move(
            "wait",
            {"triaged": ("waiting",), "in_progress": ("waiting",)},
            requires=("question",),
            summary=N_("Waiting for your answer"),
        ),
        Move(
            "propose",
            {"in_progress": ("proposed",)},
            requires=("solution",),
            summary=N_("A solution has been proposed"),
        ),
        # An approval that leaves another one due (the customer's, see review_policy) stays proposed.
        Move("review:approve", {"proposed": ("resolved", "proposed")}, summary=N_("The solution was approved")),
        # A dismissed PR review takes its verdict back (review_policy counts what still stands).
        Move(
            "review:dismiss",
            {"proposed": ("proposed",), "resolved": ("proposed", "resolved"), "in_progress": ("in_progress",)},
            requires=("review_id",),
        ),
        Move(
            "review:request-changes",
            {"proposed": ("in_progress",)},
            requires=("feedback",),
            summary=N_("The solution is being reworked"),
        ),
        # A trivial ticket resolved without a separate review, where the desk allows it
        # (review.quick_resolve; review_policy.quick_resolve_refusal says when it may).
        Move(
            "resolve",
            {s: ("resolved",) for s in ("new", "triaged", "in_progress")},
            requires=("solution",),
            summary=N_("Request resolved"),
        ),
        Move("close", {"resolved": ("closed",)}, requires=("lesson", "kb"), summary=N_("Request closed")),
        Move(
            "reopen",
            {s: ("in_progress",) for s in ("resolved", "closed", "cancelled")},
            requires=("reason",),
            summary=N_("Request reopened"),
        ),
        Move("cancel", {s: ("cancelled",) for s in ACTIVE}, requires=("reason",), summary=N_("Request cancelled")),
        Move("edit", _same(EVERY), requires=("changes",)),
        # The back-link on the original when another ticket is cancelled as its duplicate (internal:
        # the duplicate may be someone else's request).
        Move("duplicate", _same(EVERY), requires=("duplicate",), verb=None),  # made by the other's cancel
        Move("survey", {"closed": ("closed",)}, summary=N_("Survey answered")),
    )
}

# The customer-facing sentence for a ticket's current status, used by the site and `show`;
# marked with N_ so the faces translate it (the site, the mail), while `show` prints it as is.
STATUS_TEXT: dict[str, str] = {
    "new": N_("We have received your request and will triage it shortly."),
    "triaged": N_("Your request has been prioritised and placed in a support team's queue."),
    "in_progress": N_("A technician is working on your request."),
    "waiting": N_("We are waiting for information from you."),
    "proposed": N_("A solution has been proposed and is awaiting review."),
    "resolved": N_("The solution was approved; the request is resolved."),
    "closed": N_("This request is closed."),
    "split": N_("This request was split into separate requests, each tracked on its own."),
    "cancelled": N_("This request was cancelled."),
}

# The board reads as a status page: an incident's phase, in Statuspage's words, is derived from
# its ticket's status here and nowhere else (site/incidents.py reads it). A split ticket has no
# phase: its children, which keep its priority, are the incidents.
INCIDENT_PHASE: dict[str, str] = {
    "new": "investigating",
    "triaged": "investigating",
    "waiting": "investigating",
    "in_progress": "identified",
    "proposed": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
    "cancelled": "resolved",
}
PHASE_NAMES: dict[str, str] = {  # translated with pgettext("incident", ...): an incident is no request
    "investigating": Np_("incident", "Investigating"),
    "identified": Np_("incident", "Identified"),
    "monitoring": Np_("incident", "Monitoring"),
    "resolved": Np_("incident", "Resolved"),
}


def move_name(event: dict[str, Any]) -> str:
    """The table key for a history event: contact and review carry a qualifier."""
    action = str(event.get("action", ""))
    if action == "contact":
        return "contact:inbound" if event.get("direction") == "inbound" else "contact:outbound"
    if action == "review":
        verdict = event.get("verdict")
        return (
            "review:approve"
            if verdict == "approve"
            else "review:dismiss"
            if verdict == "dismiss"
            else "review:request-changes"
        )
    return action


def allowed_actions(status: str | None) -> list[str]:
    """Every move that may start from `status`, for error messages and help."""
    return sorted({m.command for m in MOVES.values() if m.command and m.allowed_from(status)})


def check_event(event: dict[str, Any], status_before: str | None) -> str | None:
    """Return a problem with a history event against the table, or None if it is legal."""
    name = move_name(event)
    move = MOVES.get(name)
    if move is None:
        return f"unknown action '{event.get('action')}'"
    if event.get("from") != status_before:
        return f"event says from '{event.get('from')}' but the ticket was '{status_before}'"
    targets = move.allowed_from(status_before)
    if not targets:
        return f"'{name}' is not allowed from '{status_before}' (allowed: {', '.join(allowed_actions(status_before))})"
    if event.get("to") not in targets:
        return f"'{name}' from '{status_before}' leads to {' or '.join(targets)}, not '{event.get('to')}'"
    missing = [k for k in move.requires if event.get(k) in (None, "", [])]
    if missing:
        return f"'{name}' event lacks {', '.join(missing)}"
    return None


def missing_fields(meta: dict[str, Any], status: str) -> list[str]:
    """Fields `status` requires that `meta` lacks."""
    return [f for f in REQUIRED_FIELDS.get(status, ()) if f != "status" and meta.get(f) in (None, "", [], {})]


def choose_target(move: Move, status: str | None, meta: dict[str, Any]) -> str | None:
    """The status a move leads to from `status`, given the ticket's fields; None if illegal."""
    targets = move.allowed_from(status)
    for target in targets:
        if target == status or not missing_fields(meta, target):
            return target
    return targets[-1] if targets else None
