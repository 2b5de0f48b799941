"""The assessor's side of an attempt: grade, sign, void, extend, regrade.

Called by the assessor app and by tests (as :mod:`mqexam.sitting` is the
learner's side). Owns the rules for what an assessor may record: practical
grades with every criterion of the item's checklist, a decision (competent or
not yet competent, overall and per outcome) with a reason, the supervision and
identity check used, voiding and extra time with a reason, and a regrade to
another version of the same module. Each is an event appended to the attempt's
chain, never an edit: a second signature is appended after the first (the last
is the decision in force, all are kept), and every write names the event it
follows, so a change made meanwhile at another terminal is refused, not lost.

Scores come from a rescore of the answers with the bank version the attempt
uses now: the one named by ``started``, or by the last ``regraded``.

A regrade of a signed attempt is allowed (a key fix must reach every attempt
it touches), but never silently: when it changes the points of any item, the
status reads ``signed_before_regrade`` until someone signs again. Grading a
signed attempt is refused: the grades are part of what was signed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mqexam.bank.model import Module
from mqexam.bank_archive import remember_module
from mqexam.errors import MqexamError
from mqexam.exam.attempt import AttemptState, apply, fold, format_time
from mqexam.exam.events import ChainProblem, Event, event_hash, verify_chain
from mqexam.exam.form import Form, form_from_manifest
from mqexam.exam.scoring import FormResult, ItemScore, score_form
from mqexam.i18n import _
from mqexam.sitting import grades_of, result_summary
from mqexam.store.db import Store
from mqexam.store.status import attempt_events

DECISIONS: tuple[str, ...] = ("competent", "not_yet_competent")
SUPERVISION: tuple[str, ...] = ("unsupervised", "supervised_online", "supervised_on_site")
MAX_EXTENSION_MINUTES = 24 * 60
"""The most extra time one extension grants."""
SIGN_RETRIES = 3
"""Signatures appended elsewhere meanwhile that a signature follows before giving up."""


# -- regrade previews --------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    """One item of an attempt scored with the version in use and with another version."""

    item: str
    before: ItemScore
    after: ItemScore

    @property
    def changed(self) -> bool:
        return (self.before.points != self.after.points
                or self.before.max_points != self.after.max_points)

    def as_json(self) -> dict[str, Any]:
        def side(score: ItemScore) -> dict[str, Any]:
            return {"points": score.points, "max_points": score.max_points,
                    "status": score.status}

        return {"item": self.item, "before": side(self.before), "after": side(self.after)}


@dataclass(frozen=True)
class RegradePreview:
    """What a regrade would do to one attempt: per item and overall, before and after.

    ``signed`` says the attempt carries a decision that a change would put in
    question (its status would read ``signed_before_regrade``).
    """

    attempt_id: str
    from_version: str
    from_hash: str
    to_version: str
    to_hash: str
    items: tuple[ItemChange, ...]
    before: dict[str, Any]
    after: dict[str, Any]
    signed: bool

    @property
    def changes(self) -> tuple[ItemChange, ...]:
        return tuple(change for change in self.items if change.changed)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def pass_changed(self) -> bool:
        return bool(self.before["passed"] != self.after["passed"])

    def as_json(self) -> dict[str, Any]:
        return {
            "attempt": self.attempt_id,
            "from_version": self.from_version, "from_hash": self.from_hash,
            "to_version": self.to_version, "to_hash": self.to_hash,
            "items": [change.as_json() for change in self.items],
            "changes": [change.as_json() for change in self.changes],
            "before": self.before, "after": self.after,
            "pass_changed": self.pass_changed, "signed": self.signed,
        }


# -- helpers -----------------------------------------------------------------


def current_version(state: AttemptState) -> tuple[str, str]:
    """The ``(version, content_hash)`` an attempt is scored with: the last regrade's, or its own."""
    if state.regrades:
        last = state.regrades[-1]
        return str(last["to_version"]), str(last["to_hash"])
    return str(state.start["version"]), str(state.start["content_hash"])


