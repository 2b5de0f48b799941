"""The ``mqexam`` command (see DESIGN.md, "The command line": a public contract).

Owns the click group, the global ``--banks``/``--db``/``--lang`` options and the
rule that bad input ends in one clear line and a non-zero exit, never a
traceback. Subcommands live in sibling modules and import their heavy
dependencies (Textual, the store) only when they run, so ``mqexam --help`` is
fast and loads no bank.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from mqexam import __version__
from mqexam.errors import MqexamError
from mqexam.i18n import INTERFACE_LANGUAGES, _, language_from_environment, set_language

set_language(language_from_environment())


@dataclass
class Settings:
    """What every command needs to know: where banks and results live, and the language."""

    banks_option: str | None
    db_option: str | None
    language: str

    @property
    def banks(self) -> Path:
        from mqexam.paths import banks_dir

        return banks_dir(self.banks_option)

    @property
    def db(self) -> Path:
        from mqexam.paths import db_path

        return db_path(self.db_option)


class Group(click.Group):
    """A click group whose errors are one line: ours, click's usage errors, and the rest."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MqexamError as error:
            click.echo(_("error: {message}").format(message=error.message), err=True)
            ctx.exit(error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(_("interrupted"), err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(1)
        except Exception as error:
            if os.environ.get("MQEXAM_DEBUG"):
                raise
            click.echo(
                _("internal error: {error} (set MQEXAM_DEBUG=1 for details)").format(
                    error=f"{type(error).__name__}: {error}"
                ),
                err=True,
            )
            ctx.exit(2)


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON (every command that prints data has ``--json``)."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


pass_settings = click.make_pass_decorator(Settings)


def parse_day(value: str | None) -> date:
    """A ``YYYY-MM-DD`` option as a date (today when not given); one clear line otherwise."""
    if not value:
        from mqexam.clock import now

        return now().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MqexamError(_("'{value}' is not a date (YYYY-MM-DD)").format(value=value)) from None


@click.group(cls=Group, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--banks", "banks", envvar="MQEXAM_BANKS", metavar="DIR",
              help=_("Bank folder (default: ./banks, else the banks shipped with mqexam)."))
@click.option("--db", "db", envvar="MQEXAM_DB", metavar="FILE",
              help=_("Results database (default: ./results/mqexam.db)."))
@click.option("--lang", "language", type=click.Choice(INTERFACE_LANGUAGES), default=None,
              help=_("Interface language (default: MQEXAM_LANG or the system locale)."))
@click.version_option(__version__, prog_name="mqexam")
@click.pass_context
def main(ctx: click.Context, banks: str | None, db: str | None, language: str | None) -> None:
    """Context-aware exams and evidence for vocational micro-credentials."""
    language = language or language_from_environment()
    set_language(language)
    ctx.obj = Settings(banks_option=banks, db_option=db, language=language)
    if ctx.invoked_subcommand is None:
        from mqexam.cli.exam_cmd import run_learner_app

        run_learner_app(ctx.obj)


def _register() -> None:
    """Every ``mqexam.cli.<name>_cmd`` module contributes its ``command``."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.endswith("_cmd"):
            main.add_command(importlib.import_module(f"{__name__}.{info.name}").command)


_register()


def run() -> None:  # pragma: no cover - console entry point wrapper
    sys.exit(main())
