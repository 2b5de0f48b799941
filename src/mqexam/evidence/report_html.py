"""``report.html``: the record an authority reads, in its own language, on screen or paper.

Called by the export, inside the report's language. Owns the page: one
self-contained HTML file (inline CSS, no scripts, no fonts, no images, no links
out; a Content-Security-Policy forbids loading anything) with the learner, the
micro-credential's EU elements, the assessor's decision, results per outcome,
every item as the learner saw it with the answer and the key (beside the report
language when the learner read another), translation notes and sources of
country-specific items, and how to verify the bundle. Every interface string
goes through ``_``; texts from the bank come in the languages the bank has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from mqexam.bank.model import Module
from mqexam.bank.resolve import pick_locale
from mqexam.evidence import prior_file
from mqexam.evidence.credential import Issuer
from mqexam.evidence.keys import grouped
from mqexam.evidence.outcomes import OutcomeResult, Overall
from mqexam.evidence.readme import FINGERPRINT, HASH_MODULE, VERIFY_SIGNATURE, VERIFY_SUMS
from mqexam.exam.attempt import parse_time
from mqexam.exam.profile import Demonstration
from mqexam.exam.report import label
from mqexam.i18n import (
    N_,
    _,
    country_name,
    fallback_chain,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    language_name,
    ngettext,
)

STATUS = {
    "competent": N_("competent"),
    "not_yet_competent": N_("not yet competent"),
    "provisional": N_("provisional: not signed by an assessor"),
    "awaiting_review": N_("awaiting assessor"),
    "expired": N_("expired: no longer valid on the date of issue"),
    "not_assessed": N_("not assessed in these attempts"),
}
SUPERVISION = {
    "unsupervised": N_("unsupervised"),
    "supervised_online": N_("supervised online"),
    "supervised_on_site": N_("supervised on site"),
}
ITEM_TYPES = {
    "single": N_("one answer"),
    "multiple": N_("several answers"),
    "order": N_("steps in order"),
    "text": N_("typed answer"),
    "match": N_("matching"),
    "practical": N_("observed practical task"),
}
KINDS = {"full": N_("full exam"), "bonus": N_("bonus exam")}

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #111; background: #fff; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: .2rem 0; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 2px solid #333; } h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .8rem; color: #444; }
dl.facts { display: grid; grid-template-columns: 14rem 1fr; gap: .25rem 1rem; margin: .5rem 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid #999; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #eee; }
.banner { border: 4px solid #b00020; background: #fde7ea; color: #5c000d; padding: .8rem 1rem;
          margin: 1rem 0; font-weight: 600; }
.banner strong { font-size: 1.3rem; display: block; letter-spacing: .04em; }
.decision { border: 2px solid #333; padding: .6rem 1rem; margin: .6rem 0; }
.item { border: 1px solid #bbb; border-radius: 4px; padding: .5rem .8rem; margin: .8rem 0; }
.item header { display: flex; flex-wrap: wrap; gap: .3rem 1rem; font-size: .9rem; color: #333; }
.item header .score { margin-left: auto; font-weight: 600; }
.langs { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.langs > div { border-left: 3px solid #ccc; padding-left: .6rem; }
.lang { font-size: .8rem; color: #555; text-transform: uppercase; }
.stem { font-weight: 600; margin: .3rem 0; }
.answer, .key { margin: .2rem 0; } .label { font-weight: 600; }
.badge { border: 1px solid #555; border-radius: 3px; padding: 0 .3rem; font-size: .8rem; }
.notes { font-size: .9rem; color: #333; }
code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", Consolas, monospace;
              font-size: .85rem; overflow-wrap: anywhere; }
pre { background: #f4f4f4; padding: .5rem; white-space: pre-wrap; overflow-wrap: anywhere; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .item, .decision, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { size: A4; margin: 16mm 14mm; }
"""


@dataclass(frozen=True)
class ReportInput:
    module: Module
    documents: Sequence[Mapping[str, Any]]
    outcomes: Sequence[OutcomeResult]
    total: Overall
    learner: Mapping[str, Any] | None
    learner_id: str
    priors: Sequence[Mapping[str, Any]]
    issuer: Issuer
    issued: date
    language: str
    unsigned: Sequence[str]


