"""Starting the learner app from the command line (``mqexam`` and ``mqexam exam``)."""

from __future__ import annotations

import click

from mqexam.cli import Settings, pass_settings
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
    run_learner_app(settings, module_id, context, language, learner)
