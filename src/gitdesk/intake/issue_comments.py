"""A comment on a request's GitHub issue: the customer answering there (a reply, or their verdict).

The request form opened the issue and the ticket records `github:<repo>#<number>` among
its message IDs, so a comment threads onto it like an emailed reply. Comments by bots
(the desk's own updates, posted with the workflow's token) and edits are never taken.
"""

from __future__ import annotations

from typing import Any

from gitdesk.intake import Outcome
from gitdesk.intake.record import Request, receive
from gitdesk.intake.rules import settings
from gitdesk.intake.text import one_line


def request_of(event: dict[str, Any]) -> Request | str:
    """The Request in an `issue_comment` event, or why it is not one."""
    comment, issue = event["comment"], event["issue"]
    if event.get("action") not in (None, "created"):
        return f"comment action '{event.get('action')}', only 'created' is taken"
    user = comment.get("user") if isinstance(comment.get("user"), dict) else {}
    login = str(user.get("login") or "")
    if user.get("type") == "Bot" or login.endswith("[bot]") or comment.get("performed_via_github_app"):
        return "a bot's comment (the desk's own updates among them): never a reply"
    body = str(comment.get("body") or "").strip()
    if not body:
        return "an empty comment"
    repo = str((event.get("repository") or {}).get("full_name") or "github")
    number = issue.get("number")
    return Request(
        "github",
        f"github:{repo}#{number}:comment:{comment.get('id')}",
        one_line(str(issue.get("title") or ""), 120),
        {"name": login, "github": login} if login else {},
        body,
        thread_ids=[f"github:{repo}#{number}"],
    )


def take_comment(desk: Any, event: dict[str, Any]) -> Outcome:
    from gitdesk.store.messages import MessageIndex

    req = request_of(event)
    if isinstance(req, str):
        return Outcome("ignored", reason=req)
    if MessageIndex(desk.store).first(req.thread_ids) is None:  # only ever a reply: never a ticket of its own
        return Outcome("ignored", reason="a comment on an issue no ticket came from")
    return receive(desk, req, settings(desk.config))
