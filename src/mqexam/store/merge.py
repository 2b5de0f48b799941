"""Bringing attempts from other workstations' databases into this one.

Called by ``mqexam results merge``. Owns the rules that make a merge safe to
repeat: every incoming chain is verified first; an attempt already here with the
same events is skipped; one that continued elsewhere (ours is a prefix of
theirs) gets the missing events; anything else with the same id is refused and
named. Learner records are added when missing and never overwrite or
resurrect erased personal data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from mqexam.errors import MqexamError
from mqexam.exam.events import verify_chain
from mqexam.i18n import _
from mqexam.store.db import Store, _event, _friendly


@dataclass
class MergeReport:
    source: Path
    added: list[str] = field(default_factory=list)
    extended: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def merge(target: Store, source_path: Path) -> MergeReport:
    """Merge every attempt of ``source_path`` into ``target``."""
    if not source_path.is_file():
        raise MqexamError(_("no such database: {path}").format(path=source_path))
    if source_path.resolve() == target.path.resolve():
        raise MqexamError(_("{path} is the database being merged into").format(path=source_path))
    report = MergeReport(source_path)
    try:
        other = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        other.row_factory = sqlite3.Row
        tables = {r[0] for r in other.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as error:
        raise _friendly(error, source_path) from None
    if not {"attempts", "events", "learners"} <= tables:
        other.close()
        raise MqexamError(_("{path} is not an mqexam results database").format(path=source_path))
    try:
        learners = [dict(r) for r in other.execute("SELECT * FROM learners")]
        attempts = [dict(r) for r in other.execute("SELECT * FROM attempts ORDER BY started_at")]
        by_attempt: dict[str, list[dict[str, object]]] = {}
        for row in other.execute("SELECT * FROM events ORDER BY rowid"):
            by_attempt.setdefault(row["attempt_id"], []).append(dict(row))
    except sqlite3.Error as error:
        raise _friendly(error, source_path) from None
    finally:
        other.close()

    with target.transaction() as conn:
        for learner in learners:
            conn.execute(
                "INSERT OR IGNORE INTO learners (id, name, birth_date, created_at, erased_at) "
                "VALUES (:id, :name, :birth_date, :created_at, :erased_at)", learner)
            if learner["erased_at"]:
                conn.execute("UPDATE learners SET name = NULL, birth_date = NULL, "
                             "erased_at = coalesce(erased_at, ?) WHERE id = ?",
                             (learner["erased_at"], learner["id"]))
        for attempt in attempts:
            attempt_id = attempt["id"]
            theirs = [_event(r) for r in by_attempt.get(attempt_id, [])]
            broken = verify_chain(attempt_id, theirs)
            if broken:
                report.refused.append((attempt_id, _("broken chain: {problems}").format(
                    problems="; ".join(p.render() for p in broken))))
                continue
            ours_rows = conn.execute(
                "SELECT hash FROM events WHERE attempt_id = ? ORDER BY seq",
                (attempt_id,)).fetchall()
            ours = [r[0] for r in ours_rows]
            their_hashes = [e.hash for e in theirs]
            if not ours:
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
                continue
            else:
                report.refused.append((attempt_id, _(
                    "an attempt with this id but different events is already here")))
                continue
            for event in new:
                Store._insert(conn, event)
    return report
