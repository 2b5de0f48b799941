"""Forms: the concrete exam a learner sits, drawn from a bank by a recorded seed.

Called by the attempt layer (which records :func:`form_manifest` in the
``started`` event and rebuilds the form with :func:`form_from_manifest` on
resume), by bonus-exam planning (a form of given items) and by evidence export.
Owns the blueprint resolved against the bank: which items a sitting draws (per
outcome minimums first, unseen items preferred on a retake), the order items and
options are shown in, and the time limit. Pure: randomness comes only from
``random.Random(seed)``, iteration is in bank order, nothing reads a clock.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mqexam.bank.model import AnyItem, Module
from mqexam.bank.resolve import Choice, ResolvedItem, pick_locale, resolve
from mqexam.errors import MqexamError
from mqexam.i18n import _, fallback_chain

FORM_KINDS: tuple[str, ...] = ("full", "bonus")
MANIFEST_FORMAT = 1
_RESHUFFLES = 16
"""Tries to show an order item's steps out of key order before rotating instead."""
_SEARCH_NODES = 20_000
"""How far the search for a tight blueprint's selection goes before giving up."""


@dataclass(frozen=True)
class FormItem:
    """One item exactly as the learner sees it, with its key for the form's context.

    ``options`` are in the order shown (for an order item: the steps, never in key
    order); ``left``/``right`` are a match item's shown orders; ``criteria`` are a
    practical item's ``(id, text, required)`` rows.
    """

    position: int
    id: str
    type: str
    outcomes: tuple[str, ...]
    points: float
    text: str
    locale: str
    options: tuple[Choice, ...]
    left: tuple[Choice, ...]
    right: tuple[Choice, ...]
    criteria: tuple[tuple[str, str, bool], ...]
    key: Any
    scoring: str
    numeric: bool
    why: str
    references: tuple[str, ...]
    notes: str
    verified_on: date | None


@dataclass(frozen=True)
class Form:
    """A sitting's exam: module version, context, reader's locale, seed and items in order."""

    module_id: str
    version: str
    content_hash: str
    context: str
    locale: str
    seed: int
    kind: str
    """``full`` or ``bonus``."""
    items: tuple[FormItem, ...]
    time_limit_seconds: int
    pass_overall: float
    pass_outcomes: Mapping[str, float]
    outcomes: tuple[tuple[str, str], ...]
    life_safety: tuple[str, ...]

    def item(self, item_id: str) -> FormItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)


# -- building --------------------------------------------------------------


