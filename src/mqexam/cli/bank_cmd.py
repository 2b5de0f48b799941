"""``mqexam bank ...``: check, list, coverage and compare for bank authors."""

from __future__ import annotations

from typing import Any

import click

from mqexam.cli import Settings, emit_json, pass_settings
from mqexam.errors import MqexamError
from mqexam.i18n import _, country_name, current_language, format_percent

command: click.Group = click.Group("bank", help=_("Check and explore question banks."))


def load_ok(settings: Settings) -> Any:
    """Load the bank folder; broken modules are left out (``bank check`` names them).

    A bank folder that is missing or unreadable is an error here: one line, exit 1.
    """
    from mqexam.bank.loader import load_bank

    result = load_bank(settings.banks)
    if result.root_problem is not None:
        raise MqexamError(result.root_problem.render())
    return result


def get_module(settings: Settings, module_id: str) -> Any:
    result = load_ok(settings)
    module = result.module(module_id)
    if module is None:
        if module_id in result.broken:
            first = result.broken[module_id][0].render() if result.broken[module_id] else ""
            raise MqexamError(
                _("module '{id}' has errors; run 'mqexam bank check': {first}").format(
                    id=module_id, first=first
                )
            )
        known = ", ".join(m.id for m in result.modules) or _("none")
        raise MqexamError(
            _("no module '{id}' in {folder} (modules: {known})").format(
                id=module_id, folder=settings.banks, known=known
            )
        )
    return module


