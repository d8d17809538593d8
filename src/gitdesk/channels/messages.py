"""The words of every proactive update to a customer, in one place (so they can be translated).

Each function returns the message's subject and lines; the channel (email, Slack,
GitHub) only decides how they travel. `how` is the channel's own way to answer:
"reply to this message", "reply in this thread", "comment on this issue".
"""

from __future__ import annotations

from dataclasses import dataclass

from gitdesk.core.ticket import Ticket
from gitdesk.intake.text import one_line

HOW_TO_ANSWER = {
    "email": "reply to this message and keep [{id}] in the subject",
    "slack": "reply in this thread",
    "github": "comment on this issue",
}
SUMMARY = {  # the outbound contact each update is logged as
    "question": "Question sent to the customer",
    "proposed": "Proposed solution sent to the customer for review",
    "changes": "Told the customer their requested changes are recorded",
    "resolved": "Told the customer the request is resolved",
    "closed": "Told the customer the request is closed, with the survey invitation",
    "reopened": "Told the customer the request is reopened",
    "cancelled": "Told the customer the request is cancelled",
}


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    lines: list[str]

    @property
    def summary(self) -> str:
        return SUMMARY[self.kind]

    def text(self) -> str:
        return "\n".join(self.lines).strip() + "\n"


def _name(t: Ticket) -> str:
    name = one_line(str(t.requester.get("name") or ""), 80)
    return f"Hello {name}," if name else "Hello,"


def _follow(link: str) -> list[str]:
    return ["", f"Follow your request here: {link}"] if link else []


def question(t: Ticket, text: str, how: str, link: str) -> Message:
    lines = [_name(t), "", f'To go on with your request {t.id} "{t.title}" we need an answer from you:', ""]
    lines += [f"  {line}" for line in text.splitlines()]
    lines += ["", f"To answer, {how}."]
    return Message("question", f"We have a question: {t.title}", lines + _follow(link))


def proposed(t: Ticket, solution: str, how: str, link: str, choices: bool) -> Message:
    lines = [_name(t), "", f'We propose this solution for your request {t.id} "{t.title}":', ""]
    lines += [f"  {line}" for line in solution.splitlines()]
    if choices:
        lines += [
            "",
            f"Does it solve your problem? To tell us, {how} with one of:",
            "",
            "  accept                         - it is solved",
            "  change: what is still wrong    - we work on it again, from your request and what you tell us",
        ]
    return Message("proposed", f"Proposed solution: {t.title}", lines + _follow(link))


def changes(t: Ticket, feedback: str, link: str) -> Message:
    lines = [_name(t), "", f'We have recorded what you asked us to change in the solution for {t.id} "{t.title}":']
    lines += ["", *[f"  {line}" for line in feedback.splitlines()], ""]
    lines += ["A technician is working on it again; we will send you the new solution."]
    return Message("changes", f"Changes recorded: {t.title}", lines + _follow(link))


def resolved(t: Ticket, link: str) -> Message:
    lines = [_name(t), "", f'Your request {t.id} "{t.title}" is resolved. Thank you for confirming the solution.']
    lines += ["We will close it shortly and ask you how we did."]
    return Message("resolved", f"Resolved: {t.title}", lines + _follow(link))


def closed(t: Ticket, link: str) -> Message:
    lines = [_name(t), "", f'Your request {t.id} "{t.title}" is closed.']
    lines += ["Please tell us how we did: five short questions, one minute, on the request's page."]
    return Message("closed", f"Closed: {t.title}", lines + _follow(link))


def reopened(t: Ticket, reason: str, link: str) -> Message:
    lines = [_name(t), "", f'We have reopened your request {t.id} "{t.title}":', "", f"  {reason}"]
    return Message("reopened", f"Reopened: {t.title}", lines + _follow(link))


def cancelled(t: Ticket, reason: str, link: str) -> Message:
    lines = [_name(t), "", f'Your request {t.id} "{t.title}" was cancelled:', "", f"  {reason}"]
    return Message("cancelled", f"Cancelled: {t.title}", lines + _follow(link))
