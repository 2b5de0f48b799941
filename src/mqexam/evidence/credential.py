"""``credential.json``: the micro-credential record, shaped after Open Badges 3.0.

Called by the export; its results and evidence list are re-derived by the
verifier. Owns the mapping of the EU Council Recommendation on micro-credentials
(2022/C 243/02, Annex I) onto an ``OpenBadgeCredential``: native Open Badges 3.0
properties wherever one fits (issuer Profile, validFrom, awardedDate,
credentialSubject with achievement, criteria, alignment, resultDescription and
results, evidence), and extension properties named after the Recommendation's
elements where Open Badges has none (see docs/evidence.md for the table). Each
result per outcome names what it rests on (``restsOn``: the basis and the bonus
attempts, or a prior-learning record) by the ids of their ``evidence`` entries.

Pure, and free of interface strings: every text in it is either a code or the
module's own text in the report's language, so the record does not change with
the catalogs. The record carries no ``proof``: the bundle's ``SHA256SUMS.sig``
signs it, together with every other file.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mqexam.bank.model import Module
from mqexam.bank.resolve import pick_locale
from mqexam.evidence import BUNDLE_FORMAT, prior_file
from mqexam.evidence.outcomes import OutcomeResult, Overall
from mqexam.exam.profile import Demonstration
from mqexam.i18n import country_name, fallback_chain

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
EQF_URL = "https://europass.europa.eu/en/description-eight-eqf-levels"
OB_STATUS = {
    "competent": "Completed",
    "not_yet_competent": "Failed",
    "provisional": "Provisional",
    "awaiting_review": "InProgress",
}


@dataclass(frozen=True)
class Issuer:
    name: str
    country: str
    fingerprint: str

    @property
    def id(self) -> str:
        return f"urn:mqexam:issuer:sha256:{self.fingerprint}"


def achievement_id(module: Module) -> str:
    return f"urn:mqexam:module:{module.id}:{module.version}"


def attempt_urn(attempt_id: str) -> str:
    return f"urn:mqexam:attempt:{attempt_id}"


def prior_urn(record_id: str) -> str:
    return f"urn:mqexam:prior:{record_id}"


def source_urn(decided_by: str) -> str:
    kind, _sep, ident = decided_by.partition(":")
    return f"urn:mqexam:{kind}:{ident}"


def outcome_urn(module: Module, outcome_id: str) -> str:
    return f"{achievement_id(module)}:outcome:{outcome_id}"


def digest_sri(data: bytes) -> str:
    """A Subresource Integrity digest (``sha256-`` and base64), as VC 2.0 ``digestSRI``."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def percent(share: float | None) -> str | None:
    return None if share is None else f"{share * 100:.2f}"


def credential_id(issuer: Issuer, documents: Sequence[Mapping[str, Any]], issued: date) -> str:
    """Deterministic: the same attempts, key and date give the same id (reproducible bundles)."""
    seed = ":".join([issuer.fingerprint, issued.isoformat(),
                     *(f"{d['attempt']}={d['last_hash']}" for d in documents)])
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'mqexam:' + seed)}"


def _valid_until(issued: date, years: int | None) -> str | None:
    if years is None:
        return None
    try:
        until = issued.replace(year=issued.year + years)
    except ValueError:  # 29 February
        until = issued.replace(year=issued.year + years, day=28)
    return f"{until.isoformat()}T00:00:00Z"


def _drop_none(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item not in (None, "", [], {})}


def _achievement(module: Module, language: str, issuer: Issuer) -> dict[str, Any]:
    meta = module.meta
    chain = fallback_chain(language, meta.fallback, meta.languages)

    def local(texts: Mapping[str, str]) -> str | None:
        return pick_locale(texts, chain)[0] or None

    base = achievement_id(module)
    outcomes = []
    for outcome in meta.outcomes:
        required = meta.pass_rules.outcomes.get(outcome.id)
        target = outcome_urn(module, outcome.id)
        outcomes.append(_drop_none({
            "id": target,
            "type": ["ResultDescription"],
            "name": local(outcome.text),
            "resultType": "Percent",
            "valueMin": "0",
            "valueMax": "100",
            "requiredValue": percent(required),
            "alignment": [{"type": ["Alignment"], "targetType": "ceasn:Competency",
                           "targetName": local(outcome.text) or outcome.id,
                           "targetCode": outcome.id, "targetUrl": target}],
            "lifeSafety": outcome.life_safety or None,
        }))
    outcomes.append({
        "id": f"{base}:overall", "type": ["ResultDescription"],
        "name": local(meta.title) or meta.id, "resultType": "Percent",
        "valueMin": "0", "valueMax": "100", "requiredValue": percent(meta.pass_rules.overall),
    })
    return _drop_none({
        "id": base,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": local(meta.title),
        "description": local(meta.description) or local(meta.title),
        "humanCode": meta.id,
        "version": meta.version,
        "inLanguage": pick_locale(meta.title, chain)[1] or language,
        "creator": {"id": issuer.id, "type": ["Profile"], "name": issuer.name},
        "criteria": {"narrative": local(meta.assessment_type)},
        "creditsAvailable": meta.workload.ects,
        "alignment": [{"type": ["Alignment"], "targetType": "ext:EQFLevel",
                       "targetName": f"EQF {meta.eqf_level}", "targetCode": str(meta.eqf_level),
                       "targetFramework": "European Qualifications Framework",
                       "targetUrl": EQF_URL}],
        "resultDescription": outcomes,
        "otherIdentifier": [{"type": ["IdentifierEntry"], "identifier": module.content_hash,
                             "identifierType": "ext:ContentHash"}],
        # EU Council Recommendation 2022/C 243/02, Annex I, where Open Badges has no property:
        "notionalWorkload": _drop_none({"hours": meta.workload.hours,
                                        "ects": meta.workload.ects}),
        "eqfLevel": meta.eqf_level,
        "typeOfAssessment": local(meta.assessment_type),
        "formOfParticipation": local(meta.participation),
        "qualityAssurance": local(meta.quality_assurance),
        "prerequisites": local(meta.prerequisites),
        "integrationStackability": local(meta.stackability),
        "furtherInformation": _drop_none({"references": list(meta.references),
                                          "validityYears": meta.validity_years}),
        "passRules": {"overall": meta.pass_rules.overall,
                      "outcomes": dict(meta.pass_rules.outcomes)},
    })


