"""The assessor's side of an attempt: grade, sign, void, extend and regrade, as events."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import Clock
from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.review import Review, regrade_all, regrade_all_preview
from mqexam.sitting import Sitting
from mqexam.store.db import Store
from mqexam.store.status import attempt_statuses

RIGHT: dict[str, Any] = {
    "call-number": "112",
    "sequence": ["check", "call", "push"],
    "ppe-pick": ["helmet", "gloves"],
    "filter-match": {"en169": "passive", "en379": "auto"},
}
ALL_MET = {"helmet": True, "jacket": True}
SIGN: dict[str, Any] = {"decision": "competent", "outcomes": {"alarm": "competent"},
                        "reason": "All right; PPE put on correctly at the bench",
                        "supervision": "supervised_on_site", "identity_checked": True}


@pytest.fixture
def mini(mini_banks: Path) -> Module:
    module = load_bank(mini_banks, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(db_path)


def sit(store: Store, mini: Module, clock: Clock, answers: dict[str, Any] | None = None,
        submit: bool = True, learner: str = "L1", context: str = "DK") -> str:
    """An attempt of seed 3: ppe-pick, ppe-bench (practical), sequence, call-number,
    filter-match; 6 points; passing needs 4.8 and every point of 'alarm'."""
    sitting, _code = Sitting.start(store, mini, context=context, locale="en",
                                   learner_id=learner, now=clock(), seed=3)
    for item, answer in (RIGHT if answers is None else answers).items():
        sitting.answer(item, answer, clock())
    if submit:
        sitting.submit(clock())
    return sitting.attempt_id


def review(store: Store, modules: Module | list[Module], attempt_id: str,
           assessor: str = "Kim") -> Review:
    return Review.open(store, modules if isinstance(modules, list) else [modules], attempt_id,
                       assessor)


def kinds(store: Store, attempt_id: str) -> list[str]:
    return [e.kind for e in store.events(attempt_id)]


def listed_status(store: Store, attempt_id: str) -> str:
    return next(s.status for s in attempt_statuses(store) if s.row.id == attempt_id)


# -- grading -----------------------------------------------------------------


def test_grading_the_practical_item_completes_the_score(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    r = review(store, mini, attempt_id)
    assert r.status() == listed_status(store, attempt_id) == "awaiting_review"
    assert r.result().passed is None

    clock.advance(minutes=20)
    event = r.grade("ppe-bench", {"jacket": False, "helmet": True}, " jacket open ", clock())

    assert event.kind == "graded"
    assert dict(event.payload) == {
        "item": "ppe-bench", "criteria": {"helmet": True, "jacket": False},
        "comment": "jacket open", "assessor": "Kim",
        "result": {"points": 5.5, "max_points": 6.0, "share": 0.916667, "passed": True,
                   "awaiting_review": False}}
    assert r.result().item("ppe-bench").points == 0.5
    assert r.status() == listed_status(store, attempt_id) == "passed"
    again = review(store, mini, attempt_id)
    assert again.state.grades == r.state.grades
    assert store.verify() == []


def test_a_second_grade_of_the_practical_item_replaces_the_first(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    r = review(store, mini, attempt_id)
    r.grade("ppe-bench", {"helmet": False, "jacket": True}, "no helmet", clock())
    assert r.result().item("ppe-bench").points == 0  # a required criterion not met scores 0
    r.grade("ppe-bench", ALL_MET, "second look: helmet on", clock())
    assert r.result().item("ppe-bench").points == 1
    assert r.status() == listed_status(store, attempt_id) == "passed"
    assert kinds(store, attempt_id)[-2:] == ["graded", "graded"]


@pytest.mark.parametrize(("item", "criteria", "message"), [
    ("call-number", ALL_MET, "item 'call-number' is not a practical item"),
    ("first-step", ALL_MET, "item 'first-step' is not part of this attempt"),
    ("nothing", ALL_MET, "item 'nothing' is not part of this attempt"),
    ("ppe-bench", {"helmet": True}, "grade every criterion of item 'ppe-bench'; missing: jacket"),
    ("ppe-bench", {**ALL_MET, "boots": True}, "item 'ppe-bench' has no criterion 'boots'"),
    ("ppe-bench", {"helmet": "yes", "jacket": True}, "criterion 'helmet' must be met or not"),
    ("ppe-bench", ["helmet", "jacket"], "a grade gives each criterion as met or not met"),
])
def test_bad_grades_are_refused_and_nothing_is_written(
        store: Store, mini: Module, clock: Clock, item: str, criteria: Any,
        message: str) -> None:
    attempt_id = sit(store, mini, clock)
    r = review(store, mini, attempt_id)
    before = kinds(store, attempt_id)

    with pytest.raises(MqexamError, match=re.escape(message)):
        r.grade(item, criteria, "", clock())

    assert kinds(store, attempt_id) == before


# -- signing -----------------------------------------------------------------


def test_signing_is_refused_while_in_progress_without_reason_or_grades(
        store: Store, mini: Module, clock: Clock) -> None:
    open_id = sit(store, mini, clock, submit=False)
    with pytest.raises(MqexamError, match="is still in progress: it can be signed once"):
        review(store, mini, open_id).sign(**SIGN, now=clock())
    assert kinds(store, open_id)[-1] == "answered"

    attempt_id = sit(store, mini, clock, learner="L2")
    r = review(store, mini, attempt_id)
    with pytest.raises(MqexamError, match="grade every practical item before signing; "
                                          "ungraded: ppe-bench"):
        r.sign(**SIGN, now=clock())
    r.grade("ppe-bench", ALL_MET, "", clock())
    for reason in ("", "   ", None):
        with pytest.raises(MqexamError, match="a decision needs a reason"):
            r.sign(**{**SIGN, "reason": reason}, now=clock())
    assert kinds(store, attempt_id)[-1] == "graded"


@pytest.mark.parametrize(("change", "message"), [
    ({"decision": "pass"}, "unknown decision 'pass' (expected one of: competent, "
                           "not_yet_competent)"),
    ({"supervision": "proctored"}, "unknown supervision 'proctored'"),
    ({"identity_checked": "yes"}, "say whether the learner's identity was checked"),
    ({"outcomes": {"welding": "competent"}}, "outcome 'welding' is not assessed by this "
                                             "attempt (outcomes: ppe, alarm)"),
    ({"outcomes": {"ppe": "maybe"}}, "unknown decision 'maybe' for outcome 'ppe'"),
])
def test_bad_signatures_are_refused(store: Store, mini: Module, clock: Clock,
                                    change: dict[str, Any], message: str) -> None:
    attempt_id = sit(store, mini, clock)
    r = review(store, mini, attempt_id)
    r.grade("ppe-bench", ALL_MET, "", clock())
    with pytest.raises(MqexamError, match=re.escape(message)):
        r.sign(**{**SIGN, **change}, now=clock())
    assert kinds(store, attempt_id)[-1] == "graded"


def test_an_attempt_past_its_deadline_is_closed_then_signed(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock, submit=False)
    clock.advance(minutes=11)
    r = review(store, mini, attempt_id)
    r.grade("ppe-bench", ALL_MET, "", clock())  # observed while the learner wrote
    r.sign(**SIGN, now=clock())
    assert kinds(store, attempt_id)[-3:] == ["graded", "expired", "signed"]
    assert r.status() == listed_status(store, attempt_id) == "signed"


def test_two_assessors_signing_at_once_are_both_kept_in_order(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    kim = review(store, mini, attempt_id, "Kim")
    kim.grade("ppe-bench", ALL_MET, "", clock())
    mette = review(store, mini, attempt_id, "Mette")  # both screens open now

    kim.sign(**SIGN, now=clock())
    mette.sign(**{**SIGN, "decision": "not_yet_competent", "reason": "Jacket not closed"},
               now=clock())

    events = store.events(attempt_id)
    signed = [(e.payload["assessor"], e.payload["decision"]) for e in events
              if e.kind == "signed"]
    assert signed == [("Kim", "competent"), ("Mette", "not_yet_competent")]
    assert [s["assessor"] for s in mette.state.signatures] == ["Kim", "Mette"]
    assert [s["assessor"] for s in review(store, mini, attempt_id).state.signatures] == [
        "Kim", "Mette"]
    assert listed_status(store, attempt_id) == "signed"
    assert store.verify() == []


def test_a_signature_is_refused_when_something_else_happened_meanwhile(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    kim = review(store, mini, attempt_id, "Kim")
    kim.grade("ppe-bench", ALL_MET, "", clock())
    mette = review(store, mini, attempt_id, "Mette")
    kim.void("Learner used a phone", clock())

    with pytest.raises(MqexamError, match="was changed elsewhere; reopen it"):
        mette.sign(**SIGN, now=clock())
    assert kinds(store, attempt_id)[-1] == "voided"


# -- voiding and extra time --------------------------------------------------


def test_voiding_needs_a_reason_and_ends_the_review(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    r = review(store, mini, attempt_id)
    with pytest.raises(MqexamError, match="voiding an attempt needs a reason"):
        r.void(" ", clock())
    event = r.void("Learner used a phone", clock())
    assert dict(event.payload) == {"reason": "Learner used a phone", "assessor": "Kim"}
    assert r.status() == listed_status(store, attempt_id) == "voided"
    for action in (lambda: r.void("again", clock()),
                   lambda: r.grade("ppe-bench", ALL_MET, "", clock()),
                   lambda: r.sign(**SIGN, now=clock()),
                   lambda: r.extend(5, "fire drill", clock())):
        with pytest.raises(MqexamError, match="is voided"):
            action()
    assert kinds(store, attempt_id)[-1] == "voided"


def test_extra_time_needs_a_reason_and_moves_the_deadline(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock, answers={}, submit=False)
    r = review(store, mini, attempt_id)
    with pytest.raises(MqexamError, match="extra time needs a reason"):
        r.extend(5, "", clock())
    for minutes in (0, -5, True, "5", 24 * 60 + 1):
        with pytest.raises(MqexamError, match="extra time is a number of minutes"):
            r.extend(minutes, "fire drill", clock())  # type: ignore[arg-type]
    with pytest.raises(MqexamError, match="only an attempt whose time ran out can be reopened"):
        r.extend(5, "fire drill", clock(), reopen=True)

    event = r.extend(5, "fire drill", clock())

    assert dict(event.payload) == {"minutes": 5, "reason": "fire drill", "assessor": "Kim",
                                   "reopen": False}
    learner = Sitting.open(store, [mini], attempt_id)
    assert learner.state.time_left(clock()) == timedelta(minutes=15)


def test_an_expired_attempt_is_reopened_with_time_from_now(
        store: Store, mini: Module, clock: Clock) -> None:
    attempt_id = sit(store, mini, clock, answers={"call-number": "112"}, submit=False)
    clock.advance(hours=2)
    r = review(store, mini, attempt_id)
    with pytest.raises(MqexamError, match="had run out, so it is now closed as expired; "
                                          "reopen it"):
        r.extend(10, "the workstation crashed", clock())
    assert r.state.lifecycle == "expired"
    with pytest.raises(MqexamError, match="has expired; reopen it"):
        r.extend(10, "the workstation crashed", clock())

    r.extend(10, "the workstation crashed", clock(), reopen=True)

    assert r.status() == listed_status(store, attempt_id) == "in_progress"
    learner = Sitting.open(store, [mini], attempt_id)
    assert learner.state.time_left(clock()) == timedelta(minutes=10)
    learner.answer("sequence", ["check", "call", "push"], clock())
    learner.submit(clock())
    assert listed_status(store, attempt_id) == "awaiting_review"


def test_no_extra_time_for_a_submitted_attempt(store: Store, mini: Module,
                                               clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    with pytest.raises(MqexamError, match="is submitted: extra time is for an attempt in "
                                          "progress"):
        review(store, mini, attempt_id).extend(5, "fire drill", clock(), reopen=True)


def test_a_review_needs_an_assessor_and_an_attempt(store: Store, mini: Module,
                                                   clock: Clock) -> None:
    attempt_id = sit(store, mini, clock)
    with pytest.raises(MqexamError, match="a review needs the assessor's name"):
        review(store, mini, attempt_id, "  ")
    with pytest.raises(MqexamError, match="no attempt 'NOPE'"):
        review(store, mini, "NOPE")


# -- regrading ---------------------------------------------------------------


def changed_copy(mini_banks: Path, tmp_path: Path, name: str = "fixed") -> Module:
    """mini 1.2.1: 'call-number' also accepts 911 in Denmark (a key fix)."""
    folder = tmp_path / name / "mini"
    shutil.copytree(mini_banks / "mini", folder)
    module_toml = folder / "module.toml"
    module_toml.write_text(module_toml.read_text().replace('version = "1.2.0"',
                                                           'version = "1.2.1"'))
    alarm = folder / "items" / "alarm.toml"
    text = alarm.read_text()
    assert text.count('answer = ["112"]') == 1
    alarm.write_text(text.replace('answer = ["112"]', 'answer = ["112", "911"]'))
    module = load_bank(folder.parent, use_cache=False).module("mini")
    assert module is not None and module.version == "1.2.1"
    return module


def test_a_regrade_dry_run_shows_the_change_and_writes_nothing(
        store: Store, mini: Module, clock: Clock, mini_banks: Path, tmp_path: Path) -> None:
    fixed = changed_copy(mini_banks, tmp_path)
    attempt_id = sit(store, mini, clock, answers={**RIGHT, "call-number": "911"})
    r = review(store, mini, attempt_id)
    r.grade("ppe-bench", ALL_MET, "", clock())
    before = kinds(store, attempt_id)

    preview = r.regrade_preview(fixed)

    assert kinds(store, attempt_id) == before
    assert [(c.item, c.before.points, c.after.points) for c in preview.changes] == [
        ("call-number", 0.0, 1.0)]
    assert len(preview.items) == 5
    assert preview.before["passed"] is False and preview.after["passed"] is True
    assert preview.pass_changed and not preview.signed
    assert (preview.from_version, preview.to_version) == ("1.2.0", "1.2.1")
    assert r.module is mini and r.status() == "failed"


def test_a_regrade_names_both_versions_and_flags_a_signed_decision(
        store: Store, mini: Module, clock: Clock, mini_banks: Path, tmp_path: Path) -> None:
    fixed = changed_copy(mini_banks, tmp_path)
    attempt_id = sit(store, mini, clock, answers={**RIGHT, "call-number": "911"})
    r = review(store, mini, attempt_id)
    r.grade("ppe-bench", ALL_MET, "", clock())
    r.sign(**{**SIGN, "decision": "not_yet_competent", "reason": "Wrong number"}, now=clock())
    with pytest.raises(MqexamError, match="a regrade needs a reason"):
        r.regrade(fixed, "", clock())

    event = r.regrade(fixed, "Key fix: 911 reaches 112 from Danish mobiles", clock())

    payload = dict(event.payload)
    assert {k: payload[k] for k in ("from_version", "to_version", "from_hash", "to_hash")} == {
        "from_version": "1.2.0", "to_version": "1.2.1", "from_hash": mini.content_hash,
        "to_hash": fixed.content_hash}
    assert payload["changes"] == [{"item": "call-number",
                                   "before": {"points": 0.0, "max_points": 1.0,
                                              "status": "wrong"},
                                   "after": {"points": 1.0, "max_points": 1.0,
                                             "status": "correct"}}]
    assert payload["result"]["passed"] is True
    # Nothing signed changes silently: the decision stands, flagged as made before the regrade.
    assert r.state.signatures[-1]["decision"] == "not_yet_competent"
    assert r.status() == listed_status(store, attempt_id) == "signed_before_regrade"
    assert r.module is fixed and r.result().passed is True

    reopened = review(store, [mini, fixed], attempt_id)
    assert reopened.module == fixed and reopened.status() == "signed_before_regrade"
    with pytest.raises(MqexamError, match=r"is scored with mini 1\.2\.1"):
        review(store, mini, attempt_id)  # the version it is scored with is needed

    reopened.sign(**SIGN, now=clock())
    assert reopened.status() == listed_status(store, attempt_id) == "signed"
    assert store.verify() == []


def test_a_regrade_that_changes_nothing_leaves_a_signature_in_force(
        store: Store, mini: Module, clock: Clock, mini_banks: Path, tmp_path: Path) -> None:
    fixed = changed_copy(mini_banks, tmp_path)
    attempt_id = sit(store, mini, clock)  # answered 112: right in both versions
    r = review(store, mini, attempt_id)
    r.grade("ppe-bench", ALL_MET, "", clock())
    r.sign(**SIGN, now=clock())
    r.regrade(fixed, "Key fix", clock())
    assert r.status() == listed_status(store, attempt_id) == "signed"


def test_regrades_that_cannot_be_made_are_refused(
        store: Store, mini: Module, clock: Clock, mini_banks: Path, tmp_path: Path) -> None:
    fixed = changed_copy(mini_banks, tmp_path)
    open_id = sit(store, mini, clock, submit=False)
    with pytest.raises(MqexamError, match="is still in progress; regrade it once"):
        review(store, mini, open_id).regrade_preview(fixed)

    attempt_id = sit(store, mini, clock, learner="L2")
    r = review(store, mini, attempt_id)
    with pytest.raises(MqexamError, match=r"is already scored with mini 1\.2\.0"):
        r.regrade_preview(mini)
    other = fixed.model_copy(update={"meta": fixed.meta.model_copy(update={"id": "maxi"})})
    with pytest.raises(MqexamError, match="is of module 'mini', not 'maxi'"):
        r.regrade_preview(other)

    folder = tmp_path / "broken" / "mini"
    shutil.copytree(mini_banks / "mini", folder)
    ppe = folder / "items" / "ppe.toml"
    ppe.write_text(ppe.read_text().replace('id = "sandals"', 'id = "boots"'))
    toml = folder / "module.toml"
    toml.write_text(toml.read_text().replace('version = "1.2.0"', 'version = "1.3.0"'))
    broken = load_bank(folder.parent, use_cache=False).module("mini")
    assert broken is not None
    with pytest.raises(MqexamError, match=r"cannot be regraded with mini 1\.3\.0: the options "
                                          "of item 'ppe-pick' changed"):
        r.regrade_preview(broken)
    r.void("test", clock())
    with pytest.raises(MqexamError, match="is voided"):
        r.regrade_preview(fixed)


def test_regrade_every_attempt_of_a_version(
        store: Store, mini: Module, clock: Clock, mini_banks: Path, tmp_path: Path) -> None:
    fixed = changed_copy(mini_banks, tmp_path)
    right = sit(store, mini, clock, learner="L1")
    wrong = sit(store, mini, clock, answers={**RIGHT, "call-number": "911"}, learner="L2")
    sit(store, mini, clock, learner="L3", submit=False)  # in progress: left out
    voided = sit(store, mini, clock, learner="L4")
    review(store, mini, voided).void("test", clock())

    previews = regrade_all_preview(store, [mini, fixed], "mini", mini.content_hash, fixed)

    assert sorted(attempt for attempt, _p in previews) == sorted([right, wrong])
    assert {attempt: p.changed for attempt, p in previews} == {right: False, wrong: True}
    events = regrade_all(store, [mini, fixed], "mini", mini.content_hash, fixed, "Key fix",
                         "Kim", clock())
    assert sorted(e.attempt_id for e in events) == sorted([right, wrong])
    assert regrade_all_preview(store, [mini, fixed], "mini", mini.content_hash, fixed) == []
    assert review(store, [mini, fixed], wrong).result().item("call-number").points == 1.0


def test_nothing_is_added_to_an_attempt_whose_chain_does_not_verify(
        store: Store, mini: Module, clock: Clock) -> None:
    from helpers.storekit import raw

    attempt_id = sit(store, mini, clock, answers={**RIGHT, "call-number": "911"})
    conn = raw(store.path)
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("UPDATE events SET payload = json_set(payload, '$.answer', '112') "
                 "WHERE attempt_id = ? AND kind = 'answered' "
                 "AND json_extract(payload, '$.item') = 'call-number'", (attempt_id,))
    conn.close()

    r = review(store, mini, attempt_id)  # it can still be looked at...
    assert r.problems and r.problems[0].problem == "altered"
    with pytest.raises(MqexamError, match=f"attempt {attempt_id} does not verify .*altered.*"
                                          "run 'mqexam results verify'"):
        r.grade("ppe-bench", ALL_MET, "", clock())  # ...but not signed off
    assert kinds(store, attempt_id)[-1] == "submitted"
