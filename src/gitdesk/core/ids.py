"""Ticket IDs and where ticket files live: the names every layer agrees on.

Pure: the store generates IDs and resolves prefixes; validation and review
events only need to spell an ID the one canonical way.
"""

from __future__ import annotations

TICKETS_DIR = "tickets"
ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: no i, l, o, u
ID_BITS = 40


def canonical(ref: str) -> str:
    """Case-insensitive IDs: the prefix is upper case, the random part lower case."""
    ref = ref.strip()
    if "-" in ref:
        prefix, rest = ref.split("-", 1)
        return f"{prefix.upper()}-{rest.lower()}"
    return ref.lower()
