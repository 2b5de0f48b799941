"""Assessor accounts: only a hash is stored, wrong passphrases, the lockout and its end."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Clock
from helpers.storekit import raw
from mqexam.errors import MqexamError
from mqexam.store.assessors import (
    LOCKOUT,
    MAX_FAILURES,
    add_assessor,
    check_passphrase,
    list_assessors,
)
from mqexam.store.db import Store

PASSPHRASE = "bench and manikin"


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Store:
    store = Store(db_path)
    add_assessor(store, "Kim", PASSPHRASE, clock())
    return store


def test_only_a_salted_scrypt_hash_is_stored(store: Store, clock: Clock) -> None:
    add_assessor(store, "Mette", PASSPHRASE, clock())  # the same passphrase, another salt

    rows = raw(store.path).execute("SELECT * FROM assessors ORDER BY name").fetchall()

    secrets = [row[1] for row in rows]
    assert all(secret.startswith("scrypt$") for secret in secrets)
    assert secrets[0] != secrets[1]
    assert not any(PASSPHRASE in str(value) for row in rows for value in row)
    assert PASSPHRASE.encode() not in store.path.read_bytes()
    listed = list_assessors(store)
    assert listed == [
        {"name": "Kim", "created_at": "2026-12-01T09:00:00.000000+00:00", "locked_until": None},
        {"name": "Mette", "created_at": "2026-12-01T09:00:00.000000+00:00",
         "locked_until": None},
    ]


def test_the_right_passphrase_passes(store: Store, clock: Clock) -> None:
    check_passphrase(store, "Kim", PASSPHRASE, clock())
    check_passphrase(store, " kim ", PASSPHRASE, clock())  # names are not case-sensitive


@pytest.mark.parametrize(("name", "passphrase", "message"), [
    ("", PASSPHRASE, "an assessor needs a name"),
    ("   ", PASSPHRASE, "an assessor needs a name"),
    ("Kim", PASSPHRASE, "there is already an assessor called 'Kim'"),
    ("KIM", PASSPHRASE, "there is already an assessor called 'Kim'"),
    ("Jo", "short", "a passphrase needs at least 8 characters"),
    ("Jo", "", "a passphrase needs at least 8 characters"),
    ("Jo\x1b[2J", PASSPHRASE, "must be printable"),
])
def test_bad_accounts_are_refused(store: Store, clock: Clock, name: str, passphrase: str,
                                  message: str) -> None:
    with pytest.raises(MqexamError, match=message):
        add_assessor(store, name, passphrase, clock())
    assert [row["name"] for row in list_assessors(store)] == ["Kim"]


def test_a_wrong_passphrase_and_an_unknown_name_read_the_same(store: Store,
                                                              clock: Clock) -> None:
    with pytest.raises(MqexamError) as wrong:
        check_passphrase(store, "Kim", "not the passphrase", clock())
    with pytest.raises(MqexamError) as unknown:
        check_passphrase(store, "Nobody", PASSPHRASE, clock())
    assert wrong.value.message == unknown.value.message == "wrong assessor name or passphrase"


def test_five_wrong_in_a_row_lock_the_account_until_the_period_ends(
        store: Store, clock: Clock) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(MqexamError, match="wrong assessor name or passphrase"):
            check_passphrase(store, "Kim", "guess", clock())
    with pytest.raises(MqexamError, match="locked until 09:15"):
        check_passphrase(store, "Kim", "guess", clock())
    assert list_assessors(store)[0]["locked_until"] == "2026-12-01T09:15:00.000000+00:00"

    clock.advance(minutes=14, seconds=59)
    with pytest.raises(MqexamError, match="locked until 09:15"):
        check_passphrase(store, "Kim", PASSPHRASE, clock())  # even the right one

    clock.advance(seconds=1)
    assert list_assessors(store, clock())[0]["locked_until"] is None
    check_passphrase(store, "Kim", PASSPHRASE, clock())
    assert list_assessors(store)[0]["locked_until"] is None


def test_the_lock_ends_after_the_period(store: Store, clock: Clock) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(MqexamError):
            check_passphrase(store, "Kim", "guess", clock())
    clock.now += LOCKOUT
    # After the lock the count starts again: four more wrong ones do not lock at once.
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(MqexamError, match="wrong assessor"):
            check_passphrase(store, "Kim", "guess", clock())
    check_passphrase(store, "Kim", PASSPHRASE, clock())


def test_a_right_passphrase_resets_the_count(store: Store, clock: Clock) -> None:
    for _round in range(3):
        for _ in range(MAX_FAILURES - 1):
            with pytest.raises(MqexamError, match="wrong assessor"):
                check_passphrase(store, "Kim", "guess", clock())
        check_passphrase(store, "Kim", PASSPHRASE, clock())


def test_the_lock_time_is_shown_in_the_callers_time_zone(store: Store, clock: Clock) -> None:
    from datetime import timedelta, timezone

    copenhagen = clock().astimezone(timezone(timedelta(hours=1)))
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(MqexamError):
            check_passphrase(store, "Kim", "guess", copenhagen)
    with pytest.raises(MqexamError, match="locked until 10:15"):
        check_passphrase(store, "Kim", "guess", copenhagen)


def test_an_unknown_name_is_never_locked_and_locks_nobody(store: Store, clock: Clock) -> None:
    for _ in range(MAX_FAILURES * 2):
        with pytest.raises(MqexamError, match="wrong assessor"):
            check_passphrase(store, "Nobody", "guess", clock())
    check_passphrase(store, "Kim", PASSPHRASE, clock())
