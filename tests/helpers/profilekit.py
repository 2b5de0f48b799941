"""Builders for profile and bonus-plan tests: attempts answered right (or wrong).

``in_memory`` folds a hand-made, hash-chained event log without a database, for
the pure profile and plan (fast enough to cover every pair of countries);
``take`` sits a real attempt with :class:`mqexam.sitting.Sitting` on a store,
and grades practical items as an assessor would, through ``Store.append``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.exam.attempt import apply, fold, format_time
from mqexam.exam.events import GENESIS, Event, chain
from mqexam.exam.form import FormItem, build_form, form_manifest
from mqexam.exam.profile import AttemptEvidence
from mqexam.exam.scoring import score_form
from mqexam.sitting import Sitting, grades_of, result_summary
from mqexam.store.db import Store

REPO = Path(__file__).parent.parent.parent
SHOWCASE = REPO / "banks" / "welding-centre-safety"
SHOWCASE_ID = "welding-centre-safety"
SAT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def load(folder: Path, module_id: str = SHOWCASE_ID) -> Module:
    module = load_bank(folder, use_cache=False).module(module_id)
    assert module is not None, folder
    return module


def showcase() -> Module:
    return load(SHOWCASE)


def copy_bank(target: Path) -> Path:
    """A private copy of the showcase module folder."""
    folder = target / SHOWCASE_ID
    shutil.copytree(SHOWCASE, folder)
    return folder


def correct_answer(item: FormItem) -> Any:
    """The key as an answer: text the first accepted answer, order and multiple the key
    list, match the key table, single the key."""
    if item.type == "text":
        return item.key[0]
    if item.type in ("order", "multiple"):
        return list(item.key)
    if item.type == "match":
        return dict(item.key)
    return item.key


def wrong_answer(item: FormItem) -> Any:
    if item.type == "text":
        return "no idea"
    if item.type == "single":
        return next(c.id for c in item.options if c.id != item.key)
    if item.type == "order":
        return list(reversed(item.key))
    if item.type == "multiple":
        return [c.id for c in item.options if c.id not in item.key][:1] or []
    if item.type == "match":
        return {}
    return None


def grading(item: FormItem, ok: bool = True) -> dict[str, Any]:
    return {"item": item.id, "criteria": {cid: ok for cid, _t, _r in item.criteria},
            "comment": "", "assessor": "kim"}


class Log:
    """A hand-written, hash-chained event log for one attempt."""

    def __init__(self, attempt_id: str) -> None:
        self.attempt_id = attempt_id
        self.events: list[Event] = []

    def add(self, kind: str, payload: dict[str, Any], at: datetime) -> None:
        prev = self.events[-1].hash if self.events else GENESIS
        self.events.append(chain(self.attempt_id, len(self.events) + 1, kind,
                                 format_time(at), payload, prev))


def in_memory(
    module: Module, context: str, *, attempt_id: str = "A1", learner: str = "L1",
    at: datetime = SAT, kind: str = "full", item_ids: Sequence[str] | None = None,
    builds_on: Iterable[str] = (), seed: int = 7, right: bool = True,
    submit: bool = True, grade: bool = True, extra: Iterable[tuple[str, dict[str, Any]]] = (),
) -> AttemptEvidence:
    """An attempt answered every item right (or wrong), submitted and graded, as evidence."""
    form = build_form(module, context, "en", seed, item_ids=item_ids, kind=kind)
    log = Log(attempt_id)
    log.add("started", {
        "learner": learner, "module": module.id, "version": module.version,
        "content_hash": module.content_hash, "context": context, "locale": "en",
        "kind": kind, "seed": seed,
        "deadline": format_time(at + timedelta(seconds=form.time_limit_seconds)),
        "time_limit_seconds": form.time_limit_seconds, "form": form_manifest(form),
        "builds_on": list(builds_on)}, at)
    moment = at
    for item in form.items:
        if item.type == "practical":
            continue
        moment += timedelta(seconds=10)
        answer = correct_answer(item) if right else wrong_answer(item)
        log.add("answered", {"item": item.id, "answer": answer}, moment)
    if submit:
        log.add("submitted", {}, moment + timedelta(seconds=10))
        if grade:
            for item in form.items:
                if item.type == "practical":
                    log.add("graded", grading(item, right), moment + timedelta(minutes=5))
    for offset, (event_kind, payload) in enumerate(extra, start=1):
        log.add(event_kind, payload, moment + timedelta(hours=offset))
    state = fold(log.events)
    result = score_form(form, state.answers, grades_of(state))
    return AttemptEvidence(state, form, result, module.content_hash, module.version)


def take(
    store: Store, module: Module, context: str, now: datetime, *, learner: str = "L1",
    kind: str = "full", item_ids: Sequence[str] | None = None, builds_on: Iterable[str] = (),
    seed: int = 7, right: bool = True,
) -> Sitting:
    """Sit an attempt on ``store``: every item answered right (or wrong), submitted, and
    practical items graded by an assessor (a ``graded`` event, docs/events.md)."""
    sitting, _code = Sitting.start(store, module, context=context, locale="en",
                                   learner_id=learner, now=now, seed=seed, kind=kind,
                                   item_ids=item_ids, builds_on=builds_on)
    moment = now
    for item in sitting.form.items:
        if item.type == "practical":
            continue
        moment += timedelta(seconds=10)
        sitting.answer(item.id, correct_answer(item) if right else wrong_answer(item), moment)
    sitting.submit(moment + timedelta(seconds=10))
    for item in sitting.form.items:
        if item.type != "practical":
            continue
        payload = grading(item, right)
        grades = {**grades_of(sitting.state), item.id: payload["criteria"]}
        payload["result"] = result_summary(score_form(sitting.form, sitting.state.answers,
                                                      grades))
        event = store.append(sitting.attempt_id, "graded", payload,
                             format_time(moment + timedelta(minutes=5)))
        apply(sitting.state, event)
    return sitting
