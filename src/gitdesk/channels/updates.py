"""Proactive updates: every customer-visible change reaches the requester through their channel.

After a verb, `announce` looks at the event it recorded, words the update
(messages.py) and sends it where the request came from: a Slack thread, the
GitHub issue (closed when the ticket closes), else email. What was sent is logged
on the ticket as an outbound contact (one commit through the Desk); a delivery
that fails is noted on the ticket instead, never dropped. A channel the desk has not
configured (no SMTP server, no token) sends nothing and records nothing; a requester
who opted out (`updates: off` on the ticket, or `updates.opt_out` in gitdesk.yml)
gets nothing either. The survey invitation by email stays with `gitdesk close`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gitdesk.channels import messages
from gitdesk.channels.http import DeliveryError
from gitdesk.core import review_policy
from gitdesk.core.config import Config, expect
from gitdesk.core.lifecycle import ENDED
from gitdesk.core.ticket import Ticket
from gitdesk.errors import ConfigError, GitdeskError


@dataclass(frozen=True)
class Sent:
    """What became of one update: sent (logged), failed (noted), or skipped and why."""

    kind: str
    state: str  # sent, failed, skipped
    via: str = ""
    detail: str = ""


def opted_out(t: Ticket, config: Config) -> bool:
    raw = config.section("updates")
    unknown = sorted(set(raw) - {"opt_out"})
    if unknown:
        raise ConfigError(f"updates.{unknown[0]}", "unknown key (use opt_out)")
    addresses = expect(raw.get("opt_out") or [], list, "updates.opt_out", "a list of email addresses")
    email = str(t.requester.get("email") or "").lower()
    return str(t.meta.get("updates", "on")).lower() in ("off", "false") or (
        bool(email) and email in {str(a).lower() for a in addresses}
    )


def due(t: Ticket, config: Config) -> str:
    """The update the ticket's last event calls for ("" for an internal one)."""
    if not t.history:
        return ""
    event = t.history[-1]
    action = event.get("action")
    if action == "wait":
        return "question"
    if action == "propose":
        off = review_policy.customer_mode(config) == "off"
        return "proposed" if off or review_policy.awaiting_customer(t, config) else ""
    if action == "review":
        if event.get("to") == "resolved":
            return "resolved"
        if event.get("verdict") == "approve" and review_policy.awaiting_customer(t, config):
            return "proposed"  # the PR reviewer approved first: now the customer is asked
        return "changes" if review_policy.is_customer(event) and event.get("verdict") != "approve" else ""
    return {"close": "closed", "reopen": "reopened", "cancel": "cancelled"}.get(str(action), "")


def route(t: Ticket, mail_ready: bool) -> str:
    """The channel the update travels by: where the request came from, else email; "" when none is set up."""
    from gitdesk.channels import github, slack

    channel = t.meta.get("channel")
    if channel == "slack" and slack.reachable(t):
        return "slack"
    if channel == "github" and github.reachable(t):
        return "github"
    return "email" if mail_ready and t.requester.get("email") else ""


def compose(desk: Any, t: Ticket, kind: str, via: str, link: str) -> messages.Message:
    """The update in the ticket's language (the desk's when the ticket names none)."""
    from gitdesk.i18n import for_ticket

    tr = for_ticket(desk.config, t.meta)
    how = messages.how_to_answer(via, t.id, tr)
    event = t.history[-1]
    if kind == "question":
        return messages.question(t, str(event.get("question") or ""), how, link, tr)
    if kind == "proposed":
        proposal, _ = review_policy.current_proposal(t)
        choices = review_policy.awaiting_customer(t, desk.config)
        return messages.proposed(t, str((proposal or {}).get("solution") or ""), how, link, choices, tr)
    if kind == "changes":
        return messages.changes(t, str(event.get("feedback") or ""), link, tr)
    if kind == "resolved":
        return messages.resolved(t, link, tr)
    if kind == "closed":
        return messages.closed(t, link, tr)
    reason = str(event.get("reason") or "")
    return (messages.reopened if kind == "reopened" else messages.cancelled)(t, reason, link, tr)


def announce(desk: Any, ticket: Ticket) -> Sent | None:
    """Send the update `ticket`'s last event calls for, and log it; None when it calls for none."""
    from gitdesk.channels import mail

    kind = due(ticket, desk.config)
    if not kind:
        return None
    if opted_out(ticket, desk.config):
        return Sent(kind, "skipped", detail="the requester opted out of updates")
    cfg = mail.settings(desk.config)
    via = route(ticket, bool(cfg.host and cfg.sender))
    if not via:
        return Sent(kind, "skipped", detail="no channel to the requester is configured")
    if kind == "closed" and via == "email":
        return Sent(kind, "skipped", "email", "the survey invitation gitdesk close sends is the update")
    message = compose(desk, ticket, kind, via, mail.status_link(desk, ticket, cfg))
    try:
        ref = _send(desk, ticket, message, via, cfg)
    except GitdeskError as exc:  # DeliveryError, MailError, a requester without an address
        desk.note(ticket.id, f"Customer update not delivered ({kind}, via {via}): {exc}")
        return Sent(kind, "failed", via, str(exc))
    desk.apply(ticket.id, "contact", lambda t, c: _log(t, c, message, via, ref), f"contact outbound via {via}")
    return Sent(kind, "sent", via, ref)


def _send(desk: Any, t: Ticket, message: messages.Message, via: str, cfg: Any) -> str:
    from gitdesk.channels import github, mail, slack

    if via == "slack":
        return slack.post(t, message.text())
    if via == "github":
        ref = github.comment(t, message.text())
        if t.status in ENDED:  # the close or cancel this update reports
            github.close_issue(t, completed=t.status == "closed")
        elif message.kind == "reopened":
            github.reopen_issue(t)
        return ref
    from gitdesk.i18n import for_ticket

    lines = [*message.lines, "", "-- ", desk.config.title]
    return mail.send_in_thread(cfg, t, message.subject, lines, language=for_ticket(desk.config, t.meta).language)


def _log(t: Ticket, ctx: Any, message: messages.Message, via: str, ref: str) -> None:
    from gitdesk.core import actions
    from gitdesk.store.messages import FIELD, ids_of

    actions.contact(t, ctx, via, message.summary, inbound=False, update=message.kind, message_id=ref)
    if via == "slack" and ref.count(":") == 2 and not ref.startswith("slack:response_url"):
        channel, thread = ref.split(":")[1:]
        info = dict(t.meta.get("slack") or {})
        if not info.get("ts") and not info.get("thread"):  # a slash command: this update starts the thread
            t.set("slack", {**info, "thread": thread})
    if via in ("email", "slack") and ref not in ids_of(t.meta):
        t.set(FIELD, ids_of(t.meta) + [ref])


__all__ = ["DeliveryError", "Sent", "announce", "due", "route"]
