"""Scoring: each item type's rule, answer validation, outcomes, pass/fail (examples, properties)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.bank.resolve import Choice
from mqexam.exam.form import Form, FormItem, build_form
from mqexam.exam.scoring import (
    normalise_text,
    parse_number,
    score_form,
    score_item,
    text_matches,
)

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
ALL_ITEMS = ["call-number", "first-step", "sequence", "ppe-pick", "filter-match", "ppe-bench"]


@pytest.fixture(scope="module")
def mini() -> Module:
    module = load_bank(FIXTURES, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture(scope="module")
def everything(mini: Module) -> Form:
    """All six mini items for the US, in one form."""
    return build_form(mini, "US", "en", 4, item_ids=ALL_ITEMS, kind="bonus")


def make_item(type_: str, key: Any, *, options: Sequence[str] = (), left: Sequence[str] = (),
              right: Sequence[str] = (), criteria: Sequence[tuple[str, bool]] = (),
              scoring: str = "partial", numeric: bool = False, points: float = 1.0,
              outcomes: tuple[str, ...] = ("x",), item_id: str = "q") -> FormItem:
    def choices(ids: Sequence[str]) -> tuple[Choice, ...]:
        return tuple(Choice(i, i.upper()) for i in ids)

    return FormItem(
        position=1, id=item_id, type=type_, outcomes=outcomes, points=points, text="?",
        locale="en", options=choices(options), left=choices(left), right=choices(right),
        criteria=tuple((c, c, req) for c, req in criteria), key=key, scoring=scoring,
        numeric=numeric, why="", references=(), notes="", verified_on=None,
    )


def shuffled(item: FormItem, data: st.DataObject) -> FormItem:
    return dataclasses.replace(
        item,
        options=tuple(data.draw(st.permutations(item.options))),
        left=tuple(data.draw(st.permutations(item.left))),
        right=tuple(data.draw(st.permutations(item.right))),
    )


# -- single --------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "points", "status"), [
    ("safety", 1.0, "correct"),
    ("breaths", 0.0, "wrong"),
    ("nonsense", 0.0, "wrong"),          # not an option of the item
    (["safety"], 0.0, "wrong"),          # wrong shape
    (1, 0.0, "wrong"),
    (None, 0.0, "unanswered"),
    ("", 0.0, "unanswered"),
])
def test_single(everything: Form, answer: Any, points: float, status: str) -> None:
    score = score_item(everything.item("first-step"), answer)
    assert (score.points, score.max_points, score.status) == (points, 1.0, status)


# -- multiple ------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "points", "status"), [
    (["helmet", "gloves"], 1.0, "correct"),
    (["gloves", "helmet"], 1.0, "correct"),
    (["helmet"], 0.5, "partial"),                  # 1/2 right, no wrong pick
    (["helmet", "sandals"], 0.0, "wrong"),         # 1/2 - 1/1, not below 0
    (["helmet", "gloves", "sandals"], 0.0, "wrong"),  # 1 - 1/1
    (["sandals"], 0.0, "wrong"),
    (["helmet", "helmet"], 0.0, "wrong"),          # malformed: a pick twice
    (["helmet", "boots"], 0.0, "wrong"),           # malformed: not an option
    ("helmet", 0.0, "wrong"),                      # malformed: not a list
    ([], 0.0, "unanswered"),
])
def test_multiple_partial(everything: Form, answer: Any, points: float, status: str) -> None:
    score = score_item(everything.item("ppe-pick"), answer)
    assert (score.points, score.status) == (points, status)


def test_multiple_partial_with_several_distractors() -> None:
    item = make_item("multiple", ["a", "b", "c"], options=["a", "b", "c", "d", "e", "f"],
                     points=6)
    assert score_item(item, ["a", "b"]).points == 4.0                 # 6 * 2/3
    assert score_item(item, ["a", "b", "d"]).points == 2.0            # 6 * (2/3 - 1/3)
    assert score_item(item, ["a", "b", "c", "d"]).points == 4.0       # 6 * (1 - 1/3)


def test_multiple_all_or_nothing() -> None:
    item = make_item("multiple", ["a", "b"], options=["a", "b", "c"], scoring="all-or-nothing")
    assert score_item(item, ["b", "a"]).status == "correct"
    assert score_item(item, ["a"]).points == 0.0
    assert score_item(item, ["a", "b", "c"]).points == 0.0


@st.composite
def multiple_items(draw: st.DrawFn) -> tuple[FormItem, list[str]]:
    ids = [f"o{i}" for i in range(draw(st.integers(2, 8)))]
    key = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    scoring = draw(st.sampled_from(["partial", "all-or-nothing"]))
    points = draw(st.sampled_from([1.0, 2.0, 0.5, 3.0]))
    answer = draw(st.lists(st.sampled_from(ids), unique=True))
    return make_item("multiple", key, options=ids, scoring=scoring, points=points), answer


@given(case=multiple_items(), data=st.data())
def test_multiple_properties(case: tuple[FormItem, list[str]], data: st.DataObject) -> None:
    item, answer = case
    score = score_item(item, answer)
    assert 0 <= score.points <= item.points
    assert (score.points == item.points) == (set(answer) == set(item.key))
    assert score_item(item, list(reversed(item.key))).points == item.points
    assert score_item(shuffled(item, data), answer) == score


# -- order ---------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "points", "status"), [
    (["call", "check", "push"], 1.0, "correct"),     # the US key
    (["push", "check", "call"], 0.0, "wrong"),       # its reverse
    (["check", "call", "push"], 0.5, "partial"),     # the ERC order: 2 of 3 in order
    (["call", "push", "check"], 0.5, "partial"),
    (["call", "check"], 0.0, "wrong"),               # malformed: a step missing
    (["call", "check", "check"], 0.0, "wrong"),      # malformed: a step twice
    (["call", "check", "push", "run"], 0.0, "wrong"),  # malformed: unknown step
    ({"call": 1}, 0.0, "wrong"),
    ([], 0.0, "unanswered"),
])
def test_order_partial(everything: Form, answer: Any, points: float, status: str) -> None:
    score = score_item(everything.item("sequence"), answer)
    assert (score.points, score.status) == (points, status)


def test_order_exact() -> None:
    item = make_item("order", ["a", "b", "c", "d"], options=["d", "c", "b", "a"], scoring="exact")
    assert score_item(item, ["a", "b", "c", "d"]).status == "correct"
    assert score_item(item, ["a", "b", "d", "c"]).points == 0.0


def test_order_partial_counts_a_subsequence_not_a_run() -> None:
    item = make_item("order", list("abcde"), options=list("edcba"), points=4)
    # a, c, e are in the key's relative order though not adjacent: L = 3, 4 * 2/4
    assert score_item(item, ["a", "d", "c", "b", "e"]).points == 2.0
    # one step moved to the end: L = 4, 4 * 3/4
    assert score_item(item, ["b", "c", "d", "e", "a"]).points == 3.0


def longest_in_order_brute(answer: list[str], key: list[str]) -> int:
    rank = {s: i for i, s in enumerate(key)}
    best = 1
    for size in range(2, len(answer) + 1):
        for combo in itertools.combinations(answer, size):
            ranks = [rank[s] for s in combo]
            if ranks == sorted(ranks):
                best = size
    return best


@st.composite
def order_items(draw: st.DrawFn) -> tuple[FormItem, list[str]]:
    steps = [f"s{i}" for i in range(draw(st.integers(2, 7)))]
    key = draw(st.permutations(steps))
    shown = draw(st.permutations(steps))
    answer = draw(st.permutations(steps))
    points = draw(st.sampled_from([1.0, 2.0, 5.0]))
    return make_item("order", list(key), options=list(shown), points=points), list(answer)


@given(case=order_items(), data=st.data())
def test_order_properties(case: tuple[FormItem, list[str]], data: st.DataObject) -> None:
    item, answer = case
    key = list(item.key)
    score = score_item(item, answer)
    assert 0 <= score.points <= item.points
    assert score_item(item, key).points == item.points
    assert score_item(item, list(reversed(key))).points == 0.0
    assert score_item(shuffled(item, data), answer) == score
    expected = Fraction(str(item.points)) * Fraction(
        longest_in_order_brute(answer, key) - 1, len(key) - 1)
    assert score.points == float(expected)
    assert (score.points == 0) == (answer == list(reversed(key)))


@given(case=order_items(), swap=st.integers(0, 5))
def test_order_one_adjacent_swap_of_the_key_loses_one_step(
    case: tuple[FormItem, list[str]], swap: int
) -> None:
    item, _answer = case
    key = list(item.key)
    assume(swap < len(key) - 1)
    answer = [*key]
    answer[swap], answer[swap + 1] = answer[swap + 1], answer[swap]
    expected = item.points * (len(key) - 2) / (len(key) - 1)
    assert score_item(item, answer).points == pytest.approx(expected)


# -- text ----------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "status"), [
    ("911", "correct"),
    (" 9 1 1 ", "correct"),
    ("9-1-1", "correct"),
    ("9.1.1", "correct"),
    ("9/11", "correct"),
    ("９１１", "correct"),          # full-width digits (NFKC)
    ("9\u20131\u20131", "correct"),  # en dashes
    ("112", "wrong"),              # the EU number is not the US one
    ("0911", "wrong"),
    ("   ", "unanswered"),
    (911, "wrong"),                # malformed: not a string
])
def test_text_us_number(everything: Form, answer: Any, status: str) -> None:
    assert score_item(everything.item("call-number"), answer).status == status


def test_text_key_follows_the_context(mini: Module) -> None:
    dk = build_form(mini, "DK", "en", 1, item_ids=["call-number"], kind="bonus").items[0]
    assert score_item(dk, "1 1 2").status == "correct"
    assert score_item(dk, "911").status == "wrong"


def test_text_keeps_leading_zeros_unless_numeric() -> None:
    australia = make_item("text", ["000"])
    assert score_item(australia, "000").status == "correct"
    assert score_item(australia, "0 0 0").status == "correct"
    assert score_item(australia, "0").status == "wrong"
    assert score_item(australia, "00").status == "wrong"
    numeric = make_item("text", ["000"], numeric=True)
    assert score_item(numeric, "0").status == "correct"


def test_text_ignores_case_and_compares_nfkc() -> None:
    item = make_item("text", ["Straße", "EN ISO 11611"])
    assert score_item(item, "STRASSE").status == "correct"
    assert score_item(item, "en-iso-11611").status == "correct"
    assert score_item(item, "en iso 1161").status == "wrong"


@pytest.mark.parametrize(("answer", "key", "right"), [
    ("1,5", "1.5", True),
    ("1.5", "1,5", True),
    ("30", "30.0", True),
    ("30,00", "30", True),
    ("+30", "30", True),
    ("−2", "-2", True),             # U+2212 minus
    ("1 000", "1000", True),
    ("1.000,5", "1000.5", True),
    ("1,000.5", "1000.5", True),
    ("1.000.000", "1000000", True),
    ("3", "30", False),
    ("1.5.0", "150", False),
    ("thirty", "30", False),
    ("NaN", "NaN", False),
    ("inf", "inf", False),
])
def test_numeric_answers(answer: str, key: str, right: bool) -> None:
    item = make_item("text", [key], numeric=True)
    assert (score_item(item, answer).status == "correct") is right


def test_parse_number() -> None:
    assert parse_number("1,5") == Decimal("1.5")
    assert parse_number(" 12 ") == Decimal(12)
    assert parse_number("") is None
    assert parse_number("1_000") is None


SEPARATORS = st.sampled_from(["", " ", "-", ".", "/", "  ", " - ", "\u00a0"])


@given(key=st.text(alphabet="0123456789abcxyzÆØÅ", min_size=1, max_size=8), data=st.data())
def test_any_spacing_or_hyphenation_of_the_key_scores_full(key: str, data: st.DataObject) -> None:
    item = make_item("text", [key])
    typed = data.draw(SEPARATORS)
    for char in key:
        upper = data.draw(st.booleans())
        typed += (char.upper() if upper else char) + data.draw(SEPARATORS)
    assert score_item(item, typed).status == "correct"


@given(zeros=st.integers(1, 6), typed=st.integers(1, 6))
def test_zeros_are_not_numbers_unless_declared(zeros: int, typed: int) -> None:
    text = make_item("text", ["0" * zeros])
    number = make_item("text", ["0" * zeros], numeric=True)
    assert (score_item(text, "0" * typed).status == "correct") == (zeros == typed)
    assert score_item(number, "0" * typed).status == "correct"


@given(value=st.decimals(allow_nan=False, allow_infinity=False, places=3,
                         min_value=-10**6, max_value=10**6))
def test_numbers_match_in_either_decimal_mark(value: Decimal) -> None:
    item = make_item("text", [str(value)], numeric=True)
    written = f"{value:f}"
    assert score_item(item, written).status == "correct"
    assert score_item(item, written.replace(".", ",")).status == "correct"
    assert score_item(item, str(value + 1)).status == "wrong"


def test_normalise_text_and_matching() -> None:
    assert normalise_text(" 1-1 2 ") == "112"
    assert normalise_text("000") == "000"
    assert not text_matches("---", ["-"], numeric=False)  # nothing left to compare


# -- match ---------------------------------------------------------------------


@pytest.mark.parametrize(("answer", "points", "status"), [
    ({"en169": "passive", "en379": "auto"}, 2.0, "correct"),
    ({"en169": "passive", "en379": "frames"}, 1.0, "partial"),
    ({"en169": "passive"}, 1.0, "partial"),          # partial answer
    ({"en169": "auto", "en379": "passive"}, 0.0, "wrong"),
    ({"en169": "passive", "en999": "auto"}, 0.0, "wrong"),  # malformed: unknown left
    ({"en169": "passive", "en379": "nope"}, 0.0, "wrong"),  # malformed: unknown right
    ({"en169": 3}, 0.0, "wrong"),
    (["passive", "auto"], 0.0, "wrong"),
    ({}, 0.0, "unanswered"),
])
def test_match_partial(everything: Form, answer: Any, points: float, status: str) -> None:
    score = score_item(everything.item("filter-match"), answer)
    assert (score.points, score.max_points, score.status) == (points, 2.0, status)


def test_match_all_or_nothing() -> None:
    item = make_item("match", {"a": "x", "b": "y"}, left=["a", "b"], right=["x", "y", "z"],
                     scoring="all-or-nothing")
    assert score_item(item, {"b": "y", "a": "x"}).status == "correct"
    assert score_item(item, {"a": "x"}).points == 0.0


@st.composite
def match_items(draw: st.DrawFn) -> tuple[FormItem, dict[str, str]]:
    left = [f"l{i}" for i in range(draw(st.integers(2, 5)))]
    right = [f"r{i}" for i in range(draw(st.integers(len(left), len(left) + 3)))]
    key = {lid: draw(st.sampled_from(right)) for lid in left}
    answer = draw(st.dictionaries(st.sampled_from(left), st.sampled_from(right)))
    scoring = draw(st.sampled_from(["partial", "all-or-nothing"]))
    return make_item("match", key, left=left, right=right, scoring=scoring, points=2), answer


@given(case=match_items(), data=st.data())
def test_match_properties(case: tuple[FormItem, dict[str, str]], data: st.DataObject) -> None:
    item, answer = case
    score = score_item(item, answer)
    assert 0 <= score.points <= item.points
    assert score_item(item, dict(reversed(list(item.key.items())))).points == item.points
    assert score_item(shuffled(item, data), answer) == score
    hits = sum(answer.get(k) == v for k, v in item.key.items())
    expected = hits / len(item.key) if item.scoring == "partial" else float(hits == len(item.key))
    assert score.points == pytest.approx(item.points * expected)


# -- practical -----------------------------------------------------------------


@pytest.mark.parametrize(("grade", "points", "status"), [
    (None, 0.0, "awaiting_review"),
    ({"helmet": True, "jacket": True}, 1.0, "correct"),
    ({"helmet": True, "jacket": False}, 0.5, "partial"),
    ({"helmet": True}, 0.5, "partial"),                # a criterion left out is not met
    ({"helmet": False, "jacket": True}, 0.0, "wrong"),  # required criterion not met
    ({"helmet": "yes", "jacket": True}, 0.0, "wrong"),  # only True counts as met
])
def test_practical(everything: Form, grade: Any, points: float, status: str) -> None:
    score = score_item(everything.item("ppe-bench"), "learner text is ignored", grade)
    assert (score.points, score.status) == (points, status)


@given(met=st.lists(st.booleans(), min_size=1, max_size=6), data=st.data())
def test_practical_properties(met: list[bool], data: st.DataObject) -> None:
    required = data.draw(st.lists(st.booleans(), min_size=len(met), max_size=len(met)))
    criteria = [(f"c{i}", req) for i, req in enumerate(required)]
    item = make_item("practical", None, criteria=criteria, points=3)
    grade = {f"c{i}": ok for i, ok in enumerate(met)}
    score = score_item(item, None, grade)
    assert 0 <= score.points <= item.points
    if any(req and not ok for req, ok in zip(required, met, strict=True)):
        assert score.points == 0
    else:
        assert score.points == pytest.approx(3 * sum(met) / len(met))
    assert score_item(item, None, dict.fromkeys(grade, True)).status == "correct"


# -- any answer, any item --------------------------------------------------------

JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(["safety", "helmet", "gloves", "call", "check", "push", "911", "en169",
                       "passive"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text(max_size=6) | st.sampled_from(["en169", "en379"]), inner, max_size=3),
    max_leaves=8,
)


@given(answers=st.dictionaries(st.sampled_from(ALL_ITEMS), JSONISH),
       grade=st.dictionaries(st.text(max_size=6) | st.sampled_from(["helmet", "jacket"]),
                             JSONISH, max_size=3))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_answer_scores_within_bounds_and_never_raises(
    everything: Form, answers: dict[str, Any], grade: dict[str, Any]
) -> None:
    result = score_form(everything, answers, {"ppe-bench": grade})
    for item, score in zip(everything.items, result.items, strict=True):
        assert 0 <= score.points <= score.max_points == item.points
    assert 0 <= result.share <= 1
    json.dumps(result.as_json())


def key_answers(form: Form) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in form.items:
        if item.type == "text":
            answers[item.id] = item.key[0]
        elif item.type != "practical":
            answers[item.id] = item.key
    return answers


@given(seed_a=st.integers(0, 2**32), seed_b=st.integers(0, 2**32),
       context=st.sampled_from(["DK", "US"]), data=st.data())
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_scores_do_not_depend_on_the_shown_order(
    mini: Module, seed_a: int, seed_b: int, context: str, data: st.DataObject
) -> None:
    first = build_form(mini, context, "en", seed_a, item_ids=ALL_ITEMS, kind="bonus")
    second = build_form(mini, context, "da", seed_b, item_ids=ALL_ITEMS, kind="bonus")
    answers: dict[str, Any] = {
        "first-step": data.draw(st.sampled_from(["safety", "breaths"])),
        "ppe-pick": data.draw(st.lists(st.sampled_from(["helmet", "gloves", "sandals"]),
                                       unique=True)),
        "sequence": data.draw(st.permutations(["check", "call", "push"])),
        "filter-match": data.draw(st.dictionaries(st.sampled_from(["en169", "en379"]),
                                                  st.sampled_from(["passive", "auto", "frames"]))),
        "call-number": data.draw(st.sampled_from(["112", "911", "000"])),
    }
    grades = {"ppe-bench": {"helmet": data.draw(st.booleans()), "jacket": True}}
    a, b = score_form(first, answers, grades), score_form(second, answers, grades)
    assert {s.item_id: s for s in a.items} == {s.item_id: s for s in b.items}
    assert a.share == b.share and a.passed == b.passed


@given(seed=st.integers(0, 2**32), context=st.sampled_from(["DK", "US"]))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_correct_answer_always_scores_full(mini: Module, seed: int, context: str) -> None:
    form = build_form(mini, context, "de", seed)
    grades = {"ppe-bench": {"helmet": True, "jacket": True}}
    result = score_form(form, key_answers(form), grades)
    assert all(s.status == "correct" for s in result.items)
    assert result.share == 1.0 and result.passed is True


# -- forms: outcomes and pass/fail -------------------------------------------------

ALL_RIGHT = {
    "call-number": "911",
    "first-step": "safety",
    "sequence": ["call", "check", "push"],
    "ppe-pick": ["helmet", "gloves"],
    "filter-match": {"en169": "passive", "en379": "auto"},
}
GRADED = {"ppe-bench": {"helmet": True, "jacket": True}}


def test_all_right_passes(everything: Form) -> None:
    result = score_form(everything, ALL_RIGHT, GRADED)
    assert (result.points, result.max_points, result.share) == (7.0, 7.0, 1.0)
    assert result.passed is True and result.awaiting_review is False
    assert list(result.outcomes) == ["alarm", "ppe"]
    assert result.outcomes["alarm"].max_points == 3.0
    assert result.outcomes["ppe"].max_points == 4.0
    assert result.outcomes["alarm"].passed is True
    assert result.outcomes["ppe"].passed is None  # no rule for ppe


def test_a_required_outcome_fails_the_form_despite_the_overall_share(everything: Form) -> None:
    answers = {**ALL_RIGHT, "first-step": "breaths"}
    result = score_form(everything, answers, GRADED)
    assert result.share == pytest.approx(6 / 7) and result.share >= everything.pass_overall
    assert result.outcomes["alarm"].share == pytest.approx(2 / 3)
    assert result.outcomes["alarm"].passed is False
    assert result.passed is False


def test_overall_share_below_the_threshold_fails(everything: Form) -> None:
    answers = {**ALL_RIGHT, "filter-match": {}, "ppe-pick": ["helmet"]}
    result = score_form(everything, answers, GRADED)
    assert result.points == 4.5 and result.item("filter-match").status == "unanswered"
    assert result.passed is False


def test_the_threshold_itself_passes() -> None:
    items = tuple(
        dataclasses.replace(make_item("single", "a", options=["a", "b"], item_id=f"q{i}"),
                            position=i + 1)
        for i in range(10)
    )
    form = Form("m", "1", "h", "DK", "en", 1, "full", items, 60, 0.7, {}, (("x", "X"),), ())
    answers = {f"q{i}": "a" if i < 7 else "b" for i in range(10)}
    assert score_form(form, answers, {}).passed is True
    answers["q6"] = "b"
    assert score_form(form, answers, {}).passed is False


def test_an_item_with_two_outcomes_counts_fully_for_each() -> None:
    both = make_item("single", "a", options=["a", "b"], outcomes=("x", "y"), item_id="both",
                     points=2)
    only = make_item("single", "a", options=["a", "b"], outcomes=("y",), item_id="only")
    form = Form("m", "1", "h", "DK", "en", 1, "full", (both, only), 60, 0.5, {"x": 1.0, "y": 0.6},
                (("x", "X"), ("y", "Y")), ())
    result = score_form(form, {"both": "a", "only": "b"}, {})
    assert (result.outcomes["x"].points, result.outcomes["x"].max_points) == (2.0, 2.0)
    assert (result.outcomes["y"].points, result.outcomes["y"].max_points) == (2.0, 3.0)
    assert result.max_points == 3.0
    assert result.passed is True
    result = score_form(form, {"both": "b", "only": "a"}, {})
    assert result.outcomes["x"].passed is False and result.passed is False


def test_ungraded_practical_leaves_the_result_undecided(everything: Form) -> None:
    result = score_form(everything, ALL_RIGHT, {})
    assert result.awaiting_review is True
    assert result.passed is None
    assert result.item("ppe-bench").status == "awaiting_review"
    as_json = result.as_json()
    assert as_json["passed"] is None and as_json["awaiting_review"] is True


def test_unanswered_and_unknown_answers(everything: Form) -> None:
    result = score_form(everything, {"not-in-form": "x"}, {})
    statuses = {s.item_id: s.status for s in result.items}
    assert statuses == {**dict.fromkeys(ALL_ITEMS, "unanswered"), "ppe-bench": "awaiting_review"}
    assert result.points == 0.0


def test_outcomes_a_form_does_not_assess_are_absent(mini: Module) -> None:
    form = build_form(mini, "US", "en", 2, item_ids=["ppe-pick"], kind="bonus")
    result = score_form(form, {"ppe-pick": ["helmet", "gloves"]}, {})
    assert list(result.outcomes) == ["ppe"]
    assert result.passed is True  # alarm's rule is not this form's to decide


def test_as_json(everything: Form) -> None:
    data = json.loads(json.dumps(score_form(everything, ALL_RIGHT, GRADED).as_json()))
    assert data["passed"] is True and data["share"] == 1.0
    assert [o["outcome"] for o in data["outcomes"]] == ["alarm", "ppe"]
    assert [i["item"] for i in data["items"]] == [item.id for item in everything.items]
    assert {i["status"] for i in data["items"]} == {"correct"}
