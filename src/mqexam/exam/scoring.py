"""Scoring: points per item, per outcome and overall, and pass/fail for a form.

Called by the attempt layer on the fold of an attempt's events, by ``results
show`` and by evidence export. Owns the scoring rule of every item type, the
answer shapes the store and the TUI exchange, and the pass rules. Pure and
exact: shares are computed as fractions, so a threshold of 0.8 is met by 4 of 5
points, and a malformed answer scores 0 as ``wrong`` instead of raising.

Answer shapes: ``single`` an option id (str); ``multiple`` a list of option ids;
``order`` a list of every step id in the learner's order; ``text`` the string as
typed; ``match`` a dict left id -> right id (may be partial); ``practical`` is
not answered but graded by an assessor: a dict criterion id -> bool.

Rules (``p`` is the item's points):

- single: ``p`` if the option is the key, else 0.
- multiple, ``all-or-nothing``: ``p`` for exactly the key's set, else 0.
  ``partial``: ``p * max(0, right/|key| - wrong/|options not in key|)``; only the
  exact set earns ``p``.
- order, ``exact``: ``p`` for exactly the key's order, else 0. ``partial``:
  ``p * (L - 1) / (n - 1)`` where ``n`` is the number of steps and ``L`` the
  length of the longest subsequence of the answer whose steps stand in the key's
  relative order (not necessarily adjacent). The key scores ``p``; only its
  exact reverse scores 0, as it has no two steps in the right relative order.
- text: right when the normalised answer equals a normalised accepted answer
  (see :func:`normalise_text`), or for ``numeric`` items when both parse to the
  same number (see :func:`parse_number`).
- match, ``partial``: ``p * right pairs / |key|``; ``all-or-nothing``: ``p`` only
  when every pair is right.
- practical: ``p * criteria met / criteria``, but 0 when a required criterion is
  not met; without a grade the item is ``awaiting_review``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from mqexam.bank.numbers import parse_number
from mqexam.exam.form import Form, FormItem

Status = Literal["correct", "partial", "wrong", "unanswered", "awaiting_review"]
Grade = Mapping[str, bool]

_SEPARATORS = frozenset("./\\")



@dataclass(frozen=True)
class ItemScore:
    """Points earned on one item out of its points, and how the answer stands."""

    item_id: str
    points: float
    max_points: float
    status: Status

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item_id,
            "points": self.points,
            "max_points": self.max_points,
            "status": self.status,
        }


@dataclass(frozen=True)
class OutcomeScore:
    """Points on the items assessing one outcome; ``passed`` only for outcomes with a rule."""

    outcome_id: str
    points: float
    max_points: float
    share: float
    required: float | None
    passed: bool | None

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome_id,
            "points": self.points,
            "max_points": self.max_points,
            "share": self.share,
            "required": self.required,
            "passed": self.passed,
        }


@dataclass(frozen=True)
class FormResult:
    """A scored form: per item, per outcome, overall, and the pass decision.

    ``outcomes`` maps each outcome the form assesses to its score, in module order.
    ``passed`` is ``None`` while ``awaiting_review`` (a practical item has no grade).
    Outcomes the form does not assess are absent: stacking a bonus result onto an
    earlier one is the caller's decision, not this form's.
    """

    items: tuple[ItemScore, ...]
    outcomes: Mapping[str, OutcomeScore]
    points: float
    max_points: float
    share: float
    pass_overall: float
    passed: bool | None
    awaiting_review: bool

    def item(self, item_id: str) -> ItemScore:
        for score in self.items:
            if score.item_id == item_id:
                return score
        raise KeyError(item_id)

    def as_json(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "max_points": self.max_points,
            "share": self.share,
            "pass_overall": self.pass_overall,
            "passed": self.passed,
            "awaiting_review": self.awaiting_review,
            "outcomes": [o.as_json() for o in self.outcomes.values()],
            "items": [i.as_json() for i in self.items],
        }


# -- text and numbers --------------------------------------------------------


def normalise_text(value: str) -> str:
    """``value`` for comparison: NFKC, casefolded, without whitespace or separators.

    Separators are dashes (any Unicode dash), dots, slashes and backslashes, so
    ``1 1 2``, ``1-1-2`` and ``1.1.2`` all read ``112``. Nothing else is removed:
    leading zeros stay (``000`` is not ``0``).
    """
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(
        ch
        for ch in folded
        if not ch.isspace()
        and ch not in _SEPARATORS
        and unicodedata.category(ch) != "Pd"
    )


_GROUPED = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+$")


def text_matches(answer: str, accepted: Sequence[str], numeric: bool) -> bool:
    """Whether ``answer`` is one of the ``accepted`` answers, as the item declares them."""
    if numeric:
        number = parse_number(answer)
        return number is not None and any(parse_number(a) == number for a in accepted)
    typed = normalise_text(answer)
    return bool(typed) and any(normalise_text(a) == typed for a in accepted)


# -- items -------------------------------------------------------------------


def _ids(choices: Sequence[Any]) -> set[str]:
    return {c.id for c in choices}


def _is_id_list(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _longest_in_order(answer: Sequence[str], key: Sequence[str]) -> int:
    """Length of the longest subsequence of ``answer`` in the key's relative order."""
    rank = {step: index for index, step in enumerate(key)}
    ranks = [rank[step] for step in answer if step in rank]
    best: list[int] = []  # best[k]: smallest last rank of an increasing run of length k+1
    for value in ranks:
        low, high = 0, len(best)
        while low < high:
            middle = (low + high) // 2
            if best[middle] < value:
                low = middle + 1
            else:
                high = middle
        if low == len(best):
            best.append(value)
        else:
            best[low] = value
    return len(best)


