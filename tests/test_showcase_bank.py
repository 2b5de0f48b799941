"""The showcase module banks/welding-centre-safety: loads clean (strict), its phone numbers agree
with libphonenumber except for the listed and sourced disagreements, every pair of contexts
differs somewhere, universal items stay universal, and every text exists in en, da and de.

How the bank marks its phone-number items (also written at the top of items/raise-alarm.toml):

* ``emergency-*`` items accept emergency numbers. A ``text`` item's answers are numbers; a
  ``multiple`` item's option ids are ``n`` + digits (picked = emergency, not picked = not an
  emergency number there); a ``match`` item's left ids are ``n`` + digits and its right ids say
  what the number is: ``emergency-*`` (an emergency number) or ``service-*`` (not one).
* ``nonemergency-*`` items are ``single`` items whose key is the option ``n`` + digits that is
  NOT an emergency number; every other ``n`` + digits option is one.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from mqexam.bank import resolve
from mqexam.bank.loader import LoadResult, load_bank
from mqexam.bank.model import (
    ITEM_TYPES,
    AnyItem,
    MatchItem,
    Module,
    MultipleItem,
    OrderItem,
    PracticalItem,
    SingleItem,
    TextItem,
)

BANKS = Path(__file__).resolve().parents[1] / "banks"
MODULE_ID = "welding-centre-safety"
LANGUAGES = ("en", "da", "de")
CONTEXTS = ("DK", "DE", "SE", "NO", "GB", "US", "AU")
UNIVERSAL_OUTCOMES = ("protective-clothing", "fume-control", "site-rules")
"""Outcomes whose content does not depend on the country: none of their items may override."""

# Where the bank (following the authority) and libphonenumber disagree, for the regions this
# module has contexts for. Key: (region, number). Value: why, and the source.
KNOWN_DISAGREEMENTS: dict[tuple[str, str], str] = {
    ("DK", "114"): (
        "libphonenumber lists 114 as an emergency number for DK, but it is the police's "
        "service number for matters that are not urgent; 112 is Denmark's only emergency "
        "number. Source: borger.dk, Emergencies (lifeindenmark.borger.dk); facts.md 1a."
    ),
    ("US", "112"): (
        "libphonenumber accepts 112 in the US (some carriers redirect it), but the official "
        "emergency number is 911, so the bank does not teach 112 there. Source: FCC, 911 and "
        "E911 services; facts.md 1a."
    ),
}

# Disagreements facts.md records for regions this module does not (yet) cover. They are checked
# too, so that a phonenumbers release that fixes one is noticed and the list kept true.
# Value: (what the authority says: is it an emergency number?, why, source).
OTHER_KNOWN_DISAGREEMENTS: dict[tuple[str, str], tuple[bool, str]] = {
    ("NZ", "112"): (True, "112 works from mobiles in NZ (NZ Police, nbr.co.nz); lib: not valid"),
    ("JP", "118"): (True, "118 is the Japan Coast Guard emergency number (joyn.tokyo)"),
    ("FR", "114"): (True, "114 is France's SMS/video emergency line for deaf users (sdis45.com)"),
    ("AT", "128"): (True, "RTR lists 128 (gas) among the Notrufnummern (rtr.at TKKS_Notrufe)"),
    ("AT", "140"): (True, "RTR lists 140 (Bergrettung) among the Notrufnummern (rtr.at)"),
    ("AT", "141"): (True, "RTR lists 141 (Ärztenotdienst) among the Notrufnummern (rtr.at)"),
}


@cache
def _loaded() -> LoadResult:
    return load_bank(BANKS, use_cache=False)


@cache
def showcase() -> Module:
    module = _loaded().module(MODULE_ID)
    assert module is not None, "the showcase module did not load"
    return module


def _digits(option_id: str) -> str:
    assert re.fullmatch(r"n\d+", option_id), f"number ids are 'n' + digits, got {option_id!r}"
    return option_id[1:]


def _number_claims() -> list[tuple[str, str, str, bool]]:
    """Every (item id, region, number, is it an emergency number there?) the bank asserts."""
    module = showcase()
    claims: list[tuple[str, str, str, bool]] = []
    for item in module.items:
        for code in module.context_codes:
            key = resolve.key(item, code)
            if item.id.startswith("emergency-"):
                if isinstance(item, TextItem):
                    claims += [(item.id, code, re.sub(r"\D", "", n), True) for n in key]
                elif isinstance(item, MultipleItem):
                    claims += [
                        (item.id, code, _digits(o.id), o.id in key)
                        for o in resolve.choices(item, code)
                    ]
                elif isinstance(item, MatchItem):
                    for left, right in key.items():
                        kind = right.split("-")[0]
                        assert kind in ("emergency", "service"), f"{item.id}: right id {right!r}"
                        claims.append((item.id, code, _digits(left), kind == "emergency"))
                else:
                    pytest.fail(f"{item.id}: an emergency- item must be text, multiple or match")
            elif item.id.startswith("nonemergency-"):
                assert isinstance(item, SingleItem), f"{item.id}: nonemergency- items are single"
                claims += [
                    (item.id, code, _digits(o.id), o.id != key)
                    for o in resolve.choices(item, code)
                    if re.fullmatch(r"n\d+", o.id)
                ]
    return claims


def _signature(item: AnyItem, code: str) -> Any:
    """What a learner in ``code`` is asked and what counts as right: key and choices."""
    parts: list[Any] = [repr(resolve.key(item, code))]
    parts.append([(o.id, sorted(o.text.items())) for o in resolve.choices(item, code)])
    if isinstance(item, MatchItem):
        left, right = resolve.match_sides(item, code)
        parts.append([(o.id, sorted(o.text.items())) for o in [*left, *right]])
    if isinstance(item, PracticalItem):
        parts.append([(c.id, sorted(c.text.items())) for c in resolve.criteria(item, code)])
    return parts


# -- (a) it loads, strictly clean -------------------------------------------------


def test_showcase_loads_without_problems_strict() -> None:
    problems = [p for p in _loaded().problems if MODULE_ID in p.path.parts]
    assert [p.render() for p in problems] == []
    assert showcase().id == MODULE_ID


def test_module_metadata_is_complete() -> None:
    meta = showcase().meta
    assert set(meta.languages) == set(LANGUAGES)
    assert [c.code for c in meta.contexts] == list(CONTEXTS)
    assert all(c.guideline for c in meta.contexts)
    assert meta.issuer_country == "DK" and meta.eqf_level == 4 and meta.validity_years == 3
    assert (meta.blueprint.items, meta.blueprint.per_outcome) == (20, 2)
    assert meta.blueprint.time_limit_minutes == 30
    assert meta.pass_rules.overall == 0.8
    life_safety = {o.id for o in meta.outcomes if o.life_safety}
    assert life_safety == set(meta.pass_rules.outcomes)
    assert all(share == 0.8 for share in meta.pass_rules.outcomes.values())
    for name in (
        "title",
        "description",
        "assessment_type",
        "participation",
        "quality_assurance",
        "prerequisites",
        "stackability",
    ):
        assert set(getattr(meta, name)) == set(LANGUAGES), name
    assert len(meta.outcomes) >= 7
    assert meta.references


# -- (b) phone numbers against libphonenumber -----------------------------------------


@pytest.mark.parametrize(
    ("item_id", "region", "number", "emergency"),
    _number_claims(),
    ids=lambda value: str(value),
)
def test_numbers_agree_with_libphonenumber(
    item_id: str, region: str, number: str, emergency: bool
) -> None:
    assert region != "UK", "libphonenumber needs GB for the United Kingdom"
    lib = phonenumbers.is_emergency_number(number, region)
    if (region, number) in KNOWN_DISAGREEMENTS:
        assert lib != emergency, (
            f"{region} {number} is listed as a known disagreement but libphonenumber now agrees "
            f"with the bank: remove it from KNOWN_DISAGREEMENTS"
        )
    else:
        kind = "an emergency number" if emergency else "not an emergency number"
        assert lib == emergency, f"{item_id}: the bank says {number} is {kind} in {region}"


def test_number_items_cover_every_context_both_ways() -> None:
    claims = _number_claims()
    for code in CONTEXTS:
        assert any(c[1] == code and c[3] for c in claims), f"no emergency number for {code}"
        assert any(c[1] == code and not c[3] for c in claims), f"no non-emergency line for {code}"


def test_every_known_disagreement_is_exercised_by_the_bank() -> None:
    seen = {(region, number) for _, region, number, _ in _number_claims()}
    assert set(KNOWN_DISAGREEMENTS) <= seen


@pytest.mark.parametrize(("region", "number"), sorted(OTHER_KNOWN_DISAGREEMENTS))
def test_other_documented_disagreements_still_hold(region: str, number: str) -> None:
    authority, why = OTHER_KNOWN_DISAGREEMENTS[(region, number)]
    assert phonenumbers.is_emergency_number(number, region) != authority, why


# -- (c) every pair of contexts differs ------------------------------------------------


@pytest.mark.parametrize(("first", "second"), list(combinations(CONTEXTS, 2)))
def test_every_pair_of_contexts_differs(first: str, second: str) -> None:
    module = showcase()
    differing = [
        item.id for item in module.items if _signature(item, first) != _signature(item, second)
    ]
    assert differing, f"{first} and {second} ask the same and accept the same everywhere"


# -- (d) universal items, coverage -------------------------------------------------


def test_universal_items_have_no_override_and_do_not_name_the_country() -> None:
    for item in showcase().items:
        if item.context:
            continue
        assert not item.verified_on, f"{item.id}: a universal item has no country fact to date"
        signatures = {repr(_signature(item, code)) for code in CONTEXTS}
        assert len(signatures) == 1, item.id
        assert all("{country}" not in text for text in item.text.values()), item.id


def test_universal_outcomes_have_no_overrides() -> None:
    for item in showcase().items:
        if set(item.outcomes) <= set(UNIVERSAL_OUTCOMES):
            assert not item.context, f"{item.id} belongs to a universal outcome"


def test_enough_country_specific_items_and_coverage() -> None:
    module = showcase()
    with_overrides = [item for item in module.items if item.context]
    assert len(with_overrides) >= 15
    assert len(module.items) >= 45
    for outcome in module.meta.outcomes:
        count = sum(outcome.id in item.outcomes for item in module.items)
        assert count >= 3, f"outcome {outcome.id} has {count} items"
    assert {item.type for item in module.items} == set(ITEM_TYPES)
    practical = [item for item in module.items if isinstance(item, PracticalItem)]
    assert len(practical) >= 3
    assert all(len(item.criteria) >= 3 for item in practical)


def test_every_override_is_dated() -> None:
    for item in showcase().items:
        for code, over in item.context.items():
            assert over.verified_on or item.verified_on, f"{item.id} [{code}] has no verified_on"


def test_option_counts_are_in_range() -> None:
    for item in showcase().items:
        for code in CONTEXTS:
            if isinstance(item, SingleItem):
                assert 3 <= len(resolve.choices(item, code)) <= 5, (item.id, code)
            if isinstance(item, OrderItem):
                assert 3 <= len(resolve.choices(item, code)) <= 6, (item.id, code)
            if isinstance(item, MatchItem):
                left, right = resolve.match_sides(item, code)
                assert 2 <= len(left) <= 4 and len(right) >= len(left), (item.id, code)


# -- (e) every text in en, da, de ------------------------------------------------------


def _texts(item: AnyItem) -> list[tuple[str, dict[str, str]]]:
    """Every localised text of the item, universal and per context, with a label."""
    found: list[tuple[str, dict[str, str]]] = [("text", item.text), ("why", item.why)]
    lists = {
        "option": "options",
        "step": "steps",
        "left": "left",
        "right": "right",
        "criterion": "criteria",
    }
    for label, attr in lists.items():
        for entry in getattr(item, attr, None) or []:
            found.append((f"{label} {entry.id}", entry.text))
    for code, over in item.context.items():
        for label in ("text", "why"):
            value = getattr(over, label)
            if value is not None:
                found.append((f"{code} {label}", value))
        for label, attr in lists.items():
            for entry in getattr(over, attr, None) or []:
                found.append((f"{code} {label} {entry.id}", entry.text))
    return found


def test_every_item_has_text_why_and_options_in_every_language() -> None:
    missing = [
        f"{item.id}: {label} lacks {sorted(set(LANGUAGES) - set(texts))}"
        for item in showcase().items
        for label, texts in _texts(item)
        if not set(LANGUAGES) <= set(texts) or not all(texts[tag].strip() for tag in LANGUAGES)
    ]
    assert missing == []


def test_every_item_names_its_sources() -> None:
    for item in showcase().items:
        assert item.references, item.id
        for code in CONTEXTS:
            assert resolve.references(item, code), (item.id, code)
