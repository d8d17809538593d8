"""A GitHub `pull_request_review` webhook payload, read into a review verdict on a ticket.

Reviewers approve or reject a proposed solution with an ordinary PR review;
the review workflow hands the event file to `gitdesk review --from-github-event`,
which records the verdict. Anything this module does not understand is refused
with a clear message before the desk is touched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from gitdesk.core.ids import canonical
from gitdesk.errors import BadEvent

SOLUTION_BRANCH = "solution/"
VERDICTS = {"approved": True, "changes_requested": False}
ID_CHARS = "0-9a-hjkmnp-tv-z"  # the Crockford alphabet of core.ids


@dataclass(frozen=True)
class ReviewVerdict:
    """What a PR review says about which ticket, and who said it."""

    ticket: str
    approve: bool
    by: str
    body: str
    extra: dict[str, Any] = field(default_factory=dict)  # pr number and review URL, kept on the event


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
    """The verdict of a submitted review; BadEvent for any payload that is not one."""
    if not isinstance(payload, dict):
        raise BadEvent(source, "not a webhook payload (expected a JSON object)")
    action = _get(payload, "action", source)
    if action != "submitted":
        raise BadEvent(source, f"review action '{action}' is not handled (only 'submitted' reviews count)")
    state = _get(payload, "review.state", source).lower()
    if state not in VERDICTS:
        raise BadEvent(
            source, f"review state '{state}' is not a verdict (only approved and changes_requested are recorded)"
        )
    by = _get(payload, "review.user.login", source)
    body = payload["review"].get("body") or ""
    if not isinstance(body, str):
        raise BadEvent(source, "'review.body' should be text")
    if not VERDICTS[state] and not body.strip():
        raise BadEvent(source, "a changes_requested review needs a body: it is the feedback on the ticket")
    pr = _get(payload, "pull_request", source, dict)
    extra = {"pr": pr.get("number"), "review_url": payload["review"].get("html_url")}
    return ReviewVerdict(
        ticket_for(pr, prefix, source),
        VERDICTS[state],
        by,
        body.strip(),
        {k: v for k, v in extra.items() if v not in (None, "")},
    )


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
    raise BadEvent(
        source,
        f"cannot tell which ticket PR #{pr.get('number')} is about: its branch "
        f"'{ref}' is not solution/<ID> and its body names no {prefix}- ticket",
    )
