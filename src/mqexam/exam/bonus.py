"""Bonus-exam planning: what a learner still has to show for a target country.

Called by ``mqexam bonus plan``, the learner app (which offers the bonus exam and
builds its form with ``build_form(module, plan.target, locale, seed,
item_ids=plan.item_ids, kind="bonus")`` and starts it with
``builds_on=plan.builds_on``) and evidence export (which explains the stacking
per outcome from :attr:`BonusPlan.outcomes`). Owns the gap rule. Pure: it reads
a :class:`~mqexam.exam.profile.CompetenceProfile` and the current module.

The rule, per outcome of the module, for target country ``T``:

1. **Demonstrated in T** when a counting full attempt in ``T`` or prior-learning
   record for ``T`` (or for every country) shows it, or when counting bonus
   attempts in ``T`` together covered every item of the outcome. Nothing to do.
2. Otherwise every counting demonstration in another country ``C`` is a possible
   **basis**. The outcome still needs the items of it that differ between ``C`` and
   ``T`` (:func:`mqexam.exam.difference.differences`, the very function ``mqexam
   bank compare`` shows, in the aspects :data:`~mqexam.exam.difference.EXAMINED`:
   key, options, text), less the items counting bonus attempts in ``T`` already
   covered. The basis needing fewest items is taken (then one a bonus attempt
   named, then the newest). None left: the outcome is **stacked**. Reason
   ``differs`` ("differs from DK").

   Why key, options and text: the key is what is right; the options are what the
   learner chooses among (or the checklist an assessor observes); the text is the
   question, and a country's stem can carry the country's own fact (the showcase's
   Danish CPR item cites 'ring først 112' in its stem while its key stays the
   same), so the same key under another stem is another question. The rationale
   and the references are shown to assessors and in evidence, never to the learner
   while sitting, and change nothing the learner must know or do: a difference in
   them alone puts no item into the plan.
3. Without any basis the outcome needs **every item** it has (less those bonus
   attempts in ``T`` covered). A bonus form is exactly its items, not a seeded
   draw, so listing them all keeps the plan independent of chance, and a bonus
   attempt passing them is a complete demonstration of the outcome in ``T`` on its
   own (rule 1). The reason is that of the newest result for the outcome that does
   not count (``expired``, ``bank_changed``, ``failed``, ``voided``...), else
   ``never_demonstrated``.

The plan is the **full exam** instead of a bonus exam when the learner has no
result for the module at all (``no_prior``), when none of their results counts
(``nothing_counts``), or when the bonus would have more items than a full form
(``shorter``: a full exam in ``T`` demonstrates every outcome there under the
module's own rules, in less time). Its :attr:`~BonusPlan.item_ids` are then empty:
sit an ordinary form (``build_form`` without ``item_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.exam.attempt import AttemptState
from mqexam.exam.difference import EXAMINED, ItemDifference, differences
from mqexam.exam.profile import CompetenceProfile, Demonstration
from mqexam.i18n import N_, _, country_name, format_date, format_percent, ngettext

ASPECT_LABELS = {
    "key": N_("answer"),
    "options": N_("options"),
    "text": N_("question"),
}

PLAN_REASONS = {
    "differs": N_("differs from {country} ({code}): {aspects}"),
    "never_demonstrated": N_("never demonstrated"),
    "expired": N_("expired"),
    "bank_changed": N_("bank changed"),
    "failed": N_("prior attempt failed"),
    "not_passed": N_("not passed in the prior attempt"),
    "voided": N_("prior attempt voided"),
    "not_yet_competent": N_("assessed 'not yet competent'"),
    "awaiting_review": N_("prior attempt awaiting an assessor"),
    "open": N_("prior attempt still in progress"),
    "unscored": N_("prior attempt cannot be scored with this bank"),
    "altered": N_("prior attempt's record altered"),
    "superseded": N_("replaced by a later decision"),
}

FULL_EXAM_REASONS = {
    "no_prior": N_("{learner} has no attempt and no prior-learning record for this module: "
                   "the plan is the full exam."),
    "nothing_counts": N_("none of {learner}'s results for this module counts any more: the "
                         "plan is the full exam."),
    "shorter": N_("what is left ({n} items) is more than a full exam ({full} items): the plan "
                  "is the full exam."),
}


@dataclass(frozen=True)
class PlanItem:
    """An item the learner still has to answer, for which outcomes, and why."""

    item_id: str
    outcomes: tuple[str, ...]
    reason: str
    from_context: str | None = None
    aspects: tuple[str, ...] = ()

    def reason_text(self) -> str:
        return _reason_text(self.reason, self.from_context, self.aspects)

    def as_json(self) -> dict[str, Any]:
        return {"item": self.item_id, "outcomes": list(self.outcomes), "reason": self.reason,
                "from_context": self.from_context, "aspects": list(self.aspects),
                "text": self.reason_text()}


@dataclass(frozen=True)
class OutcomePlan:
    """Where one outcome stands for the target country.

    ``status``: ``demonstrated`` (in the target itself, or by bonus attempts that
    covered all its items), ``stacked`` (on ``basis`` in another country plus
    ``bonus`` attempts covering what differs, or nothing that matters differs),
    or ``needed`` (``item_ids`` are still to show, for ``reason``). ``cause`` is the
    result that explains an outcome without a basis.
    """

    outcome_id: str
    status: str
    target: str
    reason: str | None = None
    basis: Demonstration | None = None
    bonus: tuple[Demonstration, ...] = ()
    cause: Demonstration | None = None
    item_ids: tuple[str, ...] = ()
    differing: tuple[str, ...] = ()
    """For a basis in another country: every item of the outcome that differs."""
    results: tuple[Demonstration, ...] = ()
    """Every result for the outcome, in any country, newest first (conflicts included)."""

    @property
    def not_counted(self) -> tuple[Demonstration, ...]:
        return tuple(r for r in self.results if not r.counts)

    def text(self) -> str:
        """The outcome's standing in a sentence, in the interface language."""
        target = _country(self.target)
        if self.status == "demonstrated" and self.basis is not None:
            return _("demonstrated: {source}").format(source=_shown_by(self.basis))
        if self.status == "demonstrated":
            return _("demonstrated in {country}: every item in {sources}").format(
                country=target, sources=_sources(self.bonus))
        if self.status == "stacked" and self.basis is not None:
            if not self.differing:
                return _("demonstrated: {source}; nothing that matters differs for "
                         "{country}").format(source=_shown_by(self.basis), country=target)
            return _("demonstrated: {source}; what differs for {country} shown in "
                     "{sources}").format(source=_shown_by(self.basis), country=target,
                                         sources=_sources(self.bonus))
        n = len(self.item_ids)
        if self.reason == "differs" and self.basis is not None:
            return ngettext(
                "{source}; {n} item differs for {country}",
                "{source}; {n} items differ for {country}", n,
            ).format(source=_shown_by(self.basis), n=n, country=target)
        why = (self.cause.reason_text() if self.cause is not None
               else _(PLAN_REASONS["never_demonstrated"]))
        return ngettext("{why}: {n} item to show", "{why}: {n} items to show", n).format(
            why=why, n=n)

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome_id,
            "status": self.status,
            "reason": self.reason,
            "text": self.text(),
            "basis": self.basis.as_json() if self.basis else None,
            "bonus": [b.ref for b in self.bonus],
            "cause": self.cause.as_json() if self.cause else None,
            "items": list(self.item_ids),
            "differing": list(self.differing),
            "not_counted": [{"id": r.ref, "context": r.context, "reasons": list(r.reasons),
                             "text": r.reason_text()} for r in self.not_counted],
        }


