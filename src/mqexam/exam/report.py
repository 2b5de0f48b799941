"""An attempt as a JSON-able report: every item as shown, answer, key, score.

Called by ``results show``, the assessor app and the evidence export (which
writes it as ``attempts/<id>.json``). Owns the shape of that report. Pure: it is
handed the events, the loaded modules and the learner record.

The attempt is scored with the bank version it is scored with now: the one the
last ``regraded`` event names, else the one ``started`` names (docs/events.md).
``module`` is the version it was started with, ``scored_with`` the one its scores
come from; without that version among the modules given there are no scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mqexam.bank.model import Module
from mqexam.exam.attempt import AttemptState, fold
from mqexam.exam.events import Event
from mqexam.exam.form import form_from_manifest
from mqexam.exam.present import answer_lines, key_lines
from mqexam.exam.scoring import score_form
from mqexam.i18n import N_, _

LABELS = {
    "in_progress": N_("in progress"),
    "submitted": N_("submitted"),
    "expired": N_("expired"),
    "signed": N_("signed"),
    "voided": N_("voided"),
    "correct": N_("correct"),
    "partial": N_("partly correct"),
    "wrong": N_("wrong"),
    "unanswered": N_("unanswered"),
    "awaiting_review": N_("awaiting assessor"),
}


def label(code: str) -> str:
    """A status code as words in the current language."""
    return _(LABELS.get(code, code))


def find_module(modules: Iterable[Module], start: Mapping[str, Any]) -> Module | None:
    """The exact bank version an attempt was made with (same id and content hash)."""
    return next((m for m in modules if m.id == start.get("module")
                 and m.content_hash == start.get("content_hash")), None)


def scoring_module(modules: Iterable[Module], state: AttemptState) -> Module | None:
    """The exact bank version an attempt is scored with: the last regrade's, else its own."""
    return find_module(modules, {"module": state.start.get("module"),
                                 "content_hash": state.scored_with[1]})


def attempt_report(events: list[Event], modules: Iterable[Module],
                   learner: Mapping[str, Any] | None) -> dict[str, Any]:
    state = fold(events)
    start = state.start
    module = scoring_module(modules, state)
    version, content_hash = state.scored_with
    report: dict[str, Any] = {
        "attempt": state.attempt_id,
        "learner": {
            "id": state.learner_id,
            "name": (learner or {}).get("name"),
            "erased": bool((learner or {}).get("erased_at")),
        },
        "module": {"id": start["module"], "version": start["version"],
                   "content_hash": start["content_hash"]},
        "scored_with": {"version": version, "content_hash": content_hash},
        "context": state.context,
        "locale": state.locale,
        "kind": start.get("kind", "full"),
        "builds_on": start.get("builds_on", []),
        "seed": start.get("seed"),
        "started_at": events[0].at,
        "deadline": start["deadline"],
        "status": state.lifecycle,
        "closed_at": state.closed_at.isoformat() if state.closed_at else None,
        "flags": sorted(state.flags),
        "grades": state.grades,
        "reviews": state.reviews,
        "signatures": state.signatures,
        "extensions": state.extensions,
        "voided": state.voided,
        "events": [e.as_json() for e in sorted(events, key=lambda e: e.seq)],
        "last_hash": state.last_hash,
        "items": [],
        "outcomes": [],
        "result": None,
    }
    report["summary"] = [
        (_("Learner"), state.learner_id),
        (_("Module"), f"{start['module']} {start['version']}"),
        (_("Country"), state.context),
        (_("Language"), state.locale),
        (_("Status"), label(state.lifecycle)),
    ]
    if state.regrades:
        report["summary"].append((_("Scored with"), _(
            "version {version} ({hash}), after a regrade").format(
                version=version, hash=content_hash[:19])))
    if module is None:
        report["summary"].append((_("Scores"), _(
            "not available: this bank version ({hash}) is not in the bank folder").format(
                hash=content_hash[:19])))
        return report
    form = form_from_manifest(module, state.context, state.locale, start["form"])
    grades = {item: dict(g.get("criteria", {})) for item, g in state.grades.items()}
    result = score_form(form, state.answers, grades)
    scores = {s.item_id: s for s in result.items}
    for item in form.items:
        score = scores.get(item.id)
        answer = state.answers.get(item.id)
        report["items"].append({
            "position": item.position,
            "id": item.id,
            "type": item.type,
            "outcomes": list(item.outcomes),
            "text": item.text,
            "locale": item.locale,
            "options": [c.text for c in item.options],
            "answer_raw": answer,
            "answer": answer_lines(item, answer),
            "answered_at": state.answered_at[item.id].isoformat()
            if item.id in state.answered_at else None,
            "key": key_lines(item),
            "score": score.points if score else None,
            "max": score.max_points if score else item.points,
            "status": score.status if score else "unanswered",
            "why": item.why,
            "references": list(item.references),
            "flagged": item.id in state.flags,
        })
    result_json = result.as_json()
    report["result"] = result_json
    for outcome_id, text in form.outcomes:
        row = result.outcomes.get(outcome_id)
        if row is None:
            continue
        verdict = (_("passed") if row.passed else _("not passed")) if row.passed is not None \
            else (_("awaiting assessor") if result.awaiting_review else "")
        report["outcomes"].append({"id": outcome_id, "text": text, "points": row.points,
                                   "max": row.max_points, "share": row.share,
                                   "verdict": verdict})
    return report
