"""Starting the learner app from the command line (``mqexam`` and ``mqexam exam``)."""

from __future__ import annotations

import click

from mqexam.cli import Settings, pass_settings
from mqexam.errors import MqexamError
from mqexam.i18n import INTERFACE_LANGUAGES, _


def run_learner_app(settings: Settings, module: str | None = None, context: str | None = None,
                    language: str | None = None, learner: str | None = None) -> None:
    from mqexam.tui.app import LearnerApp

    app = LearnerApp(settings.banks, settings.db, module=module, context=context,
                     language=language, learner=learner)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)


@click.command("exam",
               help=_("Sit MODULE for country CC in language LL (skips to identification)."))
@click.argument("module_id", metavar="MODULE")
@click.option("--context", "context", required=True, metavar="CC", help=_("Country code."))
@click.option("--lang", "language", required=True, type=click.Choice(INTERFACE_LANGUAGES),
              help=_("Language of the exam."))
@click.option("--learner", metavar="ID", help=_("Learner id, filled in for you."))
@pass_settings
def command(settings: Settings, module_id: str, context: str, language: str,
            learner: str | None) -> None:
    from mqexam.bank.loader import load_bank

    bank = load_bank(settings.banks)
    module = bank.module(module_id)
    if module is None:
        known = ", ".join(m.id for m in bank.modules) or _("none")
        raise MqexamError(_("no module '{id}' in {folder} (modules: {known})").format(
            id=module_id, folder=settings.banks, known=known))
    if context.upper() not in module.context_codes:
        raise MqexamError(_("module '{id}' has no context {code} (contexts: {codes})").format(
            id=module.id, code=context.upper(), codes=", ".join(module.context_codes)))
    run_learner_app(settings, module_id, context, language, learner)
