"""One of several processes writing to one results database at the same moment.

Usage: concurrent_writer.py MODE DB WRITER COUNT GO_FILE

Prints ``ready``, waits until GO_FILE exists (so every writer starts together),
then writes COUNT times and prints one JSON line with what it did.

Modes:
  answers    Store.start_attempt, then COUNT answers through Store.append;
             reports the hash of every acknowledged event. A MqexamError (such
             as 'database is locked') ends the process with exit 1.
  deferred   a plain sqlite3 connection with the store's settings, ``BEGIN``
             (deferred, what ``db.atomic()`` issues), read, then write;
             counts the transactions that failed with 'database is locked'.
  immediate  the same read-then-write through ``Store.transaction()``
             (``BEGIN IMMEDIATE``); counts the same failures.
"""

import json
import sqlite3
import sys
import time
from pathlib import Path

from storekit import AT, start_payload

from mqexam.errors import MqexamError
from mqexam.store.db import Store

BUSY_TIMEOUT = 5.0
WORK = 0.001
"""Seconds between the read and the write of a transaction (the program thinking)."""

mode, db, writer, count, go = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), \
    Path(sys.argv[5])


def wait_for_go() -> None:
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)


def read_then_write(conn: sqlite3.Connection) -> None:
    (last,) = conn.execute("SELECT coalesce(max(n), 0) FROM tally WHERE writer = ?",
                           (writer,)).fetchone()
    time.sleep(WORK)
    conn.execute("INSERT INTO tally (writer, n) VALUES (?, ?)", (writer, last + 1))


def answers() -> dict[str, object]:
    wait_for_go()  # then all open (create, migrate) the database at the same moment
    store = Store(db, busy_timeout=BUSY_TIMEOUT)
    store.ensure_learner(writer, AT)
    hashes = [store.start_attempt(writer, writer, start_payload(writer), AT).hash]
    for n in range(count):
        event = store.append(writer, "answered", {"item": f"q{n}", "answer": n}, AT)
        hashes.append(event.hash)
    return {"writer": writer, "answered": count, "hashes": hashes}


def deferred() -> dict[str, object]:
    conn = sqlite3.connect(db, timeout=BUSY_TIMEOUT, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    wait_for_go()
    done = locked = 0
    for _ in range(count):
        try:
            conn.execute("BEGIN")
            read_then_write(conn)
            conn.execute("COMMIT")
            done += 1
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            locked += 1
            if conn.in_transaction:
                conn.execute("ROLLBACK")
    return {"writer": writer, "done": done, "locked": locked}


def immediate() -> dict[str, object]:
    store = Store(db, busy_timeout=BUSY_TIMEOUT)
    wait_for_go()
    done = locked = 0
    for _ in range(count):
        try:
            with store.transaction() as conn:
                read_then_write(conn)
            done += 1
        except MqexamError as error:
            if "locked" not in error.message:
                raise
            locked += 1
    return {"writer": writer, "done": done, "locked": locked}


try:
    report = {"answers": answers, "deferred": deferred, "immediate": immediate}[mode]()
except MqexamError as error:
    print(f"error: {error.message}", file=sys.stderr, flush=True)
    sys.exit(1)
print(json.dumps(report), flush=True)
