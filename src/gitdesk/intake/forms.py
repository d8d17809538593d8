"""GitHub issue forms: an `issues` event from the request or survey form becomes a ticket or a survey.

GitHub renders a form into the issue body as `### <label>` sections, with
`_No response_` for blank fields; the labels below are the ones in
.github/ISSUE_TEMPLATE/request.yml and survey.yml (a test keeps them in step).
The issue text is untrusted input: it only ever becomes ticket data, never a command.
"""

from __future__ import annotations

import hmac
import json
import re
from pathlib import Path
from typing import Any

from gitdesk.core.ids import canonical
from gitdesk.core.ticket import valid_email
from gitdesk.errors import InvalidValue
from gitdesk.intake import Outcome, survey_reply
from gitdesk.intake.record import Request, receive
from gitdesk.intake.rules import settings
from gitdesk.intake.text import one_line

REQUEST_LABEL, SURVEY_LABEL = "gitdesk-request", "gitdesk-survey"
REQUEST_FIELDS = {
    "Your name": "name",
    "Email": "email",
    "Phone": "phone",
    "What is the problem?": "problem",
    "When does it happen?": "when",
    "How does it happen?": "how",
    "Has it happened before?": "before",
    "Location": "location",
    "Product or model": "model",
    "Licence": "licence",
    "Account": "account",
}
SURVEY_FIELDS = {
    "Ticket ID": "ticket",
    "How satisfied are you?": "score",
    "Did we ask the right questions?": "right_questions",
    "Was the time to resolve adequate?": "time",
    "Anything else you want to tell us?": "comment",
    "What should we improve?": "improve",
    "Survey token": "token",
}


def sections(body: str) -> dict[str, str]:
    """`### Label` -> value, with GitHub's `_No response_` read as empty."""
    out: dict[str, str] = {}
    parts = re.split(r"^###[ \t]+(.+?)[ \t]*$", body.replace("\r\n", "\n"), flags=re.M)
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        value = value.strip()
        out[label.strip()] = "" if value == "_No response_" else value
    return out


def _fields(body: str, names: dict[str, str]) -> dict[str, str]:
    found = sections(body)
    return {key: found.get(label, "") for label, key in names.items()}


def load_event(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValue(str(path), f"cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidValue(str(path), f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("issue"), dict):
        raise InvalidValue(str(path), "not a GitHub `issues` event (no `issue` object)")
    return data


def kind_of(issue: dict[str, Any]) -> str:
    labels = {str(lb.get("name")) for lb in issue.get("labels") or [] if isinstance(lb, dict)}
    body = str(issue.get("body") or "")
    if SURVEY_LABEL in labels or "### Ticket ID" in body:
        return "survey"
    if REQUEST_LABEL in labels or "### What is the problem?" in body:
        return "request"
    return ""


def take_issue(desk: Any, event: dict[str, Any]) -> Outcome:
    issue = event["issue"]
    if isinstance(event.get("comment"), dict):  # an issue_comment event: the customer answering on their issue
        from gitdesk.intake.issue_comments import take_comment

        return take_comment(desk, event)
    if event.get("action") not in (None, "opened"):
        return Outcome("ignored", reason=f"action '{event.get('action')}', only 'opened' is taken")
    kind = kind_of(issue)
    if kind == "survey":
        return _survey(desk, issue)
    if kind == "request":
        return receive(desk, _request(event, issue), settings(desk.config))
    return Outcome("ignored", reason="not from the request or survey form")


def _request(event: dict[str, Any], issue: dict[str, Any]) -> Request:
    f = _fields(str(issue.get("body") or ""), REQUEST_FIELDS)
    login = str((issue.get("user") or {}).get("login") or "")
    email = f["email"].strip().lower()
    if email and not valid_email(email):
        raise InvalidValue("issue form: Email", f"'{one_line(email, 80)}' is not an email address")
    who = {"name": one_line(f["name"], 80) or login, "email": email, "phone": one_line(f["phone"], 40), "github": login}
    body = "\n\n".join(
        f"**{label}**\n\n{f[key]}"
        for label, key in (
            ("What is the problem?", "problem"),
            ("When does it happen?", "when"),
            ("How does it happen?", "how"),
            ("Has it happened before?", "before"),
        )
        if f[key]
    )
    title = re.sub(r"^\s*\[?request\]?\s*:?\s*", "", str(issue.get("title") or ""), flags=re.I)
    repo = str((event.get("repository") or {}).get("full_name") or "github")
    product = {k: one_line(f[k], 200) for k in ("model", "licence", "account") if f[k]}
    extra = {"github": {"issue": issue.get("number"), "url": str(issue.get("html_url") or ""), "repo": repo}}
    return Request(
        "github",
        f"github:{repo}#{issue.get('number')}",
        one_line(title, 120) or one_line(f["problem"], 80),
        {k: v for k, v in who.items() if v},
        body,
        [],
        product,
        one_line(f["location"], 200),
        [],
        [],
        extra,
    )


def _survey(desk: Any, issue: dict[str, Any]) -> Outcome:
    f = _fields(str(issue.get("body") or ""), SURVEY_FIELDS)
    ref = f["ticket"].strip().strip("[]")
    if not ref:
        raise InvalidValue("issue form: Ticket ID", "is empty")
    ticket_id = canonical(ref)
    if "-" not in ticket_id or not desk.store.exists(ticket_id):  # a prefix could name someone else's ticket
        raise InvalidValue("issue form: Ticket ID", f"'{one_line(ref, 40)}' is not a ticket ID (give it whole)")
    who = _surveyor(desk, ticket_id, f.get("token", ""), str((issue.get("user") or {}).get("login") or ""))
    answers = survey_reply.from_values(f)
    if answers.problem and not survey_reply.recorded(desk, ticket_id):
        label = next(label for label, key in SURVEY_FIELDS.items() if key == answers.problem_key)
        raise InvalidValue(f"issue form: {label}", answers.problem.split(": ", 1)[-1])
    return survey_reply.record(desk, ticket_id, answers, "github", who)


def _surveyor(desk: Any, ticket_id: str, token: str, login: str) -> str:
    """Who answers, or InvalidValue: with a site key (GITDESK_SITE_KEY) a survey counts only from the
    requester, proven by the link's token or by being the GitHub user who filed the request."""
    from gitdesk.site.privacy import site_key

    requester = desk.store.load(ticket_id).requester
    if login and login == requester.get("github"):
        return f"github:{login}"
    key = site_key()
    if not key:  # nothing to check against: recorded as answered by this GitHub user
        return f"github:{login}" if login else ""
    if token.strip() and hmac.compare_digest(token.strip(), survey_reply.survey_token(key, ticket_id)):
        return str(requester.get("email") or f"github:{login}")
    raise InvalidValue(
        "issue form: Survey token",
        "missing or wrong: a survey counts only from the requester; use the link from our email",
    )
