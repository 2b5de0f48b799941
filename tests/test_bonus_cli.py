"""``mqexam bonus plan LEARNER MODULE --target CC [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpers.profilekit import REPO, SAT, showcase, take
from mqexam.cli import main
from mqexam.store.db import Store

BANKS = REPO / "banks"
MODULE = "welding-centre-safety"


def run(db: Path, *args: str, lang: str = "en") -> Result:
    result = CliRunner().invoke(main, ["--lang", lang, "--banks", str(BANKS), "--db", str(db),
                                       *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def db(db_path: Path) -> Path:
    """L1 passed the Danish version on 1 December 2026; L2 exists with nothing yet."""
    with Store(db_path) as store:
        take(store, showcase(), "DK", SAT)
        store.ensure_learner("L2", "2026-12-01T09:00:00Z")
    return db_path


def test_the_plan_as_json_names_items_reasons_and_what_it_builds_on(db: Path) -> None:
    result = run(db, "bonus", "plan", "L1", MODULE, "--target", "de", "--on", "2027-01-15",
                 "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["target"], data["kind"], data["empty"]) == ("DE", "bonus", False)
    assert len(data["item_ids"]) == 8 and len(data["builds_on"]) == 1
    item = next(i for i in data["items"] if i["item"] == "emergency-police")
    assert item["reason"] == "differs" and item["from_context"] == "DK"
    assert item["text"] == "differs from Denmark (DK): answer"
    assert {o["status"] for o in data["outcomes"]} == {"needed", "stacked"}
    assert data["profile"]["learner"] == "L1"


def test_the_plan_in_words(db: Path) -> None:
    result = run(db, "bonus", "plan", "L1", MODULE, "--target", "DE", "--on", "2027-01-15")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Bonus plan for L1: {MODULE} 1.0.0, Germany (DE)"
    assert lines[1] == "A bonus exam for Germany (DE): 8 items, 12 min."
    assert any(line.strip().startswith("emergency-police") and "differs from Denmark (DK)"
               in line for line in lines)
    assert any("Builds on: " in line for line in lines)


def test_the_plan_in_danish_uses_danish_country_names(db: Path) -> None:
    result = run(db, "bonus", "plan", "L1", MODULE, "--target", "DE", "--on", "2027-01-15",
                 lang="da")
    assert result.exit_code == 0, result.output
    assert "Tyskland (DE)" in result.output and "Danmark (DK)" in result.output


def test_expired_results_put_the_outcomes_back(db: Path) -> None:
    result = run(db, "bonus", "plan", "L1", MODULE, "--target", "DE", "--on", "2030-01-01",
                 "--json")
    data = json.loads(result.output)
    assert data["kind"] == "full" and data["full_exam"] == "nothing_counts"
    assert {o["reason"] for o in data["outcomes"]} == {"expired"}


def test_a_learner_with_no_attempt_gets_the_full_exam(db: Path) -> None:
    result = run(db, "bonus", "plan", "L2", MODULE, "--target", "DE")
    assert result.exit_code == 0, result.output
    assert "L2 has no attempt and no prior-learning record for this module: the plan is " \
        "the full exam." in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["nobody", MODULE, "--target", "DE"], "error: no learner 'nobody'"),
    (["L1", "no-such-module", "--target", "DE"], "error: no module 'no-such-module'"),
    (["L1", MODULE, "--target", "FR"], f"error: module '{MODULE}' has no context 'FR'"),
    (["L1", MODULE, "--target", "DE", "--on", "soon"], "error: 'soon' is not a date"),
])
def test_bad_input_is_one_clear_line(db: Path, args: list[str], message: str) -> None:
    result = run(db, "bonus", "plan", *args)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_results_database_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run(missing, "bonus", "plan", "L1", MODULE, "--target", "DE")
    assert result.exit_code == 1
    assert result.output.strip() == f"error: no results database at {missing}"
    assert not missing.exists()


def test_the_command_has_help() -> None:
    result = CliRunner().invoke(main, ["bonus", "plan", "--help"])
    assert result.exit_code == 0
    assert "--target" in result.output and "--json" in result.output


def test_results_that_do_not_count_are_shown_with_the_reason(db: Path) -> None:
    result = run(db, "bonus", "plan", "L1", MODULE, "--target", "DE", "--on", "2030-01-01")
    assert result.exit_code == 0, result.output
    assert "none of L1's results for this module counts any more: the plan is the full " \
        "exam." in result.output
    shown = [line.strip() for line in result.output.splitlines() if "not counted:" in line]
    assert len(shown) == 7
    assert all(line.endswith("expired on December 1, 2029") for line in shown)
