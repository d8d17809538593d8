"""Ticket IDs and where ticket files live: the names every layer agrees on.

Pure: the store generates IDs and resolves prefixes; validation and review
events only need to spell an ID the one canonical way.
"""

from __future__ import annotations

TICKETS_DIR = "tickets"
ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: no i, l, o, u
ID_BITS = 40
# The patterns every layer matches IDs and KB slugs with (JSON schemas of the site spell them too).
PREFIX_PATTERN = r"[A-Z][A-Z0-9]{0,9}"  # config.from_mapping upper-cases the desk's prefix
ID_PART_PATTERN = r"[0-9a-z]+"  # the random part, lower case (canonical)
ID_PATTERN = rf"{PREFIX_PATTERN}-{ID_PART_PATTERN}"
SLUG_PATTERN = r"[a-z0-9][a-z0-9-]{0,79}"  # kb/<slug>.md


def id_pattern(prefix: str = PREFIX_PATTERN) -> str:
    """The regex of a ticket ID with `prefix` (a desk's own, or any)."""
    return rf"{prefix}-{ID_PART_PATTERN}"


def is_slug(text: str) -> bool:
    import re

    return re.fullmatch(SLUG_PATTERN, text) is not None


def canonical(ref: str) -> str:
    """Case-insensitive IDs: the prefix is upper case, the random part lower case."""
    ref = ref.strip()
    if "-" in ref:
        prefix, rest = ref.split("-", 1)
        return f"{prefix.upper()}-{rest.lower()}"
    return ref.lower()
