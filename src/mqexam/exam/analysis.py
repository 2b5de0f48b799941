"""Item analysis: how each item of a module version behaved across many attempts (pure).

Called by ``mqexam results analysis`` and the assessor app, which read the
attempts; nothing here reads a file, a database or the clock. Owns the measures
and the flags of weak items:

- *seen*: attempts whose form held the item (closed, not voided; in progress
  attempts are left out);
- *facility*: the mean share of the item's points earned by those who saw it
  (an unanswered item earns 0; an ungraded practical item is left out);
- *discrimination*: the corrected item-total correlation, Pearson's r between
  the share earned on the item and the share earned on the rest of the form
  (the item itself left out; shares, not points, so forms of different items
  compare). For an item scored right or wrong this is the point-biserial
  correlation. ``None`` when fewer than two attempts or nobody varies;
- *options*: how often each option of a single or multiple item was chosen;
- *time*: the mean seconds spent on the item. Time runs from one learner event
  (``shown``, ``answered``, ``flagged``) to the next and counts for the item the
  learner was on, up to the closing event, so every visit counts and time on
  other items in between does not; a gap longer than :data:`MAX_GAP_SECONDS`
  (a crash, a pause) counts as that long. Means are rounded to milliseconds.

An attempt is analysed with the version it was *started* with, even when it was
regraded since: the analysis is about the items learners saw, and a wrong key
shows as negative discrimination there.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from mqexam.bank.model import Module
from mqexam.exam.attempt import AttemptState, parse_time
from mqexam.exam.events import Event
from mqexam.exam.form import Form, FormItem, build_form
from mqexam.exam.scoring import ItemScore, score_item

TOO_EASY = 0.9
"""Facility above this flags an item as too easy."""
TOO_HARD = 0.2
"""Facility below this flags an item as too hard."""
NEGATIVE_DISCRIMINATION = 0.0
"""Discrimination below this flags an item that the weaker learners get right more often."""
MAX_GAP_SECONDS = 600.0
"""The most one pause between two learner events adds to an item's time."""

FLAGS = ("too_easy", "too_hard", "negative_discrimination")
_LEARNER_KINDS = frozenset({"shown", "answered", "flagged"})
_CLOSING_KINDS = frozenset({"submitted", "expired", "voided", "signed"})


@dataclass(frozen=True)
class Sample:
    """One attempt as the analysis sees it: its fold, its form and seconds spent per item."""

    state: AttemptState
    form: Form
    seconds: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    type: str
    seen: int
    scored: int
    """Attempts counted in facility and discrimination (seen, less ungraded practical items)."""
    facility: float | None
    discrimination: float | None
    options: Mapping[str, int]
    """Option id -> times chosen (single and multiple items; empty for other types)."""
    mean_seconds: float | None
    flags: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item_id, "type": self.type, "seen": self.seen, "scored": self.scored,
            "facility": self.facility, "discrimination": self.discrimination,
            "options": dict(self.options), "mean_seconds": self.mean_seconds,
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Analysis:
    module_id: str
    version: str
    content_hash: str
    context: str | None
    attempts: int
    items: tuple[ItemStats, ...]

    def item(self, item_id: str) -> ItemStats:
        for stats in self.items:
            if stats.item_id == item_id:
                return stats
        raise KeyError(item_id)

    def as_json(self) -> dict[str, Any]:
        return {
            "module": self.module_id, "version": self.version,
            "content_hash": self.content_hash, "context": self.context,
            "attempts": self.attempts,
            "thresholds": {"too_easy": TOO_EASY, "too_hard": TOO_HARD,
                           "negative_discrimination": NEGATIVE_DISCRIMINATION},
            "items": [stats.as_json() for stats in self.items],
        }


# -- inputs ------------------------------------------------------------------


def time_on_items(events: Iterable[Event]) -> dict[str, float]:
    """Seconds the learner spent on each item (see the module docstring for the measure)."""
    return dwell((event.kind, parse_time(event.at).timestamp(), event.payload.get("item"))
                 for event in sorted(events, key=lambda e: e.seq))


def dwell(steps: Iterable[tuple[str, float, Any]]) -> dict[str, float]:
    """:func:`time_on_items` over ``(kind, seconds, item)`` steps in chain order."""
    seconds: dict[str, float] = {}
    current: str | None = None
    last: float | None = None
    for kind, moment, item in steps:
        closing = kind in _CLOSING_KINDS
        if not closing and kind not in _LEARNER_KINDS:
            continue
        if current is not None and last is not None:
            gap = min(max(moment - last, 0.0), MAX_GAP_SECONDS)
            seconds[current] = seconds.get(current, 0.0) + gap
        if closing:
            current = None  # until a reopened attempt shows an item again
        elif kind in ("shown", "answered") and isinstance(item, str):
            current = item
        last = moment
    return seconds


