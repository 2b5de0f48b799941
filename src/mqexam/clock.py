"""The one place mqexam reads the wall clock (everything else is handed a moment)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
