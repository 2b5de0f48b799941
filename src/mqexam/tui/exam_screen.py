"""The exam itself: one item at a time, overview, flag, submit, timer.

Called by the learner app once a sitting is open. Owns navigation and the save
status line: an answer shows as saved only after the sitting returned, which is
after the database committed it; a failed write stays on screen to retry. It
never scores: the result comes from the sitting when the attempt closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Label, Static

from mqexam.errors import MqexamError
from mqexam.i18n import N_, _, ngettext
from mqexam.tui.common import TranslatedFooter
from mqexam.tui.items import AnswerChanged, TextPending, TextWidget, focus_target, widget_for

if TYPE_CHECKING:
    from mqexam.sitting import Sitting
    from mqexam.tui.app import LearnerApp

WARN_AT_SECONDS = (10 * 60, 2 * 60)
TEXT_SAVE_DELAY = 0.6


def clock_text(seconds: int) -> str:
    minutes, secs = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ExamScreen(Screen[None]):
    BINDINGS = [
        Binding("pagedown,ctrl+n", "move(1)", N_("Next"), priority=True),
        Binding("pageup,ctrl+b", "move(-1)", N_("Previous"), priority=True),
        Binding("ctrl+f", "flag", N_("Flag"), priority=True),
        Binding("ctrl+g", "overview", N_("Overview"), priority=True),
        Binding("ctrl+e", "submit", N_("Submit"), priority=True),
        Binding("ctrl+r", "retry", N_("Retry save"), show=False, priority=True),
    ]

    def __init__(self, sitting: Sitting, resume_code: str) -> None:
        super().__init__()
        self.sitting = sitting
        self.resume_code = resume_code
        items = sitting.form.items
        current = sitting.state.current
        self.index = next((i for i, it in enumerate(items) if it.id == current), 0)
        self.pending: tuple[str, Any] | None = None
        self.text_timer: Timer | None = None
        self.warned: set[int] = set()

    @property
    def learner_app(self) -> LearnerApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("", id="position")
            yield Static("", id="status")
            yield Static("", id="timer")
        with VerticalScroll(id="body"):
            yield Static("", id="stem")
            yield Vertical(id="answer-area")
        with Horizontal(id="bottombar"):
            yield Static(_("Resume code: {code}").format(code=self.resume_code), id="code")
            yield Static("", id="flag")
        # The palette (Ctrl+P) still works; the exam footer keeps its room for exam keys.
        yield TranslatedFooter(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        if not self.query("#position"):  # torn down before it was shown (app exiting)
            return
        self.show_item(self.index, record=False)
        self.tick()
        self.set_interval(1.0, self.tick)

    # -- items -------------------------------------------------------------------

    def show_item(self, index: int, record: bool = True) -> None:
        items = self.sitting.form.items
        self.index = max(0, min(index, len(items) - 1))
        item = items[self.index]
        self.query_one("#position", Static).update(
            _("Question {n} of {total}").format(n=item.position, total=len(items)))
        self.query_one("#stem", Static).update(item.text)
        area = self.query_one("#answer-area", Vertical)
        area.remove_children()
        widget = widget_for(item, self.sitting.state.answers.get(item.id))
        area.mount(widget)
        self.call_after_refresh(self._focus, widget)
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        self.update_flag()
        if self.pending is not None:
            self.save_pending()  # an answer that failed to save is retried, never hidden
        if self.pending is None:
            self.set_status("✓ " + _("Saved") if item.id in self.sitting.state.answers else "")
        if record:
            self.guard(lambda now: self.sitting.show(item.id, now))

    def _focus(self, widget: Any) -> None:
        target = focus_target(widget)
        if target is not None:
            target.focus()

    def update_flag(self) -> None:
        item = self.sitting.form.items[self.index]
        flagged = item.id in self.sitting.state.flags
        self.query_one("#flag", Static).update(
            "⚑ " + _("Flagged for review") if flagged else "")

    def flush_text(self) -> bool:
        """Save typed text now, before moving away, submitting or closing; False if it failed."""
        if self.text_timer is not None:
            self.text_timer.stop()
            self.text_timer = None
        for widget in self.query(TextWidget):
            value = widget.typed()
            if value is not None:
                self.pending = (widget.item.id, value or None)
                self.save_pending()
        return self.pending is None

    # -- saving ------------------------------------------------------------------

    def guard(self, action: Any) -> bool:
        """Run a recording action; on time-up go to the result, on failure say so."""
        try:
            action(self.learner_app.clock())
        except MqexamError as error:
            if not self.sitting.state.open:
                self.learner_app.show_result(expired_now=True)
                return False
            self.set_status(_("Not saved: {reason}. Press Ctrl+R to try again.").format(
                reason=error.message), error=True)
            return False
        return True

    def set_status(self, text: str, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    @on(AnswerChanged)
    def _answer(self, event: AnswerChanged) -> None:
        unchanged = self.sitting.state.answers.get(event.item_id) == event.answer
        if unchanged and (self.pending is None or self.pending[0] != event.item_id):
            return  # a widget re-announcing the stored answer (e.g. on being shown again)
        self.pending = (event.item_id, event.answer)
        self.save_pending()

    def save_pending(self) -> None:
        if self.pending is None:
            return
        item_id, answer = self.pending
        self.set_status(_("Saving…"))
        if self.guard(lambda now: self.sitting.answer(item_id, answer, now)):
            self.pending = None
            self.set_status("✓ " + _("Saved"))
            for widget in self.query(TextWidget):
                if widget.item.id == item_id:
                    widget.initial = answer

    @on(TextPending)
    def _typing(self, event: TextPending) -> None:
        self.set_status(_("Not saved yet…"))
        if self.text_timer is not None:
            self.text_timer.stop()
        self.text_timer = self.set_timer(TEXT_SAVE_DELAY, self.flush_text)

    def action_retry(self) -> None:
        self.save_pending()

    # -- navigation --------------------------------------------------------------

    def action_move(self, step: int) -> None:
        self.flush_text()
        target = self.index + step
        if 0 <= target < len(self.sitting.form.items):
            self.show_item(target)

    def action_flag(self) -> None:
        item = self.sitting.form.items[self.index]
        flagged = item.id not in self.sitting.state.flags
        if self.guard(lambda now: self.sitting.flag(item.id, flagged, now)):
            self.update_flag()
            self.set_status("✓ " + (_("Flagged") if flagged else _("Flag removed")))

    def action_overview(self) -> None:
        self.flush_text()

        def jump(index: int | None) -> None:
            if index is not None:
                self.show_item(index)

        self.app.push_screen(OverviewScreen(self.sitting), jump)

    def action_submit(self) -> None:
        if not self.flush_text() or self.pending is not None:
            self.notify(_("An answer is not saved yet. Press Ctrl+R to try again before "
                          "submitting."), severity="error", timeout=8)
            return

        def decide(confirmed: bool | None) -> None:
            if confirmed and self.guard(lambda now: self.sitting.submit(now)):
                self.learner_app.show_result()

        self.app.push_screen(SubmitScreen(self.sitting), decide)

    # -- time --------------------------------------------------------------------

    def tick(self) -> None:
        now = self.learner_app.clock()
        if self.sitting.state.open and self.sitting.state.is_due(now):
            self.flush_text()
            self.guard(lambda moment: self.sitting.close_if_due(moment))
            if not self.sitting.state.open:
                self.learner_app.show_result(expired_now=True)
                return
        left = int(self.sitting.state.time_left(now).total_seconds())
        timer = self.query_one("#timer", Static)
        timer.update(_("Time left {clock}").format(clock=clock_text(left)))
        total = self.sitting.form.time_limit_seconds
        for threshold in WARN_AT_SECONDS:
            # A warning says time is getting short: never at the start of a short exam.
            if threshold < total and left <= threshold and threshold not in self.warned:
                self.warned.add(threshold)
                minutes = threshold // 60
                if left > threshold - 5:
                    self.notify(ngettext("{n} minute left.", "{n} minutes left.", minutes).format(
                        n=minutes), title=_("Time"), timeout=8)
        timer.set_class(left <= WARN_AT_SECONDS[0], "warn")
        timer.set_class(left <= WARN_AT_SECONDS[1], "urgent")


def item_state(sitting: Sitting, item_id: str) -> tuple[str, str]:
    """(symbol, word) for an item: never colour alone."""
    if item_id in sitting.state.flags:
        return "⚑", _("flagged")
    if item_id in sitting.state.answers:
        return "✓", _("answered")
    if sitting.item(item_id).type == "practical":
        return "◇", _("assessor")
    return "○", _("open")


class OverviewScreen(ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "close", N_("Back"))]

    def __init__(self, sitting: Sitting) -> None:
        super().__init__()
        self.sitting = sitting

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(_("All questions: choose one to go to it"), classes="question")
            with Grid(id="overview"):
                for index, item in enumerate(self.sitting.form.items):
                    symbol, word = item_state(self.sitting, item.id)
                    yield Button(f"{symbol} {item.position:>2} {word}", id=f"go-{index}",
                                 classes="cell")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        current = self.query("Button").first()
        current.focus()

    @on(Button.Pressed)
    def _go(self, event: Button.Pressed) -> None:
        self.dismiss(int(str(event.button.id).removeprefix("go-")))

    def action_close(self) -> None:
        self.dismiss(None)


class SubmitScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", N_("Back"))]

    def __init__(self, sitting: Sitting) -> None:
        super().__init__()
        self.sitting = sitting

    def compose(self) -> ComposeResult:
        items = self.sitting.form.items
        unanswered = [str(i.position) for i in items
                      if i.id not in self.sitting.state.answers and i.type != "practical"]
        flagged = [str(i.position) for i in items if i.id in self.sitting.state.flags]
        with VerticalScroll(id="dialog"):
            yield Label(_("Submit your answers?"), classes="question")
            if unanswered:
                yield Static(_("Not answered: {items}").format(items=", ".join(unanswered)),
                             classes="warning")
            if flagged:
                yield Static(_("Flagged for review: {items}").format(items=", ".join(flagged)),
                             classes="warning")
            if not unanswered and not flagged:
                yield Static(_("Every question has an answer."))
            yield Static(_("After submitting you cannot change your answers."))
            with Horizontal(classes="buttons"):
                yield Button(_("Go back"), id="cancel")
                yield Button(_("Submit now"), id="confirm", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
