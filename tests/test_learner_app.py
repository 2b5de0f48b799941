"""The learner app driven by keyboard alone with Textual's Pilot."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Select

from conftest import Clock
from mqexam.exam.form import FormItem
from mqexam.store.db import Store
from mqexam.tui.app import LearnerApp, TooSmallScreen
from mqexam.tui.exam_screen import ExamScreen, OverviewScreen, SubmitScreen
from mqexam.tui.result_screen import ResultScreen
from mqexam.tui.start import (
    IdentifyScreen,
    LanguageScreen,
    ModuleScreen,
    ResumeScreen,
    SummaryScreen,
)

HELPERS = Path(__file__).parent / "helpers"


def six_item_bank(banks: Path) -> Path:
    """The mini bank with a blueprint that draws all six items (every type)."""
    module = banks / "mini" / "module.toml"
    module.write_text(module.read_text().replace("items = 5", "items = 6"))
    return banks


async def answer_correctly(pilot: Any, item: FormItem) -> None:
    """Press the keys that give the right answer to ``item``."""
    ids = [c.id for c in item.options]
    if item.type == "single":
        await pilot.press(*["down"] * ids.index(item.key), "enter")
    elif item.type == "multiple":
        for option_id in ids:
            if option_id in item.key:
                await pilot.press("space")
            await pilot.press("down")
    elif item.type == "order":
        current, cursor = list(ids), 0
        for target, step in enumerate(item.key):
            where = current.index(step)
            await pilot.press(*(["down"] * (where - cursor) if where >= cursor
                                else ["up"] * (cursor - where)))
            for _ in range(where - target):
                await pilot.press("u")
            current.insert(target, current.pop(where))
            cursor = target
    elif item.type == "text":
        await pilot.press(*item.key[0], "enter")
    elif item.type == "match":
        right = [c.id for c in item.right]
        for left in item.left:
            pilot.app.screen.query_one(f"#pair-{left.id}", Select).focus()
            await pilot.pause()
            await pilot.press("enter", *["down"] * (right.index(item.key[left.id]) + 1), "enter")
            await pilot.pause()
    await pilot.pause()


async def start_exam(pilot: Any, language_downs: int = 0, learner: str = "L-100") -> None:
    await pilot.press(*["down"] * language_downs, "enter")  # language
    await pilot.press("enter")  # module
    await pilot.press("enter")  # country (first in the list)
    await pilot.press(*learner, "enter", *"Ann Jensen", "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SummaryScreen)
    await pilot.press("enter")  # Start has focus
    await pilot.pause()


async def test_full_exam_by_keyboard_every_item_type(tmp_path: Path, mini_banks: Path,
                                                       clock: Clock) -> None:
    app = LearnerApp(six_item_bank(mini_banks), tmp_path / "r.db", clock=clock, seed=7)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LanguageScreen)
        await start_exam(pilot)
        assert isinstance(app.screen, ExamScreen)
        sitting = app.sitting
        assert sitting is not None
        assert {i.type for i in sitting.form.items} == {
            "single", "multiple", "order", "text", "match", "practical"}
        for item in sitting.form.items:
            await answer_correctly(pilot, item)
            if item.type != "practical":
                status = str(app.screen.query_one("#status").render())
                assert "Saved" in status, (item.id, status)
            await pilot.press("pagedown")
            await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, SubmitScreen)
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    # What the screen said was saved is in the database, committed.
    with Store(tmp_path / "r.db") as store:
        events = store.events(sitting.attempt_id)
    answered = {e.payload["item"] for e in events if e.kind == "answered"}
    assert answered == {i.id for i in sitting.form.items if i.type != "practical"}
    result = sitting.result()
    assert result.awaiting_review  # the practical item waits for the assessor
    assert all(s.status == "correct" for s in result.items if s.status != "awaiting_review")


async def test_language_switch_changes_the_whole_app(tmp_path: Path, mini_banks: Path) -> None:
    app = LearnerApp(mini_banks, tmp_path / "r.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")  # dansk
        assert isinstance(app.screen, ModuleScreen)
        assert "Vælg modulet" in str(app.screen.query_one("Heading").render())
        options = app.screen.query_one(OptionList)
        assert "Mini-sikkerhed" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        countries = app.screen.query_one(OptionList)
        names = {str(countries.get_option_at_index(i).prompt) for i in range(2)}
        assert any(n.startswith("Danmark") for n in names)
        assert any(n.startswith("USA") for n in names)


async def test_overview_shows_state_by_symbol_and_word(tmp_path: Path, mini_banks: Path,
                                                        clock: Clock) -> None:
    app = LearnerApp(mini_banks, tmp_path / "r.db", clock=clock, seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_exam(pilot)
        first = app.sitting.form.items[0]
        await answer_correctly(pilot, first)
        await pilot.press("pagedown", "ctrl+f", "ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        labels = [str(b.label) for b in app.screen.query("Button")]
        assert "answered" in labels[0] and "✓" in labels[0]
        assert "flagged" in labels[1] and "⚑" in labels[1]
        await pilot.press("tab", "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert app.screen.index == 2


async def test_time_runs_out_and_the_attempt_closes(tmp_path: Path, mini_banks: Path,
                                                    clock: Clock) -> None:
    app = LearnerApp(mini_banks, tmp_path / "r.db", clock=clock, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_exam(pilot)
        item = app.sitting.form.items[0]
        await answer_correctly(pilot, item)
        clock.advance(minutes=11)
        await pilot.pause(1.3)
        assert isinstance(app.screen, ResultScreen)
        assert app.sitting.state.lifecycle == "expired"
        if item.type != "practical":
            assert item.id in app.sitting.state.answers


async def test_empty_learner_id_and_control_characters(tmp_path: Path, mini_banks: Path) -> None:
    app = LearnerApp(mini_banks, tmp_path / "r.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "enter", "enter")
        assert isinstance(app.screen, IdentifyScreen)
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, IdentifyScreen)
        assert "learner id" in str(app.screen.query_one("#problem").render())
        app.screen.query_one("#learner").value = "\x1b[31mL-7\x07"
        await pilot.press("tab", *"Bo", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.learner == ("[31mL-7", "Bo")


async def test_small_terminal_gets_a_message(tmp_path: Path, mini_banks: Path) -> None:
    app = LearnerApp(mini_banks, tmp_path / "r.db")
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "too small" in str(app.screen.query_one("#too-small").render())


async def test_no_banks_and_a_broken_module_are_shown(tmp_path: Path, mini_banks: Path) -> None:
    broken = mini_banks / "broken"
    (broken / "items").mkdir(parents=True)
    (broken / "module.toml").write_text('id = "broken"\nversion = [\n')
    app = LearnerApp(mini_banks, tmp_path / "r.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        texts = " ".join(str(s.render()) for s in app.screen.query(".error"))
        assert "broken" in texts and "cannot be used" in texts
        assert app.screen.query_one(OptionList).option_count == 1
    app = LearnerApp(tmp_path / "nowhere", tmp_path / "r.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert "No module" in " ".join(str(s.render()) for s in app.screen.query(".error"))


def test_resume_after_the_process_was_killed(tmp_path: Path, mini_banks: Path) -> None:
    """A real process answers, is SIGKILLed; the app resumes with the code, nothing lost."""
    db = tmp_path / "r.db"
    writer = subprocess.Popen(
        [sys.executable, str(HELPERS / "answer_then_wait.py"), str(mini_banks), str(db)],
        stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    info = json.loads(writer.stdout.readline())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    import asyncio

    async def resume() -> None:
        app = LearnerApp(mini_banks, db, module="mini", context="DK", language="en",
                         learner=info["learner"])
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(*"Someone", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ResumeScreen)
            await pilot.press(*"WRONG1", "enter")
            await pilot.pause()
            assert isinstance(app.screen, ResumeScreen)
            app.screen.query_one("#code").value = ""
            await pilot.press(*info["code"].lower(), "enter")
            await pilot.pause()
            assert isinstance(app.screen, ExamScreen)
            state = app.sitting.state
            assert state.answers == info["answers"]
            assert state.flags == set(info["flags"])
            assert app.sitting.form.items[app.screen.index].id == info["current"]

    asyncio.run(resume())


async def test_an_assessor_passphrase_also_resumes(tmp_path: Path, mini_banks: Path,
                                                   clock: Clock) -> None:
    from mqexam.bank.loader import load_bank
    from mqexam.sitting import Sitting
    from mqexam.store.assessors import add_assessor

    db = tmp_path / "r.db"
    module = load_bank(mini_banks).module("mini")
    with Store(db) as store:
        add_assessor(store, "Birgit", "correct horse battery", clock())
        sitting, _code = Sitting.start(store, module, context="DK", locale="en",
                                       learner_id="L-5", now=clock(), seed=2)
    app = LearnerApp(mini_banks, db, module="mini", context="DK", language="en",
                     learner="L-5", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Bo", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        app.screen.query_one("#assessor").value = "Birgit"
        app.screen.query_one("#passphrase").value = "wrong passphrase"
        await pilot.press("tab")
        app.screen.query_one("#unlock").press()
        await pilot.pause()
        assert isinstance(app.screen, ResumeScreen)
        app.screen.query_one("#passphrase").value = "correct horse battery"
        app.screen.query_one("#unlock").press()
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        assert app.sitting.attempt_id == sitting.attempt_id


async def test_timer_warns_once_at_ten_minutes_and_not_at_the_start(
        tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from conftest import REPO

    said: list[str] = []
    monkeypatch.setattr(ExamScreen, "notify", lambda self, message, **kw: said.append(message))
    app = LearnerApp(REPO / "banks", tmp_path / "r.db", module="welding-centre-safety",
                     context="DK", language="en", learner="L-1", clock=clock, seed=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Ann", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(1.2)
        assert isinstance(app.screen, ExamScreen)
        assert said == []
        clock.advance(minutes=20, seconds=2)
        await pilot.pause(1.2)
        await pilot.pause(1.2)
        assert said == ["10 minutes left."]
        assert "warn" in app.screen.query_one("#timer").classes


@pytest.mark.parametrize("language", ["en", "da", "de"])
async def test_the_showcase_module_by_keyboard_in_each_language(
        tmp_path: Path, clock: Clock, language: str) -> None:
    from conftest import REPO

    app = LearnerApp(REPO / "banks", tmp_path / "r.db", module="welding-centre-safety",
                     context="DE", language=language, learner="L-2", clock=clock, seed=9)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Ann", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        sitting = app.sitting
        assert isinstance(app.screen, ExamScreen) and sitting is not None
        assert sitting.form.locale == language and len(sitting.form.items) == 20
        for item in sitting.form.items:
            await answer_correctly(pilot, item)
            await pilot.press("pagedown")
            await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    statuses = {s.status for s in sitting.result().items}
    assert statuses <= {"correct", "awaiting_review"}, sitting.result().items


async def go_to_type(app: LearnerApp, pilot: Any, kind: str) -> FormItem:
    for index, item in enumerate(app.sitting.form.items):
        if item.type == kind:
            app.screen.show_item(index)
            await pilot.pause()
            return item
    raise AssertionError(kind)


async def test_a_failed_save_stays_visible_and_is_retried(tmp_path: Path, mini_banks: Path,
                                                          clock: Clock) -> None:
    import sqlite3

    db = tmp_path / "r.db"
    app = LearnerApp(six_item_bank(mini_banks), db, clock=clock, seed=7)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_exam(pilot)
        assert app.store is not None
        app.store.busy_timeout = 0.1
        app.store.conn.execute("PRAGMA busy_timeout = 50")
        item = await go_to_type(app, pilot, "single")
        locker = sqlite3.connect(db, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        await pilot.press("enter")
        await pilot.pause()
        assert "Not saved" in str(app.screen.query_one("#status").render())
        await pilot.press("ctrl+q")  # leaving now warns that an answer is not saved
        await pilot.pause()
        assert "NOT be saved" in " ".join(str(s.render()) for s in app.screen.query("Static"))
        await pilot.press("escape")
        await pilot.pause()
        locker.execute("COMMIT")
        await pilot.press("pagedown")  # moving on retries the save
        await pilot.pause()
        assert app.screen.pending is None
        assert item.id in app.sitting.state.answers


async def test_typed_text_is_saved_before_submit_and_expiry(tmp_path: Path, mini_banks: Path,
                                                            clock: Clock) -> None:
    app = LearnerApp(six_item_bank(mini_banks), tmp_path / "r.db", clock=clock, seed=7)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_exam(pilot)
        item = await go_to_type(app, pilot, "text")
        await pilot.press(*"112")  # typed, no Enter, no pause for the delayed save
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.sitting.state.answers.get(item.id) == "112"
        assert isinstance(app.screen, SubmitScreen)
        warnings = " ".join(str(w.render()) for w in app.screen.query(".warning"))
        assert str(item.position) not in warnings.replace("Flagged", "")
        await pilot.press("escape")
        await pilot.pause()
        app.screen.query_one("#answer").value = "999"
        clock.advance(minutes=11)
        await pilot.pause(1.3)
        assert isinstance(app.screen, ResultScreen)
    # Past the deadline nothing more is recorded: the answer saved in time stays.
    assert app.sitting.state.lifecycle == "expired"
    assert app.sitting.state.answers[item.id] == "112"
