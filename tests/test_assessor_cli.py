"""``mqexam assessor add|list``, ``results list --status`` and ``results analysis``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import Clock
from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.cli import main
from mqexam.review import Review
from mqexam.sitting import Sitting
from mqexam.store.db import Store

PASSPHRASE = "bench and manikin"
RIGHT: dict[str, Any] = {"call-number": "112", "sequence": ["check", "call", "push"],
                         "ppe-pick": ["helmet", "gloves"],
                         "filter-match": {"en169": "passive", "en379": "auto"}}


def run(db: Path, *args: str, input: str | None = None, banks: Path | None = None,
        env: dict[str, str] | None = None) -> Result:
    options = ["--db", str(db)] + (["--banks", str(banks)] if banks else [])
    result = CliRunner().invoke(main, [*options, *args], input=input, env=env)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


def one_error_line(result: Result, text: str) -> None:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: ") and text in lines[-1], result.output


# -- assessor accounts -------------------------------------------------------


def test_add_from_the_environment_then_list(db_path: Path) -> None:
    added = run(db_path, "assessor", "add", "Kim",
                env={"MQEXAM_ASSESSOR_PASSPHRASE": PASSPHRASE})
    assert added.exit_code == 0, added.output
    assert added.output == "Added assessor Kim.\n"

    listed = run(db_path, "assessor", "list")
    assert listed.exit_code == 0
    assert listed.output.startswith("Kim  ")
    as_json = json.loads(run(db_path, "assessor", "list", "--json").output)
    assert [set(row) for row in as_json] == [{"name", "created_at", "locked_until"}]
    assert PASSPHRASE not in listed.output


def test_add_asks_twice_without_showing_the_passphrase(db_path: Path) -> None:
    result = run(db_path, "assessor", "add", "Mette",
                 input=f"{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert "Passphrase for Mette:" in result.output
    assert "Repeat the passphrase:" in result.output
    assert PASSPHRASE not in result.output
    with Store(db_path) as store:
        from mqexam.store.assessors import check_passphrase

        check_passphrase(store, "Mette", PASSPHRASE, Clock()())


def test_two_different_passphrases_are_asked_again(db_path: Path) -> None:
    result = run(db_path, "assessor", "add", "Mette",
                 input=f"{PASSPHRASE}\nsomething else\n{PASSPHRASE}\n{PASSPHRASE}\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output


@pytest.mark.parametrize(("name", "passphrase", "message"), [
    ("Kim", PASSPHRASE, "there is already an assessor called 'Kim'"),
    ("", PASSPHRASE, "an assessor needs a name"),
    ("Jo", "short", "a passphrase needs at least 8 characters"),
])
def test_bad_accounts_get_one_line(db_path: Path, name: str, passphrase: str,
                                   message: str) -> None:
    env = {"MQEXAM_ASSESSOR_PASSPHRASE": passphrase}
    run(db_path, "assessor", "add", "Kim", env={"MQEXAM_ASSESSOR_PASSPHRASE": PASSPHRASE})
    one_error_line(run(db_path, "assessor", "add", name, env=env), message)


def test_list_without_a_database(tmp_path: Path) -> None:
    one_error_line(run(tmp_path / "none.db", "assessor", "list"), "no results database")


def test_an_empty_list_says_how_to_add(db_path: Path) -> None:
    Store(db_path).close()
    assert "mqexam assessor add NAME" in run(db_path, "assessor", "list").output


# -- results list --status and results analysis ------------------------------


@pytest.fixture
def mini(mini_banks: Path) -> Module:
    module = load_bank(mini_banks, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture
def results(db_path: Path, mini: Module, clock: Clock) -> dict[str, str]:
    """Three finished attempts in DK (passed, failed, awaiting review) and one in US."""
    ids = {}
    with Store(db_path) as store:
        for n, (name, answers, grade, context) in enumerate([
                ("passed", RIGHT, True, "DK"), ("failed", {"call-number": "999"}, True, "DK"),
                ("awaiting_review", RIGHT, False, "DK"), ("us", RIGHT, True, "US")]):
            sitting, _code = Sitting.start(store, mini, context=context, locale="en",
                                           learner_id=f"L{n}", now=clock(), seed=3)
            for item, answer in answers.items():
                sitting.show(item, clock())
                clock.advance(seconds=10)
                sitting.answer(item, answer, clock())
            sitting.submit(clock())
            if grade:
                Review.open(store, [mini], sitting.attempt_id, "Kim").grade(
                    "ppe-bench", {"helmet": True, "jacket": True}, "", clock())
            ids[name] = sitting.attempt_id
            clock.advance(minutes=1)
    return ids


@pytest.mark.parametrize("status", ["passed", "failed", "awaiting_review"])
def test_results_list_by_derived_status(db_path: Path, results: dict[str, str],
                                        status: str) -> None:
    result = run(db_path, "results", "list", "--status", status, "--context", "dk", "--json")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.output)] == [results[status]]


def test_results_list_refuses_an_unknown_status(db_path: Path, results: dict[str, str]) -> None:
    result = run(db_path, "results", "list", "--status", "great")
    assert result.exit_code == 2
    assert "Invalid value for '--status'" in result.output


def test_results_analysis(db_path: Path, mini_banks: Path, results: dict[str, str]) -> None:
    as_json = run(db_path, "results", "analysis", "mini", "--context", "dk", "--json",
                  banks=mini_banks)
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.output)
    assert (report["module"], report["version"], report["context"], report["attempts"]) == (
        "mini", "1.2.0", "DK", 3)
    items = {row["item"]: row for row in report["items"]}
    assert items["call-number"]["facility"] == pytest.approx(2 / 3)
    assert items["call-number"]["discrimination"] > 0
    assert items["ppe-bench"]["scored"] == 2
    assert items["ppe-pick"]["options"] == {"helmet": 2, "gloves": 2, "sandals": 0}
    assert items["ppe-pick"]["mean_seconds"] == 10

    text = run(db_path, "results", "analysis", "mini", "--version", "1.2.0", banks=mini_banks)
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].startswith("mini 1.2.0 (sha256:")
    assert lines[0].endswith("every country: 4 closed attempt(s)")
    assert any(line.startswith("ppe-pick: helmet 3, gloves 3, sandals 0")
               for line in (x.strip() for x in lines))


@pytest.mark.parametrize(("args", "message"), [
    (["nope"], "no module 'nope'"),
    (["mini", "--version", "9.9"], "version 9.9 of module 'mini' is not in the bank (it has "
                                   "1.2.0)"),
    (["mini", "--context", "XX"], "module 'mini' has no context 'XX' (contexts: DK, US)"),
])
def test_results_analysis_bad_input(db_path: Path, mini_banks: Path, results: dict[str, str],
                                    args: list[str], message: str) -> None:
    one_error_line(run(db_path, "results", "analysis", *args, banks=mini_banks), message)


def test_results_analysis_with_no_attempts(db_path: Path, mini_banks: Path) -> None:
    Store(db_path).close()
    result = run(db_path, "results", "analysis", "mini", banks=mini_banks)
    assert result.exit_code == 0
    assert "0 closed attempt(s)" in result.output and "Nothing to analyse yet." in result.output
