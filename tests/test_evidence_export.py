"""``mqexam evidence export`` and ``verify`` on a signed attempt of the mini bank: the bundle
verifies, the report reads in the authority's language, and the bytes are reproducible."""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from helpers.evidencekit import (
    ANSWERS_US,
    ISSUED,
    REPO_BANKS,
    START,
    World,
    answer_with_keys,
    grade_and_sign,
    make_world,
    sit,
    unzip,
)
from helpers.storekit import new_attempt
from mqexam.bank.loader import load_bank
from mqexam.evidence import modulefile
from mqexam.evidence.export import export_bundle
from mqexam.evidence.keys import grouped, init_keys
from mqexam.evidence.verify import verify_path
from mqexam.i18n import _, set_language
from mqexam.sitting import Sitting
from mqexam.store.db import Store
from mqexam.store.prior import record_prior

LAYOUT = {"README.txt", "SHA256SUMS", "SHA256SUMS.sig", "credential.json", "issuer.pem",
          "module.toml", "module/module.toml", "module/items/alarm.toml", "module/items/ppe.toml",
          "report.html"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("evidence"))


def test_a_signed_attempt_exports_to_a_bundle_that_verify_accepts(world: World) -> None:
    files = unzip(world.bundle)
    assert set(files) == LAYOUT | {f"attempts/{world.attempt}.json"}

    result = world.run("evidence", "verify", world.bundle)
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "origin NOT checked" in result.output  # no --key, no --fingerprint

    checked = world.run("evidence", "verify", world.bundle, "--fingerprint",
                        grouped(world.fingerprint).upper())
    assert checked.exit_code == 0, checked.output
    assert "origin checked" in checked.output
    by_key = world.run("evidence", "verify", world.bundle, "--key", world.keys / "issuer.pem")
    assert by_key.exit_code == 0, by_key.output


def test_verify_json_reports_what_was_checked(world: World) -> None:
    result = world.run("evidence", "verify", world.bundle, "--json")
    report = json.loads(result.output)
    assert report["valid"] is True
    assert report["origin"] == "unchecked"
    assert report["attempts"] == [world.attempt]
    assert report["fingerprint"] == grouped(world.fingerprint)
    assert report["problems"] == []


def test_the_bundle_carries_the_bank_version_byte_for_byte(world: World) -> None:
    files = unzip(world.bundle)
    bank = {name.removeprefix("module/"): content for name, content in files.items()
            if name.startswith("module/")}
    for name, content in bank.items():
        assert (world.module.folder / name).read_bytes() == content
    assert modulefile.content_hash(bank) == world.module.content_hash
    readable = tomllib.loads(files["module.toml"].decode())
    assert readable["id"] == "mini"
    assert len(readable["item"]) == len(world.module.items)
    assert world.module.content_hash in files["module.toml"].decode()


def test_the_credential_holds_every_mandatory_eu_element(world: World) -> None:
    credential = json.loads(unzip(world.bundle)["credential.json"])
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    names = {i["identityType"]: i["identityHash"] for i in subject["identifier"]}
    assert names == {"name": "Ada Jensen", "identifier": "L1"}        # 1 learner
    assert achievement["name"] == "Mini-Sicherheit"                   # 2 title (report language)
    assert credential["issuer"]["address"]["addressCountryCode"] == "DK"  # 3 country
    assert credential["issuer"]["name"] == "Example Vocational College"   # 4 awarding body
    assert credential["validFrom"] == f"{ISSUED}T00:00:00Z"           # 5 date of issue
    outcomes = [r["name"] for r in achievement["resultDescription"][:-1]]
    assert len(outcomes) == 2                                         # 6 learning outcomes
    assert achievement["notionalWorkload"] == {"hours": 4, "ects": 0.15}  # 7 workload
    assert achievement["creditsAvailable"] == 0.15
    assert achievement["eqfLevel"] == 3                               # 8 level
    assert achievement["alignment"][0]["targetCode"] == "3"
    assert achievement["typeOfAssessment"].startswith("Schriftliche")  # 9 assessment
    assert achievement["formOfParticipation"] == "Präsenz"            # 10 participation
    assert achievement["qualityAssurance"] == "Interne Qualitätssicherung"  # 11 QA
    assessment = subject["assessment"]                                # optional elements
    assert assessment["supervision"] == "supervised_on_site"
    assert assessment["identityVerified"] is True
    assert assessment["decision"] == "competent"
    statuses = [r["status"] for r in subject["result"]]
    assert statuses == ["Completed", "Completed", "Completed"]
    assert credential["evidence"][0]["file"] == f"attempts/{world.attempt}.json"
    assert credential["validUntil"] == "2029-12-10T00:00:00Z"


