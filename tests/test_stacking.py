"""Stacking in the evidence bundle, on the showcase bank: a learner passes the Danish
exam, plans Germany, passes the bonus exam, both are signed, and one bundle for Germany
verifies and says per outcome where it was demonstrated (prior learning included, and
named as such); tampering with the bundled prior learning is caught; a failed bonus
leaves what differs not demonstrated."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpers.evidencekit import REPO_BANKS, edit_json, other_key, reseal, rezip, unzip
from helpers.profilekit import SAT, showcase, take
from mqexam.bank.model import Module
from mqexam.cli import main
from mqexam.competence import learner_profile
from mqexam.evidence.credential import digest_sri
from mqexam.evidence.export import export_bundle
from mqexam.evidence.keys import IssuerKey, init_keys
from mqexam.evidence.verify import verify_bytes, verify_path
from mqexam.exam.bonus import BonusPlan, plan
from mqexam.i18n import _, country_name, format_date, set_language
from mqexam.review import Review
from mqexam.store.db import Store
from mqexam.store.prior import record_prior

ISSUED = date(2027, 1, 15)
BONUS_AT = SAT + timedelta(days=30)
PRIOR_OUTCOME = "site-rules"


@dataclass
class Stack:
    root: Path
    db: Path
    keys: Path
    key: IssuerKey
    module: Module
    dk: str
    bonus: str
    prior: str
    plan: BonusPlan
    files: dict[str, dict[str, bytes]]
    """The stacked bundle's files by report language."""


def sign(store: Store, module: Module, attempt_id: str, at: Any,
         decision: str = "competent") -> None:
    Review.open(store, [module], attempt_id, "Kim Assessor").sign(
        decision, {}, "Observed at the bench; identity card checked", "supervised_on_site",
        True, at)


def export(stack: Stack, *attempts: str, language: str = "de",
           unsigned: bool = False) -> dict[str, bytes]:
    with Store(stack.db) as store:
        bundle = export_bundle(store, [stack.module], list(attempts), key=stack.key,
                               issued=ISSUED, language=language, allow_unsigned=unsigned)
    assert verify_bytes(bundle.data, "bundle").valid
    return bundle.files


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Stack:
    root = tmp_path_factory.mktemp("stacking")
    module = showcase()
    db = root / "results" / "mqexam.db"
    with Store(db) as store:
        dk = take(store, module, "DK", SAT)
        sign(store, module, dk.attempt_id, SAT + timedelta(hours=2))
        planned = plan(learner_profile(store, module, "L1", BONUS_AT.date()), module, "DE")
        bonus = take(store, module, "DE", BONUS_AT, kind="bonus", item_ids=planned.item_ids,
                     builds_on=planned.builds_on)
        sign(store, module, bonus.attempt_id, BONUS_AT + timedelta(hours=2))
        prior = record_prior(store, learner_id="L1", module_id=module.id,
                             outcome_id=PRIOR_OUTCOME, context=None,
                             document_type="Svendebrev", issuer="Mercantec",
                             document_date="2026-06-01", reason="Journeyman's certificate",
                             assessor="Kim Assessor", recorded_at="2027-01-05T10:00:00Z")
    key = init_keys(root / "keys", module.meta.awarding_body, "2026-12-01")
    stack = Stack(root, db, root / "keys", key, module, dk.attempt_id, bonus.attempt_id, prior,
                  planned, {})
    for language in ("de", "da"):
        stack.files[language] = export(stack, bonus.attempt_id, dk.attempt_id,
                                       language=language)
    return stack


def cli(stack: Stack, *args: str | Path) -> Result:
    result = CliRunner().invoke(main, ["--banks", str(REPO_BANKS), "--db", str(stack.db),
                                       *map(str, args)], env={"MQEXAM_KEYS": str(stack.keys)})
    assert "Traceback" not in result.output, result.output
    return result


