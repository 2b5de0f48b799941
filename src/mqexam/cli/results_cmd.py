"""``mqexam results ...``: list, show, verify and merge attempts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from mqexam.cli import Settings, emit_json, pass_settings
from mqexam.errors import MqexamError
from mqexam.i18n import _

LIFECYCLES = ("in_progress", "submitted", "expired", "signed", "voided")
DERIVED = ("awaiting_review", "passed", "failed")
"""Statuses read from the latest result summary (mqexam.store.status)."""


@click.group("results", help=_("List, show, verify and merge recorded attempts."))
def command() -> None:
    pass


def open_results(settings: Settings, must_exist: bool = True) -> Any:
    from mqexam.store import open_store

    if must_exist and not settings.db.exists():
        raise MqexamError(_("no results database at {path}").format(path=settings.db))
    return open_store(settings.db)


@command.command("list", help=_("List attempts, newest first."))
@click.option("--learner", help=_("Only this learner's attempts."))
@click.option("--module", help=_("Only this module."))
@click.option("--context", help=_("Only this country (e.g. DK)."))
@click.option("--status", type=click.Choice(LIFECYCLES + DERIVED),
              help=_("Only attempts in this state."))
@click.option("--since", metavar="DATE", help=_("Started on or after DATE (YYYY-MM-DD)."))
@click.option("--until", metavar="DATE", help=_("Started before DATE (YYYY-MM-DD)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def list_attempts(settings: Settings, learner: str | None, module: str | None,
                  context: str | None, status: str | None, since: str | None,
                  until: str | None, as_json: bool) -> None:
    from mqexam.cli import parse_day
    from mqexam.exam.report import label

    for value in (since, until):
        if value:
            parse_day(value)
    with open_results(settings) as store:
        if status in DERIVED:
            from mqexam.store.status import attempt_statuses

            rows = [listed.row for listed in attempt_statuses(
                store, learner=learner, module=module,
                context=context.upper() if context else None, since=since, until=until,
                status=status)]
        else:
            rows = store.attempts(learner=learner, module=module,
                                  context=context.upper() if context else None,
                                  lifecycle=status, since=since, until=until)
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    if not rows:
        click.echo(_("No attempts."))
    for r in rows:
        click.echo(f"{r.id}  {r.started_at[:16].replace('T', ' ')}  {r.learner_id}  "
                   f"{r.module_id} {r.module_version}  {r.context}/{r.locale}  {r.kind}  "
                   f"{label(r.lifecycle)}")


@command.command("show", help=_("Show one attempt: every item as shown, answer, score."))
@click.argument("attempt_id", metavar="ATTEMPT")
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def show(settings: Settings, attempt_id: str, as_json: bool) -> None:
    from mqexam.bank.loader import load_bank
    from mqexam.bank_archive import with_archive
    from mqexam.exam.events import verify_chain
    from mqexam.exam.report import attempt_report, label

    with open_results(settings) as store:
        events = store.events(attempt_id)
        if not events:
            raise MqexamError(_("no attempt '{id}'").format(id=attempt_id))
        learner = store.learner(str(events[0].payload.get("learner", "")))
        modules = with_archive(store, load_bank(settings.banks).modules)
    problems = [p.render() for p in verify_chain(attempt_id, events)]
    report = attempt_report(events, modules, learner)
    report["chain_problems"] = problems
    for problem in problems:
        click.echo(_("warning: this attempt's chain does not verify: {problem}").format(
            problem=problem), err=True)
    if as_json:
        emit_json(report)
        return
    click.echo(_("Attempt {id}").format(id=report["attempt"]))
    for name, value in report["summary"]:
        click.echo(f"  {name}: {value}")
    for item in report["items"]:
        click.echo("")
        click.echo(f"{item['position']}. [{item['id']}] {item['text']}")
        click.echo("   " + _("Answer:") + " " + ("; ".join(item["answer"]) or _("(none)")))
        click.echo("   " + _("Key:") + " " + "; ".join(item["key"]))
        if item["score"] is not None:
            click.echo("   " + _("Score:") + f" {item['score']:g}/{item['max']:g} "
                       f"({label(item['status'])})")
    if report["outcomes"]:
        click.echo("")
        click.echo(_("Outcomes:"))
        for row in report["outcomes"]:
            click.echo(f"  {row['id']}: {row['points']:g}/{row['max']:g} {row['verdict']}")
    result = report["result"]
    if result is not None:
        verdict = (_("awaiting assessor") if result["awaiting_review"]
                   else _("passed") if result["passed"] else _("not passed"))
        click.echo(_("Total: {points:g}/{max:g} ({verdict})").format(
            points=result["points"], max=result["max_points"], verdict=verdict))
    click.echo("")
    click.echo(_("Last event hash: {hash}").format(hash=report["last_hash"]))


@command.command("verify", help=_("Recompute the hash chain of every attempt."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def verify(settings: Settings, as_json: bool) -> None:
    with open_results(settings) as store:
        problems = store.verify()
        count = len(store.attempts())
    if as_json:
        emit_json({"attempts": count, "problems": [p.__dict__ for p in problems]})
    else:
        for problem in problems:
            click.echo(problem.render())
        if not problems:
            click.echo(_("{n} attempt(s): every chain verifies").format(n=count))
    if problems:
        raise SystemExit(1)


@command.command("merge", help=_("Bring in attempts from other workstations' databases."))
@click.argument("others", metavar="OTHER.db...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def merge_cmd(settings: Settings, others: tuple[Path, ...], as_json: bool) -> None:
    from mqexam.store.merge import merge

    reports = []
    with open_results(settings, must_exist=False) as store:
        for other in others:
            reports.append(merge(store, other))
    refused = sum(len(r.refused) for r in reports)
    if as_json:
        emit_json([{"source": str(r.source), "added": r.added, "extended": r.extended,
                    "unchanged": r.unchanged, "refused": [list(x) for x in r.refused]}
                   for r in reports])
    else:
        for r in reports:
            click.echo(_("{source}: {added} added, {extended} extended, {same} already here, "
                         "{refused} refused").format(
                             source=r.source, added=len(r.added), extended=len(r.extended),
                             same=len(r.unchanged), refused=len(r.refused)))
            for attempt_id, reason in r.refused:
                click.echo(f"  {attempt_id}: {reason}")
    if refused:
        raise SystemExit(1)


from mqexam.cli import results_analysis as _analysis  # noqa: E402, F401  (adds 'analysis')
from mqexam.cli import results_regrade as _regrade  # noqa: E402, F401  (adds 'regrade')
