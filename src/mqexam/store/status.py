"""Many attempts at once: derived statuses for lists, and events in bulk for statistics.

Called by the assessor app's attempt list, ``mqexam results list --status`` and
``mqexam results analysis``. Owns the SQL that derives an attempt's status
without rescoring it (docs/events.md, "Derived status"): the lifecycle comes
from which events exist and in which order, the score from the ``result``
summary of the latest event that carries one. One query answers for every
attempt, reading the events' kind index rather than their payloads, so a list
of 50,000 attempts opens in well under a second.

Statuses, first match wins:

- ``voided``: a ``voided`` event exists;
- ``signed``: a ``signed`` event exists, and ``signed_before_regrade`` when a
  ``regraded`` event that changed some item's points came after the last one
  (the decision in force was made on other scores; it wants a new signature);
- ``in_progress``: not closed, or reopened (``time_extended`` with ``reopen``)
  after its last close;
- ``awaiting_review``, ``passed``, ``failed``: from the ``result`` of the latest
  ``submitted``, ``expired``, ``graded`` or ``regraded`` event;
- ``submitted`` or ``expired``: closed, but that latest event carries no
  ``result`` (logs written before results were summarised; an attempt closed
  by ``learner erase``): open the attempt to rescore it.

"Latest" is in stored order (``rowid``), which within one attempt is chain order:
events are only ever appended, and ``results verify`` names any reordering.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from mqexam.exam.events import Event
from mqexam.store.db import AttemptRow, Store, _event, _friendly
from mqexam.store.db import attempt_filters as _filters

STATUSES: tuple[str, ...] = ("in_progress", "awaiting_review", "passed", "failed", "signed",
                             "signed_before_regrade", "voided")
UNSCORED: tuple[str, ...] = ("submitted", "expired")
"""Statuses of closed attempts whose latest scoring event carries no ``result`` summary."""
RESULT_KINDS: tuple[str, ...] = ("submitted", "expired", "graded", "regraded")
"""Event kinds whose payload carries a ``result`` summary."""


class AttemptStatus(NamedTuple):
    """An attempt as listed, its derived status, and its latest ``result`` summary (or None)."""

    row: AttemptRow
    status: str
    result: dict[str, Any] | None


def _quoted(kinds: Iterable[str]) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


# Only the kind index (kind, attempt_id, rowid) is read here: no payload, no table row.
_MARKS = f"""
    SELECT attempt_id,
      max(CASE WHEN kind IN ('submitted', 'expired') THEN rowid END) AS closed,
      max(CASE WHEN kind = 'expired' THEN rowid END) AS expired,
      max(CASE WHEN kind = 'signed' THEN rowid END) AS signed,
      max(CASE WHEN kind = 'voided' THEN rowid END) AS voided,
      max(CASE WHEN kind IN ({_quoted(RESULT_KINDS)}) THEN rowid END) AS scored
    FROM events
    WHERE kind IN ('submitted', 'expired', 'signed', 'voided', 'graded', 'regraded') {{scope}}
    GROUP BY attempt_id
"""
# The few events whose meaning depends on their payload.
_SPECIAL = """
    SELECT attempt_id,
      max(CASE WHEN kind = 'time_extended' AND json_extract(payload, '$.reopen')
               THEN rowid END) AS reopened,
      max(CASE WHEN kind = 'regraded' AND json_array_length(payload, '$.changes') > 0
               THEN rowid END) AS changed
    FROM events
    WHERE kind IN ('time_extended', 'regraded') {scope}
    GROUP BY attempt_id
