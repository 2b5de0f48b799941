"""Bringing attempts from other workstations' databases into this one.

Called by ``mqexam results merge``. Owns the rules that make a merge safe to
repeat: every incoming chain is verified first; an attempt already here with the
same events is skipped; one that continued elsewhere (ours is a prefix of
theirs) gets the missing events; anything else with the same id is refused and
named. Learner records are added when missing and never overwrite or
resurrect erased personal data.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mqexam.errors import MqexamError
from mqexam.exam.events import verify_chain
from mqexam.i18n import _
from mqexam.store.db import Store, _event, _friendly, record_problems


@dataclass
class MergeReport:
    source: Path
    added: list[str] = field(default_factory=list)
    extended: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def merge(target: Store, source_path: Path) -> MergeReport:
    """Merge every attempt of ``source_path`` into ``target`` (all of it, or nothing on error)."""
    if not source_path.is_file():
        raise MqexamError(_("no such database: {path}").format(path=source_path))
    if source_path.resolve() == target.path.resolve():
        raise MqexamError(_("{path} is the database being merged into").format(path=source_path))
    learners, attempts, by_attempt, versions = _read_source(source_path)
    report = MergeReport(source_path)
    try:
        with target.transaction() as conn:
            for version in versions:  # kept only when the files hash to the version's hash
                if not _genuine(version):
                    continue
                conn.execute(
                    "INSERT OR IGNORE INTO bank_versions (content_hash, module_id, version, files,"
                    " stored_at) VALUES (:content_hash, :module_id, :version, :files, :stored_at)",
                    version)
            for learner in learners:
                _merge_learner(conn, learner)
            for attempt in attempts:
                _merge_attempt(conn, attempt, by_attempt.get(attempt["id"], []), report)
    except sqlite3.Error as error:
        raise _friendly(error, target.path) from None
    return report


Row = dict[str, Any]


def _genuine(version: Row) -> bool:
    """A bank version whose files are module files and hash to its content hash."""
    from mqexam.bank.loader import hash_of_files

    try:
        encoded = json.loads(version["files"])
        files = {path: base64.b64decode(text, validate=True) for path, text in encoded.items()}
    except (TypeError, ValueError, AttributeError, binascii.Error):
        return False
    return hash_of_files(files) == version.get("content_hash")


def _read_source(path: Path) -> tuple[list[Row], list[Row], dict[str, list[Row]], list[Row]]:
    """Learners, attempts, events (by attempt, in stored order) and bank versions of another
    database."""
    try:
        other = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise _friendly(error, path) from None
    try:
        other.row_factory = sqlite3.Row
        tables = {r[0] for r in other.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"attempts", "events", "learners"} <= tables:
            raise MqexamError(_("{path} is not an mqexam results database").format(path=path))
        other.execute("BEGIN")  # one snapshot, even if that workstation is still writing
        learners = [dict(r) for r in other.execute("SELECT * FROM learners")]
        attempts = [dict(r) for r in other.execute("SELECT * FROM attempts ORDER BY started_at")]
        by_attempt: dict[str, list[Row]] = {}
        for row in other.execute("SELECT * FROM events ORDER BY attempt_id, rowid"):
            by_attempt.setdefault(row["attempt_id"], []).append(dict(row))
        versions = ([dict(r) for r in other.execute("SELECT * FROM bank_versions")]
                    if "bank_versions" in tables else [])
    except sqlite3.Error as error:
        raise _friendly(error, path) from None
    finally:
        other.close()
    return learners, attempts, by_attempt, versions


def _merge_learner(conn: sqlite3.Connection, learner: Row) -> None:
    """Add a missing learner; fill in, never overwrite, and never bring back erased data."""
    conn.execute(
        "INSERT OR IGNORE INTO learners (id, name, birth_date, created_at, erased_at) "
        "VALUES (:id, :name, :birth_date, :created_at, :erased_at)", learner)
    if learner["erased_at"]:
        conn.execute("UPDATE learners SET name = NULL, birth_date = NULL, "
                     "erased_at = coalesce(erased_at, ?) WHERE id = ?",
                     (learner["erased_at"], learner["id"]))
    elif learner["name"] or learner["birth_date"]:
        conn.execute("UPDATE learners SET name = coalesce(name, ?), "
                     "birth_date = coalesce(birth_date, ?) WHERE id = ? AND erased_at IS NULL "
                     "AND (name IS NULL OR birth_date IS NULL)",
                     (learner["name"], learner["birth_date"], learner["id"]))


def _merge_attempt(conn: sqlite3.Connection, attempt: Row, rows: list[Row],
                   report: MergeReport) -> None:
    attempt_id = attempt["id"]
    theirs = [_event(r) for r in rows]
    broken = verify_chain(attempt_id, theirs) + record_problems(attempt, theirs)
    if broken:
        report.refused.append((attempt_id, _("broken chain: {problems}").format(
            problems="; ".join(p.render() for p in broken))))
        return
    ours = [r[0] for r in conn.execute(
        "SELECT hash FROM events WHERE attempt_id = ? ORDER BY seq", (attempt_id,))]
    their_hashes = [e.hash for e in theirs]
    if not ours:
        # The learner row holds personal data only; a pseudonymous one keeps the key valid.
        conn.execute("INSERT OR IGNORE INTO learners (id, created_at) VALUES (?, ?)",
                     (attempt["learner_id"], attempt["started_at"]))
        conn.execute(
            "INSERT INTO attempts (id, learner_id, module_id, module_version, content_hash,"
            " context, locale, kind, started_at, resume_secret) VALUES (:id, :learner_id,"
            " :module_id, :module_version, :content_hash, :context, :locale, :kind,"
            " :started_at, :resume_secret)", attempt)
        new = theirs
        report.added.append(attempt_id)
    elif their_hashes[: len(ours)] == ours:
        new = theirs[len(ours):]
        (report.extended if new else report.unchanged).append(attempt_id)
    elif ours[: len(their_hashes)] == their_hashes:
        report.unchanged.append(attempt_id)
        return
    else:
        report.refused.append((attempt_id, _(
            "an attempt with this id but different events is already here")))
        return
    for event in new:
        Store._insert(conn, event)