def _unanswered(answer: object) -> bool:
    if answer is None:
        return True
    if isinstance(answer, str):
        return not answer.strip()
    return isinstance(answer, list | tuple | dict) and not answer


def _share(item: FormItem, answer: Any) -> Fraction:
    """The share of ``item``'s points ``answer`` earns; 0 for a malformed answer."""
    key = item.key
    if key is None:
        return Fraction(0)
    if item.type == "single":
        valid = isinstance(answer, str) and answer in _ids(item.options)
        return Fraction(int(valid and answer == key))
    if item.type == "multiple":
        return _multiple_share(item, answer, list(key))
    if item.type == "order":
        return _order_share(item, answer, list(key))
    if item.type == "text":
        if not isinstance(answer, str):
            return Fraction(0)
        return Fraction(int(text_matches(answer, list(key), item.numeric)))
    if item.type == "match":
        return _match_share(item, answer, dict(key))
    return Fraction(0)


def _multiple_share(item: FormItem, answer: Any, key: list[str]) -> Fraction:
    options = _ids(item.options)
    if not _is_id_list(answer) or len(set(answer)) != len(answer) or not set(answer) <= options:
        return Fraction(0)
    picked, wanted = set(answer), set(key)
    if picked == wanted:
        return Fraction(1)
    if item.scoring == "all-or-nothing" or not wanted:
        return Fraction(0)
    distractors = options - wanted
    right = Fraction(len(picked & wanted), len(wanted))
    wrong = Fraction(len(picked - wanted), len(distractors)) if distractors else Fraction(0)
    return min(max(Fraction(0), right - wrong), Fraction(1))


def _order_share(item: FormItem, answer: Any, key: list[str]) -> Fraction:
    steps = _ids(item.options)
    if not _is_id_list(answer) or sorted(answer) != sorted(steps):
        return Fraction(0)
    if list(answer) == key:
        return Fraction(1)
    if item.scoring == "exact" or len(key) < 2:
        return Fraction(0)
    longest = _longest_in_order(answer, key)
    return Fraction(max(0, longest - 1), len(key) - 1)


def _match_share(item: FormItem, answer: Any, key: dict[str, str]) -> Fraction:
    if not isinstance(answer, Mapping) or not key:
        return Fraction(0)
    left, right = _ids(item.left), _ids(item.right)
    for pair in answer.items():
        if not all(isinstance(part, str) for part in pair):
            return Fraction(0)
        if pair[0] not in left or pair[1] not in right:
            return Fraction(0)
    hits = sum(1 for lid, rid in key.items() if answer.get(lid) == rid)
    if hits == len(key):
        return Fraction(1)
    if item.scoring == "all-or-nothing":
        return Fraction(0)
    return Fraction(hits, len(key))


