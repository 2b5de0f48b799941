"""``mqexam bonus plan``: what a learner still has to show for another country."""

from __future__ import annotations

from typing import Any

import click

from mqexam.cli import Settings, emit_json, parse_day, pass_settings
from mqexam.errors import MqexamError
from mqexam.i18n import _


@click.group("bonus", help=_("Bonus exams: test only what differs in another country."))
def command() -> None:
    pass


@command.command("plan", help=_("What LEARNER still has to show of MODULE for a country, "
                                "and why."))
@click.argument("learner_id", metavar="LEARNER")
@click.argument("module_id", metavar="MODULE")
@click.option("--target", required=True, metavar="CC",
              help=_("The country the learner will work in (e.g. DE)."))
@click.option("--on", "on", metavar="DATE",
              help=_("Judge expiry on DATE (YYYY-MM-DD; default: today)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def plan_cmd(settings: Settings, learner_id: str, module_id: str, target: str,
             on: str | None, as_json: bool) -> None:
    from mqexam.cli.bank_cmd import get_module
    from mqexam.competence import learner_profile
    from mqexam.exam.bonus import plan
    from mqexam.store import open_store

    today = parse_day(on)
    module = get_module(settings, module_id)
    if module.context(target.strip().upper()) is None:
        message = _("module '{module}' has no context '{context}' (contexts: "
                            "{contexts})")
        raise MqexamError(message.format(
            module=module.id, context=target, contexts=", ".join(module.context_codes)))
    if not settings.db.exists():
        raise MqexamError(_("no results database at {path}").format(path=settings.db))
    with open_store(settings.db) as store:
        if store.learner(learner_id) is None and not store.attempts(learner=learner_id):
            raise MqexamError(_("no learner '{id}'").format(id=learner_id))
        from mqexam.bank_archive import with_archive

        profile = learner_profile(store, module, learner_id, today,
                                  with_archive(store, [module]))
    result = plan(profile, module, target)
    for attempt_id in profile.unreadable:
        click.echo(_("warning: attempt {id} cannot be read and was left out; run 'mqexam "
                     "results verify'").format(id=attempt_id), err=True)
    if as_json:
        emit_json({**result.as_json(), "profile": profile.as_json()})
        return
    _print_plan(result, module)


def _print_plan(result: Any, module: Any) -> None:
    from mqexam.bank.resolve import pick_locale
    from mqexam.i18n import country_name, current_language, fallback_chain

    chain = fallback_chain(current_language(), module.meta.fallback, module.meta.languages)
    titles = {o.id: pick_locale(o.text, chain)[0] for o in module.meta.outcomes}
    click.echo(_("Bonus plan for {learner}: {module} {version}, {country} ({code})").format(
        learner=result.learner_id, module=result.module_id, version=result.version,
        country=country_name(result.target), code=result.target))
    click.echo(result.summary())
    click.echo("")
    click.echo(_("Outcomes:"))
    for row in result.outcomes:
        click.echo(f"  {row.outcome_id}: {titles.get(row.outcome_id, '')}")
        click.echo(f"      {row.text()}")
        for entry in row.not_counted:
            click.echo("      " + _("not counted: {why}").format(why=entry.reason_text()))
    if result.items:
        click.echo("")
        click.echo(_("Items to show:"))
        width = max(len(item.item_id) for item in result.items)
        for item in result.items:
            click.echo(f"  {item.item_id:<{width}}  {item.reason_text()}  "
                       f"[{', '.join(item.outcomes)}]")
    if result.builds_on:
        click.echo("")
        click.echo(_("Builds on: {refs}").format(refs=", ".join(result.builds_on)))
