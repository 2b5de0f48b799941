"""The interface catalogs are complete, and Babel names countries and languages."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mqexam import i18n

ROOT = Path(__file__).parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def used_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "src" / "mqexam", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", i18n.INTERFACE_LANGUAGES)
def test_catalog_has_every_string_the_code_uses(language: str) -> None:
    with (ROOT / "locales" / language / "LC_MESSAGES" / "mqexam.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing, empty, fuzzy, broken = [], [], [], []
    for msgid in sorted(used_messages()):
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(texts):
            empty.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
        if any(fields(t) != fields(msgid) for t in texts if t):
            broken.append(msgid)
    assert not missing, f"{language}: not in the catalog: {missing[:5]}"
    assert not empty, f"{language}: untranslated: {empty[:5]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:5]}"
    assert not broken, f"{language}: placeholders differ: {broken[:5]}"


def test_switching_language_translates_at_once() -> None:
    i18n.set_language("da")
    assert i18n._("Choose the module") != "Choose the module"
    i18n.set_language("de")
    assert i18n._("Choose the module") != "Choose the module"
    i18n.set_language("en")
    assert i18n._("Choose the module") == "Choose the module"


def test_country_and_language_names_come_from_babel() -> None:
    assert i18n.country_name("DE", "da") == "Tyskland"
    assert i18n.country_name("DK", "de") == "Dänemark"
    assert i18n.language_name("da") == "Dansk"
    assert i18n.language_name("de") == "Deutsch"


def test_fallback_chain_follows_the_bank_then_the_rest() -> None:
    chain = i18n.fallback_chain("nb", {"nb": ["da", "en"]}, ["en", "da", "de"])
    assert chain == ["nb", "da", "en", "de"]


@pytest.mark.parametrize(("tag", "expected"), [
    ("da_DK.UTF-8", "da"), ("de-AT", "de"), ("C", "en"), ("", "en"), ("sv_SE", "en")])
def test_language_from_environment(tag: str, expected: str) -> None:
    assert i18n.language_from_environment({"LANG": tag}) == expected
