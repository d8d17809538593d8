"""A GitHub `pull_request_review` webhook payload, read into a review verdict on a ticket.

Reviewers approve or reject a proposed solution with an ordinary PR review;
the review workflow hands the event file to `gitdesk review --from-github-event`,
which records the verdict. Anything this module does not understand is refused
with a clear message before the desk is touched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from gitdesk.core import actions, review_policy
from gitdesk.core.actions import Context
from gitdesk.core.config import Config
from gitdesk.core.ids import canonical
from gitdesk.core.lifecycle import RESOLVED
from gitdesk.core.ticket import Ticket
from gitdesk.errors import BadEvent, NothingToRecord, ReviewRefused

SOLUTION_BRANCH = "solution/"
VERDICTS = {"approved": True, "changes_requested": False}
ID_CHARS = "0-9a-hjkmnp-tv-z"  # the Crockford alphabet of core.ids


@dataclass(frozen=True)
class ReviewVerdict:
    """What a PR review says about which ticket, and who said it.

    `ignored` is the reason a well-formed payload records nothing (a comment,
    a PR that is not about a ticket); the command exits 0 for it.
    """

    ticket: str
    approve: bool
    by: str
    body: str
    extra: dict[str, Any] = field(default_factory=dict)  # pr number, review id and URL, kept on the event
    dismiss: bool = False
    association: str | None = None  # GitHub's author_association of the reviewer
    pr_author: str = ""
    ignored: str = ""


def read_event(path: str, prefix: str) -> ReviewVerdict:
    """Read a payload file (as GitHub writes it to $GITHUB_EVENT_PATH)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise BadEvent(path, f"cannot read the event file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BadEvent(path, "the event file is not UTF-8 text") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadEvent(path, f"not a JSON webhook payload (line {exc.lineno}: {exc.msg})") from None
    return verdict_from_payload(payload, prefix, path)


def _get(data: Any, dotted: str, source: str, kind: type = str) -> Any:
    value, parts = data, dotted.split(".")
    for n, part in enumerate(parts, 1):
        if not isinstance(value, dict) or part not in value:
            raise BadEvent(source, f"not a pull_request_review payload: '{'.'.join(parts[:n])}' is missing")
        value = value[part]
    if not isinstance(value, kind):
        raise BadEvent(source, f"'{dotted}' should be {kind.__name__}, not {type(value).__name__}")
    return value


def verdict_from_payload(payload: Any, prefix: str, source: str = "event") -> ReviewVerdict:
    """The verdict of a submitted or dismissed review; BadEvent for any payload that is not a review."""
    if not isinstance(payload, dict):
        raise BadEvent(source, "not a webhook payload (expected a JSON object)")
    action = _get(payload, "action", source)
    by = _get(payload, "review.user.login", source)
    state = _get(payload, "review.state", source).lower()
    pr = _get(payload, "pull_request", source, dict)
    review = payload["review"]
    extra = {"pr": pr.get("number"), "review_id": review.get("id"), "review_url": review.get("html_url")}
    author = pr.get("user") if isinstance(pr.get("user"), dict) else {}
    found = ReviewVerdict(
        "",
        state == "approved",
        by,
        "",
        {k: v for k, v in extra.items() if v not in (None, "")},
        dismiss=action == "dismissed",
        association=str(review.get("author_association") or "NONE"),
        pr_author=str(author.get("login") or ""),
    )
    if action not in ("submitted", "dismissed"):
        return replace(found, ignored=f"review action '{action}' records nothing (submitted and dismissed do)")
    if action == "submitted" and state not in VERDICTS:
        return replace(found, ignored=f"a '{state}' review is no verdict (approved and changes_requested are)")
    body = review.get("body") or ""
    if not isinstance(body, str):
        raise BadEvent(source, "'review.body' should be text")
    if action == "submitted" and not VERDICTS[state] and not body.strip():
        raise BadEvent(source, "a changes_requested review needs a body: it is the feedback on the ticket")
    try:
        ticket = ticket_for(pr, prefix, source)
    except NotAboutATicket as exc:
        return replace(found, ignored=str(exc))
    return replace(found, ticket=ticket, body=body.strip())


class NotAboutATicket(BadEvent):
    """The PR names no ticket (nor several): its reviews are not the desk's business."""


def ticket_for(pr: dict[str, Any], prefix: str, source: str = "event") -> str:
    """The ticket a PR is about: its `solution/<ID>` branch, else the one ID named in its body."""
    head = pr["head"] if isinstance(pr.get("head"), dict) else {}
    ref = str(head.get("ref") or "")
    if ref.startswith(SOLUTION_BRANCH) and len(ref) > len(SOLUTION_BRANCH):
        return canonical(ref[len(SOLUTION_BRANCH) :])
    pattern = re.compile(rf"(?<![\w-]){re.escape(prefix)}-[{ID_CHARS}]{{8}}(?![\w-])", re.I)
    found = list(dict.fromkeys(canonical(m) for m in pattern.findall(str(pr.get("body") or ""))))
    if len(found) == 1:
        return found[0]
    if found:
        raise BadEvent(
            source,
            f"the PR body names several tickets ({', '.join(found)}); use a "
            "solution/<ID> branch to say which one the review is about",
        )
    raise NotAboutATicket(
        source,
        f"cannot tell which ticket PR #{pr.get('number')} is about: its branch "
        f"'{ref}' is not solution/<ID> and its body names no {prefix}- ticket",
    )


def _proposers(t: Ticket, pr_author: str = "") -> set[str]:
    proposal, _ = review_policy.current_proposal(t)
    return {str(proposal.get("by") or "") if proposal else "", pr_author} - {""}


def check_reviewer(t: Ticket, config: Config, by: str, approve: bool, owners: frozenset[str]) -> None:
    """`gitdesk review --by`: where review.reviewers is configured, the permission rule applies."""
    rules = review_policy.review_rules(config)
    if rules.reviewers:
        why = review_policy.refusal(rules, by, approve, _proposers(t), None, owners)
        if why:
            raise ReviewRefused(f"{t.id}: review not recorded: {why}")


def apply_verdict(t: Ticket, ctx: Context, found: ReviewVerdict, owners: frozenset[str]) -> None:
    """Record a PR review on its ticket, or raise NothingToRecord saying why it changes nothing."""
    rid = found.extra.get("review_id")
    mine = [e for e in t.history if rid is not None and e.get("action") == "review" and e.get("review_id") == rid]
    if found.dismiss:
        if not mine:
            raise NothingToRecord(f"{t.id}: review {rid} was never recorded; its dismissal changes nothing")
        if any(e.get("verdict") == "dismiss" for e in mine):
            raise NothingToRecord(f"{t.id}: review {rid} was dismissed already")
        _, current = review_policy.current_proposal(t)
        if mine[0] not in current or t.status not in ("proposed", "resolved", "in_progress"):
            raise NothingToRecord(f"{t.id}: review {rid} no longer counts ({t.status}); its dismissal changes nothing")
        actions.dismiss_review(t, ctx, found.by, rid, pr=found.extra.get("pr"))
        return
    if mine:
        raise NothingToRecord(f"{t.id}: review {rid} is recorded already (a redelivery)")
    if found.approve and t.status in RESOLVED:
        raise NothingToRecord(f"{t.id} is {t.status} already; a later approval changes nothing")
    rules = review_policy.review_rules(ctx.config)
    why = review_policy.refusal(
        rules, found.by, found.approve, _proposers(t, found.pr_author), found.association, owners
    )
    if why:
        raise NothingToRecord(f"{t.id}: review not recorded: {why}")
    if found.approve and found.by.lower() in review_policy.reviewer_approvals(t):
        raise NothingToRecord(f"{t.id}: {found.by} approved this proposal already; an approval counts once")
    actions.review(t, ctx, found.approve, found.by, found.body or None, **found.extra)