@dataclass(frozen=True)
class BonusPlan:
    """What a learner still has to show of a module for ``target``, and why."""

    learner_id: str
    module_id: str
    version: str
    content_hash: str
    target: str
    today: date
    outcomes: tuple[OutcomePlan, ...]
    items: tuple[PlanItem, ...]
    """The bonus exam's items, in bank order; empty for the full exam."""
    builds_on: tuple[str, ...]
    """The results in other countries the target's outcomes stack on (the bases of the
    ``needed`` and ``stacked`` rows; ``prior:`` for prior-learning records): what a bonus
    attempt started from this plan names in its ``builds_on``."""
    full_exam: str | None
    """Why the plan is the full exam (``no_prior``, ``nothing_counts``, ``shorter``)."""
    time_limit_minutes: int
    full_items: int

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.item_id for item in self.items)

    @property
    def empty(self) -> bool:
        return self.full_exam is None and not self.items

    def summary(self) -> str:
        """The plan in a sentence: full exam, nothing left, or how many items and minutes."""
        country = _country(self.target)
        if self.full_exam is not None:
            return _(FULL_EXAM_REASONS[self.full_exam]).format(
                learner=self.learner_id, n=len(_needed(self.outcomes)), full=self.full_items)
        if not self.items:
            return _("Nothing left to show for {country}: every outcome is demonstrated "
                     "there, directly or stacked on a result from another country.").format(
                         country=country)
        n = len(self.items)
        return ngettext(
            "A bonus exam for {country}: {n} item, {minutes} min.",
            "A bonus exam for {country}: {n} items, {minutes} min.", n,
        ).format(country=country, n=n, minutes=self.time_limit_minutes)

    def as_json(self) -> dict[str, Any]:
        return {
            "learner": self.learner_id,
            "module": self.module_id,
            "version": self.version,
            "content_hash": self.content_hash,
            "target": self.target,
            "today": self.today.isoformat(),
            "kind": "full" if self.full_exam else "bonus",
            "full_exam": self.full_exam,
            "empty": self.empty,
            "summary": self.summary(),
            "time_limit_minutes": self.time_limit_minutes,
            "items": [item.as_json() for item in self.items],
            "item_ids": list(self.item_ids),
            "builds_on": list(self.builds_on),
            "outcomes": [o.as_json() for o in self.outcomes],
        }