def _identifiers(learner_id: str, learner: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    found = []
    name = (learner or {}).get("name")
    if name:
        found.append({"type": "IdentityObject", "identityType": "name", "hashed": False,
                      "identityHash": str(name)})
    birth = (learner or {}).get("birth_date")
    if birth:
        found.append({"type": "IdentityObject", "identityType": "ext:birthDate",
                      "hashed": False, "identityHash": str(birth)})
    found.append({"type": "IdentityObject", "identityType": "identifier", "hashed": False,
                  "identityHash": learner_id})
    return found


def _rests_on(entry: Demonstration, role: str) -> dict[str, Any]:
    """One result an outcome rests on, named as its evidence entry is (``id``)."""
    urn = prior_urn(entry.source_id) if entry.prior_learning else attempt_urn(entry.source_id)
    return _drop_none({
        "id": urn,
        "role": role,
        "kind": entry.kind,
        "priorLearning": entry.prior_learning,
        "countryCode": entry.context,
        "date": entry.on.isoformat(),
        "value": percent(entry.share),
        "assessorDecision": entry.decision,
        "items": list(entry.items) if role == "bonus" else None,
    })


def _decision(status: str) -> str | None:
    return status if status in ("competent", "not_yet_competent") else None


def results(module: Module, outcomes: Sequence[OutcomeResult],
            total: Overall) -> list[dict[str, Any]]:
    """``credentialSubject.result``: per outcome for the target country, where it was
    demonstrated (``restsOn``: the basis and the bonus attempts, named as in
    ``evidence``), then overall."""
    rows = []
    for row in outcomes:
        cause = row.cause
        rows.append(_drop_none({
            "type": ["Result"],
            "resultDescription": outcome_urn(module, row.id),
            "alignment": [{"type": ["Alignment"], "targetType": "ceasn:Competency",
                           "targetName": row.text or row.id, "targetCode": row.id,
                           "targetUrl": outcome_urn(module, row.id)}],
            "value": percent(row.share),
            "status": OB_STATUS.get(row.status),
            "outcomeStatus": row.status,
            "assessorDecision": _decision(row.status),
            "countryCode": row.target,
            "stacking": row.standing,
            "reason": row.reason,
            "demonstratedBy": source_urn(row.decided_by) if row.decided_by else None,
            "priorLearning": row.decided_by.startswith("prior:") if row.decided_by else None,
            "restsOn": [_rests_on(d, "basis" if d is row.basis else "bonus")
                        for d in row.rests_on],
            "notCounted": {**_rests_on(cause, "cause"), "reasons": list(cause.reasons)}
            if cause else None,
            "differingItems": list(row.differing),
            "missingItems": list(row.missing),
        }))
    rows.append(_drop_none({
        "type": ["Result"], "resultDescription": f"{achievement_id(module)}:overall",
        "value": percent(total.share), "status": OB_STATUS.get(total.status),
        "outcomeStatus": total.status, "assessorDecision": _decision(total.status),
        "countryCode": total.target,
        "demonstratedBy": source_urn(total.decided_by) if total.decided_by else None,
    }))
    return rows


def _assessment(documents: Sequence[Mapping[str, Any]], module: Module,
                total: Overall, language: str) -> dict[str, Any]:
    context = module.context(total.target)
    signature = total.signature or {}
    return _drop_none({
        "signedByAssessor": all(d.get("signatures") for d in documents),
        "unsignedAttempts": [d["attempt"] for d in documents if not d.get("signatures")],
        "context": _drop_none({"countryCode": total.target,
                               "country": country_name(total.target, language),
                               "guideline": context.guideline if context else None}),
        "decision": signature.get("decision"),
        "reason": signature.get("reason"),
        "assessor": signature.get("assessor"),
        "signedAt": signature.get("at"),
        # EU optional element: supervision and identity verification during assessment
        "supervision": signature.get("supervision"),
        "identityVerified": signature.get("identity_checked"),
    })


def prior(record: Mapping[str, Any]) -> dict[str, Any]:
    """A prior-learning record as ``credentialSubject.priorLearning`` lists it."""
    keys = ("id", "outcome_id", "context", "document_type", "issuer", "document_date",
            "reason", "assessor", "recorded_at")
    return _drop_none({key: record.get(key) for key in keys})


def prior_evidence(record: Mapping[str, Any], prior_bytes: bytes) -> dict[str, Any]:
    """The ``Evidence`` entry of one prior-learning record (in ``prior_learning.json``)."""
    return _drop_none({
        "id": prior_urn(str(record["id"])),
        "type": ["Evidence"],
        "name": f"{prior_file.NAME}#{record['id']}",
        "genre": "ext:PriorLearning",
        "priorLearning": True,
        "outcome": record.get("outcome_id"),
        "countryCode": record.get("context"),
        "documentType": record.get("document_type"),
        "documentIssuer": record.get("issuer"),
        "documentDate": record.get("document_date"),
        "assessor": record.get("assessor"),
        "file": prior_file.NAME,
        "digestSRI": digest_sri(prior_bytes),
    })


def attempt_evidence(document: Mapping[str, Any], data: bytes) -> dict[str, Any]:
    """The ``Evidence`` entry of one attempt file; a regraded attempt says which bank
    version it started with and which it is scored with (the bundled one)."""
    name = f"attempts/{document['attempt']}.json"
    started = document.get("module") or {}
    scored = document.get("scored_with") or {}
    regraded = None
    if scored and scored.get("content_hash") != started.get("content_hash"):
        regraded = {"startedWithVersion": started.get("version"),
                    "startedWithContentHash": started.get("content_hash"),
                    "scoredWithVersion": scored.get("version"),
                    "scoredWithContentHash": scored.get("content_hash")}
    return _drop_none({
        "id": attempt_urn(document["attempt"]),
        "type": ["Evidence"],
        "name": name,
        "genre": "ext:ExamAttempt",
        "kind": document.get("kind", "full"),
        "countryCode": document.get("context"),
        "shownLanguage": document.get("locale"),
        "buildsOn": list(document.get("builds_on") or []),
        "regraded": regraded,
        "lastEventHash": document.get("last_hash"),
        "file": name,
        "digestSRI": digest_sri(data),
    })


def build_credential(*, module: Module, documents: Sequence[Mapping[str, Any]],
                     outcomes: Sequence[OutcomeResult], total: Overall,
                     learner: Mapping[str, Any] | None, priors: Sequence[Mapping[str, Any]],
                     issuer: Issuer, issued: date, language: str,
                     files: Mapping[str, bytes]) -> dict[str, Any]:
    """The credential for ``documents`` (attempt documents, oldest first) of one learner;
    ``files`` holds the attempt files and, with ``priors``, ``prior_learning.json``."""
    moment = f"{issued.isoformat()}T00:00:00Z"
    learner_id = str(documents[0]["learner"]["id"])
    closed = [str(d["closed_at"]) for d in documents if d.get("closed_at")]
    evidence = [attempt_evidence(d, files[f"attempts/{d['attempt']}.json"]) for d in documents]
    evidence += [prior_evidence(p, files[prior_file.NAME]) for p in priors]
    credential = {
        "@context": CONTEXTS,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "id": credential_id(issuer, documents, issued),
        "name": _achievement(module, language, issuer).get("name"),
        "issuer": {
            "id": issuer.id, "type": ["Profile"], "name": issuer.name,
            "address": {"type": ["Address"], "addressCountryCode": issuer.country,
                        "addressCountry": country_name(issuer.country, language)},
            "publicKeyFingerprintSha256": issuer.fingerprint,
        },
        "validFrom": moment,
        "awardedDate": moment,
        "validUntil": _valid_until(issued, module.meta.validity_years),
        "credentialSubject": _drop_none({
            "type": ["AchievementSubject"],
            "identifier": _identifiers(learner_id, learner),
            "learnerErased": bool((learner or {}).get("erased_at")) or None,
            "activityStartDate": documents[0].get("started_at"),
            "activityEndDate": max(closed) if closed else None,
            "creditsEarned": module.meta.workload.ects if total.status == "competent" else None,
            "achievement": _achievement(module, language, issuer),
            "result": results(module, outcomes, total),
            "assessment": _assessment(documents, module, total, language),
            "priorLearning": [prior(p) for p in priors],
        }),
        "evidence": evidence,
        "mqexamBundleFormat": BUNDLE_FORMAT,
    }
    return _drop_none(credential)
