"""``mqexam evidence export | verify``: signed, self-verifying bundles for an authority."""

from __future__ import annotations

from pathlib import Path

import click

from mqexam.cli import Settings, emit_json, parse_day, pass_settings
from mqexam.cli.keys_cmd import keys_folder, keys_option, remember_keys
from mqexam.errors import MqexamError
from mqexam.i18n import INTERFACE_LANGUAGES, _, country_name


@click.group("evidence", help=_("Export and verify signed evidence bundles."))
@keys_option
@click.pass_context
def command(ctx: click.Context, keys: str | None) -> None:
    remember_keys(ctx, keys)


@command.command("export", help=_("Export attempts of one learner and module as one signed "
                                  "bundle (report, credential, attempts, bank version)."))
@click.argument("attempt_ids", metavar="ATTEMPT...", nargs=-1, required=True)
@click.option("--lang", "language", required=True, type=click.Choice(INTERFACE_LANGUAGES),
              help=_("The language of the report and README (the authority's)."))
@click.option("--out", "out", required=True, metavar="FILE.zip", type=click.Path(path_type=Path),
              help=_("Where to write the bundle."))
@click.option("--unsigned", is_flag=True,
              help=_("Allow attempts no assessor has signed (the report says so prominently)."))
@click.option("--date", "issued", metavar="YYYY-MM-DD",
              help=_("Date of issue (default: today); the same date gives the same bytes."))
@keys_option
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def export(settings: Settings, attempt_ids: tuple[str, ...], language: str, out: Path,
           unsigned: bool, issued: str | None, keys: str | None, as_json: bool) -> None:
    from mqexam.bank.loader import load_bank
    from mqexam.cli.results_cmd import open_results
    from mqexam.evidence.bundle import write_atomically
    from mqexam.evidence.canonical import sha256_hex
    from mqexam.evidence.export import export_bundle
    from mqexam.evidence.keys import grouped, load_issuer_key

    day = parse_day(issued)
    key = load_issuer_key(keys_folder(keys))
    if out.is_dir():
        raise MqexamError(_("cannot write {path}: it is a folder").format(path=out))
    from mqexam.bank_archive import with_archive

    with open_results(settings) as store:
        modules = with_archive(store, load_bank(settings.banks).modules)
        bundle = export_bundle(store, modules, attempt_ids, key=key,
                               issued=day, language=language, allow_unsigned=unsigned,
                               banks=settings.banks)
    write_atomically(out, bundle.data)
    unsigned_ids = bundle.sources.unsigned
    if as_json:
        emit_json({"out": str(out), "sha256": sha256_hex(bundle.data),
                   "attempts": bundle.attempts, "learner": bundle.sources.learner_id,
                   "module": bundle.sources.module.id,
                   "version": bundle.sources.module.version, "country": bundle.target,
                   "prior_learning": [str(p["id"]) for p in bundle.sources.priors],
                   "language": language,
                   "date": day.isoformat(), "fingerprint": grouped(bundle.fingerprint),
                   "unsigned_attempts": unsigned_ids})
        return
    click.echo(_("Wrote {path}: {n} attempt(s) of learner {learner}, {module} {version}, "
                 "report in {language}.").format(
                     path=out, n=len(bundle.attempts), learner=bundle.sources.learner_id,
                     module=bundle.sources.module.id, version=bundle.sources.module.version,
                     language=language))
    click.echo(_("One credential for {country} ({code}); prior-learning records: "
                 "{priors}.").format(country=country_name(bundle.target), code=bundle.target,
                                     priors=len(bundle.sources.priors)))
    click.echo(_("Signed with the key {fingerprint}.").format(
        fingerprint=grouped(bundle.fingerprint)))
    if unsigned_ids:
        click.echo(_("warning: not signed by an assessor: {ids} (exported with --unsigned; "
                     "the report says so)").format(ids=", ".join(unsigned_ids)), err=True)


@command.command("verify", help=_("Check a bundle: every hash, the signature, each attempt's "
                                  "event chain and scores; with --key or --fingerprint also "
                                  "who signed it."))
@click.argument("bundle", metavar="FILE.zip", type=click.Path(path_type=Path))
@click.option("--key", "key_path", metavar="PEM", type=click.Path(path_type=Path),
              help=_("The issuer's public key, as the college publishes it."))
@click.option("--fingerprint", "expected", metavar="FP",
              help=_("The issuer key's fingerprint, as the college publishes it."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
def verify(bundle: Path, key_path: Path | None, expected: str | None, as_json: bool) -> None:
    from mqexam.evidence.keys import grouped, load_public_key_file, parse_fingerprint
    from mqexam.evidence.verify import verify_path

    if key_path is not None and expected is not None:
        raise MqexamError(_("give --key or --fingerprint, not both"))
    key = load_public_key_file(key_path) if key_path is not None else None
    wanted = parse_fingerprint(expected) if expected is not None else None
    result = verify_path(bundle, key=key, fingerprint_hex=wanted)
    if as_json:
        emit_json(result.as_json())
        if not result.valid:
            raise SystemExit(1)
        return
    unreadable = [p for p in result.problems if not p.file]
    if unreadable:
        click.echo(_("error: {path}: {problem}").format(path=bundle,
                                                       problem=unreadable[0].message), err=True)
        raise SystemExit(1)
    if not result.valid:
        click.echo(_("{path}: NOT valid ({n} problem(s)):").format(
            path=bundle, n=len(result.problems)))
        for problem in result.problems:
            click.echo("  " + problem.render())
        raise SystemExit(1)
    click.echo(_("{path}: valid").format(path=bundle))
    click.echo("  " + _("{n} files: every hash matches SHA256SUMS, none added or missing; the "
                        "signature is good").format(n=result.files))
    click.echo("  " + _("attempts {ids}: event chains intact, scores recompute from the answers "
                        "and the bundled bank").format(ids=", ".join(result.attempts)))
    fingerprint = grouped(result.fingerprint or "")
    if result.origin == "unchecked":
        click.echo("  " + _("origin NOT checked: only integrity was checked. Compare the issuer "
                            "key fingerprint {fingerprint} with the one the awarding body "
                            "publishes, or run again with --fingerprint FP or --key PEM.").format(
                                fingerprint=fingerprint))
    else:
        click.echo("  " + _("origin checked: signed by the issuer key {fingerprint}").format(
            fingerprint=fingerprint))
    for attempt_id in result.unsigned:
        click.echo("  " + _("note: attempt {id} is NOT signed by an assessor (exported with "
                            "--unsigned)").format(id=attempt_id))