"""


def _lifecycle(closed: int | None, expired: int | None, signed: int | None,
               voided: int | None, reopened: int | None) -> str:
    if voided is not None:
        return "voided"
    if signed is not None:
        return "signed"
    if closed is None or (reopened is not None and reopened > closed):
        return "in_progress"
    return "expired" if expired == closed else "submitted"


def _status(lifecycle: str, signed: int | None, changed: int | None,
            result: dict[str, Any] | None) -> str:
    if lifecycle == "signed" and changed is not None and signed is not None and changed > signed:
        return "signed_before_regrade"
    if lifecycle in ("voided", "signed", "in_progress") or result is None:
        return lifecycle
    if result.get("awaiting_review"):
        return "awaiting_review"
    return "passed" if result.get("passed") else "failed"


def attempt_statuses(store: Store, learner: str | None = None, module: str | None = None,
                     context: str | None = None, lifecycle: str | None = None,
                     since: str | None = None, until: str | None = None,
                     version: str | None = None, *, status: str | None = None,
                     search: str | None = None) -> list[AttemptStatus]:
    """Attempts, newest first, with their derived status and latest result summary.

    Filters as :meth:`Store.attempts`, plus ``status`` (one of :data:`STATUSES` or
    :data:`UNSCORED`) and ``search`` (part of the attempt id, the learner id or the
    learner's name, any case). ``row.lifecycle`` counts a reopened attempt as in
    progress; ``row.events`` is the highest ``seq``, which is the number of events
    of a chain that verifies.
    """
    where, params = _filters(learner, module, context, since, until, version, search)
    scope = f"AND attempt_id IN (SELECT a.id FROM attempts a WHERE {where})" if where else ""
    sql = f"""
        WITH marks AS ({_MARKS.format(scope=scope)}), special AS ({_SPECIAL.format(scope=scope)})
        SELECT a.id, a.learner_id, a.module_id, a.module_version, a.content_hash, a.context,
               a.locale, a.kind, a.started_at,
               m.closed, m.expired, m.signed, m.voided, s.reopened, s.changed,
               (SELECT json_extract(payload, '$.result') FROM events
                 WHERE rowid = m.scored) AS result,
               (SELECT hash FROM events e WHERE e.attempt_id = a.id
                 ORDER BY seq DESC LIMIT 1) AS last_hash,
               (SELECT max(seq) FROM events e WHERE e.attempt_id = a.id) AS n_events
        FROM attempts a
          LEFT JOIN marks m ON m.attempt_id = a.id
          LEFT JOIN special s ON s.attempt_id = a.id
        {"WHERE " + where if where else ""}
        ORDER BY a.started_at DESC, a.id
    """
    try:
        rows = store.conn.execute(sql, [*params, *params, *params]).fetchall()
    except sqlite3.Error as error:
        raise _friendly(error, store.path) from None
    listed: list[AttemptStatus] = []
    for (attempt_id, learner_id, module_id, module_version, content_hash, context_code,
         locale, kind, started_at, closed, expired, signed, voided, reopened, changed,
         result_text, last_hash, n_events) in rows:
        life = _lifecycle(closed, expired, signed, voided, reopened)
        if lifecycle is not None and life != lifecycle:
            continue
        result = json.loads(result_text) if result_text else None
        derived = _status(life, signed, changed, result)
        if status is not None and derived != status:
            continue
        row = AttemptRow(id=attempt_id, learner_id=learner_id, module_id=module_id,
                         module_version=module_version, content_hash=content_hash,
                         context=context_code, locale=locale, kind=kind, started_at=started_at,
                         lifecycle=life, last_hash=last_hash or "", events=n_events or 0)
        listed.append(AttemptStatus(row, derived, result))
    return listed


def attempt_events(store: Store, attempt_ids: Sequence[str] | None = None, *,
                   module: str | None = None, content_hash: str | None = None,
                   context: str | None = None) -> dict[str, list[Event]]:
    """The events of many attempts in one read, by attempt, each in stored order.

    Either the given ``attempt_ids`` or every attempt matching the filters
    (``content_hash`` is the bank version the attempt was started with).
    """
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("a.module_id", module), ("a.content_hash", content_hash),
                          ("a.context", context)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if attempt_ids is not None:
        clauses.append("a.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(attempt_ids)))
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    # Attempts first, then each one's events by primary key (not every event by kind).
    rows = store.read(f"SELECT e.* FROM attempts a CROSS JOIN events e "
                      f"ON e.attempt_id = a.id {where} ORDER BY e.attempt_id, e.rowid", params)
    by_attempt: dict[str, list[Event]] = {}
    for row in rows:
        by_attempt.setdefault(row["attempt_id"], []).append(_event(row))
    return by_attempt


ANALYSIS_KINDS: tuple[str, ...] = (
    "started", "shown", "answered", "flagged", "submitted", "expired", "time_extended",
    "graded", "signed", "voided")
"""The event kinds item statistics read (see :func:`analysis_rows`)."""


def analysis_rows(store: Store, module: str, content_hash: str,
                  context: str | None = None) -> list[tuple[Any, ...]]:
    """The events item statistics read, of every attempt started with one module
    version, as plain tuples ``(attempt_id, seq, kind, seconds, payload)``.

    ``seconds`` is the event's time in seconds since 1970 (millisecond precision);
    ``payload`` the stored JSON text, left out (``None``) for closing events, whose
    payload the statistics do not need. Rows come attempt by attempt, each
    attempt's in ``seq`` order: the attempts are the outer loop, the events' primary
    key the inner one, because sorting 400,000 rows costs more than reading them.
    Callers should still check (:func:`mqexam.exam.analysis.samples_from_rows` does).
    """
    params: list[Any] = [module, content_hash]
    where = "a.module_id = ? AND a.content_hash = ?"
    if context is not None:
        where += " AND a.context = ?"
        params.append(context)
    sql = f"""
        SELECT e.attempt_id, e.seq, e.kind, (julianday(e.at) - 2440587.5) * 86400.0,
          CASE WHEN e.kind IN ('submitted', 'expired', 'signed', 'voided') THEN NULL
               ELSE e.payload END
        FROM attempts a CROSS JOIN events e ON e.attempt_id = a.id
        WHERE {where} AND +e.kind IN ({_quoted(ANALYSIS_KINDS)})
    """
    try:
        return store.conn.execute(sql, params).fetchall()
    except sqlite3.Error as error:
        raise _friendly(error, store.path) from None
