"""Checking a bundle: integrity, signature, origin, event chains, scores.

Called by ``mqexam evidence verify``, the tests and the benchmark. Owns what
"valid" means, and names every problem with the file it is in:

* the zip reads safely (see :mod:`mqexam.evidence.zipsafe`);
* every file is listed in ``SHA256SUMS`` with its hash, none is added or missing,
  and the files every bundle has are there;
* ``SHA256SUMS.sig`` is ``issuer.pem``'s Ed25519 signature of ``SHA256SUMS``;
* origin, when asked: ``issuer.pem`` is the key given with ``--key`` or has the
  fingerprint given with ``--fingerprint``; without either, only integrity is
  checked, and :attr:`Verification.origin` says so;
* ``module/`` has the content hash the attempts are scored with, ``module.toml`` says the
  same, and the bank version loads;
* each ``attempts/<id>.json`` is canonical JSON, its event chain verifies, and
  what it says (answers, keys, scores per item and outcome, lifecycle, grades,
  signatures) recomputes from its own events and the bundled bank;
* ``prior_learning.json``, when there, holds well-formed records of the learner
  and module, and the credential lists exactly those;
* ``credential.json`` is of this bundle format and names exactly those attempt
  files with their digests, the same learner, bank version and key, the target
  country, and results per outcome that follow from the attempts and the
  prior-learning records (:mod:`mqexam.evidence.outcomes`, recomputed on the
  date of issue).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from mqexam.bank.loader import load_module
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.evidence import BUNDLE_FORMAT, modulefile, prior_file
from mqexam.evidence.attempt_file import attempt_document, events_of, neutral
from mqexam.evidence.bundle import PUBLIC_KEY, SEALING, SIGNATURE, SUMS
from mqexam.evidence.canonical import canonical_json, sha256_hex
from mqexam.evidence.credential import digest_sri, prior, prior_urn, results
from mqexam.evidence.keys import fingerprint, grouped, load_public_pem, public_der
from mqexam.evidence.outcomes import outcome_results, overall, stacking_target
from mqexam.evidence.zipsafe import DEFAULT_LIMITS, BundleError, Limits, read_file, read_zip
from mqexam.exam.attempt import fold, parse_time
from mqexam.exam.events import verify_chain
from mqexam.i18n import _

REQUIRED = ("README.txt", "credential.json", "report.html", "module.toml", PUBLIC_KEY, SUMS,
            SIGNATURE, "module/module.toml")
_SUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
_ATTEMPT = re.compile(r"^attempts/([^/]+)\.json$")
_MODULES: dict[str, Module] = {}
"""Bank versions already loaded by this process, by content hash (a verify of many bundles
of one module loads it once; the hash covers every byte the module is made of)."""


@dataclass(frozen=True)
class Problem:
    file: str
    message: str

    def render(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message

    def as_json(self) -> dict[str, str]:
        return {"file": self.file, "problem": self.message}


@dataclass
class Verification:
    source: str
    problems: list[Problem] = field(default_factory=list)
    origin: str = "unchecked"
    """``key`` or ``fingerprint`` when the issuer key was compared; ``unchecked`` otherwise."""
    fingerprint: str | None = None
    files: int = 0
    attempts: list[str] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def add(self, file: str, message: str) -> None:
        problem = Problem(file, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "valid": self.valid,
            "origin": self.origin,
            "fingerprint": grouped(self.fingerprint) if self.fingerprint else None,
            "files": self.files,
            "attempts": self.attempts,
            "unsigned_attempts": self.unsigned,
            "problems": [p.as_json() for p in self.problems],
        }


def verify_path(path: Path, *, key: Ed25519PublicKey | None = None,
                fingerprint_hex: str | None = None,
                limits: Limits = DEFAULT_LIMITS) -> Verification:
    """Verify the bundle at ``path``; an unreadable file is a problem, not an exception."""
    try:
        data = read_file(path, limits)
    except BundleError as error:
        result = Verification(str(path))
        result.add("", error.message)
        return result
    return verify_bytes(data, str(path), key=key, fingerprint_hex=fingerprint_hex, limits=limits)


def verify_bytes(data: bytes, source: str, *, key: Ed25519PublicKey | None = None,
                 fingerprint_hex: str | None = None,
                limits: Limits = DEFAULT_LIMITS) -> Verification:
    result = Verification(source)
    try:
        files = read_zip(data, limits)
    except BundleError as error:
        result.add("", error.message)
        return result
    _Checker(files, result).run(key, fingerprint_hex)
    return result


def _load_json(raw: bytes) -> Any:
    return json.loads(raw.decode("utf-8"))


class _Checker:
    def __init__(self, files: dict[str, bytes], result: Verification) -> None:
        self.files = files
        self.result = result
        result.files = len(files)
        self.reported: set[str] = set()

    def add(self, file: str, message: str) -> None:
        self.reported.add(file)
        self.result.add(file, message)

    def run(self, key: Ed25519PublicKey | None, fingerprint_hex: str | None) -> None:
        if SUMS not in self.files and "credential.json" not in self.files:
            self.add("", _("not an mqexam evidence bundle (it has no SHA256SUMS and no "
                           "credential.json)"))
            return
        self.hashes()
        bundle_key = self.signature()
        self.origin(bundle_key, key, fingerprint_hex)
        self.required()
        module, digest = self.module()
        documents = self.attempts(module, digest)
        self.credential(module, digest, documents)
        self.report()

    # -- integrity -------------------------------------------------------------

    def hashes(self) -> None:
        raw = self.files.get(SUMS)
        if raw is None:
            return
        try:
            lines = raw.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            self.add(SUMS, _("not a text file"))
            return
        if lines and lines[-1] == "":
            lines.pop()
        listed: dict[str, str] = {}
        for number, line in enumerate(lines, start=1):
            match = _SUM_LINE.match(line)
            if match is None:
                self.add(SUMS, _("line {n} is not '<sha256>  <file>'").format(n=number))
                continue
            digest, name = match.groups()
            if name in listed or name in SEALING:
                self.add(SUMS, _("line {n} lists {name} again or lists itself").format(
                    n=number, name=name))
                continue
            listed[name] = digest
        for name, digest in listed.items():
            content = self.files.get(name)
            if content is None:
                self.add(name, _("missing: SHA256SUMS lists it, but the bundle does not hold it"))
            elif sha256_hex(content) != digest:
                self.add(name, _("changed: its sha256 is not the one in SHA256SUMS"))
        for name in sorted(self.files):
            if name not in listed and name not in SEALING:
                self.add(name, _("added: it is not listed in SHA256SUMS"))

    def required(self) -> None:
        for name in REQUIRED:
            if name not in self.files and name not in self.reported:
                self.add(name, _("missing: every bundle has one"))
        if not any(_ATTEMPT.match(name) for name in self.files):
            self.add("attempts/", _("missing: a bundle holds at least one attempt"))

    def signature(self) -> Ed25519PublicKey | None:
        pem, signature, sums = (self.files.get(n) for n in (PUBLIC_KEY, SIGNATURE, SUMS))
        if pem is None:
            return None
        key = load_public_pem(pem)
        if key is None:
            self.add(PUBLIC_KEY, _("not an Ed25519 public key in PEM form"))
            return None
        self.result.fingerprint = fingerprint(key)
        if signature is None or sums is None:
            return key
        if len(signature) != 64:
            self.add(SIGNATURE, _("not an Ed25519 signature (64 bytes)"))
            return key
        try:
            key.verify(signature, sums)
        except InvalidSignature:
            self.add(SIGNATURE, _("the signature does not match SHA256SUMS and issuer.pem: the "
                                  "bundle was changed after it was signed"))
        return key

    def origin(self, bundle_key: Ed25519PublicKey | None, key: Ed25519PublicKey | None,
               fingerprint_hex: str | None) -> None:
        found = self.result.fingerprint
        shown = grouped(found) if found else _("none")
        if key is not None:
            self.result.origin = "key"
            if bundle_key is None or public_der(bundle_key) != public_der(key):
                self.add(PUBLIC_KEY, _("not the issuer key you gave (this one's fingerprint is "
                                       "{found}, yours is {expected}): the bundle was not "
                                       "signed by that issuer").format(
                                           found=shown, expected=grouped(fingerprint(key))))
        if fingerprint_hex is not None:
            self.result.origin = "fingerprint" if key is None else "key"
            if found != fingerprint_hex:
                self.add(PUBLIC_KEY, _("its fingerprint {found} is not the one you gave "
                                       "({expected}): the bundle was not signed by that issuer")
                         .format(found=shown, expected=grouped(fingerprint_hex)))

    # -- the bank version --------------------------------------------------------

    def module(self) -> tuple[Module | None, str | None]:
        prefix = modulefile.PREFIX
        bank: dict[str, bytes] = {}
        for name, content in self.files.items():
            if not name.startswith(prefix):
                continue
            relative = name[len(prefix):]
            if not modulefile.is_module_file(relative):
                self.add(name, _("not a file of a module folder (module.toml, items/*.toml)"))
                continue
            bank[relative] = content
        if modulefile.MODULE_FILE not in bank:
            return None, None
        digest = modulefile.content_hash(bank)
        readable = self.files.get("module.toml")
        if readable is not None and not modulefile.matches(readable, bank):
            self.add("module.toml", _("does not hold exactly the files in module/"))
        module = _MODULES.get(digest)
        if module is None:
            module, reason = _load(bank)
            if module is None:
                self.add("module/", _("the bank version does not load: {reason}").format(
                    reason=reason))
                return None, digest
            if len(_MODULES) >= 8:
                _MODULES.pop(next(iter(_MODULES)))
            _MODULES[digest] = module
        return module, digest

    # -- attempts ----------------------------------------------------------------

    def json_file(self, name: str) -> Any:
        try:
            value = _load_json(self.files[name])
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.add(name, _("not valid JSON"))
            return None
        if canonical_json_or_none(value) != self.files[name]:
            self.add(name, _("not in canonical JSON form (RFC 8785)"))
        return value

    def attempts(self, module: Module | None, digest: str | None) -> list[dict[str, Any]]:
        documents = []
        for name in sorted(self.files):
            match = _ATTEMPT.match(name)
            if match is None:
                if name.startswith("attempts/"):
                    self.add(name, _("not an attempt file (attempts/<id>.json)"))
                continue
            document = self.json_file(name)
            if not isinstance(document, dict):
                if document is not None:
                    self.add(name, _("not an attempt document"))
                continue
            attempt_id = match.group(1)
            self.result.attempts.append(attempt_id)
            if document.get("attempt") != attempt_id:
                self.add(name, _("it is the file of another attempt ({id})").format(
                    id=document.get("attempt")))
                continue
            if self.attempt(name, attempt_id, document, module, digest):
                documents.append(document)
        return documents

    def attempt(self, name: str, attempt_id: str, document: dict[str, Any],
                module: Module | None, digest: str | None) -> bool:
        try:
            events = events_of(document)
        except ValueError:
            self.add(name, _("its event log is malformed"))
            return False
        for problem in verify_chain(attempt_id, events):
            where = (_("event {seq}").format(seq=problem.seq) if problem.seq is not None
                     else _("event chain"))
            self.add(name, _("{where}: {problem} (the event chain does not verify)").format(
                where=where, problem=problem.problem))
        if not document.get("signatures"):
            self.result.unsigned.append(attempt_id)
        try:
            state = fold(events)
        except Exception:  # a log without its start, or with malformed payloads
            self.add(name, _("its event log cannot be read"))
            return False
        scored = state.scored_with[1]
        if digest is not None and scored != digest:
            message = (_("scored with bank version {hash} after a regrade, but the bundle "
                         "holds {held}") if state.regrades
                       else _("made with bank version {hash}, but the bundle holds {held}"))
            self.add(name, message.format(hash=scored, held=digest))
            return False
        if module is None:
            return False
        try:
            expected = attempt_document(events, module, None,
                                        str(document.get("report_locale")))
        except Exception as error:  # whatever the file says, a problem to name, not a crash
            message = error.message if isinstance(error, MqexamError) else repr(error)
            self.add(name, _("its answers cannot be rescored: {reason}").format(reason=message))
            return False
        return self.compare(name, neutral(document), neutral(expected))

    def compare(self, name: str, stated: dict[str, Any], expected: dict[str, Any]) -> bool:
        same = True
        for key in sorted(set(stated) | set(expected)):
            if json_equal(stated.get(key), expected.get(key)):
                continue
            same = False
            if key == "items" and isinstance(stated.get(key), list):
                self.compare_items(name, stated[key], expected.get(key) or [])
            else:
                self.add(name, _("'{key}' does not follow from the event log and the bank")
                         .format(key=key))
        return same

    def compare_items(self, name: str, stated: list[Any], expected: list[Any]) -> None:
        if len(stated) != len(expected):
            self.add(name, _("the items are not the ones of the recorded form"))
            return
        for mine, theirs in zip(stated, expected, strict=True):
            if not isinstance(mine, dict):
                self.add(name, _("an item is malformed"))
                continue
            for key in sorted(set(mine) | set(theirs)):
                if not json_equal(mine.get(key), theirs.get(key)):
                    self.add(name, _("item {item}: '{key}' does not follow from the event log "
                                     "and the bank").format(item=theirs.get("id"), key=key))

    # -- the credential ----------------------------------------------------------

    def credential(self, module: Module | None, digest: str | None,
                   documents: list[dict[str, Any]]) -> None:
        name = "credential.json"
        if name not in self.files:
            return
        credential = self.json_file(name)
        if not isinstance(credential, dict):
            if credential is not None:
                self.add(name, _("not a credential record"))
            return
        try:
            self.credential_fields(credential, module, digest, documents)
        except Exception:  # a record of the wrong shape anywhere is one problem to name
            self.add(name, _("the record is malformed"))

    def credential_fields(self, credential: dict[str, Any], module: Module | None,
                          digest: str | None, documents: list[dict[str, Any]]) -> None:
        name = "credential.json"
        found_format = credential.get("mqexamBundleFormat")
        if found_format != BUNDLE_FORMAT:
            self.add(name, _("bundle format {found}; this version of mqexam reads format "
                             "{format}").format(found=found_format, format=BUNDLE_FORMAT))
            return
        entries = [e for e in credential.get("evidence") or [] if isinstance(e, dict)]
        named = {entry.get("file") for entry in entries}
        attempt_files = {n for n in self.files if _ATTEMPT.match(n)}
        for file in sorted(attempt_files - named):
            self.add(name, _("its evidence does not name {file}").format(file=file))
        for entry in entries:
            held = self.files.get(str(entry.get("file")))
            if held is None:
                self.add(name, _("its evidence names {file}, which is not in the bundle").format(
                    file=entry.get("file")))
            elif entry.get("digestSRI") != digest_sri(held):
                self.add(name, _("its digest of {file} does not match the file").format(
                    file=entry.get("file")))
        issuer = credential["issuer"]
        found = self.result.fingerprint
        if found and issuer.get("publicKeyFingerprintSha256") != found:
            self.add(name, _("it names another issuer key than issuer.pem"))
        subject = credential["credentialSubject"]
        achievement = subject["achievement"]
        hashes = [i.get("identifier") for i in achievement.get("otherIdentifier") or []]
        if digest is not None and digest not in hashes:
            self.add(name, _("it names another bank version than module/"))
        learner_ids = {i.get("identityHash") for i in subject.get("identifier") or []
                       if i.get("identityType") == "identifier"}
        for document in documents:
            if {document["learner"]["id"]} != learner_ids:
                self.add(name, _("its learner is not the learner of attempt {id}").format(
                    id=document["attempt"]))
        learner_id = str(next(iter(learner_ids))) if len(learner_ids) == 1 else ""
        priors = self.prior_learning(learner_id, str(achievement.get("humanCode")))
        if priors is not None:
            self.credential_priors(subject, entries, priors)
        if (module is None or priors is None or not documents
                or len(documents) != len(attempt_files)):
            return
        ordered = sorted(documents, key=lambda d: (parse_time(str(d["started_at"])),
                                                   str(d["attempt"])))
        language = str(achievement.get("inLanguage"))
        issued = date.fromisoformat(str(credential["validFrom"])[:10])
        target = stacking_target(ordered)
        outcomes = outcome_results(module, ordered, priors, target, language, issued)
        expected = results(module, outcomes, overall(ordered, outcomes, target))
        if not json_equal(expected, subject.get("result")):
            self.add(name, _("its results do not follow from the attempts"))
        context = (subject.get("assessment") or {}).get("context") or {}
        if context.get("countryCode") != target:
            self.add(name, _("the country it is for is not the one the attempts are for "
                             "({country})").format(country=target))
        signed = all(d.get("signatures") for d in ordered)
        if bool((subject.get("assessment") or {}).get("signedByAssessor")) != signed:
            self.add(name, _("what it says about the assessor's sign-off does not match the "
                             "attempts"))

    def prior_learning(self, learner_id: str, module_id: str) -> list[dict[str, Any]] | None:
        """The records in ``prior_learning.json`` (none when the bundle has no such file);
        ``None`` when the file cannot be read."""
        name = prior_file.NAME
        if name not in self.files:
            return []
        document = self.json_file(name)
        if document is None:
            return None
        try:
            return prior_file.records_of(document, learner_id, module_id)
        except ValueError as error:
            self.add(name, str(error))
            return None

    def credential_priors(self, subject: Mapping[str, Any], entries: list[dict[str, Any]],
                          priors: list[dict[str, Any]]) -> None:
        """The credential lists exactly the bundled prior-learning records, each with an
        evidence entry pointing at ``prior_learning.json``."""
        name = "credential.json"
        if not json_equal(subject.get("priorLearning") or [], [prior(r) for r in priors]):
            self.add(name, _("its prior learning is not the one in {file}").format(
                file=prior_file.NAME))
        listed = sorted(str(e.get("id")) for e in entries if e.get("genre") == "ext:PriorLearning")
        if listed != sorted(prior_urn(str(r["id"])) for r in priors):
            self.add(name, _("its evidence does not name the prior-learning records in "
                             "{file}").format(file=prior_file.NAME))

    def report(self) -> None:
        page = self.files.get("report.html")
        if page is not None and b"<script" in page.lower():
            self.add("report.html", _("holds a script; a report never does"))


def json_equal(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal as JSON: ``true`` is not ``1``, ``2.0`` is ``2``,
    a tuple is an array."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return False


def canonical_json_or_none(value: Any) -> bytes | None:
    try:
        return canonical_json(value)
    except Exception:  # rfc8785 refuses values JSON cannot carry canonically
        return None


def _load(files: Mapping[str, bytes]) -> tuple[Module | None, str]:
    """Load the bundled module from a private temporary folder (names already checked)."""
    try:
        with tempfile.TemporaryDirectory(prefix="mqexam-verify-") as tmp:
            folder = Path(tmp) / "module"
            (folder / "items").mkdir(parents=True)
            for relative, content in files.items():
                (folder / relative).write_bytes(content)
            module, problems = load_module(folder)
    except Exception as error:  # the bank files come from the bundle: a problem, not a crash
        return None, repr(error)
    errors = [p for p in problems if p.severity == "error"]
    if module is None or errors:
        first = errors[0] if errors else None
        reason = f"{Path(first.path).name}: {first.message}" if first else _("unreadable")
        return None, reason
    return module, ""
