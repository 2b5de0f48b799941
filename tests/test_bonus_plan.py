"""Bonus planning on the showcase bank: what differs, what was never shown, and why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

from helpers.profilekit import in_memory, showcase
from mqexam.bank import resolve
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.exam.bonus import plan, seen_items
from mqexam.exam.difference import differences
from mqexam.exam.form import build_form
from mqexam.exam.profile import AttemptEvidence, build_profile

TODAY = date(2027, 1, 15)


@pytest.fixture(scope="module")
def module() -> Module:
    return showcase()


@pytest.fixture(scope="module")
def passed(module: Module) -> dict[str, AttemptEvidence]:
    """A full attempt passed with every item right, in each country of the showcase."""
    return {code: in_memory(module, code, attempt_id=f"A-{code}")
            for code in module.context_codes}


def items_of(module: Module, outcome: str) -> set[str]:
    return {item.id for item in module.items if outcome in item.outcomes}


def resolved(module: Module, item_id: str, code: str) -> tuple[Any, ...]:
    item = module.item(item_id)
    key = resolve.key(item, code)
    if item.type in ("multiple", "text"):
        key = sorted(key)
    options: Any = ([c.model_dump() for c in resolve.choices(item, code)],
                    [c.model_dump() for s in resolve.match_sides(item, code) for c in s]
                    if item.type == "match" else [],
                    [c.model_dump() for c in resolve.criteria(item, code)]
                    if item.type == "practical" else [])
    return key, options, dict(resolve.text(item, code))


def prior_record(outcome: str, context: str | None = None, day: str = "2026-06-01",
                 record_id: str = "P-1") -> dict[str, Any]:
    return {"id": record_id, "learner_id": "L1", "module_id": "welding-centre-safety",
            "outcome_id": outcome, "context": context, "document_type": "certificate",
            "issuer": "Red Cross", "document_date": day, "reason": "course",
            "assessor": "kim", "recorded_at": "2026-11-01T10:00:00+00:00"}


def test_the_plan_is_exactly_what_differs_for_every_pair_of_countries(
        module: Module, passed: dict[str, AttemptEvidence]) -> None:
    """Exhaustive over all ordered pairs: every item whose key, options or text differ is in
    the plan, and no item that reads and answers the same in both countries."""
    pairs = list(permutations(module.context_codes, 2))
    assert len(pairs) == 42
    for source, target in pairs:
        profile = build_profile([passed[source]], [], module, TODAY, learner_id="L1")
        result = plan(profile, module, target)
        chosen = set(result.item_ids)
        same = {item.id for item in module.items
                if resolved(module, item.id, source) == resolved(module, item.id, target)}
        key_differs = {item.id for item in module.items
                       if resolved(module, item.id, source)[0]
                       != resolved(module, item.id, target)[0]}
        assert result.full_exam is None, (source, target)
        assert key_differs <= chosen, (source, target, key_differs - chosen)
        assert not chosen & same, (source, target, chosen & same)
        assert chosen == {item.id for item in module.items} - same, (source, target)
        # what `bank compare` shows, less rationale- and reference-only differences
        compared = {d.item_id for d in differences(module, source, target)
                    if {"key", "options", "text"} & set(d.aspects)}
        assert chosen == compared
        assert all(i.reason == "differs" and i.from_context == source for i in result.items)
        assert result.builds_on == (f"A-{source}",)
        if chosen:
            form = build_form(module, target, "en", 1, item_ids=result.item_ids, kind="bonus")
            assert set(form.item_ids) == chosen and form.kind == "bonus"
        assert plan(profile, module, source).empty


def test_the_dk_to_de_plan_names_its_reasons(module: Module,
                                             passed: dict[str, AttemptEvidence]) -> None:
    profile = build_profile([passed["DK"]], [], module, TODAY, learner_id="L1")
    result = plan(profile, module, "DE")
    reasons = {i.item_id: i.reason_text() for i in result.items}
    assert reasons["emergency-police"] == "differs from Denmark (DK): answer"
    assert reasons["cpr-bystanders"] == "differs from Denmark (DK): question"
    assert reasons["cpr-sequence"] == "differs from Denmark (DK): answer, options"
    assert result.summary() == "A bonus exam for Germany (DE): 8 items, 12 min."
    status = {o.outcome_id: o.status for o in result.outcomes}
    assert status["site-rules"] == "stacked" and status["lay-cpr"] == "needed"
    data = result.as_json()
    assert data["kind"] == "bonus" and data["item_ids"] == list(result.item_ids)


def test_no_prior_attempt_means_the_full_exam_and_says_so(module: Module) -> None:
    profile = build_profile([], [], module, TODAY, learner_id="L1")
    result = plan(profile, module, "DE")
    assert result.full_exam == "no_prior" and result.item_ids == () and not result.empty
    assert "the plan is the full exam" in result.summary()
    assert result.time_limit_minutes == module.meta.blueprint.time_limit_minutes
    assert all(o.status == "needed" and o.reason == "never_demonstrated"
               for o in result.outcomes)
    assert result.as_json()["kind"] == "full"


def test_a_country_the_module_does_not_cover_is_a_clear_error(module: Module) -> None:
    profile = build_profile([], [], module, TODAY)
    with pytest.raises(MqexamError, match="has no context 'FR'"):
        plan(profile, module, "FR")
    assert plan(profile, module, "de").target == "DE"


def test_expiry_moves_outcomes_back_into_the_plan(module: Module,
                                                  passed: dict[str, AttemptEvidence]) -> None:
    dk = passed["DK"]
    later = [prior_record(o.id, None, "2029-06-01", f"P-{n}")
             for n, o in enumerate(module.meta.outcomes) if o.id != "site-rules"]
    before = plan(build_profile([dk], later, module, date(2029, 11, 30)), module, "DE")
    assert "site-rules" not in {o for i in before.items for o in i.outcomes}

    after = plan(build_profile([dk], later, module, date(2029, 12, 1)), module, "DE")
    row = next(o for o in after.outcomes if o.outcome_id == "site-rules")
    assert (row.status, row.reason) == ("needed", "expired")
    assert set(after.item_ids) == items_of(module, "site-rules")
    assert all(i.reason == "expired" for i in after.items)
    assert row.text().startswith("attempt A-DK: expired on December 1, 2029")

    # everything expired: nothing counts, so the full exam
    alone = plan(build_profile([dk], [], module, date(2030, 1, 1)), module, "DE")
    assert alone.full_exam == "nothing_counts"
    assert all(o.reason == "expired" for o in alone.outcomes)


def test_a_bank_version_change_moves_the_affected_outcome_back(
        module: Module, passed: dict[str, AttemptEvidence], tmp_path: Path) -> None:
    from test_profile import changed_bank

    newer = changed_bank(tmp_path, 'answer = "darker"', 'answer = "lighter"')
    profile = build_profile([passed["DK"]], [], newer, TODAY, old_modules=[module])
    result = plan(profile, newer, "DE")
    eye = next(o for o in result.outcomes if o.outcome_id == "eye-protection")
    assert (eye.status, eye.reason) == ("needed", "bank_changed")
    assert items_of(newer, "eye-protection") <= set(result.item_ids)
    differ = {d.item_id for d in differences(newer, "DK", "DE")
              if {"key", "options", "text"} & set(d.aspects)}
    assert set(result.item_ids) == items_of(newer, "eye-protection") | differ
    reason = {i.item_id: i.reason for i in result.items}
    assert reason["eye-shade-current"] == "bank_changed"


@pytest.mark.parametrize("how", ["failed", "voided"])
def test_a_failed_or_voided_attempt_does_not_count(module: Module, how: str) -> None:
    extra = [("voided", {"reason": "phone", "assessor": "kim"})] if how == "voided" else []
    evidence = in_memory(module, "DK", right=how != "failed", extra=extra)
    result = plan(build_profile([evidence], [], module, TODAY), module, "DE")
    assert result.full_exam == "nothing_counts"
    assert {o.reason for o in result.outcomes} == {how}
    assert "none of" in result.summary()


def test_a_failed_attempt_does_not_undo_a_passed_one(module: Module,
                                                      passed: dict[str, AttemptEvidence]) -> None:
    failed = in_memory(module, "DE", attempt_id="F1", right=False,
                       at=datetime(2027, 1, 2, tzinfo=UTC))
    profile = build_profile([passed["DK"], failed], [], module, TODAY)
    alone = build_profile([passed["DK"]], [], module, TODAY)
    assert plan(profile, module, "DE").item_ids == plan(alone, module, "DE").item_ids


def test_prior_learning_counts_as_a_basis_and_is_marked_as_such(module: Module) -> None:
    danish = [prior_record(o.id, "DK", record_id=f"P-{n}")
              for n, o in enumerate(module.meta.outcomes)]
    result = plan(build_profile([], danish, module, TODAY), module, "DE")
    differ = {d.item_id for d in differences(module, "DK", "DE")
              if {"key", "options", "text"} & set(d.aspects)}
    assert set(result.item_ids) == differ
    assert set(result.builds_on) <= {f"prior:P-{n}" for n in range(len(danish))}
    row = next(o for o in result.outcomes if o.outcome_id == "lay-cpr")
    assert row.basis is not None and row.basis.prior_learning
    assert "recognised as prior learning for Denmark (DK)" in row.text()

    everywhere = [prior_record(o.id, None, record_id=f"P-{n}")
                  for n, o in enumerate(module.meta.outcomes)]
    result = plan(build_profile([], everywhere, module, TODAY), module, "DE")
    assert result.empty
    assert "Nothing left to show for Germany (DE)" in result.summary()


def test_a_passed_bonus_exam_closes_the_gap(module: Module,
                                            passed: dict[str, AttemptEvidence]) -> None:
    dk = passed["DK"]
    first = plan(build_profile([dk], [], module, TODAY), module, "DE")
    bonus = in_memory(module, "DE", attempt_id="B1", kind="bonus", item_ids=first.item_ids,
                      builds_on=first.builds_on, at=datetime(2027, 1, 2, tzinfo=UTC))
    assert bonus.state.start["kind"] == "bonus" and bonus.state.start["builds_on"] == ["A-DK"]
    result = plan(build_profile([dk, bonus], [], module, TODAY), module, "DE")
    assert result.empty and result.items == ()
    lay = next(o for o in result.outcomes if o.outcome_id == "lay-cpr")
    assert lay.status == "stacked" and [b.source_id for b in lay.bonus] == ["B1"]
    assert "what differs for Germany (DE) shown in bonus attempt B1" in lay.text()

    # a bonus for Germany does not make the Swedish differences go away
    assert plan(build_profile([dk, bonus], [], module, TODAY), module, "SE").item_ids == \
        plan(build_profile([dk], [], module, TODAY), module, "SE").item_ids

    failed = in_memory(module, "DE", attempt_id="B2", kind="bonus", item_ids=first.item_ids,
                       builds_on=first.builds_on, right=False)
    again = plan(build_profile([dk, failed], [], module, TODAY), module, "DE")
    assert again.item_ids == first.item_ids


def test_a_bonus_covering_every_item_of_an_outcome_demonstrates_it(module: Module) -> None:
    danish = [prior_record(o.id, "DK", record_id=f"P-{n}")
              for n, o in enumerate(module.meta.outcomes) if o.id != "site-rules"]
    first = plan(build_profile([], danish, module, TODAY), module, "DE")
    row = next(o for o in first.outcomes if o.outcome_id == "site-rules")
    assert (row.status, row.reason) == ("needed", "never_demonstrated")
    assert items_of(module, "site-rules") <= set(first.item_ids)
    bonus = in_memory(module, "DE", attempt_id="B1", kind="bonus", item_ids=first.item_ids,
                      builds_on=first.builds_on)
    result = plan(build_profile([bonus], danish, module, TODAY), module, "DE")
    assert result.empty
    row = next(o for o in result.outcomes if o.outcome_id == "site-rules")
    assert row.status == "demonstrated" and row.basis is None


def test_a_gap_larger_than_a_full_exam_means_the_full_exam(module: Module) -> None:
    one = [prior_record("site-rules", None)]
    result = plan(build_profile([], one, module, TODAY), module, "DE")
    assert result.full_exam == "shorter" and result.item_ids == ()
    assert "more than a full exam (20 items)" in result.summary()


def test_seen_items_are_every_item_on_the_learners_forms(module: Module) -> None:
    dk = in_memory(module, "DK", attempt_id="A1", seed=7)
    us = in_memory(module, "US", attempt_id="A2", seed=8)
    assert dk.form is not None and us.form is not None
    seen = seen_items([dk.state, us.state], module.id)
    assert seen == set(dk.form.item_ids) | set(us.form.item_ids)
    assert seen_items([dk.state], "mini") == frozenset()
    # a retake draws items the learner has not seen, the bank having enough of them
    retake = build_form(module, "DK", "en", 99, seen=seen_items([dk.state], module.id))
    assert not set(retake.item_ids) & set(dk.form.item_ids)


def test_conflicting_results_are_all_shown_and_the_latest_signed_counts(
        module: Module, passed: dict[str, AttemptEvidence]) -> None:
    nyc = ("signed", {"decision": "competent", "outcomes": {"lay-cpr": "not_yet_competent"},
                      "reason": "", "supervision": "supervised_on_site",
                      "identity_checked": True, "assessor": "kim"})
    signed = in_memory(module, "DK", attempt_id="A2", at=datetime(2027, 1, 5, tzinfo=UTC),
                       extra=[nyc])
    result = plan(build_profile([passed["DK"], signed], [], module, TODAY), module, "DE")
    lay = next(o for o in result.outcomes if o.outcome_id == "lay-cpr")
    assert (lay.status, lay.reason) == ("needed", "not_yet_competent")
    assert [r.source_id for r in lay.results] == ["A2", "A-DK"]
    assert [r.reasons for r in lay.not_counted] == [("not_yet_competent",), ("superseded",)]
    assert set(result.item_ids) >= items_of(module, "lay-cpr")
    fire = next(o for o in result.outcomes if o.outcome_id == "fire-watch")
    assert fire.basis is not None and fire.basis.source_id == "A2"  # the newest counting


def test_every_item_type_of_the_mini_bank_stacks(mini_banks: Path) -> None:
    from helpers.profilekit import load

    mini = load(mini_banks / "mini", "mini")
    dk = in_memory(mini, "DK")
    assert dk.form is not None and {i.type for i in dk.form.items} >= {"practical", "match"}
    first = plan(build_profile([dk], [], mini, TODAY), mini, "US")
    assert first.item_ids == ("call-number", "sequence")
    bonus = in_memory(mini, "US", attempt_id="B1", kind="bonus", item_ids=first.item_ids,
                      builds_on=first.builds_on)
    assert plan(build_profile([dk, bonus], [], mini, TODAY), mini, "US").empty
