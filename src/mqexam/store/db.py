"""Opening the results database and writing to it safely.

Called by everything that records or reads attempts. Owns the connection
settings every connection gets (WAL, ``synchronous=FULL``, foreign keys, a busy
timeout), the ``BEGIN IMMEDIATE ... COMMIT`` transaction every write goes
through (a deferred ``BEGIN``, which ``db.atomic()`` issues, fails at once with
'database is locked' when two writers upgrade to a write lock together), schema
migrations, and turning SQLite failures into one clear message.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from mqexam.errors import ChangedElsewhere, MqexamError
from mqexam.exam.attempt import fold, format_time, parse_time
from mqexam.exam.events import GENESIS, ChainProblem, Event, chain, verify_chain
from mqexam.i18n import _

BUSY_TIMEOUT_SECONDS = 15.0
MIGRATIONS = ("m001_create_results", "m002_create_assessors", "m003_bank_versions")
"""Names of every migration in :mod:`mqexam.store.schema`, in order (a test keeps them equal)."""
LIFECYCLE = ("submitted", "expired", "signed", "voided")
_LIFECYCLE_OF = {None: "in_progress", "time_extended": "in_progress"}
"""An attempt with no closing event, or reopened by an extension (``reopen``), is open."""
_LAST_EVENT = "SELECT seq, hash FROM events WHERE attempt_id = ? ORDER BY seq DESC LIMIT 1"


def _friendly(error: sqlite3.Error, path: Path) -> MqexamError:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return MqexamError(_("the results database {path} is locked by another program; "
                             "try again in a moment").format(path=path))
    if "full" in text:
        return MqexamError(_("the disk holding {path} is full; nothing was written, "
                             "free some space and try again").format(path=path))
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return MqexamError(_("{path} is not an mqexam results database, or it is "
                             "damaged").format(path=path))
    if "readonly" in text or "read-only" in text:
        return MqexamError(_("cannot write the results database {path}: {reason}").format(
            path=path, reason=error))
    return MqexamError(_("results database {path}: {reason}").format(path=path, reason=error))


@dataclass(frozen=True)
class AttemptRow:
    """An attempt as listed: its start record, where its lifecycle stands, its last hash."""

    id: str
    learner_id: str
    module_id: str
    module_version: str
    content_hash: str
    context: str
    locale: str
    kind: str
    started_at: str
    lifecycle: str  # in_progress, submitted, expired, signed, voided
    last_hash: str
    events: int

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Store:
    """One connection to a results database."""

    def __init__(self, path: Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise MqexamError(_("cannot create the folder for {path}: {reason}").format(
                path=path, reason=error.strerror)) from None
        try:
            conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
        except sqlite3.Error as error:
            raise _friendly(error, path) from None
        self.conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            # Turning a new file to WAL upgrades a read lock to a write lock, which SQLite
            # refuses at once instead of waiting (two upgraders would deadlock): when several
            # processes create one database together, all but one are told 'locked'.
            self._retry_busy("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.Error as error:
            conn.close()
            raise _friendly(error, path) from None
        except BaseException:
            conn.close()
            raise

    # -- plumbing ------------------------------------------------------------

    def _applied(self) -> set[str]:
        exists = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                   "AND name = '_sqlite_migrations'").fetchone()
        if not exists:
            return set()
        rows = self.conn.execute("SELECT name FROM _sqlite_migrations "
                                 "WHERE migration_set = 'mqexam'").fetchall()
        return {row[0] for row in rows}

    def _migrate(self) -> None:
        """Refuse a newer schema; apply pending migrations (sqlite-utils is loaded only then)."""
        applied = self._applied()
        unknown = applied - set(MIGRATIONS)
        if unknown:
            raise MqexamError(_("{path} was written by a newer mqexam (schema {names}); "
                                "upgrade mqexam to open it").format(
                                    path=self.path, names=", ".join(sorted(unknown))))
        if len(applied) == len(MIGRATIONS):
            return
        from sqlite_utils import Database

        from mqexam.store import schema

        with self.transaction():
            schema.migrations.apply(Database(self.conn))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``: returns only after the commit is durable."""
        self._retry_busy("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            self._rollback()
            raise _friendly(error, self.path) from None

    def _retry_busy(self, sql: str) -> None:
        """Run ``sql``, retrying for up to the busy timeout while the database is locked."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                self.conn.execute(sql)
                return
            except sqlite3.OperationalError as error:
                busy = "locked" in str(error) or "busy" in str(error)
                if not busy or time.monotonic() > deadline:
                    raise _friendly(error, self.path) from None
                time.sleep(0.01)
            except sqlite3.Error as error:
                raise _friendly(error, self.path) from None

    def _rollback(self) -> None:
        # A failed ROLLBACK must not hide the error that made us roll back.
        with suppress(sqlite3.Error):
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction: every read inside sees the same committed state (WAL)."""
        try:
            self.conn.execute("BEGIN")
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None
        try:
            yield
        finally:
            self._rollback()

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            cursor = self.conn.execute(sql, tuple(params))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- learners --------------------------------------------------------------

    def ensure_learner(self, learner_id: str, at: str, name: str | None = None,
                       birth_date: str | None = None) -> None:
        """Create the learner record if missing; fill in, never erase, what it lacks."""
        try:
            with self.transaction() as conn:
                row = conn.execute("SELECT name, birth_date, erased_at FROM learners WHERE id = ?",
                                   (learner_id,)).fetchone()
                if row is None:
                    conn.execute("INSERT INTO learners (id, name, birth_date, created_at) "
                                 "VALUES (?, ?, ?, ?)", (learner_id, name, birth_date, at))
                elif row[2] is None and ((name and not row[0]) or (birth_date and not row[1])):
                    conn.execute("UPDATE learners SET name = coalesce(name, ?), "
                                 "birth_date = coalesce(birth_date, ?) WHERE id = ?",
                                 (name, birth_date, learner_id))
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None

    def learner(self, learner_id: str) -> dict[str, Any] | None:
        rows = self.read("SELECT * FROM learners WHERE id = ?", (learner_id,))
        return dict(rows[0]) if rows else None

    def erase_learner(self, learner_id: str, at: str) -> int:
        """Remove a person's data; their attempts stay, pseudonymous. Returns attempts kept.

        Refused while the learner has an attempt in progress. An attempt left open
        past its deadline (the learner never came back) is closed as expired first,
        exactly as reopening it would, so it cannot block an erasure for ever.
        """
        now = parse_time(at)
        try:
            with self.transaction() as conn:
                if self.learner(learner_id) is None:
                    raise MqexamError(_("no learner '{id}'").format(id=learner_id))
                kept = self.attempts(learner=learner_id)
                for row in kept:
                    if row.lifecycle != "in_progress":
                        continue
                    state = fold(self.events(row.id))
                    if state.is_due(now):
                        self._append_in(conn, row.id, "expired",
                                        {"deadline": format_time(state.deadline)}, at)
                    elif state.open:
                        raise MqexamError(_(
                            "learner '{id}' has an attempt in progress ({attempt}); erase "
                            "after it is submitted or has expired").format(
                                id=learner_id, attempt=row.id))
                conn.execute("UPDATE learners SET name = NULL, birth_date = NULL, "
                             "erased_at = coalesce(erased_at, ?) WHERE id = ?", (at, learner_id))
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None
        return len(kept)

    # -- attempts --------------------------------------------------------------

    def start_attempt(self, attempt_id: str, learner_id: str, payload: dict[str, Any], at: str,
                      resume_secret: str | None = None) -> Event:
        """Record an attempt's ``started`` event (payload: module, version, content_hash,
        context, locale, kind, seed, deadline, form).

        The ``attempts`` row is a copy of the payload for queries, outside the chain;
        ``verify`` checks the two agree, so they are written from the same values.
        """
        if payload.get("learner") != learner_id:
            raise MqexamError(_("cannot start attempt {id}: {reason}").format(
                id=attempt_id, reason=f"learner {learner_id!r} != {payload.get('learner')!r}"))
        event = chain(attempt_id, 1, "started", at, payload, GENESIS)
        try:
            with self.transaction() as conn:
                if conn.execute("SELECT 1 FROM attempts WHERE id = ?", (attempt_id,)).fetchone():
                    raise MqexamError(_("attempt {id} already exists").format(id=attempt_id))
                conn.execute(
                    "INSERT INTO attempts (id, learner_id, module_id, module_version, "
                    "content_hash, context, locale, kind, started_at, resume_secret) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (attempt_id, learner_id, payload["module"], payload["version"],
                     payload["content_hash"], payload["context"], payload["locale"],
                     payload.get("kind", "full"), at, resume_secret))
                self._insert(conn, event)
        except sqlite3.IntegrityError as error:
            raise MqexamError(_("cannot start attempt {id}: {reason}").format(
                id=attempt_id, reason=error)) from None
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None
        return event

    @staticmethod
    def _insert(conn: sqlite3.Connection, event: Event) -> None:
        conn.execute(
            "INSERT INTO events (attempt_id, seq, kind, at, payload, prev, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event.attempt_id, event.seq, event.kind, event.at,
             json.dumps(event.payload, ensure_ascii=False, sort_keys=True), event.prev,
             event.hash))

    def append(self, attempt_id: str, kind: str, payload: dict[str, Any], at: str,
               expect_prev: str | None = None) -> Event:
        """Append one event to an attempt's chain; returns once it is committed.

        ``expect_prev`` is the hash the caller believes is last: if another writer
        appended in between, nothing is written and the caller is told to reload.
        """
        try:
            with self.transaction() as conn:
                return self._append_in(conn, attempt_id, kind, payload, at, expect_prev)
        except sqlite3.Error as error:
            raise _friendly(error, self.path) from None

    def _append_in(self, conn: sqlite3.Connection, attempt_id: str, kind: str,
                   payload: dict[str, Any], at: str, expect_prev: str | None = None) -> Event:
        """Append inside the caller's write transaction (the last event is read under its lock)."""
        last = conn.execute(_LAST_EVENT, (attempt_id,)).fetchone()
        if last is None:
            raise MqexamError(_("no attempt '{id}'").format(id=attempt_id))
        if expect_prev is not None and last[1] != expect_prev:
            raise ChangedElsewhere(_("attempt {id} was changed elsewhere; reopen it").format(
                id=attempt_id))
        event = chain(attempt_id, last[0] + 1, kind, at, payload, last[1])
        self._insert(conn, event)
        return event

    def events(self, attempt_id: str) -> list[Event]:
        """The attempt's events in stored order (insertion order, so reordering shows)."""
        rows = self.read("SELECT * FROM events WHERE attempt_id = ? ORDER BY rowid",
                         (attempt_id,))
        return [_event(row) for row in rows]

    def attempt(self, attempt_id: str) -> AttemptRow | None:
        rows = self._attempt_rows("WHERE a.id = ?", [attempt_id])
        return rows[0] if rows else None

    def resume_secret(self, attempt_id: str) -> str | None:
        rows = self.read("SELECT resume_secret FROM attempts WHERE id = ?", (attempt_id,))
        return rows[0]["resume_secret"] if rows else None

    def attempts(self, learner: str | None = None, module: str | None = None,
                 context: str | None = None, lifecycle: str | None = None,
                 since: str | None = None, until: str | None = None,
                 version: str | None = None) -> list[AttemptRow]:
        """Attempts, newest first, filtered by any of the given fields."""
        conditions, params = attempt_filters(learner, module, context, since, until, version)
        where = f"WHERE {conditions}" if conditions else ""
        rows = self._attempt_rows(where, params)
        return [r for r in rows if lifecycle is None or r.lifecycle == lifecycle]

    def _attempt_rows(self, where: str, params: Sequence[Any]) -> list[AttemptRow]:
        marks = ", ".join("?" for _ in LIFECYCLE)
        sql = f"""
            SELECT a.*,
              (SELECT kind FROM events e WHERE e.attempt_id = a.id AND (e.kind IN ({marks})
                   OR e.kind = 'time_extended' AND json_extract(e.payload, '$.reopen'))
                 ORDER BY seq DESC LIMIT 1) AS lifecycle,
              (SELECT hash FROM events e WHERE e.attempt_id = a.id
                 ORDER BY seq DESC LIMIT 1) AS last_hash,
              (SELECT count(*) FROM events e WHERE e.attempt_id = a.id) AS n_events
            FROM attempts a {where}
            ORDER BY a.started_at DESC, a.id
        """
        rows = self.read(sql, [*LIFECYCLE, *params])
        return [
            AttemptRow(
                id=r["id"], learner_id=r["learner_id"], module_id=r["module_id"],
                module_version=r["module_version"], content_hash=r["content_hash"],
                context=r["context"], locale=r["locale"], kind=r["kind"],
                started_at=r["started_at"],
                lifecycle=_LIFECYCLE_OF.get(r["lifecycle"], r["lifecycle"]),
                last_hash=r["last_hash"] or "", events=r["n_events"])
            for r in rows
        ]

    # -- integrity -------------------------------------------------------------

    def verify(self) -> list[ChainProblem]:
        """Recompute every attempt's chain; each altered, missing or reordered event.

        Reads one snapshot, so an attempt started by another writer meanwhile is
        either seen whole or not at all; events are read one attempt at a time.
        """
        problems: list[ChainProblem] = []
        with self.snapshot():
            records = {r["id"]: r for r in self.read("SELECT * FROM attempts")}
            try:
                rows = self.conn.execute("SELECT * FROM events ORDER BY attempt_id, rowid")
                names = [d[0] for d in rows.description]
                for attempt_id, group in groupby(rows, key=itemgetter(0)):
                    events = [_event(dict(zip(names, row, strict=True))) for row in group]
                    record = records.pop(attempt_id, None)
                    if record is None:
                        problems.append(ChainProblem(attempt_id, None, "no attempt record"))
                    else:
                        problems += record_problems(record, events)
                    problems += verify_chain(attempt_id, events)
            except sqlite3.Error as error:
                raise _friendly(error, self.path) from None
        for attempt_id in records:
            problems += verify_chain(attempt_id, [])
        return sorted(problems, key=lambda p: (p.attempt_id, p.seq or 0))


