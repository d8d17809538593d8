"""The customer's verdict on a proposed solution, as they write it: accept, or change it and why.

Replies by email, in the Slack thread, as a comment on the GitHub issue, or through
the status page's prepared reply (`blank_verdict`) all come here. `read_verdict` is
pure and lenient (a labelled "Verdict: accept" line, or a first line that says
"accept", "yes, solved", "not solved: ...", "change: ..."); `take` decides whether
the reply is the requester's (their address, Slack user or GitHub login, or the
per-ticket token in the status page's link) and records it through the Desk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from gitdesk.core import review_policy
from gitdesk.i18n import N_, Translator
from gitdesk.intake import Outcome
from gitdesk.intake.text import strip_quoted, strip_signature

VERDICT_LABEL, FEEDBACK_LABEL, TOKEN_LABEL = N_("Verdict"), N_("What is still wrong"), N_("Review token")
ACCEPT_VALUE, CHANGE_VALUE = N_("accept"), N_("change")
NO_DETAILS = "The customer says the solution does not solve the problem (no details given)."


@cache
def _labels() -> dict[str, str]:
    """Each answer line's label, as the prepared reply writes it in any of the catalogs' languages -> its key."""
    from gitdesk.i18n import LANGUAGES, translator

    out = {"feedback": "feedback"}
    for language in LANGUAGES:
        tr = translator(language)
        for label, key in ((VERDICT_LABEL, "verdict"), (FEEDBACK_LABEL, "feedback"), (TOKEN_LABEL, "review token")):
            out[tr._(label).lower()] = key
    return out


@cache
def _labelled_line() -> re.Pattern[str]:
    keys = "|".join(re.escape(label) for label in sorted(_labels(), key=len, reverse=True))
    return re.compile(rf"^[ \t>*-]*(?P<key>{keys})[ \t*]*[:=][ \t]*(?P<value>.*)$", re.I | re.M)


_ACCEPT_START = re.compile(
    r"^\W*(accept(?:ed)?|approved?|yes|yep|solved|fixed|it works|works|ok|okay|perfect|great|thanks?|thank you"
    r"|acepto|aceptada|aceptado|accepto|acceptada|acceptat|s[ií]|resuelto|resuelta|resolt|resolta|funciona|perfecte?o?"
    r"|gracias|gr[àa]cies)\b",
    re.I,
)
_REJECT_START = re.compile(
    r"^\W*(no est[aáà] (?:resuelt[oa]|resolta?)|todav[ií]a no|encara no|cambiar|canviar|rechazo|rebutjo|sigue"
    r"|reject(?:ed)?|change(?: it)?|modify|not (?:solved|fixed)|no\b|nope|still|unsolved|not yet)\W*",
    re.I,
)
_REJECT_ANYWHERE = re.compile(r"\b(not|n't|still|again|broken|fails?|wrong)\b", re.I)
_ACCEPT_WORDS = ("accept", "approve", "yes", "ok", "solved", "acept", "sí", "resuelt", "resolt")
_REJECT_WORDS = (
    *("reject", "change", "no", "not solved", "modify"),
    *("cambiar", "canviar", "rechaz", "rebutj", "sigue", "encara"),
)


@dataclass(frozen=True)
class Verdict:
    approve: bool
    feedback: str = ""
    token: str = ""


def blank_verdict(approve: bool, token: str = "", tr: Translator | None = None) -> list[str]:
    """The lines a prepared reply (the status page's buttons) starts with, in `tr`'s language;
    `read_verdict` reads them back in any of the three."""
    from gitdesk.i18n import translator

    tr = tr or translator()
    lines = [f"{tr._(VERDICT_LABEL)}: {tr._(ACCEPT_VALUE if approve else CHANGE_VALUE)}"]
    if not approve:
        lines += [f"{tr._(FEEDBACK_LABEL)}: "]
    if token:
        lines += [f"{tr._(TOKEN_LABEL)}: {token}"]
    return lines


def _labelled(text: str) -> Verdict | None:
    found: dict[str, str] = {}
    feedback_lines: list[str] = []
    in_feedback = False
    for line in text.splitlines():
        match = _labelled_line().match(line)
        if match:
            key = _labels()[match.group("key").lower()]
            found.setdefault(key, match.group("value").strip())
            in_feedback = key == "feedback"
            continue
        if in_feedback and line.strip():
            feedback_lines.append(line.strip())
    verdict = found.get("verdict", "").lower()
    if not verdict:
        return None
    word = verdict.strip(" .!")
    feedback = "\n".join([found.get("feedback", ""), *feedback_lines]).strip()
    token = found.get("review token", "")
    if any(word.startswith(w) for w in _REJECT_WORDS) or word.startswith("not"):
        return Verdict(False, feedback, token)
    if any(word.startswith(w) for w in _ACCEPT_WORDS):
        return Verdict(True, "", token)
    return None


def read_verdict(body: str) -> Verdict | None:
    """The verdict in the new part of a reply; None when it gives none (a plain reply or question)."""
    text = strip_signature(strip_quoted(body)).strip()
    if not text:
        return None
    labelled = _labelled(text)
    if labelled is not None:
        return labelled
    first, _, rest = text.partition("\n")
    reject = _REJECT_START.match(first)
    if reject:
        feedback = (first[reject.end() :].lstrip(" :-,.") + "\n" + rest).strip()
        return Verdict(False, feedback)
    if _ACCEPT_START.match(first):
        if _REJECT_ANYWHERE.search(first):  # "thanks, but it still jams": that is no acceptance
            return Verdict(False, text)
        return Verdict(True)
    return None


def identity(channel: str, requester: dict[str, str]) -> str:
    """Who sent a reply, in the terms `review_policy.requester_ids` uses."""
    if channel == "slack":
        return f"slack:{requester.get('slack') or ''}"
    if channel == "github":
        return f"github:{requester.get('github') or ''}"
    return str(requester.get("email") or "")


def from_requester(ticket: Any, identity: str, token: str, key: str | None) -> bool:
    """Only the requester gives the verdict: their own address or account, or their link's token."""
    if identity and identity.lower() in review_policy.requester_ids(ticket):
        return True
    return review_policy.token_matches(key, ticket.id, token)


def verdict_for(desk: Any, ticket_id: str, body: str, identity: str) -> tuple[Verdict | None, str]:
    """(verdict, why it is not taken): a verdict counts on a ticket awaiting the customer, from them."""
    from gitdesk.site.privacy import site_key

    ticket = desk.store.load(ticket_id)
    verdict = read_verdict(body)
    if verdict is None or not review_policy.awaiting_customer(ticket, desk.config):
        return None, ""
    if not from_requester(ticket, identity, verdict.token, site_key()):
        return None, f"A verdict from {identity or 'someone'}, who is not the requester, was kept as a reply."
    return verdict, ""


def record(desk: Any, ticket_id: str, verdict: Verdict, channel: str, message_id: str, field: str) -> Outcome:
    """The customer's verdict as one commit: the review event (role requester) and the message's ID."""
    from gitdesk.core import actions
    from gitdesk.store.messages import ids_of

    def change(t: Any, ctx: Any) -> None:
        feedback = "" if verdict.approve else verdict.feedback or NO_DETAILS
        actions.customer_review(t, ctx, verdict.approve, feedback, via=channel, message_id=message_id or None)
        if message_id:
            t.set(field, ids_of(t.meta) + [message_id])

    what = "accepted by the customer" if verdict.approve else "changes requested by the customer"
    ticket = desk.apply(ticket_id, "review", change, f"review: {what}")
    from gitdesk.channels.updates import announce

    announce(desk, ticket)
    return Outcome("review", ticket_id, f"{what}; status {ticket.status}")
