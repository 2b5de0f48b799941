"""``mqexam keys init | fingerprint``: where the key lives, who may read it, its fingerprint."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization

from mqexam.cli import main
from mqexam.errors import MqexamError
from mqexam.evidence.keys import grouped, keys_dir, load_issuer_key, parse_fingerprint


def run(mini_banks: Path, *args: str | Path, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, ["--banks", str(mini_banks), *map(str, args)], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_a_private_key_only_its_owner_reads(mini_banks: Path, tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    result = run(mini_banks, "keys", "init", "--keys", folder, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["awarding_body"] == "Example Vocational College"  # from the module
    assert mode(folder) == 0o700
    assert mode(folder / "issuer.key") == 0o600
    assert mode(folder / "issuer.pem") == 0o644
    public = serialization.load_pem_public_key((folder / "issuer.pem").read_bytes())
    der = public.public_bytes(serialization.Encoding.DER,
                              serialization.PublicFormat.SubjectPublicKeyInfo)
    assert report["fingerprint"] == grouped(hashlib.sha256(der).hexdigest())
    assert load_issuer_key(folder).awarding_body == "Example Vocational College"


def test_init_refuses_to_replace_a_key_unless_forced(mini_banks: Path, tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    first = run(mini_banks, "keys", "init", "--keys", folder)
    before = run(mini_banks, "keys", "fingerprint", "--keys", folder).output
    again = run(mini_banks, "keys", "init", "--keys", folder)
    assert again.exit_code == 1 and "--force" in again.output
    assert before.strip() in again.output  # names the key it protects
    forced = run(mini_banks, "keys", "init", "--keys", folder, "--force")
    assert first.exit_code == forced.exit_code == 0
    assert run(mini_banks, "keys", "fingerprint", "--keys", folder).output != before


def test_awarding_body_from_the_flag(mini_banks: Path, tmp_path: Path) -> None:
    result = run(mini_banks, "keys", "init", "--keys", tmp_path / "k", "--awarding-body",
                 "Erhvervsskolen Nord")
    assert result.exit_code == 0
    assert load_issuer_key(tmp_path / "k").awarding_body == "Erhvervsskolen Nord"


def test_the_key_folder_follows_flag_env_and_xdg(mini_banks: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MQEXAM_KEYS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert keys_dir() == tmp_path / "config" / "mqexam" / "keys"
    assert run(mini_banks, "keys", "init").exit_code == 0
    assert (tmp_path / "config" / "mqexam" / "keys" / "issuer.key").is_file()

    monkeypatch.setenv("MQEXAM_KEYS", str(tmp_path / "env"))
    assert keys_dir() == tmp_path / "env"
    assert keys_dir(tmp_path / "flag") == tmp_path / "flag"
    assert run(mini_banks, "keys", "--keys", tmp_path / "group", "init").exit_code == 0
    assert (tmp_path / "group" / "issuer.key").is_file()


def test_fingerprint_of_a_missing_key_says_to_run_init(mini_banks: Path, tmp_path: Path) -> None:
    result = run(mini_banks, "keys", "fingerprint", "--keys", tmp_path / "none")
    assert result.exit_code == 1
    assert "mqexam keys init" in result.output and len(result.output.splitlines()) == 1


def test_fingerprint_of_a_pem_file(mini_banks: Path, tmp_path: Path) -> None:
    run(mini_banks, "keys", "init", "--keys", tmp_path / "k")
    own = run(mini_banks, "keys", "fingerprint", "--keys", tmp_path / "k").output
    of_file = run(mini_banks, "keys", "fingerprint", tmp_path / "k" / "issuer.pem").output
    assert own == of_file and len(own.split()) == 16


@pytest.mark.parametrize("text", [
    "ab12" * 16, " ".join(["AB12"] * 16), ":".join(["ab", "12"] * 16), "SHA256:" + "ab12" * 16])
def test_a_fingerprint_may_be_typed_in_any_common_form(text: str) -> None:
    assert parse_fingerprint(text) == "ab12" * 16


@pytest.mark.parametrize("text", ["", "ab12", "zz" * 32, "ab12" * 17])
def test_a_malformed_fingerprint_is_refused(text: str) -> None:
    with pytest.raises(MqexamError, match="not a key fingerprint"):
        parse_fingerprint(text)
