"""``mqexam results merge``: bring in other workstations' attempts, verified and idempotent."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpers.storekit import AT, new_attempt, raw, stored
from mqexam.cli import main
from mqexam.store.db import Store


def merge(db: Path, *others: Path, as_json: bool = False) -> Result:
    args = ["--db", str(db), "results", "merge", *map(str, others)]
    result = CliRunner().invoke(main, args + (["--json"] if as_json else []))
    assert "Traceback" not in result.output
    return result


def snapshot(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every results table, in a stable order."""
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("learners", "attempts", "events")}
    finally:
        conn.close()


@pytest.fixture
def workstations(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "ws1.db", tmp_path / "ws2.db"
    with Store(one) as store:
        store.ensure_learner("L1", AT, name="Ada Lund", birth_date="2001-02-03")
        new_attempt(store, "A1", "L1", answers=3)
        new_attempt(store, "A2", "L2", answers=2)
    with Store(two) as store:
        new_attempt(store, "B1", "L3", answers=4, context="US")
        new_attempt(store, "B2", "L1", answers=1)
    return one, two


def test_merge_brings_in_every_attempt_with_its_chain(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, two = workstations

    result = merge(db_path, one, two)

    assert result.exit_code == 0, result.output
    assert f"{one}: 2 added, 0 extended, 0 already here, 0 refused" in result.output
    assert f"{two}: 2 added, 0 extended, 0 already here, 0 refused" in result.output
    assert stored(db_path) == {**stored(one), **stored(two)}
    with Store(db_path) as store:
        assert store.verify() == []
        assert sorted(a.id for a in store.attempts()) == ["A1", "A2", "B1", "B2"]
        assert store.learner("L1")["name"] == "Ada Lund"  # type: ignore[index]


def test_merging_twice_changes_nothing(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, two = workstations
    assert merge(db_path, one, two).exit_code == 0
    first = snapshot(db_path)

    again = merge(db_path, one, two, as_json=True)

    assert again.exit_code == 0
    assert [(r["added"], r["extended"], r["refused"]) for r in json.loads(again.output)] == [
        ([], [], []), ([], [], [])]
    assert snapshot(db_path) == first


def test_an_attempt_with_a_broken_chain_is_refused_and_named(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, _ = workstations
    conn = raw(one)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET payload = json_set(payload, '$.answer', 'better') "
                 "WHERE attempt_id = 'A2' AND seq = 2")
    conn.close()

    result = merge(db_path, one)

    assert result.exit_code == 1
    assert "1 added, 0 extended, 0 already here, 1 refused" in result.output
    assert "  A2: broken chain: A2: event 2: altered" in result.output
    with Store(db_path) as store:
        assert [a.id for a in store.attempts()] == ["A1"]
        assert store.verify() == []


def test_an_attempt_row_that_contradicts_its_chain_is_refused(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, _ = workstations
    conn = raw(one)
    conn.execute("DROP TRIGGER attempts_no_update")
    conn.execute("UPDATE attempts SET module_version = '9.9.9' WHERE id = 'A1'")
    conn.close()

    result = merge(db_path, one)

    assert result.exit_code == 1
    assert "A1: broken chain: A1: event 1: attempt record altered: module_version" in result.output
    assert ("A1", 1) not in stored(db_path)


def test_an_id_that_collides_with_a_different_attempt_is_refused_and_named(
        db_path: Path, workstations: tuple[Path, Path], tmp_path: Path) -> None:
    one, _ = workstations
    assert merge(db_path, one).exit_code == 0
    elsewhere = tmp_path / "ws3.db"
    with Store(elsewhere) as store:
        new_attempt(store, "A1", "L9", answers=2)  # same id, another sitting
    before = stored(db_path)

    result = merge(db_path, elsewhere)

    assert result.exit_code == 1
    assert "A1: an attempt with this id but different events is already here" in result.output
    assert stored(db_path) == before


def test_an_attempt_that_went_on_elsewhere_is_extended(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, _ = workstations
    assert merge(db_path, one).exit_code == 0
    with Store(one) as store:  # the learner went on at that workstation
        store.append("A1", "answered", {"item": "q9", "answer": "more"}, AT)
        store.append("A1", "submitted", {}, AT)

    result = merge(db_path, one)

    assert result.exit_code == 0
    assert "0 added, 1 extended, 1 already here, 0 refused" in result.output
    assert stored(db_path) == stored(one)
    with Store(db_path) as store:
        assert store.verify() == []
        assert store.attempt("A1").lifecycle == "submitted"  # type: ignore[union-attr]


def test_an_attempt_that_went_further_here_is_left_alone(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, _ = workstations
    assert merge(db_path, one).exit_code == 0
    with Store(db_path) as store:
        store.append("A1", "submitted", {}, AT)
    before = stored(db_path)

    result = merge(db_path, one)

    assert result.exit_code == 0
    assert "0 added, 0 extended, 2 already here, 0 refused" in result.output
    assert stored(db_path) == before


def test_merge_never_brings_back_erased_personal_data(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, _ = workstations
    assert merge(db_path, one).exit_code == 0
    with Store(db_path) as store:
        store.append("A1", "submitted", {}, AT)
        store.erase_learner("L1", AT)

    assert merge(db_path, one).exit_code == 0

    with Store(db_path) as store:
        learner = store.learner("L1")
    assert learner is not None
    assert (learner["name"], learner["birth_date"], learner["erased_at"]) == (None, None, AT)


def test_erasure_elsewhere_is_carried_over(
        db_path: Path, workstations: tuple[Path, Path]) -> None:
    one, _ = workstations
    assert merge(db_path, one).exit_code == 0
    with Store(one) as store:
        store.append("A1", "submitted", {}, AT)
        store.erase_learner("L1", AT)

    assert merge(db_path, one).exit_code == 0

    with Store(db_path) as store:
        learner = store.learner("L1")
    assert learner is not None
    assert (learner["name"], learner["birth_date"]) == (None, None)


def test_merge_reads_a_database_whose_path_needs_quoting(
        db_path: Path, tmp_path: Path) -> None:
    odd = tmp_path / "ws #4 ?100%.db"
    with Store(odd) as store:
        new_attempt(store, "C1", answers=1)

    result = merge(db_path, odd)

    assert result.exit_code == 0, result.output
    assert stored(db_path) == stored(odd)
