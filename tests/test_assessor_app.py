"""The assessor app by keyboard: log in, find an attempt, grade, add prior learning, sign."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input

from conftest import REPO, Clock
from helpers.profilekit import correct_answer, showcase
from mqexam.exam.attempt import format_time
from mqexam.review import Review
from mqexam.sitting import Sitting
from mqexam.store.assessors import add_assessor
from mqexam.store.db import Store
from mqexam.store.prior import prior_records
from mqexam.tui.assessor.app import AssessorApp
from mqexam.tui.assessor.dialogs import GradeDialog, PriorDialog, SignDialog
from mqexam.tui.assessor.screens import AttemptListScreen, AttemptScreen, LoginScreen

PASSPHRASE = "correct horse battery"


def submitted_attempt(db: Path, clock: Clock) -> str:
    """A showcase attempt answered right and submitted: awaiting review (practical items)."""
    with Store(db) as store:
        add_assessor(store, "Birgit", PASSPHRASE, format_time(clock()))
        sitting, _code = Sitting.start(store, showcase(), context="DK", locale="en",
                                       learner_id="L-9", now=clock(), seed=4)
        for item in sitting.form.items:
            if item.type != "practical":
                sitting.answer(item.id, correct_answer(item), clock())
        sitting.submit(clock())
        assert any(i.type == "practical" for i in sitting.form.items)
        return sitting.attempt_id


async def log_in(pilot: object, app: AssessorApp, passphrase: str = PASSPHRASE) -> None:
    await pilot.press(*"Birgit", "enter", *passphrase, "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_wrong_passphrase_is_refused_and_the_list_stays_closed(tmp_path: Path,
                                                                     clock: Clock) -> None:
    submitted_attempt(tmp_path / "r.db", clock)
    app = AssessorApp(REPO / "banks", tmp_path / "r.db", clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, app, "not the passphrase")
        assert isinstance(app.screen, LoginScreen)
        assert "passphrase" in str(app.screen.query_one("#problem").render()).lower()


async def test_review_grade_prior_learning_and_sign_by_keyboard(tmp_path: Path,
                                                               clock: Clock) -> None:
    db = tmp_path / "r.db"
    attempt_id = submitted_attempt(db, clock)
    app = AssessorApp(REPO / "banks", db, clock=clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await log_in(pilot, app)
        assert isinstance(app.screen, AttemptListScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert "awaiting review" in str(table.get_row_at(0)[5])
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AttemptScreen)
        practical = [i for i in app.screen.review.form.items if i.type == "practical"]
        for _item in practical:
            await pilot.press("ctrl+g")
            await pilot.pause()
            assert isinstance(app.screen, GradeDialog)
            for box in app.screen.query("Checkbox"):
                box.value = True
            app.screen.query_one("#comment", Input).value = "Done at the bench"
            app.screen.query_one("#ok").press()
            await pilot.pause()
            assert isinstance(app.screen, AttemptScreen)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, PriorDialog)
        for field, value in (("document", "Course certificate"), ("issuer", "AMU Syd"),
                             ("date", "2025-05-01"), ("reason", "Certificate seen")):
            app.screen.query_one(f"#{field}", Input).value = value
        app.screen.query_one("#ok").press()
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SignDialog)
        app.screen.query_one("#ok").press()  # no reason yet: refused
        await pilot.pause()
        assert isinstance(app.screen, SignDialog)
        assert "reason" in str(app.screen.query_one("#problem").render())
        app.screen.query_one("#reason", Input).value = "All outcomes shown"
        app.screen.query_one("#ok").press()
        await pilot.pause()
        assert isinstance(app.screen, AttemptScreen)
    with Store(db) as store:
        review = Review.open(store, [showcase()], attempt_id, "check")
        assert review.status() == "signed"
        assert review.state.signatures[-1]["assessor"] == "Birgit"
        assert review.state.signatures[-1]["decision"] == "competent"
        assert set(review.state.grades) == {i.id for i in practical}
        assert review.result().passed is True
        assert prior_records(store, "L-9")[0]["issuer"] == "AMU Syd"
        assert store.verify() == []


async def test_item_analysis_screen_lists_every_item_seen(tmp_path: Path, clock: Clock) -> None:
    from textual.widgets import Select

    from mqexam.tui.assessor.screens import AnalysisScreen

    db = tmp_path / "r.db"
    submitted_attempt(db, clock)
    app = AssessorApp(REPO / "banks", db, clock=clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, app)
        app.screen.query_one("#module", Select).value = "welding-centre-safety"
        await pilot.pause()
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert isinstance(app.screen, AnalysisScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 20
        assert "1 closed attempts" in str(app.screen.query_one("#count").render())
