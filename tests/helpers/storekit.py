"""Small builders for store tests and the writer scripts beside this file.

Imported by tests as ``helpers.storekit`` and by the scripts here (run with
``sys.executable``) as ``storekit``. Only the store's own API writes: these build
payloads and read rows back for comparison.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from mqexam.exam.events import Event
from mqexam.store.db import Store

AT = "2026-12-01T09:00:00.000000+00:00"
DEADLINE = "2026-12-01T09:30:00.000000+00:00"


def start_payload(learner: str = "L1", *, module: str = "mini", version: str = "1.2.0",
                  context: str = "DK", locale: str = "en",
                  deadline: str = DEADLINE) -> dict[str, Any]:
    """The minimal ``started`` payload the store needs (no form: the raw store does not care)."""
    return {
        "learner": learner,
        "module": module,
        "version": version,
        "content_hash": "sha256:" + "ab" * 32,
        "context": context,
        "locale": locale,
        "deadline": deadline,
    }


def new_attempt(store: Store, attempt_id: str, learner: str = "L1", *, answers: int = 0,
                at: str = AT, **payload: Any) -> list[Event]:
    """Create the learner if needed, start ``attempt_id`` and record ``answers`` answers."""
    store.ensure_learner(learner, at)
    events = [store.start_attempt(attempt_id, learner, start_payload(learner, **payload), at)]
    for n in range(answers):
        events.append(store.append(attempt_id, "answered",
                                   {"item": f"q{n % 5}", "answer": f"a{n}"}, at))
    return events


def stored(path: Path) -> dict[tuple[str, int], str]:
    """Every stored event as ``(attempt, seq) -> hash``, read with a plain connection.

    A writer killed while it was creating the database leaves a file whose first
    migration was rolled back: no tables yet, so no events.
    """
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone():
            return {}
        return {(a, s): h for a, s, h in conn.execute("SELECT attempt_id, seq, hash FROM events")}
    finally:
        conn.close()


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection that goes behind the program's back (autocommit)."""
    return sqlite3.connect(path, isolation_level=None)
