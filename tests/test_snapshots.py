"""Every learner screen at 80x24, in English and Danish (pytest-textual-snapshot).

The clock, the form seed, the attempt id and the resume code are fixed so the
screens are the same on every run. Update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import MINI_BANKS, Clock
from mqexam import sitting
from mqexam.i18n import set_language
from mqexam.tui.app import LearnerApp

SIZE = (80, 24)
DOWNS = {"en": 0, "da": 1}
TO_SUMMARY = ["enter", "enter", *"L-100", "enter", *"Ann Jensen", "enter"]


@pytest.fixture(autouse=True)
def _fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitting, "new_resume_code", lambda: "K7M2QX")
    monkeypatch.setattr(sitting, "new_attempt_id", lambda: "ABCD-EFGH-JKMN")
    set_language("en")


def make_app(tmp_path: Path) -> LearnerApp:
    return LearnerApp(MINI_BANKS, tmp_path / "r.db", clock=Clock(), seed=11)


def keys(language: str, *more: str) -> list[str]:
    return [*["down"] * DOWNS[language], "enter", *more]


SCREENS: dict[str, list[str]] = {
    "language": [],
    "module": ["@"],
    "country": ["@", "enter"],
    "identify": ["@", "enter", "enter"],
    "summary": ["@", *TO_SUMMARY],
    "exam": ["@", *TO_SUMMARY, "enter"],
    "exam-single": ["@", *TO_SUMMARY, "enter", "pagedown", "pagedown", "pagedown", "down",
                    "enter"],
    "overview": ["@", *TO_SUMMARY, "enter", "pagedown", "pagedown", "pagedown", "enter",
                 "ctrl+g"],
    "submit": ["@", *TO_SUMMARY, "enter", "pagedown", "ctrl+f", "ctrl+e"],
    "result": ["@", *TO_SUMMARY, "enter", "pagedown", "pagedown", "pagedown", "down", "enter",
               "ctrl+e", "tab", "enter"],
}


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, tmp_path: Path, screen: str, language: str) -> None:
    steps = SCREENS[screen]
    press = keys(language, *steps[1:]) if steps[:1] == ["@"] else steps
    assert snap_compare(make_app(tmp_path), press=press, terminal_size=SIZE)
