"""``mqexam learner erase ID``: remove a person's data; attempts stay, pseudonymous."""

from __future__ import annotations

import click

from mqexam.cli import Settings, pass_settings
from mqexam.i18n import _


@click.group("learner", help=_("Learner records."))
def command() -> None:
    pass


@command.command("erase", help=_("Remove a learner's personal data (GDPR); attempts stay."))
@click.argument("learner_id", metavar="ID")
@pass_settings
def erase(settings: Settings, learner_id: str) -> None:
    from mqexam.cli.results_cmd import open_results
    from mqexam.clock import now
    from mqexam.exam.attempt import format_time

    with open_results(settings) as store:
        kept = store.erase_learner(learner_id, format_time(now()))
    click.echo(_("Erased the personal data of {id}; {n} attempt(s) kept under the id "
                 "only.").format(id=learner_id, n=kept))
