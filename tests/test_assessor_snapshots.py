"""Assessor screens at 80x24 in English and Danish (pytest-textual-snapshot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import MINI_BANKS, Clock
from helpers.profilekit import correct_answer
from mqexam import sitting as sitting_module
from mqexam.bank.loader import load_bank
from mqexam.exam.attempt import format_time
from mqexam.i18n import set_language
from mqexam.sitting import Sitting
from mqexam.store.assessors import add_assessor
from mqexam.store.db import Store
from mqexam.tui.assessor.app import AssessorApp

SIZE = (80, 24)
LOGIN = [*"Birgit", "enter", *"correct horse battery", "enter"]
SCREENS: dict[str, list[str]] = {
    "login": [],
    "list": LOGIN,
    "detail": [*LOGIN, "enter"],
    "grade": [*LOGIN, "enter", "ctrl+g"],
    "sign": [*LOGIN, "enter", "ctrl+s"],
}


def database(folder: Path) -> Path:
    db = folder / "r.db"
    clock = Clock()
    module = load_bank(MINI_BANKS).module("mini")
    assert module is not None
    with Store(db) as store:
        add_assessor(store, "Birgit", "correct horse battery", format_time(clock()))
        sitting, _ = Sitting.start(store, module, context="DK", locale="da", learner_id="L-9",
                                   now=clock(), seed=2)
        for item in sitting.form.items:
            if item.type != "practical":
                sitting.answer(item.id, correct_answer(item), clock())
        sitting.submit(clock())
    return db


@pytest.mark.parametrize("language", ["en", "da"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                screen: str, language: str) -> None:
    monkeypatch.setattr(sitting_module, "new_attempt_id", lambda: "ABCD-EFGH-JKMN")
    db = database(tmp_path)
    set_language(language)
    app = AssessorApp(MINI_BANKS, db, language=language, clock=Clock())
    assert snap_compare(app, press=SCREENS[screen], terminal_size=SIZE)
