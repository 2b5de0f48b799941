"""Results per learning outcome of one credential: where each outcome was demonstrated.

Called by the export (for the credential and the report) and by the verifier,
which recomputes them from the bundled attempt files, bank version and
prior-learning records and compares. Owns how a credential reads a bonus plan;
the rules are not here: what counts is the competence profile's
(:func:`mqexam.exam.profile.build_profile`) and how results from another country
stack is the bonus plan's (:func:`mqexam.exam.bonus.plan`), both run on exactly
what the bundle holds (its attempts and the learner's prior-learning records for
the module), judged on the date of issue.

The credential is for the **target** country: the country of the latest bonus
attempt, else of the latest attempt (the country all share, when they share one).
Per outcome, the plan's row for the target says:

- ``demonstrated`` there (a full attempt there, prior learning for it or for every
  country, or bonus attempts there that covered all its items), or ``stacked`` on
  a result in another country plus the bonus attempts that covered what differs
  (or nothing examined differs). The result is ``competent`` when every attempt
  it rests on is signed by an assessor (prior learning is recorded by one), else
  ``provisional``;
- ``needed``: the newest result for the outcome in the target that does not
  count (else the plan's cause) says why: ``awaiting_review``; ``not_yet_competent``
  when an assessor signed it (decided "not yet competent", or signed a score that
  did not pass: a signature never grants what the score did not), ``provisional``
  when not; ``expired``; with no such result ``not_assessed``.

Overall: ``competent`` when every outcome is; else the first status found of
``not_yet_competent``, ``expired``, ``not_assessed``, ``awaiting_review``,
``provisional``. The grade is the latest full attempt's (else the latest
attempt's); the assessor's decision shown is the latest attempt's last signature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mqexam.bank.model import Module
from mqexam.bank.resolve import pick_locale
from mqexam.competence import attempt_evidence
from mqexam.evidence.attempt_file import events_of
from mqexam.exam.attempt import fold
from mqexam.exam.bonus import OutcomePlan, plan
from mqexam.exam.profile import COMPETENT, AttemptEvidence, Demonstration, build_profile
from mqexam.i18n import fallback_chain

DECISIONS = ("competent", "not_yet_competent")
STATUSES = ("competent", "not_yet_competent", "provisional", "awaiting_review", "expired",
            "not_assessed")
_WORST_FIRST = ("not_yet_competent", "expired", "not_assessed", "awaiting_review",
                "provisional")
_NEEDED = {
    "awaiting_review": "awaiting_review",
    "expired": "expired",
    "not_yet_competent": "not_yet_competent",
    "superseded": "not_yet_competent",
}


@dataclass(frozen=True)
class OutcomeResult:
    """One outcome of the credential: its result for ``target`` and what it rests on."""

    id: str
    text: str
    status: str
    target: str
    standing: str
    """The bonus plan's status: ``demonstrated``, ``stacked`` or ``needed``."""
    reason: str | None
    """Why it is ``needed`` (the plan's reason: ``differs``, ``failed``...)."""
    basis: Demonstration | None
    """The result it stands on (in the target, or in another country when stacked)."""
    bonus: tuple[Demonstration, ...]
    """The bonus attempts in the target that covered its items."""
    cause: Demonstration | None
    """For a ``needed`` outcome: the result that does not count and says why."""
    missing: tuple[str, ...]
    """Items still to show for the target."""
    differing: tuple[str, ...]
    """Items that differ between the basis's country and the target."""
    results: tuple[Demonstration, ...]
    """Every result for the outcome in the bundle, oldest first."""

    @property
    def rests_on(self) -> tuple[Demonstration, ...]:
        """The results the outcome's standing rests on: the basis, then the bonus attempts."""
        return tuple(d for d in (self.basis, *self.bonus) if d is not None)

    @property
    def deciding(self) -> Demonstration | None:
        """The one result that decides: the cause of a ``needed`` outcome, else the basis
        (else the newest bonus attempt)."""
        if self.standing == "needed":
            return self.cause
        return self.basis or (self.bonus[-1] if self.bonus else None)

    @property
    def decided_by(self) -> str | None:
        """``attempt:<id>`` or ``prior:<record id>``; ``None`` when nothing decides."""
        return source_ref(self.deciding) if self.deciding is not None else None

    @property
    def share(self) -> float | None:
        return self.deciding.share if self.deciding is not None else None

    @property
    def priors(self) -> tuple[Demonstration, ...]:
        return tuple(d for d in self.results if d.prior_learning)

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.id, "status": self.status, "standing": self.standing,
                "decided_by": self.decided_by, "share": self.share}


