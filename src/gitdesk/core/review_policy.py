"""How the two reviews of a proposed solution combine: the desk's reviewer and the customer.

`review.customer` in gitdesk.yml says what the requester's verdict counts for:
`required` (the default: the customer approves, as the desk's process has it),
`optional` (either approval resolves) or `off` (the customer is not asked).
A solution proposed on a `solution/<ID>` branch also needs its PR reviewer's
approval; where both are required the reviewer approves first, and only then
is the customer asked. Pure: the ticket and the config in, answers out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from gitdesk.core.config import Config
from gitdesk.core.ticket import PRIORITIES, Ticket
from gitdesk.errors import ConfigError

CustomerReview = Literal["required", "optional", "off"]
MODES: tuple[CustomerReview, ...] = ("required", "optional", "off")
DEFAULT: CustomerReview = "required"
REQUESTER = "requester"  # the `role` of a review event the customer gave


def customer_mode(config: Config) -> CustomerReview:
    """`review.customer`, validated: required, optional or off."""
    return review_rules(config).customer


def current_proposal(t: Ticket) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The latest propose event and the review events given since."""
    for n in range(len(t.history) - 1, -1, -1):
        if t.history[n].get("action") == "propose":
            return t.history[n], [e for e in t.history[n + 1 :] if e.get("action") == "review"]
    return None, []


def is_customer(event: dict[str, Any]) -> bool:
    return event.get("role") == REQUESTER


def needed(t: Ticket, config: Config) -> set[str]:
    """Whose approval the current proposal needs to resolve the ticket: "reviewer", "requester".

    The reviewer's is needed on a solution branch (its PR is reviewed) and wherever
    review.approvals asks for more than one.
    """
    proposal, _ = current_proposal(t)
    rules = review_rules(config)
    reviewer = bool(proposal and proposal.get("branch")) or rules.approvals > 1
    roles = {"reviewer"} if reviewer else set()
    return roles | {"requester"} if rules.customer == "required" else roles


def reviewer_approvals(t: Ticket) -> list[str]:
    """The reviewers (lower case, each once) whose approval of the current proposal stands (not dismissed)."""
    _, reviews = current_proposal(t)
    dismissed = {e.get("review_id") for e in reviews if e.get("verdict") == "dismiss" and e.get("review_id")}
    standing = [
        e
        for e in reviews
        if e.get("verdict") == "approve" and not is_customer(e) and e.get("review_id") not in dismissed
    ]
    return list(dict.fromkeys(str(e.get("by") or "").lower() for e in standing))


def approved_by(t: Ticket, config: Config, also: str | None = None) -> set[str]:
    """Whose approvals the current proposal has so far (with one more reviewer approval by `also`)."""
    _, reviews = current_proposal(t)
    logins = set(reviewer_approvals(t)) | ({also.lower()} if also else set())
    roles = {"reviewer"} if len(logins) >= review_rules(config).approvals else set()
    return roles | ({REQUESTER} if any(is_customer(e) and e.get("verdict") == "approve" for e in reviews) else set())


def resolves(t: Ticket, config: Config, role: str, by: str | None = None) -> bool:
    """Whether one more approval by `role` ("reviewer" or "requester"; reviewer `by`) resolves the ticket."""
    given = approved_by(t, config, by if role == "reviewer" else None)
    if role != "reviewer":
        given |= {role}
    return not needed(t, config) - given


def awaiting_customer(t: Ticket, config: Config) -> bool:
    """The proposal is the customer's to judge now: they are asked, and no reviewer approval comes first."""
    if t.status != "proposed" or customer_mode(config) == "off":
        return False
    given = approved_by(t, config)
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


# -- who may review, and how many approvals resolve: review.reviewers / approvals / self_approval ----
TRUSTED = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})  # GitHub author_association values that may review
KEYS = ("customer", "reviewers", "approvals", "self_approval", "quick_resolve")


@dataclass(frozen=True)
class ReviewRules:
    """The `review` section of gitdesk.yml, validated once."""

    customer: CustomerReview = DEFAULT
    reviewers: frozenset[str] = frozenset()  # logins, lower case; empty: no list configured
    approvals: int = 1  # reviewer approvals a proposal needs
    self_approval: bool = False  # may the proposer approve their own solution?
    quick_resolve: frozenset[str] = frozenset()  # priorities `gitdesk resolve` may skip review for


_RULES: dict[int, tuple[Config, ReviewRules]] = {}


