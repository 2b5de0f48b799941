"""Several processes write one results database at once: nothing lost, nothing locked out.

Also keeps the measurement that decided the store's transaction style: with the
same busy timeout, a deferred ``BEGIN`` that reads and then writes fails at once
with 'database is locked' when another writer got there first (SQLite cannot
wait: the reader's snapshot is already stale), while ``BEGIN IMMEDIATE`` takes
the write lock up front and simply waits its turn.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from helpers.storekit import raw
from mqexam.store.db import Store

HELPERS = Path(__file__).parent / "helpers"


def run_writers(mode: str, db: Path, writers: int, count: int, go: Path) -> list[dict[str, Any]]:
    """Start ``writers`` processes, release them together, return each one's JSON report."""
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPERS / "concurrent_writer.py"), mode, str(db), f"W{n}",
             str(count), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HELPERS)
        for n in range(writers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.communicate()[1]
        go.touch()
        results = [proc.communicate(timeout=60) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    reports = []
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, f"{mode} writer failed: {err}"
        assert "Traceback" not in err
        reports.append(json.loads(out))
    return reports


@pytest.mark.slow
def test_eight_writers_lose_no_answer(tmp_path: Path) -> None:
    # The database does not exist yet: the writers also race to create and migrate it.
    db = tmp_path / "results" / "mqexam.db"
    reports = run_writers("answers", db, writers=8, count=100, go=tmp_path / "go")

    assert sorted(r["answered"] for r in reports) == [100] * 8
    with Store(db) as store:
        assert store.verify() == []
        for report in reports:
            events = store.events(report["writer"])
            assert [e.hash for e in events] == report["hashes"]
            assert [e.seq for e in events] == list(range(1, 102))
        assert len(store.attempts()) == 8


def tally_db(tmp_path: Path) -> Path:
    db = tmp_path / "tally.db"
    Store(db).close()
    conn = raw(db)
    conn.execute("CREATE TABLE tally (writer TEXT NOT NULL, n INTEGER NOT NULL, "
                 "PRIMARY KEY (writer, n))")
    conn.close()
    return db


@pytest.mark.slow
def test_deferred_begin_fails_under_concurrent_writers_begin_immediate_does_not(
        tmp_path: Path) -> None:
    writers, count = 4, 50

    deferred_db = tally_db(tmp_path / "deferred")
    deferred = run_writers("deferred", deferred_db, writers, count, tmp_path / "go-deferred")
    immediate_db = tally_db(tmp_path / "immediate")
    immediate = run_writers("immediate", immediate_db, writers, count, tmp_path / "go-immediate")

    failed = sum(r["locked"] for r in deferred)
    print(f"deferred BEGIN: {failed} of {writers * count} transactions failed with "
          f"'database is locked'; BEGIN IMMEDIATE: "
          f"{sum(r['locked'] for r in immediate)}")
    assert failed >= 1
    assert sum(r["done"] for r in deferred) + failed == writers * count
    assert all(r["locked"] == 0 for r in immediate)
    assert all(r["done"] == count for r in immediate)
    conn = raw(immediate_db)
    assert conn.execute("SELECT count(*) FROM tally").fetchone() == (writers * count,)
    conn.close()



def test_opening_waits_while_another_process_is_creating_the_database(tmp_path: Path) -> None:
    # Another workstation process has just created the file and holds its write lock
    # (still in rollback-journal mode). Turning the file to WAL is a lock upgrade that
    # SQLite refuses at once, busy timeout or not; the store must wait its turn.
    path = tmp_path / "new.db"
    creator = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    creator.execute("BEGIN IMMEDIATE")
    plain = sqlite3.connect(path, timeout=5)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        plain.execute("PRAGMA journal_mode = WAL")
    plain.close()

    release = threading.Timer(0.2, creator.execute, args=("COMMIT",))
    release.start()
    try:
        with Store(path, busy_timeout=5) as store:
            assert store.read("PRAGMA journal_mode") == [{"journal_mode": "wal"}]
    finally:
        release.join()
        creator.close()