# -- planning ----------------------------------------------------------------


def plan(profile: CompetenceProfile, module: Module, target_context: str) -> BonusPlan:
    """What the learner of ``profile`` still has to show of ``module`` for ``target_context``.

    Raises :class:`MqexamError` when the module does not cover the country, or when
    the profile is of another module.
    """
    target = target_context.strip().upper()
    if module.context(target) is None:
        raise MqexamError(
            _("module '{module}' has no context '{context}' (contexts: {contexts})").format(
                module=module.id, context=target_context, contexts=", ".join(module.context_codes)
            )
        )
    if profile.module_id != module.id:
        raise MqexamError(_("the profile is of module '{profile}', not '{module}'").format(
            profile=profile.module_id, module=module.id))
    gaps = _Differences(module, target)
    rows = [replace(_outcome_plan(profile, module, outcome.id, target, gaps),
                    results=profile.entries_for(outcome.id))
            for outcome in module.meta.outcomes]
    items = _plan_items(module, rows, gaps)
    blueprint = module.meta.blueprint
    full_exam: str | None = None
    if not profile.entries:
        full_exam = "no_prior"
    elif not profile.anything_counts:
        full_exam = "nothing_counts"
    elif len(items) > blueprint.items:
        full_exam = "shorter"
    if full_exam is not None:
        items = ()
        minutes = blueprint.time_limit_minutes
    else:
        minutes = max(1, -(-blueprint.time_limit_minutes * len(items) // blueprint.items))
    builds_on = tuple(dict.fromkeys(
        row.basis.ref for row in rows
        if row.status in ("needed", "stacked") and row.basis is not None and full_exam is None
    ))
    return BonusPlan(
        learner_id=profile.learner_id,
        module_id=module.id,
        version=module.version,
        content_hash=module.content_hash,
        target=target,
        today=profile.today,
        outcomes=tuple(rows),
        items=items,
        builds_on=builds_on,
        full_exam=full_exam,
        time_limit_minutes=minutes if items or full_exam else 0,
        full_items=blueprint.items,
    )


class _Differences:
    """``differences(module, C, target)`` in the examined aspects, computed once per C."""

    def __init__(self, module: Module, target: str) -> None:
        self.module = module
        self.target = target
        self._cache: dict[str, dict[str, ItemDifference]] = {}

    def __call__(self, context: str) -> dict[str, ItemDifference]:
        if context not in self._cache:
            self._cache[context] = {
                d.item_id: d for d in differences(self.module, context, self.target)
                if set(d.aspects) & set(EXAMINED)
            }
        return self._cache[context]


def _outcome_plan(
    profile: CompetenceProfile, module: Module, outcome: str, target: str, gaps: _Differences
) -> OutcomePlan:
    items = [item.id for item in module.items if outcome in item.outcomes]
    entries = profile.entries_for(outcome)
    counting = [e for e in entries if e.counts]
    bonus = [e for e in counting if e.kind == "bonus" and e.context == target]
    covered = {i for e in bonus for i in e.items}
    direct = [e for e in counting if e.kind != "bonus" and e.context in (None, target)]
    if direct:
        return OutcomePlan(outcome, "demonstrated", target, basis=direct[0])
    if set(items) <= covered:
        return OutcomePlan(outcome, "demonstrated", target, bonus=tuple(bonus))
    named = {ref for e in bonus for ref in e.builds_on}
    best: tuple[tuple[Any, ...], Demonstration, list[str], list[str]] | None = None
    for entry in counting:
        if entry.kind == "bonus" or entry.context is None or entry.context == target:
            continue
        differ = gaps(entry.context)
        differing = [i for i in items if i in differ]
        need = [i for i in differing if i not in covered]
        rank = (len(need), entry.ref not in named, -entry.at.timestamp())
        if best is None or rank < best[0]:
            best = (rank, entry, need, differing)
    if best is not None:
        _rank, basis, need, differing = best
        used = tuple(e for e in bonus if set(e.items) & set(differing))
        if not need:
            return OutcomePlan(outcome, "stacked", target, basis=basis, bonus=used,
                               differing=tuple(differing))
        return OutcomePlan(outcome, "needed", target, reason="differs", basis=basis,
                           bonus=used, item_ids=tuple(need), differing=tuple(differing))
    cause = next((e for e in entries if not e.counts), None)
    return OutcomePlan(
        outcome, "needed", target,
        reason=cause.reason if cause is not None else "never_demonstrated",
        bonus=tuple(bonus), cause=cause,
        item_ids=tuple(i for i in items if i not in covered),
    )


def _plan_items(
    module: Module, rows: list[OutcomePlan], gaps: _Differences
) -> tuple[PlanItem, ...]:
    """The items the rows need, once each, in bank order, with the first row's reason."""
    needed: dict[str, list[OutcomePlan]] = {}
    for row in rows:
        for item_id in row.item_ids:
            needed.setdefault(item_id, []).append(row)
    result = []
    for item in module.items:
        wanting = needed.get(item.id)
        if not wanting:
            continue
        first = wanting[0]
        from_context: str | None = None
        aspects: tuple[str, ...] = ()
        if first.reason == "differs" and first.basis is not None and first.basis.context:
            from_context = first.basis.context
            aspects = tuple(a for a in gaps(from_context)[item.id].aspects if a in EXAMINED)
        result.append(PlanItem(item.id, tuple(r.outcome_id for r in wanting),
                               first.reason or "never_demonstrated", from_context, aspects))
    return tuple(result)


def _needed(rows: Iterable[OutcomePlan]) -> set[str]:
    return {i for row in rows for i in row.item_ids}


# -- retakes -------------------------------------------------------------------


def seen_items(attempts: Iterable[AttemptState], module_id: str) -> frozenset[str]:
    """Every item the learner's ``attempts`` of ``module_id`` put on a form.

    For ``build_form(..., seen=...)`` on a retake: it then draws items the learner
    has not seen wherever the bank has enough of them. Every attempt counts,
    voided and unfinished ones too: the items were on the learner's screen.
    """
    seen: set[str] = set()
    for state in attempts:
        if state.start.get("module") != module_id:
            continue
        manifest = state.start.get("form") or {}
        for entry in manifest.get("items", []):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                seen.add(entry["id"])
    return frozenset(seen)


# -- words -------------------------------------------------------------------


def _country(code: str | None) -> str:
    return f"{country_name(code)} ({code})" if code else _("every country")


def _reason_text(reason: str, from_context: str | None, aspects: tuple[str, ...]) -> str:
    template = _(PLAN_REASONS.get(reason, reason))
    return template.format(
        country=country_name(from_context) if from_context else "",
        code=from_context or "",
        aspects=", ".join(_(ASPECT_LABELS.get(a, a)) for a in aspects),
    )


def _shown_by(entry: Demonstration) -> str:
    """Where and how ``entry`` showed the outcome: country, source, date, version, score."""
    where = _country(entry.context)
    if entry.prior_learning:
        return _("recognised as prior learning for {country} ({source}, {document}, "
                 "{date})").format(country=where, source=entry.source_id,
                                   document=entry.record.get("document_type", "?"),
                                   date=format_date(entry.on))
    score = format_percent(entry.share) if entry.share is not None else "?"
    return _("shown in {country} in {source} on {date} (version {version}, {score})").format(
        country=where, source=entry.describe_source(), date=format_date(entry.on),
        version=entry.version or "?", score=score)


def _sources(entries: Iterable[Demonstration]) -> str:
    return ", ".join(e.describe_source() for e in entries) or "-"