def _module_of(modules: Iterable[Module], state: AttemptState) -> Module:
    version, content_hash = current_version(state)
    module_id = state.start["module"]
    found = next((m for m in modules if m.id == module_id and m.content_hash == content_hash),
                 None)
    if found is None:
        raise MqexamError(_("attempt {id} is scored with {module} {version} ({hash}), which "
                            "is not in the bank").format(id=state.attempt_id, module=module_id,
                                                         version=version,
                                                         hash=content_hash[:19]))
    return found


def _form_of(module: Module, state: AttemptState) -> Form:
    return form_from_manifest(module, state.context, state.locale, state.start["form"])


def _text(value: object, what: str) -> str:
    """A required free text (reason, name): stripped, refused when empty."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise MqexamError(what)
    return text


def _choice(value: object, allowed: tuple[str, ...], message: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise MqexamError(message.format(value=value, allowed=", ".join(allowed)))
    return value


# -- the review --------------------------------------------------------------


@dataclass
class Review:
    """One attempt under review by one assessor: the bank version in use, its form, the fold."""

    store: Store
    module: Module
    form: Form
    state: AttemptState
    assessor: str
    events: list[Event] = field(default_factory=list)
    """The attempt's log in chain order, including what this review appended."""
    problems: tuple[ChainProblem, ...] = ()
    """Breaks in the stored chain; while there are any, nothing is appended."""

    @classmethod
    def open(cls, store: Store, modules: Iterable[Module], attempt_id: str,
             assessor: str) -> Review:
        """Read an attempt from its log, with the bank version it is scored with."""
        assessor = _text(" ".join(assessor.split()) if isinstance(assessor, str) else "",
                         _("a review needs the assessor's name"))
        events = store.events(attempt_id)
        if not events:
            raise MqexamError(_("no attempt '{id}'").format(id=attempt_id))
        return cls._from_events(store, list(modules), events, assessor)

    @classmethod
    def _from_events(cls, store: Store, modules: list[Module], events: list[Event],
                     assessor: str) -> Review:
        state = fold(events)
        module = _module_of(modules, state)
        return cls(store, module, _form_of(module, state), state, assessor,
                   sorted(events, key=lambda e: e.seq),
                   tuple(verify_chain(state.attempt_id, events)))

    @property
    def attempt_id(self) -> str:
        return self.state.attempt_id

    # -- reading -----------------------------------------------------------------

    def result(self) -> FormResult:
        return score_form(self.form, self.state.answers, grades_of(self.state))

    def status(self) -> str:
        """The derived status of docs/events.md (as :mod:`mqexam.store.status` lists it)."""
        if self.state.voided is not None:
            return "voided"
        if self.state.signatures:
            return "signed_before_regrade" if self.changed_since_signed() else "signed"
        if self.state.open:
            return "in_progress"
        result = self.result()
        if result.awaiting_review:
            return "awaiting_review"
        return "passed" if result.passed else "failed"

    def changed_since_signed(self) -> bool:
        """Whether a regrade changed some item's points after the last signature."""
        signed = [e.seq for e in self.events if e.kind == "signed"]
        return bool(signed) and any(
            e.kind == "regraded" and e.seq > signed[-1] and e.payload.get("changes")
            for e in self.events)

    def item(self, item_id: str) -> Any:
        for item in self.form.items:
            if item.id == item_id:
                return item
        raise MqexamError(_("item '{id}' is not part of this attempt").format(id=item_id))

    # -- writing -----------------------------------------------------------------

    def _append(self, kind: str, payload: dict[str, Any], now: datetime) -> Event:
        if self.problems:
            raise MqexamError(_("attempt {id} does not verify ({problem}); nothing can be "
                                "added to it: run 'mqexam results verify'").format(
                                    id=self.attempt_id, problem=self.problems[0].render()))
        event = self.store.append(self.attempt_id, kind, payload, format_time(now),
                                  expect_prev=self.state.last_hash)
        apply(self.state, event)
        self.events.append(event)
        return event

    def _require_not_voided(self) -> None:
        if self.state.voided is not None:
            raise MqexamError(_("attempt {id} is voided").format(id=self.attempt_id))

    def close_if_due(self, now: datetime) -> bool:
        """Close the attempt as expired when its deadline has passed (as any reader does)."""
        if not self.state.is_due(now):
            return False
        self._append("expired", {"deadline": format_time(self.state.deadline),
                                 "result": result_summary(self.result())}, now)
        return True

    def grade(self, item_id: str, criteria: Mapping[str, bool], comment: str,
              now: datetime) -> Event:
        """Grade a practical item: every criterion of its checklist met (True) or not (False)."""
        self._require_not_voided()
        if self.state.signatures:
            raise MqexamError(_("attempt {id} is signed: its grades are part of the "
                                "decision and can no longer change").format(id=self.attempt_id))
        item = self.item(item_id)
        if item.type != "practical":
            raise MqexamError(_("item '{id}' is not a practical item: only practical items "
                                "are graded by an assessor").format(id=item_id))
        if not isinstance(criteria, Mapping):
            raise MqexamError(_("a grade gives each criterion as met or not met"))
        known = [cid for cid, _text, _required in item.criteria]
        unknown = [str(c) for c in criteria if c not in known]
        if unknown:
            raise MqexamError(_("item '{id}' has no criterion {names}").format(
                id=item_id, names=", ".join(f"'{c}'" for c in unknown)))
        missing = [c for c in known if c not in criteria]
        if missing:
            raise MqexamError(_("grade every criterion of item '{id}'; missing: {names}").format(
                id=item_id, names=", ".join(missing)))
        not_bool = [c for c in known if not isinstance(criteria[c], bool)]
        if not_bool:
            raise MqexamError(_("criterion '{name}' must be met or not met (true or "
                                "false)").format(name=not_bool[0]))
        if not isinstance(comment, str):
            raise MqexamError(_("a comment must be text"))
        given = {c: criteria[c] for c in known}
        grades = {**grades_of(self.state), item_id: given}
        after = score_form(self.form, self.state.answers, grades)
        return self._append("graded", {
            "item": item_id, "criteria": given, "comment": comment.strip(),
            "assessor": self.assessor, "result": result_summary(after)}, now)

    def sign(self, decision: str, outcomes: Mapping[str, str], reason: str, supervision: str,
             identity_checked: bool, now: datetime) -> Event:
        """Record a decision. A second signature (by anyone) is appended; the last one holds.

        ``outcomes`` maps outcomes the form assesses to a decision; it may leave
        some out. Refused while the attempt is in progress or a practical item is
        ungraded, without a reason, or with a value not in :data:`DECISIONS` /
        :data:`SUPERVISION`.
        """
        decision = _choice(decision, DECISIONS, _("unknown decision '{value}' (expected one "
                                                  "of: {allowed})"))
        supervision = _choice(supervision, SUPERVISION, _("unknown supervision '{value}' "
                                                          "(expected one of: {allowed})"))
        if not isinstance(identity_checked, bool):
            raise MqexamError(_("say whether the learner's identity was checked (true or "
                                "false)"))
        reason = _text(reason, _("a decision needs a reason"))
        if not isinstance(outcomes, Mapping):
            raise MqexamError(_("outcome decisions map each outcome to a decision"))
        assessed = [o for item in self.form.items for o in item.outcomes]
        for outcome, value in outcomes.items():
            if outcome not in assessed:
                raise MqexamError(_("outcome '{outcome}' is not assessed by this attempt "
                                    "(outcomes: {outcomes})").format(
                                        outcome=outcome,
                                        outcomes=", ".join(dict.fromkeys(assessed))))
            if not isinstance(value, str) or value not in DECISIONS:
                raise MqexamError(_("unknown decision '{value}' for outcome '{outcome}' "
                                    "(expected one of: {allowed})").format(
                                        value=value, outcome=outcome,
                                        allowed=", ".join(DECISIONS)))
        self._require_not_voided()
        self.close_if_due(now)
        if self.state.open:
            raise MqexamError(_("attempt {id} is still in progress: it can be signed once "
                                "it is submitted or its time is up").format(id=self.attempt_id))
        ungraded = [s.item_id for s in self.result().items if s.status == "awaiting_review"]
        if ungraded:
            raise MqexamError(_("grade every practical item before signing; ungraded: "
                                "{items}").format(items=", ".join(ungraded)))
        payload = {
            "decision": decision,
            "outcomes": {o: outcomes[o] for o in dict.fromkeys(assessed) if o in outcomes},
            "reason": reason, "supervision": supervision, "identity_checked": identity_checked,
            "assessor": self.assessor}
        for _try in range(SIGN_RETRIES):
            try:
                return self._append("signed", payload, now)
            except MqexamError:
                # Another assessor signing at the same moment is no reason to refuse:
                # both signatures are kept, in chain order. Anything else that
                # happened meanwhile must be seen first, so it is refused.
                if not self._catch_up_on_signatures():
                    raise
        return self._append("signed", payload, now)

    def _catch_up_on_signatures(self) -> bool:
        """Fold in events appended elsewhere meanwhile if they are all signatures."""
        fresh = [e for e in self.store.events(self.attempt_id) if e.seq > self.state.seq]
        if not fresh or any(e.kind != "signed" for e in fresh):
            return False
        for event in sorted(fresh, key=lambda e: e.seq):
            if event.prev != self.state.last_hash or event_hash(event) != event.hash:
                return False
            apply(self.state, event)
            self.events.append(event)
        return True

    def void(self, reason: str, now: datetime) -> Event:
        """Void the attempt (it stays in the log, and counts for nothing)."""
        reason = _text(reason, _("voiding an attempt needs a reason"))
        self._require_not_voided()
        return self._append("voided", {"reason": reason, "assessor": self.assessor}, now)

    def extend(self, minutes: float, reason: str, now: datetime, reopen: bool = False) -> Event:
        """Give extra time to an attempt in progress, or reopen an expired one with it.

        An attempt in progress found past its deadline is closed as expired first
        (as any reader does); extra time then needs ``reopen``. A reopened
        attempt's minutes count from the reopening. An attempt that was regraded
        cannot be reopened: the learner would go on with the other version.
        """
        if (isinstance(minutes, bool) or not isinstance(minutes, int | float)
                or not 0 < minutes <= MAX_EXTENSION_MINUTES):
            raise MqexamError(_("extra time is a number of minutes above 0 and at most "
                                "{most}").format(most=MAX_EXTENSION_MINUTES))
        reason = _text(reason, _("extra time needs a reason"))
        self._require_not_voided()
        lifecycle = self.state.lifecycle
        if lifecycle not in ("in_progress", "expired"):
            raise MqexamError(_("attempt {id} is {state}: extra time is for an attempt in "
                                "progress, or for reopening one whose time ran out").format(
                                    id=self.attempt_id, state=lifecycle))
        if reopen and self.state.regrades:
            raise MqexamError(_("attempt {id} was regraded to another bank version and cannot "
                                "be reopened").format(id=self.attempt_id))
        if self.close_if_due(now) and not reopen:
            raise MqexamError(_("the time of attempt {id} had run out, so it is now closed as "
                                "expired; reopen it to give extra time").format(
                                    id=self.attempt_id))
        if reopen and self.state.lifecycle != "expired":
            raise MqexamError(_("only an attempt whose time ran out can be reopened"))
        if not reopen and self.state.lifecycle != "in_progress":
            raise MqexamError(_("attempt {id} has expired; reopen it to give extra "
                                "time").format(id=self.attempt_id))
        return self._append("time_extended", {
            "minutes": minutes, "reason": reason, "assessor": self.assessor,
            "reopen": bool(reopen)}, now)

    # -- regrading ---------------------------------------------------------------

    def _rescored(self, new_module: Module) -> tuple[Form, RegradePreview]:
        if new_module.id != self.module.id:
            raise MqexamError(_("attempt {id} is of module '{module}', not '{other}'").format(
                id=self.attempt_id, module=self.module.id, other=new_module.id))
        if new_module.content_hash == self.module.content_hash:
            raise MqexamError(_("attempt {id} is already scored with {module} {version} "
                                "({hash})").format(id=self.attempt_id, module=self.module.id,
                                                   version=new_module.version,
                                                   hash=new_module.content_hash[:19]))
        self._require_not_voided()
        if self.state.open:
            raise MqexamError(_("attempt {id} is still in progress; regrade it once it is "
                                "closed").format(id=self.attempt_id))
        try:
            form = _form_of(new_module, self.state)
        except MqexamError as error:
            raise MqexamError(_("attempt {id} cannot be regraded with {module} {version}: "
                                "{reason}").format(id=self.attempt_id, module=new_module.id,
                                                   version=new_module.version,
                                                   reason=error.message)) from None
        before = self.result()
        after = score_form(form, self.state.answers, grades_of(self.state))
        new_scores = {score.item_id: score for score in after.items}
        preview = RegradePreview(
            attempt_id=self.attempt_id,
            from_version=self.module.version, from_hash=self.module.content_hash,
            to_version=new_module.version, to_hash=new_module.content_hash,
            items=tuple(ItemChange(score.item_id, score, new_scores[score.item_id])
                        for score in before.items),
            before=result_summary(before), after=result_summary(after),
            signed=bool(self.state.signatures))
        return form, preview

    def regrade_preview(self, new_module: Module) -> RegradePreview:
        """Dry run: this attempt scored with ``new_module`` (same module, other content)."""
        return self._rescored(new_module)[1]

    def regrade(self, new_module: Module, reason: str, now: datetime) -> Event:
        """Score the attempt with ``new_module`` from now on; the event names both versions."""
        reason = _text(reason, _("a regrade needs a reason"))
        form, preview = self._rescored(new_module)
        remember_module(self.store, new_module, format_time(now))
        event = self._append("regraded", {
            "from_version": preview.from_version, "from_hash": preview.from_hash,
            "to_version": preview.to_version, "to_hash": preview.to_hash,
            "changes": [change.as_json() for change in preview.changes],
            "reason": reason, "assessor": self.assessor, "result": preview.after}, now)
        self.module, self.form = new_module, form
        return event


