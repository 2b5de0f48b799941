"""Results per learning outcome across the attempts (and prior learning) of one credential.

Called by the credential, the report and the verifier (which recomputes them from
the attempt files and compares). Pure: works on attempt documents (see
:mod:`mqexam.evidence.attempt_file`), the module and prior-learning records.

The rule, until bonus-exam stacking refines it: an outcome's result comes from
the most recent attempt that assessed it (a later bonus attempt for a new
country overrides an earlier one); the assessor's decision for that outcome in
the attempt's last ``signed`` event, else its overall decision, is the result;
an unsigned attempt gives a provisional result, or ``awaiting_review`` while a
practical item of the outcome is ungraded. An outcome no attempt assessed is
demonstrated by a prior-learning record for it (for the credential's country or
for every country), else it is not assessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mqexam.bank.model import Module
from mqexam.bank.resolve import pick_locale
from mqexam.i18n import fallback_chain

DECISIONS = ("competent", "not_yet_competent")
STATUSES = ("competent", "not_yet_competent", "provisional", "awaiting_review", "not_assessed")


@dataclass(frozen=True)
class AttemptOutcome:
    """How one attempt did on one outcome."""

    attempt: str
    kind: str
    context: str
    closed_at: str | None
    points: float
    max_points: float
    share: float
    required: float | None
    passed: bool | None
    decision: str | None
    pending: bool
    """A practical item assessing this outcome is still ungraded."""


@dataclass(frozen=True)
class OutcomeResult:
    id: str
    text: str
    status: str
    decided_by: str | None
    """``attempt:<id>`` or ``prior:<record id>``; ``None`` when not assessed."""
    share: float | None
    attempts: tuple[AttemptOutcome, ...]
    priors: tuple[Mapping[str, Any], ...]

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.id, "status": self.status, "decided_by": self.decided_by,
                "share": self.share}


@dataclass(frozen=True)
class Overall:
    status: str
    decided_by: str | None
    share: float | None
    points: float | None
    max_points: float | None
    signature: Mapping[str, Any] | None


def last_signature(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    signatures = document.get("signatures") or []
    return signatures[-1] if signatures else None


def _decision(signature: Mapping[str, Any] | None, outcome: str | None) -> str | None:
    if signature is None:
        return None
    per_outcome = signature.get("outcomes") or {}
    value = per_outcome.get(outcome) if outcome is not None else None
    value = value or signature.get("decision")
    return value if value in DECISIONS else None


def outcome_text(module: Module, outcome_id: str, language: str) -> str:
    meta = module.meta
    chain = fallback_chain(language, meta.fallback, meta.languages)
    for outcome in meta.outcomes:
        if outcome.id == outcome_id:
            return pick_locale(outcome.text, chain)[0]
    return outcome_id


def _attempt_outcomes(document: Mapping[str, Any]) -> dict[str, AttemptOutcome]:
    result = document.get("result") or {}
    signature = last_signature(document)
    pending = {outcome for item in document.get("items") or []
               if item.get("status") == "awaiting_review" for outcome in item.get("outcomes", [])}
    found = {}
    for row in result.get("outcomes") or []:
        outcome = row["outcome"]
        found[outcome] = AttemptOutcome(
            attempt=document["attempt"], kind=document.get("kind", "full"),
            context=document["context"], closed_at=document.get("closed_at"),
            points=row["points"], max_points=row["max_points"], share=row["share"],
            required=row.get("required"), passed=row.get("passed"),
            decision=_decision(signature, outcome), pending=outcome in pending)
    return found


def _status(row: AttemptOutcome) -> str:
    if row.decision is not None:
        return row.decision
    if row.pending:
        return "awaiting_review"
    return "provisional"


def outcome_results(module: Module, documents: Sequence[Mapping[str, Any]],
                    priors: Sequence[Mapping[str, Any]], context: str,
                    language: str) -> list[OutcomeResult]:
    """One result per outcome of the module, in module order; ``documents`` oldest first."""
    per_attempt = [_attempt_outcomes(document) for document in documents]
    results = []
    for outcome in module.meta.outcomes:
        rows = tuple(found[outcome.id] for found in per_attempt if outcome.id in found)
        records = tuple(p for p in priors if p.get("outcome_id") == outcome.id
                        and p.get("context") in (None, "", context))
        if rows:
            deciding = rows[-1]
            status, decided_by = _status(deciding), f"attempt:{deciding.attempt}"
            share: float | None = deciding.share
        elif records:
            status, decided_by, share = "competent", f"prior:{records[-1]['id']}", None
        else:
            status, decided_by, share = "not_assessed", None, None
        results.append(OutcomeResult(outcome.id, outcome_text(module, outcome.id, language),
                                     status, decided_by, share, rows, records))
    return results


def overall(documents: Sequence[Mapping[str, Any]]) -> Overall:
    """The decision in force: the latest attempt's last signature, else provisional."""
    latest = documents[-1]
    signature = last_signature(latest)
    result = latest.get("result") or {}
    decision = _decision(signature, None)
    if decision is not None:
        status = decision
    elif result.get("awaiting_review"):
        status = "awaiting_review"
    else:
        status = "provisional"
    return Overall(status, f"attempt:{latest['attempt']}", result.get("share"),
                   result.get("points"), result.get("max_points"), signature)
