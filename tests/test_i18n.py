"""gitdesk.i18n: catalogs complete, compiled and in step with the source; locale formats; language config."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from gitdesk.core.config import ConfigError, from_mapping, language_code
from gitdesk.i18n import LANGUAGES, Translator, for_ticket, translator

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "gitdesk" / "i18n" / "locale"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "Nn_": (1, 2),
    "Np_": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
SAME_WORD = {"ca": {"Article", "Articles"}, "es": set()}  # spelled the same in that language


def catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "gitdesk.po").open("rb") as handle:
        return read_po(handle, locale=language)


def messages(language: str):
    return [m for m in catalog(language) if m.id]


def forms(m) -> list[str]:
    return list(m.string) if isinstance(m.id, tuple) else [m.string]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = messages(language)
    assert entries, f"{language}: empty catalog"
    untranslated = [m.id for m in entries if not all(s.strip() for s in forms(m))]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert not untranslated, f"{language}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("language", ("es", "ca"))
def test_translations_keep_every_placeholder_and_leave_no_english_copy(language):
    for m in messages(language):
        ids = list(m.id) if isinstance(m.id, tuple) else [m.id]
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(ids))))
        for text in forms(m):
            assert sorted(set(PLACEHOLDER.findall(text))) == wanted, (language, m.id, text)
        words = re.sub(r"\{[a-z_]*\}|[^A-Za-z]+", "", ids[0])
        if len(words) > 3 and ids[0] not in SAME_WORD[language]:  # "P1", "{n}", "no" may stay as they are
            assert forms(m)[0] != ids[0], f"{language}: '{ids[0]}' is left in English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_plural_forms_as_gettext_teams_write_them(language):
    assert catalog(language).num_plurals == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_mo_is_compiled_from_the_current_po(language):
    """`make catalogs` was run after the last edit of the .po (the package ships the .mo)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog(language))
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)._catalog  # type: ignore[attr-defined]
    with (LOCALE / language / "LC_MESSAGES" / "gitdesk.mo").open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    shipped.pop("", None), fresh.pop("", None)  # the header holds the time it was compiled
    assert shipped == fresh, "run `make catalogs`"


def test_the_catalogs_hold_exactly_the_marked_strings_of_the_source():
    """Every _()/ngettext/N_ in src/gitdesk is in the catalogs, and nothing stale is: `make messages`."""
    found = set()
    method_map = [("src/gitdesk/**.py", "gitdesk.i18n.extract:extract_python_ast")]
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS, comment_tags=()
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.add((context, key))
    for language in LANGUAGES:
        have = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in messages(language)}
        assert found - have == set(), f"{language}: not in the catalog, run `make messages`"
        assert have - found == set(), f"{language}: no longer in the source, run `make messages`"


def test_words_and_plurals_follow_the_language():
    es, ca, en = translator("es"), translator("ca"), translator("en")
    assert es._("Work started") == "Trabajo iniciado"
    assert ca._("Work started") == "Treball iniciat"
    assert en._("Work started") == "Work started"
    assert [es.duration(s) for s in (3600, 7200)] == ["1 hora", "2 horas"]
    assert [ca.duration(s, business=True) for s in (86400, 2 * 86400)] == ["1 dia laborable", "2 dies laborables"]
    assert en.duration(4 * 3600) == "4 hours" and en.duration(2 * 86400, business=True) == "2 business days"
    assert en.duration(90 * 60) == "90 minutes" and es.duration(604800) == "1 semana"


def test_dates_have_weekday_and_month_names_a_24_hour_clock_and_the_desks_zone():
    stamp = "2026-07-02T15:30:00Z"  # a Thursday; Madrid is on summer time (UTC+2)
    assert translator("es", "Europe/Madrid").when(stamp, long=True) == "jueves, 2 de julio de 2026, 17:30 CEST"
    assert translator("ca", "Europe/Madrid").when(stamp, long=True) == "dijous, 2 de juliol del 2026, 17:30 CEST"
    assert translator("en", "Europe/London").when(stamp) == "Thu, Jul 2, 2026, 16:30 BST"
    assert translator("es", "UTC").when("2026-03-02T09:00:00Z") == "lun, 2 mar 2026, 09:00 UTC"
    assert translator("es").when("") == "" and translator("es").when("not a time") == "not a time"


def test_numbers_use_the_locales_decimal_sign():
    assert translator("es").number(1234.5) == "1.234,5"
    assert translator("es").number(2) == "2,0"
    assert translator("ca").number(12345.25, 2) == "12.345,25"
    assert translator("en").number(12345.25) == "12,345.2"
    assert translator("es").percent(12.5) == "12,5\u00a0%"


def test_a_ticket_may_carry_its_own_language_and_falls_back_to_the_desks():
    config = from_mapping({"language": "ca", "calendar": {"timezone": "Europe/Madrid"}})
    assert for_ticket(config, {"language": "es-ES"}).language == "es"
    assert for_ticket(config, {"language": "fr"}).language == "ca"
    assert for_ticket(config, {}).timezone == "Europe/Madrid"


@pytest.mark.parametrize("value, code", [("es", "es"), ("ES_es", "es"), ("ca-ES", "ca"), ("en-GB", "en"), ("fr", None)])
def test_language_codes(value, code):
    assert language_code(value) == code


@pytest.mark.parametrize("value", ["fr", "Spanish", 3, ["es"]])
def test_an_unsupported_desk_language_names_the_key(value):
    with pytest.raises(ConfigError, match="language"):
        from_mapping({"language": value})
    assert from_mapping({}).language == "en" and from_mapping({"language": "ES"}).language == "es"


def test_an_unknown_language_is_refused_by_the_translator():
    with pytest.raises(ValueError, match="unsupported"):
        Translator("fr")