def review_rules(config: Config) -> ReviewRules:
    """`review` validated (once per loaded config): unknown keys and bad values name the key."""
    cached = _RULES.get(id(config))
    if cached and cached[0] is config:
        return cached[1]
    raw = config.section("review")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ConfigError(f"review.{unknown[0]}", f"unknown key (use {', '.join(KEYS)})")
    customer = raw.get("customer", DEFAULT)
    if customer is False:  # YAML reads a bare `off` as false
        customer = "off"
    if customer not in MODES:
        raise ConfigError("review.customer", f"'{customer}' must be required, optional or off")
    reviewers = raw.get("reviewers") or []
    if not isinstance(reviewers, list) or not all(isinstance(x, str) and x.strip() for x in reviewers):
        raise ConfigError("review.reviewers", "must be a list of GitHub logins")
    approvals = raw.get("approvals", 1)
    if not isinstance(approvals, int) or isinstance(approvals, bool) or approvals < 1:
        raise ConfigError("review.approvals", f"'{approvals}' must be a whole number of 1 or more")
    self_approval = raw.get("self_approval", False)
    if not isinstance(self_approval, bool):
        raise ConfigError("review.self_approval", f"'{self_approval}' must be true or false")
    quick = _quick_resolve(raw.get("quick_resolve", False))
    rules = ReviewRules(customer, frozenset(_login(x) for x in reviewers), approvals, self_approval, quick)
    _RULES[id(config)] = (config, rules)
    return rules


def _quick_resolve(value: Any) -> frozenset[str]:
    """`review.quick_resolve`: false (the default), true (every priority) or a list such as [P4]."""
    if value is False or value is None:
        return frozenset()
    if value is True:
        return frozenset(PRIORITIES)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(str(p).upper() in PRIORITIES for p in value):
        raise ConfigError("review.quick_resolve", f"'{value}' must be true, false or a list of priorities (P1..P4)")
    return frozenset(str(p).upper() for p in value)


def quick_resolve_refusal(t: Ticket, config: Config) -> str:
    """Why `gitdesk resolve` may not resolve `t` without a review ("" = it may).

    The desk must allow it for the ticket's priority (review.quick_resolve), and the review
    rules must not ask for a verdict a quick resolve would skip: the customer's
    (review.customer: required) or more than one reviewer's (review.approvals).
    """
    rules = review_rules(config)
    if not rules.quick_resolve:
        return "this desk does not allow a quick resolve (set review.quick_resolve in gitdesk.yml); propose a solution"
    if t.priority not in rules.quick_resolve:
        allowed = ", ".join(sorted(rules.quick_resolve))
        has = f"it is {t.priority}" if t.priority else "it has no priority yet"
        return f"a quick resolve is allowed for {allowed} only (review.quick_resolve); {has}"
    if rules.customer == "required":
        return "the customer approves solutions on this desk (review.customer: required); propose the solution"
    if rules.approvals > 1:
        return f"a solution needs {rules.approvals} reviewer approvals here (review.approvals); propose the solution"
    return ""


def _login(name: str) -> str:
    return name.strip().lstrip("@").lower()


def codeowners(text: str) -> frozenset[str]:
    """The user logins a CODEOWNERS file names (`@org/team` entries need GitHub to resolve: not counted)."""
    logins = set()
    for line in text.splitlines():
        for word in line.split("#", 1)[0].split()[1:]:
            if word.startswith("@") and "/" not in word:
                logins.add(_login(word))
    return frozenset(logins)


def refusal(
    rules: ReviewRules,
    login: str,
    approve: bool,
    proposer: set[str],
    association: str | None = None,
    owners: frozenset[str] = frozenset(),
) -> str:
    """Why `login` may not give this verdict ("" = allowed): the one permission rule, CLI and GitHub alike.

    From GitHub (`association` given) OWNER, MEMBER and COLLABORATOR may review, and so may
    anyone under review.reviewers or in CODEOWNERS. On the CLI (no association) the list
    applies where one is configured. Nobody approves their own proposal unless
    review.self_approval is true.
    """
    who = _login(login)
    listed = who in rules.reviewers or who in owners
    if association is not None and association.upper() not in TRUSTED and not listed:
        return (
            f"{login} may not review here (author_association {association}; "
            "list them under review.reviewers in gitdesk.yml)"
        )
    if association is None and (rules.reviewers or owners) and not listed:
        return f"{login} is not among the reviewers (review.reviewers in gitdesk.yml, CODEOWNERS)"
    if approve and not rules.self_approval and who in {_login(p) for p in proposer if p}:
        return f"{login} proposed this solution and cannot approve it (review.self_approval: true allows it)"
    return ""
