"""The learner's side of an attempt: start, answer, flag, submit, resume, expire.

Called by the learner app and by tests that write answers. Owns the rules for
what a learner may record: only items of their form, only while the attempt is
open and before its deadline (an attempt found past its deadline is closed as
expired with the answers it had), and resuming only with the resume code. Every
change goes to the store first; the in-memory state follows only what was
committed, so the screen never shows unsaved work as saved.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mqexam.bank.model import Module
from mqexam.bank_archive import remember_module
from mqexam.errors import ChangedElsewhere, MqexamError
from mqexam.exam.attempt import AttemptState, apply, fold, format_time
from mqexam.exam.events import Event
from mqexam.exam.form import Form, build_form, form_from_manifest, form_manifest
from mqexam.exam.scoring import FormResult, score_form
from mqexam.i18n import _
from mqexam.secret import QUICK_N, hash_secret, verify_secret
from mqexam.store.db import Store

ASSESSOR_KINDS = frozenset({"time_extended", "graded", "reviewed"})
"""What an assessor may write to an attempt while the learner is still sitting it."""

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/I/L: codes are read off a screen and typed back."""


def new_attempt_id() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_resume_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def clean_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def result_summary(result: FormResult) -> dict[str, Any]:
    """The score at one moment, stored with closing and grading events (see docs/events.md)."""
    return {"points": result.points, "max_points": result.max_points,
            "share": round(float(result.share), 6), "passed": result.passed,
            "awaiting_review": result.awaiting_review}


def grades_of(state: AttemptState) -> dict[str, dict[str, bool]]:
    return {item: dict(grade.get("criteria", {})) for item, grade in state.grades.items()}


