"""Bad input to the results store: one clear line, never a traceback, nothing stored lost."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import mqexam.store
from helpers.storekit import AT, new_attempt, raw, start_payload, stored
from mqexam.cli import main
from mqexam.errors import MqexamError
from mqexam.store.db import Store


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert "Traceback" not in result.output
    return result


def one_error_line(result: Result) -> str:
    """The command failed with exactly one line, on stderr, saying ``error: ...``."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def db(db_path: Path) -> Path:
    with Store(db_path) as store:
        new_attempt(store, "A1", answers=3)
    return db_path


@pytest.fixture
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands open the store with a short busy timeout (a lock must not stall a test)."""
    monkeypatch.setattr(mqexam.store, "open_store", lambda path: Store(path, busy_timeout=0.2))


# -- a database from a newer mqexam ----------------------------------------------


def test_a_newer_schema_is_refused_with_one_line(db: Path) -> None:
    conn = raw(db)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                 "VALUES ('mqexam', 'm900_from_the_future', '2030-01-01')")
    conn.close()
    before = db.read_bytes()

    for command in (["results", "list"], ["results", "verify"], ["results", "show", "A1"]):
        line = one_error_line(run(db, *command))
        assert "newer mqexam" in line and "m900_from_the_future" in line

    assert db.read_bytes() == before
    assert stored(db)[("A1", 4)]


# -- a file that is not (or no longer) a database ----------------------------------


@pytest.mark.parametrize("command", [["results", "list"], ["results", "verify"],
                                     ["results", "show", "A1"], ["learner", "erase", "L1"]])
def test_a_corrupt_file_gets_a_clear_message(tmp_path: Path, command: list[str]) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(os.urandom(8192))

    line = one_error_line(run(corrupt, *command))

    assert "is not an mqexam results database, or it is damaged" in line


def test_a_damaged_database_gets_a_clear_message(db: Path) -> None:
    with Store(db) as store:  # closing the last connection folds the WAL into the file
        for n in range(200):
            store.append("A1", "answered", {"item": "q", "answer": "x" * 500 + str(n)}, AT)
    data = bytearray(db.read_bytes())
    data[4096 * 3: 4096 * 6] = os.urandom(4096 * 3)
    db.write_bytes(bytes(data))

    result = run(db, "results", "verify")

    assert "damaged" in one_error_line(result)


def test_a_folder_where_the_database_should_be(tmp_path: Path) -> None:
    for command in (["results", "list"], ["results", "merge", str(tmp_path / "other.db")]):
        line = one_error_line(run(tmp_path, *command))
        assert line == f"error: results database {tmp_path}: unable to open database file"


# -- a locked database ---------------------------------------------------------------


@pytest.fixture
def locked(db: Path) -> Iterator[sqlite3.Connection]:
    """Another program holds the write lock on ``db``."""
    holder = raw(db)
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_a_locked_database_refuses_a_write_clearly_and_loses_nothing(
        db: Path, locked: sqlite3.Connection) -> None:
    before = stored(db)
    with Store(db, busy_timeout=0.2) as store:
        with pytest.raises(MqexamError, match="is locked by another program; try again"):
            store.append("A1", "answered", {"item": "q", "answer": "late"}, AT)
        assert not store.conn.in_transaction

        locked.execute("ROLLBACK")
        event = store.append("A1", "answered", {"item": "q", "answer": "later"}, AT)
    assert stored(db) == {**before, ("A1", 5): event.hash}


def test_a_locked_database_through_the_command_line(
        db: Path, tmp_path: Path, locked: sqlite3.Connection, short_timeouts: None) -> None:
    other = tmp_path / "other.db"
    with Store(other) as store:
        new_attempt(store, "B1", learner="L2", answers=1)

    assert "is locked by another program" in one_error_line(
        run(db, "results", "merge", str(other)))
    # Readers are not blocked by a writer (WAL): the results can still be listed and verified.
    assert run(db, "results", "list").exit_code == 0
    assert run(db, "results", "verify").exit_code == 0
    assert ("B1", 1) not in stored(db)


# -- a full disk -----------------------------------------------------------------------


def fill_up(store: Store) -> None:
    """From now on the database may not grow: SQLite answers SQLITE_FULL."""
    (pages,) = store.conn.execute("PRAGMA page_count").fetchone()
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_refuses_the_answer_and_keeps_every_earlier_one(db: Path) -> None:
    before = stored(db)
    with Store(db) as store:
        fill_up(store)
        with pytest.raises(MqexamError, match="is full; nothing was written"):
            store.append("A1", "answered", {"item": "q", "answer": "x" * 100_000}, AT)
        assert not store.conn.in_transaction
        assert store.verify() == []

    assert stored(db) == before
    with Store(db) as store:  # space again: the attempt goes on where it was
        event = store.append("A1", "answered", {"item": "q", "answer": "x" * 100_000}, AT)
        assert event.seq == 5
        assert store.verify() == []


def test_a_full_disk_through_the_command_line(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other.db"
    with Store(other) as store:
        for n in range(20):
            new_attempt(store, f"B{n}", learner="L2", answers=30)
    before = stored(db)

    def full_store(path: Path) -> Store:
        store = Store(path)
        fill_up(store)
        return store

    monkeypatch.setattr(mqexam.store, "open_store", full_store)
    assert "is full" in one_error_line(run(db, "results", "merge", str(other)))
    assert stored(db) == before  # a merge is all or nothing


# -- ids and files that are not there -------------------------------------------------


def test_an_attempt_that_does_not_exist(db: Path) -> None:
    assert one_error_line(run(db, "results", "show", "NOPE")) == "error: no attempt 'NOPE'"


def test_no_database_at_all_is_not_created_by_reading(tmp_path: Path) -> None:
    missing = tmp_path / "results" / "none.db"
    for command in (["results", "list"], ["results", "show", "A1"], ["results", "verify"],
                    ["learner", "erase", "L1"]):
        assert "no results database at" in one_error_line(run(missing, *command))
    assert not missing.exists()


def test_appending_to_an_attempt_that_does_not_exist(db: Path) -> None:
    with Store(db) as store, pytest.raises(MqexamError, match="no attempt 'NOPE'"):
        store.append("NOPE", "answered", {"item": "q", "answer": "x"}, AT)


def test_an_attempt_row_and_its_started_event_cannot_disagree(db: Path) -> None:
    with Store(db) as store, pytest.raises(MqexamError, match="cannot start attempt A2"):
        store.start_attempt("A2", "L1", start_payload("L2"), AT)
    assert ("A2", 1) not in stored(db)


def test_starting_an_attempt_twice_is_refused(db: Path) -> None:
    with Store(db) as store, pytest.raises(MqexamError, match="attempt A1 already exists"):
        new_attempt(store, "A1")
    assert len(stored(db)) == 4


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n", os.urandom(4096)])
def test_merging_a_file_that_is_not_a_results_database(
        db: Path, tmp_path: Path, content: bytes) -> None:
    other = tmp_path / "other.db"
    other.write_bytes(content)
    before = stored(db)

    line = one_error_line(run(db, "results", "merge", str(other)))

    assert "is not an mqexam results database" in line
    assert stored(db) == before


def test_merging_another_kind_of_sqlite_database(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    assert "is not an mqexam results database" in one_error_line(
        run(db, "results", "merge", str(other)))


def test_merging_a_missing_file_or_the_database_itself(db: Path, tmp_path: Path) -> None:
    assert "no such database" in one_error_line(
        run(db, "results", "merge", str(tmp_path / "nope.db")))
    assert "is the database being merged into" in one_error_line(
        run(db, "results", "merge", str(db)))


# -- a writer that is out of date -----------------------------------------------------


def test_appending_with_a_stale_expect_prev_is_refused(db: Path) -> None:
    with Store(db) as store:
        seen = store.events("A1")[-1].hash
        store.append("A1", "answered", {"item": "q", "answer": "from elsewhere"}, AT,
                     expect_prev=seen)
        with pytest.raises(MqexamError, match="was changed elsewhere; reopen it"):
            store.append("A1", "answered", {"item": "q", "answer": "stale"}, AT,
                         expect_prev=seen)
        assert [e.payload.get("answer") for e in store.events("A1")][-1] == "from elsewhere"
        assert store.verify() == []


def test_migration_names_match_the_schema_module() -> None:
    from mqexam.store import db, schema

    assert tuple(m.name for m in schema.migrations._migrations) == db.MIGRATIONS
