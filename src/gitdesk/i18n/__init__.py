"""Customer-facing words in the customer's language: gettext catalogs and CLDR formats, via Babel.

One `Translator` per language (and time zone), not global state: one site build
renders the board in the desk's language and each ticket page in its ticket's.

    t = translator("es", "Europe/Madrid")
    t._("Request {id}", id="HD-1")          # gettext, then str.format
    t.ngettext("{n} hour", "{n} hours", 4)   # plural forms from the catalog
    t.when("2026-03-02T08:00:00Z")           # "lun, 2 mar 2026, 9:00 CET"
    t.number(2.5)                            # "2,5"

Staff-facing output (CLI, validate, reports) is English and does not go through here.
"""

from __future__ import annotations

from gitdesk.core.marks import N_, Nn_, Np_
from gitdesk.i18n.translator import LANGUAGES, Translator, for_ticket, translator

__all__ = ["LANGUAGES", "N_", "Nn_", "Np_", "Translator", "for_ticket", "translator"]
