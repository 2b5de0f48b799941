"""Exporting attempts as one evidence bundle.

Called by ``mqexam evidence export`` and the benchmark. Owns the order of the
work: gather and refuse (in the interface language), check the key against the
module's awarding body and the date against the attempts, then build every file
in the report's language (attempt documents first, since the credential names
their digests), seal and zip. Pure apart from reading the store and the bank
files; writing the zip is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.evidence import modulefile, prior_file
from mqexam.evidence.attempt_file import attempt_document
from mqexam.evidence.bundle import seal, zip_bytes
from mqexam.evidence.canonical import canonical_json
from mqexam.evidence.credential import Issuer, build_credential
from mqexam.evidence.gather import Sources, gather
from mqexam.evidence.keys import IssuerKey
from mqexam.evidence.language import speaking
from mqexam.evidence.outcomes import outcome_results, overall, stacking_target
from mqexam.evidence.readme import readme
from mqexam.evidence.report_html import ReportInput, render_report
from mqexam.exam.attempt import parse_time
from mqexam.i18n import _
from mqexam.store.db import Store


@dataclass(frozen=True)
class Exported:
    """A built bundle: its files (sealed), its zip bytes and what it holds."""

    files: dict[str, bytes]
    data: bytes
    sources: Sources
    fingerprint: str

    @property
    def attempts(self) -> list[str]:
        return [a.attempt_id for a in self.sources.attempts]

    @property
    def target(self) -> str:
        """The country the credential is for (see :func:`stacking_target`)."""
        return stacking_target([a.state.start for a in self.sources.attempts])


def check_key(key: IssuerKey, module: Module) -> None:
    body = module.meta.awarding_body
    if key.awarding_body is not None and key.awarding_body.strip() != body.strip():
        raise MqexamError(_("the issuer key in {folder} belongs to '{key_body}', but module "
                            "{module} is awarded by '{body}'; use that awarding body's key "
                            "(--keys DIR)").format(folder=key.folder, key_body=key.awarding_body,
                                                   module=module.id, body=body))


def check_date(sources: Sources, issued: date) -> None:
    for attempt in sources.attempts:
        last = parse_time(attempt.events[-1].at)
        if issued < last.date():
            raise MqexamError(_("the date of issue {date} is before the last event of attempt "
                                "{id} ({when}); give a later --date").format(
                                    date=issued.isoformat(), id=attempt.attempt_id,
                                    when=last.date().isoformat()))


def build_files(sources: Sources, key: IssuerKey, issued: date, language: str) -> dict[str, bytes]:
    """Every file of the bundle before sealing, rendered in ``language``."""
    module = sources.module
    meta = module.meta
    issuer = Issuer(meta.awarding_body, meta.issuer_country, key.fingerprint)
    files: dict[str, bytes] = {}
    with speaking(language):
        documents = [attempt_document(a.events, module, sources.learner, language)
                     for a in sources.attempts]
        for document in documents:
            files[f"attempts/{document['attempt']}.json"] = canonical_json(document)
        priors = sources.priors
        if priors:
            files[prior_file.NAME] = canonical_json(prior_file.prior_document(
                sources.learner_id, module.id, priors))
        target = stacking_target(documents)
        outcomes = outcome_results(module, documents, priors, target, language, issued)
        total = overall(documents, outcomes, target)
        credential = build_credential(
            module=module, documents=documents, outcomes=outcomes, total=total,
            learner=sources.learner, priors=priors, issuer=issuer, issued=issued,
            language=language, files=files)
        files["credential.json"] = canonical_json(credential)
        report = ReportInput(module=module, documents=documents, outcomes=outcomes, total=total,
                             learner=sources.learner, learner_id=sources.learner_id,
                             priors=priors, issuer=issuer, issued=issued,
                             language=language, unsigned=sources.unsigned)
        files["report.html"] = render_report(report)
        for name, raw in sources.module_files.items():
            files[modulefile.PREFIX + name] = raw
        files["module.toml"] = modulefile.readable(sources.module_files, module.id,
                                                   module.version, module.content_hash)
        learner = (sources.learner or {}).get("name") or sources.learner_id
        files["README.txt"] = readme(
            title=str(credential.get("name") or module.id), learner=str(learner),
            awarding_body=meta.awarding_body, country=meta.issuer_country, issued=issued,
            language=language, fingerprint=key.fingerprint, content_hash=module.content_hash,
            attempts=[a.attempt_id for a in sources.attempts], unsigned=sources.unsigned,
            priors=[str(p["id"]) for p in priors])
    return files


def export_bundle(store: Store, modules: Iterable[Module], attempt_ids: Sequence[str], *,
                  key: IssuerKey, issued: date, language: str, allow_unsigned: bool = False,
                  banks: Path | None = None) -> Exported:
    """Build the bundle for ``attempt_ids``; raises :class:`MqexamError` naming any refusal."""
    sources = gather(store, modules, attempt_ids, allow_unsigned, banks)
    check_key(key, sources.module)
    check_date(sources, issued)
    files = seal(build_files(sources, key, issued, language), key)
    return Exported(files, zip_bytes(files, issued), sources, key.fingerprint)