# -- many attempts -----------------------------------------------------------


def _regradable(store: Store, modules: list[Module], module_id: str, from_hash: str,
                assessor: str) -> list[Review]:
    """Closed, unvoided attempts of ``module_id`` scored with ``from_hash``, oldest first."""
    reviews: list[Review] = []
    for events in attempt_events(store, module=module_id).values():
        state = fold(events)
        if state.open or state.voided is not None or current_version(state)[1] != from_hash:
            continue
        reviews.append(Review._from_events(store, modules, events, assessor))
    reviews.sort(key=lambda r: (r.state.started_at, r.attempt_id))
    return reviews


def regrade_all_preview(store: Store, modules: Iterable[Module], module_id: str,
                        from_hash: str, new_module: Module) -> list[tuple[str, RegradePreview]]:
    """Dry run over every closed, unvoided attempt scored with ``from_hash``.

    Every such attempt is listed (``preview.changed`` tells which would change);
    attempts in progress are left out: they are regraded once closed.
    """
    previews = []
    for review in _regradable(store, list(modules), module_id, from_hash, "-"):
        previews.append((review.attempt_id, review.regrade_preview(new_module)))
    return previews


def regrade_all(store: Store, modules: Iterable[Module], module_id: str, from_hash: str,
                new_module: Module, reason: str, assessor: str, now: datetime) -> list[Event]:
    """Regrade every attempt :func:`regrade_all_preview` lists; one event each."""
    assessor = _text(" ".join(assessor.split()) if isinstance(assessor, str) else "",
                     _("a review needs the assessor's name"))
    reason = _text(reason, _("a regrade needs a reason"))
    return [review.regrade(new_module, reason, now)
            for review in _regradable(store, list(modules), module_id, from_hash, assessor)]