def credential(files: dict[str, bytes]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(files["credential.json"])
    return document


def results_by_outcome(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    rows = credential(files)["credentialSubject"]["result"]
    return {row["resultDescription"].rsplit(":", 1)[1]: row for row in rows}


def problems(files: dict[str, bytes], tmp_path: Path) -> list[str]:
    result = verify_path(rezip(files, tmp_path / "tampered.zip"))
    return [p.render() for p in result.problems]


# -- the path -----------------------------------------------------------------------


def test_the_stacked_bundle_for_germany_exports_and_verifies_from_the_command_line(
        stack: Stack, tmp_path: Path) -> None:
    assert stack.plan.full_exam is None and stack.plan.builds_on == (stack.dk,)
    out = tmp_path / "stacked.zip"
    exported = cli(stack, "evidence", "export", stack.dk, stack.bonus, "--lang", "de",
                   "--out", out, "--date", ISSUED.isoformat())
    assert exported.exit_code == 0, exported.output
    assert unzip(out) == stack.files["de"]  # the same bytes as the library's export

    assert "DE" in exported.output
    as_json = cli(stack, "evidence", "export", stack.dk, stack.bonus, "--lang", "da", "--out",
                  tmp_path / "da.zip", "--date", ISSUED.isoformat(), "--json")
    said = json.loads(as_json.output)
    assert (said["country"], said["prior_learning"]) == ("DE", [stack.prior])

    verified = cli(stack, "evidence", "verify", out, "--fingerprint", stack.key.fingerprint)
    assert verified.exit_code == 0, verified.output
    assert stack.dk in verified.output and stack.bonus in verified.output
    assert "origin checked" in verified.output


def test_the_credential_is_for_germany_and_each_outcome_names_what_it_rests_on(
        stack: Stack) -> None:
    files = stack.files["de"]
    record = credential(files)
    subject = record["credentialSubject"]
    assert subject["assessment"]["context"]["countryCode"] == "DE"
    assert subject["assessment"]["signedByAssessor"] is True
    evidence = {entry["id"]: entry for entry in record["evidence"]}
    dk, bonus = f"urn:mqexam:attempt:{stack.dk}", f"urn:mqexam:attempt:{stack.bonus}"
    assert evidence[dk]["kind"] == "full" and evidence[dk]["countryCode"] == "DK"
    assert evidence[bonus]["kind"] == "bonus" and evidence[bonus]["buildsOn"] == [stack.dk]

    # The same rule as 'mqexam bonus plan': after the bonus nothing is left for Germany.
    with Store(stack.db) as store:
        after = plan(learner_profile(store, stack.module, "L1", ISSUED), stack.module, "DE")
    assert after.empty
    rows = results_by_outcome(files)
    assert rows["overall"]["status"] == "Completed" and rows["overall"]["countryCode"] == "DE"
    for planned in after.outcomes:
        row = rows[planned.outcome_id]
        assert row["status"] == "Completed" and row["countryCode"] == "DE"
        assert row["stacking"] == planned.status
        assert row["alignment"][0]["targetCode"] == planned.outcome_id
        for rests_on in row["restsOn"]:
            assert rests_on["id"] in evidence   # every result names an evidence entry
    differs = [o for o in stack.plan.outcomes if o.item_ids]
    assert differs, "DE differs from DK somewhere"
    for planned in differs:
        row = rows[planned.outcome_id]
        assert row["stacking"] == "stacked", row
        assert [r["id"] for r in row["restsOn"]] == [dk, bonus]
        assert [r["role"] for r in row["restsOn"]] == ["basis", "bonus"]
        assert set(row["restsOn"][1]["items"]) == set(planned.item_ids)
        assert row["restsOn"][0]["countryCode"] == "DK"
        assert row["restsOn"][1]["date"] == BONUS_AT.date().isoformat()
    same = [o.outcome_id for o in stack.plan.outcomes
            if not o.item_ids and o.outcome_id != PRIOR_OUTCOME]
    assert same, "some outcome does not differ between DK and DE"
    for outcome in same:
        assert [r["id"] for r in rows[outcome]["restsOn"]] == [dk]
        assert rows[outcome]["demonstratedBy"] == dk


def test_prior_learning_is_bundled_and_marked_as_prior_learning_everywhere(
        stack: Stack) -> None:
    files = stack.files["de"]
    bundled = json.loads(files["prior_learning.json"])
    assert [r["id"] for r in bundled["records"]] == [stack.prior]
    assert "  prior_learning.json\n" in files["SHA256SUMS"].decode()
    record = credential(files)
    entry = next(e for e in record["evidence"] if e["id"] == f"urn:mqexam:prior:{stack.prior}")
    assert entry["genre"] == "ext:PriorLearning" and entry["priorLearning"] is True
    assert entry["file"] == "prior_learning.json" and entry["documentType"] == "Svendebrev"
    assert [p["id"] for p in record["credentialSubject"]["priorLearning"]] == [stack.prior]
    row = results_by_outcome(files)[PRIOR_OUTCOME]
    assert row["priorLearning"] is True and row["stacking"] == "demonstrated"
    assert row["demonstratedBy"] == f"urn:mqexam:prior:{stack.prior}"
    assert row["restsOn"][0]["kind"] == "prior" and row["restsOn"][0]["priorLearning"] is True
    assert "prior_learning.json" in files["README.txt"].decode()
    page = files["report.html"].decode()
    set_language("de")
    assert 'id="prior-learning"' in page and stack.prior in page
    assert html.escape(_("Prior learning (RKV)")) in page


@pytest.mark.parametrize("language", ["de", "da"])
def test_the_report_explains_the_stacking_in_the_authoritys_language(
        stack: Stack, language: str) -> None:
    page = stack.files[language]["report.html"].decode()
    set_language(language)
    assert f'<html lang="{language}">' in page
    assert stack.dk in page and stack.bonus in page
    germany, denmark = country_name("DE", language), country_name("DK", language)
    basis = _("demonstrated on {date} in the context of {country} ({source})").format(
        date=format_date(SAT.date(), language), country=denmark,
        source=_("attempt {id}").format(id=stack.dk))
    bonus = _("country-specific items for {country} demonstrated on {date} ({source})").format(
        country=germany, date=format_date(BONUS_AT.date(), language),
        source=_("bonus attempt {id}").format(id=stack.bonus))
    assert html.escape(f"{basis}; {bonus}") in page
    assert html.escape(_("Result for {country}: {status}").format(
        country=germany, status=_("competent"))) in page
    assert html.escape(_("recognised as prior learning for {country} on {date} ({source}: "
                         "{document}, {issuer})").format(
        country=_("every country"), date=format_date(date(2026, 6, 1), language),
        source=_("prior learning {id}").format(id=stack.prior), document="Svendebrev",
        issuer="Mercantec")) in page


# -- tampering with prior learning ------------------------------------------------------


def test_a_changed_prior_learning_record_is_caught(stack: Stack, tmp_path: Path) -> None:
    files = stack.files["de"]

    def move(document: dict[str, Any]) -> None:
        document["records"][0]["outcome_id"] = "lay-cpr"

    # Rehashed but not re-signed: the signature and the credential's digest name it.
    edited = reseal(edit_json(files, "prior_learning.json", move))
    found = problems(edited, tmp_path)
    assert any(p.startswith("SHA256SUMS.sig: the signature does not match") for p in found)
    assert "credential.json: its digest of prior_learning.json does not match the file" in found

    # Re-signed by someone else, who also fixes the credential's digest and its list: the
    # results, recomputed from the bundled records, no longer follow.
    attacker = other_key(tmp_path / "attacker")
    forged = edit_json(files, "prior_learning.json", move)

    def follow(record: dict[str, Any]) -> None:
        for entry in record["evidence"]:
            if entry["file"] == "prior_learning.json":
                entry["digestSRI"] = digest_sri(forged["prior_learning.json"])
        record["credentialSubject"]["priorLearning"][0]["outcome_id"] = "lay-cpr"
        record["issuer"]["publicKeyFingerprintSha256"] = attacker.fingerprint

    found = problems(reseal(edit_json(forged, "credential.json", follow), attacker), tmp_path)
    assert found == ["credential.json: its results do not follow from the attempts"], found


def test_a_removed_or_foreign_prior_learning_file_is_caught(stack: Stack,
                                                            tmp_path: Path) -> None:
    files = dict(stack.files["de"])
    del files["prior_learning.json"]
    found = problems(reseal(files), tmp_path)
    assert ("credential.json: its evidence names prior_learning.json, which is not in the "
            "bundle") in found
    assert "credential.json: its prior learning is not the one in prior_learning.json" in found

    def other_learner(document: dict[str, Any]) -> None:
        document["records"][0]["learner_id"] = "L2"

    found = problems(reseal(edit_json(stack.files["de"], "prior_learning.json",
                                      other_learner)), tmp_path)
    assert "prior_learning.json: a record is of another learner or module" in found


# -- other shapes -------------------------------------------------------------------------


def test_a_full_danish_attempt_alone_is_a_danish_credential_as_before(stack: Stack) -> None:
    with Store(stack.db) as store:
        alone = take(store, stack.module, "DK", SAT, learner="L2")
        sign(store, stack.module, alone.attempt_id, SAT + timedelta(hours=2))
    files = export(stack, alone.attempt_id)
    assert "prior_learning.json" not in files
    subject = credential(files)["credentialSubject"]
    assert subject["assessment"]["context"]["countryCode"] == "DK"
    rows = results_by_outcome(files)
    assert {row["status"] for row in rows.values()} == {"Completed"}
    assert {row["demonstratedBy"] for row in rows.values()} == {
        f"urn:mqexam:attempt:{alone.attempt_id}"}
    assert {row.get("stacking") for name, row in rows.items() if name != "overall"} == {
        "demonstrated"}


def test_a_failed_bonus_leaves_what_differs_not_demonstrated(stack: Stack) -> None:
    with Store(stack.db) as store:
        dk = take(store, stack.module, "DK", SAT, learner="L3")
        sign(store, stack.module, dk.attempt_id, SAT + timedelta(hours=2))
        planned = plan(learner_profile(store, stack.module, "L3", BONUS_AT.date()),
                       stack.module, "DE")
        bonus = take(store, stack.module, "DE", BONUS_AT, learner="L3", kind="bonus",
                     item_ids=planned.item_ids, builds_on=planned.builds_on, right=False)
        unsigned = export(stack, dk.attempt_id, bonus.attempt_id, unsigned=True)
        sign(store, stack.module, bonus.attempt_id, BONUS_AT + timedelta(hours=2),
             decision="not_yet_competent")
    files = export(stack, dk.attempt_id, bonus.attempt_id)
    rows = results_by_outcome(files)
    assert rows["overall"]["status"] == "Failed"
    for outcome in planned.outcomes:
        row = rows[outcome.outcome_id]
        if outcome.item_ids:
            assert (row["status"], row["stacking"]) == ("Failed", "needed"), row
            assert set(row["missingItems"]) == set(outcome.item_ids)
            assert row["notCounted"]["id"] == f"urn:mqexam:attempt:{bonus.attempt_id}"
        else:
            assert (row["status"], row["stacking"]) == ("Completed", "stacked"), row
    # Before the assessor signed it, the failed bonus gave provisional results, not a verdict.
    before = results_by_outcome(unsigned)
    assert {before[o.outcome_id]["status"] for o in planned.outcomes if o.item_ids} == {
        "Provisional"}


def test_a_bonus_attempt_without_the_attempt_it_builds_on_is_refused(
        stack: Stack, tmp_path: Path) -> None:
    out = tmp_path / "alone.zip"
    refused = cli(stack, "evidence", "export", stack.bonus, "--lang", "de", "--out", out,
                  "--date", ISSUED.isoformat())
    assert refused.exit_code == 1 and not out.exists()
    lines = [line for line in refused.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"builds on {stack.dk}" in lines[0], refused.output


def test_a_bundle_of_another_format_is_named(stack: Stack, tmp_path: Path) -> None:
    def older(record: dict[str, Any]) -> None:
        record["mqexamBundleFormat"] = 1

    found = problems(reseal(edit_json(stack.files["de"], "credential.json", older),
                            stack.key), tmp_path)
    assert found == ["credential.json: bundle format 1; this version of mqexam reads "
                     "format 2"], found
