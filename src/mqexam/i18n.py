"""Interface language for everything a person reads.

Owns the gettext catalogs in ``locales/<lang>/LC_MESSAGES/mqexam.po`` (compiled
in memory when no fresh ``.mo`` sits beside them, so nobody runs a compile step),
the current interface language, locale fallback chains, and Babel formatting of
country names, language names, dates and numbers. Every module that shows text
imports ``_`` from here; the TUI calls :func:`set_language` to switch at once.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cache

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from mqexam.paths import locales_dir

DOMAIN = "mqexam"
INTERFACE_LANGUAGES: tuple[str, ...] = ("en", "da", "de")
DEFAULT_LANGUAGE = "en"

_current: gettext.NullTranslations = gettext.NullTranslations()
_current_language = DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (class-level labels)."""
    return message


def _(message: str) -> str:
    """Translate ``message`` into the current interface language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with the plural rule of the current language (CLDR, not ``n == 1``)."""
    return _current.ngettext(singular, plural, n)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog for ``language``; untranslated strings fall back to the source text.

    English is the source language: its catalog only repeats the source text (it is
    kept complete for translators and the completeness test), so it is not loaded.
    """
    root = locales_dir()
    if root is None or language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    folder = root / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def set_language(language: str) -> None:
    """Switch the interface language for everything translated from now on."""
    global _current, _current_language
    language = normalise_language(language)
    _current = translations(language)
    _current_language = language


def current_language() -> str:
    return _current_language


def normalise_language(tag: str | None) -> str:
    """Map ``da_DK.UTF-8``, ``de-AT`` or ``C`` onto an interface language."""
    if not tag:
        return DEFAULT_LANGUAGE
    base = tag.split(".")[0].replace("-", "_").split("_")[0].lower()
    return base if base in INTERFACE_LANGUAGES else DEFAULT_LANGUAGE


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``MQEXAM_LANG``, then the POSIX locale variables, then English."""
    env = os.environ if environ is None else environ
    for name in ("MQEXAM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalise_language(value)
    return DEFAULT_LANGUAGE


def fallback_chain(
    language: str, declared: Mapping[str, Sequence[str]], available: Iterable[str]
) -> list[str]:
    """Locales to try, in order, for text in ``language``.

    ``declared`` is the bank's fallback table (``nb = ["da", "en"]``); the chain
    always ends with the bank's remaining languages so some text is found.
    """
    chain = [language, *declared.get(language, ())]
    for tag in available:
        if tag not in chain:
            chain.append(tag)
    return chain


@cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LANGUAGE)


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (``DE`` in da -> ``Tyskland``)."""
    name: str = _locale(language or _current_language).territories.get(code.upper(), code.upper())
    return name


def language_name(tag: str, in_language: str | None = None) -> str:
    """A language's name, by default in its own language (``da`` -> ``dansk``)."""
    name = _locale(tag).get_display_name(_locale(in_language or tag)) or tag
    return name[:1].upper() + name[1:]


def format_date(value: date, language: str | None = None) -> str:
    return babel_dates.format_date(
        value, format="long", locale=_locale(language or _current_language)
    )


def format_datetime(value: datetime, language: str | None = None) -> str:
    return babel_dates.format_datetime(
        value, format="medium", locale=_locale(language or _current_language)
    )


def format_duration(value: timedelta, language: str | None = None) -> str:
    return babel_dates.format_timedelta(
        value, threshold=1.2, locale=_locale(language or _current_language)
    )


def format_number(value: float, language: str | None = None) -> str:
    return babel_numbers.format_decimal(value, locale=_locale(language or _current_language))


def format_percent(value: float, language: str | None = None) -> str:
    return babel_numbers.format_percent(
        value, format="#,##0.#%", locale=_locale(language or _current_language)
    )