def _practical_share(item: FormItem, grade: Grade) -> Fraction:
    if not item.criteria:
        return Fraction(0)
    met = [grade.get(cid) is True for cid, _text, _required in item.criteria]
    if any(required and not ok for (_c, _t, required), ok in zip(item.criteria, met, strict=True)):
        return Fraction(0)
    return Fraction(sum(met), len(met))


def _status(share: Fraction) -> Status:
    if share >= 1:
        return "correct"
    return "partial" if share > 0 else "wrong"


def _exact(value: float) -> Fraction:
    return Fraction(str(value))


def _item_fraction(item: FormItem, answer: Any, grade: Grade | None) -> tuple[Fraction, Status]:
    if item.type == "practical":
        if grade is None:
            return Fraction(0), "awaiting_review"
        share = _practical_share(item, grade)
        return share, _status(share)
    if _unanswered(answer):
        return Fraction(0), "unanswered"
    share = _share(item, answer)
    return share, _status(share)


def score_item(item: FormItem, answer: Any = None, grade: Grade | None = None) -> ItemScore:
    """Score one item: ``answer`` in the item type's shape, ``grade`` for a practical item."""
    share, status = _item_fraction(item, answer, grade)
    earned = _exact(item.points) * share
    return ItemScore(item.id, float(earned), item.points, status)


# -- forms -------------------------------------------------------------------


def _ratio(earned: Fraction, maximum: Fraction) -> Fraction:
    return earned / maximum if maximum else Fraction(0)


def score_form(
    form: Form, answers: Mapping[str, Any], grades: Mapping[str, Grade]
) -> FormResult:
    """Score ``form`` with the learner's ``answers`` and the assessor's ``grades`` (by item id).

    An item with several outcomes counts fully for each. The form passes when its
    overall share reaches ``pass_overall`` and each outcome named in
    ``pass_outcomes`` that the form assesses reaches its share; while a practical
    item is ungraded the result is ``awaiting_review`` and ``passed`` is ``None``.
    """
    scores: list[ItemScore] = []
    earned: dict[str, Fraction] = {}
    maximum: dict[str, Fraction] = {}
    pending: set[str] = set()
    total, got = Fraction(0), Fraction(0)
    order = [outcome for outcome, _text in form.outcomes]
    for item in form.items:
        grade = grades.get(item.id)
        share, status = _item_fraction(item, answers.get(item.id), grade)
        points = _exact(item.points)
        total += points
        got += points * share
        scores.append(ItemScore(item.id, float(points * share), item.points, status))
        for outcome in dict.fromkeys(item.outcomes):
            if outcome not in order:
                order.append(outcome)
            earned[outcome] = earned.get(outcome, Fraction(0)) + points * share
            maximum[outcome] = maximum.get(outcome, Fraction(0)) + points
            if status == "awaiting_review":
                pending.add(outcome)
    awaiting = any(s.status == "awaiting_review" for s in scores)
    outcomes: dict[str, OutcomeScore] = {}
    for outcome in order:
        if outcome not in maximum:
            continue
        share = _ratio(earned[outcome], maximum[outcome])
        required = form.pass_outcomes.get(outcome)
        passed = None
        if required is not None and outcome not in pending:
            passed = share >= _exact(required)
        outcomes[outcome] = OutcomeScore(
            outcome,
            float(earned[outcome]),
            float(maximum[outcome]),
            float(share),
            required,
            passed,
        )
    overall = _ratio(got, total)
    decided: bool | None = None
    if not awaiting:
        decided = overall >= _exact(form.pass_overall) and all(
            o.passed is not False for o in outcomes.values()
        )
    return FormResult(
        items=tuple(scores),
        outcomes=outcomes,
        points=float(got),
        max_points=float(total),
        share=float(overall),
        pass_overall=form.pass_overall,
        passed=decided,
        awaiting_review=awaiting,
    )
