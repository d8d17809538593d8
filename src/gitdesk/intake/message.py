"""One RFC 5322 message, read leniently into what intake needs.

Pure: bytes in, an `Inbound` out, never an exception for odd MIME. Any charset
and transfer encoding is decoded; HTML-only mail becomes text; a forwarded
message (message/rfc822) is folded into the body; everything else that is not
body text is an attachment. `loop_reason` says why a message must never open a
ticket (auto-reply, bounce, bulk or list mail, the desk's own address).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message

from gitdesk.intake.text import html_to_text, one_line

_MSGID = re.compile(r"<[^<>\s]+>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|"
    r"abwesenheitsnotiz|undeliverable|delivery status notification|"
    r"mail delivery (failed|subsystem))",
    re.I,
)
_BOUNCERS = ("mailer-daemon", "postmaster")


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class Inbound:
    message_id: str
    subject: str
    sender_name: str
    sender_email: str
    recipients: list[str]
    body: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    loop_reason: str = ""

    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text in any declared charset; mislabelled Latin-1 is read as Windows-1252, as browsers do."""
    label = (charset or "us-ascii").strip().strip('"').lower()
    if label in ("iso-8859-1", "latin-1", "latin1", "iso_8859-1"):
        label = "cp1252"
    tries = ["utf-8", label] if label in ("us-ascii", "ascii") else [label, "utf-8"]
    for codec in tries:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; malformed ones left as they are; never raises."""
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except Exception:  # malformed encoded words: the raw text is still better than nothing
        return value


def header(msg: Message, name: str) -> str:
    """A header's text, decoded; '' when absent."""
    value = msg.get(name)
    return "" if value is None else decode_words(str(value))


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return one_line(decode_words(name), 150) if name else ""


def _collect(msg: Message, plain: list[str], html: list[str], files: list[Attachment]) -> None:
    """Walk the MIME tree (recursion depth is bounded by the parser's own nesting)."""
    ctype = msg.get_content_type()
    outer = msg.get_payload()
    if ctype == "message/rfc822" and isinstance(outer, list) and outer and isinstance(outer[0], Message):
        inner: Message = outer[0]
        sub_plain: list[str] = []
        sub_html: list[str] = []
        _collect(inner, sub_plain, sub_html, files)
        text = "\n\n".join(sub_plain) or html_to_text("\n".join(sub_html))
        plain.append(
            f"---------- Forwarded message ----------\nFrom: {header(inner, 'From')}\n"
            f"Subject: {header(inner, 'Subject')}\n\n{text}"
        )
        return
    if ctype.startswith("multipart/") and not msg.is_multipart():
        plain.append(_salvage(_payload(msg), msg.get_content_charset()))  # no usable boundary
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        for part in payload if isinstance(payload, list) else []:
            if isinstance(part, Message):
                _collect(part, plain, html, files)
        return
    disposition = str(msg.get("Content-Disposition") or "").split(";")[0].strip().lower()
    name = _filename(msg)
    if disposition == "attachment" or not ctype.startswith("text/") or (name and ctype != "text/plain"):
        files.append(Attachment(name or f"attachment.{ctype.split('/')[-1]}", ctype, _payload(msg)))
        return
    text = decode_bytes(_payload(msg), msg.get_content_charset())
    (html if ctype == "text/html" else plain).append(text)


def _salvage(data: bytes, charset: str | None) -> str:
    """The words of a multipart body whose boundary is missing: drop boundary and part-header lines."""
    lines = decode_bytes(data, charset).splitlines()
    keep = [ln for ln in lines if not ln.startswith("--") and not re.match(r"^Content-[\w-]+:", ln, re.I)]
    return "\n".join(keep).strip()


def loop_reason(msg: Message, sender: str, own: tuple[str, ...] = ()) -> str:
    """Why this message must not open a ticket, or '' when a person wrote it."""
    auto = header(msg, "Auto-Submitted").strip().lower()
    if auto and not auto.startswith("no"):
        return f"auto-submitted ({auto.split(';')[0]})"
    if any(msg.get(h) is not None for h in ("X-Autoreply", "X-Autorespond", "X-Autoresponder")):
        return "auto-reply"
    precedence = header(msg, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"bulk mail (Precedence: {precedence})"
    if msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None:
        return "mailing-list mail"
    local = sender.split("@")[0].lower()
    if msg.get_content_type() == "multipart/report" or local in _BOUNCERS or header(msg, "Return-Path").strip() == "<>":
        return "bounce"
    if sender and sender.lower() in own:
        return "mail from the desk's own address"
    if _AUTO_SUBJECT.match(header(msg, "Subject")):
        return "auto-reply (by its subject)"
    return ""


def parse(raw: bytes, own: tuple[str, ...] = ()) -> Inbound:
    from email import message_from_bytes, policy
    from email.utils import getaddresses, parseaddr

    msg = message_from_bytes(raw, policy=policy.compat32)  # compat32: the most forgiving parser
    name, address = parseaddr(str(msg.get("From") or ""))
    name = decode_words(name) if name else ""
    recipients = [
        a.lower()
        for _, a in getaddresses([str(msg.get(h) or "") for h in ("To", "Cc", "Delivered-To", "X-Original-To")])
        if "@" in a
    ]
    plain: list[str] = []
    html: list[str] = []
    files: list[Attachment] = []
    _collect(msg, plain, html, files)
    body = "\n\n".join(p.strip("\n") for p in plain if p.strip()) or html_to_text("\n".join(html))
    message_id = (_MSGID.findall(str(msg.get("Message-ID") or "")) or [""])[0]
    if not message_id:  # no Message-ID: one derived from the bytes still makes redelivery a no-op
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:32]}@gitdesk.invalid>"
    return Inbound(
        message_id=message_id,
        subject=one_line(header(msg, "Subject"), 200),
        sender_name=one_line(name, 120),
        sender_email=address.strip().lower(),
        recipients=recipients,
        body=body.replace("\r\n", "\n").strip(),
        in_reply_to=_MSGID.findall(str(msg.get("In-Reply-To") or "")),
        references=_MSGID.findall(str(msg.get("References") or "")),
        attachments=files,
        loop_reason=loop_reason(msg, address.strip(), own),
    )
