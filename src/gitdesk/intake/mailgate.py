"""Email intake: one RFC 5322 message in, a ticket or a reply out, and the acknowledgement sent.

Like Request Tracker's mailgate it is made to be piped from a mail server.
Batch import (mbox, Maildir) runs every message through the same path and
yields progress for the CLI's progress bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitdesk.core.ticket import valid_email
from gitdesk.errors import InvalidValue
from gitdesk.intake import Outcome
from gitdesk.intake.message import parse
from gitdesk.intake.record import Request, receive
from gitdesk.intake.rules import settings
from gitdesk.intake.text import read_fields


def own_addresses(desk: Any) -> tuple[str, ...]:
    """Addresses mail from which is the desk talking to itself."""
    from gitdesk.channels.mail import settings as mail_settings

    addresses = settings(desk.config).addresses
    sender = mail_settings(desk.config).sender_address
    return addresses + ((sender,) if sender else ())


def take_email(desk: Any, raw: bytes, acknowledge: bool = True) -> Outcome:
    """Open or thread one message; auto-replies, bounces, bulk mail and our own mail are ignored."""
    rules = settings(desk.config)
    msg = parse(raw, own_addresses(desk))
    if msg.loop_reason:
        return Outcome("ignored", reason=msg.loop_reason)
    if not valid_email(msg.sender_email):
        raise InvalidValue("From", f"'{msg.sender_email}' is not a sender address a reply could reach")
    name = msg.sender_name.replace("<", "").replace(">", "").strip('" ') or msg.sender_email.split("@")[0]
    requester = {"name": name, "email": msg.sender_email}
    product, location = read_fields(msg.body)
    req = Request(
        "email",
        msg.message_id,
        msg.subject,
        requester,
        msg.body,
        msg.recipients,
        product,
        location,
        msg.attachments,
        msg.thread_ids(),
    )
    return receive(desk, req, rules, _acknowledger(desk, msg.message_id) if acknowledge else None)


def _acknowledger(desk: Any, in_reply_to: str) -> Any:
    """The hook that acknowledges a new ticket inside its opening commit (record.receive's on_open).

    The mail goes out first and is recorded only once the server took it; the ticket stands
    whether or not it does. (Should the commit then fail, the message is spooled as always and
    a retry opens the ticket again, so the customer may get a second acknowledgement.)
    """
    from gitdesk.channels.mail import MailError, acknowledge
    from gitdesk.channels.mail import settings as mail_settings

    cfg = mail_settings(desk.config)

    def hook(ticket: Any, ctx: Any, notes: list[str]) -> str:
        if not cfg.acknowledge:
            return "acknowledgement switched off (mail.acknowledge: false)"
        if not cfg.host or not cfg.sender:
            return "no acknowledgement sent: mail.smtp.host and mail.from are not both set"
        try:
            message_id = acknowledge(desk, ticket, ctx, in_reply_to, list(notes))
        except (MailError, InvalidValue) as exc:
            return f"no acknowledgement sent: {exc}"
        return f"acknowledgement sent ({message_id})"

    return hook


def batch(desk: Any, messages: Iterator[bytes], spool: Path, acknowledge: bool) -> Iterator[tuple[Outcome | None, str]]:
    """Take each message; a failing one is spooled and reported, and the batch goes on."""
    from gitdesk.intake.spool import save

    for raw in messages:
        try:
            yield take_email(desk, raw, acknowledge), ""
        except Exception as exc:  # keep the message, report it, carry on with the rest
            save(spool, raw, "eml", f"{type(exc).__name__}: {exc}")
            yield None, str(exc)


def mailbox_messages(path: Path, kind: str) -> tuple[int, Iterator[bytes]]:
    """(count, raw messages) of an mbox file or a Maildir."""
    import mailbox

    box: Any = mailbox.mbox(str(path), create=False) if kind == "mbox" else mailbox.Maildir(str(path), create=False)
    keys = list(box.keys())

    def each() -> Iterator[bytes]:
        for key in keys:
            yield box.get_bytes(key)

    return len(keys), each()
