"""Every bank version an attempt was made with, kept in the results database.

Called by :mod:`mqexam.bank_archive`. Owns the append-only ``bank_versions``
table: a module version's files (exact bytes, base64 in JSON) under its content
hash, so an attempt can be resumed, reviewed, regraded and exported after the
bank folder moved on to a newer version.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from mqexam.store.db import Store, _friendly


def remember(store: Store, content_hash: str, module_id: str, version: str,
             files: Mapping[str, str], at: str) -> None:
    """Keep a module version's files (``relative path -> base64``); a no-op when known."""
    try:
        with store.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO bank_versions (content_hash, module_id, version, files, "
                "stored_at) VALUES (?, ?, ?, ?, ?)",
                (content_hash, module_id, version, json.dumps(dict(files), sort_keys=True), at))
    except sqlite3.Error as error:
        raise _friendly(error, store.path) from None


def known_hashes(store: Store) -> set[str]:
    return {row["content_hash"] for row in store.read("SELECT content_hash FROM bank_versions")}


def versions(store: Store, hashes: set[str]) -> list[dict[str, Any]]:
    """The stored versions with these content hashes: module_id, version, files."""
    if not hashes:
        return []
    marks = ", ".join("?" for _ in hashes)
    rows = store.read(f"SELECT * FROM bank_versions WHERE content_hash IN ({marks}) "
                      "ORDER BY module_id, stored_at", sorted(hashes))
    return [{**row, "files": json.loads(row["files"])} for row in rows]
