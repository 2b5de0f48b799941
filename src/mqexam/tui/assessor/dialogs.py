"""Modal dialogs of the assessor app: grade a practical item, sign, void, extra time,
prior learning. Each collects input and returns it; the screen that opened it records
it through :class:`mqexam.review.Review` (dialogs never write and never score)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from mqexam.exam.form import FormItem
from mqexam.i18n import N_, _, country_name
from mqexam.tui.items import clean_text

SUPERVISION = {
    "unsupervised": N_("Unsupervised, no identity check"),
    "supervised_online": N_("Supervised online"),
    "supervised_on_site": N_("Supervised on site"),
}
DECISIONS = {"competent": N_("Competent"), "not_yet_competent": N_("Not yet competent")}


class Dialog(ModalScreen[Any]):
    """A titled form with OK and Cancel; ``collect()`` returns the value or an error text."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    TITLE_TEXT = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Label(_(self.TITLE_TEXT), classes="question")
            yield from self.fields()
            yield Static("", id="problem", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Record"), id="ok", variant="primary")

    def fields(self) -> ComposeResult:
        yield from ()

    def collect(self) -> Any:
        raise NotImplementedError

    def fail(self, message: str) -> None:
        self.query_one("#problem", Static).update(message)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.collect()
        if value is not None:
            self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class Grade:
    criteria: dict[str, bool]
    comment: str


class GradeDialog(Dialog):
    TITLE_TEXT = N_("Grade the practical task")

    def __init__(self, item: FormItem, previous: dict[str, bool] | None = None) -> None:
        super().__init__()
        self.item = item
        self.previous = previous or {}

    def fields(self) -> ComposeResult:
        yield Static(self.item.text)
        for criterion_id, text, required in self.item.criteria:
            mark = " *" if required else ""
            yield Checkbox(f"{text}{mark}", value=self.previous.get(criterion_id, False),
                           id=f"c-{criterion_id}")
        yield Label(_("* required: the task fails when it is not met"), classes="hint")
        yield Label(_("Comment"))
        yield Input(id="comment", max_length=500)

    def collect(self) -> Grade:
        criteria = {cid: self.query_one(f"#c-{cid}", Checkbox).value
                    for cid, _text, _required in self.item.criteria}
        return Grade(criteria, clean_text(self.query_one("#comment", Input).value))


@dataclass
class Signature:
    decision: str
    outcomes: dict[str, str]
    reason: str
    supervision: str
    identity_checked: bool


class SignDialog(Dialog):
    TITLE_TEXT = N_("Sign off the attempt")

    def __init__(self, outcomes: list[tuple[str, str, bool | None]]) -> None:
        super().__init__()
        self.outcomes = outcomes  # (id, text, passed)

    def fields(self) -> ComposeResult:
        choices = [(_(text), key) for key, text in DECISIONS.items()]
        yield Label(_("Overall decision"))
        yield Select(choices, id="decision", allow_blank=False, value="competent")
        for outcome_id, text, passed in self.outcomes:
            yield Label(text)
            yield Select(choices, id=f"o-{outcome_id}", allow_blank=False,
                         value="competent" if passed else "not_yet_competent")
        yield Label(_("Supervision during the sitting"))
        with RadioSet(id="supervision"):
            for key, text in SUPERVISION.items():
                yield RadioButton(_(text), name=key, value=key == "supervised_on_site")
        yield Checkbox(_("Identity checked"), id="identity", value=True)
        yield Label(_("Reason (required)"))
        yield Input(id="reason", max_length=1000)

    def collect(self) -> Signature | None:
        reason = clean_text(self.query_one("#reason", Input).value)
        if not reason:
            self.fail(_("A decision needs a reason."))
            return None
        pressed = self.query_one("#supervision", RadioSet).pressed_button
        return Signature(
            decision=str(self.query_one("#decision", Select).value),
            outcomes={oid: str(self.query_one(f"#o-{oid}", Select).value)
                      for oid, _text, _passed in self.outcomes},
            reason=reason,
            supervision=pressed.name if pressed and pressed.name else "supervised_on_site",
            identity_checked=self.query_one("#identity", Checkbox).value,
        )


class ReasonDialog(Dialog):
    """Void an attempt, or grant extra time (with minutes)."""

    def __init__(self, title: str, minutes: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.minutes = minutes

    def compose(self) -> ComposeResult:
        self.TITLE_TEXT = self.title_text
        yield from super().compose()

    def fields(self) -> ComposeResult:
        if self.minutes:
            yield Label(_("Extra minutes"))
            yield Input(id="minutes", type="integer", value="10")
        yield Label(_("Reason (required)"))
        yield Input(id="reason", max_length=1000)

    def collect(self) -> tuple[str, int] | None:
        reason = clean_text(self.query_one("#reason", Input).value)
        if not reason:
            self.fail(_("A reason is required."))
            return None
        minutes = 0
        if self.minutes:
            try:
                minutes = int(self.query_one("#minutes", Input).value)
            except ValueError:
                minutes = 0
            if not 1 <= minutes <= 600:
                self.fail(_("Give between 1 and 600 minutes."))
                return None
        return reason, minutes


class PriorDialog(Dialog):
    TITLE_TEXT = N_("Record prior learning (RKV)")

    def __init__(self, outcomes: list[tuple[str, str]], contexts: list[str]) -> None:
        super().__init__()
        self.outcomes = outcomes
        self.contexts = contexts

    def fields(self) -> ComposeResult:
        yield Label(_("Outcome demonstrated"))
        yield Select([(text, oid) for oid, text in self.outcomes], id="outcome",
                     allow_blank=False, value=self.outcomes[0][0])
        yield Label(_("For which country"))
        yield Select([(_("Every country"), ""), *((country_name(c), c) for c in self.contexts)],
                     id="context", allow_blank=False, value="")
        yield Label(_("Document (e.g. course certificate, employer statement)"))
        yield Input(id="document", max_length=200)
        yield Label(_("Issued by"))
        yield Input(id="issuer", max_length=200)
        yield Label(_("Date of the document (YYYY-MM-DD)"))
        yield Input(id="date", max_length=10)
        yield Label(_("Reason (required)"))
        yield Input(id="reason", max_length=1000)

    def collect(self) -> dict[str, Any] | None:
        values = {name: clean_text(self.query_one(f"#{name}", Input).value)
                  for name in ("document", "issuer", "date", "reason")}
        if not all(values.values()):
            self.fail(_("Fill in every field."))
            return None
        try:
            date.fromisoformat(values["date"])
        except ValueError:
            self.fail(_("'{value}' is not a date (YYYY-MM-DD)").format(value=values["date"]))
            return None
        context = str(self.query_one("#context", Select).value)
        return {"outcome_id": str(self.query_one("#outcome", Select).value),
                "context": context or None, "document_type": values["document"],
                "issuer": values["issuer"], "document_date": values["date"],
                "reason": values["reason"]}
