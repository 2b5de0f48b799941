"""The learner app: start screens, the exam, the result.

Called by ``mqexam`` with no arguments and by ``mqexam exam``. Owns the flow
between screens, the interface language, the results database connection, the
themes (dark, light, high contrast), what happens on SIGTERM/SIGHUP (exit
cleanly so the terminal is restored; every answer is already committed), and
the message shown when the terminal is smaller than 80x24.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.widgets import Button, Label, Static

from mqexam.bank.loader import LoadResult, load_bank
from mqexam.bank.model import Module
from mqexam.bank.resolve import pick_locale
from mqexam.bank_archive import with_archive
from mqexam.clock import now as wall_clock
from mqexam.errors import MqexamError
from mqexam.exam.bonus import BonusPlan
from mqexam.i18n import N_, _, fallback_chain, set_language
from mqexam.sitting import Sitting
from mqexam.store.db import Store
from mqexam.tui.exam_screen import ExamScreen
from mqexam.tui.result_screen import ResultScreen
from mqexam.tui.start import (
    CountryScreen,
    IdentifyScreen,
    LanguageScreen,
    ModuleScreen,
    ResumeScreen,
    SummaryScreen,
)

MIN_SIZE = (80, 24)

HIGH_CONTRAST = Theme(
    name="mqexam-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffffff",
    warning="#ffff00",
    error="#ff5555",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    dark=True,
)
THEMES = ("textual-dark", "textual-light", HIGH_CONTRAST.name)


class TooSmallScreen(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static(_("The window is too small for the exam. Please make it at least "
                       "{w}×{h} characters; your answers are safe.").format(
                           w=MIN_SIZE[0], h=MIN_SIZE[1]), id="too-small")


class LeaveScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "stay", N_("Back"))]

    def __init__(self, code: str, unsaved: bool = False) -> None:
        super().__init__()
        self.code = code
        self.unsaved = unsaved

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(_("Leave the exam?"), classes="question")
            if self.unsaved:
                yield Static(_("One answer could NOT be saved. Stay and press Ctrl+R to try "
                               "again, or it is lost."), classes="error")
            yield Static(_("Your answers are saved, but the clock keeps running. To come back, "
                           "start mqexam again and type your resume code: {code}").format(
                               code=self.code))
            with Horizontal(classes="buttons"):
                yield Button(_("Stay"), id="stay", variant="primary")
                yield Button(_("Leave"), id="leave", variant="error")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    @on(Button.Pressed, "#leave")
    def _leave(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#stay")
    def action_stay(self) -> None:
        self.dismiss(False)


class LearnerApp(App[None]):
    CSS_PATH = Path(__file__).parent / "learner.tcss"
    TITLE = "mqexam"
    BINDINGS = [
        Binding("ctrl+q", "leave", N_("Quit"), priority=True),
        Binding("f2", "next_theme", N_("Theme")),
    ]

    def __init__(self, banks: Path, db: Path, *, module: str | None = None,
                 context: str | None = None, language: str | None = None,
                 learner: str | None = None,
                 clock: Callable[[], datetime] = wall_clock, seed: int | None = None) -> None:
        super().__init__()
        self.banks_dir = banks
        self.db_path = db
        self.preset_module = module
        self.preset_context = context.upper() if context else None
        self.preset_learner = learner
        self.language = language or "en"
        self.preset_language = language
        self.clock = clock
        self.seed = seed
        self.bank: LoadResult = LoadResult()
        self.store: Store | None = None
        self.module: Module | None = None
        self.context: str | None = None
        self.learner: tuple[str, str | None] | None = None
        self.sitting: Sitting | None = None
        self.resume_code = ""
        self.plan: BonusPlan | None = None
        self.seen: frozenset[str] = frozenset()

    # -- start-up ------------------------------------------------------------------

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = THEMES[0]
        self._install_signal_handlers()
        self.bank = load_bank(self.banks_dir)
        if self.preset_module:
            set_language(self.language)
            module = self.bank.module(self.preset_module)
            if module is None or self.preset_context not in module.context_codes:
                self.push_screen(ModuleScreen())
                self.notify(_("Module {id} with country {cc} is not available here.").format(
                    id=self.preset_module, cc=self.preset_context), severity="error")
                return
            self.module, self.context = module, self.preset_context
            self.push_screen(IdentifyScreen())
        else:
            self.push_screen(LanguageScreen())
        self.call_after_refresh(self._check_size)

    def _install_signal_handlers(self) -> None:
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, self._on_signal)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            pass

    def _on_signal(self) -> None:
        # Answers are committed as they are given; save typed text too, then leave cleanly
        # so the terminal is restored.
        exam = self.exam_screen()
        if exam is not None and self.sitting is not None and self.sitting.state.open:
            exam.flush_text()
        self.exit(return_code=143)

    def on_resize(self, event: Resize) -> None:
        self._check_size()

    def _check_size(self) -> None:
        small = self.size.width < MIN_SIZE[0] or self.size.height < MIN_SIZE[1]
        shown = isinstance(self.screen, TooSmallScreen)
        if small and not shown:
            self.push_screen(TooSmallScreen())
        elif not small and shown:
            self.pop_screen()

    # -- helpers -------------------------------------------------------------------

    def text_of(self, module: Module, texts: dict[str, str]) -> str:
        chain = fallback_chain(self.language, module.meta.fallback, module.meta.languages)
        return pick_locale(texts, chain)[0]

    def open_store(self) -> Store:
        if self.store is None:
            self.store = Store(self.db_path)
        return self.store

    def action_next_theme(self) -> None:
        index = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(index + 1) % len(THEMES)]

    def exam_screen(self) -> ExamScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, ExamScreen)), None)

    def action_leave(self) -> None:
        if self.sitting is None or not self.sitting.state.open:
            self.exit()
            return
        if isinstance(self.screen, LeaveScreen):
            return
        exam = self.exam_screen()
        unsaved = exam is not None and not exam.flush_text()

        def decide(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(LeaveScreen(self.resume_code, unsaved), decide)

    # -- the flow ------------------------------------------------------------------

    def choose_language(self, language: str) -> None:
        self.language = language
        set_language(language)
        self.push_screen(ModuleScreen())

    def choose_module(self, module_id: str) -> None:
        self.module = self.bank.module(module_id)
        if self.module is not None:
            self.push_screen(CountryScreen(self.module))

    def choose_context(self, code: str) -> None:
        self.context = code
        self.push_screen(IdentifyScreen())

    def identify(self, learner_id: str, name: str | None) -> str | None:
        """Go on after identification; returns an error message to show, if any."""
        assert self.module is not None and self.context is not None
        try:
            store = self.open_store()
            unfinished = [a for a in store.attempts(learner=learner_id, module=self.module.id,
                                                    lifecycle="in_progress")]
        except MqexamError as error:
            return error.message
        self.learner = (learner_id, name)
        if unfinished:
            self.push_screen(ResumeScreen(unfinished[0].id))
            return None
        from mqexam.competence import sitting_choices
        from mqexam.exam.form import build_form

        try:
            self.plan, self.seen = sitting_choices(
                store, self.module, learner_id, self.context, self.clock().date(),
                with_archive(store, self.bank.modules))
            preview = build_form(self.module, self.context, self.language, 0, seen=self.seen)
        except MqexamError as error:
            return error.message
        minutes = max(1, preview.time_limit_seconds // 60)
        bonus = self.plan if self.plan.full_exam is None else None
        self.push_screen(SummaryScreen(self.module, self.context, len(preview.items), minutes,
                                       bonus))
        return None

    def start_attempt(self, bonus: bool = False) -> str | None:
        """Start the full exam, or (``bonus``) the bonus exam of the learner's plan."""
        assert self.module is not None and self.context is not None and self.learner
        if self.sitting is not None and self.sitting.state.open:
            return None  # Start pressed twice: one attempt only
        extra: dict[str, Any] = {"seen": self.seen}
        if bonus and self.plan is not None and self.plan.item_ids:
            extra = {"kind": "bonus", "item_ids": self.plan.item_ids,
                     "builds_on": self.plan.builds_on}
        try:
            sitting, code = Sitting.start(
                self.open_store(), self.module, context=self.context, locale=self.language,
                learner_id=self.learner[0], name=self.learner[1], now=self.clock(),
                seed=self.seed, **extra)
        except MqexamError as error:
            return error.message
        self.sitting, self.resume_code = sitting, code
        self.switch_to_exam()
        return None

    def resume(self, attempt_id: str, code: str | None,
               assessor: tuple[str, str] | None = None) -> str | None:
        """Reopen an attempt with its resume code, or with an assessor's name and passphrase."""
        store = self.open_store()
        if assessor is not None:
            from mqexam.store.assessors import check_passphrase

            try:
                check_passphrase(store, assessor[0], assessor[1], self.clock())
            except MqexamError as error:
                return error.message
        elif code is None or not Sitting.unlock(store, attempt_id, code):
            return _("That is not the resume code of this attempt. Check it, or ask your "
                     "assessor.")
        try:
            sitting = Sitting.open(store, with_archive(store, self.bank.modules), attempt_id)
        except MqexamError as error:
            return error.message
        self.sitting = sitting
        self.resume_code = code.upper() if code else _("(ask your assessor)")
        self.language = sitting.state.locale if sitting.state.locale in (
            "en", "da", "de") else self.language
        set_language(self.language)
        try:
            if sitting.close_if_due(self.clock()):
                self.show_result(expired_now=True)
                return None
        except MqexamError as error:
            return error.message
        self.switch_to_exam()
        return None

    def switch_to_exam(self) -> None:
        assert self.sitting is not None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(ExamScreen(self.sitting, self.resume_code))

    def show_result(self, expired_now: bool = False) -> None:
        assert self.sitting is not None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(ResultScreen(self.sitting, expired_now))
        if expired_now:
            self.notify(_("Time is up. Your answers were saved."), timeout=10)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
