"""Signed attempts, keys and bundles for the evidence tests.

An attempt is made as a learner makes it (``Sitting``), then graded and signed as
docs/events.md says an assessor does (``graded`` and ``signed`` events appended
with ``Store.append``). Bundles are taken apart and put back together here so
the tampering tests can change one thing at a time.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from mqexam.bank.loader import load_bank
from mqexam.bank.model import Module
from mqexam.cli import main
from mqexam.evidence.bundle import sha256sums
from mqexam.evidence.canonical import canonical_json
from mqexam.evidence.keys import IssuerKey, init_keys
from mqexam.exam.attempt import format_time
from mqexam.sitting import Sitting, result_summary
from mqexam.store.db import Store

MINI_BANKS = Path(__file__).parent.parent / "fixtures" / "banks"

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ISSUED = "2026-12-10"
# Seed 3 on the mini bank draws ppe-pick, ppe-bench (practical), sequence, call-number and
# filter-match.
ANSWERS: dict[str, Any] = {
    "call-number": "112",
    "sequence": ["check", "call", "push"],
    "ppe-pick": ["helmet", "gloves", "sandals"],
    "filter-match": {"en169": "passive", "en379": "auto"},
}
ANSWERS_US: dict[str, Any] = {**ANSWERS, "call-number": "911",
                              "sequence": ["call", "check", "push"]}


def sit(store: Store, module: Module, *, learner: str = "L1", name: str | None = "Ada Jensen",
        context: str = "DK", locale: str = "en", seed: int = 3, start: datetime = START,
        answers: dict[str, Any] | None = None, submit: bool = True) -> Sitting:
    """A learner's sitting with ``answers`` recorded (a minute apart), submitted."""
    sitting, _code = Sitting.start(store, module, context=context, locale=locale,
                                   learner_id=learner, now=start, seed=seed, name=name)
    moment = start
    for item, answer in (ANSWERS if answers is None else answers).items():
        moment += timedelta(minutes=1)
        sitting.answer(item, answer, moment)
    if submit:
        sitting.submit(moment + timedelta(minutes=1))
    return sitting


def grade_and_sign(store: Store, sitting: Sitting, *, decision: str = "competent",
                   at: datetime | None = None, sign: bool = True) -> None:
    """Grade every practical item (all criteria met) and sign, as an assessor would."""
    moment = at or START + timedelta(hours=2)
    for item in sitting.form.items:
        if item.type != "practical":
            continue
        criteria = {cid: True for cid, _text, _required in item.criteria}
        sitting.state.grades[item.id] = {"criteria": criteria}
        store.append(sitting.attempt_id, "graded", {
            "item": item.id, "criteria": criteria, "comment": "Helmet checked before arcing",
            "assessor": "Kim Assessor", "result": result_summary(sitting.result())},
            format_time(moment))
    if sign:
        outcomes = {outcome: decision for outcome, _text in sitting.form.outcomes}
        store.append(sitting.attempt_id, "signed", {
            "decision": decision, "outcomes": outcomes,
            "reason": "All outcomes demonstrated; practical task observed at the bench",
            "supervision": "supervised_on_site", "identity_checked": True,
            "assessor": "Kim Assessor"}, format_time(moment + timedelta(minutes=5)))


def signed_attempt(store: Store, module: Module, **options: Any) -> str:
    sitting = sit(store, module, **options)
    grade_and_sign(store, sitting)
    return sitting.attempt_id


# -- taking bundles apart ------------------------------------------------------------


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes], path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    path.write_bytes(buffer.getvalue())
    return path


# -- a world to export from ----------------------------------------------------------


@dataclass
class World:
    """A bank folder, a results database with one signed attempt, an issuer key, a bundle."""

    root: Path
    banks: Path
    db: Path
    keys: Path
    module: Module
    attempt: str
    bundle: Path
    fingerprint: str

    def run(self, *args: str | Path, keys: Path | None = None) -> Result:
        """``mqexam --banks .. --db .. ARGS`` with the world's key folder; never a traceback."""
        env = {"MQEXAM_KEYS": str(keys or self.keys)}
        result = CliRunner().invoke(main, ["--banks", str(self.banks), "--db", str(self.db),
                                           *map(str, args)], env=env)
        assert "Traceback" not in result.output, result.output
        assert "internal error" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        return result

    def export(self, out: Path, *attempts: str, lang: str = "de", date: str = ISSUED,
               extra: tuple[str, ...] = ()) -> Result:
        result = self.run("evidence", "export", *(attempts or (self.attempt,)), "--lang", lang,
                          "--out", out, "--date", date, *extra)
        assert result.exit_code == 0, result.output
        return result


def make_world(root: Path) -> World:
    banks = root / "banks"
    shutil.copytree(MINI_BANKS, banks)
    module = load_bank(banks, use_cache=False).module("mini")
    assert module is not None
    db = root / "results" / "mqexam.db"
    with Store(db) as store:
        attempt = signed_attempt(store, module)
    key = init_keys(root / "keys", module.meta.awarding_body, "2026-12-01")
    world = World(root, banks, db, root / "keys", module, attempt, root / "bundle.zip",
                  key.fingerprint)
    world.export(world.bundle)
    return world


def other_key(root: Path) -> IssuerKey:
    """An attacker's key (another issuer's)."""
    return init_keys(root, "Someone Else", "2026-12-01")


def reseal(files: dict[str, bytes], key: IssuerKey | None = None) -> dict[str, bytes]:
    """Recompute SHA256SUMS after a change; with ``key``, also re-sign and swap issuer.pem."""
    files = dict(files)
    if key is not None:
        files["issuer.pem"] = key.public_pem
    listed = {n: c for n, c in files.items() if n not in ("SHA256SUMS", "SHA256SUMS.sig")}
    files["SHA256SUMS"] = sha256sums(listed)
    if key is not None:
        files["SHA256SUMS.sig"] = key.sign(files["SHA256SUMS"])
    return files


def attempt_name(world: World) -> str:
    return f"attempts/{world.attempt}.json"


def edit_json(files: dict[str, bytes], name: str, change: Any) -> dict[str, bytes]:
    """``files`` with ``name`` parsed, passed to ``change`` and written back canonically."""
    document = json.loads(files[name])
    change(document)
    return {**files, name: canonical_json(document)}


def reissue(files: dict[str, bytes], key: IssuerKey) -> dict[str, bytes]:
    """What a careful attacker does: claim the credential for ``key`` too, re-hash, re-sign."""
    old = json.loads(files["credential.json"])["issuer"]["publicKeyFingerprintSha256"]
    text = files["credential.json"].decode().replace(old, key.fingerprint)
    return reseal({**files, "credential.json": text.encode()}, key)


REPO_BANKS = Path(__file__).parent.parent.parent / "banks"


def answer_with_keys(sitting: Sitting, start: datetime) -> None:
    """Answer every item of the form with its key (practical items are left to grading)."""
    moment = start
    for item in sitting.form.items:
        if item.type == "practical" or item.key is None:
            continue
        answer = item.key[0] if item.type == "text" else item.key
        moment += timedelta(seconds=30)
        sitting.answer(item.id, answer if not isinstance(answer, tuple) else list(answer),
                       moment)
    sitting.submit(moment + timedelta(seconds=30))
