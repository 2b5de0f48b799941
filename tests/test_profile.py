"""The competence profile: what counts as having demonstrated an outcome, and why not."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from helpers.profilekit import SAT, copy_bank, in_memory, load, showcase
from mqexam.bank.model import Module
from mqexam.exam.form import build_form
from mqexam.exam.profile import AttemptEvidence, build_profile

TODAY = date(2027, 1, 15)


@pytest.fixture(scope="module")
def module() -> Module:
    return showcase()


def outcomes(module: Module) -> list[str]:
    return [o.id for o in module.meta.outcomes]


def by_outcome(evidence: list[AttemptEvidence], module: Module, today: date = TODAY,
               prior: list[dict[str, Any]] | None = None,
               old: list[Module] | None = None) -> dict[str, list[Any]]:
    profile = build_profile(evidence, prior or [], module, today, learner_id="L1",
                            old_modules=old or [])
    found: dict[str, list[Any]] = {}
    for entry in profile.entries:
        found.setdefault(entry.outcome_id, []).append(entry)
    return found


def prior_record(outcome: str, context: str | None = None, day: str = "2026-06-01",
                 record_id: str = "P-1") -> dict[str, Any]:
    return {"id": record_id, "learner_id": "L1", "module_id": "welding-centre-safety",
            "outcome_id": outcome, "context": context, "document_type": "certificate",
            "issuer": "Red Cross", "document_date": day, "reason": "first-aid course",
            "assessor": "kim", "recorded_at": "2026-11-01T10:00:00+00:00"}


def test_a_passed_attempt_demonstrates_every_outcome_in_its_country(module: Module) -> None:
    evidence = in_memory(module, "DK")
    profile = build_profile([evidence], [], module, TODAY, learner_id="L1")

    assert {e.outcome_id for e in profile.entries} == set(outcomes(module))
    for entry in profile.entries:
        assert entry.counts and entry.reasons == ()
        assert (entry.context, entry.source, entry.source_id, entry.kind) == (
            "DK", "attempt", "A1", "full")
        assert (entry.on, entry.version, entry.content_hash) == (
            SAT.date(), module.version, module.content_hash)
        assert entry.share == 1.0
        assert entry.expires_on == date(2029, 12, 1)
        assert set(entry.items) <= set(evidence.form.item_ids if evidence.form else ())
    for outcome in outcomes(module):
        assert profile.demonstrated_by(outcome, "DK") is not None
        assert profile.demonstrated_by(outcome, "DE") is None
    cells = profile.cells()
    assert len(cells) == len(outcomes(module)) * len(module.context_codes)
    assert profile.as_json()["entries"][0]["counts"] is True


def test_a_failed_attempt_counts_for_no_outcome(module: Module) -> None:
    found = by_outcome([in_memory(module, "DK", right=False)], module)
    assert found and all(e.reason == "failed" and not e.counts
                         for entries in found.values() for e in entries)
    entry = found["raise-alarm"][0]
    assert entry.reason_text() == "attempt A1 was not passed"


def test_a_voided_attempt_counts_for_nothing_even_when_it_passed(module: Module) -> None:
    evidence = in_memory(module, "DK", extra=[("voided", {"reason": "phone", "assessor": "kim"})])
    found = by_outcome([evidence], module)
    assert all(entries[0].reasons == ("voided",) for entries in found.values())


def test_an_attempt_still_in_progress_does_not_count(module: Module) -> None:
    found = by_outcome([in_memory(module, "DK", submit=False)], module)
    assert all(entries[0].reason == "open" for entries in found.values())


def test_an_outcome_signed_not_yet_competent_does_not_count(module: Module) -> None:
    signed = ("signed", {"decision": "competent", "outcomes": {"lay-cpr": "not_yet_competent"},
                         "reason": "hesitated", "supervision": "supervised_on_site",
                         "identity_checked": True, "assessor": "kim"})
    found = by_outcome([in_memory(module, "DK", extra=[signed])], module)
    assert found["lay-cpr"][0].reasons == ("not_yet_competent",)
    assert found["lay-cpr"][0].decision == "not_yet_competent"
    assert all(entries[0].counts for outcome, entries in found.items() if outcome != "lay-cpr")


def signature(decision: str, assessor: str) -> tuple[str, dict[str, Any]]:
    return ("signed", {"decision": decision, "outcomes": {}, "reason": "review",
                       "supervision": "supervised_on_site", "identity_checked": True,
                       "assessor": assessor})


@pytest.mark.parametrize(("first", "last", "counts"), [
    ("competent", "not_yet_competent", False),
    ("not_yet_competent", "competent", True),
])
def test_conflicting_signatures_the_last_is_in_force_and_all_are_listed(
        module: Module, first: str, last: str, counts: bool) -> None:
    evidence = in_memory(module, "DK", extra=[signature(first, "kim"), signature(last, "ane")])
    entry = by_outcome([evidence], module)["fire-watch"][0]
    assert entry.counts is counts
    assert entry.decision == last
    assert [s["assessor"] for s in entry.signatures] == ["kim", "ane"]


def test_a_signature_cannot_grant_what_the_score_did_not_pass(module: Module) -> None:
    evidence = in_memory(module, "DK", right=False, extra=[signature("competent", "kim")])
    assert all(not e.counts for entries in by_outcome([evidence], module).values()
               for e in entries)


def test_a_later_signed_decision_replaces_earlier_results_in_that_country(module: Module) -> None:
    earlier = in_memory(module, "DK", attempt_id="A1")
    nyc = ("signed", {"decision": "competent", "outcomes": {"lay-cpr": "not_yet_competent"},
                      "reason": "", "supervision": "supervised_on_site",
                      "identity_checked": True, "assessor": "kim"})
    signed = in_memory(module, "DK", attempt_id="A2", at=datetime(2027, 1, 5, tzinfo=UTC),
                       extra=[nyc])
    later = in_memory(module, "DK", attempt_id="A3", at=datetime(2027, 1, 10, tzinfo=UTC))
    elsewhere = in_memory(module, "SE", attempt_id="A4")

    found = by_outcome([earlier, signed, elsewhere], module)
    lay = {e.source_id: e for e in found["lay-cpr"]}
    assert lay["A1"].reasons == ("superseded",) and lay["A1"].superseded_by == "A2"
    assert lay["A2"].reasons == ("not_yet_competent",)
    assert lay["A4"].counts  # another country: another question
    assert {e.source_id: e.counts for e in found["fire-watch"]} == {
        "A1": True, "A2": True, "A4": True}

    again = by_outcome([earlier, signed, later], module)
    lay = {e.source_id: e for e in again["lay-cpr"]}
    assert lay["A3"].counts and not lay["A1"].counts


def test_results_expire_validity_years_after_the_sitting(module: Module) -> None:
    evidence = in_memory(module, "DK")
    assert all(entries[0].counts
               for entries in by_outcome([evidence], module, date(2029, 11, 30)).values())
    found = by_outcome([evidence], module, date(2029, 12, 1))
    entry = found["raise-alarm"][0]
    assert entry.reasons == ("expired",)
    assert entry.reason_text() == "attempt A1: expired on December 1, 2029"


def test_while_a_practical_item_waits_only_outcomes_with_a_rule_and_no_wait_count(
        module: Module) -> None:
    seed = next(s for s in range(1, 200)
                if any(i.type == "practical" for i in build_form(module, "DK", "en", s).items))
    evidence = in_memory(module, "DK", seed=seed, grade=False)
    assert evidence.result is not None and evidence.result.passed is None
    rules = module.meta.pass_rules.outcomes
    for outcome, entries in by_outcome([evidence], module).items():
        score = evidence.result.outcomes[outcome]
        if outcome in rules and score.passed:
            assert entries[0].counts, outcome
        else:
            assert entries[0].reasons == ("awaiting_review",), outcome


def changed_bank(tmp_path: Path, old: str, new: str, file: str = "eye-protection.toml") -> Module:
    folder = copy_bank(tmp_path)
    items = folder / "items" / file
    text = items.read_text(encoding="utf-8")
    assert text.count(old) == 1
    items.write_text(text.replace(old, new), encoding="utf-8")
    meta = folder / "module.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace(
        'version = "1.0.0"', 'version = "1.1.0"'), encoding="utf-8")
    return load(folder)


def test_a_changed_key_makes_results_of_its_outcome_from_the_older_version_not_count(
        module: Module, tmp_path: Path) -> None:
    newer = changed_bank(tmp_path, 'answer = "darker"', 'answer = "lighter"')
    assert newer.version == "1.1.0" and newer.content_hash != module.content_hash
    evidence = in_memory(module, "DK")  # sat with 1.0.0

    found = by_outcome([evidence], newer, old=[module])
    eye = found["eye-protection"][0]
    assert eye.reasons == ("bank_changed",)
    assert eye.changed_items == ("eye-shade-current",)
    assert eye.reason_text() == "attempt A1: the bank changed since version 1.0.0"
    assert all(entries[0].counts for outcome, entries in found.items()
               if outcome != "eye-protection")

    # Without the older version to compare, nothing proves an outcome unchanged.
    blind = by_outcome([evidence], newer)
    assert all(entries[0].reasons == ("bank_changed",) for entries in blind.values())


def test_a_change_for_another_country_only_leaves_results_here_standing(
        module: Module, tmp_path: Path) -> None:
    newer = changed_bank(tmp_path, 'answer = { z49 = "safety-welding", cfr133 = "eye-face", '
                         'cfr252 = "fire" }', 'answer = { z49 = "eye-face", cfr133 = '
                         '"safety-welding", cfr252 = "fire" }')
    found = by_outcome([in_memory(module, "DK")], newer, old=[module])
    assert all(entries[0].counts for entries in found.values())
    us = by_outcome([in_memory(module, "US")], newer, old=[module])
    assert us["eye-protection"][0].reasons == ("bank_changed",)


def test_prior_learning_records_count_and_say_so(module: Module) -> None:
    records = [prior_record("lay-cpr"), prior_record("fire-watch", "DK", record_id="P-2")]
    profile = build_profile([], records, module, TODAY, learner_id="L1")
    lay = profile.demonstrated_by("lay-cpr", "AU")
    assert lay is not None and lay.prior_learning and lay.counts
    assert (lay.kind, lay.context, lay.ref, lay.on) == ("prior", None, "prior:P-1",
                                                         date(2026, 6, 1))
    assert profile.demonstrated_by("fire-watch", "DK") is not None
    assert profile.demonstrated_by("fire-watch", "DE") is None
    assert lay.as_json()["record"]["issuer"] == "Red Cross"

    expired = build_profile([], [prior_record("lay-cpr", day="2020-01-01")], module, TODAY)
    assert expired.entries[0].reasons == ("expired",)


def test_records_of_other_modules_and_unknown_outcomes_are_left_out(module: Module) -> None:
    other = {**prior_record("lay-cpr"), "module_id": "mini"}
    unknown = prior_record("juggling")
    assert build_profile([], [other, unknown], module, TODAY).entries == ()


def test_an_attempt_whose_chain_does_not_verify_does_not_count(module: Module) -> None:
    evidence = in_memory(module, "DK")._replace(chain_problems=("A1: event 3: altered",))
    assert all(e.reason == "altered" for entries in by_outcome([evidence], module).values()
               for e in entries)


def test_an_attempt_that_cannot_be_scored_names_its_outcomes_and_does_not_count(
        module: Module) -> None:
    gone = in_memory(module, "DK")._replace(form=None, result=None,
                                            content_hash="sha256:gone", version="0.9.0")
    found = by_outcome([gone], module)
    assert set(found) == set(outcomes(module))
    assert all(entries[0].reasons == ("bank_changed",) for entries in found.values())
    assert found["lay-cpr"][0].reason_text() == \
        "attempt A1: the bank changed since version 0.9.0"

    unreadable = in_memory(module, "DK")._replace(form=None, result=None)
    assert all(entries[0].reasons == ("unscored",)
               for entries in by_outcome([unreadable], module).values())
