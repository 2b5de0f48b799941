"""An item as it applies in one context and reads in one language.

Called by the checks, by ``exam/`` when it builds a form, and by the compare and
coverage commands. Owns "universal first, then the country": every accessor
takes the context's override where it has one and the universal value where it
does not, and fills ``{country}``/``{guideline}`` in the reader's language.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mqexam.bank.model import (
    AnyItem,
    Criterion,
    MatchItem,
    Module,
    MultipleItem,
    Option,
    OrderItem,
    Override,
    PracticalItem,
    SingleItem,
    TextItem,
)
from mqexam.i18n import country_name, fallback_chain


def override(item: AnyItem, code: str) -> Override | None:
    result: Override | None = item.context.get(code)
    return result


def _pick(item: AnyItem, code: str, name: str) -> Any:
    over = override(item, code)
    value = getattr(over, name, None) if over is not None else None
    return getattr(item, name) if value is None else value


def key(item: AnyItem, code: str) -> Any:
    """The answer key for ``code``: the override's, else the universal one (``None`` if neither)."""
    if isinstance(item, PracticalItem):
        return [c.id for c in criteria(item, code)]
    return _pick(item, code, "answer")


def choices(item: AnyItem, code: str) -> list[Option]:
    """Options of a single/multiple item, steps of an order item, otherwise empty."""
    if isinstance(item, SingleItem | MultipleItem):
        return list(_pick(item, code, "options"))
    if isinstance(item, OrderItem):
        return list(_pick(item, code, "steps"))
    return []


def match_sides(item: MatchItem, code: str) -> tuple[list[Option], list[Option]]:
    return list(_pick(item, code, "left")), list(_pick(item, code, "right"))


def criteria(item: PracticalItem, code: str) -> list[Criterion]:
    return list(_pick(item, code, "criteria"))


def text(item: AnyItem, code: str) -> Mapping[str, str]:
    return _pick(item, code, "text")  # type: ignore[no-any-return]


def why(item: AnyItem, code: str) -> Mapping[str, str]:
    return _pick(item, code, "why")  # type: ignore[no-any-return]


def references(item: AnyItem, code: str) -> list[str]:
    return list(_pick(item, code, "references"))


def notes(item: AnyItem, code: str) -> Mapping[str, str]:
    return _pick(item, code, "notes")  # type: ignore[no-any-return]


def verified_on(item: AnyItem, code: str) -> date | None:
    return _pick(item, code, "verified_on")  # type: ignore[no-any-return]


def placeholders(template: str) -> list[str]:
    """Field names used in ``template`` (also inside a format spec such as
    ``{country:>{width}}``); raises ``ValueError`` on unbalanced braces."""
    names = []
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            names.append(name)
        if spec and ("{" in spec or "}" in spec):
            names += placeholders(spec)
    return names


def fill(template: str, code: str, language: str, guideline: str | None) -> str:
    """Replace ``{country}`` and ``{guideline}``; leaves the text alone if it is malformed."""
    try:
        return template.format(country=country_name(code, language), guideline=guideline or "")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return template


def pick_locale(texts: Mapping[str, str], chain: Sequence[str]) -> tuple[str, str]:
    """The first text along ``chain`` and the locale it was written in."""
    for tag in chain:
        if tag in texts:
            return texts[tag], tag
    for tag, value in texts.items():
        return value, tag
    return "", ""


@dataclass(frozen=True)
class Choice:
    id: str
    text: str


@dataclass(frozen=True)
class ResolvedItem:
    """One item for one context in one language, options in the bank's order."""

    id: str
    type: str
    outcomes: tuple[str, ...]
    points: float
    text: str
    locale: str
    key: Any
    options: tuple[Choice, ...] = ()
    left: tuple[Choice, ...] = ()
    right: tuple[Choice, ...] = ()
    criteria: tuple[tuple[str, str, bool], ...] = ()
    why: str = ""
    references: tuple[str, ...] = ()
    notes: str = ""
    verified_on: date | None = None
    scoring: str = "exact"
    numeric: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def resolve(module: Module, item: AnyItem, code: str, language: str) -> ResolvedItem:
    """Everything a reader in ``language`` working in ``code`` sees of ``item``, and its key."""
    meta = module.meta
    chain = fallback_chain(language, meta.fallback, meta.languages)
    context = module.context(code)
    guideline = context.guideline if context else None

    def loc(texts: Mapping[str, str]) -> tuple[str, str]:
        value, tag = pick_locale(texts, chain)
        return fill(value, code, language, guideline), tag

    def choice_list(options: Sequence[Option]) -> tuple[Choice, ...]:
        return tuple(Choice(o.id, loc(o.text)[0]) for o in options)

    body, locale = loc(text(item, code))
    common: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "outcomes": tuple(item.outcomes),
        "points": item.points,
        "text": body,
        "locale": locale,
        "key": key(item, code),
        "why": loc(why(item, code))[0],
        "references": tuple(references(item, code)),
        "notes": loc(notes(item, code))[0],
        "verified_on": verified_on(item, code),
    }
    if isinstance(item, SingleItem | MultipleItem | OrderItem):
        scoring = getattr(item, "scoring", "exact")
        return ResolvedItem(**common, options=choice_list(choices(item, code)), scoring=scoring)
    if isinstance(item, MatchItem):
        left, right = match_sides(item, code)
        return ResolvedItem(
            **common, left=choice_list(left), right=choice_list(right), scoring=item.scoring
        )
    if isinstance(item, PracticalItem):
        rows = tuple((c.id, loc(c.text)[0], c.required) for c in criteria(item, code))
        return ResolvedItem(**common, criteria=rows)
    assert isinstance(item, TextItem)
    return ResolvedItem(**common, numeric=item.numeric)


def key_text(item: ResolvedItem, key_value: Any | None = None) -> list[str]:
    """A key (by default the item's) as lines a person reads, in the item's language."""
    value = item.key if key_value is None else key_value
    if value is None:
        return []
    names = {c.id: c.text for c in item.options}
    if item.type == "single":
        return [names.get(value, value)]
    if item.type == "multiple":
        return [names.get(v, v) for v in value]
    if item.type == "order":
        return [f"{n}. {names.get(v, v)}" for n, v in enumerate(value, start=1)]
    if item.type == "match":
        left = {c.id: c.text for c in item.left}
        right = {c.id: c.text for c in item.right}
        return [f"{left.get(k, k)} → {right.get(v, v)}" for k, v in value.items()]
    if item.type == "practical":
        return [text for _, text, _ in item.criteria]
    return [str(v) for v in value]
