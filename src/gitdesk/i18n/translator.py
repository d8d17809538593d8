"""The Translator: one language's catalog (gettext .mo files shipped in the package) and its formats."""

from __future__ import annotations

import gettext
from functools import cache
from importlib import resources
from typing import Any

from gitdesk.core.config import LANGUAGES, Config, language_code
from gitdesk.core.duration import Duration, Lengths
from gitdesk.core.marks import Nn_
from gitdesk.i18n import formats

DOMAIN = "gitdesk"


def locale_dir() -> Any:
    return resources.files("gitdesk.i18n") / "locale"


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    path = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    try:
        with path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    except FileNotFoundError:  # English needs no catalog: the message ids are English
        return gettext.NullTranslations()


class Translator:
    """gettext, ngettext and the locale's dates, numbers and durations for one language."""

    def __init__(self, language: str = "en", timezone: str = "UTC") -> None:
        code = language_code(language)
        if code is None:
            raise ValueError(f"unsupported language {language!r} (one of {', '.join(LANGUAGES)})")
        self.language = code
        self.timezone = timezone or "UTC"
        self._messages = _catalog(code)

    def __repr__(self) -> str:
        return f"Translator({self.language!r}, {self.timezone!r})"

    # -- words ----------------------------------------------------------------------------
    def _(self, message: str, **values: Any) -> str:
        """The message in this language; `{name}` placeholders filled from `values`."""
        text = self._messages.gettext(message)
        return text.format(**values) if values else text

    gettext = _

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """The plural form for `n`; `{n}` is filled in (as a locale number) with the other values."""
        text = self._messages.ngettext(singular, plural, n)
        return text.format(n=self.integer(n), **values)

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        """The message as meant in `context` (the same English word may translate two ways)."""
        text = self._messages.pgettext(context, message)
        return text.format(**values) if values else text

    # -- formats --------------------------------------------------------------------------
    def when(self, stamp: Any, long: bool = False) -> str:
        """A time in the desk's zone with weekday and month names and a 24-hour clock ('' for none)."""
        return formats.when(stamp, self.language, self.timezone, long)

    def date(self, stamp: Any) -> str:
        return formats.day(stamp, self.language, self.timezone)

    def number(self, value: float, digits: int = 1) -> str:
        """2.5 -> '2.5' / '2,5': the locale's decimal sign and grouping."""
        return formats.number(value, self.language, digits)

    def integer(self, value: int) -> str:
        return formats.number(value, self.language, 0)

    def percent(self, value: float, digits: int = 1) -> str:
        """A percentage given as a number of per cent (12.5 -> '12.5 %' / '12,5 %')."""
        return formats.percent(value, self.language, digits)

    def duration(self, value: int | Duration, business: bool = False, calendar: Lengths | None = None) -> str:
        """'4 hours', '2 business days', '1 semana': how an SLA target reads to a customer.

        A `Duration` counts in `calendar` (its day is the working day: '1.5d' on a 09:00-17:00
        calendar reads '12 hours'); plain seconds are taken as they are.
        """
        seconds = value.seconds(calendar) if isinstance(value, Duration) else int(value)
        lengths = (calendar.day_length, calendar.week_length) if calendar is not None else (86400, 604800)
        count, unit = formats.duration_unit(seconds, *lengths)
        return self.ngettext(*_UNITS[(unit, business and unit in ("day", "week"))], count)


_UNITS: dict[tuple[str, bool], tuple[str, str]] = {
    ("minute", False): Nn_("{n} minute", "{n} minutes"),
    ("hour", False): Nn_("{n} hour", "{n} hours"),
    ("day", False): Nn_("{n} day", "{n} days"),
    ("week", False): Nn_("{n} week", "{n} weeks"),
    ("day", True): Nn_("{n} business day", "{n} business days"),
    ("week", True): Nn_("{n} working week", "{n} working weeks"),
}


@cache
def translator(language: str = "en", timezone: str = "UTC") -> Translator:
    """The shared Translator of a language and zone (catalogs are read once per process)."""
    return Translator(language, timezone)


def desk_timezone(config: Config) -> str:
    return str(config.section("calendar").get("timezone") or "UTC")


def for_ticket(config: Config, meta: dict[str, Any] | None = None) -> Translator:
    """The ticket's language when it carries a supported one, else the desk's; in the desk's zone."""
    code = language_code((meta or {}).get("language")) or config.language
    return translator(code, desk_timezone(config))
