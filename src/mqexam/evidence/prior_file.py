"""``prior_learning.json``: the learner's prior-learning (RKV) records for the module.

Called by the export (to write the file when the learner has records) and the
verifier (to read them back: the stacked results per outcome are recomputed
from them and the attempt files). Owns the file's shape: ``format``, the
learner and module it is about, and every record as the assessor recorded it
(``docs/events.md``: id, learner, module, outcome, country or none for every
country, document type, issuer, document date, reason, assessor, recorded at),
oldest first. A record is prior learning, never an attempt: the credential, the
report and the README name it so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mqexam.i18n import _
from mqexam.store.prior import FIELDS

NAME = "prior_learning.json"
FORMAT = "mqexam-prior-learning/1"
KEYS = ("id", *FIELDS)
REQUIRED = tuple(key for key in KEYS if key != "context")


def prior_document(learner_id: str, module_id: str,
                   records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The file's document for ``records`` (as :func:`mqexam.store.prior.prior_records`
    reads them)."""
    return {
        "format": FORMAT,
        "learner": learner_id,
        "module": module_id,
        "records": [{key: record.get(key) for key in KEYS} for record in records],
    }


def records_of(document: object, learner_id: str, module_id: str) -> list[dict[str, Any]]:
    """The records of a parsed file; ``ValueError`` naming what is wrong with it."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise ValueError(_("not a list of prior-learning records ({format})").format(
            format=FORMAT))
    if document.get("learner") != learner_id or document.get("module") != module_id:
        raise ValueError(_("it is about another learner or module"))
    records = document.get("records")
    if not isinstance(records, list):
        raise ValueError(_("it holds no list of records"))
    found = []
    for record in records:
        if not isinstance(record, Mapping) or set(record) != set(KEYS):
            raise ValueError(_("a record is malformed"))
        if any(not isinstance(record[key], str) or not record[key] for key in REQUIRED) or \
                not isinstance(record["context"], str | None):
            raise ValueError(_("a record is malformed"))
        if record["learner_id"] != learner_id or record["module_id"] != module_id:
            raise ValueError(_("a record is of another learner or module"))
        found.append(dict(record))
    return found