RECORD_FIELDS = (
    ("learner_id", "learner"), ("module_id", "module"), ("module_version", "version"),
    ("content_hash", "content_hash"), ("context", "context"), ("locale", "locale"),
)


def record_problems(record: dict[str, Any], events: Sequence[Event]) -> list[ChainProblem]:
    """The attempt row must say what its chained ``started`` event says (it is a copy for
    queries, outside the chain, so it is checked against the chain)."""
    first = next((e for e in events if e.seq == 1 and e.kind == "started"), None)
    if first is None:
        return []
    payload = first.payload
    differ = [column for column, key in RECORD_FIELDS if record[column] != payload.get(key)]
    if record["kind"] != payload.get("kind", "full"):
        differ.append("kind")
    if record["started_at"] != first.at:
        differ.append("started_at")
    if not differ:
        return []
    return [ChainProblem(record["id"], 1, "attempt record altered: " + ", ".join(differ))]


def _event(row: dict[str, Any]) -> Event:
    try:
        payload = json.loads(row["payload"])
    except (TypeError, ValueError):
        payload = {"unreadable": str(row["payload"])}
    return Event(attempt_id=row["attempt_id"], seq=row["seq"], kind=row["kind"], at=row["at"],
                 payload=payload, prev=row["prev"], hash=row["hash"])


def attempt_filters(learner: str | None, module: str | None, context: str | None,
                    since: str | None, until: str | None, version: str | None,
                    search: str | None = None) -> tuple[str, list[Any]]:
    """SQL conditions on the ``attempts`` table (alias ``a``) and their parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("a.learner_id", learner), ("a.module_id", module),
                          ("a.context", context), ("a.module_version", version)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if since:
        clauses.append("a.started_at >= ?")
        params.append(since)
    if until:
        clauses.append("a.started_at < ?")
        params.append(until)
    if search and search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        clauses.append("(a.id LIKE ? ESCAPE '\\' OR a.learner_id LIKE ? ESCAPE '\\' "
                       "OR a.learner_id IN (SELECT id FROM learners "
                       "WHERE name LIKE ? ESCAPE '\\'))")
        params += [pattern, pattern, pattern]
    return " AND ".join(clauses), params



def open_store(path: Path) -> Store:
    """Open (creating when missing) the results database at ``path``."""
    return Store(path)
