"""``attempts/<id>.json``: one attempt exactly as the learner sat it, for the authority.

Called by the export (to write the file) and the verifier (to recompute what the
file must say from its own event log and the bundle's bank). Owns the file's
shape: :func:`~mqexam.exam.report.attempt_report` (every item as shown, the
answer with its time, the key, scores per item and outcome, the full event
chain, the form seed) plus, per item, its translation notes, the date its
country-specific facts were verified, a practical item's checklist, and, where
the learner read another language than the report's, the item re-resolved in
the report's language from the same bank version.

Everything here follows from the events and the bank except the learner's name
and the few labels :func:`attempt_report` translates (``summary`` and each
outcome's ``verdict``): :func:`neutral` leaves those out, so a verifier with
other catalogs still compares like with like.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.exam.events import Event
from mqexam.exam.form import Form, FormItem, form_from_manifest
from mqexam.exam.present import answer_lines, key_lines
from mqexam.exam.report import attempt_report

FORMAT = "mqexam-attempt/1"


def _form(module: Module, start: Mapping[str, Any], locale: str) -> Form | None:
    try:
        return form_from_manifest(module, str(start["context"]), locale, start["form"])
    except (MqexamError, KeyError, TypeError, AttributeError):
        return None


def _in_language(item: FormItem, answer: Any) -> dict[str, Any]:
    return {
        "locale": item.locale,
        "text": item.text,
        "options": [c.text for c in item.options],
        "left": [c.text for c in item.left],
        "right": [c.text for c in item.right],
        "answer": answer_lines(item, answer),
        "key": key_lines(item),
        "why": item.why,
        "notes": item.notes,
    }


def _extras(module: Module, shown: FormItem, in_report: FormItem | None, context: str,
            answer: Any) -> dict[str, Any]:
    bank_item = module.item(shown.id)
    extra: dict[str, Any] = {
        "notes": shown.notes,
        "country_specific": context in bank_item.context,
        "verified_on": shown.verified_on.isoformat() if shown.verified_on else None,
        "left": [c.text for c in shown.left],
        "right": [c.text for c in shown.right],
        "criteria": [{"id": cid, "text": text, "required": required}
                     for cid, text, required in shown.criteria],
    }
    if in_report is not None and in_report.locale != shown.locale:
        extra["in_report_language"] = _in_language(in_report, answer)
    return extra


def attempt_document(events: Sequence[Event], module: Module,
                     learner: Mapping[str, Any] | None, report_language: str) -> dict[str, Any]:
    """The attempt's JSON document; labels in the current language (the report's, at export)."""
    ordered = sorted(events, key=lambda e: e.seq)
    document = attempt_report(list(ordered), [module], learner)
    start = ordered[0].payload
    document["format"] = FORMAT
    document["report_locale"] = report_language
    shown_form = _form(module, start, str(start.get("locale")))
    report_form = _form(module, start, report_language)
    document["report_language_available"] = report_form is not None
    if shown_form is None:
        return document
    answers = {item["id"]: item.get("answer_raw") for item in document["items"]}
    for entry, shown in zip(document["items"], shown_form.items, strict=True):
        in_report = report_form.item(shown.id) if report_form is not None else None
        entry.update(_extras(module, shown, in_report, str(start["context"]),
                             answers.get(shown.id)))
    return document


def neutral(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` without what depends on the catalogs or on the learner record."""
    copy = {key: value for key, value in document.items() if key != "summary"}
    learner = document.get("learner")
    copy["learner"] = {"id": learner.get("id")} if isinstance(learner, Mapping) else learner
    outcomes = document.get("outcomes")
    if isinstance(outcomes, list):
        copy["outcomes"] = [
            {k: v for k, v in row.items() if k != "verdict"} if isinstance(row, Mapping) else row
            for row in outcomes
        ]
    return copy


def events_of(document: Mapping[str, Any]) -> list[Event]:
    """The event log stored in an attempt document; ``ValueError`` when it is malformed."""
    raw = document.get("events")
    if not isinstance(raw, list) or not raw:
        raise ValueError("no events")
    events = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            raise ValueError("an event is not an object")
        fields = (entry.get("attempt"), entry.get("seq"), entry.get("kind"), entry.get("at"),
                  entry.get("payload"), entry.get("prev"), entry.get("hash"))
        attempt, seq, kind, at, payload, prev, digest = fields
        if not (isinstance(attempt, str) and isinstance(seq, int) and not isinstance(seq, bool)
                and isinstance(kind, str) and isinstance(at, str)
                and isinstance(payload, Mapping) and isinstance(prev, str)
                and isinstance(digest, str)):
            raise ValueError("an event is malformed")
        events.append(Event(attempt, seq, kind, at, dict(payload), prev, digest))
    return events