def test_the_attempt_file_holds_items_as_shown_answers_chain_and_seed(world: World) -> None:
    document = json.loads(unzip(world.bundle)[f"attempts/{world.attempt}.json"])
    assert document["seed"] == 3
    assert [e["seq"] for e in document["events"]] == list(range(1, 9))
    call = next(i for i in document["items"] if i["id"] == "call-number")
    assert call["answer_raw"] == "112" and call["key"] == ["112"] and call["answered_at"]
    assert call["text"] == "You work in Denmark. Which number do you call?"
    assert call["in_report_language"]["text"] == "Sie arbeiten in Dänemark. Welche Nummer " \
                                                 "rufen Sie an?"
    assert document["result"]["points"] == 5


@pytest.mark.parametrize(("lang", "answer", "country"), [
    ("de", "Schweißhelm", "Dänemark"), ("da", "Svejsehjelm", "Danmark")])
def test_report_in_de_and_da_shows_answers_keys_and_the_decision(
        world: World, lang: str, answer: str, country: str) -> None:
    out = world.root / f"report-{lang}.zip"
    world.export(out, lang=lang)
    page = unzip(out)["report.html"].decode()
    set_language(lang)
    assert f'<html lang="{lang}">' in page
    assert '<div lang="en">' in page and f'<div lang="{lang}">' in page  # side by side
    assert "Welding helmet" in page and answer in page    # the learner's answer, both languages
    assert "EN 169 → Passive welding filters" in page     # a key
    assert _("competent") in page                         # the assessor's decision ...
    assert "All outcomes demonstrated" in page            # ... its reason ...
    assert _("supervised on site") in page                # ... and the supervision
    assert "Helmet checked before arcing" in page         # the practical grade's comment
    assert country in page
    assert "MMA heißt auf Deutsch" in page                # the translation note
    assert grouped(world.fingerprint) in page
    assert "<script" not in page.lower()
    assert not re.search(r"\b(src|href)\s*=", page)       # nothing loaded from anywhere
    assert "NOT SIGNED" not in page


