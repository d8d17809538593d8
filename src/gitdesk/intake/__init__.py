"""Intake: requests arriving by email, Slack and GitHub issue forms become tickets or replies.

Every channel ends in the same place: an `Outcome` saying whether a ticket was
opened, a reply threaded onto one, or the message ignored (a duplicate, an
auto-reply, a bounce). Writes go through the Desk, one commit per message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["opened", "replied", "duplicate", "ignored", "survey"]


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
        }[self.kind]
        head = f"{self.ticket_id}: {what}" if self.ticket_id else what
        return f"{head} ({self.reason})" if self.reason else head
