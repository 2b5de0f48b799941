"""Item analysis on generated attempts whose answers (and so statistics) are known."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.exam.analysis import (
    MAX_GAP_SECONDS,
    NEGATIVE_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    analyse,
    correlation,
    flags_for,
    samples,
    samples_from_rows,
    time_on_items,
)
from mqexam.exam.attempt import AttemptState, fold, format_time
from mqexam.exam.events import GENESIS, Event, chain
from mqexam.exam.form import build_form, form_manifest
from mqexam.store.db import Store

ITEMS = ["call-number", "first-step", "sequence", "ppe-pick", "filter-match"]
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEARNERS = 20
# Seconds after the start of each learner event: item shown, then answered.
SHOWN = {"call-number": (0, 5), "first-step": (20, 30), "sequence": (50, 60),
         "ppe-pick": (90, 100), "filter-match": (130, 150)}
CLOSED_AT = 160
# With the events above, time on an item runs from its 'shown' to the next item's 'shown'.
SECONDS = {"call-number": 20, "first-step": 30, "sequence": 40, "ppe-pick": 40,
           "filter-match": 30}


def answers_of(rank: int) -> dict[str, Any]:
    """Learner ``rank`` (0 = weakest of 20): who gets what right is chosen, so known."""
    top_half, bottom_half = rank >= LEARNERS // 2, rank < LEARNERS // 2
    return {
        "call-number": "112" if top_half else "999",            # right: top half
        "first-step": "safety" if bottom_half else "breaths",   # right: bottom half only
        "sequence": ["check", "call", "push"],                   # right: everyone
        "ppe-pick": ["helmet", "gloves"] if rank >= 17 else ["sandals"],  # right: top 3
        "filter-match": ({"en169": "passive", "en379": "auto"} if rank >= 5
                         else {"en169": "auto"}),                # right: 15 of 20
    }


@pytest.fixture
def mini(mini_banks: Path) -> Module:
    module = load_bank(mini_banks, use_cache=False).module("mini")
    assert module is not None
    return module


def attempt(mini: Module, n: int, answers: dict[str, Any], *, context: str = "DK",
            close: str | None = "submitted", items: Sequence[str] = ITEMS,
            grades: dict[str, dict[str, bool]] | None = None) -> tuple[AttemptState, list[Event]]:
    form = build_form(mini, context, "en", n, item_ids=list(items))
    started = START + timedelta(hours=n)
    payload = {"learner": f"L{n}", "module": mini.id, "version": mini.version,
               "content_hash": mini.content_hash, "context": context, "locale": "en",
               "kind": "bonus", "seed": n, "deadline": format_time(started + timedelta(hours=1)),
               "time_limit_seconds": 3600, "form": form_manifest(form), "builds_on": []}
    events = [chain(f"A{n}", 1, "started", format_time(started), payload, GENESIS)]

    def add(kind: str, seconds: float, body: dict[str, Any]) -> None:
        at = format_time(started + timedelta(seconds=seconds))
        events.append(chain(f"A{n}", len(events) + 1, kind, at, body, events[-1].hash))

    for item in items:
        shown, answered = SHOWN.get(item, (0, 0))
        add("shown", shown, {"item": item})
        if item in answers:
            add("answered", answered, {"item": item, "answer": answers[item]})
    if close:
        add(close, CLOSED_AT, {"result": {}} if close != "voided" else {"reason": "x"})
    for item, criteria in (grades or {}).items():
        add("graded", CLOSED_AT + 60, {"item": item, "criteria": criteria})
    return fold(events), events


def data_set(mini: Module) -> list[tuple[AttemptState, list[Event]]]:
    return [attempt(mini, rank, answers_of(rank)) for rank in range(LEARNERS)]


def test_facility_discrimination_options_and_time_are_as_generated(mini: Module) -> None:
    report = analyse(samples(mini, data_set(mini)), mini.id, mini.version, mini.content_hash,
                     order=[item.id for item in mini.items])

    assert report.attempts == LEARNERS
    assert [s.item_id for s in report.items] == [
        "call-number", "first-step", "sequence", "ppe-pick", "filter-match"]  # bank order
    by_id = {s.item_id: s for s in report.items}
    assert {i: s.seen for i, s in by_id.items()} == dict.fromkeys(ITEMS, LEARNERS)
    assert {i: s.facility for i, s in by_id.items()} == {
        "call-number": 0.5, "first-step": 0.5, "sequence": 1.0, "ppe-pick": 0.15,
        "filter-match": 0.75}
    assert by_id["call-number"].discrimination > 0  # type: ignore[operator]
    assert by_id["first-step"].discrimination < 0  # type: ignore[operator]
    assert by_id["sequence"].discrimination is None  # everyone right: nothing to correlate
    assert {i: s.flags for i, s in by_id.items()} == {
        "call-number": (), "first-step": ("negative_discrimination",),
        "sequence": ("too_easy",), "ppe-pick": ("too_hard",), "filter-match": ()}
    assert dict(by_id["first-step"].options) == {"safety": 10, "breaths": 10}
    assert dict(by_id["ppe-pick"].options) == {"helmet": 3, "gloves": 3, "sandals": 17}
    assert by_id["sequence"].options == {}
    assert {i: s.mean_seconds for i, s in by_id.items()} == SECONDS


def test_discrimination_is_the_item_rest_correlation(mini: Module) -> None:
    """Recomputed by hand: the item's share against the share of the other items' points."""
    points = {"call-number": 1, "first-step": 1, "sequence": 1, "ppe-pick": 1,
              "filter-match": 2}
    report = analyse(samples(mini, data_set(mini)), mini.id, mini.version, mini.content_hash)
    for item_id in ("call-number", "first-step", "ppe-pick", "filter-match"):
        item_shares, rest_shares = [], []
        for rank in range(LEARNERS):
            answers = answers_of(rank)
            right = {
                "call-number": answers["call-number"] == "112",
                "first-step": answers["first-step"] == "safety",
                "sequence": True,
                "ppe-pick": answers["ppe-pick"] == ["helmet", "gloves"],
                "filter-match": len(answers["filter-match"]) == 2,
            }
            item_shares.append(float(right[item_id]))
            rest = sum(points[i] for i in ITEMS if i != item_id and right[i])
            rest_shares.append(rest / (sum(points.values()) - points[item_id]))
        expected = statistics.correlation(item_shares, rest_shares)
        assert report.item(item_id).discrimination == pytest.approx(expected, abs=1e-12)


def test_only_closed_unvoided_attempts_of_the_version_and_country_count(mini: Module) -> None:
    found = data_set(mini)
    found.append(attempt(mini, 90, answers_of(19), close=None))      # in progress
    found.append(attempt(mini, 91, answers_of(19), close="voided"))  # voided
    found.append(attempt(mini, 92, answers_of(0), context="US"))     # another country
    found.append(attempt(mini, 93, answers_of(0), close="expired"))  # expired counts
    with_other_hash = attempt(mini, 94, answers_of(0))
    with_other_hash[0].start["content_hash"] = "sha256:other"
    found.append(with_other_hash)

    everywhere = analyse(samples(mini, found), mini.id, mini.version, mini.content_hash)
    in_dk = analyse(samples(mini, found), mini.id, mini.version, mini.content_hash,
                    context="DK")

    assert everywhere.attempts == LEARNERS + 2
    assert in_dk.attempts == LEARNERS + 1
    assert in_dk.item("call-number").facility == 10 / 21


def test_an_ungraded_practical_item_is_seen_but_not_scored(mini: Module) -> None:
    items = ["call-number", "ppe-bench"]
    found = [
        attempt(mini, 1, {"call-number": "112"}, items=items,
                grades={"ppe-bench": {"helmet": True, "jacket": False}}),
        attempt(mini, 2, {"call-number": "999"}, items=items,
                grades={"ppe-bench": {"helmet": False, "jacket": True}}),
        attempt(mini, 3, {"call-number": "112"}, items=items),  # awaiting review
    ]
    report = analyse(samples(mini, found), mini.id, mini.version, mini.content_hash)
    bench = report.item("ppe-bench")
    assert (bench.seen, bench.scored, bench.facility) == (3, 2, 0.25)
    assert bench.discrimination == pytest.approx(1.0)
    assert report.item("call-number").facility == pytest.approx(2 / 3)


def test_time_counts_every_visit_and_caps_long_pauses() -> None:
    def event(seq: int, kind: str, seconds: float, item: str | None = None) -> Event:
        payload = {"item": item} if item else {}
        return Event("A", seq, kind, format_time(START + timedelta(seconds=seconds)), payload)

    events = [
        event(1, "started", 0), event(2, "shown", 0, "a"), event(3, "answered", 10, "a"),
        event(4, "shown", 30, "b"), event(5, "shown", 40, "a"),  # back to a for 20 s
        event(6, "flagged", 50, "a"), event(7, "shown", 60, "b"),
        event(8, "shown", 5000, "a"),  # a crash on b: counted as MAX_GAP_SECONDS at most
        event(9, "submitted", 5005), event(10, "graded", 9000, "c"),
    ]
    assert time_on_items(events) == {"a": 30 + 20 + 5, "b": 10 + MAX_GAP_SECONDS}


@pytest.mark.parametrize(("facility", "discrimination", "flags"), [
    (TOO_EASY, 0.3, ()), (TOO_EASY + 0.01, 0.3, ("too_easy",)),
    (TOO_HARD, 0.3, ()), (TOO_HARD - 0.01, 0.3, ("too_hard",)),
    (0.5, NEGATIVE_DISCRIMINATION, ()), (0.5, -0.01, ("negative_discrimination",)),
    (None, None, ()),
])
def test_flag_thresholds(facility: float | None, discrimination: float | None,
                         flags: tuple[str, ...]) -> None:
    assert flags_for(facility, discrimination) == flags


def test_correlation_edge_cases() -> None:
    assert correlation([], []) is None
    assert correlation([1.0], [0.5]) is None
    assert correlation([1.0, 1.0], [0.2, 0.8]) is None
    assert correlation([0.0, 1.0], [0.2, 0.8]) == pytest.approx(1.0)
    assert correlation([0.0, 1.0, 0.5], [0.8, 0.2, 0.5]) == pytest.approx(-1.0)


# -- reading in bulk ---------------------------------------------------------


def stored_attempts(tmp_path: Path, mini: Module) -> Store:
    """Attempts with every kind of event the statistics must read like the fold does."""
    from conftest import Clock
    from mqexam.review import Review
    from mqexam.sitting import Sitting

    store = Store(tmp_path / "results.db")
    clock = Clock()
    right = {"call-number": "112", "sequence": ["check", "call", "push"],
             "ppe-pick": ["helmet", "gloves"],
             "filter-match": {"en169": "passive", "en379": "auto"}}
    for n in range(12):
        sitting, _code = Sitting.start(store, mini, context="US" if n == 11 else "DK",
                                       locale="en", learner_id=f"L{n}", now=clock(), seed=3)
        for index, (item, answer) in enumerate(right.items()):
            sitting.show(item, clock())
            clock.advance(seconds=5 + n + index)
            sitting.answer(item, answer if (n + index) % 3 else "wrong", clock())
            if n % 4 == 0:
                sitting.flag(item, True, clock())
                clock.advance(seconds=3)
        if n == 1:
            sitting.answer("call-number", None, clock())  # cleared
        if n == 2:
            continue  # left in progress
        if n == 3:
            clock.advance(hours=1)
            r = Review.open(store, [mini], sitting.attempt_id, "Kim")
            r.extend(10, "crash", clock(), reopen=True)  # expired, reopened...
            again = Sitting.open(store, [mini], sitting.attempt_id)
            again.show("sequence", clock())
            clock.advance(seconds=42)
            again.answer("sequence", ["push", "call", "check"], clock())
            again.submit(clock())  # ...and submitted
        else:
            sitting.submit(clock())
        r = Review.open(store, [mini], sitting.attempt_id, "Kim")
        if n % 2:
            r.grade("ppe-bench", {"helmet": n % 3 == 0, "jacket": True}, "", clock())
        if n == 5:
            r.sign("competent", {}, "ok", "unsupervised", False, clock())
        if n == 7:
            r.void("phone", clock())
        clock.advance(minutes=30)
    return store


def test_reading_in_bulk_gives_what_the_fold_gives(tmp_path: Path, mini: Module) -> None:
    from mqexam.item_analysis import item_analysis
    from mqexam.store.status import analysis_rows, attempt_events

    store = stored_attempts(tmp_path, mini)
    logs = attempt_events(store, module="mini")
    folded = samples(mini, [(fold(events), events) for events in logs.values()])
    rows = analysis_rows(store, mini.id, mini.content_hash)
    bulk = samples_from_rows(mini, rows)

    assert len(bulk) == len(folded) == 12
    for one, other in zip(sorted(bulk, key=lambda s: s.state.attempt_id),
                          sorted(folded, key=lambda s: s.state.attempt_id), strict=True):
        assert one.state.answers == other.state.answers
        assert one.state.grades.keys() == other.state.grades.keys()
        assert all(one.state.grades[i]["criteria"] == other.state.grades[i]["criteria"]
                   for i in one.state.grades)
        assert (one.state.lifecycle, one.state.voided is None) == (
            other.state.lifecycle, other.state.voided is None)
        assert one.form.item_ids == other.form.item_ids
        assert one.seconds == pytest.approx(other.seconds, abs=0.002)
    for context in (None, "DK"):
        expected = analyse(folded, mini.id, mini.version, mini.content_hash, context,
                           order=[item.id for item in mini.items])
        got = item_analysis(store, mini, context)
        assert got.attempts == expected.attempts == (9 if context else 10)
        for mine, theirs in zip(got.items, expected.items, strict=True):
            assert (mine.item_id, mine.seen, mine.scored, dict(mine.options), mine.flags) == (
                theirs.item_id, theirs.seen, theirs.scored, dict(theirs.options), theirs.flags)
            assert mine.facility == pytest.approx(theirs.facility)
            assert mine.discrimination == pytest.approx(theirs.discrimination)
            assert mine.mean_seconds == pytest.approx(theirs.mean_seconds, abs=0.002)
    # Rows out of order (no promise of the store's) are put in order first.
    shuffled = list(reversed(rows))
    assert [s.state.answers for s in samples_from_rows(mini, shuffled)] == [
        s.state.answers for s in sorted(bulk, key=lambda s: s.state.attempt_id)]
