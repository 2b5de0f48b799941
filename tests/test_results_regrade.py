"""``mqexam results regrade``: a dry run names what would change; --apply records it."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import MINI_BANKS, Clock
from helpers.profilekit import correct_answer
from mqexam.bank.loader import load_bank
from mqexam.cli import main
from mqexam.review import Review
from mqexam.sitting import Sitting
from mqexam.store.assessors import add_assessor
from mqexam.store.db import Store


def test_dry_run_then_apply_after_a_key_fix(tmp_path: Path, clock: Clock) -> None:
    old_banks = tmp_path / "old"
    shutil.copytree(MINI_BANKS, old_banks)
    new_banks = tmp_path / "new"
    shutil.copytree(MINI_BANKS, new_banks)
    module_file = new_banks / "mini" / "module.toml"
    module_file.write_text(module_file.read_text().replace('version = "1.2.0"',
                                                           'version = "1.2.1"'))
    items = new_banks / "mini" / "items" / "alarm.toml"
    items.write_text(items.read_text().replace('answer = "safety"', 'answer = "breaths"'))
    old = load_bank(old_banks).module("mini")
    db = tmp_path / "r.db"
    with Store(db) as store:
        add_assessor(store, "Birgit", "correct horse battery", clock())
        sitting, _ = Sitting.start(store, old, context="DK", locale="en", learner_id="L-1",
                                   now=clock(), seed=1, item_ids=["first-step", "call-number"])
        for item in sitting.form.items:
            sitting.answer(item.id, correct_answer(item), clock())
        sitting.submit(clock())
    runner = CliRunner()
    base = ["--banks", str(new_banks), "--db", str(db), "results", "regrade", "mini",
            "--old", str(old_banks)]
    dry = runner.invoke(main, base)
    assert dry.exit_code == 0, dry.output
    assert "first-step: 1→0" in dry.output and "Dry run" in dry.output
    with Store(db) as store:
        assert all(e.kind != "regraded" for e in store.events(sitting.attempt_id))
    refused = runner.invoke(main, [*base, "--apply"])
    assert refused.exit_code == 1 and "--assessor" in refused.output
    wrong = runner.invoke(main, [*base, "--apply", "--assessor", "Birgit", "--reason", "key"],
                          env={"MQEXAM_ASSESSOR_PASSPHRASE": "nope nope nope"})
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    applied = runner.invoke(main, [*base, "--apply", "--assessor", "Birgit", "--reason",
                                   "first-step key fixed"],
                            env={"MQEXAM_ASSESSOR_PASSPHRASE": "correct horse battery"})
    assert applied.exit_code == 0, applied.output
    new = load_bank(new_banks).module("mini")
    with Store(db) as store:
        kinds = [e.kind for e in store.events(sitting.attempt_id)]
        assert kinds[-1] == "regraded"
        review = Review.open(store, [old, new], sitting.attempt_id, "check")
        assert review.module.content_hash == new.content_hash
        assert review.result().item("first-step").points == 0
        assert store.verify() == []
