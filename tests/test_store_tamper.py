"""Any change to a stored attempt is detected and named by ``mqexam results verify``.

The tests go behind the program's back with a plain sqlite3 connection (dropping
the append-only triggers where needed), then run the command line.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.storekit import new_attempt, raw
from mqexam.cli import main
from mqexam.store.db import Store


def verify(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), "results", "verify", *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def db(db_path: Path) -> Path:
    with Store(db_path) as store:
        for attempt_id in ("A", "B", "C", "D", "E"):
            new_attempt(store, attempt_id, learner=f"L-{attempt_id}", answers=4)
    return db_path


def alter(conn: sqlite3.Connection, attempt: str, seq: int) -> None:
    """Change the learner's answer in one event's payload."""
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("UPDATE events SET payload = json_set(payload, '$.answer', 'changed') "
                 "WHERE attempt_id = ? AND seq = ?", (attempt, seq))


def delete(conn: sqlite3.Connection, attempt: str, seq: int) -> None:
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    conn.execute("DELETE FROM events WHERE attempt_id = ? AND seq = ?", (attempt, seq))


def reorder(conn: sqlite3.Connection, attempt: str, seq: int) -> None:
    """Rewrite the attempt's rows so event ``seq`` is stored after event ``seq + 1``."""
    conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    rows = conn.execute("SELECT * FROM events WHERE attempt_id = ? ORDER BY rowid",
                        (attempt,)).fetchall()
    conn.execute("DELETE FROM events WHERE attempt_id = ?", (attempt,))
    rows[seq - 1], rows[seq] = rows[seq], rows[seq - 1]
    conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def reorder_first(conn: sqlite3.Connection, attempt: str, seq: int) -> None:
    reorder(conn, attempt, 1)


def renumber(conn: sqlite3.Connection, attempt: str, seq: int) -> None:
    """Swap the ``seq`` of two events, so the earlier answer is folded last."""
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    conn.execute("UPDATE events SET seq = -1 WHERE attempt_id = ? AND seq = ?", (attempt, seq))
    conn.execute("UPDATE events SET seq = ? WHERE attempt_id = ? AND seq = ?",
                 (seq, attempt, seq + 1))
    conn.execute("UPDATE events SET seq = ? WHERE attempt_id = ? AND seq = -1",
                 (seq + 1, attempt))


def change_record(conn: sqlite3.Connection, attempt: str, seq: int) -> None:
    """Point the attempt's (unchained) row at another bank version."""
    conn.execute("DROP TRIGGER IF EXISTS attempts_no_update")
    conn.execute("UPDATE attempts SET content_hash = 'sha256:forged' WHERE id = ?", (attempt,))


Tamper = Callable[[sqlite3.Connection, str, int], None]


def test_a_clean_database_verifies(db: Path) -> None:
    result = verify(db)
    assert result.exit_code == 0, result.output
    assert "5 attempt(s): every chain verifies" in result.output


@pytest.mark.parametrize(("tamper", "expected"), [
    (alter, ["B: event 3: altered"]),
    (delete, ["B: event 3: missing"]),
    (reorder, ["B: event 3: reordered"]),
    (reorder_first, ["B: event 1: reordered"]),
    (renumber, ["B: event 3: reordered", "B: event 3: altered", "B: event 4: altered",
                "B: event 5: unlinked"]),
    (change_record, ["B: event 1: attempt record altered: content_hash"]),
])
def test_each_kind_of_change_is_named(db: Path, tamper: Tamper, expected: list[str]) -> None:
    conn = raw(db)
    tamper(conn, "B", 3)
    conn.close()

    result = verify(db)

    assert result.exit_code == 1
    named = [line for line in result.output.splitlines() if line.startswith("B: ")]
    assert named == expected
    assert not [line for line in result.output.splitlines() if line[:2] in ("A:", "C:", "D:")]


def test_every_altered_deleted_and_reordered_event_is_named_at_once(db: Path) -> None:
    conn = raw(db)
    alter(conn, "A", 2)
    alter(conn, "A", 4)
    delete(conn, "B", 2)
    reorder(conn, "C", 3)
    delete(conn, "E", 1)
    conn.close()

    result = verify(db)

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "A: event 2: altered",
        "A: event 4: altered",
        "B: event 2: missing",
        "C: event 3: reordered",
        "E: event 1: missing",
    ]


def test_verify_json_lists_the_problems(db: Path) -> None:
    conn = raw(db)
    delete(conn, "D", 4)
    conn.close()

    result = verify(db, "--json")

    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "attempts": 5,
        "problems": [{"attempt_id": "D", "seq": 4, "problem": "missing"}],
    }


def test_show_warns_about_an_attempt_whose_chain_is_broken(db: Path) -> None:
    conn = raw(db)
    alter(conn, "A", 2)
    conn.close()

    result = CliRunner().invoke(main, ["--db", str(db), "results", "show", "A", "--json"])

    assert "warning: this attempt's chain does not verify: A: event 2: altered" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE events SET payload = '{}' WHERE attempt_id = 'A' AND seq = 2",
    "DELETE FROM events WHERE attempt_id = 'A' AND seq = 5",
    "UPDATE attempts SET module_version = '9.9.9' WHERE id = 'A'",
    "DELETE FROM attempts WHERE id = 'A'",
])
def test_the_triggers_refuse_update_and_delete(db: Path, statement: str) -> None:
    conn = raw(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(statement)
    conn.close()
    with Store(db) as store:
        assert store.verify() == []
        assert len(store.events("A")) == 5


JSON = st.recursive(
    st.none() | st.booleans() | st.text(max_size=20)
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None)
@given(answer=JSON)
def test_any_json_answer_is_stored_as_given_and_verifies(
        tmp_path_factory: pytest.TempPathFactory, answer: Any) -> None:
    # The other side of tamper detection: nothing untouched is ever reported.
    with Store(tmp_path_factory.mktemp("roundtrip") / "r.db") as store:
        new_attempt(store, "A")
        store.append("A", "answered", {"item": "q", "answer": answer}, "2026-12-01T09:01:00Z")
        assert store.events("A")[-1].payload == {"item": "q", "answer": answer}
        assert store.verify() == []
