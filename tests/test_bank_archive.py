"""The results database remembers every bank version an attempt used."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import Clock
from helpers.profilekit import correct_answer
from mqexam.bank.loader import load_bank
from mqexam.bank_archive import with_archive
from mqexam.cli import main
from mqexam.sitting import Sitting
from mqexam.store.assessors import add_assessor
from mqexam.store.db import Store
from mqexam.store.merge import merge
from mqexam.tui.app import LearnerApp
from mqexam.tui.exam_screen import ExamScreen


def fix_a_key(banks: Path) -> None:
    """The author fixes the key of 'first-step' and gives the module a new version."""
    module_file = banks / "mini" / "module.toml"
    module_file.write_text(module_file.read_text().replace('version = "1.2.0"',
                                                           'version = "1.2.1"'))
    items = banks / "mini" / "items" / "alarm.toml"
    items.write_text(items.read_text().replace('answer = "safety"', 'answer = "breaths"'))


def started(db: Path, banks: Path, clock: Clock) -> tuple[Sitting, str]:
    module = load_bank(banks).module("mini")
    assert module is not None
    with Store(db) as store:
        add_assessor(store, "Birgit", "correct horse battery", clock())
        return Sitting.start(store, module, context="DK", locale="en", learner_id="L-1",
                             now=clock(), seed=1, item_ids=["first-step", "call-number"])


async def test_a_learner_resumes_after_the_author_changed_the_bank(
        tmp_path: Path, mini_banks: Path, clock: Clock) -> None:
    db = tmp_path / "r.db"
    sitting, code = started(db, mini_banks, clock)
    fix_a_key(mini_banks)
    app = LearnerApp(mini_banks, db, module="mini", context="DK", language="en",
                     learner="L-1", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Ann", "enter")
        await pilot.pause()
        await pilot.press(*code, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert app.sitting is not None
        assert app.sitting.module.content_hash == sitting.module.content_hash
        assert app.sitting.module.version == "1.2.0"


def test_regrade_finds_the_old_version_in_the_database(tmp_path: Path, mini_banks: Path,
                                                       clock: Clock) -> None:
    db = tmp_path / "r.db"
    sitting, _code = started(db, mini_banks, clock)
    with Store(db) as store:
        for item in sitting.form.items:
            sitting.store = store
            sitting.answer(item.id, correct_answer(item), clock())
        sitting.submit(clock())
    fix_a_key(mini_banks)
    result = CliRunner().invoke(main, ["--banks", str(mini_banks), "--db", str(db), "results",
                                       "regrade", "mini"])
    assert result.exit_code == 0, result.output
    assert "first-step: 1→0" in result.output and "1.2.0" in result.output


def test_merge_brings_the_bank_versions_along(tmp_path: Path, mini_banks: Path,
                                              clock: Clock) -> None:
    other = tmp_path / "other.db"
    started(other, mini_banks, clock)
    shutil.rmtree(mini_banks / "mini")
    here = tmp_path / "here.db"
    with Store(here) as store:
        assert with_archive(store, []) == []
        report = merge(store, other)
        assert len(report.added) == 1
        modules = with_archive(store, [])
        assert [(m.id, m.version) for m in modules] == [("mini", "1.2.0")]


def test_merge_refuses_forged_bank_versions_and_paths_outside_the_cache(
        tmp_path: Path, mini_banks: Path, clock: Clock) -> None:
    import base64
    import json
    import sqlite3

    other = tmp_path / "other.db"
    started(other, mini_banks, clock)
    conn = sqlite3.connect(other)
    forged = {"../../outside/pwned.toml": base64.b64encode(b"x").decode(),
              "module.toml": base64.b64encode(b"id = 'x'").decode()}
    conn.execute("INSERT INTO bank_versions VALUES (?, ?, ?, ?, ?)",
                 ("sha256:" + "0" * 64, "mini", "9.9.9", json.dumps(forged), "2026-01-01"))
    conn.execute("INSERT INTO bank_versions VALUES (?, ?, ?, ?, ?)",
                 ("sha256:" + "1" * 64, "mini", "9.9.8", "not json", "2026-01-01"))
    conn.commit()
    conn.close()
    here = tmp_path / "here.db"
    with Store(here) as store:
        merge(store, other)
        kept = {row["version"] for row in store.read("SELECT version FROM bank_versions")}
        assert kept == {"1.2.0"}
        assert [m.version for m in with_archive(store, [])] == ["1.2.0"]
    assert not list(tmp_path.rglob("pwned.toml"))


def test_a_bank_edited_after_loading_is_not_started(tmp_path: Path, mini_banks: Path,
                                                    clock: Clock) -> None:
    import pytest

    from mqexam.errors import MqexamError

    module = load_bank(mini_banks).module("mini")
    fix_a_key(mini_banks)
    with Store(tmp_path / "r.db") as store, pytest.raises(MqexamError, match="changed on disk"):
        Sitting.start(store, module, context="DK", locale="en", learner_id="L-1",
                      now=clock(), seed=1)
    with Store(tmp_path / "r.db") as store:
        assert store.attempts() == []
