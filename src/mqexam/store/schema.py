"""The results schema and its migrations (sqlite-utils ``Migrations``).

Called by :mod:`mqexam.store.db` when a database is opened. Owns the tables,
the triggers that make events append-only, and the rule that an applied
migration is never edited: a change to the schema is a new function here.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("mqexam")


@migrations()
def m001_create_results(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE learners (
            id TEXT PRIMARY KEY,
            name TEXT,
            birth_date TEXT,
            created_at TEXT NOT NULL,
            erased_at TEXT
        );
        CREATE TABLE attempts (
            id TEXT PRIMARY KEY,
            learner_id TEXT NOT NULL REFERENCES learners(id),
            module_id TEXT NOT NULL,
            module_version TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            context TEXT NOT NULL,
            locale TEXT NOT NULL,
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            resume_secret TEXT
        );
        CREATE INDEX attempts_learner ON attempts(learner_id);
        CREATE INDEX attempts_module ON attempts(module_id, module_version, context);
        CREATE TABLE events (
            attempt_id TEXT NOT NULL REFERENCES attempts(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            at TEXT NOT NULL,
            payload TEXT NOT NULL,
            prev TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (attempt_id, seq)
        );
        CREATE INDEX events_kind ON events(kind, attempt_id);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER attempts_no_update BEFORE UPDATE ON attempts
        BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
        CREATE TRIGGER attempts_no_delete BEFORE DELETE ON attempts
        BEGIN SELECT RAISE(ABORT, 'attempts are append-only'); END;
        """
    )


@migrations()
def m002_create_assessors(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE assessors (
            name TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            created_at TEXT NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT
        );
        CREATE TABLE prior_learning (
            id TEXT PRIMARY KEY,
            learner_id TEXT NOT NULL REFERENCES learners(id),
            module_id TEXT NOT NULL,
            outcome_id TEXT NOT NULL,
            context TEXT,
            document_type TEXT NOT NULL,
            issuer TEXT NOT NULL,
            document_date TEXT NOT NULL,
            reason TEXT NOT NULL,
            assessor TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX prior_learning_learner ON prior_learning(learner_id, module_id);
        CREATE TRIGGER prior_learning_no_update BEFORE UPDATE ON prior_learning
        BEGIN SELECT RAISE(ABORT, 'prior learning records are append-only'); END;
        """
    )


@migrations()
def m003_bank_versions(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE bank_versions (
            content_hash TEXT PRIMARY KEY,
            module_id TEXT NOT NULL,
            version TEXT NOT NULL,
            files TEXT NOT NULL,
            stored_at TEXT NOT NULL
        );
        CREATE TRIGGER bank_versions_no_update BEFORE UPDATE ON bank_versions
        BEGIN SELECT RAISE(ABORT, 'bank versions are append-only'); END;
        CREATE TRIGGER bank_versions_no_delete BEFORE DELETE ON bank_versions
        BEGIN SELECT RAISE(ABORT, 'bank versions are append-only'); END;
        """
    )


SCHEMA_VERSION = len(migrations._migrations)
KNOWN = {m.name for m in migrations._migrations}
