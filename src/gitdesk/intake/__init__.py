"""Intake: requests arriving by email, Slack and GitHub issue forms become tickets or replies.

Every channel ends in the same place: an `Outcome` saying whether a ticket was
opened, a reply threaded onto one, or the message ignored (a duplicate, an
auto-reply, a bounce). Writes go through the Desk, one commit per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gitdesk.errors import InvalidValue

Kind = Literal["opened", "replied", "duplicate", "ignored", "survey", "held", "reopened", "review"]


class Unusable(InvalidValue):
    """A message that can never become a ticket as it is (no usable sender, garbage, an empty
    command): kept in the held folder for a person to release or drop, never retried (see spool.hold)."""


@dataclass
class Outcome:
    kind: Kind
    ticket_id: str = ""
    reason: str = ""
    notes: list[str] = field(default_factory=list)  # lines worth showing (refused attachments, ack ...)

    def line(self) -> str:
        """The one line the CLI prints for this message."""
        what = {
            "opened": "opened",
            "replied": "reply added",
            "duplicate": "already received, nothing changed",
            "ignored": "ignored, no ticket",
            "survey": "survey recorded",
            "held": "held for a person (gitdesk intake held)",
            "reopened": "reopened by the customer's reply",
            "review": "customer's verdict recorded",
        }[self.kind]
        head = f"{self.ticket_id}: {what}" if self.ticket_id else what
        return f"{head} ({self.reason})" if self.reason else head
