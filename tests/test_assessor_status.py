"""Derived statuses in SQL (store/status.py) agree with a rescore of each attempt."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Clock
from helpers.storekit import new_attempt
from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.review import Review
from mqexam.sitting import Sitting
from mqexam.store.db import Store
from mqexam.store.status import attempt_events, attempt_statuses

RIGHT = {"call-number": "112", "sequence": ["check", "call", "push"],
         "ppe-pick": ["helmet", "gloves"], "filter-match": {"en169": "passive", "en379": "auto"}}
MET = {"helmet": True, "jacket": True}
SIGN = {"decision": "competent", "outcomes": {}, "reason": "ok",
        "supervision": "unsupervised", "identity_checked": False}


@pytest.fixture
def mini(mini_banks: Path) -> Module:
    module = load_bank(mini_banks, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture
def store(db_path: Path) -> Store:
    return Store(db_path)


def sit(store: Store, mini: Module, clock: Clock, learner: str, answers: dict[str, object],
        submit: bool = True, context: str = "DK", name: str | None = None) -> Sitting:
    sitting, _code = Sitting.start(store, mini, context=context, locale="en",
                                   learner_id=learner, now=clock(), seed=3, name=name)
    for item, answer in answers.items():
        sitting.answer(item, answer, clock())
    if submit:
        sitting.submit(clock())
    clock.advance(minutes=1)
    return sitting


def test_every_status_agrees_with_a_rescore(store: Store, mini: Module, clock: Clock) -> None:
    ids = {}
    ids["in_progress"] = sit(store, mini, clock, "L1", RIGHT, submit=False).attempt_id
    ids["awaiting_review"] = sit(store, mini, clock, "L2", RIGHT).attempt_id
    passed = sit(store, mini, clock, "L3", RIGHT).attempt_id
    Review.open(store, [mini], passed, "Kim").grade("ppe-bench", MET, "", clock())
    ids["passed"] = passed
    failed = sit(store, mini, clock, "L4", {"call-number": "911"}).attempt_id
    Review.open(store, [mini], failed, "Kim").grade("ppe-bench", MET, "", clock())
    ids["failed"] = failed
    signed = sit(store, mini, clock, "L5", RIGHT).attempt_id
    r = Review.open(store, [mini], signed, "Kim")
    r.grade("ppe-bench", MET, "", clock())
    r.sign(**SIGN, now=clock())  # type: ignore[arg-type]
    ids["signed"] = signed
    voided = sit(store, mini, clock, "L6", RIGHT).attempt_id
    r = Review.open(store, [mini], voided, "Kim")
    r.grade("ppe-bench", MET, "", clock())
    r.sign(**SIGN, now=clock())  # type: ignore[arg-type]
    r.void("identity not checked after all", clock())
    ids["voided"] = voided

    listed = {s.row.id: s for s in attempt_statuses(store)}

    for status, attempt_id in ids.items():
        assert listed[attempt_id].status == status
        assert Review.open(store, [mini], attempt_id, "Kim").status() == status
    assert listed[ids["in_progress"]].result is None
    assert listed[ids["passed"]].result == {"points": 6.0, "max_points": 6.0, "share": 1.0,
                                            "passed": True, "awaiting_review": False}
    assert listed[ids["awaiting_review"]].result["awaiting_review"] is True  # type: ignore[index]
    for status in ids:
        assert [s.row.id for s in attempt_statuses(store, status=status)] == [ids[status]]


def test_rows_are_the_stores_rows(store: Store, mini: Module, clock: Clock) -> None:
    for n in range(3):
        sit(store, mini, clock, f"L{n}", RIGHT, submit=n != 1, context="US" if n else "DK")
    assert [s.row for s in attempt_statuses(store)] == store.attempts()
    assert [s.row for s in attempt_statuses(store, context="US")] == store.attempts(context="US")
    assert [s.row for s in attempt_statuses(store, lifecycle="submitted")] == store.attempts(
        lifecycle="submitted")


def test_a_reopened_attempt_is_in_progress_again(store: Store, mini: Module,
                                                 clock: Clock) -> None:
    attempt_id = sit(store, mini, clock, "L1", RIGHT, submit=False).attempt_id
    clock.advance(hours=1)
    r = Review.open(store, [mini], attempt_id, "Kim")
    r.close_if_due(clock())
    assert attempt_statuses(store)[0].status == "awaiting_review"
    r.extend(5, "crash", clock(), reopen=True)
    (listed,) = attempt_statuses(store)
    assert (listed.status, listed.row.lifecycle) == ("in_progress", "in_progress")


def test_logs_without_a_result_summary_read_as_their_lifecycle(store: Store) -> None:
    new_attempt(store, "A1", "L1")
    store.append("A1", "submitted", {}, "2026-12-01T09:05:00Z")
    new_attempt(store, "A2", "L2")
    store.append("A2", "expired", {"deadline": "2026-12-01T09:30:00Z"}, "2026-12-01T10:00:00Z")
    assert {s.row.id: (s.status, s.result) for s in attempt_statuses(store)} == {
        "A1": ("submitted", None), "A2": ("expired", None)}


def test_search_by_learner_id_name_or_attempt(store: Store, mini: Module, clock: Clock) -> None:
    first = sit(store, mini, clock, "L-100", RIGHT, name="Åse Nørgaard").attempt_id
    second = sit(store, mini, clock, "L-200", RIGHT, name="Jens 50%_off").attempt_id

    def found(text: str) -> list[str]:
        return sorted(s.row.id for s in attempt_statuses(store, search=text))

    assert found("nørgaard") == [first]
    assert found("L-2") == [second]
    assert found(first[:6].lower()) == [first]
    assert found("50%_") == [second]
    assert found("%") == [second]  # a literal percent sign, not a wildcard
    assert found("") == sorted([first, second])
    assert found("nobody") == []


def test_events_in_bulk(store: Store, mini: Module, clock: Clock) -> None:
    a = sit(store, mini, clock, "L1", RIGHT).attempt_id
    b = sit(store, mini, clock, "L2", RIGHT, context="US").attempt_id
    logs = attempt_events(store, module="mini")
    assert set(logs) == {a, b}
    assert logs[a] == store.events(a)
    assert set(attempt_events(store, context="US")) == {b}
    assert set(attempt_events(store, [a])) == {a}
    assert attempt_events(store, content_hash="nope") == {}
