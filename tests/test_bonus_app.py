"""The learner app offers the bonus exam, and the learner takes it by keyboard (Pilot)."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, Clock
from helpers.profilekit import showcase, take
from mqexam.store.db import Store
from mqexam.tui.app import LearnerApp
from mqexam.tui.exam_screen import ExamScreen, SubmitScreen
from mqexam.tui.result_screen import ResultScreen
from mqexam.tui.start import SummaryScreen
from test_learner_app import answer_correctly


async def test_learner_passes_dk_then_takes_the_de_bonus_exam(tmp_path: Path,
                                                             clock: Clock) -> None:
    module = showcase()
    db = tmp_path / "r.db"
    with Store(db) as store:
        dk = take(store, module, "DK", clock(), learner="L-7")
        assert dk.result().passed
    clock.advance(days=30)
    app = LearnerApp(REPO / "banks", db, module=module.id, context="DE", language="en",
                     learner="L-7", clock=clock, seed=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Ann", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.plan is not None and app.plan.item_ids
        assert "bonus exam" in str(app.screen.query_one("#bonus-summary").render())
        await pilot.press("enter")  # "Start the bonus exam" has focus
        await pilot.pause()
        assert isinstance(app.screen, ExamScreen)
        sitting = app.sitting
        assert sitting is not None
        assert sitting.state.start["kind"] == "bonus"
        assert sitting.state.start["builds_on"] == [dk.attempt_id]
        assert set(sitting.form.item_ids) == set(app.plan.item_ids)
        for item in sitting.form.items:
            await answer_correctly(pilot, item)
            await pilot.press("pagedown")
            await pilot.pause()
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, SubmitScreen)
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResultScreen)
    answered = {i.id for i in sitting.form.items if i.type != "practical"}
    assert answered <= set(sitting.state.answers)
    scores = sitting.result().items
    assert all(s.status == "correct" for s in scores if s.status != "awaiting_review"), scores
