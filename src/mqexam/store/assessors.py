"""Assessor accounts: names, passphrase hashes and the lockout after wrong passphrases.

Called by ``mqexam assessor add|list`` and by the assessor app before it shows
anything. Owns the ``assessors`` table: only a salted scrypt hash of a
passphrase is ever stored (:mod:`mqexam.secret`), never the passphrase, and no
function here returns the hash. Five wrong passphrases in a row lock an account
for fifteen minutes; a right one resets the count. Every write is one
``BEGIN IMMEDIATE`` transaction, so two terminals counting failures for the same
name never lose one.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from mqexam.errors import MqexamError
from mqexam.exam.attempt import format_time, parse_time
from mqexam.i18n import _
from mqexam.secret import hash_secret, verify_secret
from mqexam.store.db import Store, _friendly

MIN_PASSPHRASE = 8
"""Characters a passphrase needs at least."""
MAX_FAILURES = 5
"""Wrong passphrases in a row that lock an account."""
LOCKOUT = timedelta(minutes=15)
"""How long a locked account stays locked."""
MAX_NAME = 80

_DECOY = hash_secret("not an assessor's passphrase")
"""Checked against for an unknown name, so an unknown name costs the same time as a known one."""


def _moment(at: datetime | str) -> str:
    return format_time(at) if isinstance(at, datetime) else format_time(parse_time(at))


def clean_name(name: str) -> str:
    """``name`` as stored: surrounding spaces removed; refused when empty or unprintable."""
    name = " ".join(name.split())
    if not name:
        raise MqexamError(_("an assessor needs a name"))
    if len(name) > MAX_NAME or not name.isprintable():
        raise MqexamError(_("an assessor's name must be printable and at most {n} "
                            "characters").format(n=MAX_NAME))
    return name


def add_assessor(store: Store, name: str, passphrase: str, at: datetime | str) -> None:
    """Create an account; refused for an empty or taken name (any case) or a short passphrase."""
    name = clean_name(name)
    if len(passphrase) < MIN_PASSPHRASE:
        raise MqexamError(_("a passphrase needs at least {n} characters").format(
            n=MIN_PASSPHRASE))
    secret = hash_secret(passphrase)
    try:
        with store.transaction() as conn:
            taken = conn.execute("SELECT name FROM assessors WHERE name = ? COLLATE NOCASE",
                                 (name,)).fetchone()
            if taken is not None:
                raise MqexamError(_("there is already an assessor called '{name}'").format(
                    name=taken[0]))
            conn.execute("INSERT INTO assessors (name, secret, created_at) VALUES (?, ?, ?)",
                         (name, secret, _moment(at)))
    except sqlite3.Error as error:
        raise _friendly(error, store.path) from None


def list_assessors(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every account by name: ``name``, ``created_at``, ``locked_until`` (never the hash).

    ``locked_until`` is as stored, and may lie in the past (an expired lock is
    cleared at the next right passphrase); given ``now``, a lock that has run
    out reads ``None``.
    """
    rows = store.read("SELECT name, created_at, locked_until FROM assessors "
                      "ORDER BY name COLLATE NOCASE, name")
    if now is not None:
        for row in rows:
            if row["locked_until"] and parse_time(row["locked_until"]) <= now:
                row["locked_until"] = None
    return rows


def _wrong() -> MqexamError:
    return MqexamError(_("wrong assessor name or passphrase"))


def _locked(until: datetime, now: datetime) -> MqexamError:
    return MqexamError(_("too many wrong passphrases: this account is locked until "
                         "{time}").format(time=until.astimezone(now.tzinfo).strftime("%H:%M")))


def check_passphrase(store: Store, name: str, passphrase: str, now: datetime) -> None:
    """Return when ``passphrase`` is ``name``'s; else raise :class:`MqexamError`.

    A wrong passphrase and an unknown name get the same message. The fifth wrong
    passphrase in a row locks the account for :data:`LOCKOUT`; while locked,
    even the right passphrase is refused with the time the lock ends (shown in
    ``now``'s time zone). A right passphrase resets the count.
    """
    rows = store.read("SELECT name, secret, locked_until FROM assessors "
                      "WHERE name = ? COLLATE NOCASE", (" ".join(name.split()),))
    if not rows:
        verify_secret(passphrase, _DECOY)
        raise _wrong()
    row = rows[0]
    if row["locked_until"]:
        until = parse_time(row["locked_until"])
        if now < until:
            raise _locked(until, now)
    right = verify_secret(passphrase, row["secret"])
    try:
        with store.transaction() as conn:
            if right:
                conn.execute("UPDATE assessors SET failures = 0, locked_until = NULL "
                             "WHERE name = ? AND (failures != 0 OR locked_until IS NOT NULL)",
                             (row["name"],))
                return
            conn.execute("UPDATE assessors SET failures = failures + 1 WHERE name = ?",
                         (row["name"],))
            (failures,) = conn.execute("SELECT failures FROM assessors WHERE name = ?",
                                       (row["name"],)).fetchone()
            locked = failures >= MAX_FAILURES
            if locked:
                # The count starts again once the lock has run out.
                conn.execute("UPDATE assessors SET failures = 0, locked_until = ? "
                             "WHERE name = ?", (format_time(now + LOCKOUT), row["name"]))
    except sqlite3.Error as error:
        raise _friendly(error, store.path) from None
    if locked:
        raise _locked(now + LOCKOUT, now)
    raise _wrong()
