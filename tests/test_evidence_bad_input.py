"""Bad input to ``evidence export`` and ``evidence verify``: one clear line, exit 1, never a
traceback, never a file written outside the output."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.evidencekit import ISSUED, World, make_world, sit, unzip
from mqexam.cli import main
from mqexam.evidence.zipsafe import BundleError, Limits, read_zip
from mqexam.store.db import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("bad"))


def export(world: World, *args: str | Path, keys: Path | None = None) -> tuple[int, str]:
    result = world.run("evidence", "export", *args, keys=keys)
    return result.exit_code, result.output


def error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


# -- export ------------------------------------------------------------------------


def test_an_unknown_attempt(world: World, tmp_path: Path) -> None:
    code, output = export(world, "NOPE-NOPE-NOPE", "--lang", "de", "--out", tmp_path / "x.zip")
    assert code == 1
    assert error_line(output) == "error: no attempt 'NOPE-NOPE-NOPE'"


def test_an_attempt_in_progress_is_refused(world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        sitting = sit(store, world.module, learner="L20", submit=False)
    for flag in ((), ("--unsigned",)):
        code, output = export(world, sitting.attempt_id, "--lang", "de", "--out",
                              tmp_path / "x.zip", *flag)
        assert code == 1
        assert "still in progress" in error_line(output)
    assert not (tmp_path / "x.zip").exists()


def test_an_unsigned_attempt_without_the_flag(world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        sitting = sit(store, world.module, learner="L21")
    code, output = export(world, sitting.attempt_id, "--lang", "de", "--out", tmp_path / "x.zip")
    assert code == 1
    assert "not signed by an assessor" in error_line(output) and "--unsigned" in output


def test_a_voided_attempt_is_refused(world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        sitting = sit(store, world.module, learner="L22")
        store.append(sitting.attempt_id, "voided", {"reason": "phone used", "assessor": "Kim"},
                     "2026-12-01T12:00:00Z")
    code, output = export(world, sitting.attempt_id, "--lang", "de", "--out", tmp_path / "x.zip",
                          "--unsigned")
    assert code == 1 and "voided" in error_line(output) and "phone used" in output


def test_attempts_of_two_learners_are_refused(world: World, tmp_path: Path) -> None:
    with Store(world.db) as store:
        other = sit(store, world.module, learner="L23")
    code, output = export(world, world.attempt, other.attempt_id, "--lang", "de", "--out",
                          tmp_path / "x.zip", "--unsigned")
    assert code == 1 and "different learners" in error_line(output)


def test_a_missing_key_says_to_run_keys_init(world: World, tmp_path: Path) -> None:
    code, output = export(world, world.attempt, "--lang", "de", "--out", tmp_path / "x.zip",
                          keys=tmp_path / "no-keys")
    assert code == 1
    assert "mqexam keys init" in error_line(output)


def test_a_private_key_others_can_read_is_refused(world: World, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    for name in ("issuer.key", "issuer.pem", "issuer.json"):
        (keys / name).write_bytes((world.keys / name).read_bytes())
    (keys / "issuer.key").chmod(0o644)
    code, output = export(world, world.attempt, "--lang", "de", "--out", tmp_path / "x.zip",
                          keys=keys)
    assert code == 1 and "chmod 600" in error_line(output)


def test_a_key_of_another_awarding_body_is_refused(world: World, tmp_path: Path) -> None:
    result = world.run("keys", "init", "--awarding-body", "Another College", "--keys",
                       tmp_path / "k")
    assert result.exit_code == 0
    code, output = export(world, world.attempt, "--lang", "de", "--out", tmp_path / "x.zip",
                          "--keys", tmp_path / "k")
    assert code == 1 and "Another College" in error_line(output)


@pytest.mark.parametrize("where", ["folder", "file-as-folder", "missing-folder"])
def test_an_unwritable_output_path(world: World, tmp_path: Path, where: str) -> None:
    (tmp_path / "plain.txt").write_text("x")
    out = {"folder": tmp_path, "file-as-folder": tmp_path / "plain.txt" / "b.zip",
           "missing-folder": tmp_path / "nowhere" / "b.zip"}[where]
    code, output = export(world, world.attempt, "--lang", "de", "--out", out, "--date", ISSUED)
    assert code == 1
    assert error_line(output).startswith(f"error: cannot write {out}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.txt"]


def test_a_date_that_is_not_one_or_before_the_attempt(world: World, tmp_path: Path) -> None:
    code, output = export(world, world.attempt, "--lang", "de", "--out", tmp_path / "x.zip",
                          "--date", "10/12/2026")
    assert code == 1 and "YYYY-MM-DD" in error_line(output)
    code, output = export(world, world.attempt, "--lang", "de", "--out", tmp_path / "x.zip",
                          "--date", "2026-11-30")
    assert code == 1 and "before the last event" in error_line(output)


# -- verify ------------------------------------------------------------------------


def verify(world: World, path: Path, *args: str) -> tuple[int, str]:
    result = world.run("evidence", "verify", path, *args)
    return result.exit_code, result.output


def zip_with(path: Path, entries: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name), content, zipfile.ZIP_DEFLATED)
    path.write_bytes(buffer.getvalue())
    return path


def test_not_a_zip(world: World, tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("these are my notes\n")
    code, output = verify(world, path)
    assert code == 1 and error_line(output) == f"error: {path}: not a zip file"


def test_an_empty_file_and_no_file(world: World, tmp_path: Path) -> None:
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    assert verify(world, empty)[0] == 1 and "empty" in verify(world, empty)[1]
    code, output = verify(world, tmp_path / "missing.zip")
    assert code == 1 and "no such file" in output
    code, output = verify(world, tmp_path)
    assert code == 1 and "not a file" in output


def test_a_truncated_zip(world: World, tmp_path: Path) -> None:
    data = world.bundle.read_bytes()
    for size in (len(data) // 2, len(data) - 10, 30):
        path = tmp_path / f"cut-{size}.zip"
        path.write_bytes(data[:size])
        code, output = verify(world, path)
        assert code == 1 and "truncated or damaged" in error_line(output)


def test_a_zip_that_is_not_a_bundle(world: World, tmp_path: Path) -> None:
    path = zip_with(tmp_path / "other.zip", {"hello.txt": b"hello"})
    code, output = verify(world, path)
    assert code == 1 and "not an mqexam evidence bundle" in error_line(output)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(world: World, tmp_path: Path) -> None:
    files = unzip(world.bundle)
    files["report.html"] = b"\0" * (20 * 1024 * 1024)
    path = zip_with(tmp_path / "bomb.zip", files)
    assert path.stat().st_size < 200_000
    code, output = verify(world, path)
    assert code == 1 and "zip bomb" in error_line(output)


def test_too_much_in_total_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(3):
            archive.writestr(f"f{n}", b"x" * 400)
    with pytest.raises(BundleError, match="more than"):
        read_zip(buffer.getvalue(), Limits(max_total=1000))
    assert len(read_zip(buffer.getvalue(), Limits(max_total=1200))) == 3


@pytest.mark.parametrize("name", ["../evil.txt", "attempts/../../evil.txt", "/tmp/evil.txt",
                                  "C:/evil.txt", "attempts\\..\\evil.txt", "./README.txt"])
def test_unsafe_paths_are_refused_and_nothing_is_written(world: World, tmp_path: Path,
                                                          name: str) -> None:
    files = unzip(world.bundle)
    files[name] = b"gotcha"
    inside = tmp_path / "inside"
    inside.mkdir()
    path = zip_with(inside / "evil.zip", files)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    cwd = os.getcwd()
    try:
        os.chdir(inside)
        code, output = verify(world, path)
    finally:
        os.chdir(cwd)
    assert code == 1 and "unsafe path" in error_line(output)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert not Path("/tmp/evil.txt").exists()


def test_bad_key_and_fingerprint_options(world: World, tmp_path: Path) -> None:
    code, output = verify(world, world.bundle, "--fingerprint", "12ab")
    assert code == 1 and "not a key fingerprint" in error_line(output)
    code, output = verify(world, world.bundle, "--key", str(tmp_path / "nope.pem"))
    assert code == 1 and "does not exist" in error_line(output)
    (tmp_path / "junk.pem").write_text("-----BEGIN PUBLIC KEY-----\nxx\n")
    code, output = verify(world, world.bundle, "--key", str(tmp_path / "junk.pem"))
    assert code == 1 and "not an Ed25519 public key" in error_line(output)
    code, output = verify(world, world.bundle, "--key", str(world.keys / "issuer.pem"),
                          "--fingerprint", world.fingerprint)
    assert code == 1 and "not both" in error_line(output)


def test_a_bank_version_no_longer_in_the_bank_folder(world: World, tmp_path: Path) -> None:
    from conftest import forget_bank_versions

    banks = tmp_path / "banks"
    shutil.copytree(world.banks, banks)
    alarm = banks / "mini" / "items" / "alarm.toml"
    alarm.write_text(alarm.read_text().replace('answer = ["112"]', 'answer = ["112", "1-1-2"]'))
    args = ["--banks", str(banks), "--db", str(world.db), "evidence", "export", world.attempt,
            "--lang", "de", "--out"]
    env = {"MQEXAM_KEYS": str(world.keys)}
    # The results database kept the version the attempt used: the export still works.
    kept = CliRunner().invoke(main, [*args, str(tmp_path / "kept.zip")], env=env)
    assert kept.exit_code == 0, kept.output
    forget_bank_versions(world.db)
    result = CliRunner().invoke(main, [*args, str(tmp_path / "x.zip")], env=env)
    assert result.exit_code == 1
    assert "not in the bank folder" in error_line(result.output)
