"""The words of every proactive update to a customer, in one place, in the ticket's language.

Each function returns the message's subject and lines; the channel (email, Slack,
GitHub) only decides how they travel. `how` is the channel's own way to answer:
"reply to this message", "reply in this thread", "comment on this issue".
The summaries the desk logs stay English: they are for staff.
"""

from __future__ import annotations

from dataclasses import dataclass

from gitdesk.core.ticket import Ticket
from gitdesk.i18n import N_, Translator
from gitdesk.intake.text import one_line

HOW_TO_ANSWER = {
    "email": N_("reply to this message and keep [{id}] in the subject"),
    "slack": N_("reply in this thread"),
    "github": N_("comment on this issue"),
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


def how_to_answer(via: str, ticket_id: str, tr: Translator) -> str:
    return tr._(HOW_TO_ANSWER.get(via, HOW_TO_ANSWER["email"]), id=ticket_id)


def _name(t: Ticket, tr: Translator) -> str:
    name = one_line(str(t.requester.get("name") or ""), 80)
    return tr._("Hello {name},", name=name) if name else tr._("Hello,")


def _follow(link: str, tr: Translator) -> list[str]:
    return ["", tr._("Follow your request here: {link}", link=link)] if link else []


def question(t: Ticket, text: str, how: str, link: str, tr: Translator) -> Message:
    intro = tr._('To go on with your request {id} "{title}" we need an answer from you:', id=t.id, title=t.title)
    lines = [_name(t, tr), "", intro, ""]
    lines += [f"  {line}" for line in text.splitlines()]
    lines += ["", tr._("To answer, {how}.", how=how)]
    return Message("question", tr._("We have a question: {title}", title=t.title), lines + _follow(link, tr))


def proposed(t: Ticket, solution: str, how: str, link: str, choices: bool, tr: Translator) -> Message:
    intro = tr._('We propose this solution for your request {id} "{title}":', id=t.id, title=t.title)
    lines = [_name(t, tr), "", intro, ""]
    lines += [f"  {line}" for line in solution.splitlines()]
    if choices:
        lines += [
            "",
            tr._("Does it solve your problem? To tell us, {how} with one of:", how=how),
            "",
            "  " + tr._("accept                         - it is solved"),
            "  " + tr._("change: what is still wrong    - we work on it again, from your request and what you tell us"),
        ]
    return Message("proposed", tr._("Proposed solution: {title}", title=t.title), lines + _follow(link, tr))


def changes(t: Ticket, feedback: str, link: str, tr: Translator) -> Message:
    intro = tr._(
        'We have recorded what you asked us to change in the solution for {id} "{title}":', id=t.id, title=t.title
    )
    lines = [_name(t, tr), "", intro]
    lines += ["", *[f"  {line}" for line in feedback.splitlines()], ""]
    lines += [tr._("A technician is working on it again; we will send you the new solution.")]
    return Message("changes", tr._("Changes recorded: {title}", title=t.title), lines + _follow(link, tr))


def resolved(t: Ticket, link: str, tr: Translator) -> Message:
    lines = [
        _name(t, tr),
        "",
        tr._('Your request {id} "{title}" is resolved. Thank you for confirming the solution.', id=t.id, title=t.title),
    ]
    lines += [tr._("We will close it shortly and ask you how we did.")]
    return Message("resolved", tr._("Resolved: {title}", title=t.title), lines + _follow(link, tr))


def closed(t: Ticket, link: str, tr: Translator) -> Message:
    lines = [_name(t, tr), "", tr._('Your request {id} "{title}" is closed.', id=t.id, title=t.title)]
    lines += [tr._("Please tell us how we did: five short questions, one minute, on the request's page.")]
    return Message("closed", tr._("Closed: {title}", title=t.title), lines + _follow(link, tr))


def reopened(t: Ticket, reason: str, link: str, tr: Translator) -> Message:
    intro = tr._('We have reopened your request {id} "{title}":', id=t.id, title=t.title)
    lines = [_name(t, tr), "", intro, "", f"  {reason}"]
    return Message("reopened", tr._("Reopened: {title}", title=t.title), lines + _follow(link, tr))


def cancelled(t: Ticket, reason: str, link: str, tr: Translator) -> Message:
    intro = tr._('Your request {id} "{title}" was cancelled:', id=t.id, title=t.title)
    lines = [_name(t, tr), "", intro, "", f"  {reason}"]
    return Message("cancelled", tr._("Cancelled: {title}", title=t.title), lines + _follow(link, tr))
