"""The assessor app (``mqexam assess``): nothing opens without an assessor's passphrase.

Owns the log-in (through :func:`mqexam.store.assessors.check_passphrase`, which
counts failures and locks an account after five), the interface language, and
opening attempts for review. Decisions are events recorded by
:class:`mqexam.review.Review`; prior learning goes through :mod:`mqexam.store.prior`.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from mqexam.bank.loader import LoadResult, load_bank
from mqexam.bank_archive import with_archive
from mqexam.clock import now as wall_clock
from mqexam.errors import MqexamError
from mqexam.exam.attempt import format_time
from mqexam.i18n import N_, _, set_language
from mqexam.store.db import Store
from mqexam.tui.app import HIGH_CONTRAST, THEMES
from mqexam.tui.assessor.dialogs import PriorDialog
from mqexam.tui.assessor.screens import AttemptListScreen, AttemptScreen, LoginScreen


class AssessorApp(App[None]):
    CSS_PATH = Path(__file__).parent / "assessor.tcss"
    TITLE = "mqexam — assessor"
    BINDINGS = [Binding("f2", "next_theme", N_("Theme"))]

    def __init__(self, banks: Path, db: Path, *, language: str = "en",
                 clock: Callable[[], datetime] = wall_clock) -> None:
        super().__init__()
        self.banks_dir = banks
        self.db_path = db
        self.language = language
        self.clock = clock
        self.bank = LoadResult()
        self.store: Store | None = None
        self.assessor = ""

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = THEMES[0]
        set_language(self.language)
        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(sig, lambda: self.exit(return_code=143))
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        self.bank = load_bank(self.banks_dir)
        self.push_screen(LoginScreen())

    def action_next_theme(self) -> None:
        index = THEMES.index(self.theme) if self.theme in THEMES else -1
        self.theme = THEMES[(index + 1) % len(THEMES)]

    def log_in(self, name: str, passphrase: str) -> str | None:
        from mqexam.store.assessors import check_passphrase

        if not name:
            return _("Type your assessor name.")
        try:
            if self.store is None:
                self.store = Store(self.db_path)
            check_passphrase(self.store, name, passphrase, self.clock())
        except MqexamError as error:
            return error.message
        self.assessor = name
        self.switch_screen(AttemptListScreen())
        return None

    def open_attempt(self, attempt_id: str) -> None:
        from mqexam.review import Review

        assert self.store is not None
        try:
            modules = with_archive(self.store, self.bank.modules)
            review = Review.open(self.store, modules, attempt_id, self.assessor)
        except MqexamError as error:
            self.notify(error.message, severity="error", timeout=8)
            return
        self.push_screen(AttemptScreen(review))

    def record_prior(self, learner_id: str, module_id: str) -> None:
        from mqexam.bank.resolve import pick_locale
        from mqexam.i18n import fallback_chain
        from mqexam.store.prior import record_prior

        module = self.bank.module(module_id)
        if module is None or self.store is None:
            self.notify(_("Module {id} is not in the bank.").format(id=module_id),
                        severity="error")
            return
        chain = fallback_chain(self.language, module.meta.fallback, module.meta.languages)
        outcomes = [(o.id, pick_locale(o.text, chain)[0]) for o in module.meta.outcomes]
        store = self.store

        def done(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            try:
                record_id = record_prior(store, learner_id=learner_id, module_id=module_id,
                                         assessor=self.assessor,
                                         recorded_at=format_time(self.clock()), **values)
            except MqexamError as error:
                self.notify(error.message, severity="error", timeout=8)
                return
            self.notify(_("Prior learning recorded for {learner} ({id}).").format(
                learner=learner_id, id=record_id))

        self.push_screen(PriorDialog(outcomes, module.context_codes), done)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