def test_a_learner_who_read_the_report_language_gets_one_column(
        world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        sitting = sit(store, world.module, learner="L5", locale="da")
        grade_and_sign(store, sitting)
    out = tmp_path / "da.zip"
    world.export(out, sitting.attempt_id, lang="da")
    page = unzip(out)["report.html"].decode()
    assert 'class="langs"' not in page
    assert "Svejsehjelm" in page


def test_exports_are_byte_identical(world: World, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    world.export(again)
    assert again.read_bytes() == world.bundle.read_bytes()
    later = tmp_path / "later.zip"
    world.export(later, date="2026-12-11")
    assert later.read_bytes() != world.bundle.read_bytes()
    with zipfile.ZipFile(world.bundle) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(2026, 12, 10, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_several_attempts_of_one_learner_make_one_credential(world: World,
                                                             tmp_path: Path) -> None:
    with Store(world.db) as store:
        first = sit(store, world.module, learner="L7")
        grade_and_sign(store, first)
        later = START.replace(day=3)
        second = sit(store, world.module, learner="L7", context="US", start=later,
                     answers=ANSWERS_US)
        grade_and_sign(store, second, at=later.replace(hour=12))
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    world.export(one, first.attempt_id, second.attempt_id)
    world.export(two, second.attempt_id, first.attempt_id)  # order given does not matter
    assert one.read_bytes() == two.read_bytes()
    credential = json.loads(unzip(one)["credential.json"])
    files = [e["file"] for e in credential["evidence"]]
    assert files == [f"attempts/{first.attempt_id}.json", f"attempts/{second.attempt_id}.json"]
    assert credential["credentialSubject"]["assessment"]["context"]["countryCode"] == "US"
    demonstrated = {r["demonstratedBy"] for r in credential["credentialSubject"]["result"]}
    assert demonstrated == {f"urn:mqexam:attempt:{second.attempt_id}"}
    result = verify_path(one)
    assert result.valid, result.problems
    assert result.attempts == sorted([first.attempt_id, second.attempt_id])


def test_an_unsigned_attempt_exports_only_with_the_flag_and_says_so(
        world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        sitting = sit(store, world.module, learner="L8")
        grade_and_sign(store, sitting, sign=False)
    out = tmp_path / "unsigned.zip"
    refused = world.run("evidence", "export", sitting.attempt_id, "--lang", "de", "--out", out,
                        "--date", ISSUED)
    assert refused.exit_code == 1
    assert "--unsigned" in refused.output and not out.exists()

    result = world.export(out, sitting.attempt_id, extra=("--unsigned",))
    assert "not signed by an assessor" in result.output
    files = unzip(out)
    page = files["report.html"].decode()
    set_language("de")
    assert 'id="unsigned"' in page and _("NOT SIGNED BY AN ASSESSOR") in page
    assert page.index('id="unsigned"') < page.index('id="learner"')  # at the top
    warning = _("WARNING: attempt(s) {ids} were NOT signed by an assessor. This bundle was "
                "exported without an assessor's sign-off and is not evidence of competence.")
    assert "NICHT" in warning
    assert warning.split("{ids}")[0].encode() in files["README.txt"]  # in the report language
    set_language("en")
    credential = json.loads(files["credential.json"])
    assessment = credential["credentialSubject"]["assessment"]
    assert assessment["signedByAssessor"] is False
    assert assessment["unsignedAttempts"] == [sitting.attempt_id]
    assert {r["status"] for r in credential["credentialSubject"]["result"]} == {"Provisional"}
    verified = world.run("evidence", "verify", out)
    assert verified.exit_code == 0, verified.output
    assert f"attempt {sitting.attempt_id} is NOT signed by an assessor" in verified.output


def test_a_signed_showcase_attempt_exports_to_a_bundle_that_verifies(tmp_path: Path) -> None:
    module = load_bank(REPO_BANKS, use_cache=False).module("welding-centre-safety")
    assert module is not None
    key = init_keys(tmp_path / "keys", module.meta.awarding_body, "2026-12-01")
    with Store(tmp_path / "r.db") as store:
        sitting, _code = Sitting.start(store, module, context="DE", locale="da",
                                       learner_id="W1", name="Jonas Nielsen", now=START, seed=11)
        answer_with_keys(sitting, START)
        grade_and_sign(store, sitting)
        bundle = export_bundle(store, [module], [sitting.attempt_id], key=key,
                               issued=START.date().replace(day=2), language="de")
    path = tmp_path / "showcase.zip"
    path.write_bytes(bundle.data)
    result = verify_path(path, fingerprint_hex=key.fingerprint)
    assert result.valid, result.problems
    page = bundle.files["report.html"].decode()
    assert "Deutschland" in page and "German Resuscitation Council" in page
    assert '<div lang="da">' in page and '<div lang="de">' in page
    credential = json.loads(bundle.files["credential.json"])
    assert credential["credentialSubject"]["achievement"]["eqfLevel"] == 4


def test_an_erased_learner_is_named_by_id_only_and_prior_learning_is_listed(
        world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        sitting = sit(store, world.module, learner="L9", name="Bo Erased")
        grade_and_sign(store, sitting)
        record = record_prior(store, learner_id="L9", module_id="mini", outcome_id="ppe",
                              context=None, document_type="Svendebrev", issuer="Mercantec",
                              document_date="2024-06-01", reason="Welding certificate",
                              assessor="Kim Assessor", recorded_at="2026-12-02T10:00:00Z")
        store.erase_learner("L9", "2026-12-03T10:00:00Z")
    out = tmp_path / "erased.zip"
    world.export(out, sitting.attempt_id)
    files = unzip(out)
    assert b"Bo Erased" not in b"".join(files.values())
    credential = json.loads(files["credential.json"])
    subject = credential["credentialSubject"]
    assert subject["identifier"] == [{"type": "IdentityObject", "identityType": "identifier",
                                      "hashed": False, "identityHash": "L9"}]
    assert subject["learnerErased"] is True
    assert [p["id"] for p in subject["priorLearning"]] == [record]
    page = files["report.html"].decode()
    assert record in page and "Svendebrev" in page
    assert verify_path(out).valid


def test_an_attempt_id_that_cannot_name_a_file_is_refused(world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        new_attempt(store, "../evil", "L10")
    result = world.run("evidence", "export", "../evil", "--lang", "de", "--out",
                       tmp_path / "x.zip", "--unsigned")
    assert result.exit_code == 1 and "cannot name a file" in result.output
