"""N_(): marks the customer-facing words the pure core holds, so extraction finds them.

The core never translates (it imports nothing above it); a face passes the marked
string through its translator (`gitdesk.i18n`) at the moment it shows it.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention extraction looks for
    """The message itself: only a marker for `pybabel extract`."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - extracted as a plural message
    """A singular/plural pair for a table; the face calls ngettext with both and the count."""
    return singular, plural


def Np_(context: str, message: str) -> str:  # noqa: N802 - extracted with its context (pgettext)
    """A message whose English word means more than one thing; the face calls pgettext(context, message)."""
    return message