def build_form(
    module: Module,
    context: str,
    locale: str,
    seed: int,
    *,
    item_ids: Sequence[str] | None = None,
    kind: str = "full",
    seen: Collection[str] = frozenset(),
) -> Form:
    """The form for ``module`` in ``context``, read in ``locale``, drawn with ``seed``.

    Without ``item_ids`` the blueprint decides: a seeded selection that first meets
    ``per_outcome`` for every outcome (an item counts for each of its outcomes),
    then fills up to ``items``, preferring items not in ``seen`` wherever the bank
    has enough of them. With ``item_ids`` (a bonus form) the form is exactly those
    items and the time limit is the blueprint's, in proportion to the item count.
    Raises :class:`MqexamError` for an unknown context or language, an unknown
    item, or a blueprint the bank cannot meet.
    """
    _check_request(module, context, locale, kind)
    blueprint = module.meta.blueprint
    rng = random.Random(seed)
    if item_ids is None:
        chosen = _select(module, rng, seen)
        minutes = blueprint.time_limit_minutes
    else:
        chosen = _named_items(module, item_ids)
        share = blueprint.time_limit_minutes * len(chosen)
        minutes = max(1, -(-share // blueprint.items))
    if blueprint.shuffle_items:
        rng.shuffle(chosen)
    else:
        chosen = _bank_order(module, chosen)
    items = tuple(
        _shown(resolve(module, item, context, locale), position, rng,
               blueprint.shuffle_options)
        for position, item in enumerate(chosen, start=1)
    )
    return _form(module, context, locale, seed, kind, items, minutes * 60)


def _check_request(module: Module, context: str, locale: str, kind: str) -> None:
    meta = module.meta
    if module.context(context) is None:
        raise MqexamError(
            _("module '{module}' has no context '{context}' (contexts: {contexts})").format(
                module=meta.id, context=context, contexts=", ".join(module.context_codes)
            )
        )
    if locale not in meta.languages and locale not in meta.fallback:
        readable = sorted({*meta.languages, *meta.fallback})
        raise MqexamError(
            _("module '{module}' cannot be read in '{language}' (languages: {languages})").format(
                module=meta.id, language=locale, languages=", ".join(readable)
            )
        )
    if kind not in FORM_KINDS:
        raise MqexamError(
            _("unknown form kind '{kind}' (expected full or bonus)").format(kind=kind)
        )


def _cannot_meet(module: Module, reason: str) -> MqexamError:
    return MqexamError(
        _("the blueprint of module '{module}' {version} cannot be met: {reason}").format(
            module=module.id, version=module.version, reason=reason
        )
    )


def _select(module: Module, rng: random.Random, seen: Collection[str]) -> list[AnyItem]:
    """The blueprint's draw: per-outcome minimums first, then filled up to ``items``."""
    blueprint = module.meta.blueprint
    wanted = blueprint.items
    need = blueprint.per_outcome
    bank = list(module.items)
    if len(bank) < wanted:
        raise _cannot_meet(
            module,
            _("it draws {wanted} items and the bank has {have}").format(
                wanted=wanted, have=len(bank)
            ),
        )
    outcomes = [o.id for o in module.meta.outcomes]
    for outcome in outcomes:
        have = sum(1 for item in bank if outcome in item.outcomes)
        if have < need:
            raise _cannot_meet(
                module,
                _("outcome '{outcome}' needs {need} items and the bank has {have}").format(
                    outcome=outcome, need=need, have=have
                ),
            )
    unseen = [item for item in bank if item.id not in seen]
    again = [item for item in bank if item.id in seen]
    rng.shuffle(unseen)
    rng.shuffle(again)
    preference = unseen + again
    chosen = _cover_in_turn(preference, outcomes, need)
    if len(chosen) > wanted:
        chosen = _cover_greedily(preference, outcomes, need)
    if len(chosen) > wanted:
        chosen = _cover_exactly(preference, outcomes, need, wanted) or chosen
    if len(chosen) > wanted:
        raise _cannot_meet(
            module,
            _("{wanted} items cannot include {need} for each of its {count} outcomes").format(
                wanted=wanted, need=need, count=len(outcomes)
            ),
        )
    taken = {item.id for item in chosen}
    for item in preference:
        if len(chosen) >= wanted:
            break
        if item.id not in taken:
            chosen.append(item)
            taken.add(item.id)
    return chosen


def _deficits(chosen: Iterable[AnyItem], outcomes: Sequence[str], need: int) -> dict[str, int]:
    counts = dict.fromkeys(outcomes, 0)
    for item in chosen:
        for outcome in item.outcomes:
            if outcome in counts:
                counts[outcome] += 1
    return {outcome: max(0, need - count) for outcome, count in counts.items()}


def _cover_in_turn(
    preference: Sequence[AnyItem], outcomes: Sequence[str], need: int
) -> list[AnyItem]:
    """Outcome by outcome, the most preferred items covering it; then drop what is redundant.

    Keeps the draw as random as the preference order (an item assessing several
    outcomes is not favoured), at the cost of sometimes using more items than needed.
    """
    chosen: list[AnyItem] = []
    for outcome in outcomes:
        for item in preference:
            if _deficits(chosen, outcomes, need)[outcome] == 0:
                break
            if outcome in item.outcomes and all(item.id != c.id for c in chosen):
                chosen.append(item)
    for item in reversed(list(chosen)):
        rest = [other for other in chosen if other.id != item.id]
        if not any(_deficits(rest, outcomes, need).values()):
            chosen = rest
    return chosen


def _cover_greedily(
    preference: Sequence[AnyItem], outcomes: Sequence[str], need: int
) -> list[AnyItem]:
    """Fewer items for tight blueprints: each time the item that closes the most gaps."""
    chosen: list[AnyItem] = []
    while True:
        gaps = _deficits(chosen, outcomes, need)
        if not any(gaps.values()):
            return chosen
        best: AnyItem | None = None
        best_gain = 0
        taken = {c.id for c in chosen}
        for item in preference:
            if item.id in taken:
                continue
            gain = sum(1 for outcome in set(item.outcomes) if gaps.get(outcome, 0) > 0)
            if gain > best_gain:
                best, best_gain = item, gain
        if best is None:
            return chosen
        chosen.append(best)


def _cover_exactly(
    preference: Sequence[AnyItem], outcomes: Sequence[str], need: int, wanted: int
) -> list[AnyItem] | None:
    """At most ``wanted`` items meeting every minimum, by a bounded search; ``None`` if none.

    Branches on the items assessing the outcome furthest from its minimum, in
    preference order, each subset visited once; gives up after ``_SEARCH_NODES``.
    """
    known = set(outcomes)
    width = max((len(known.intersection(item.outcomes)) for item in preference), default=0)
    if width == 0:
        return None
    visited = 0

    def search(chosen: list[AnyItem], excluded: frozenset[str]) -> list[AnyItem] | None:
        nonlocal visited
        visited += 1
        gaps = _deficits(chosen, outcomes, need)
        total = sum(gaps.values())
        if total == 0:
            return chosen
        bound = max(max(gaps.values()), -(-total // width))
        if visited > _SEARCH_NODES or len(chosen) + bound > wanted:
            return None
        target = max(outcomes, key=lambda outcome: gaps[outcome])
        taken = {item.id for item in chosen} | excluded
        tried: set[str] = set()
        for item in preference:
            if target in item.outcomes and item.id not in taken and item.id not in tried:
                found = search([*chosen, item], excluded | tried)
                if found is not None:
                    return found
                tried.add(item.id)
        return None

    return search([], frozenset())


def _named_items(module: Module, item_ids: Sequence[str]) -> list[AnyItem]:
    if not item_ids:
        raise MqexamError(_("a form needs at least one item"))
    chosen: list[AnyItem] = []
    for item_id in item_ids:
        try:
            item = module.item(item_id)
        except KeyError:
            raise MqexamError(
                _("item '{item}' is not in module '{module}' {version}").format(
                    item=item_id, module=module.id, version=module.version
                )
            ) from None
        if any(c.id == item.id for c in chosen):
            raise MqexamError(_("item '{item}' is named twice").format(item=item_id))
        chosen.append(item)
    return chosen


def _bank_order(module: Module, chosen: Sequence[AnyItem]) -> list[AnyItem]:
    picked = {item.id for item in chosen}
    return [item for item in module.items if item.id in picked]


def _shown(
    resolved: ResolvedItem, position: int, rng: random.Random, shuffle_options: bool
) -> FormItem:
    """``resolved`` with its options (and match sides) in the order the learner sees them."""
    options = list(resolved.options)
    left, right = list(resolved.left), list(resolved.right)
    if resolved.type == "order":
        options = _shuffled_steps(options, resolved.key, rng)
    elif shuffle_options:
        rng.shuffle(options)
        rng.shuffle(left)
        rng.shuffle(right)
    return _form_item(resolved, position, options, left, right)


def _shuffled_steps(steps: list[Choice], key: Any, rng: random.Random) -> list[Choice]:
    """Steps in a seeded order that is never the key's (when there are two or more)."""
    in_key_order = [step.id for step in steps] if key is None else list(key)
    rng.shuffle(steps)
    if len(steps) < 2:
        return steps
    for _try in range(_RESHUFFLES):
        if [step.id for step in steps] != in_key_order:
            return steps
        rng.shuffle(steps)
    if [step.id for step in steps] == in_key_order:
        steps = steps[1:] + steps[:1]
    return steps


def _form_item(
    resolved: ResolvedItem,
    position: int,
    options: Sequence[Choice],
    left: Sequence[Choice],
    right: Sequence[Choice],
) -> FormItem:
    return FormItem(
        position=position,
        id=resolved.id,
        type=resolved.type,
        outcomes=resolved.outcomes,
        points=resolved.points,
        text=resolved.text,
        locale=resolved.locale,
        options=tuple(options),
        left=tuple(left),
        right=tuple(right),
        criteria=resolved.criteria,
        key=resolved.key,
        scoring=resolved.scoring,
        numeric=resolved.numeric,
        why=resolved.why,
        references=resolved.references,
        notes=resolved.notes,
        verified_on=resolved.verified_on,
    )


def _form(
    module: Module,
    context: str,
    locale: str,
    seed: int,
    kind: str,
    items: tuple[FormItem, ...],
    time_limit_seconds: int,
) -> Form:
    meta = module.meta
    chain = fallback_chain(locale, meta.fallback, meta.languages)
    return Form(
        module_id=meta.id,
        version=meta.version,
        content_hash=module.content_hash,
        context=context,
        locale=locale,
        seed=seed,
        kind=kind,
        items=items,
        time_limit_seconds=time_limit_seconds,
        pass_overall=meta.pass_rules.overall,
        pass_outcomes=dict(meta.pass_rules.outcomes),
        outcomes=tuple((o.id, pick_locale(o.text, chain)[0]) for o in meta.outcomes),
        life_safety=tuple(o.id for o in meta.outcomes if o.life_safety),
    )


# -- manifest --------------------------------------------------------------


def form_manifest(form: Form) -> dict[str, Any]:
    """A JSON-able record of ``form`` for the attempt's ``started`` event.

    Holds what the seed decided (items in order, each item's shown option, left
    and right order) so the form can be rebuilt exactly even if the drawing code
    changes, plus the seed, kind and time limit.
    """
    items: list[dict[str, Any]] = []
    for item in form.items:
        entry: dict[str, Any] = {"id": item.id}
        if item.options:
            entry["options"] = [c.id for c in item.options]
        if item.left or item.right:
            entry["left"] = [c.id for c in item.left]
            entry["right"] = [c.id for c in item.right]
        items.append(entry)
    return {
        "format": MANIFEST_FORMAT,
        "module": form.module_id,
        "version": form.version,
        "content_hash": form.content_hash,
        "seed": form.seed,
        "kind": form.kind,
        "time_limit_seconds": form.time_limit_seconds,
        "items": items,
    }


def form_from_manifest(
    module: Module, context: str, locale: str, manifest: Mapping[str, Any]
) -> Form:
    """Rebuild the form ``manifest`` describes from ``module`` (for resume and evidence).

    Items, their order and the shown order of their options come from the
    manifest, texts and keys from the bank. Raises :class:`MqexamError` when the
    manifest is malformed, or an item or option it names is no longer in the bank.
    """
    seed, kind = manifest.get("seed"), manifest.get("kind")
    limit, entries = manifest.get("time_limit_seconds"), manifest.get("items")
    if (
        not _is_int(seed)
        or kind not in FORM_KINDS
        or not _is_int(limit)
        or not isinstance(entries, list)
        or not entries
    ):
        raise MqexamError(_("the recorded form is malformed"))
    recorded = manifest.get("module", module.id)
    if recorded != module.id:
        raise MqexamError(
            _("the recorded form is of module '{recorded}', not '{module}'").format(
                recorded=recorded, module=module.id
            )
        )
    _check_request(module, context, locale, str(kind))
    items: list[FormItem] = []
    for position, entry in enumerate(entries, start=1):
        item_id = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(item_id, str):
            raise MqexamError(_("the recorded form is malformed"))
        try:
            bank_item = module.item(item_id)
        except KeyError:
            raise MqexamError(
                _("item '{item}' of the recorded form is no longer in module '{module}' "
                  "{version}").format(item=item_id, module=module.id, version=module.version)
            ) from None
        resolved = resolve(module, bank_item, context, locale)
        assert isinstance(entry, Mapping)
        items.append(
            _form_item(
                resolved,
                position,
                _reordered(resolved.options, entry.get("options"), item_id),
                _reordered(resolved.left, entry.get("left"), item_id),
                _reordered(resolved.right, entry.get("right"), item_id),
            )
        )
    assert isinstance(seed, int) and isinstance(limit, int)
    return _form(module, context, locale, seed, str(kind), tuple(items), limit)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _reordered(choices: Sequence[Choice], shown: object, item_id: str) -> list[Choice]:
    """``choices`` in the recorded order ``shown``, which must name each of them once."""
    if shown is None and not choices:
        return []
    by_id = {c.id: c for c in choices}
    if (
        not isinstance(shown, list)
        or not all(isinstance(s, str) for s in shown)
        or sorted(shown) != sorted(by_id)
    ):
        raise MqexamError(
            _("the options of item '{item}' changed since the form was recorded").format(
                item=item_id
            )
        )
    return [by_id[s] for s in shown]
