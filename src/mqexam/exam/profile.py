"""The competence profile: what a learner has shown of a module, per outcome and context.

Called by bonus planning (:mod:`mqexam.exam.bonus`), by ``mqexam bonus plan``
through :mod:`mqexam.competence`, and by whoever explains a credential (the
learner app, evidence export). Owns the rules of what counts as having
demonstrated an outcome. Pure: it is handed the learner's folded attempts with
their forms and results, the prior-learning records, the current module and the
day to judge on; it reads no clock, file or database.

Each attempt gives one :class:`Demonstration` per outcome its form assessed, and
each prior-learning (RKV) record one for its outcome. Every one is listed; those
with no ``reasons`` count. The rules, in the order they are checked:

- ``altered``: the attempt's hash chain does not verify.
- ``voided``: an assessor voided the attempt.
- ``open``: the attempt is still in progress (only a closed attempt counts).
- ``unscored``: the form could not be rebuilt from the current bank version it
  names (its record is unreadable). An attempt whose older bank version is not at
  hand cannot be scored either: it reads ``bank_changed`` (below). Either way its
  outcomes are those of the items its form named, as the current bank files them.
- ``failed``: the attempt's overall decision is "not passed" (a failed attempt
  counts for no outcome, however well one outcome went).
- ``not_yet_competent``: the assessor's decision in force (the last ``signed``
  event; all are listed) is "not yet competent" for the outcome, by name or for
  the whole attempt. A signature can withhold an outcome but not grant one the
  score did not pass.
- ``not_passed``: the outcome did not pass. An outcome with its own pass rule
  passes by that rule; one without passes when the attempt as a whole passed
  (the module's author chose to judge it by the overall share).
- ``awaiting_review``: an item of the outcome (or, for an outcome without a rule,
  of the form) still waits for an assessor's grade.
- ``bank_changed``: the attempt was scored with another bank version (content
  hash) than the current one, and an item that matters changed since: for a full
  attempt any item of the outcome, for a bonus attempt any item of the outcome it
  covered. "Changed" is :func:`mqexam.exam.difference.version_changes` in the
  attempt's context: key, options, text, which outcomes the item assesses, or an
  item new to the bank (the learner cannot have known it). When the older
  version is not at hand to compare, a different content hash is taken as a
  change to every item: nothing proves otherwise.
- ``expired``: the module declares ``validity_years`` and ``today`` is on or after
  the anniversary of the sitting date (prior learning: of the document date).
- ``superseded``: for one outcome in one context the latest signed decision is in
  force. When it is "not yet competent", every other result for that outcome and
  context from before that signature (a prior-learning record counts as signed
  when it was recorded) no longer counts. Later results stand on their own.

A full attempt demonstrates an outcome in its context. A bonus attempt covers
only the items it had, for its target context; how it stacks onto a
demonstration in another context is bonus planning's business. A prior-learning
record demonstrates its outcome in its context, or in every context when it names
none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from mqexam.bank.model import Module
from mqexam.exam.attempt import AttemptState, parse_time
from mqexam.exam.difference import version_changes
from mqexam.exam.form import Form
from mqexam.exam.scoring import FormResult
from mqexam.i18n import N_, _, format_date

COMPETENT = "competent"
NOT_YET_COMPETENT = "not_yet_competent"
CLOSED = frozenset({"submitted", "expired", "signed"})
_CHANGES = frozenset({"key", "options", "text", "new", "outcomes"})
_UNSOUND = frozenset({"altered", "voided"})
"""A signature on such an attempt decides nothing."""

REASONS: dict[str, str] = {
    # TRANSLATORS: why a result does not count towards an outcome; {source} names it.
    "altered": N_("{source}: its record was altered"),
    "voided": N_("{source} was voided"),
    "open": N_("{source} is still in progress"),
    "unscored": N_("{source} cannot be scored with this bank"),
    "failed": N_("{source} was not passed"),
    "not_yet_competent": N_("{source}: the assessor decided 'not yet competent'"),
    "not_passed": N_("{source}: this outcome was not passed"),
    "awaiting_review": N_("{source} is waiting for an assessor"),
    "bank_changed": N_("{source}: the bank changed since version {version}"),
    "expired": N_("{source}: expired on {date}"),
    "superseded": N_("{source}: replaced by a later decision ({by})"),
}


class AttemptEvidence(NamedTuple):
    """One attempt as the profile reads it: plain data the caller gathered.

    ``form`` and ``result`` are ``None`` when the attempt's bank version is not at
    hand; ``content_hash`` and ``version`` name the version it was scored with (the
    last ``regraded`` one, else the one it started with); ``chain_problems`` says
    what does not verify in its hash chain.
    """

    state: AttemptState
    form: Form | None
    result: FormResult | None
    content_hash: str
    version: str
    chain_problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Demonstration:
    """One result for one outcome: an attempt's, or a prior-learning record's.

    ``context`` is ``None`` for a prior-learning record valid in every country.
    ``items`` are the outcome's items on the attempt's form. ``reasons`` is empty
    when it counts; otherwise the codes of :data:`REASONS`, most fundamental first.
    """

    outcome_id: str
    context: str | None
    source: str
    """``attempt`` or ``prior_learning``."""
    source_id: str
    kind: str
    """``full``, ``bonus`` or ``prior``."""
    at: datetime
    on: date
    version: str | None = None
    content_hash: str | None = None
    share: float | None = None
    points: float | None = None
    max_points: float | None = None
    items: tuple[str, ...] = ()
    builds_on: tuple[str, ...] = ()
    expires_on: date | None = None
    decision: str | None = None
    """The assessor's decision in force for this outcome, if signed."""
    signed_at: datetime | None = None
    signatures: tuple[Mapping[str, Any], ...] = ()
    changed_items: tuple[str, ...] = ()
    superseded_by: str | None = None
    reasons: tuple[str, ...] = ()
    record: Mapping[str, Any] = field(default_factory=dict)
    """A prior-learning record as stored (document type, issuer, assessor...)."""

    @property
    def counts(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None

    @property
    def prior_learning(self) -> bool:
        return self.source == "prior_learning"

    @property
    def ref(self) -> str:
        """How a ``started`` event's ``builds_on`` names this result."""
        return f"prior:{self.source_id}" if self.prior_learning else self.source_id

    def describe_source(self) -> str:
        """The result named for a person: 'attempt X', 'bonus attempt X', 'prior learning P'."""
        if self.prior_learning:
            return _("prior learning {id}").format(id=self.source_id)
        if self.kind == "bonus":
            return _("bonus attempt {id}").format(id=self.source_id)
        return _("attempt {id}").format(id=self.source_id)

    def reason_text(self, code: str | None = None) -> str:
        """Why it does not count, in the interface language ('' when it counts)."""
        code = code or self.reason
        if code is None:
            return ""
        return _(REASONS.get(code, code)).format(
            source=self.describe_source(),
            version=self.version or "?",
            date=format_date(self.expires_on) if self.expires_on else "?",
            by=self.superseded_by or "?",
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome_id,
            "context": self.context,
            "source": self.source,
            "id": self.source_id,
            "kind": self.kind,
            "on": self.on.isoformat(),
            "version": self.version,
            "content_hash": self.content_hash,
            "share": self.share,
            "points": self.points,
            "max_points": self.max_points,
            "items": list(self.items),
            "builds_on": list(self.builds_on),
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "decision": self.decision,
            "signatures": [dict(s) for s in self.signatures],
            "changed_items": list(self.changed_items),
            "superseded_by": self.superseded_by,
            "counts": self.counts,
            "reasons": [{"code": code, "text": self.reason_text(code)} for code in self.reasons],
            "record": dict(self.record),
        }


@dataclass(frozen=True)
class ProfileCell:
    """One outcome in one context: the direct demonstration in force, and every result."""

    outcome_id: str
    context: str
    demonstrated_by: Demonstration | None
    entries: tuple[Demonstration, ...]


@dataclass(frozen=True)
class CompetenceProfile:
    """Everything a learner has shown of one module, judged on ``today``."""

    learner_id: str
    module_id: str
    version: str
    content_hash: str
    today: date
    outcomes: tuple[str, ...]
    contexts: tuple[str, ...]
    entries: tuple[Demonstration, ...]
    """Newest first."""
    unreadable: tuple[str, ...] = ()
    """Attempts that could not be read at all (left out, named here)."""

    def entries_for(self, outcome_id: str, context: str | None = None) -> tuple[Demonstration, ...]:
        """Every result for ``outcome_id`` (in ``context``, or valid in every country)."""
        return tuple(
            e for e in self.entries
            if e.outcome_id == outcome_id
            and (context is None or e.context is None or e.context == context)
        )

    def demonstrated_by(self, outcome_id: str, context: str) -> Demonstration | None:
        """The newest counting full attempt or prior-learning record for the outcome there.

        Bonus attempts are left out: they cover items, not an outcome, and stack onto
        a demonstration elsewhere (see :func:`mqexam.exam.bonus.plan`).
        """
        for entry in self.entries_for(outcome_id, context):
            if entry.counts and entry.kind != "bonus":
                return entry
        return None

    def cells(self) -> list[ProfileCell]:
        """Each outcome in each context of the module, in module order."""
        return [
            ProfileCell(outcome, context, self.demonstrated_by(outcome, context),
                        self.entries_for(outcome, context))
            for outcome in self.outcomes for context in self.contexts
        ]

    @property
    def anything_counts(self) -> bool:
        return any(e.counts for e in self.entries)

    def as_json(self) -> dict[str, Any]:
        return {
            "learner": self.learner_id,
            "module": self.module_id,
            "version": self.version,
            "content_hash": self.content_hash,
            "today": self.today.isoformat(),
            "entries": [e.as_json() for e in self.entries],
            "unreadable": list(self.unreadable),
            "cells": [
                {"outcome": c.outcome_id, "context": c.context,
                 "demonstrated_by": c.demonstrated_by.ref if c.demonstrated_by else None}
                for c in self.cells()
            ],
        }


# -- building ----------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The anniversary of ``day`` ``years`` later (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def build_profile(
    attempts: Iterable[AttemptEvidence | tuple[Any, ...]],
    prior: Iterable[Mapping[str, Any]],
    module: Module,
    today: date,
    *,
    learner_id: str = "",
    old_modules: Iterable[Module] = (),
    unreadable: Sequence[str] = (),
) -> CompetenceProfile:
    """The profile of the learner whose ``attempts`` and ``prior`` records are given.

    ``attempts`` are :class:`AttemptEvidence` (or plain tuples of its fields);
    those of another module are ignored, and so are prior-learning records of
    another module or of an outcome the module does not have. ``old_modules``
    are earlier versions of ``module`` that may be compared with it (matched by
    content hash).
    """
    olds = {m.content_hash: m for m in old_modules if m.id == module.id}
    entries: list[Demonstration] = []
    for raw in attempts:
        evidence = raw if isinstance(raw, AttemptEvidence) else AttemptEvidence(*raw)
        if evidence.state.start.get("module") == module.id:
            entries += _attempt_entries(evidence, module, today, olds)
    outcome_ids = {o.id for o in module.meta.outcomes}
    for record in prior:
        if record.get("module_id") == module.id and record.get("outcome_id") in outcome_ids:
            entries.append(_prior_entry(record, module, today))
    entries = _supersede(entries)
    entries.sort(key=lambda e: (e.at, e.source_id), reverse=True)
    return CompetenceProfile(
        learner_id=learner_id,
        module_id=module.id,
        version=module.version,
        content_hash=module.content_hash,
        today=today,
        outcomes=tuple(o.id for o in module.meta.outcomes),
        contexts=tuple(module.context_codes),
        entries=tuple(entries),
        unreadable=tuple(unreadable),
    )


