"""Releasing a held message: a person opens the ticket by hand, naming the requester it lacked.

A held message could not become a ticket by itself (no usable sender, garbage bytes,
an empty command). Released, it opens a ticket through the same intake path as any
other message, with the requester (and, where the message has none, the title) given.
"""

from __future__ import annotations

from typing import Any

from gitdesk.core.ticket import parse_requester
from gitdesk.errors import UsageError
from gitdesk.intake import Outcome
from gitdesk.intake.message import decode_bytes, parse
from gitdesk.intake.record import Request, receive
from gitdesk.intake.rules import settings
from gitdesk.intake.text import clean_text, one_line, read_fields


def release(desk: Any, raw: bytes, kind: str, requester: str, title: str = "") -> Outcome:
    """Open a ticket from a held message for `requester` ('Name <email>')."""
    who = parse_requester(requester)
    if not who:
        raise UsageError("--requester: say who the ticket is for, e.g. 'Ada Lovelace <ada@example.org>'")
    if kind == "eml":
        msg = parse(raw)
        req = Request(
            "email",
            msg.message_id,
            one_line(title or msg.subject, 200),
            who,
            msg.body,
            msg.recipients,
            *read_fields(msg.body),
            msg.attachments,
        )
    else:
        text = clean_text(_slack_text(raw) if kind == "slack" else decode_bytes(raw, "utf-8"))
        import hashlib

        mid = f"held:{kind}:{hashlib.sha256(raw).hexdigest()[:24]}"
        req = Request("slack" if kind == "slack" else "web", mid, one_line(title or _first(text), 80), who, text)
    if not req.title and not req.body.strip():
        raise UsageError("the held message has no text: give the ticket a --title")
    return receive(desk, req, settings(desk.config))


def _slack_text(raw: bytes) -> str:
    from gitdesk.intake.slack import decode

    try:
        data = decode(raw)
    except Exception:  # garbage is what got it held: its bytes as text are all there is
        return decode_bytes(raw, "utf-8")
    event = data.get("event") if isinstance(data.get("event"), dict) else {}
    return str(data.get("text") or (event or {}).get("text") or "")


def _first(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")
