"""Prior learning (RKV) records: outcomes a learner demonstrated by other means.

Called by the assessor side (recording) and by bonus planning and evidence
(reading). Owns the append-only ``prior_learning`` table; a record is never
changed, and a correction is a new record.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from mqexam.errors import MqexamError
from mqexam.i18n import _
from mqexam.store.db import Store, _friendly

FIELDS = ("learner_id", "module_id", "outcome_id", "context", "document_type", "issuer",
          "document_date", "reason", "assessor", "recorded_at")


def record_prior(store: Store, **record: Any) -> str:
    """Add a prior-learning record; returns its id (``P-`` and 10 hex digits)."""
    missing = [f for f in FIELDS if f != "context" and not str(record.get(f) or "").strip()]
    if missing:
        raise MqexamError(_("a prior-learning record needs: {fields}").format(
            fields=", ".join(missing)))
    record_id = "P-" + secrets.token_hex(5)
    try:
        with store.transaction() as conn:
            if conn.execute("SELECT 1 FROM learners WHERE id = ?",
                            (record["learner_id"],)).fetchone() is None:
                conn.execute("INSERT INTO learners (id, created_at) VALUES (?, ?)",
                             (record["learner_id"], record["recorded_at"]))
            conn.execute(
                f"INSERT INTO prior_learning (id, {', '.join(FIELDS)}) "
                f"VALUES (?, {', '.join('?' for _ in FIELDS)})",
                (record_id, *(record.get(f) for f in FIELDS)))
    except sqlite3.Error as error:
        raise _friendly(error, store.path) from None
    return record_id


def prior_records(store: Store, learner_id: str, module_id: str | None = None
                  ) -> list[dict[str, Any]]:
    """A learner's prior-learning records, oldest first."""
    sql = "SELECT * FROM prior_learning WHERE learner_id = ?"
    params: list[Any] = [learner_id]
    if module_id is not None:
        sql += " AND module_id = ?"
        params.append(module_id)
    return store.read(sql + " ORDER BY recorded_at, id", params)