def _attempt_outcomes(evidence: AttemptEvidence, module: Module) -> dict[str, tuple[str, ...]]:
    """Each outcome the attempt's form assessed, with the form's items of it."""
    found: dict[str, list[str]] = {}
    if evidence.form is not None:
        pairs = [(item.id, item.outcomes) for item in evidence.form.items]
    else:
        manifest = evidence.state.start.get("form") or {}
        named = [entry.get("id") for entry in manifest.get("items", [])
                 if isinstance(entry, Mapping)]
        bank = {item.id: item for item in module.items}
        pairs = [(str(i), tuple(bank[i].outcomes)) for i in named if i in bank]
    for item_id, outcomes in pairs:
        for outcome in outcomes:
            found.setdefault(outcome, []).append(item_id)
    order = [o.id for o in module.meta.outcomes]
    if not found and evidence.state.start.get("kind", "full") == "full":
        return {outcome: () for outcome in order}
    return {o: tuple(found[o]) for o in [*order, *found] if o in found}


def _decision(state: AttemptState, outcome: str) -> tuple[str | None, datetime | None]:
    """The assessor's decision in force for ``outcome``: the last signature's."""
    if not state.signatures:
        return None, None
    last = state.signatures[-1]
    per_outcome = last.get("outcomes") or {}
    decision = per_outcome.get(outcome) if isinstance(per_outcome, Mapping) else None
    decision = decision or last.get("decision")
    at = last.get("at")
    return (str(decision) if decision else None), (parse_time(at) if at else None)


