"""The start screens: language, module, country, identification, resume, summary.

Called by the learner app. Owns the order a learner goes through before the
clock starts, and shows each choice in the chosen language (languages in their
own names, countries by Babel with the guideline each follows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from mqexam.bank.resolve import pick_locale
from mqexam.i18n import (
    INTERFACE_LANGUAGES,
    N_,
    _,
    country_name,
    fallback_chain,
    format_percent,
    language_name,
    ngettext,
)
from mqexam.tui.common import Heading, TranslatedFooter
from mqexam.tui.items import clean_text

if TYPE_CHECKING:
    from mqexam.bank.model import Module
    from mqexam.exam.bonus import BonusPlan
    from mqexam.tui.app import LearnerApp


class StartScreen(Screen[None]):
    """A start step: a heading, a short explanation, and one choice."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]

    @property
    def learner_app(self) -> LearnerApp:
        return self.app  # type: ignore[return-value]

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()


class LanguageScreen(StartScreen):
    def compose(self) -> ComposeResult:
        yield Heading("mqexam")
        with Vertical(classes="panel"):
            yield Label("Choose your language · Vælg dit sprog · Wählen Sie Ihre Sprache",
                        classes="question")
            yield OptionList(*(Option(language_name(tag), id=tag) for tag in INTERFACE_LANGUAGES),
                             id="choices")
        yield TranslatedFooter()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.learner_app.choose_language(str(event.option.id))


class ModuleScreen(StartScreen):
    def compose(self) -> ComposeResult:
        app = self.learner_app
        yield Heading(_("Choose the module"))
        with Vertical(classes="panel"):
            options = []
            for module in app.bank.modules:
                title = app.text_of(module, module.meta.title)
                options.append(Option(f"{title}  ({module.id} {module.version})", id=module.id))
            if options:
                yield Label(_("Which module are you taking today?"), classes="question")
                yield OptionList(*options, id="choices")
            else:
                yield Label(_("No module can be taken here. Please tell your assessor."),
                            classes="error")
            for name, problems in app.bank.broken.items():
                first = problems[0].render() if problems else ""
                yield Static(_("Module '{id}' cannot be used: {problem}").format(
                    id=name, problem=first), classes="error")
            for problem in app.bank.problems:
                if problem.subject == "bank":
                    yield Static(problem.render(), classes="error")
        yield TranslatedFooter()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.learner_app.choose_module(str(event.option.id))


class CountryScreen(StartScreen):
    def __init__(self, module: Module) -> None:
        super().__init__()
        self.module = module

    def compose(self) -> ComposeResult:
        yield Heading(_("Where will you work?"))
        with Vertical(classes="panel"):
            yield Label(_("The right answers depend on the country where you will work. "
                          "Your language and the country can differ."), classes="question")
            yield OptionList(*(
                Option(f"{country_name(c.code)}" + (f"  ({c.guideline})" if c.guideline else ""),
                       id=c.code)
                for c in sorted(self.module.meta.contexts, key=lambda c: country_name(c.code))),
                id="choices")
        yield TranslatedFooter()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.learner_app.choose_context(str(event.option.id))


