"""The whole bonus path on a results database: pass DK, plan DE, sit the bonus, stack."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers.profilekit import SAT, copy_bank, load, showcase, take
from mqexam.bank.model import Module
from mqexam.competence import learner_profile
from mqexam.exam.attempt import fold
from mqexam.exam.bonus import plan, seen_items
from mqexam.exam.difference import differences
from mqexam.sitting import Sitting
from mqexam.store.db import Store
from mqexam.store.prior import record_prior

TODAY = date(2027, 1, 15)


@pytest.fixture(scope="module")
def module() -> Module:
    return showcase()


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(db_path)


def examined(module: Module, a: str, b: str) -> set[str]:
    return {d.item_id for d in differences(module, a, b)
            if {"key", "options", "text"} & set(d.aspects)}


def test_pass_dk_plan_de_pass_the_bonus_and_nothing_is_left(store: Store,
                                                            module: Module) -> None:
    dk = take(store, module, "DK", SAT)
    assert dk.result().passed is True

    first = plan(learner_profile(store, module, "L1", TODAY), module, "DE")
    assert first.full_exam is None
    assert set(first.item_ids) == examined(module, "DK", "DE")
    assert first.builds_on == (dk.attempt_id,)

    bonus = take(store, module, "DE", SAT + timedelta(days=30), kind="bonus",
                 item_ids=first.item_ids, builds_on=first.builds_on)
    started = store.events(bonus.attempt_id)[0].payload
    assert (started["kind"], started["builds_on"]) == ("bonus", [dk.attempt_id])
    row = store.attempt(bonus.attempt_id)
    assert row is not None and row.kind == "bonus"
    assert set(bonus.form.item_ids) == set(first.item_ids)
    assert bonus.form.time_limit_seconds == first.time_limit_minutes * 60
    assert bonus.result().passed is True

    profile = learner_profile(store, module, "L1", TODAY)
    after = plan(profile, module, "DE")
    assert after.empty, after.as_json()
    assert {o.status for o in after.outcomes} == {"stacked"}
    assert {o.basis.source_id for o in after.outcomes if o.basis} == {dk.attempt_id}
    entries = [e for e in profile.entries if e.source_id == bonus.attempt_id]
    assert entries and all(e.kind == "bonus" and e.context == "DE" and e.counts
                           and e.builds_on == (dk.attempt_id,) for e in entries)
    assert store.verify() == []


def test_a_failed_attempt_on_the_database_leaves_the_full_exam(store: Store,
                                                               module: Module) -> None:
    take(store, module, "DK", SAT, right=False)
    result = plan(learner_profile(store, module, "L1", TODAY), module, "DE")
    assert result.full_exam == "nothing_counts"


def test_prior_learning_from_the_database_counts(store: Store, module: Module) -> None:
    for outcome in module.meta.outcomes:
        record_prior(store, learner_id="L1", module_id=module.id, outcome_id=outcome.id,
                     context=None, document_type="certificate", issuer="Red Cross",
                     document_date="2026-10-01", reason="course", assessor="kim",
                     recorded_at="2026-11-01T10:00:00+00:00")
    result = plan(learner_profile(store, module, "L1", TODAY), module, "US")
    assert result.empty
    assert all(o.basis is not None and o.basis.prior_learning for o in result.outcomes)


def test_a_newer_bank_version_is_compared_with_the_older_one_when_it_is_at_hand(
        store: Store, module: Module, tmp_path: Path) -> None:
    dk = take(store, module, "DK", SAT)
    folder = copy_bank(tmp_path)
    items = folder / "items" / "eye-protection.toml"
    items.write_text(items.read_text(encoding="utf-8").replace(
        'answer = "darker"', 'answer = "lighter"'), encoding="utf-8")
    meta = folder / "module.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        'version = "1.0.0"', 'version = "1.1.0"'), encoding="utf-8")
    newer = load(folder)

    compared = plan(learner_profile(store, newer, "L1", TODAY, modules=[module]), newer, "DE")
    assert {o.outcome_id for o in compared.outcomes if o.reason == "bank_changed"} == {
        "eye-protection"}

    blind = plan(learner_profile(store, newer, "L1", TODAY), newer, "DE")
    assert blind.full_exam == "nothing_counts"
    assert {o.reason for o in blind.outcomes} == {"bank_changed"}

    # An assessor regrades the attempt with the newer version: it is scored with that now.
    store.append(dk.attempt_id, "regraded", {
        "from_version": module.version, "from_hash": module.content_hash,
        "to_version": newer.version, "to_hash": newer.content_hash, "changes": [],
        "reason": "key corrected", "assessor": "kim"}, "2027-01-02T09:00:00Z")
    regraded = plan(learner_profile(store, newer, "L1", TODAY), newer, "DE")
    assert set(regraded.item_ids) == examined(newer, "DK", "DE")
    assert {e.version for e in learner_profile(store, newer, "L1", TODAY).entries} == {"1.1.0"}


def test_a_retake_draws_items_the_learner_has_not_seen(store: Store, module: Module) -> None:
    first = take(store, module, "DK", SAT, right=False)
    states = [fold(store.events(r.id)) for r in store.attempts(learner="L1", module=module.id)]
    seen = seen_items(states, module.id)
    assert seen == set(first.form.item_ids)
    again, _code = Sitting.start(store, module, context="DK", locale="en", learner_id="L1",
                                 now=SAT + timedelta(days=1), seed=5, seen=seen)
    assert not set(again.form.item_ids) & seen
