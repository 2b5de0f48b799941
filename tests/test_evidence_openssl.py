"""A bundle checks with sha256sum and openssl alone, exactly as its README.txt says."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest

from helpers.evidencekit import (
    REPO_BANKS,
    START,
    World,
    answer_with_keys,
    grade_and_sign,
    make_world,
)
from mqexam.bank.loader import load_bank
from mqexam.evidence.export import export_bundle
from mqexam.evidence.keys import init_keys
from mqexam.evidence.readme import COMMAND, FINGERPRINT, HASH_MODULE, VERIFY_SIGNATURE, VERIFY_SUMS
from mqexam.sitting import Sitting
from mqexam.store.db import Store

pytestmark = pytest.mark.skipif(
    not (shutil.which("openssl") and shutil.which("sha256sum") and shutil.which("bash")),
    reason="needs openssl, sha256sum and bash")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("openssl"))


def unpack(bundle: Path, folder: Path) -> tuple[Path, list[str]]:
    folder.mkdir()
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    commands = [line.removeprefix(COMMAND) for line in readme.splitlines()
                if line.startswith(COMMAND)]
    return folder, commands


def shell(command: str, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True,
                          timeout=30, env={"PATH": "/usr/bin:/bin:/usr/local/bin"})


def check_by_hand(bundle: Path, folder: Path, fingerprint: str, content_hash: str) -> None:
    folder, commands = unpack(bundle, folder)
    assert commands == [VERIFY_SUMS, VERIFY_SIGNATURE, FINGERPRINT, HASH_MODULE]

    sums = shell(commands[0], folder)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert all(line.endswith(": OK") for line in sums.stdout.splitlines())
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert present - listed == {"SHA256SUMS", "SHA256SUMS.sig"}

    signature = shell(commands[1], folder)
    assert signature.returncode == 0, signature.stderr
    assert "Signature Verified Successfully" in signature.stdout

    printed = shell(commands[2], folder)
    assert printed.stdout.split()[0] == fingerprint
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert " ".join(fingerprint[i:i + 4] for i in range(0, 64, 4)) in readme

    module_hash = shell(commands[3], folder)
    assert module_hash.returncode == 0, module_hash.stderr
    assert "sha256:" + module_hash.stdout.split()[0] == content_hash


def test_readme_commands_verify_the_bundle_by_hand(world: World, tmp_path: Path) -> None:
    check_by_hand(world.bundle, tmp_path / "bundle", world.fingerprint,
                  world.module.content_hash)


def test_a_signed_showcase_attempt_checks_by_hand(tmp_path: Path) -> None:
    module = load_bank(REPO_BANKS, use_cache=False).module("welding-centre-safety")
    assert module is not None
    key = init_keys(tmp_path / "keys", module.meta.awarding_body, "2026-12-01")
    with Store(tmp_path / "r.db") as store:
        sitting, _code = Sitting.start(store, module, context="DK", locale="en",
                                       learner_id="W2", now=START, seed=5)
        answer_with_keys(sitting, START)
        grade_and_sign(store, sitting)
        bundle = export_bundle(store, [module], [sitting.attempt_id], key=key,
                               issued=date(2026, 12, 2), language="da")
    path = tmp_path / "showcase.zip"
    path.write_bytes(bundle.data)
    check_by_hand(path, tmp_path / "bundle", key.fingerprint, module.content_hash)


def test_openssl_refuses_a_changed_bundle(world: World, tmp_path: Path) -> None:
    folder, commands = unpack(world.bundle, tmp_path / "bundle")
    report = folder / "report.html"
    report.write_bytes(report.read_bytes().replace(b"112", b"113"))

    assert shell(commands[0], folder).returncode != 0
    sums = folder / "SHA256SUMS"  # the forger fixes the hash...
    fixed = shell("sha256sum report.html", folder).stdout
    lines = [fixed.strip() if line.endswith("  report.html") else line
             for line in sums.read_text().splitlines()]
    sums.write_text("\n".join(lines) + "\n")
    assert shell(commands[0], folder).returncode == 0
    signature = shell(commands[1], folder)   # ...and the signature no longer matches
    assert signature.returncode != 0
    assert "Signature Verified Successfully" not in signature.stdout


def test_keys_fingerprint_is_the_one_openssl_computes(world: World) -> None:
    result = world.run("keys", "fingerprint")
    assert result.exit_code == 0
    openssl = shell(f"openssl pkey -pubin -in {world.keys / 'issuer.pem'} -outform DER "
                    "| sha256sum", world.root)
    assert result.output.replace(" ", "").strip() == openssl.stdout.split()[0]
