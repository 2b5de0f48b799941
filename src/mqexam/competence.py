"""A learner's competence profile, gathered from the results database and the bank.

Called by ``mqexam bonus plan`` and meant for the learner app (which offers a
bonus exam) and evidence export (which explains stacking). Owns the reading: the
learner's attempts of a module through :class:`~mqexam.store.db.Store` methods,
each folded and rescored with the bank version it was scored with (the last
``regraded`` one, else the one it started with), its hash chain checked, and the
prior-learning records through :func:`mqexam.store.prior.prior_records`. What
counts is decided by the pure :func:`mqexam.exam.profile.build_profile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.exam.attempt import AttemptState, fold
from mqexam.exam.bonus import BonusPlan, plan, seen_items
from mqexam.exam.events import verify_chain
from mqexam.exam.form import form_from_manifest
from mqexam.exam.profile import AttemptEvidence, CompetenceProfile, build_profile
from mqexam.exam.scoring import score_form
from mqexam.sitting import grades_of
from mqexam.store.db import Store
from mqexam.store.prior import prior_records


def scored_with(state: AttemptState) -> tuple[str, str]:
    """The content hash and version an attempt is scored with (docs/events.md)."""
    version, content_hash = state.scored_with
    return content_hash, version


def attempt_evidence(state: AttemptState, modules: Iterable[Module],
                     chain_problems: tuple[str, ...] = ()) -> AttemptEvidence:
    """``state`` with its form and result, when the bank version it is scored with is here."""
    content_hash, version = scored_with(state)
    module = next((m for m in modules if m.id == state.start.get("module")
                   and m.content_hash == content_hash), None)
    form = result = None
    if module is not None:
        try:
            form = form_from_manifest(module, state.context, state.locale,
                                      state.start.get("form") or {})
        except MqexamError:
            form = None
        if form is not None:
            result = score_form(form, state.answers, grades_of(state))
    return AttemptEvidence(state, form, result, content_hash, version, chain_problems)


def learner_evidence(store: Store, learner_id: str, module_id: str,
                     modules: Iterable[Module]) -> tuple[list[AttemptEvidence], list[str]]:
    """Every attempt of the learner's for the module, and the ids of those unreadable."""
    known = list(modules)
    found: list[AttemptEvidence] = []
    unreadable: list[str] = []
    for row in store.attempts(learner=learner_id, module=module_id):
        events = store.events(row.id)
        try:
            state = fold(events)
        except (MqexamError, KeyError, TypeError, ValueError):
            unreadable.append(row.id)
            continue
        problems = tuple(p.render() for p in verify_chain(row.id, events))
        found.append(attempt_evidence(state, known, problems))
    return found, unreadable


def learner_profile(store: Store, module: Module, learner_id: str, today: date,
                    modules: Iterable[Module] = ()) -> CompetenceProfile:
    """The learner's profile of ``module`` on ``today``.

    ``modules`` may hold other versions of the module (any loaded module whose
    content hash an attempt names is used to rescore it and to compare it with
    ``module``).
    """
    known = [module, *(m for m in modules if m.content_hash != module.content_hash)]
    evidence, unreadable = learner_evidence(store, learner_id, module.id, known)
    prior = prior_records(store, learner_id, module.id)
    return build_profile(evidence, prior, module, today, learner_id=learner_id,
                         old_modules=known[1:], unreadable=unreadable)


def sitting_choices(store: Store, module: Module, learner_id: str, target: str, today: date,
                    modules: Iterable[Module] = ()) -> tuple[BonusPlan, frozenset[str]]:
    """What the learner app offers before the clock starts: the bonus plan for ``target``
    and the items the learner has already seen (so a retake draws new ones)."""
    known = [module, *(m for m in modules
                       if m.id == module.id and m.content_hash != module.content_hash)]
    evidence, unreadable = learner_evidence(store, learner_id, module.id, known)
    prior = prior_records(store, learner_id, module.id)
    profile = build_profile(evidence, prior, module, today, learner_id=learner_id,
                            old_modules=known[1:], unreadable=unreadable)
    return plan(profile, module, target), seen_items((e.state for e in evidence), module.id)
