"""Learner records: personal data outside the chains, never lost by a later attempt, erasable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from helpers.storekit import AT, new_attempt, stored
from mqexam.cli import main
from mqexam.exam.attempt import format_time
from mqexam.store.db import Store


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert "Traceback" not in result.output
    return result


def learner(db: Path, learner_id: str) -> dict[str, object]:
    with Store(db) as store:
        record = store.learner(learner_id)
    assert record is not None
    return record


def test_a_later_attempt_never_deletes_or_overwrites_learner_data(db_path: Path) -> None:
    with Store(db_path) as store:
        store.ensure_learner("L1", AT, name="Ada Lund")
        store.ensure_learner("L1", "2026-12-02T09:00:00Z")  # a later sitting without a name
        store.ensure_learner("L1", "2026-12-03T09:00:00Z", name="Somebody Else",
                             birth_date="2001-02-03")  # fills the gap, keeps the name
        new_attempt(store, "A1", "L1")
        store.ensure_learner("L1", "2026-12-04T09:00:00Z", name=None, birth_date=None)

    record = learner(db_path, "L1")
    assert (record["name"], record["birth_date"], record["created_at"]) == (
        "Ada Lund", "2001-02-03", AT)


def test_personal_data_is_never_inside_a_chain(db_path: Path) -> None:
    with Store(db_path) as store:
        store.ensure_learner("L1", AT, name="Ada Lund", birth_date="2001-02-03")
        new_attempt(store, "A1", "L1", answers=2)
        payloads = " ".join(str(e.payload) for e in store.events("A1"))
    assert "Ada" not in payloads and "2001-02-03" not in payloads


def finished_attempt(db_path: Path) -> None:
    with Store(db_path) as store:
        store.ensure_learner("L1", AT, name="Ada Lund", birth_date="2001-02-03")
        new_attempt(store, "A1", "L1", answers=3)
        store.append("A1", "submitted", {}, AT)
        new_attempt(store, "A2", "L2", answers=1)


def test_erase_removes_name_and_birth_date_and_keeps_the_attempts(db_path: Path) -> None:
    finished_attempt(db_path)
    before = stored(db_path)

    result = run(db_path, "learner", "erase", "L1")

    assert result.exit_code == 0, result.output
    assert "Erased the personal data of L1; 1 attempt(s) kept" in result.output
    record = learner(db_path, "L1")
    assert (record["name"], record["birth_date"]) == (None, None)
    assert record["erased_at"]
    assert stored(db_path) == before
    listed = run(db_path, "results", "list", "--learner", "L1")
    assert "A1" in listed.output
    verified = run(db_path, "results", "verify")
    assert verified.exit_code == 0
    assert "every chain verifies" in verified.output


def test_erase_is_refused_while_an_attempt_is_in_progress(db_path: Path) -> None:
    soon = format_time(datetime.now(UTC) + timedelta(hours=1))
    with Store(db_path) as store:
        store.ensure_learner("L1", AT, name="Ada Lund")
        new_attempt(store, "A1", "L1", answers=1, deadline=soon)

    result = run(db_path, "learner", "erase", "L1")

    assert result.exit_code == 1
    assert result.stderr == ("error: learner 'L1' has an attempt in progress (A1); erase after "
                             "it is submitted or has expired\n")
    assert learner(db_path, "L1")["name"] == "Ada Lund"


def test_an_attempt_left_open_past_its_deadline_is_closed_then_erased(db_path: Path) -> None:
    # The learner never came back: the attempt is closed as expired (as reopening it would),
    # so an abandoned attempt cannot block an erasure for ever.
    with Store(db_path) as store:
        store.ensure_learner("L1", AT, name="Ada Lund")
        new_attempt(store, "A1", "L1", answers=2)  # deadline 2026-12-01T09:30Z, long past

    result = run(db_path, "learner", "erase", "L1")

    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        events = store.events("A1")
        assert [e.kind for e in events][-1] == "expired"
        assert events[-1].payload == {"deadline": "2026-12-01T09:30:00.000000+00:00"}
        assert store.attempt("A1").lifecycle == "expired"  # type: ignore[union-attr]
        assert store.learner("L1")["name"] is None  # type: ignore[index]
        assert store.verify() == []


def test_erasing_twice_keeps_the_first_erasure_time(db_path: Path) -> None:
    finished_attempt(db_path)
    with Store(db_path) as store:
        store.erase_learner("L1", "2026-12-05T00:00:00Z")
        store.erase_learner("L1", "2026-12-06T00:00:00Z")
        store.ensure_learner("L1", "2026-12-07T00:00:00Z", name="Ada Lund")
        record = store.learner("L1")
    assert record is not None
    assert (record["name"], record["erased_at"]) == (None, "2026-12-05T00:00:00Z")


def test_erasing_an_unknown_learner(db_path: Path) -> None:
    finished_attempt(db_path)
    result = run(db_path, "learner", "erase", "NOBODY")
    assert result.exit_code == 1
    assert result.stderr == "error: no learner 'NOBODY'\n"


def test_erase_touches_no_other_learner(db_path: Path) -> None:
    finished_attempt(db_path)
    with Store(db_path) as store:
        store.ensure_learner("L2", AT, name="Bo Holm")
    assert run(db_path, "learner", "erase", "L1").exit_code == 0
    assert learner(db_path, "L2")["name"] == "Bo Holm"
