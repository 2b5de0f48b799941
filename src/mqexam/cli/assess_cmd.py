"""``mqexam assess``: the assessor app (an assessor's passphrase is asked first)."""

from __future__ import annotations

import click

from mqexam.cli import Settings, pass_settings
from mqexam.i18n import _


@click.command("assess", help=_("Open the assessor app (needs an assessor's passphrase)."))
@pass_settings
def command(settings: Settings) -> None:
    from mqexam.tui.assessor.app import AssessorApp

    app = AssessorApp(settings.banks, settings.db, language=settings.language)
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
