"""A regraded attempt is scored, reported and exported with the bank version it was
regraded to (the last ``regraded`` event's), and the bundle says which version it started
with; a decision signed before a regrade that changed scores is not exported."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from helpers.evidencekit import ANSWERS, MINI_BANKS, START, grade_and_sign, sit
from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.evidence.export import export_bundle
from mqexam.evidence.keys import IssuerKey, init_keys
from mqexam.evidence.verify import verify_bytes
from mqexam.exam.report import attempt_report
from mqexam.i18n import _, set_language
from mqexam.review import Review
from mqexam.store.db import Store

ISSUED = date(2026, 12, 10)


def fixed_copy(root: Path) -> Module:
    """mini 1.2.1: 'call-number' also accepts 911 in Denmark (a key fix)."""
    folder = root / "fixed" / "mini"
    shutil.copytree(MINI_BANKS / "mini", folder)
    meta = folder / "module.toml"
    meta.write_text(meta.read_text().replace('version = "1.2.0"', 'version = "1.2.1"'))
    alarm = folder / "items" / "alarm.toml"
    alarm.write_text(alarm.read_text().replace('answer = ["112"]', 'answer = ["112", "911"]'))
    module = load_bank(folder.parent, use_cache=False).module("mini")
    assert module is not None and module.version == "1.2.1"
    return module


@pytest.fixture
def mini() -> Module:
    module = load_bank(MINI_BANKS, use_cache=False).module("mini")
    assert module is not None
    return module


@pytest.fixture
def key(tmp_path: Path, mini: Module) -> IssuerKey:
    return init_keys(tmp_path / "keys", mini.meta.awarding_body, "2026-12-01")


def regraded_attempt(store: Store, mini: Module, fixed: Module) -> str:
    """Answered 911 (wrong in 1.2.0), signed 'not yet competent', regraded to 1.2.1."""
    sitting = sit(store, mini, answers={**ANSWERS, "call-number": "911"})
    grade_and_sign(store, sitting, decision="not_yet_competent")
    Review.open(store, [mini], sitting.attempt_id, "Kim Assessor").regrade(
        fixed, "Key fix: 911 reaches 112 from Danish mobiles", START + timedelta(hours=3))
    return sitting.attempt_id


def test_attempt_report_scores_with_the_version_of_the_last_regrade(
        tmp_path: Path, mini: Module) -> None:
    fixed = fixed_copy(tmp_path)
    with Store(tmp_path / "r.db") as store:
        attempt_id = regraded_attempt(store, mini, fixed)
        events = store.events(attempt_id)
    report = attempt_report(events, [mini, fixed], None)
    assert report["module"]["version"] == "1.2.0"
    assert report["scored_with"] == {"version": "1.2.1", "content_hash": fixed.content_hash}
    call = next(item for item in report["items"] if item["id"] == "call-number")
    assert call["score"] == 1.0 and call["key"] == ["112 / 911"]
    assert report["result"]["passed"] is True

    # Without the version it is scored with, there are no scores (never the stale ones).
    stale = attempt_report(events, [mini], None)
    assert stale["result"] is None and stale["items"] == []
    assert any(fixed.content_hash[:19] in str(value) for _name, value in stale["summary"])


def test_a_regraded_attempt_exports_with_the_version_it_is_scored_with(
        tmp_path: Path, mini: Module, key: IssuerKey) -> None:
    fixed = fixed_copy(tmp_path)
    with Store(tmp_path / "r.db") as store:
        attempt_id = regraded_attempt(store, mini, fixed)
        with pytest.raises(MqexamError, match="regraded after it was signed"):
            export_bundle(store, [mini, fixed], [attempt_id], key=key, issued=ISSUED,
                          language="de")
        Review.open(store, [fixed], attempt_id, "Kim Assessor").sign(
            "competent", {}, "Right number after the key fix", "supervised_on_site", True,
            START + timedelta(hours=4))
        with pytest.raises(MqexamError, match=r"is scored with mini 1\.2\.1 .*not in the bank"):
            export_bundle(store, [mini], [attempt_id], key=key, issued=ISSUED, language="de")
        bundle = export_bundle(store, [mini, fixed], [attempt_id], key=key, issued=ISSUED,
                               language="de")

    assert verify_bytes(bundle.data, "regraded.zip").valid
    files = bundle.files
    assert files["module/items/alarm.toml"] == (fixed.folder / "items/alarm.toml").read_bytes()
    assert fixed.content_hash in files["module.toml"].decode()
    document = json.loads(files[f"attempts/{attempt_id}.json"])
    assert document["module"]["content_hash"] == mini.content_hash
    assert document["scored_with"]["content_hash"] == fixed.content_hash
    assert document["result"]["passed"] is True
    credential = json.loads(files["credential.json"])
    entry = credential["evidence"][0]
    assert entry["regraded"] == {
        "startedWithVersion": "1.2.0", "startedWithContentHash": mini.content_hash,
        "scoredWithVersion": "1.2.1", "scoredWithContentHash": fixed.content_hash}
    identifiers = credential["credentialSubject"]["achievement"]["otherIdentifier"]
    assert identifiers[0]["identifier"] == fixed.content_hash
    set_language("de")
    page = files["report.html"].decode()
    assert _("Scored with bank version") in page and mini.content_hash in page


def test_a_regrade_that_changed_nothing_keeps_the_signature_and_exports(
        tmp_path: Path, mini: Module, key: IssuerKey) -> None:
    fixed = fixed_copy(tmp_path)
    with Store(tmp_path / "r.db") as store:
        sitting = sit(store, mini)  # 112: right in both versions
        grade_and_sign(store, sitting)
        Review.open(store, [mini], sitting.attempt_id, "Kim").regrade(
            fixed, "Key fix", START + timedelta(hours=3))
        bundle = export_bundle(store, [fixed], [sitting.attempt_id], key=key, issued=ISSUED,
                               language="da")
    assert verify_bytes(bundle.data, "x.zip").valid