def _outcome_passed(result: FormResult, outcome: str) -> bool | None:
    score = result.outcomes.get(outcome)
    if score is not None and score.required is not None:
        return score.passed
    return result.passed


def _attempt_entries(
    evidence: AttemptEvidence, module: Module, today: date, olds: Mapping[str, Module]
) -> list[Demonstration]:
    state, result = evidence.state, evidence.result
    start = state.start
    kind = str(start.get("kind", "full"))
    context = state.context
    on = state.started_at.date()
    general: list[str] = []
    if evidence.chain_problems:
        general.append("altered")
    if state.voided is not None or state.lifecycle == "voided":
        general.append("voided")
    elif state.lifecycle not in CLOSED:
        general.append("open")
    if result is None and evidence.content_hash == module.content_hash:
        general.append("unscored")
    elif result is not None and result.passed is False:
        general.append("failed")
    expires_on = _expiry(module, on)
    expired = expires_on is not None and today >= expires_on
    changes: dict[str, tuple[str, ...]] | None = {}
    if evidence.content_hash != module.content_hash:
        old = olds.get(evidence.content_hash)
        changes = None if old is None else version_changes(old, module, context)
    entries = []
    for outcome, items in _attempt_outcomes(evidence, module).items():
        reasons = list(general)
        decision, signed_at = _decision(state, outcome)
        if not general and result is not None:
            if decision == NOT_YET_COMPETENT:
                reasons.append("not_yet_competent")
            else:
                passed = _outcome_passed(result, outcome)
                if passed is False:
                    reasons.append("not_passed")
                elif passed is None:
                    reasons.append("awaiting_review")
        relevant = items if kind == "bonus" else tuple(
            item.id for item in module.items if outcome in item.outcomes)
        changed = relevant if changes is None else tuple(i for i in relevant if _CHANGES
                                                          .intersection(changes.get(i, ())))
        if changed:
            reasons.append("bank_changed")
        if expired:
            reasons.append("expired")
        score = result.outcomes.get(outcome) if result is not None else None
        entries.append(Demonstration(
            outcome_id=outcome,
            context=context,
            source="attempt",
            source_id=state.attempt_id,
            kind=kind,
            at=state.started_at,
            on=on,
            version=evidence.version,
            content_hash=evidence.content_hash,
            share=score.share if score else (result.share if result else None),
            points=score.points if score else None,
            max_points=score.max_points if score else None,
            items=items,
            builds_on=tuple(str(b) for b in start.get("builds_on", []) or []),
            expires_on=expires_on,
            decision=decision,
            signed_at=signed_at,
            signatures=tuple(dict(s) for s in state.signatures),
            changed_items=changed,
            reasons=tuple(reasons),
        ))
    return entries


