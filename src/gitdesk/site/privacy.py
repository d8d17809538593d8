"""Who may see what: visibility rules, the one rule for cross-links, unguessable URLs, the site key.

The site never copies a ticket's fields wholesale: pages are built from an
explicit list of customer-visible facts, and every piece of free text that
reaches a page first goes through a Scrubber (core/scrub.py) that removes the
personal data the desk knows about and anything that looks like an email
address or a phone number. Whether one ticket's page may name or link another
is decided by `can_link`, and nowhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any, Protocol

from gitdesk.core.scrub import _EMAIL, REMOVED, SAFE_KEYS, Scrubber, personal_values, scrub_emails
from gitdesk.errors import GitdeskError

__all__ = [
    "_EMAIL",
    "REMOVED",
    "SAFE_KEYS",
    "Scrubber",
    "can_link",
    "personal_values",
    "scrub_emails",
    "ticket_url",
    "unlisted_token",
]

KEY_ENV = "GITDESK_SITE_KEY"
MIN_KEY_BYTES = 32
LINK_VERSION = "link_version"  # front matter: bumped by `gitdesk site revoke` to change one secret link
MAKE_A_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


class SiteKeyMissing(GitdeskError):
    """Unlisted pages need GITDESK_SITE_KEY; without it they are not published."""

    def __init__(self) -> None:
        super().__init__(
            f"{KEY_ENV} is not set: unlisted tickets have no page until it is "
            f"(make one with {MAKE_A_KEY}, the same wherever the site is built)"
        )


class SiteKeyTooShort(GitdeskError):
    def __init__(self, size: int) -> None:
        super().__init__(
            f"{KEY_ENV} is {size} bytes, too short to keep unlisted links secret (at least {MIN_KEY_BYTES}): "
            f"make a good one with {MAKE_A_KEY}"
        )


class NotPublished(GitdeskError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"{ticket_id} is private: it has no page on the site")


def site_key(environ: dict[str, str] | None = None) -> str | None:
    """GITDESK_SITE_KEY, or None when unset; a key under 32 bytes is refused, never used."""
    key = (environ if environ is not None else os.environ).get(KEY_ENV, "").strip()
    if key and len(key.encode("utf-8")) < MIN_KEY_BYTES:
        raise SiteKeyTooShort(len(key.encode("utf-8")))
    return key or None


def link_version(meta: dict[str, Any]) -> int:
    value = meta.get(LINK_VERSION)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def unlisted_token(key: str, ticket_id: str, version: int = 0) -> str:
    """HMAC of the ID (and, once revoked, its link version): the link works, nobody can guess it."""
    message = ticket_id if not version else f"{ticket_id}#{version}"
    return hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def ticket_url(ticket_id: str, visibility: str, key: str | None, version: int = 0) -> str | None:
    """Site-relative URL of a ticket's page, or None when it has none."""
    if visibility == "public":
        return f"tickets/{ticket_id}/"
    if visibility == "private" or key is None:
        return None
    return f"t/{unlisted_token(key, ticket_id, version)}/"


def ticket_json_url(ticket_id: str, visibility: str, key: str | None, version: int = 0) -> str | None:
    page = ticket_url(ticket_id, visibility, key, version)
    if page is None:
        return None
    return f"api/tickets/{ticket_id}.json" if visibility == "public" else f"{page}ticket.json"


def requester_mark(meta: dict[str, Any]) -> str:
    """A short fingerprint of who asked (email, else name); never published, only compared."""
    requester = meta.get("requester")
    who = ""
    if isinstance(requester, dict):
        who = str(requester.get("email") or requester.get("name") or "")
    elif requester:
        who = str(requester)
    return hashlib.sha256(who.strip().lower().encode("utf-8")).hexdigest()[:16] if who.strip() else ""


class Linkable(Protocol):
    @property
    def visibility(self) -> str: ...

    @property
    def requester(self) -> str: ...


class _Public:
    """Where a page is for everyone: lists, the feed, status.json, KB articles."""

    visibility = "public"
    requester = ""


PUBLIC_PAGE: Linkable = _Public()


def can_link(from_ticket: Linkable, to_ticket: Linkable) -> bool:
    """May the page of `from_ticket` (or PUBLIC_PAGE) show `to_ticket`'s ID and title and link its page?

    A public ticket may be named anywhere. An unlisted ticket only on another unlisted page of
    the same requester: whoever holds that page's secret link could already read both. A private
    ticket never.
    """
    if to_ticket.visibility == "public":
        return True
    if to_ticket.visibility == "unlisted":
        return (
            from_ticket.visibility == "unlisted"
            and bool(from_ticket.requester)
            and from_ticket.requester == to_ticket.requester
        )
    return False