class IdentifyScreen(StartScreen):
    def compose(self) -> ComposeResult:
        app = self.learner_app
        yield Heading(_("Who are you?"))
        with VerticalScroll(classes="panel"):
            yield Label(_("Learner id (from your enrolment)"))
            yield Input(value=app.preset_learner or "", id="learner", max_length=64)
            yield Label(_("Full name"))
            yield Input(id="name", max_length=120)
            yield Static("", id="problem", classes="error")
            yield Button(_("Continue"), id="continue", variant="primary")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        target = "#name" if self.learner_app.preset_learner else "#learner"
        self.query_one(target, Input).focus()

    @on(Input.Submitted, "#learner")
    def _next_field(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        learner = clean_text(self.query_one("#learner", Input).value)
        name = clean_text(self.query_one("#name", Input).value)
        problem = self.query_one("#problem", Static)
        if not learner:
            problem.update(_("Please type your learner id."))
            self.query_one("#learner", Input).focus()
            return
        problem.update("")
        error = self.learner_app.identify(learner, name or None)
        if error:
            problem.update(error)


class ResumeScreen(StartScreen):
    """An unfinished attempt exists for this learner: it resumes only with its code."""

    def __init__(self, attempt_id: str) -> None:
        super().__init__()
        self.attempt_id = attempt_id

    def compose(self) -> ComposeResult:
        yield Heading(_("Resume your exam"))
        with VerticalScroll(classes="panel"):
            yield Label(_("You have an unfinished attempt ({id}). Type the resume code that was "
                          "shown at the bottom of your exam screen, or ask your assessor.").format(
                              id=self.attempt_id), classes="question")
            yield Input(id="code", max_length=12, placeholder=_("Resume code"))
            yield Static("", id="problem", classes="error")
            yield Button(_("Resume"), id="resume", variant="primary")
            yield Label(_("Or an assessor unlocks it:"), classes="hint")
            yield Input(id="assessor", max_length=80, placeholder=_("Assessor name"))
            yield Input(id="passphrase", password=True, max_length=200,
                        placeholder=_("Passphrase"))
            yield Button(_("Unlock"), id="unlock")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    @on(Button.Pressed, "#resume")
    def _resume(self) -> None:
        code = clean_text(self.query_one("#code", Input).value)
        error = self.learner_app.resume(self.attempt_id, code)
        if error:
            self.query_one("#problem", Static).update(error)

    @on(Input.Submitted, "#assessor")
    def _to_passphrase(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#unlock")
    def _unlock(self) -> None:
        name = clean_text(self.query_one("#assessor", Input).value)
        secret = self.query_one("#passphrase", Input).value
        self.query_one("#passphrase", Input).value = ""
        error = self.learner_app.resume(self.attempt_id, None, assessor=(name, secret))
        if error:
            self.query_one("#problem", Static).update(error)


class SummaryScreen(StartScreen):
    """What the learner is about to sit, before the clock starts."""

    def __init__(self, module: Module, context: str, items: int, minutes: int,
                 bonus: BonusPlan | None = None) -> None:
        super().__init__()
        self.module = module
        self.context = context
        self.items = items
        self.minutes = minutes
        self.bonus = bonus

    def rows(self) -> list[tuple[str, str]]:
        app, module = self.learner_app, self.module
        ctx = module.context(self.context)
        overall = format_percent(module.meta.pass_rules.overall)
        rules = [_("{share} of all points").format(share=overall)]
        for outcome_id, share in module.meta.pass_rules.outcomes.items():
            outcome = next(o for o in module.meta.outcomes if o.id == outcome_id)
            rules.append(_("{share} in “{outcome}”").format(
                share=format_percent(share), outcome=app.text_of(module, outcome.text)))
        country = country_name(self.context)
        if ctx is not None and ctx.guideline:
            country += f" ({ctx.guideline})"
        return [
            (_("Module"), f"{app.text_of(module, module.meta.title)}, "
             + _("version {version}").format(version=module.version)),
            (_("Country"), country),
            (_("Language"), language_name(app.language)),
            (_("Questions"), str(self.items)),
            (_("Time"), ngettext("{n} minute", "{n} minutes", self.minutes).format(n=self.minutes)),
            (_("To pass"), "; ".join(rules)),
        ]

    def compose(self) -> ComposeResult:
        yield Heading(_("Ready to start"))
        with VerticalScroll(classes="panel"):
            for label, value in self.rows():
                with Horizontal(classes="row"):
                    yield Label(label, classes="label")
                    yield Static(value, classes="value")
            yield Static(_("Every answer is saved the moment you give it. The clock starts "
                           "when you press Start and keeps running if the computer stops."),
                         classes="hint")
            if self.bonus is not None:
                yield Static(self.bonus.summary(), classes="question", id="bonus-summary")
            yield Static("", id="problem", classes="error")
            with Horizontal(classes="buttons"):
                if self.bonus is not None and self.bonus.item_ids:
                    yield Button(_("Start the bonus exam"), id="start-bonus", variant="success")
                    yield Button(_("Start the full exam"), id="start")
                else:
                    yield Button(_("Start"), id="start", variant="success")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query("#start-bonus, #start").first().focus()

    @on(Button.Pressed, "#start")
    @on(Button.Pressed, "#start-bonus")
    def _start(self, event: Button.Pressed) -> None:
        error = self.learner_app.start_attempt(bonus=event.button.id == "start-bonus")
        if error:
            self.query_one("#problem", Static).update(error)


def title_of(module: Module, texts: dict[str, str], language: str) -> str:
    chain = fallback_chain(language, module.meta.fallback, module.meta.languages)
    return pick_locale(texts, chain)[0]