@dataclass
class Sitting:
    """One open attempt, its form and its folded state."""

    store: Store
    module: Module
    form: Form
    state: AttemptState

    # -- opening ---------------------------------------------------------------

    @classmethod
    def start(
        cls, store: Store, module: Module, *, context: str, locale: str, learner_id: str,
        now: datetime, name: str | None = None, seed: int | None = None, kind: str = "full",
        item_ids: Sequence[str] | None = None, builds_on: Iterable[str] = (),
        seen: frozenset[str] = frozenset(),
    ) -> tuple[Sitting, str]:
        """Build the form, record the ``started`` event; returns the sitting and resume code."""
        learner_id = learner_id.strip()
        if not learner_id:
            raise MqexamError(_("a learner id is needed"))
        seed = secrets.randbits(48) if seed is None else seed
        form = build_form(module, context, locale, seed, item_ids=item_ids, kind=kind, seen=seen)
        deadline = now + timedelta(seconds=form.time_limit_seconds)
        payload: dict[str, Any] = {
            "learner": learner_id,
            "module": module.id,
            "version": module.version,
            "content_hash": module.content_hash,
            "context": context,
            "locale": locale,
            "kind": kind,
            "seed": seed,
            "deadline": format_time(deadline),
            "time_limit_seconds": form.time_limit_seconds,
            "form": form_manifest(form),
            "builds_on": list(builds_on),
        }
        code = new_resume_code()
        at = format_time(now)
        remember_module(store, module, at)
        store.ensure_learner(learner_id, at, name=name)
        secret = hash_secret(code, n=QUICK_N)
        event = store.start_attempt(new_attempt_id(), learner_id, payload, at, secret)
        return cls(store, module, form, fold([event])), code

    @classmethod
    def open(cls, store: Store, modules: Iterable[Module], attempt_id: str) -> Sitting:
        """Reopen an attempt from its log, with the exact bank version it was built from."""
        events = store.events(attempt_id)
        if not events:
            raise MqexamError(_("no attempt '{id}'").format(id=attempt_id))
        state = fold(events)
        start = state.start
        module = next((m for m in modules if m.id == start["module"]
                       and m.content_hash == start["content_hash"]), None)
        if module is None:
            raise MqexamError(_("attempt {id} was made with {module} {version} ({hash}), which "
                                "is not in the bank any more").format(
                                    id=attempt_id, module=start["module"],
                                    version=start["version"], hash=start["content_hash"][:19]))
        form = form_from_manifest(module, state.context, state.locale, start["form"])
        return cls(store, module, form, state)

    @staticmethod
    def unlock(store: Store, attempt_id: str, code: str) -> bool:
        """Whether ``code`` is the attempt's resume code."""
        return verify_secret(clean_code(code), store.resume_secret(attempt_id))

    # -- recording -------------------------------------------------------------

    @property
    def attempt_id(self) -> str:
        return self.state.attempt_id

    def _append(self, kind: str, payload: dict[str, Any], now: datetime) -> Event:
        try:
            event = self.store.append(self.attempt_id, kind, payload, format_time(now),
                                      expect_prev=self.state.last_hash)
        except ChangedElsewhere:
            # An assessor wrote to the attempt while it is being sat (extra time, a grade of
            # a practical item): take their events in, then write ours after them. Anything
            # else (a second window on the same attempt) is refused: that window must reopen.
            if not self._catch_up():
                raise
            if not self.state.open:
                raise MqexamError(_("this attempt is closed ({state})").format(
                    state=self.state.lifecycle)) from None
            event = self.store.append(self.attempt_id, kind, payload, format_time(now),
                                      expect_prev=self.state.last_hash)
        apply(self.state, event)
        return event

    def _catch_up(self) -> bool:
        """Take in events an assessor appended since this sitting last wrote; False when
        another kind of event is there (another window wrote: this one must reopen)."""
        events = self.store.events(self.attempt_id)
        newer = [e for e in events if e.seq > self.state.seq]
        if any(e.kind not in ASSESSOR_KINDS for e in newer):
            return False
        if newer:
            self.state = fold(events)
        return True

    def close_if_due(self, now: datetime) -> bool:
        """Close the attempt as expired when its deadline has passed. True if it did."""
        if not self.state.is_due(now):
            return False
        self._catch_up()  # extra time an assessor granted since counts
        if not self.state.is_due(now):
            return False
        self._append("expired", {"deadline": format_time(self.state.deadline),
                                 "result": result_summary(self.result())}, now)
        return True

    def _require_open(self, now: datetime) -> None:
        if self.close_if_due(now):
            raise MqexamError(_("time is up: the attempt was closed with the answers saved "
                                "before the deadline"))
        if not self.state.open:
            raise MqexamError(_("this attempt is closed ({state})").format(
                state=self.state.lifecycle))

    def _require_item(self, item_id: str) -> None:
        if all(item.id != item_id for item in self.form.items):
            raise MqexamError(_("item '{id}' is not part of this attempt").format(id=item_id))

    def answer(self, item_id: str, answer: Any, now: datetime) -> Event:
        """Record an answer (``None`` clears it); returns the committed event."""
        self._require_open(now)
        self._require_item(item_id)
        if self.item(item_id).type == "practical":
            raise MqexamError(_("item '{id}' is assessed by your assessor").format(id=item_id))
        return self._append("answered", {"item": item_id, "answer": answer}, now)

    def flag(self, item_id: str, flagged: bool, now: datetime) -> Event:
        self._require_open(now)
        self._require_item(item_id)
        return self._append("flagged", {"item": item_id, "flagged": flagged}, now)

    def show(self, item_id: str, now: datetime) -> Event | None:
        """Record that the learner moved to ``item_id`` (so a resume lands there)."""
        self._require_item(item_id)
        if not self.state.open or self.state.current == item_id:
            return None
        if self.close_if_due(now):
            return None
        return self._append("shown", {"item": item_id}, now)

    def submit(self, now: datetime) -> Event:
        self._require_open(now)
        return self._append("submitted", {"result": result_summary(self.result())}, now)

    # -- reading -----------------------------------------------------------------

    def item(self, item_id: str) -> Any:
        for item in self.form.items:
            if item.id == item_id:
                return item
        raise MqexamError(_("item '{id}' is not part of this attempt").format(id=item_id))

    def result(self) -> FormResult:
        return score_form(self.form, self.state.answers, grades_of(self.state))
