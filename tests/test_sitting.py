"""The learner's side of an attempt: resume, the deadline, items of the form, the resume code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from conftest import Clock
from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.sitting import Sitting
from mqexam.store.db import Store


@pytest.fixture
def mini(mini_banks: Path) -> Module:
    module = load_bank(mini_banks, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(db_path)


def start(store: Store, mini: Module, clock: Clock) -> tuple[Sitting, str]:
    # Seed 3 draws ppe-pick, ppe-bench, sequence, call-number, filter-match; 10 minutes.
    return Sitting.start(store, mini, context="DK", locale="en", learner_id="L1",
                         now=clock(), seed=3)


def test_resume_gives_back_answers_flags_current_item_and_time_left(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    clock.advance(minutes=1)
    sitting.answer("call-number", "112", clock())
    sitting.answer("ppe-pick", ["helmet"], clock())
    sitting.answer("ppe-pick", ["helmet", "gloves"], clock())  # the last answer counts
    sitting.flag("sequence", True, clock())
    sitting.flag("call-number", True, clock())
    sitting.flag("call-number", False, clock())
    sitting.show("filter-match", clock())
    store.close()  # the program goes down...

    clock.advance(minutes=3)  # ...and the clock does not stop meanwhile
    with Store(store.path) as again:
        resumed = Sitting.open(again, [mini], sitting.attempt_id)

        assert resumed.state.answers == {"call-number": "112", "ppe-pick": ["helmet", "gloves"]}
        assert resumed.state.flags == {"sequence"}
        assert resumed.state.current == "filter-match"
        assert resumed.state.time_left(clock()) == timedelta(minutes=6)
        assert resumed.form == sitting.form  # the same items, options in the same order
        resumed.answer("filter-match", {"en169": "passive"}, clock())  # and it goes on
        assert again.verify() == []


def test_an_extension_granted_by_an_assessor_moves_the_deadline(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    store.append(sitting.attempt_id, "time_extended", {"minutes": 5, "reason": "fire drill",
                                                       "assessor": "kim"}, "2026-12-01T09:01:00Z")
    clock.advance(minutes=12)

    resumed = Sitting.open(store, [mini], sitting.attempt_id)

    assert resumed.state.time_left(clock()) == timedelta(minutes=3)
    resumed.answer("call-number", "112", clock())


def test_an_answer_after_the_deadline_closes_the_attempt_and_keeps_earlier_answers(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    sitting.answer("call-number", "112", clock())
    sitting.answer("sequence", ["check", "call", "push"], clock())
    clock.advance(minutes=10)

    with pytest.raises(MqexamError, match="time is up: the attempt was closed with the answers "
                                          "saved before the deadline"):
        sitting.answer("ppe-pick", ["helmet"], clock())

    events = store.events(sitting.attempt_id)
    assert [e.kind for e in events] == ["started", "answered", "answered", "expired"]
    assert events[-1].payload["deadline"] == "2026-12-01T09:10:00.000000+00:00"
    assert events[-1].payload["result"]["points"] == 2  # scored as it stood at the deadline
    assert sitting.state.lifecycle == "expired"
    assert sitting.state.answers == {"call-number": "112", "sequence": ["check", "call", "push"]}
    with pytest.raises(MqexamError, match=r"this attempt is closed \(expired\)"):
        sitting.answer("ppe-pick", ["helmet"], clock())
    with pytest.raises(MqexamError, match="closed"):
        sitting.submit(clock())
    assert len(store.events(sitting.attempt_id)) == 4
    assert store.attempt(sitting.attempt_id).lifecycle == "expired"  # type: ignore[union-attr]
    assert store.verify() == []


def test_reopening_past_the_deadline_closes_it_as_expired(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    sitting.answer("call-number", "112", clock())
    clock.advance(hours=2)

    resumed = Sitting.open(store, [mini], sitting.attempt_id)
    assert resumed.close_if_due(clock()) is True
    assert resumed.state.lifecycle == "expired"
    assert resumed.state.answers == {"call-number": "112"}
    assert resumed.result().item("call-number").status == "correct"


@pytest.mark.parametrize("item_id", ["first-step", "no-such-item", ""])
def test_an_answer_to_an_item_not_in_the_form_is_refused(
        store: Store, mini: Module, clock: Clock, item_id: str) -> None:
    sitting, _code = start(store, mini, clock)

    with pytest.raises(MqexamError, match=f"item '{item_id}' is not part of this attempt"):
        sitting.answer(item_id, "safety", clock())
    with pytest.raises(MqexamError, match="is not part of this attempt"):
        sitting.flag(item_id, True, clock())

    assert len(store.events(sitting.attempt_id)) == 1


def test_a_practical_item_is_not_answered_by_the_learner(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    with pytest.raises(MqexamError, match="is assessed by your assessor"):
        sitting.answer("ppe-bench", {"helmet": True}, clock())
    assert len(store.events(sitting.attempt_id)) == 1


def test_a_second_window_on_the_same_attempt_must_reload(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    other = Sitting.open(store, [mini], sitting.attempt_id)
    sitting.answer("call-number", "112", clock())

    with pytest.raises(MqexamError, match="was changed elsewhere; reopen it"):
        other.answer("call-number", "999", clock())

    assert Sitting.open(store, [mini], sitting.attempt_id).state.answers == {
        "call-number": "112"}


def test_the_resume_code(store: Store, mini: Module, clock: Clock) -> None:
    sitting, code = start(store, mini, clock)
    attempt_id = sitting.attempt_id

    assert Sitting.unlock(store, attempt_id, code)
    assert Sitting.unlock(store, attempt_id, f" {code[:3].lower()}-{code[3:].lower()} ")
    assert not Sitting.unlock(store, attempt_id, "")
    assert not Sitting.unlock(store, attempt_id, "AAAAAA" if code != "AAAAAA" else "BBBBBB")
    assert not Sitting.unlock(store, "NOPE", code)
    other, other_code = Sitting.start(store, mini, context="DK", locale="en", learner_id="L2",
                                      now=clock(), seed=3)
    if other_code != code:
        assert not Sitting.unlock(store, attempt_id, other_code)
        assert not Sitting.unlock(store, other.attempt_id, code)


def test_opening_an_attempt_that_does_not_exist(store: Store, mini: Module) -> None:
    with pytest.raises(MqexamError, match="no attempt 'NOPE'"):
        Sitting.open(store, [mini], "NOPE")


def test_opening_an_attempt_whose_bank_version_is_gone(
        store: Store, mini: Module, clock: Clock) -> None:
    sitting, _code = start(store, mini, clock)
    with pytest.raises(MqexamError, match="which is not in the bank any more"):
        Sitting.open(store, [], sitting.attempt_id)


def test_extra_time_granted_mid_exam_is_taken_in_and_saving_goes_on(
        tmp_path: Path, clock: Clock) -> None:
    from conftest import MINI_BANKS
    from mqexam.bank.loader import load_bank
    from mqexam.review import Review
    from mqexam.store.assessors import add_assessor

    module = load_bank(MINI_BANKS).module("mini")
    with Store(tmp_path / "r.db") as store:
        add_assessor(store, "Birgit", "correct horse battery", clock())
        sitting, _code = Sitting.start(store, module, context="DK", locale="en",
                                       learner_id="L-1", now=clock(), seed=1)
        review = Review.open(store, [module], sitting.attempt_id, "Birgit")
        review.extend(30, "reading difficulties", clock())
        item = next(i for i in sitting.form.items if i.type == "text")
        sitting.answer(item.id, "112", clock())  # the learner's screen had the old state
        assert sitting.state.answers[item.id] == "112"
        clock.advance(minutes=15)
        assert not sitting.close_if_due(clock())  # the extra 30 minutes count
        assert store.verify() == []


def test_extra_time_granted_after_the_screen_last_wrote_keeps_the_attempt_open(
        tmp_path: Path, clock: Clock) -> None:
    from conftest import MINI_BANKS
    from mqexam.bank.loader import load_bank
    from mqexam.review import Review
    from mqexam.store.assessors import add_assessor

    module = load_bank(MINI_BANKS).module("mini")
    with Store(tmp_path / "r.db") as store:
        add_assessor(store, "Birgit", "correct horse battery", clock())
        sitting, _code = Sitting.start(store, module, context="DK", locale="en",
                                       learner_id="L-1", now=clock(), seed=1)
        Review.open(store, [module], sitting.attempt_id, "Birgit").extend(
            30, "a fire alarm interrupted the sitting", clock())
        clock.advance(minutes=11)  # past the first deadline, within the extra time
        assert not sitting.close_if_due(clock())
        assert sitting.state.open
