"""Every change to a bundle is caught and named: a flipped byte in any file, a file deleted
or added, another issuer's key and signature, an edited answer (with its hash fixed, re-signed,
with or without the event chain re-hashed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers.evidencekit import (
    World,
    attempt_name,
    edit_json,
    make_world,
    other_key,
    reissue,
    reseal,
    rezip,
    unzip,
)
from mqexam.evidence.attempt_file import events_of
from mqexam.evidence.keys import IssuerKey, grouped
from mqexam.evidence.verify import Verification, verify_path
from mqexam.exam.events import Event, chain
from mqexam.store.db import Store

FILES = ["README.txt", "SHA256SUMS", "SHA256SUMS.sig", "ATTEMPT", "credential.json",
         "issuer.pem", "module.toml", "module/items/alarm.toml", "module/items/ppe.toml",
         "module/module.toml", "report.html"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("tamper"))


@pytest.fixture(scope="module")
def attacker(tmp_path_factory: pytest.TempPathFactory) -> IssuerKey:
    return other_key(tmp_path_factory.mktemp("attacker"))


def verify(world: World, files: dict[str, bytes], tmp_path: Path, *,
           fingerprint: str | None = None) -> Verification:
    return verify_path(rezip(files, tmp_path / "tampered.zip"), fingerprint_hex=fingerprint)


def named(result: Verification) -> list[str]:
    return [p.render() for p in result.problems]


def test_every_file_of_the_bundle_is_in_this_test(world: World) -> None:
    names = [attempt_name(world) if n == "ATTEMPT" else n for n in FILES]
    assert sorted(unzip(world.bundle)) == sorted(names)


@pytest.mark.parametrize("name", FILES)
def test_one_flipped_byte_in_any_file_is_named(world: World, tmp_path: Path, name: str) -> None:
    name = attempt_name(world) if name == "ATTEMPT" else name
    files = unzip(world.bundle)
    content = bytearray(files[name])
    content[len(content) // 2] ^= 0x01
    files[name] = bytes(content)

    result = verify(world, files, tmp_path)

    assert not result.valid
    assert any(p.file == name for p in result.problems) or name == "SHA256SUMS", named(result)
    if name in ("SHA256SUMS", "SHA256SUMS.sig", "issuer.pem"):
        assert any(p.file == "SHA256SUMS.sig" or p.file == "issuer.pem"
                   for p in result.problems), named(result)
    else:
        assert any(p.file == name and "changed" in p.message for p in result.problems)


@pytest.mark.parametrize("name", FILES)
def test_a_deleted_file_is_named(world: World, tmp_path: Path, name: str) -> None:
    name = attempt_name(world) if name == "ATTEMPT" else name
    files = unzip(world.bundle)
    del files[name]

    result = verify(world, files, tmp_path)

    assert not result.valid
    assert any(p.file == name and "missing" in p.message for p in result.problems) \
        or name == "SHA256SUMS", named(result)


@pytest.mark.parametrize("name", ["extra.txt", "attempts/ZZZZ-ZZZZ-ZZZZ.json",
                                  "module/items/zz.toml", "deep/er/file.bin"])
def test_an_added_file_is_named(world: World, tmp_path: Path, name: str) -> None:
    files = unzip(world.bundle)
    files[name] = b"{}"

    result = verify(world, files, tmp_path)

    assert any(p.file == name and "added" in p.message for p in result.problems), named(result)


def test_another_issuers_key_and_signature_pass_integrity_but_not_origin(
        world: World, attacker: IssuerKey, tmp_path: Path) -> None:
    swapped = reissue(unzip(world.bundle), attacker)

    unchecked = verify(world, swapped, tmp_path)
    assert unchecked.valid and unchecked.origin == "unchecked"
    assert unchecked.fingerprint == attacker.fingerprint

    checked = verify(world, swapped, tmp_path, fingerprint=world.fingerprint)
    assert not checked.valid
    assert [p.file for p in checked.problems] == ["issuer.pem"]
    assert grouped(world.fingerprint) in checked.problems[0].message

    # and through the command line: without a fingerprint it says only integrity was checked
    path = rezip(swapped, tmp_path / "swapped.zip")
    said = world.run("evidence", "verify", path)
    assert said.exit_code == 0 and "origin NOT checked" in said.output
    refused = world.run("evidence", "verify", path, "--fingerprint", world.fingerprint)
    assert refused.exit_code == 1 and "issuer.pem" in refused.output
    by_key = world.run("evidence", "verify", path, "--key", world.keys / "issuer.pem")
    assert by_key.exit_code == 1 and "not the issuer key you gave" in by_key.output


def test_a_key_swapped_without_rewriting_the_credential_is_caught_without_a_fingerprint(
        world: World, attacker: IssuerKey, tmp_path: Path) -> None:
    problems = named(verify(world, reseal(unzip(world.bundle), attacker), tmp_path))
    assert problems == ["credential.json: it names another issuer key than issuer.pem"]


def _answer_event(document: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in document["events"]
                if e["kind"] == "answered" and e["payload"]["item"] == "call-number")


def change_answer_in_log(document: dict[str, Any]) -> None:
    _answer_event(document)["payload"]["answer"] = "999"


def test_an_edited_answer_with_its_hash_fixed_breaks_the_signature_and_the_chain(
        world: World, tmp_path: Path) -> None:
    name = attempt_name(world)
    files = reseal(edit_json(unzip(world.bundle), name, change_answer_in_log))

    problems = named(verify(world, files, tmp_path))

    assert any(p.startswith("SHA256SUMS.sig: the signature does not match") for p in problems)
    assert any(p.startswith(f"{name}: event") and "altered" in p for p in problems), problems
    assert any("item call-number: 'answer_raw'" in p for p in problems), problems
    assert any(p.startswith("credential.json: its digest of") for p in problems), problems


def test_re_signed_by_an_attacker_the_fingerprint_and_the_chain_still_catch_it(
        world: World, attacker: IssuerKey, tmp_path: Path) -> None:
    name = attempt_name(world)
    files = reissue(edit_json(unzip(world.bundle), name, change_answer_in_log), attacker)

    plain = named(verify(world, files, tmp_path))
    assert not any(p.startswith("SHA256SUMS") for p in plain)      # the signature is good...
    assert any("altered" in p for p in plain)                      # ...the chain is not
    checked = named(verify(world, files, tmp_path, fingerprint=world.fingerprint))
    assert any(p.startswith("issuer.pem: its fingerprint") for p in checked)


def rehash(document: dict[str, Any]) -> None:
    """The attacker also recomputes every event hash, so the chain verifies again."""
    prev = "0" * 64
    events = []
    for raw in document["events"]:
        event = chain(raw["attempt"], raw["seq"], raw["kind"], raw["at"], raw["payload"], prev)
        events.append(event.as_json())
        prev = event.hash
    document["events"] = events
    document["last_hash"] = prev


def test_a_changed_answer_with_a_rehashed_chain_fails_the_rescore(
        world: World, attacker: IssuerKey, tmp_path: Path) -> None:
    name = attempt_name(world)

    def forge(document: dict[str, Any]) -> None:
        _answer_event(document)["payload"]["answer"] = "999"
        rehash(document)

    files = reseal(edit_json(unzip(world.bundle), name, forge), attacker)
    problems = named(verify(world, files, tmp_path))

    assert not any("altered" in p for p in problems)               # chain re-hashed
    assert any("item call-number: 'answer_raw' does not follow" in p for p in problems), problems
    assert any(f"{name}: 'result' does not follow" in p for p in problems), problems


def test_a_changed_answer_or_score_outside_the_log_fails_the_rescore(
        world: World, attacker: IssuerKey, tmp_path: Path) -> None:
    name = attempt_name(world)

    def claim(document: dict[str, Any]) -> None:
        item = next(i for i in document["items"] if i["id"] == "ppe-pick")
        item["answer_raw"] = ["helmet", "gloves"]
        item["score"] = 1
        document["result"]["points"] = 6

    files = reseal(edit_json(unzip(world.bundle), name, claim), attacker)
    problems = named(verify(world, files, tmp_path))

    assert any("item ppe-pick: 'answer_raw'" in p for p in problems), problems
    assert any("item ppe-pick: 'score'" in p for p in problems), problems
    assert any(f"{name}: 'result'" in p for p in problems), problems


def test_a_changed_result_in_the_credential_is_named(world: World, attacker: IssuerKey,
                                                     tmp_path: Path) -> None:
    def fail(credential: dict[str, Any]) -> None:
        credential["credentialSubject"]["result"][0]["status"] = "Failed"

    files = reissue(edit_json(unzip(world.bundle), "credential.json", fail), attacker)
    problems = named(verify(world, files, tmp_path))
    assert problems == ["credential.json: its results do not follow from the attempts"]


def test_a_changed_bank_file_is_named_even_when_re_signed(world: World, attacker: IssuerKey,
                                                          tmp_path: Path) -> None:
    files = unzip(world.bundle)
    files["module/items/alarm.toml"] = files["module/items/alarm.toml"].replace(
        b'answer = ["112"]', b'answer = ["999"]')
    problems = named(verify(world, reseal(files, attacker), tmp_path))
    assert "module.toml: does not hold exactly the files in module/" in problems
    assert any(p.startswith(f"{attempt_name(world)}: made with bank version") for p in problems)
    assert "credential.json: it names another bank version than module/" in problems


def test_unchanged_events_survive_a_round_trip(world: World) -> None:
    """The attempt file's events are the store's, hash for hash."""
    document = json.loads(unzip(world.bundle)[attempt_name(world)])
    with Store(world.db) as store:
        stored: list[Event] = store.events(world.attempt)
    assert [e.hash for e in events_of(document)] == [e.hash for e in stored]
