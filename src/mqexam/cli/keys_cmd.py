"""``mqexam keys init | fingerprint``: the issuer's signing key for evidence bundles.

Also owns the ``--keys DIR`` option the ``keys`` and ``evidence`` commands share
(given on the group or on the command; else ``MQEXAM_KEYS``, else
``$XDG_CONFIG_HOME/mqexam/keys``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mqexam.cli import Settings, emit_json, pass_settings
from mqexam.errors import MqexamError
from mqexam.i18n import _

F = TypeVar("F", bound=Callable[..., Any])
_META = "mqexam.keys"


def keys_option(function: F) -> F:
    decorator = click.option(
        "--keys", "keys", metavar="DIR", default=None,
        help=_("Key folder (default: MQEXAM_KEYS, else ~/.config/mqexam/keys)."))
    return decorator(function)


def remember_keys(ctx: click.Context, keys: str | None) -> None:
    """The group's ``--keys``, for its commands."""
    if keys:
        ctx.meta[_META] = keys


def keys_folder(keys: str | None) -> Path:
    from mqexam.evidence.keys import keys_dir

    given = keys or click.get_current_context().meta.get(_META)
    return keys_dir(given)


@click.group("keys", help=_("The issuer's signing key for evidence bundles."))
@keys_option
@click.pass_context
def command(ctx: click.Context, keys: str | None) -> None:
    remember_keys(ctx, keys)


def _awarding_body(settings: Settings) -> str:
    from mqexam.bank.loader import load_bank

    result = load_bank(settings.banks)
    bodies = sorted({m.meta.awarding_body for m in result.modules})
    if len(bodies) == 1:
        return bodies[0]
    if not bodies:
        raise MqexamError(_("no module in {banks} names an awarding body; give it with "
                            "--awarding-body NAME").format(banks=settings.banks))
    raise MqexamError(_("the modules in {banks} name several awarding bodies ({bodies}); give "
                        "the one this key is for with --awarding-body NAME").format(
                            banks=settings.banks, bodies="; ".join(bodies)))


@command.command("init", help=_("Create the issuer's Ed25519 key pair (the private key "
                                "readable by its owner only)."))
@click.option("--awarding-body", "awarding_body", metavar="NAME",
              help=_("The awarding body the key signs for (default: the one the modules name)."))
@click.option("--force", is_flag=True, help=_("Replace an existing key."))
@keys_option
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def init(settings: Settings, awarding_body: str | None, force: bool, keys: str | None,
         as_json: bool) -> None:
    from mqexam.clock import now
    from mqexam.evidence.keys import PRIVATE_FILE, PUBLIC_FILE, grouped, init_keys

    folder = keys_folder(keys)
    body = awarding_body if awarding_body is not None else _awarding_body(settings)
    key = init_keys(folder, body, now().date().isoformat(), force=force)
    if as_json:
        emit_json({"folder": str(folder), "awarding_body": body,
                   "private_key": str(folder / PRIVATE_FILE),
                   "public_key": str(folder / PUBLIC_FILE),
                   "fingerprint": grouped(key.fingerprint)})
        return
    click.echo(_("Created the issuer key for {body} in {folder}.").format(body=body,
                                                                          folder=folder))
    click.echo(_("Fingerprint: {fingerprint}").format(fingerprint=grouped(key.fingerprint)))
    click.echo(_("Publish this fingerprint (e.g. on the college's website) so authorities can "
                 "check bundles came from you, and keep a backup of {path}: bundles cannot be "
                 "signed without it.").format(path=folder / PRIVATE_FILE))


@command.command("fingerprint", help=_("Print the issuer key's fingerprint (sha256 of the "
                                       "public key) for the college to publish."))
@click.argument("pem", metavar="[PEM]", required=False, type=click.Path(path_type=Path))
@keys_option
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
def fingerprint_cmd(pem: Path | None, keys: str | None, as_json: bool) -> None:
    from mqexam.evidence.keys import (
        PUBLIC_FILE,
        fingerprint,
        grouped,
        load_issuer_key,
        load_public_key_file,
    )

    if pem is not None:
        public = load_public_key_file(pem)
        source = pem
    else:
        folder = keys_folder(keys)
        public = load_issuer_key(folder).public_key
        source = folder / PUBLIC_FILE
    digest = fingerprint(public)
    if as_json:
        emit_json({"fingerprint": grouped(digest), "sha256": digest, "key": str(source)})
        return
    click.echo(grouped(digest))
