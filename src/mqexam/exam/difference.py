"""What differs between two contexts of a module.

Called by ``mqexam bank compare`` and by bonus-exam planning, so that what an
author compares and what a learner is examined on are one and the same. Owns
the definition of "differs": the key, the options (or steps, match entries,
checklist), the text, the rationale or the references of an item as resolved
for each context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mqexam.bank import resolve
from mqexam.bank.model import AnyItem, MatchItem, Module, PracticalItem

ASPECTS = ("key", "options", "text", "why", "references")


@dataclass(frozen=True)
class ItemDifference:
    item_id: str
    outcomes: tuple[str, ...]
    aspects: tuple[str, ...]


def _options(item: AnyItem, code: str) -> Any:
    if isinstance(item, MatchItem):
        return resolve.match_sides(item, code)
    if isinstance(item, PracticalItem):
        return resolve.criteria(item, code)
    return resolve.choices(item, code)


def _normal_key(item: AnyItem, code: str) -> Any:
    value = resolve.key(item, code)
    if item.type == "multiple" and value is not None:
        return sorted(value)
    if item.type == "text" and value is not None:
        return sorted(value)
    return value


def item_difference(item: AnyItem, a: str, b: str) -> ItemDifference | None:
    """How ``item`` differs between contexts ``a`` and ``b``, or ``None`` if it does not."""
    aspects = []
    if _normal_key(item, a) != _normal_key(item, b):
        aspects.append("key")
    if _options(item, a) != _options(item, b):
        aspects.append("options")
    if resolve.text(item, a) != resolve.text(item, b):
        aspects.append("text")
    if resolve.why(item, a) != resolve.why(item, b):
        aspects.append("why")
    if resolve.references(item, a) != resolve.references(item, b):
        aspects.append("references")
    if not aspects:
        return None
    return ItemDifference(item.id, tuple(item.outcomes), tuple(aspects))


def differences(module: Module, a: str, b: str) -> list[ItemDifference]:
    """Every item of ``module`` that differs between contexts ``a`` and ``b``, in bank order."""
    found = (item_difference(item, a, b) for item in module.items)
    return [d for d in found if d is not None]
