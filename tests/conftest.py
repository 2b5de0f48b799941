"""Shared fixtures: the mini bank, fresh databases, a settable clock, a fixed language."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mqexam.i18n import set_language

FIXTURES = Path(__file__).parent / "fixtures"
MINI_BANKS = FIXTURES / "banks"
REPO = Path(__file__).parent.parent


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def _english_and_private_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("MQEXAM_LANG", "en")
    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def mini_banks(tmp_path: Path) -> Path:
    """A private copy of the mini fixture bank folder."""
    target = tmp_path / "banks"
    shutil.copytree(MINI_BANKS, target)
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "results" / "mqexam.db"


def forget_bank_versions(db: Path) -> None:
    """Behind the program's back: a database that never kept its bank versions (as one
    made before they were kept)."""
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER bank_versions_no_delete")
    conn.execute("DELETE FROM bank_versions")
    conn.commit()
    conn.close()
