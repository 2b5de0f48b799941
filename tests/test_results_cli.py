"""``mqexam results list|show|verify`` on databases made by the tests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import Clock
from helpers.storekit import new_attempt
from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.cli import main
from mqexam.sitting import Sitting
from mqexam.store.db import Store


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def db(db_path: Path) -> Path:
    """Four attempts across learners, modules, countries, days and states."""
    with Store(db_path) as store:
        new_attempt(store, "A1", "L1", answers=1, at="2026-12-01T09:00:00Z")
        new_attempt(store, "A2", "L1", answers=2, at="2026-12-02T10:00:00Z", context="US")
        store.append("A2", "submitted", {}, "2026-12-02T10:05:00Z")
        new_attempt(store, "A3", "L2", answers=0, at="2026-12-03T11:00:00Z", module="weld",
                    version="2.0.0")
        store.append("A3", "expired", {}, "2026-12-03T11:30:00Z")
        new_attempt(store, "A4", "L3", answers=3, at="2026-12-04T12:00:00Z", module="weld",
                    version="2.0.0", context="DE", locale="de")
        store.append("A4", "submitted", {}, "2026-12-04T12:10:00Z")
        store.append("A4", "signed", {"decision": "competent"}, "2026-12-05T08:00:00Z")
    return db_path


def listed(db: Path, *filters: str) -> list[str]:
    result = run(db, "results", "list", "--json", *filters)
    assert result.exit_code == 0, result.output
    return [row["id"] for row in json.loads(result.output)]


def test_list_shows_every_attempt_newest_first(db: Path) -> None:
    result = run(db, "results", "list")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "A4  2026-12-04 12:00  L3  weld 2.0.0  DE/de  full  signed",
        "A3  2026-12-03 11:00  L2  weld 2.0.0  DK/en  full  expired",
        "A2  2026-12-02 10:00  L1  mini 1.2.0  US/en  full  submitted",
        "A1  2026-12-01 09:00  L1  mini 1.2.0  DK/en  full  in progress",
    ]


@pytest.mark.parametrize(("filters", "expected"), [
    ([], ["A4", "A3", "A2", "A1"]),
    (["--learner", "L1"], ["A2", "A1"]),
    (["--module", "weld"], ["A4", "A3"]),
    (["--context", "dk"], ["A3", "A1"]),
    (["--status", "in_progress"], ["A1"]),
    (["--status", "submitted"], ["A2"]),
    (["--status", "expired"], ["A3"]),
    (["--status", "signed"], ["A4"]),
    (["--since", "2026-12-02"], ["A4", "A3", "A2"]),
    (["--until", "2026-12-03"], ["A2", "A1"]),
    (["--since", "2026-12-02", "--until", "2026-12-03"], ["A2"]),
    (["--learner", "L1", "--context", "US"], ["A2"]),
    (["--learner", "NOBODY"], []),
])
def test_list_filters(db: Path, filters: list[str], expected: list[str]) -> None:
    assert listed(db, *filters) == expected


def test_an_expired_attempt_reopened_by_an_extension_is_in_progress_again(db: Path) -> None:
    with Store(db) as store:
        store.append("A3", "time_extended", {"minutes": 10, "reason": "power cut",
                                             "assessor": "kim", "reopen": True},
                     "2026-12-03T11:40:00Z")
        store.append("A1", "time_extended", {"minutes": 10, "reason": "late bus",
                                             "assessor": "kim"}, "2026-12-01T09:05:00Z")
    assert listed(db, "--status", "in_progress") == ["A3", "A1"]
    assert listed(db, "--status", "expired") == []


def test_list_json_has_the_exact_bank_version_and_chain_head(db: Path) -> None:
    rows = json.loads(run(db, "results", "list", "--json", "--learner", "L3").output)
    with Store(db) as store:
        last = store.events("A4")[-1]
    assert rows == [{
        "id": "A4", "learner_id": "L3", "module_id": "weld", "module_version": "2.0.0",
        "content_hash": "sha256:" + "ab" * 32, "context": "DE", "locale": "de", "kind": "full",
        "started_at": "2026-12-04T12:00:00Z", "lifecycle": "signed", "last_hash": last.hash,
        "events": 6,
    }]


def test_list_an_empty_database(db_path: Path) -> None:
    Store(db_path).close()
    assert run(db_path, "results", "list").output == "No attempts.\n"
    assert run(db_path, "results", "list", "--json").output == "[]\n"


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_list_refuses_a_date_it_cannot_read(db: Path, option: str) -> None:
    result = run(db, "results", "list", option, "1st of May")
    assert result.exit_code == 1
    assert result.stderr == "error: '1st of May' is not a date (YYYY-MM-DD)\n"


def test_verify_a_database_made_by_the_tests(db: Path) -> None:
    result = run(db, "results", "verify")
    assert result.exit_code == 0
    assert result.output == "4 attempt(s): every chain verifies\n"
    assert json.loads(run(db, "results", "verify", "--json").output) == {
        "attempts": 4, "problems": []}


# -- show: an attempt sat through the learner's side on the mini bank ---------------------


@pytest.fixture
def mini(mini_banks: Path) -> Module:
    module = load_bank(mini_banks, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture
def sat(db_path: Path, mini: Module, clock: Clock) -> str:
    """A submitted attempt: every item right except the order item, the practical ungraded.

    Seed 3 draws ppe-pick, ppe-bench, sequence, call-number and filter-match.
    """
    with Store(db_path) as store:
        sitting, _code = Sitting.start(store, mini, context="US", locale="en", learner_id="L7",
                                       name="Ada Lund", now=clock(), seed=3)
        for item in sitting.form.items:
            clock.advance(seconds=30)
            if item.type == "text":
                sitting.answer(item.id, " 9-1-1 ", clock())
            elif item.type == "order":
                sitting.answer(item.id, list(reversed(item.key)), clock())
            elif item.type != "practical":
                sitting.answer(item.id, item.key, clock())
        sitting.flag("sequence", True, clock())
        sitting.submit(clock())
        return sitting.attempt_id


def test_show_json_has_answers_scores_and_outcomes(db_path: Path, mini_banks: Path,
                                                   sat: str) -> None:
    result = run(db_path, "--banks", str(mini_banks), "results", "show", sat, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["attempt"] == sat
    assert report["status"] == "submitted"
    assert report["context"] == "US"
    assert report["module"]["version"] == "1.2.0"
    assert report["learner"] == {"id": "L7", "name": "Ada Lund", "erased": False}
    assert report["chain_problems"] == []
    items = {item["id"]: item for item in report["items"]}
    assert items["call-number"]["answer"] == [" 9-1-1 "]
    assert items["call-number"]["key"] == ["911"]  # the US key, not the universal 112
    assert (items["call-number"]["score"], items["call-number"]["status"]) == (1, "correct")
    assert (items["sequence"]["score"], items["sequence"]["status"]) == (0, "wrong")
    assert items["sequence"]["flagged"] is True
    assert items["ppe-bench"]["status"] == "awaiting_review"
    assert items["filter-match"]["score"] == items["filter-match"]["max"] == 2
    outcomes = {row["id"]: row for row in report["outcomes"]}
    assert (outcomes["alarm"]["points"], outcomes["alarm"]["max"]) == (1, 2)
    assert outcomes["alarm"]["verdict"] == "not passed"
    assert (outcomes["ppe"]["points"], outcomes["ppe"]["max"]) == (3, 4)
    assert report["result"]["awaiting_review"] is True
    assert [e["kind"] for e in report["events"]][-1] == "submitted"


def test_show_text_has_each_item_answer_score_and_outcome(db_path: Path, mini_banks: Path,
                                                          sat: str) -> None:
    result = run(db_path, "--banks", str(mini_banks), "results", "show", sat)

    assert result.exit_code == 0, result.output
    out = result.output
    assert f"Attempt {sat}" in out
    assert "Which number do you call?" in out and "United States" in out
    assert "   Answer:  9-1-1 \n   Key: 911\n   Score: 1/1 (correct)" in out
    assert "Score: 0/1 (wrong)" in out
    assert "Score: 0/1 (awaiting assessor)" in out
    assert "  alarm: 1/2 not passed" in out
    assert "  ppe: 3/4 awaiting assessor" in out
    assert "Total: 4/6 (awaiting assessor)" in out


def test_show_without_the_bank_version_still_shows_the_record(
        db_path: Path, tmp_path: Path, sat: str) -> None:
    from conftest import forget_bank_versions

    empty = tmp_path / "no-banks"
    empty.mkdir()
    kept = run(db_path, "--banks", str(empty), "results", "show", sat)
    assert kept.exit_code == 0 and "Score:" in kept.output  # the database kept the version
    forget_bank_versions(db_path)
    result = run(db_path, "--banks", str(empty), "results", "show", sat)
    assert result.exit_code == 0, result.output
    assert "Scores: not available: this bank version" in result.output


def test_show_an_attempt_in_progress_counts_time_from_the_deadline(
        db_path: Path, mini: Module, mini_banks: Path, clock: Clock) -> None:
    with Store(db_path) as store:
        sitting, _code = Sitting.start(store, mini, context="DK", locale="da",
                                       learner_id="L8", now=clock(), seed=2)
    result = run(db_path, "--banks", str(mini_banks), "results", "show", sitting.attempt_id,
                 "--json")
    report = json.loads(result.output)
    assert report["status"] == "in_progress"
    assert report["deadline"] == (clock() + timedelta(minutes=10)).isoformat(
        timespec="microseconds")
    assert report["locale"] == "da"
