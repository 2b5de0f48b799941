"""``mqexam results analysis MODULE``: item statistics for one module version.

Registered on the ``results`` group by an import at the bottom of
:mod:`mqexam.cli.results_cmd` (a ``*_cmd`` module would add a top-level command).
The measures are :mod:`mqexam.exam.analysis`'s; this module reads the attempts
and prints.
"""

from __future__ import annotations

from typing import Any

import click

from mqexam.cli import Settings, emit_json, pass_settings
from mqexam.cli.results_cmd import command as results
from mqexam.cli.results_cmd import open_results
from mqexam.errors import MqexamError
from mqexam.i18n import N_, _

FLAG_LABELS = {
    "too_easy": N_("too easy"),
    "too_hard": N_("too hard"),
    "negative_discrimination": N_("negative discrimination"),
}


def _module(settings: Settings, module_id: str, version: str | None) -> Any:
    from mqexam.bank.loader import load_bank

    bank = load_bank(settings.banks)
    found = [m for m in bank.modules if m.id == module_id]
    if not found:
        raise MqexamError(_("no module '{module}' in {banks}").format(
            module=module_id, banks=settings.banks))
    if version is None:
        return found[0]
    for module in found:
        if module.version == version:
            return module
    raise MqexamError(_("version {version} of module '{module}' is not in the bank (it has "
                        "{versions})").format(version=version, module=module_id,
                                              versions=", ".join(m.version for m in found)))


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


@results.command("analysis", help=_("Item statistics for a module version: facility, "
                                    "discrimination, option choices, time, flags."))
@click.argument("module_id", metavar="MODULE")
@click.option("--version", "version", metavar="V",
              help=_("Module version (default: the one in the bank)."))
@click.option("--context", metavar="CC", help=_("Only attempts in this country (e.g. DK)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def analysis(settings: Settings, module_id: str, version: str | None, context: str | None,
             as_json: bool) -> None:
    from mqexam.item_analysis import item_analysis

    module = _module(settings, module_id, version)
    context = context.strip().upper() if context else None
    if context is not None and module.context(context) is None:
        raise MqexamError(_("module '{module}' has no context '{context}' (contexts: "
                            "{contexts})").format(module=module.id, context=context,
                                                  contexts=", ".join(module.context_codes)))
    with open_results(settings) as store:
        report = item_analysis(store, module, context)
    if as_json:
        emit_json(report.as_json())
        return
    where = context or _("every country")
    click.echo(_("{module} {version} ({hash}), {where}: {n} closed attempt(s)").format(
        module=module.id, version=module.version, hash=module.content_hash[:19], where=where,
        n=report.attempts))
    if not report.items:
        click.echo(_("Nothing to analyse yet."))
        return
    width = max(len(stats.item_id) for stats in report.items)
    click.echo(f"{_('item'):<{width}}  {_('seen'):>6}  {_('facility'):>8}  "
               f"{_('discrimination'):>14}  {_('seconds'):>7}  {_('flags')}")
    for stats in report.items:
        flags = ", ".join(_(FLAG_LABELS[f]) for f in stats.flags)
        click.echo(f"{stats.item_id:<{width}}  {stats.seen:>6}  {_number(stats.facility):>8}  "
                   f"{_number(stats.discrimination):>14}  {_number(stats.mean_seconds, 0):>7}  "
                   f"{flags}".rstrip())
    chosen = [s for s in report.items if s.options]
    if chosen:
        click.echo("")
        click.echo(_("Options chosen:"))
        for stats in chosen:
            counts = ", ".join(f"{option} {count}" for option, count in stats.options.items())
            click.echo(f"  {stats.item_id}: {counts}")
