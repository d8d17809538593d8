"""i18n/translator.py: one language's words, plurals and contexts, and how a duration reads in a calendar.

test_i18n.py holds the catalogs and the locale formats (dates, numbers); here is the Translator's own contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gitdesk.core.config import from_mapping
from gitdesk.core.duration import parse
from gitdesk.i18n.translator import Translator, desk_timezone, for_ticket, translator


@dataclass(frozen=True)
class NineToFive:
    day_length: int = 8 * 3600
    week_length: int = 5 * 8 * 3600


def test_the_language_is_kept_as_its_code_and_the_zone_defaults_to_utc():
    t = Translator("es-ES", "")
    assert (t.language, t.timezone) == ("es", "UTC")
    assert repr(Translator("CA_es", "Europe/Madrid")) == "Translator('ca', 'Europe/Madrid')"
    for bad in ("fr", "", "english"):
        with pytest.raises(ValueError, match="unsupported language"):
            Translator(bad)


def test_placeholders_are_filled_only_when_values_are_given():
    es = Translator("es")
    assert es._("Work started") == "Trabajo iniciado"
    assert es._("Not in any catalog {x}") == "Not in any catalog {x}"  # untranslated: the English, braces kept
    assert es._("Not in any catalog {x}", x="ok") == "Not in any catalog ok"
    assert Translator("en").gettext("Work started") == "Work started"  # English needs no catalog


def test_ngettext_picks_the_form_and_writes_n_as_a_locale_number():
    es = Translator("es")
    assert es.ngettext("{n} day", "{n} days", 1) == "1 día"
    assert es.ngettext("{n} day", "{n} days", 1234) == "1.234 días"
    assert Translator("en").ngettext("{n} day", "{n} days", 1234) == "1,234 days"
    assert Translator("en").ngettext("{n} day", "{n} days", 0) == "0 days"


def test_pgettext_translates_the_word_as_meant_in_its_context():
    for language, incident, request in (("es", "Resuelto", "Resuelta"), ("ca", "Resolt", "Resolta")):
        t = Translator(language)
        assert (t.pgettext("incident", "Resolved"), t._("Resolved")) == (incident, request)
    assert Translator("en").pgettext("incident", "Resolved") == "Resolved"


def test_a_duration_counts_in_its_calendar_and_plain_seconds_as_they_are():
    en = Translator("en")
    assert en.duration(parse("1.5d", "k"), calendar=NineToFive()) == "12 hours"  # a day is the working day
    assert en.duration(parse("2d", "k"), business=True, calendar=NineToFive()) == "2 business days"
    assert en.duration(parse("1w", "k"), business=True, calendar=NineToFive()) == "1 working week"
    assert en.duration(parse("2d", "k"), business=True) == "2 business days"  # no calendar: 24-hour days
    assert en.duration(8 * 3600, business=True, calendar=NineToFive()) == "1 business day"
    assert en.duration(8 * 3600) == "8 hours"
    assert en.duration(3 * 3600, business=True) == "3 hours"  # "business" words only days and weeks


def test_the_shared_translator_is_made_once_per_language_and_zone():
    assert translator("es", "UTC") is translator("es", "UTC")
    assert translator("es", "UTC") is not translator("es", "Europe/Madrid")


def test_the_desks_zone_and_language_apply_unless_the_ticket_names_a_supported_one():
    plain = from_mapping({})
    assert desk_timezone(plain) == "UTC" and for_ticket(plain).language == "en"
    madrid = from_mapping({"language": "es", "calendar": {"timezone": "Europe/Madrid"}})
    assert (for_ticket(madrid, None).language, for_ticket(madrid, None).timezone) == ("es", "Europe/Madrid")
    assert for_ticket(madrid, {"language": "CA"}).language == "ca"
    assert for_ticket(madrid, {"language": None}).language == "es"
