"""``mqexam assessor add NAME | list``: assessor accounts (see mqexam.store.assessors)."""

from __future__ import annotations

import os

import click

from mqexam.cli import Settings, emit_json, pass_settings
from mqexam.i18n import _

PASSPHRASE_ENV = "MQEXAM_ASSESSOR_PASSPHRASE"
"""For scripted set-up and tests: the passphrase, instead of asking for it."""


@click.group("assessor", help=_("Assessor accounts."))
def command() -> None:
    pass


@command.command("add", help=_("Add an assessor; asks for a passphrase twice (or reads "
                               "MQEXAM_ASSESSOR_PASSPHRASE)."))
@click.argument("name", metavar="NAME")
@pass_settings
def add(settings: Settings, name: str) -> None:
    from mqexam.clock import now
    from mqexam.store import open_store
    from mqexam.store.assessors import add_assessor, clean_name

    name = clean_name(name)  # a bad name is refused before anyone types a passphrase
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if passphrase is None:
        passphrase = click.prompt(_("Passphrase for {name}").format(name=name), hide_input=True,
                                  confirmation_prompt=_("Repeat the passphrase"))
    with open_store(settings.db) as store:
        add_assessor(store, name, passphrase, now())
    click.echo(_("Added assessor {name}.").format(name=name))


@command.command("list", help=_("List assessors (never their passphrases)."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def list_cmd(settings: Settings, as_json: bool) -> None:
    from mqexam.cli.results_cmd import open_results
    from mqexam.clock import now
    from mqexam.store.assessors import list_assessors

    with open_results(settings) as store:
        rows = list_assessors(store, now())
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo(_("No assessors. Add one with 'mqexam assessor add NAME'."))
    for row in rows:
        line = f"{row['name']}  {row['created_at'][:16].replace('T', ' ')}"
        if row["locked_until"]:
            line += "  " + _("locked until {time}").format(
                time=row["locked_until"][:16].replace("T", " "))
        click.echo(line)
