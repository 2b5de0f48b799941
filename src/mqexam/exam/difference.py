"""What differs between two contexts of a module.

Called by ``mqexam bank compare`` and by bonus-exam planning, so that what an
author compares and what a learner is examined on are one and the same. Owns
the definition of "differs": the key, the options (or steps, match entries,
checklist), the text, the rationale or the references of an item as resolved
for each context, and of "changed" between two versions of a module.

A bonus exam examines only :data:`EXAMINED` (key, options, text): what a
learner reads and must answer. The rationale and the references are shown to
assessors and in evidence, never during a sitting, so a difference in them alone
changes nothing the learner must know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mqexam.bank import resolve
from mqexam.bank.model import AnyItem, MatchItem, Module, PracticalItem

ASPECTS = ("key", "options", "text", "why", "references")
EXAMINED = ("key", "options", "text")
"""The aspects that put an item into a bonus exam (see the module docstring)."""


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


def _aspects(first: AnyItem, a: str, second: AnyItem, b: str) -> tuple[str, ...]:
    """The aspects in which ``first`` as resolved for ``a`` and ``second`` for ``b`` differ."""
    aspects = []
    if first.type != second.type or _normal_key(first, a) != _normal_key(second, b):
        aspects.append("key")
    if first.type != second.type or _options(first, a) != _options(second, b):
        aspects.append("options")
    if resolve.text(first, a) != resolve.text(second, b):
        aspects.append("text")
    if resolve.why(first, a) != resolve.why(second, b):
        aspects.append("why")
    if resolve.references(first, a) != resolve.references(second, b):
        aspects.append("references")
    return tuple(aspects)


def item_difference(item: AnyItem, a: str, b: str) -> ItemDifference | None:
    """How ``item`` differs between contexts ``a`` and ``b``, or ``None`` if it does not."""
    aspects = _aspects(item, a, item, b)
    if not aspects:
        return None
    return ItemDifference(item.id, tuple(item.outcomes), aspects)


def differences(module: Module, a: str, b: str) -> list[ItemDifference]:
    """Every item of ``module`` that differs between contexts ``a`` and ``b``, in bank order."""
    found = (item_difference(item, a, b) for item in module.items)
    return [d for d in found if d is not None]


def version_changes(old: Module, new: Module, code: str) -> dict[str, tuple[str, ...]]:
    """Every item of ``new`` that changed since ``old`` (an earlier version), in context ``code``.

    Maps the item id to the aspects that changed; an item ``old`` does not have
    reads ``("new",)``. Items ``new`` no longer has are left out: nothing about them
    is left to know. Either module may lack the context; an item then resolves to
    its universal values there.
    """
    before = {item.id: item for item in old.items}
    changed: dict[str, tuple[str, ...]] = {}
    for item in new.items:
        earlier = before.get(item.id)
        if earlier is None:
            changed[item.id] = ("new",)
            continue
        aspects = _aspects(earlier, code, item, code)
        if tuple(earlier.outcomes) != tuple(item.outcomes):
            aspects = (*aspects, "outcomes")
        if aspects:
            changed[item.id] = aspects
    return changed