def e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _when(value: str | None, language: str) -> str:
    if not value:
        return "–"
    try:
        return format_datetime(parse_time(value), language) + " UTC"
    except ValueError:
        return value


def _number(value: float | None, language: str) -> str:
    return "–" if value is None else format_number(value, language)


def _facts(rows: Sequence[tuple[str, str | None]]) -> str:
    """A definition list; values are HTML already, rows without a value are left out."""
    body = "".join(f"<dt>{e(name)}</dt><dd>{value}</dd>" for name, value in rows if value)
    return f'<dl class="facts">{body}</dl>'


def _lines(lines: Sequence[str]) -> str:
    if not lines:
        return "<em>" + e(_("(no answer)")) + "</em>"
    if len(lines) == 1:
        return e(lines[0])
    return "<br>".join(e(line) for line in lines)


class _Page:
    def __init__(self, data: ReportInput) -> None:
        self.data = data
        self.language = data.language
        meta = data.module.meta
        self.chain = fallback_chain(self.language, meta.fallback, meta.languages)

    def local(self, texts: Mapping[str, str]) -> str:
        return pick_locale(texts, self.chain)[0]

    def outcome_name(self, outcome_id: str) -> str:
        for outcome in self.data.module.meta.outcomes:
            if outcome.id == outcome_id:
                return self.local(outcome.text)
        return outcome_id

    def learner_name(self) -> str:
        learner = self.data.learner or {}
        if learner.get("name"):
            return str(learner["name"])
        return self.data.learner_id

    # -- page parts ------------------------------------------------------------

    def render(self) -> str:
        data = self.data
        title = self.local(data.module.meta.title)
        csp = "default-src 'none'; style-src 'unsafe-inline'"
        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{e(self.language)}">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{e(title)} – {e(self.learner_name())}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            self.header(title),
            self.banner(),
            self.learner_section(),
            self.decision_section(),
            self.outcomes_section(),
            self.prior_section(),
            self.credential_section(title),
            *(self.attempt_section(document) for document in data.documents),
            self.verify_section(),
            "</body>",
            "</html>",
            "",
        ]
        return "\n".join(parts)

    def header(self, title: str) -> str:
        data = self.data
        kicker = _("Evidence of assessment")
        line = _("{learner} · issued by {body} ({country}) on {date}").format(
            learner=self.learner_name(), body=data.issuer.name,
            country=country_name(data.issuer.country, self.language),
            date=format_date(data.issued, self.language))
        return (f'<header><p class="kicker">{e(kicker)}</p><h1>{e(title)}</h1>'
                f"<p>{e(line)}</p></header>")

    def banner(self) -> str:
        if not self.data.unsigned:
            return ""
        strong = _("NOT SIGNED BY AN ASSESSOR")
        text = _("Attempt(s) {ids} were exported without an assessor's sign-off. The results "
                 "below are provisional and are not evidence of competence.").format(
                     ids=", ".join(self.data.unsigned))
        return (f'<div class="banner" role="alert" id="unsigned"><strong>{e(strong)}</strong>'
                f"{e(text)}</div>")

    def learner_section(self) -> str:
        learner = self.data.learner or {}
        name = e(learner["name"]) if learner.get("name") else None
        if learner.get("erased_at"):
            name = "<em>" + e(_("erased at the learner's request")) + "</em>"
        birth = learner.get("birth_date")
        rows = [
            (_("Name"), name),
            (_("Date of birth"), e(birth) if birth else None),
            (_("Learner id"), f'<span class="hash">{e(self.data.learner_id)}</span>'),
        ]
        heading = _("Learner")
        return f'<section id="learner"><h2>{e(heading)}</h2>{_facts(rows)}</section>'

    def status(self, code: object) -> str:
        text = str(code)
        return _(STATUS[text]) if text in STATUS else text

    def signature_block(self, document: Mapping[str, Any], signature: Mapping[str, Any],
                        in_force: bool) -> str:
        supervision = signature.get("supervision")
        identity = signature.get("identity_checked")
        supervised = _(SUPERVISION[supervision]) if supervision in SUPERVISION else supervision
        checked = None if identity is None else (_("yes") if identity else _("no"))
        decision = self.status(signature.get("decision"))
        rows = [
            (_("Decision"), f"<strong>{e(decision)}</strong>"),
            (_("Reason"), e(signature.get("reason"))),
            (_("Assessor"), e(signature.get("assessor"))),
            (_("Signed"), e(_when(signature.get("at"), self.language))),
            (_("Supervision"), e(supervised)),
            (_("Identity verified"), e(checked)),
            (_("Attempt"), f'<span class="hash">{e(document["attempt"])}</span>'),
        ]
        outcomes = signature.get("outcomes") or {}
        if outcomes:
            listed = "".join(f"<li>{e(self.outcome_name(o))}: {e(self.status(d))}</li>"
                             for o, d in outcomes.items())
            rows.append((_("Per outcome"), f"<ul>{listed}</ul>"))
        note = ""
        if not in_force:
            note = "<p><em>" + e(_("Superseded by a later signature.")) + "</em></p>"
        return f'<div class="decision">{note}{_facts(rows)}</div>'

    def decision_section(self) -> str:
        data = self.data
        heading = _("Assessor's decision")
        in_force = _("Decision in force:")
        decision = (data.total.signature or {}).get("decision") or "provisional"
        parts = [f'<section id="decision"><h2>{e(heading)}</h2>',
                 f"<p>{e(in_force)} <strong>{e(self.status(decision))}</strong></p>"]
        for document in data.documents:
            signatures = document.get("signatures") or []
            if not signatures:
                text = _("Attempt {id} is not signed by an assessor.").format(
                    id=document["attempt"])
                parts.append(f'<p class="banner">{e(text)}</p>')
            for index, signature in enumerate(signatures):
                parts.append(self.signature_block(document, signature,
                                                  index == len(signatures) - 1))
        parts.append("</section>")
        return "".join(parts)

    def country(self, code: str | None) -> str:
        """A country by name in the report's language, or every country (prior learning)."""
        return country_name(code, self.language) if code else _("every country")

    def prior_line(self, record: Mapping[str, Any]) -> str:
        return _("prior learning {id}: {document} from {issuer}, {date}; {reason} "
                 "(assessor {assessor})").format(
            id=record.get("id"), document=record.get("document_type"),
            issuer=record.get("issuer"), date=record.get("document_date"),
            reason=record.get("reason"), assessor=record.get("assessor"))

    def shown(self, entry: Demonstration) -> str:
        """Where and when ``entry`` showed the outcome, as a clause."""
        day = format_date(entry.on, self.language)
        if entry.prior_learning:
            return _("recognised as prior learning for {country} on {date} ({source}: "
                     "{document}, {issuer})").format(
                country=self.country(entry.context), date=day, source=entry.describe_source(),
                document=entry.record.get("document_type"), issuer=entry.record.get("issuer"))
        return _("demonstrated on {date} in the context of {country} ({source})").format(
            date=day, country=self.country(entry.context), source=entry.describe_source())

    def stacking(self, row: OutcomeResult) -> str:
        """How the outcome's result for the credential's country came about, in a sentence."""
        target = self.country(row.target)
        if row.standing == "demonstrated":
            if row.basis is not None:
                return self.shown(row.basis)
            return _("every item demonstrated for {country}: {sources}").format(
                country=target, sources="; ".join(self.shown(b) for b in row.bonus))
        parts = [self.shown(row.basis)] if row.basis is not None else []
        if row.standing == "stacked" and not row.bonus:
            parts.append(_("nothing that is examined differs for {country}").format(
                country=target))
        for bonus in row.bonus:
            parts.append(_("country-specific items for {country} demonstrated on {date} "
                           "({source})").format(country=target,
                                                date=format_date(bonus.on, self.language),
                                                source=bonus.describe_source()))
        if row.standing == "needed":
            n = len(row.missing)
            if row.basis is not None and n:
                parts.append(ngettext("{n} item that differs for {country} is not demonstrated",
                                      "{n} items that differ for {country} are not demonstrated",
                                      n).format(n=n, country=target))
            elif n and row.bonus:
                parts.append(ngettext("{n} item for {country} is not demonstrated",
                                      "{n} items for {country} are not demonstrated",
                                      n).format(n=n, country=target))
            if row.cause is not None:
                parts.append(row.cause.reason_text())
        return "; ".join(parts) or _(STATUS["not_assessed"])

    def evidence_lines(self, row: OutcomeResult) -> list[str]:
        """Every result for the outcome in the bundle, oldest first, and whether it counts."""
        lang = self.language
        lines = []
        for entry in row.results:
            verdict = (_("counts") if entry.counts else
                       _("does not count: {reason}").format(reason=entry.reason_text()))
            if entry.prior_learning:
                lines.append(f"{self.prior_line(entry.record)} – {verdict}")
                continue
            kind = _(KINDS[entry.kind]) if entry.kind in KINDS else entry.kind
            lines.append(_("attempt {id} ({kind}, {country}): {points} of {max} points, "
                           "{share} {verdict}").format(
                id=entry.source_id, kind=kind, country=self.country(entry.context),
                points=_number(entry.points, lang), max=_number(entry.max_points, lang),
                share=format_percent(entry.share or 0, lang), verdict=f"– {verdict}"))
        return lines

    def outcomes_section(self) -> str:
        lang = self.language
        data = self.data
        names = (_("Learning outcome"), _("Result"), _("Where it was demonstrated"))
        head = "<tr>" + "".join(f"<th>{e(n)}</th>" for n in names) + "</tr>"
        rows = []
        for row in data.outcomes:
            details = "".join(f"<br>{e(line)}" for line in self.evidence_lines(row))
            rows.append(f'<tr class="outcome" id="outcome-{e(row.id)}"><td>{e(row.text)}</td>'
                        f"<td><strong>{e(self.status(row.status))}</strong></td>"
                        f'<td><p class="stacking">{e(self.stacking(row))}</p>'
                        f'<span class="notes">{details.removeprefix("<br>")}</span></td></tr>')
        total = data.total
        result = _("Result for {country}: {status}").format(
            country=self.country(total.target), status=self.status(total.status))
        intro = ""
        if any(row.standing == "stacked" for row in data.outcomes):
            intro = "<p>" + e(_("Results from another country count for {country} where what "
                                "is examined is the same; what differs was examined for "
                                "{country} in a bonus exam.").format(
                                    country=self.country(total.target))) + "</p>"
        grade = ""
        if total.share is not None:
            source = (total.decided_by or "").partition(":")[2]
            text = _("Grade achieved (attempt {id}): {points} of {max} points ({share})").format(
                id=source, points=_number(total.points, lang),
                max=_number(total.max_points, lang), share=format_percent(total.share, lang))
            grade = f"<p>{e(text)}</p>"
        heading = _("Learning outcomes and results")
        return (f'<section id="outcomes"><h2>{e(heading)}</h2>'
                f"<p><strong>{e(result)}</strong></p>{intro}"
                f"<table>{head}{''.join(rows)}</table>{grade}</section>")

    def prior_section(self) -> str:
        priors = self.data.priors
        if not priors:
            return ""
        names = (_("Prior learning"), _("Learning outcome"), _("Country"), _("Recorded"))
        head = "<tr>" + "".join(f"<th>{e(n)}</th>" for n in names) + "</tr>"
        rows = "".join(
            f"<tr><td>{e(self.prior_line(record))}</td>"
            f"<td>{e(self.outcome_name(str(record.get('outcome_id'))))}</td>"
            f"<td>{e(self.country(record.get('context')))}</td>"
            f"<td>{e(_when(record.get('recorded_at'), self.language))}</td></tr>"
            for record in priors)
        heading = _("Prior learning (RKV)")
        intro = _("Recognised by an assessor from the learner's documents, not by an exam "
                  "attempt. The records are in the file {file}.").format(file=prior_file.NAME)
        return (f'<section id="prior-learning"><h2>{e(heading)}</h2><p>{e(intro)}</p>'
                f"<table>{head}{rows}</table></section>")

    def credential_section(self, title: str) -> str:
        data = self.data
        meta = data.module.meta
        lang = self.language
        workload = _("{hours} hours").format(hours=format_number(meta.workload.hours, lang))
        if meta.workload.ects is not None:
            ects = _("{ects} ECTS").format(ects=format_number(meta.workload.ects, lang))
            workload = f"{workload} ({ects})"
        valid = None
        if meta.validity_years:
            valid = e(_("{years} years from the date of issue").format(years=meta.validity_years))
        further = e(self.local(meta.description)) if meta.description else ""
        if meta.references:
            further += "<ul>" + "".join(f"<li>{e(r)}</li>" for r in meta.references) + "</ul>"
        outcomes = "".join(f"<li>{e(self.local(o.text))}</li>" for o in meta.outcomes)
        level = _("EQF level {level}").format(level=meta.eqf_level)
        rows = [
            (_("Title"), e(title)),
            (_("Awarding body"), e(data.issuer.name)),
            (_("Country of the issuer"), e(country_name(data.issuer.country, lang))),
            (_("Date of issue"), e(format_date(data.issued, lang))),
            (_("Learning outcomes"), f"<ul>{outcomes}</ul>"),
            (_("Notional workload"), e(workload)),
            (_("Level"), e(level)),
            (_("Type of assessment"), e(self.local(meta.assessment_type))),
            (_("Form of participation"), e(self.local(meta.participation))),
            (_("Quality assurance"), e(self.local(meta.quality_assurance))),
            (_("Prerequisites"), e(self.local(meta.prerequisites)) or None),
            (_("Integration and stackability"), e(self.local(meta.stackability)) or None),
            (_("Validity"), valid),
            (_("Further information"), further or None),
            (_("Country context"), e(self.context_line(data.total.target))),
            (_("Module and version"), e(f"{meta.id} {meta.version}")),
            (_("Content hash of the bank version"),
             f'<span class="hash">{e(data.module.content_hash)}</span>'),
        ]
        heading = _("The micro-credential")
        return f'<section id="credential"><h2>{e(heading)}</h2>{_facts(rows)}</section>'

    def context_line(self, code: str) -> str:
        context = self.data.module.context(code)
        line = f"{country_name(code, self.language)} ({code})"
        return f"{line}: {context.guideline}" if context and context.guideline else line

    # -- attempts ----------------------------------------------------------------

    def scored_with(self, document: Mapping[str, Any]) -> str | None:
        """A regraded attempt's bank versions: started with one, scored with the bundled one."""
        started = document.get("module") or {}
        scored = document.get("scored_with") or {}
        if not scored or scored.get("content_hash") == started.get("content_hash"):
            return None
        return e(_("version {version} ({hash}) after a regrade; the attempt started with "
                   "version {started} ({started_hash}). This bundle holds the version it is "
                   "scored with.").format(
                       version=scored.get("version"), hash=scored.get("content_hash"),
                       started=started.get("version"),
                       started_hash=started.get("content_hash")))

    def attempt_section(self, document: Mapping[str, Any]) -> str:
        lang = self.language
        code = str(document["context"])
        context = self.data.module.context(code)
        shown = str(document.get("locale"))
        result = document.get("result") or {}
        kind = str(document.get("kind"))
        extensions = "".join(
            "<li>" + e(_("{minutes} minutes: {reason} ({assessor})").format(
                minutes=x.get("minutes"), reason=x.get("reason"), assessor=x.get("assessor")))
            + "</li>" for x in document.get("extensions") or [])
        score = None
        if result:
            score = e(_("{points} of {max} points ({share})").format(
                points=_number(result.get("points"), lang),
                max=_number(result.get("max_points"), lang),
                share=format_percent(result.get("share") or 0, lang)))
        guideline = context.guideline if context else None
        about = self.local(context.notes) if context and context.notes else None
        rows = [
            (_("Attempt"), f'<span class="hash">{e(document["attempt"])}</span>'),
            (_("Kind"), e(_(KINDS[kind]) if kind in KINDS else kind)),
            (_("Country context"), e(f"{country_name(code, lang)} ({code})")),
            (_("Guideline followed"), e(guideline) or None),
            (_("About this country"), e(about) or None),
            (_("Language shown to the learner"), e(language_name(shown, lang))),
            (_("Started"), e(_when(document.get("started_at"), lang))),
            (_("Closed"), e(_when(document.get("closed_at"), lang))),
            (_("Status"), e(label(str(document.get("status"))))),
            (_("Extra time"), f"<ul>{extensions}</ul>" if extensions else None),
            (_("Builds on"), e(", ".join(document.get("builds_on") or [])) or None),
            (_("Scored with bank version"), self.scored_with(document)),
            (_("Score"), score),
            (_("Form seed"), f'<span class="hash">{e(document.get("seed"))}</span>'),
            (_("Events in the hash chain"), e(len(document.get("events") or []))),
            (_("Last event hash"), f'<span class="hash">{e(document.get("last_hash"))}</span>'),
        ]
        items = "".join(self.item(document, item) for item in document.get("items") or [])
        heading = _("Attempt {id}").format(id=document["attempt"])
        subheading = _("Every item as the learner saw it")
        return (f'<section class="attempt"><h2>{e(heading)}</h2>{_facts(rows)}'
                f"<h3>{e(subheading)}</h3>{items}</section>")

    def column(self, locale: str, view: Mapping[str, Any], answer: Sequence[str],
               practical: bool = False) -> str:
        language = language_name(locale, self.language)
        parts = [f'<div lang="{e(locale)}"><p class="lang">{e(language)}</p>'
                 f'<p class="stem">{e(view.get("text"))}</p>']
        options = view.get("options") or []
        if options:
            listed = "".join(f"<li>{e(o)}</li>" for o in options)
            parts.append(f'<ol type="a">{listed}</ol>')
        left, right = view.get("left") or [], view.get("right") or []
        if left or right:
            cells = "".join("<td><ul>" + "".join(f"<li>{e(x)}</li>" for x in side)
                            + "</ul></td>" for side in (left, right))
            parts.append(f"<table><tr>{cells}</tr></table>")
        if practical:
            checklist = _("Checklist:")
            parts.append(f'<p class="key"><span class="label">{e(checklist)}</span> '
                         f"{_lines(view.get('key') or [])}</p>")
        else:
            answer_label, key_label = _("Learner's answer:"), _("Key:")
            parts.append(f'<p class="answer"><span class="label">{e(answer_label)}</span> '
                         f"{_lines(answer)}</p>")
            parts.append(f'<p class="key"><span class="label">{e(key_label)}</span> '
                         f"{_lines(view.get('key') or [])}</p>")
        if view.get("why"):
            why_label = _("Why:")
            parts.append(f'<p class="notes"><span class="label">{e(why_label)}</span> '
                         f"{e(view['why'])}</p>")
        parts.append("</div>")
        return "".join(parts)

    def practical(self, document: Mapping[str, Any], item: Mapping[str, Any]) -> str:
        grade = (document.get("grades") or {}).get(item["id"])
        if not grade:
            return "<p><em>" + e(_("Not graded yet by an assessor.")) + "</em></p>"
        met = grade.get("criteria") or {}
        other = (item.get("in_report_language") or {}).get("key") or []
        rows = []
        for index, criterion in enumerate(item.get("criteria") or []):
            text = e(criterion.get("text"))
            if index < len(other) and other[index] != criterion.get("text"):
                text += f"<br><em>{e(other[index])}</em>"
            required = _("required") if criterion.get("required") else _("optional")
            observed = _("met") if met.get(criterion.get("id")) else _("not met")
            rows.append(f"<tr><td>{text}</td><td>{e(required)}</td>"
                        f"<td><strong>{e(observed)}</strong></td></tr>")
        comment = ""
        if grade.get("comment"):
            comment_label = _("Assessor's comment:")
            comment = (f'<p><span class="label">{e(comment_label)}</span> '
                       f"{e(grade.get('comment'))} ({e(grade.get('assessor'))})</p>")
        names = (_("Criterion"), "", _("Observed"))
        head = "<tr>" + "".join(f"<th>{e(n)}</th>" for n in names) + "</tr>"
        return f"<table>{head}{''.join(rows)}</table>{comment}"

    def item(self, document: Mapping[str, Any], item: Mapping[str, Any]) -> str:
        lang = self.language
        code = str(document["context"])
        kind = str(item.get("type"))
        score = ""
        if item.get("score") is not None:
            score = _("{points} of {max} points").format(
                points=_number(item.get("score"), lang), max=_number(item.get("max"), lang))
        outcomes = _("Outcomes: {outcomes}").format(outcomes=", ".join(
            self.outcome_name(o) for o in item.get("outcomes") or []))
        type_name = _(ITEM_TYPES[kind]) if kind in ITEM_TYPES else kind
        header = [
            f"<span>{e(item.get('position'))}. <code>{e(item.get('id'))}</code></span>",
            f"<span>{e(type_name)}</span>",
            f"<span>{e(outcomes)}</span>",
        ]
        if item.get("country_specific"):
            badge = _("specific to {country}").format(country=country_name(code, lang))
            header.append(f'<span class="badge">{e(badge)}</span>')
        if item.get("flagged"):
            flagged = _("flagged by the learner")
            header.append(f'<span class="badge">{e(flagged)}</span>')
        status = label(str(item.get("status")))
        header.append(f'<span class="score">{e(score)} {e(status)}</span>')
        practical = kind == "practical"
        shown = self.column(str(item.get("locale")), item, item.get("answer") or [], practical)
        other = item.get("in_report_language")
        body = shown
        if other:
            translated = self.column(str(other.get("locale")), other, other.get("answer") or [],
                                     practical)
            body = f'<div class="langs">{shown}{translated}</div>'
        if practical:
            body += self.practical(document, item)
        extra = []
        if item.get("answered_at"):
            extra.append(_("Answered: {when}").format(when=_when(item["answered_at"], lang)))
        references = item.get("references") or []
        if references:
            extra.append(_("Sources: {references}").format(references="; ".join(references)))
        notes = [n for n in (item.get("notes"), (other or {}).get("notes")) if n]
        for note in dict.fromkeys(notes):
            extra.append(_("Translation note: {note}").format(note=note))
        if item.get("country_specific") and item.get("verified_on"):
            verified = format_date(date.fromisoformat(str(item["verified_on"])), lang)
            extra.append(_("Country-specific facts verified on {date}").format(date=verified))
        notes_html = ""
        if extra:
            notes_html = '<p class="notes">' + "<br>".join(e(x) for x in extra) + "</p>"
        return (f'<article class="item"><header>{"".join(header)}</header>{body}'
                f"{notes_html}</article>")

    # -- verification ------------------------------------------------------------

    def verify_section(self) -> str:
        data = self.data
        commands = "\n".join(f"$ {c}" for c in (VERIFY_SUMS, VERIFY_SIGNATURE, FINGERPRINT,
                                                HASH_MODULE))
        heading = _("How to verify this record")
        intro = _("This report is one file of a signed bundle. The fingerprint of the issuer "
                  "key that signed it is:")
        compare = _("Compare it with the fingerprint {body} publishes: a key inside the bundle "
                    "alone proves that nothing was changed after signing, not who signed.")\
            .format(body=data.issuer.name)
        steps = _("In the unpacked bundle, these commands check every file, the signature, the "
                  "key and the bank version (README.txt explains each):")
        tool = _("With mqexam, 'mqexam evidence verify BUNDLE.zip --fingerprint FP' also "
                 "recomputes every attempt's event chain and scores.")
        return (f'<section id="verify"><h2>{e(heading)}</h2><p>{e(intro)}</p>'
                f'<p class="hash"><strong>{e(grouped(data.issuer.fingerprint))}</strong></p>'
                f"<p>{e(compare)}</p><p>{e(steps)}</p><pre>{e(commands)}</pre>"
                f"<p>{e(tool)}</p></section>")


def render_report(data: ReportInput) -> bytes:
    """The report as UTF-8 HTML, in the current language (the report's)."""
    return _Page(data).render().encode()
