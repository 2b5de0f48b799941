"""The assessor app's screens: log in, the attempt list, the attempt detail.

Called by :class:`mqexam.tui.assessor.app.AssessorApp`. The list filters and
sorts; the detail shows every item as the learner saw it beside the key for the
learner's country, the results per outcome and the full event timeline, and
opens the dialogs. Every decision is recorded through :class:`mqexam.review.Review`
(an event in the attempt's chain); nothing here scores or writes SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from mqexam.errors import MqexamError
from mqexam.exam.attempt import parse_time
from mqexam.exam.present import answer_lines, key_lines
from mqexam.exam.report import label
from mqexam.i18n import (
    INTERFACE_LANGUAGES,
    N_,
    _,
    country_name,
    format_datetime,
    format_percent,
    language_name,
    set_language,
)
from mqexam.store.status import STATUSES
from mqexam.tui.assessor.dialogs import (
    DECISIONS,
    SUPERVISION,
    GradeDialog,
    ReasonDialog,
    SignDialog,
)
from mqexam.tui.common import Heading, TranslatedFooter
from mqexam.tui.items import clean_text

if TYPE_CHECKING:
    from mqexam.review import Review
    from mqexam.tui.assessor.app import AssessorApp

STATUS_LABELS = {"awaiting_review": N_("awaiting review"), "passed": N_("passed"),
                 "failed": N_("failed"), "signed_before_regrade": N_("signed before a regrade")}
PAGE = 500


def status_label(code: str) -> str:
    return _(STATUS_LABELS[code]) if code in STATUS_LABELS else label(code)


class AssessorScreen(Screen[None]):
    @property
    def assessor_app(self) -> AssessorApp:
        return self.app  # type: ignore[return-value]


class LoginScreen(AssessorScreen):
    def compose(self) -> ComposeResult:
        yield Heading(_("Assessor log-in"))
        with VerticalScroll(classes="panel"):
            yield Label(_("Language"))
            yield Select([(language_name(tag), tag) for tag in INTERFACE_LANGUAGES],
                         id="language", allow_blank=False, value=self.assessor_app.language)
            yield Label(_("Assessor name"))
            yield Input(id="name", max_length=80)
            yield Label(_("Passphrase"))
            yield Input(id="passphrase", password=True, max_length=200)
            yield Static("", id="problem", classes="error")
            yield Button(_("Log in"), id="login", variant="primary")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Select.Changed, "#language")
    def _language(self, event: Select.Changed) -> None:
        if event.value != self.assessor_app.language:
            self.assessor_app.language = str(event.value)
            set_language(self.assessor_app.language)
            self.refresh(recompose=True)

    @on(Input.Submitted, "#name")
    def _to_passphrase(self) -> None:
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    @on(Button.Pressed, "#login")
    def _login(self) -> None:
        name = clean_text(self.query_one("#name", Input).value)
        secret = self.query_one("#passphrase", Input).value
        self.query_one("#passphrase", Input).value = ""
        error = self.assessor_app.log_in(name, secret)
        if error:
            self.query_one("#problem", Static).update(error)


class AttemptListScreen(AssessorScreen):
    BINDINGS = [
        Binding("ctrl+r", "reload", N_("Reload")),
        Binding("ctrl+l", "prior", N_("Prior learning")),
        Binding("ctrl+a", "analysis", N_("Item analysis")),
        Binding("ctrl+q", "app.quit", N_("Quit"), priority=True),
    ]

    def compose(self) -> ComposeResult:
        app = self.assessor_app
        yield Heading(_("Attempts — assessor {name}").format(name=app.assessor))
        with Horizontal(id="filters"):
            yield Input(placeholder=_("Learner id"), id="learner")
            yield Select([(status_label(s), s) for s in STATUSES], prompt=_("Any status"),
                         id="status")
            yield Select([(m.id, m.id) for m in app.bank.modules], prompt=_("Any module"),
                         id="module")
            codes = sorted({c for m in app.bank.modules for c in m.context_codes})
            yield Select([(f"{c} {country_name(c)}", c) for c in codes],
                         prompt=_("Any country"), id="context")
        yield DataTable(id="attempts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, title in (("id", N_("Attempt")), ("started", N_("Started")),
                           ("learner", N_("Learner")), ("module", N_("Module")),
                           ("context", N_("Country")), ("status", N_("Status")),
                           ("score", N_("Score"))):
            table.add_column(_(title), key=key)
        self.action_reload()
        table.focus()

    def filters(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        learner = clean_text(self.query_one("#learner", Input).value)
        if learner:
            values["learner"] = learner
        for name in ("module", "context"):
            value = self.query_one(f"#{name}", Select).value
            if value is not Select.NULL:
                values[name] = value
        return values

    def action_reload(self) -> None:
        from mqexam.store.status import attempt_statuses

        app = self.assessor_app
        assert app.store is not None  # the list opens only after log-in
        wanted = self.query_one("#status", Select).value
        try:
            status = None if wanted is Select.NULL else str(wanted)
            rows = attempt_statuses(app.store, status=status, **self.filters())
        except MqexamError as error:
            self.query_one("#count", Static).update(error.message)
            return
        table = self.query_one(DataTable)
        table.clear()
        for row, status, summary in rows[:PAGE]:
            share = format_percent(summary["share"]) if summary else ""
            table.add_row(row.id, row.started_at[:16].replace("T", " "), row.learner_id,
                          f"{row.module_id} {row.module_version}", row.context,
                          status_label(status), share, key=row.id)
        shown = min(len(rows), PAGE)
        self.query_one("#count", Static).update(
            _("{shown} of {total} attempts shown; filter to narrow, Enter opens one").format(
                shown=shown, total=len(rows)))

    @on(Input.Submitted, "#learner")
    @on(Select.Changed)
    def _filter(self) -> None:
        self.action_reload()

    @on(DataTable.HeaderSelected)
    def _sort(self, event: DataTable.HeaderSelected) -> None:
        event.data_table.sort(event.column_key)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        self.assessor_app.open_attempt(str(event.row_key.value))

    def action_analysis(self) -> None:
        module_id = self.query_one("#module", Select).value
        if module_id is Select.NULL:
            self.notify(_("Choose a module first."), severity="warning")
            return
        context = self.query_one("#context", Select).value
        self.app.push_screen(AnalysisScreen(
            str(module_id), None if context is Select.NULL else str(context)))

    def action_prior(self) -> None:
        learner = clean_text(self.query_one("#learner", Input).value)
        module_id = self.query_one("#module", Select).value
        if not learner or module_id is Select.NULL:
            self.notify(_("Type a learner id and choose a module first."), severity="warning")
            return
        self.assessor_app.record_prior(learner, str(module_id))


class AttemptScreen(AssessorScreen):
    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("ctrl+g", "grade", N_("Grade")),
        Binding("ctrl+s", "sign", N_("Sign")),
        Binding("ctrl+t", "extend", N_("Extra time")),
        Binding("ctrl+v", "void", N_("Void")),
        Binding("ctrl+l", "prior", N_("Prior learning")),
    ]

    def __init__(self, review: Review) -> None:
        super().__init__()
        self.review = review

    def compose(self) -> ComposeResult:
        yield Heading(_("Attempt {id}").format(id=self.review.state.attempt_id))
        with VerticalScroll(id="detail"):
            yield from self.sections()
        yield TranslatedFooter()

    def sections(self) -> ComposeResult:
        review, state = self.review, self.review.state
        result = review.result()
        start = state.start
        ctx = review.module.context(state.context)
        guideline = f" ({ctx.guideline})" if ctx and ctx.guideline else ""
        rows = [
            (_("Learner"), state.learner_id),
            (_("Module"), f"{start['module']} {start['version']} · {start['content_hash'][:19]}"),
            (_("Country"), country_name(state.context) + guideline),
            (_("Language"), language_name(state.locale, self.assessor_app.language)),
            (_("Kind"), _("bonus exam") if start.get("kind") == "bonus" else _("full exam")),
            (_("Status"), status_label(review.status())),
            (_("Overall"), f"{format_percent(result.share)} "
             + (_("(passed)") if result.passed else _("(awaiting assessor)")
                if result.passed is None else _("(not passed)"))),
        ]
        with Vertical(classes="block"):
            for name, value in rows:
                with Horizontal(classes="row"):
                    yield Label(name, classes="label")
                    yield Static(value, classes="value")
        yield Label(_("Outcomes"), classes="question")
        for outcome_id, text in review.form.outcomes:
            row = result.outcomes.get(outcome_id)
            if row is None:
                continue
            mark = "✓" if row.passed else ("✗" if row.passed is False else "·")
            yield Static(f"{mark} {format_percent(row.share)}  {text}")
        for signature in state.signatures:
            yield Static("✍ " + _("{decision} — {assessor}, {at}: {reason} ({supervision})").format(
                decision=_(DECISIONS.get(signature.get("decision", ""), "?")),
                assessor=signature.get("assessor", "?"),
                at=format_datetime(parse_time(signature["at"])), reason=signature.get("reason"),
                supervision=_(SUPERVISION.get(signature.get("supervision", ""), "?"))),
                classes="signature")
        if state.voided:
            yield Static(_("Voided: {reason}").format(reason=state.voided.get("reason")),
                         classes="error")
        yield Label(_("Items"), classes="question")
        scores = {s.item_id: s for s in result.items}
        for item in review.form.items:
            score = scores[item.id]
            answer = state.answers.get(item.id)
            with Vertical(classes="item"):
                yield Static(f"{item.position}. [{item.id}] {item.text}", classes="stem")
                if item.type == "practical":
                    grade = state.grades.get(item.id)
                    given = grade.get("criteria", {}) if grade else {}
                    for cid, text, required in item.criteria:
                        mark = "✓" if given.get(cid) else ("✗" if grade else "·")
                        yield Static(f"   {mark} {text}" + (" *" if required else ""))
                    if grade and grade.get("comment"):
                        yield Static("   " + _("Comment:") + " " + str(grade["comment"]))
                else:
                    yield Static("   " + _("Answer:") + " "
                                 + ("; ".join(answer_lines(item, answer)) or _("(none)")))
                    yield Static("   " + _("Key:") + " " + "; ".join(key_lines(item)))
                yield Static("   " + _("Score:") + f" {score.points:g}/{score.max_points:g} "
                             f"({label(score.status)})")
                if item.why:
                    yield Static("   " + _("Why:") + " " + item.why, classes="hint")
        yield Label(_("Timeline"), classes="question")
        previous: datetime | None = None
        for event in self.review.store.events(state.attempt_id):
            moment = parse_time(event.at)
            gap = ""
            if previous is not None and (moment - previous).total_seconds() > 120:
                gap = "  " + _("(gap of {minutes} min)").format(
                    minutes=int((moment - previous).total_seconds() // 60))
            previous = moment
            detail = event.payload.get("item") or event.payload.get("reason") or ""
            yield Static(f"{event.seq:>3} {format_datetime(moment)}  {event.kind}  {detail}{gap}")

    def reload(self) -> None:
        self.refresh(recompose=True)

    def record(self, action: Any) -> None:
        try:
            action(self.assessor_app.clock())
        except MqexamError as error:
            self.notify(error.message, severity="error", timeout=8)
            return
        self.notify(_("Recorded."))
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_grade(self) -> None:
        practical = [i for i in self.review.form.items if i.type == "practical"]
        if not practical:
            self.notify(_("This attempt has no practical item to grade."), severity="warning")
            return
        item = next((i for i in practical if i.id not in self.review.state.grades), practical[0])
        previous = self.review.state.grades.get(item.id, {}).get("criteria")

        def done(grade: Any) -> None:
            if grade is not None:
                self.record(lambda now: self.review.grade(item.id, grade.criteria,
                                                          grade.comment, now))

        self.app.push_screen(GradeDialog(item, previous), done)

    def action_sign(self) -> None:
        result = self.review.result()
        outcomes = [(oid, text, result.outcomes[oid].passed)
                    for oid, text in self.review.form.outcomes if oid in result.outcomes]

        def done(sig: Any) -> None:
            if sig is not None:
                self.record(lambda now: self.review.sign(
                    sig.decision, sig.outcomes, sig.reason, sig.supervision,
                    sig.identity_checked, now))

        self.app.push_screen(SignDialog(outcomes), done)

    def action_void(self) -> None:
        def done(value: Any) -> None:
            if value is not None:
                self.record(lambda now: self.review.void(value[0], now))

        self.app.push_screen(ReasonDialog(_("Void the attempt")), done)

    def action_extend(self) -> None:
        reopen = self.review.state.lifecycle == "expired"

        def done(value: Any) -> None:
            if value is not None:
                self.record(lambda now: self.review.extend(value[1], value[0], now,
                                                           reopen=reopen))

        self.app.push_screen(ReasonDialog(_("Grant extra time"), minutes=True), done)

    def action_prior(self) -> None:
        self.assessor_app.record_prior(self.review.state.learner_id, self.review.module.id)


FLAG_LABELS = {"too_easy": N_("too easy"), "too_hard": N_("too hard"),
               "negative_discrimination": N_("discriminates negatively")}


class AnalysisScreen(AssessorScreen):
    """Item statistics for one module version (and optionally one country)."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]

    def __init__(self, module_id: str, context: str | None) -> None:
        super().__init__()
        self.module_id = module_id
        self.context = context

    def compose(self) -> ComposeResult:
        where = f" · {country_name(self.context)}" if self.context else ""
        yield Heading(_("Item analysis: {module}").format(module=self.module_id) + where)
        yield DataTable(id="analysis", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        from mqexam.item_analysis import item_analysis

        app = self.assessor_app
        module = app.bank.module(self.module_id)
        table = self.query_one(DataTable)
        for key, title in (("item", N_("Item")), ("seen", N_("Seen")),
                           ("facility", N_("Facility")), ("disc", N_("Discrimination")),
                           ("time", N_("Mean time")), ("flags", N_("Flags"))):
            table.add_column(_(title), key=key)
        if module is None or app.store is None:
            return
        try:
            analysis = item_analysis(app.store, module, self.context)
        except MqexamError as error:
            self.query_one("#count", Static).update(error.message)
            return
        for row in analysis.items:
            table.add_row(
                row.item_id, str(row.seen),
                format_percent(row.facility) if row.facility is not None else "–",
                f"{row.discrimination:+.2f}" if row.discrimination is not None else "–",
                f"{row.mean_seconds:.0f} s" if row.mean_seconds is not None else "–",
                ", ".join(_(FLAG_LABELS.get(f, f)) for f in row.flags), key=row.item_id)
        self.query_one("#count", Static).update(
            _("{n} closed attempts of version {version}").format(
                n=analysis.attempts, version=analysis.version))
        table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
