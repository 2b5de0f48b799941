"""After the attempt closes: the result as the rules allow, and a receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static

from mqexam.i18n import N_, _, format_percent
from mqexam.tui.common import Heading, TranslatedFooter

if TYPE_CHECKING:
    from mqexam.sitting import Sitting


class ResultScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+q", "app.quit", N_("Finish"), priority=True)]

    def __init__(self, sitting: Sitting, expired_now: bool = False) -> None:
        super().__init__()
        self.sitting = sitting
        self.expired_now = expired_now

    def compose(self) -> ComposeResult:
        state = self.sitting.state
        result = self.sitting.result()
        yield Heading(_("Your result"))
        with VerticalScroll(classes="panel"):
            if state.lifecycle == "expired":
                yield Static(_("Time is up. Your answers given before the deadline were saved "
                               "and the attempt is closed."), classes="warning")
            if result.awaiting_review:
                yield Static(_("Awaiting your assessor: a practical task is still to be "
                               "assessed. Your result is final once it has been."),
                             classes="verdict")
            elif result.passed:
                yield Static("✓ " + _("Passed"), classes="verdict passed")
            else:
                yield Static("✗ " + _("Not passed"), classes="verdict failed")
            yield Label(_("Overall: {share} (needed {needed})").format(
                share=format_percent(result.share),
                needed=format_percent(self.sitting.form.pass_overall)))
            for outcome_id, text in self.sitting.form.outcomes:
                row = result.outcomes.get(outcome_id)
                if row is None:
                    continue
                mark = "✓" if row.passed else ("✗" if row.passed is False else "·")
                with Horizontal(classes="row"):
                    yield Static(f"{mark} {format_percent(row.share)}", classes="label")
                    yield Static(text, classes="value")
            yield Label(_("Receipt"), classes="question")
            yield Static(_("Attempt: {id}").format(id=state.attempt_id), id="receipt-id")
            yield Static(_("Last event hash: {hash}").format(hash=state.last_hash),
                         id="receipt-hash")
            yield Static(_("Keep this receipt: it proves which attempt was yours."),
                         classes="hint")
        yield TranslatedFooter()
