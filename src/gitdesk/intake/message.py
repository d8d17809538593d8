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

from gitdesk.intake.text import clean_text, html_to_text, one_line

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
    reply_to: str = ""  # Reply-To: where answers go (web-form relays send From: noreply@)
    reply_name: str = ""
    date: str = ""  # the Date header as written
    language: str = ""  # the first supported language Content-Language names ("" for none)

    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen


# Labels mail clients read as a superset, because senders mislabel: the superset decodes what the label
# alone cannot (GB18030 extends GB2312/GBK, cp932 is Shift_JIS as Windows writes it, iso-8859-8-i is a
# display hint on iso-8859-8, Latin-1 mail is in practice Windows-1252, as browsers read it too).
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso_8859-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text in any declared charset, read the way mail clients read mislabelled mail; no BOM."""
    label = (charset or "us-ascii").strip().strip('"').lower()
    label = CHARSET_ALIASES.get(label, label)
    if data.startswith(b"\xef\xbb\xbf"):
        data, label = data[3:], "utf-8"
    for codec in dict.fromkeys([label, "utf-8"]):
        try:
            return data.decode(codec).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace").lstrip("\ufeff")


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded (charset aliases as in bodies); malformed ones left as they are."""
    from email.header import decode_header

    try:
        parts = decode_header(value)
    except Exception:  # malformed encoded words: the raw text is still better than nothing
        return value
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:  # the text between encoded words, which decode_header escaped so
            out.append(chunk.decode("raw-unicode-escape", errors="replace"))
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out)


def raw_header(msg: Message, name: str) -> str | None:
    """A header as received; raw 8-bit bytes (no RFC 2047) read as UTF-8, else Windows-1252."""
    for key, value in msg.raw_items():
        if key.lower() != name.lower():
            continue
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # the parser's surrogate escapes: the raw bytes are undecoded
            data = text.encode("ascii", "surrogateescape")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252", errors="replace")
        return text
    return None


def header(msg: Message, name: str) -> str:
    """A header's text, decoded; '' when absent."""
    value = raw_header(msg, name)
    return "" if value is None else decode_words(value)


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
    local = sender.split("@", maxsplit=1)[0].lower()
    if msg.get_content_type() == "multipart/report" or local in _BOUNCERS or header(msg, "Return-Path").strip() == "<>":
        return "bounce"
    if sender and sender.lower() in own:
        return "mail from the desk's own address"
    if _AUTO_SUBJECT.match(header(msg, "Subject")):
        return "auto-reply (by its subject)"
    return ""


_ANGLE = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>\s*$")


def _address(value: str) -> tuple[str, str]:
    """(name, address) of a From-like header; a trailing <address> wins, since mail clients reply to it
    (`alice@example.com <bob@example.com>` is bob, whatever the parser thinks of the disguise)."""
    from email.utils import parseaddr

    value = " ".join(value.split())
    angle = _ANGLE.search(value)
    if angle:
        return value[: angle.start()].strip().strip('"').strip(), angle.group(1)
    return parseaddr(value)


def content_language(value: str) -> str:
    """'es-ES' -> 'es', 'fr, ca' -> 'ca': the first language of the header gitdesk writes in ('' for none)."""
    from gitdesk.core.config import language_code

    return next((code for part in value.split(",") if (code := language_code(part.split(";")[0]))), "")


def parse(raw: bytes, own: tuple[str, ...] = ()) -> Inbound:
    from email import message_from_bytes, policy
    from email.utils import getaddresses

    msg = message_from_bytes(raw, policy=policy.compat32)  # compat32: the most forgiving parser
    # Addresses come from the header as received, names decoded afterwards: an encoded word can
    # carry "\r\nBcc: ..." or a second address, and must never change where a reply goes.
    name, address = _address(raw_header(msg, "From") or "")
    name = decode_words(name) if name else ""
    if "@" in name:  # `From: alice@example.com <bob@example.com>`: a reply goes to bob; the "name" is a disguise
        name = ""
    reply_name, reply_to = _address(raw_header(msg, "Reply-To") or "")
    reply_name = decode_words(reply_name) if reply_name else ""
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
        reply_to=reply_to.strip().lower() if "@" in reply_to else "",
        reply_name=one_line(reply_name, 120) if "@" not in reply_name else "",
        date=header(msg, "Date"),
        language=content_language(header(msg, "Content-Language")),
        recipients=recipients,
        body=clean_text(body).strip(),
        in_reply_to=_MSGID.findall(str(msg.get("In-Reply-To") or "")),
        references=_MSGID.findall(str(msg.get("References") or "")),
        attachments=files,
        loop_reason=loop_reason(msg, address.strip(), own),
    )