@dataclass(frozen=True)
class Overall:
    status: str
    decided_by: str | None
    """The attempt whose grade is given (``attempt:<id>``)."""
    share: float | None
    points: float | None
    max_points: float | None
    signature: Mapping[str, Any] | None
    target: str


def source_ref(entry: Demonstration) -> str:
    """``attempt:<id>`` or ``prior:<record id>``."""
    return f"prior:{entry.source_id}" if entry.prior_learning else f"attempt:{entry.source_id}"


def last_signature(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    signatures = document.get("signatures") or []
    return signatures[-1] if signatures else None


def outcome_text(module: Module, outcome_id: str, language: str) -> str:
    meta = module.meta
    chain = fallback_chain(language, meta.fallback, meta.languages)
    for outcome in meta.outcomes:
        if outcome.id == outcome_id:
            return pick_locale(outcome.text, chain)[0]
    return outcome_id


def stacking_target(documents: Sequence[Mapping[str, Any]]) -> str:
    """The country the credential is for: the latest bonus attempt's, else the latest
    attempt's (``documents`` oldest first)."""
    bonus = [d for d in documents if d.get("kind") == "bonus"]
    return str((bonus or documents)[-1]["context"])


def evidence_of(document: Mapping[str, Any], module: Module) -> AttemptEvidence:
    """An attempt document as the competence profile reads it: folded from its own events
    and scored with ``module`` (the bank version it is scored with)."""
    return attempt_evidence(fold(events_of(document)), [module])


def _signed(entry: Demonstration) -> bool:
    return entry.prior_learning or entry.decision == COMPETENT


def _cause(row: OutcomePlan, target: str) -> Demonstration | None:
    there = [r for r in row.not_counted if r.context in (None, target)]
    return there[0] if there else row.cause


def _status(row: OutcomePlan, cause: Demonstration | None) -> str:
    if row.status in ("demonstrated", "stacked"):
        rests_on = [d for d in (row.basis, *row.bonus) if d is not None]
        return "competent" if all(_signed(d) for d in rests_on) else "provisional"
    if cause is None:
        return "not_assessed"
    code = cause.reason or ""
    if code in _NEEDED:
        return _NEEDED[code]
    if code in ("failed", "not_passed"):
        return "not_yet_competent" if cause.decision is not None else "provisional"
    return "not_assessed"


def outcome_results(module: Module, documents: Sequence[Mapping[str, Any]],
                    priors: Sequence[Mapping[str, Any]], target: str, language: str,
                    issued: date) -> list[OutcomeResult]:
    """One result per outcome of the module for ``target``, in module order.

    ``documents`` are the bundle's attempt documents, oldest first, all scored with
    ``module``; ``priors`` the learner's prior-learning records for it. Raises
    :class:`ValueError` or :class:`~mqexam.errors.MqexamError` on documents that
    cannot be read.
    """
    learner = documents[0]["learner"]["id"] if documents else ""
    profile = build_profile([evidence_of(d, module) for d in documents], priors, module,
                            issued, learner_id=str(learner))
    results = []
    for row in plan(profile, module, target).outcomes:
        cause = _cause(row, target) if row.status == "needed" else None
        results.append(OutcomeResult(
            id=row.outcome_id, text=outcome_text(module, row.outcome_id, language),
            status=_status(row, cause), target=row.target, standing=row.status,
            reason=row.reason, basis=row.basis, bonus=tuple(reversed(row.bonus)), cause=cause,
            missing=row.item_ids, differing=row.differing,
            results=tuple(reversed(row.results))))
    return results


def overall(documents: Sequence[Mapping[str, Any]], outcomes: Sequence[OutcomeResult],
            target: str) -> Overall:
    """The credential's overall result: every outcome's, with the latest full attempt's grade."""
    statuses = {row.status for row in outcomes}
    status = next((s for s in _WORST_FIRST if s in statuses), "competent")
    full = [d for d in documents if d.get("kind", "full") == "full"]
    graded = (full or list(documents))[-1]
    result = graded.get("result") or {}
    return Overall(status, f"attempt:{graded['attempt']}", result.get("share"),
                   result.get("points"), result.get("max_points"),
                   last_signature(documents[-1]), target)
