"""How the two reviews of a proposed solution combine: the desk's reviewer and the customer.

`review.customer` in gitdesk.yml says what the requester's verdict counts for:
`required` (the default: the customer approves, as the desk's process has it),
`optional` (either approval resolves) or `off` (the customer is not asked).
A solution proposed on a `solution/<ID>` branch also needs its PR reviewer's
approval; where both are required the reviewer approves first, and only then
is the customer asked. Pure: the ticket and the config in, answers out.
"""

from __future__ import annotations

from typing import Any, Literal

from gitdesk.core.config import Config
from gitdesk.core.ticket import Ticket
from gitdesk.errors import ConfigError

CustomerReview = Literal["required", "optional", "off"]
MODES: tuple[CustomerReview, ...] = ("required", "optional", "off")
DEFAULT: CustomerReview = "required"
REQUESTER = "requester"  # the `role` of a review event the customer gave


def customer_mode(config: Config) -> CustomerReview:
    """`review.customer`, validated: required, optional or off."""
    raw = config.section("review")
    unknown = sorted(set(raw) - {"customer"})
    if unknown:
        raise ConfigError(f"review.{unknown[0]}", "unknown key (use customer)")
    value = raw.get("customer", DEFAULT)
    if value is False:  # YAML reads a bare `off` as false
        value = "off"
    if value not in MODES:
        raise ConfigError("review.customer", f"'{value}' must be required, optional or off")
    return value  # type: ignore[no-any-return]


def current_proposal(t: Ticket) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The latest propose event and the review events given since."""
    for n in range(len(t.history) - 1, -1, -1):
        if t.history[n].get("action") == "propose":
            return t.history[n], [e for e in t.history[n + 1 :] if e.get("action") == "review"]
    return None, []


def is_customer(event: dict[str, Any]) -> bool:
    return event.get("role") == REQUESTER


def needed(t: Ticket, config: Config) -> set[str]:
    """Whose approval the current proposal needs to resolve the ticket: "reviewer", "requester"."""
    proposal, _ = current_proposal(t)
    mode = customer_mode(config)
    on_branch = bool(proposal and proposal.get("branch"))
    if mode == "required":
        return {"requester", "reviewer"} if on_branch else {"requester"}
    return {"reviewer"} if on_branch else set()


def approved_by(t: Ticket) -> set[str]:
    """Who approved the current proposal so far."""
    _, reviews = current_proposal(t)
    return {REQUESTER if is_customer(e) else "reviewer" for e in reviews if e.get("verdict") == "approve"}


def resolves(t: Ticket, config: Config, role: str) -> bool:
    """Whether one more approval by `role` ("reviewer" or "requester") resolves the ticket."""
    missing = needed(t, config) - approved_by(t) - {role}
    return not missing


def awaiting_customer(t: Ticket, config: Config) -> bool:
    """The proposal is the customer's to judge now: they are asked, and no reviewer approval comes first."""
    if t.status != "proposed" or customer_mode(config) == "off":
        return False
    given = approved_by(t)
    if REQUESTER in given:
        return False
    return "reviewer" not in needed(t, config) or "reviewer" in given


def requester_ids(t: Ticket) -> set[str]:
    """The identities the requester is known by: email (lowercased), Slack user ID, GitHub login."""
    who = t.requester
    ids = {str(who.get("email") or "").lower(), f"slack:{who.get('slack') or ''}", f"github:{who.get('github') or ''}"}
    return {i.lower() for i in ids if i and not i.endswith(":")}  # compared without case


def verdict_token(key: str, ticket_id: str) -> str:
    """The per-ticket token a review link carries: only the requester's link has it (HMAC with the site key)."""
    import hashlib
    import hmac

    return hmac.new(key.encode("utf-8"), f"review:{ticket_id}".encode(), hashlib.sha256).hexdigest()[:24]


def token_matches(key: str | None, ticket_id: str, given: str) -> bool:
    import hmac

    return bool(key and given) and hmac.compare_digest(verdict_token(str(key), ticket_id), given.strip().lower())
