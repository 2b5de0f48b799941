"""``mqexam results regrade MODULE --old DIR``: re-score attempts after a bank fix.

Registered on the ``results`` group by an import at the bottom of
:mod:`mqexam.cli.results_cmd`. A dry run (the default) shows, for every closed
attempt made with the old version, which items would score differently and
whether the result would change; ``--apply`` (an assessor's passphrase is asked)
appends one ``regraded`` event per attempt naming both versions. Nothing signed
changes silently: a signed attempt whose scores change shows as "signed before
a regrade" until it is signed again.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from mqexam.bank.model import Module
from mqexam.cli import Settings, emit_json, pass_settings
from mqexam.cli.results_cmd import command as results
from mqexam.cli.results_cmd import open_results
from mqexam.errors import MqexamError
from mqexam.i18n import _


def _load_one(folder: Path, module_id: str, what: str) -> Module:
    from mqexam.bank.loader import load_bank

    bank = load_bank(folder)
    module = bank.module(module_id)
    if module is None:
        problems = bank.broken.get(module_id) or bank.problems
        detail = problems[0].render() if problems else _("no such module there")
        raise MqexamError(_("{what}: module '{id}' cannot be loaded from {folder}: {detail}")
                          .format(what=what, id=module_id, folder=folder, detail=detail))
    return module


@results.command("regrade", help=_("Re-score attempts made with an older version of MODULE "
                                   "(dry run unless --apply)."))
@click.argument("module_id", metavar="MODULE")
@click.option("--old", "old_dir", type=click.Path(path_type=Path), metavar="DIR",
              help=_("A bank folder holding the old version the attempts used (default: every "
                     "older version the results database remembers)."))
@click.option("--apply", "apply_it", is_flag=True, help=_("Record the regrade (asks for an "
                                                          "assessor's passphrase)."))
@click.option("--assessor", metavar="NAME", help=_("The assessor recording the regrade."))
@click.option("--reason", metavar="TEXT", help=_("Why the bank changed (required with --apply)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def regrade(settings: Settings, module_id: str, old_dir: Path | None, apply_it: bool,
            assessor: str | None, reason: str | None, as_json: bool) -> None:
    from mqexam.bank_archive import with_archive
    from mqexam.clock import now
    from mqexam.review import regrade_all, regrade_all_preview

    new = _load_one(settings.banks, module_id, _("current bank"))
    with open_results(settings) as store:
        if old_dir is not None:
            olds = [_load_one(old_dir, module_id, _("old bank"))]
            if olds[0].content_hash == new.content_hash:
                raise MqexamError(_("the old and the current bank are the same version "
                                    "({hash})").format(hash=new.content_hash[:19]))
        else:
            olds = [m for m in with_archive(store, [new])
                    if m.id == module_id and m.content_hash != new.content_hash]
        previews, events = [], []
        for old in olds:
            previews += regrade_all_preview(store, [old, new], module_id, old.content_hash, new)
        if apply_it:
            if not assessor or not reason:
                raise MqexamError(_("--apply needs --assessor and --reason"))
            from mqexam.store.assessors import check_passphrase

            passphrase = os.environ.get("MQEXAM_ASSESSOR_PASSPHRASE")
            if passphrase is None:
                passphrase = click.prompt(_("Passphrase"), hide_input=True)
            check_passphrase(store, assessor, passphrase, now())
            for old in olds:
                events += regrade_all(store, [old, new], module_id, old.content_hash, new,
                                      reason, assessor, now())
    rows = [{"attempt": attempt_id, **preview.as_json()} for attempt_id, preview in previews]
    if as_json:
        emit_json({"module": module_id, "from": [m.content_hash for m in olds],
                   "to": new.content_hash, "applied": apply_it, "attempts": rows})
        return
    changed = [(a, p) for a, p in previews if p.changed]
    old_names = ", ".join(m.version for m in olds) or _("no older version")
    click.echo(_("{n} attempt(s) made with {old}; {k} would score differently with {new}").format(
        n=len(previews), k=len(changed), old=old_names, new=new.version))
    for attempt_id, preview in changed:
        marks = "; ".join(f"{c.item}: {c.before.points:g}→{c.after.points:g}"
                          for c in preview.changes)
        flags = []
        if preview.pass_changed:
            flags.append(_("the result changes"))
        if preview.signed:
            flags.append(_("signed: must be signed again"))
        click.echo(f"  {attempt_id}  {marks}" + (f"  ({', '.join(flags)})" if flags else ""))
    if apply_it:
        click.echo(_("Recorded {n} regrade event(s).").format(n=len(events)))
    elif changed:
        click.echo(_("Dry run: nothing was recorded. Add --apply --assessor NAME --reason TEXT."))