class FormCache:
    """Forms of many attempts of one module version, without resolving each item again.

    Scoring does not depend on the order options were shown in, nor on the
    reader's language, so every attempt in one context shares its items'
    resolved keys; each attempt gets a form of its own items in its own order.
    """

    def __init__(self, module: Module) -> None:
        meta = module.meta
        # Options in bank order, so counts of options read in the order authors wrote them.
        blueprint = meta.blueprint.model_copy(update={"shuffle_options": False})
        self.module = module.model_copy(
            update={"meta": meta.model_copy(update={"blueprint": blueprint})})
        self._items: dict[str, dict[str, FormItem]] = {}
        self._forms: dict[str, Form] = {}

    def _template(self, context: str) -> tuple[Form, dict[str, FormItem]]:
        if context not in self._forms:
            meta = self.module.meta
            form = build_form(self.module, context, meta.languages[0], 0,
                              item_ids=[item.id for item in self.module.items])
            self._forms[context] = form
            self._items[context] = {item.id: item for item in form.items}
        return self._forms[context], self._items[context]

    def form(self, state: AttemptState) -> Form:
        template, items = self._template(state.context)
        ids = [entry["id"] for entry in state.start.get("form", {}).get("items", [])]
        return replace(template, items=tuple(items[i] for i in ids if i in items),
                       locale=state.locale, seed=int(state.start.get("seed") or 0))


def samples(module: Module, attempts: Iterable[tuple[AttemptState, Sequence[Event]]]
            ) -> list[Sample]:
    """Samples for the attempts started with ``module`` (other versions are skipped)."""
    cache = FormCache(module)
    found: list[Sample] = []
    for state, events in attempts:
        if (state.start.get("module") != module.id
                or state.start.get("content_hash") != module.content_hash):
            continue
        found.append(Sample(state, cache.form(state), time_on_items(events)))
    return found


def _in_order(rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """``rows`` grouped by attempt and in ``seq`` order (sorted only when they are not)."""
    seen: set[str] = set()
    current, last = None, 0
    for row in rows:
        if row[0] != current:
            if row[0] in seen:
                break
            seen.add(row[0])
            current, last = row[0], row[1]
        elif row[1] <= last:
            break
        else:
            last = row[1]
    else:
        return rows
    return sorted(rows, key=lambda row: (row[0], row[1]))


def samples_from_rows(module: Module, rows: Sequence[Sequence[Any]]) -> list[Sample]:
    """Samples from the rows of :func:`mqexam.store.status.analysis_rows`.

    A partial fold for statistics, the same as :func:`mqexam.exam.attempt.fold`
    for what the analysis reads (answers, the last one per item winning and
    ``null`` clearing; practical grades; in progress, closed, reopened, signed,
    voided; the started payload) and nothing else: deadlines, flags and the rest
    are not filled in. Time per item is :func:`dwell`'s, worked out on the way.
    Tests hold both to the full fold. Payload texts repeat (the same item shown,
    the same answer given), so each distinct text is parsed once and the parsed
    objects are shared between attempts: nobody may change them.
    """
    cache = FormCache(module)
    parsed: dict[str, Any] = {}
    found: list[Sample] = []
    state: AttemptState | None = None
    answers: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    current: str | None = None
    last = 0.0
    for attempt_id, _seq, kind, moment, text in _in_order(rows):
        if state is None or attempt_id != state.attempt_id:
            if state is not None:
                found.append(Sample(state, cache.form(state), seconds))
            state, current = None, None
            if kind != "started":
                continue  # a log without its start does not fold: left out
            begun = datetime.fromtimestamp(moment, UTC)
            state = AttemptState(attempt_id, json.loads(text), begun, begun)
            answers, seconds = state.answers, {}
            continue
        payload: Any = None
        if text is not None:
            payload = parsed.get(text)
            if payload is None:
                payload = parsed[text] = json.loads(text)
        if kind in _LEARNER_KINDS or kind in _CLOSING_KINDS:
            if current is not None:
                gap = moment - last
                gap = MAX_GAP_SECONDS if gap > MAX_GAP_SECONDS else max(gap, 0.0)
                seconds[current] = seconds.get(current, 0.0) + gap
            last = moment
        if kind == "shown":
            current = payload["item"]
        elif kind == "answered":
            current = item = payload["item"]
            answer = payload.get("answer")
            if answer is None:
                answers.pop(item, None)
            else:
                answers[item] = answer
        elif kind in ("submitted", "expired"):
            current = None
            if state.lifecycle == "in_progress":
                state.lifecycle = kind
        elif kind == "time_extended":
            if state.lifecycle == "expired" and payload.get("reopen"):
                state.lifecycle = "in_progress"
        elif kind == "graded":
            state.grades[payload["item"]] = payload
        elif kind in ("signed", "voided"):
            current = None
            if kind == "voided":
                state.voided = {}
                state.lifecycle = "voided"
            elif state.lifecycle != "voided":
                state.lifecycle = "signed"
    if state is not None:
        found.append(Sample(state, cache.form(state), seconds))
    return found


# -- measures ----------------------------------------------------------------


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or ``None`` when there are fewer than two pairs or one side is constant."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def flags_for(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    found: list[str] = []
    if facility is not None and facility > TOO_EASY:
        found.append("too_easy")
    if facility is not None and facility < TOO_HARD:
        found.append("too_hard")
    if discrimination is not None and discrimination < NEGATIVE_DISCRIMINATION:
        found.append("negative_discrimination")
    return tuple(found)


def _frozen(value: Any) -> Hashable:
    """``value`` (an answer or a grade, as JSON gives them) as a dictionary key."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return ("list", *(_frozen(v) for v in value))
    if isinstance(value, Mapping):
        return ("map", *sorted((str(k), _frozen(v)) for k, v in value.items()))
    return (type(value).__name__, repr(value))


class _Scorer:
    """:func:`score_item` with a memory: many learners give the same answers.

    Per item of a form (the same object for every attempt of a context, see
    :class:`FormCache`); the item is kept with its answers, so its ``id()``
    cannot be reused while the memory lives.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[FormItem, dict[Hashable, ItemScore]]] = {}
        self._frozen: dict[int, tuple[Any, Hashable]] = {}

    def _key(self, value: Any) -> Hashable:
        if value is None or isinstance(value, str):
            return value
        # Answers read in bulk are shared objects (see samples_from_rows): freeze each once.
        known = self._frozen.get(id(value))
        if known is None or known[0] is not value:
            known = self._frozen[id(value)] = (value, _frozen(value))
        return known[1]

    def __call__(self, item: FormItem, answer: Any, grade: Any) -> ItemScore:
        entry = self._known.get(id(item))
        if entry is None:
            entry = self._known[id(item)] = (item, {})
        key = (self._key(answer), self._key(grade))
        score = entry[1].get(key)
        if score is None:
            score = entry[1][key] = score_item(item, answer, grade)
        return score