def _expiry(module: Module, on: date) -> date | None:
    years = module.meta.validity_years
    return add_years(on, years) if years else None


def _prior_day(record: Mapping[str, Any]) -> tuple[date, datetime]:
    recorded = _moment(record.get("recorded_at"))
    try:
        day = date.fromisoformat(str(record.get("document_date"))[:10])
    except ValueError:
        day = recorded.date()
    return day, recorded


def _moment(value: object) -> datetime:
    try:
        return parse_time(str(value))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _prior_entry(record: Mapping[str, Any], module: Module, today: date) -> Demonstration:
    on, recorded = _prior_day(record)
    expires_on = _expiry(module, on)
    reasons = ("expired",) if expires_on is not None and today >= expires_on else ()
    return Demonstration(
        outcome_id=str(record["outcome_id"]),
        context=str(record["context"]) if record.get("context") else None,
        source="prior_learning",
        source_id=str(record.get("id", "")),
        kind="prior",
        at=datetime(on.year, on.month, on.day, tzinfo=UTC),
        on=on,
        expires_on=expires_on,
        decision=COMPETENT,
        signed_at=recorded,
        reasons=reasons,
        record=dict(record),
    )


def _supersede(entries: list[Demonstration]) -> list[Demonstration]:
    """Apply 'the latest signed decision is in force' per outcome and context."""
    latest: dict[tuple[str, str | None], Demonstration] = {}
    for entry in entries:
        if entry.signed_at is None or entry.decision is None or _UNSOUND.intersection(
                entry.reasons):
            continue
        group = (entry.outcome_id, entry.context)
        held = latest.get(group)
        if held is None or held.signed_at is None or entry.signed_at > held.signed_at:
            latest[group] = entry
    result = []
    for entry in entries:
        ruling = latest.get((entry.outcome_id, entry.context))
        if (
            ruling is not None
            and ruling is not entry
            and ruling.decision == NOT_YET_COMPETENT
            and ruling.signed_at is not None
            and entry.at < ruling.signed_at
            and entry.counts
        ):
            entry = replace(entry, superseded_by=ruling.ref, reasons=("superseded",))
        result.append(entry)
    return result