@command.command("check", help=_("Validate every module under PATH (default: the bank folder)."))
@click.argument("path", required=False)
@click.option("--strict", is_flag=True, help=_("Warnings fail too."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the problems as JSON."))
@pass_settings
def check(settings: Settings, path: str | None, strict: bool, as_json: bool) -> None:
    from pathlib import Path

    from mqexam.bank.loader import load_bank

    root = Path(path) if path else settings.banks
    result = load_bank(root, use_cache=False)
    shown = [p for p in result.problems if strict or p.severity == "error"]
    if as_json:
        emit_json(
            {
                "modules": [m.id for m in result.modules],
                "problems": [
                    {"file": str(p.path), "line": p.line, "subject": p.subject,
                     "message": p.message, "severity": p.severity}
                    for p in result.problems
                ],
            }
        )
    else:
        for problem in shown:
            click.echo(render_problem(problem))
        if not shown and result.modules:
            warnings = len(result.problems)
            click.echo(
                _("{n} module(s) OK").format(n=len(result.modules))
                + (_(", {w} warning(s) (see --strict)").format(w=warnings) if warnings else "")
            )
    if not result.modules and not result.problems:
        click.echo(_("{folder}: no modules found").format(folder=root), err=True)
        raise SystemExit(1)
    if shown:
        raise SystemExit(1)


def render_problem(problem: Any) -> str:
    """``file:line: item: message``; a warning reads ``file:line: warning: item: message``."""
    if problem.severity == "error":
        return str(problem.render())
    where = f"{problem.path}:{problem.line}" if problem.line else f"{problem.path}"
    return f"{where}: {_('warning')}: {problem.subject}: {problem.message}"


@command.command("list", help=_("List the modules in the bank folder."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def list_modules(settings: Settings, as_json: bool) -> None:
    from mqexam.bank.resolve import pick_locale
    from mqexam.i18n import fallback_chain

    result = load_ok(settings)
    rows = []
    for module in result.modules:
        chain = fallback_chain(current_language(), module.meta.fallback, module.meta.languages)
        rows.append({
            "id": module.id,
            "version": module.version,
            "title": pick_locale(module.meta.title, chain)[0],
            "languages": module.meta.languages,
            "contexts": [{"code": c.code, "guideline": c.guideline} for c in module.meta.contexts],
            "items": len(module.items),
            "content_hash": module.content_hash,
        })
    broken = {name: [p.render() for p in problems] for name, problems in result.broken.items()}
    if as_json:
        emit_json({"modules": rows, "broken": broken})
        return
    if not rows and not broken:
        click.echo(_("No modules in {folder}.").format(folder=settings.banks))
    for row in rows:
        click.echo(f"{row['id']} {row['version']}  {row['title']}")
        click.echo("    " + _("{n} items; languages: {langs}; countries: {codes}").format(
            n=row["items"], langs=", ".join(row["languages"]),
            codes=", ".join(c["code"] for c in row["contexts"])))
    for name, problems in broken.items():
        click.echo(_("{id}: not usable, {n} problem(s); run 'mqexam bank check'").format(
            id=name, n=len(problems)))


@command.command("coverage", help=_("Translation coverage per locale and overrides per country."))
@click.argument("module_id", metavar="MODULE")
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def coverage_cmd(settings: Settings, module_id: str, as_json: bool) -> None:
    from mqexam.bank.coverage import coverage

    report = coverage(get_module(settings, module_id))
    if as_json:
        emit_json(report.as_json())
        return
    click.echo(f"{report.module_id} {report.version}")
    click.echo(_("Texts per locale:"))
    for loc in report.locales:
        click.echo("  " + _("{locale}: {share} ({present} present, {missing} missing)").format(
            locale=loc.locale, share=format_percent(loc.share), present=loc.present,
            missing=loc.missing))
        if loc.items_missing:
            click.echo("      " + _("missing in: {items}").format(
                items=", ".join(loc.items_missing)))
    click.echo(_("Items each country overrides:"))
    for code, items in report.overrides.items():
        click.echo(f"  {code} ({country_name(code)}): {len(items)}"
                   + (f"  {', '.join(items)}" if items else ""))
    click.echo(_("Universal items (no override): {n}").format(n=len(report.universal)))


@command.command("compare", help=_("Every item that differs between two countries, side by side."))
@click.argument("module_id", metavar="MODULE")
@click.argument("first", metavar="CC")
@click.argument("second", metavar="CC")
@click.option("--lang", "reader", default=None, help=_("Language to show the items in."))
@click.option("--json", "as_json", is_flag=True, help=_("Print as JSON."))
@pass_settings
def compare(settings: Settings, module_id: str, first: str, second: str, reader: str | None,
            as_json: bool) -> None:
    from mqexam.bank.resolve import key_text, resolve
    from mqexam.exam.difference import differences

    module = get_module(settings, module_id)
    first, second = first.upper(), second.upper()
    for code in (first, second):
        if module.context(code) is None:
            raise MqexamError(_("module '{id}' has no context {code} (contexts: {codes})").format(
                id=module.id, code=code, codes=", ".join(module.context_codes)))
    language = reader or current_language()
    if language not in module.meta.languages and language not in module.meta.fallback:
        raise MqexamError(_("module '{id}' is not written in '{lang}' (languages: {langs})")
                          .format(id=module.id, lang=language,
                                  langs=", ".join(module.meta.languages)))
    found = differences(module, first, second)

    def side(item_id: str, code: str) -> dict[str, Any]:
        resolved = resolve(module, module.item(item_id), code, language)
        context = module.context(code)
        return {
            "context": code,
            "country": country_name(code, language),
            "guideline": context.guideline if context else None,
            "text": resolved.text,
            "options": [c.text for c in resolved.options]
            or [f"{c.text}" for c in resolved.left],
            "key": key_text(resolved),
            "why": resolved.why,
            "references": list(resolved.references),
            "verified_on": resolved.verified_on.isoformat() if resolved.verified_on else None,
        }

    rows: list[dict[str, Any]] = [
        {"item": d.item_id, "outcomes": list(d.outcomes), "differs_in": list(d.aspects),
         "sides": [side(d.item_id, first), side(d.item_id, second)]}
        for d in found
    ]
    if as_json:
        emit_json({"module": module.id, "version": module.version, "language": language,
                   "contexts": [first, second], "items": rows})
        return
    names = {code: country_name(code, language) for code in (first, second)}
    click.echo(_("{module} {version}: {n} item(s) differ between {a} and {b}").format(
        module=module.id, version=module.version, n=len(rows), a=names[first], b=names[second]))
    for row in rows:
        click.echo("")
        click.echo(f"== {row['item']}  [{', '.join(row['outcomes'])}]  "
                   + _("differs in: {aspects}").format(aspects=", ".join(row["differs_in"])))
        for data in row["sides"]:
            guideline = f" ({data['guideline']})" if data["guideline"] else ""
            click.echo(f"-- {data['country']}{guideline}")
            click.echo(f"   {data['text']}")
            click.echo("   " + _("Answer:") + " " + "; ".join(data["key"]))
            if data["why"]:
                click.echo("   " + _("Why:") + " " + data["why"])
            if data["references"]:
                click.echo("   " + _("Sources:") + " " + "; ".join(data["references"]))
            if data["verified_on"]:
                click.echo("   " + _("Verified on:") + " " + data["verified_on"])