@dataclass
class _Tally:
    type: str
    seen: int = 0
    shares: list[float] = field(default_factory=list)
    rests: list[float] = field(default_factory=list)
    options: dict[str, int] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)


def _count_options(tally: _Tally, item: FormItem, answer: Any) -> None:
    if item.type == "single" and isinstance(answer, str) and answer in tally.options:
        tally.options[answer] += 1
    elif item.type == "multiple" and isinstance(answer, list):
        for choice in dict.fromkeys(a for a in answer if isinstance(a, str)):
            if choice in tally.options:
                tally.options[choice] += 1


def analyse(found: Iterable[Sample], module_id: str, version: str, content_hash: str,
            context: str | None = None, order: Sequence[str] = ()) -> Analysis:
    """Statistics per item over the closed, unvoided samples of one module version.

    Samples of another module or content hash, of another ``context`` (when
    given), in progress or voided are left out. Items are listed in ``order``
    (say, the bank's), then in order of first appearance.
    """
    tallies: dict[str, _Tally] = {}
    attempts = 0
    scorer = _Scorer()
    for sample in found:
        state = sample.state
        if (state.start.get("module") != module_id
                or state.start.get("content_hash") != content_hash
                or (context is not None and state.context != context)
                or state.open or state.voided is not None):
            continue
        attempts += 1
        scores = [scorer(item, state.answers.get(item.id),
                         state.grades[item.id].get("criteria", {})
                         if item.id in state.grades else None)
                  for item in sample.form.items]
        total = math.fsum(s.points for s in scores)
        maximum = math.fsum(s.max_points for s in scores)
        for item, score in zip(sample.form.items, scores, strict=True):
            tally = tallies.get(item.id)
            if tally is None:
                tally = tallies[item.id] = _Tally(item.type)
                if item.type in ("single", "multiple"):
                    tally.options = {choice.id: 0 for choice in item.options}
            tally.seen += 1
            _count_options(tally, item, state.answers.get(item.id))
            if item.id in sample.seconds:
                tally.seconds.append(sample.seconds[item.id])
            if score.status == "awaiting_review" or not score.max_points:
                continue
            tally.shares.append(score.points / score.max_points)
            rest_max = maximum - score.max_points
            tally.rests.append((total - score.points) / rest_max if rest_max else 0.0)
    rank = {item_id: index for index, item_id in enumerate(order)}
    ordered = sorted(tallies.items(), key=lambda pair: rank.get(pair[0], len(rank)))
    items: list[ItemStats] = []
    for item_id, tally in ordered:
        facility = math.fsum(tally.shares) / len(tally.shares) if tally.shares else None
        discrimination = correlation(tally.shares, tally.rests)
        seconds = (round(math.fsum(tally.seconds) / len(tally.seconds), 3)  # ms, as stored
                   if tally.seconds else None)
        items.append(ItemStats(item_id, tally.type, tally.seen, len(tally.shares), facility,
                               discrimination, tally.options, seconds,
                               flags_for(facility, discrimination)))
    return Analysis(module_id, version, content_hash, context, attempts, tuple(items))
