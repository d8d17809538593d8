"""Text from messages: HTML to plain text, quoted history cut off, `Key: value` lines read.

Pure functions shared by every channel (email, Slack, issue forms).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from gitdesk.core.controls import ANSI, CONTROL

# `Key: value` lines a requester writes, and where each lands on the ticket.
FIELD_KEYS = {
    "model": "model",
    "product": "model",
    "device": "model",
    "serial": "serial",
    "licence": "licence",
    "license": "licence",
    "account": "account",
    "version": "version",
    "location": "location",
    "room": "location",
    "site": "location",
    # the same labels as Spanish- and Catalan-speaking customers write them
    "modelo": "model",
    "producto": "model",
    "producte": "model",
    "dispositivo": "model",
    "dispositiu": "model",
    "licencia": "licence",
    "llicència": "licence",
    "cuenta": "account",
    "compte": "account",
    "versión": "version",
    "versió": "version",
    "ubicación": "location",
    "ubicació": "location",
    "sala": "location",
}
_FIELD_LINE = re.compile(r"^[ \t]*(" + "|".join(FIELD_KEYS) + r")[ \t]*:[ \t]*(\S.{0,199}?)[ \t]*$", re.I | re.M)
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "hr",
}
# Where a reply's quoted history starts: "On <date>, X wrote:", Outlook's separators.
_QUOTE_START = re.compile(
    r"^(On .{1,200}wrote:\s*$|Am .{1,200}schrieb.*:\s*$|-{2,} ?Original Message ?-{2,}|_{10,}\s*$"
    r"|From: .+\nSent: "
    # Spanish and Catalan clients: "El lun, 2 mar 2026 a las 10:00, X escribió:", "... va escriure:", Outlook's "De:"
    r"|El .{1,200}(?:escribió|va escriure):\s*$|-{2,} ?Mensaje original ?-{2,}|-{2,} ?Missatge original ?-{2,}"
    r"|De: .+\n(?:Enviado|Enviat)(?: el)?: )",
    re.M | re.I,
)


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in _BLOCK:
            self.out.append("\n")
            if tag == "li":
                self.out.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup; keep what it read
        pass
    text = "".join(parser.out)
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: drop `>` lines and everything from the quoted-history marker on."""
    match = _QUOTE_START.search(text)
    if match:
        text = text[: match.start()]
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def strip_signature(text: str) -> str:
    """Drop a `-- ` signature block (RFC 3676)."""
    return re.split(r"^-- ?$", text, maxsplit=1, flags=re.M)[0].rstrip()


def read_fields(text: str) -> tuple[dict[str, str], str]:
    """(`product` data, `location`) from `Key: value` lines outside quoted history."""
    product: dict[str, str] = {}
    location = ""
    fresh = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    for match in _FIELD_LINE.finditer(fresh):
        key, value = FIELD_KEYS[match.group(1).lower()], match.group(2).strip()
        if key == "location":
            location = location or value
        else:
            product.setdefault(key, value)
    return product, location


# ANSI/VT escapes, controls and bidi overrides: the one copy of the rule is core/controls.py.
_ANSI, _CONTROL = ANSI, CONTROL


def clean_text(text: str) -> str:
    """Multi-line text safe for files and terminals: escapes and control characters gone,
    Unicode line breaks (U+2028, U+2029, NEL) and CR made plain newlines."""
    text = _ANSI.sub("", text or "")
    text = re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", text)
    return _CONTROL.sub("", text)


def one_line(text: str, limit: int = 200) -> str:
    """Header-safe: no CR/LF, escapes or other control characters, whitespace collapsed, bounded."""
    cleaned = _ANSI.sub("", text or "")
    cleaned = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+", " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


_SLACK_LINK = re.compile(r"<([^<>|\s]+)(?:\|([^<>]*))?>")


def slack_text(text: str, names: dict[str, str] | None = None) -> str:
    """Slack's markup as a person reads it: `<@U123>` -> @name (when the payload names them),
    `<#C1|general>` -> #general, `<url|label>` -> `label (url)`, `&amp; &lt; &gt;` unescaped."""
    names = names or {}

    def link(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            user = target[1:]
            return f"@{label or names.get(user) or user}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):  # Slack labels these with their "@": <!subteam^S1|@team>
            return f"@{(label or target[1:].split('^')[0]).removeprefix('@')}"
        if label and label != target and label != target.removeprefix("mailto:"):
            return f"{label} ({target})"
        return target.removeprefix("mailto:")

    converted = _SLACK_LINK.sub(link, text or "")
    return converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def summary(text: str, limit: int = 2000) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
