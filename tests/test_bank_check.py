"""Every check of ``mqexam bank check``, each against a copy of the mini bank broken one way.

Each case edits the TOML text of a private copy of ``tests/fixtures/banks/mini`` and
asserts the one problem it must cause: the file, the real line of the offending key
(found by searching the edited file, not by asking the line map), the item id and the
gist of the message. Without the check, the case finds no problem and fails.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from mqexam.bank.loader import LoadResult, load_bank
from mqexam.bank.source import Problem
from mqexam.cli import main

MINI = Path(__file__).parent / "fixtures" / "banks" / "mini"


def copy_mini(root: Path, name: str = "mini") -> Path:
    target = root / "banks" / name
    shutil.copytree(MINI, target)
    return target


def edit(path: Path, old: str, new: str, after: str = "") -> None:
    """Replace the first ``old`` that follows ``after`` (which must be in the file)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


@dataclass(frozen=True)
class At:
    """A line to find in an edited file: the first containing ``text`` at or after the
    line containing ``after``; with ``before``, the last containing ``text`` at or
    before the line containing ``before``."""

    text: str
    after: str = ""
    before: str = ""

    def line(self, path: Path) -> int:
        lines = path.read_text(encoding="utf-8").split("\n")
        if self.before:
            end = next(i for i, line in enumerate(lines) if self.before in line)
            return max(i for i in range(end + 1) if self.text in lines[i]) + 1
        start = next(i for i, line in enumerate(lines) if self.after in line)
        return next(i for i in range(start, len(lines)) if self.text in lines[i]) + 1


def line_of(path: Path, text: str, after: str = "") -> int:
    return At(text, after).line(path)


def check(folder: Path) -> LoadResult:
    return load_bank(folder.parent, use_cache=False)


def errors(result: LoadResult) -> list[Problem]:
    return [p for p in result.problems if p.severity == "error"]


def warnings(result: LoadResult) -> list[Problem]:
    return [p for p in result.problems if p.severity == "warning"]


def show(problems: list[Problem]) -> str:
    return "\n".join(p.render() for p in problems) or "(no problems)"


@dataclass
class Break:
    """One way to break the mini bank, and the problem it must cause."""

    file: str
    """The file the problem is in."""
    edits: list[tuple[str, ...]]
    """(file, old, new) or (file, old, new, after): text replacements, in order."""
    at: At
    subject: str
    gist: list[str]
    append: list[tuple[str, str]] = field(default_factory=list)
    """(file, text) to append before the edits."""


A, P, M = "items/alarm.toml", "items/ppe.toml", "module.toml"

OUTCOME = """
[[outcome]]
id = "{id}"
text.en = "Spare"
text.da = "Reserve"
text.de = "Reserve"
"""

ERRORS: dict[str, Break] = {
    "toml syntax": Break(
        A, [(A, "numeric = false", "numeric = ")], At("numeric = "), "mini", ["TOML syntax"]),
    "wrong type: item": Break(
        P, [(P, "points = 2", 'points = "two"')], At("points = "), "filter-match",
        ["'points'", "number", "'two'"]),
    "wrong type: a string where TOML has numbers": Break(
        P, [(P, "points = 2", 'points = "2"')], At("points = "), "filter-match", ["'points'"]),
    "wrong type: a string where TOML has booleans": Break(
        A, [(A, "numeric = false", 'numeric = "no"')], At("numeric = "), "call-number",
        ["'numeric'", "boolean"]),
    "wrong type: option text": Break(
        A, [(A, 'text.en = "Give two rescue breaths"', "text.en = 5")], At("text.en = 5"),
        "first-step", ["'option.text.en'", "string"]),
    "wrong type: module": Break(
        M, [(M, "eqf_level = 3", 'eqf_level = "three"')], At("eqf_level"), "mini",
        ["'eqf_level'"]),
    "wrong type: context override": Break(
        A, [(A, 'answer = ["911"]', 'answer = "911"')], At('answer = "911"'), "call-number",
        ["'context.US.answer'", "list"]),
    "value out of range": Break(
        M, [(M, "eqf_level = 3", "eqf_level = 9")], At("eqf_level"), "mini",
        ["'eqf_level'", "less than or equal to 8"]),
    "unknown key: item": Break(
        A, [(A, "numeric = false", 'numeric = false\ncolour = "red"')], At("colour"),
        "call-number", ["unknown key 'colour'"]),
    "unknown key: option": Break(
        A, [(A, 'id = "breaths"', 'id = "breaths"\nweight = 1')], At("weight = 1"),
        "first-step", ["unknown key 'option.weight'"]),
    "unknown key: context override": Break(
        A, [(A, "verified_on = 2026-11-20", 'verified_on = 2026-11-20\nsource = "x"')],
        At("source = "), "call-number", ["unknown key 'context.US.source'"]),
    "unknown key: module": Break(
        M, [(M, "eqf_level = 3", "eqf_level = 3\ncolour = 1")], At("colour = 1"), "mini",
        ["unknown key 'colour'"]),
    "unknown key: module table": Break(
        M, [(M, "hours = 4", "hours = 4\ndays = 1")], At("days = 1"), "mini",
        ["unknown key 'workload.days'"]),
    "unknown key: items file": Break(
        A, [(A, "[[item]]", 'title = "Alarm"\n\n[[item]]')], At("title = "), "mini",
        ["unknown key 'title'", "[[item]]"]),
    "missing required key": Break(
        A, [(A, 'type = "single"\noutcomes = ["alarm"]\n', 'type = "single"\n')],
        At("[[item]]", before='id = "first-step"'), "first-step",
        ["missing required key 'outcomes'"]),
    "unknown item type": Break(
        A, [(A, 'type = "single"', 'type = "singel"')], At('type = "singel"'), "first-step",
        ["unknown item type 'singel'", "single, multiple, order, text, match, practical"]),
    "invalid id": Break(
        A, [(A, 'id = "first-step"', 'id = "First Step"')], At('id = "First Step"'),
        "First Step", ["'id' has an invalid value"]),
    "invalid locale tag": Break(
        A, [(A, 'text.en = "What do you do first?"', 'text.EN = "What do you do first?"')],
        At("text.EN"), "first-step", ["'text.EN' is not a valid key"]),
    "invalid context code": Break(
        A, [(A, "[item.context.US]", "[item.context.us]")], At("[item.context.us]"),
        "call-number", ["'context.us' is not a valid key"]),
    "duplicate item id in one file": Break(
        A, [(A, 'id = "sequence"', 'id = "first-step"')],
        At('id = "first-step"', after="Give two rescue breaths"), "first-step",
        ["duplicate item id (first at "]),
    "duplicate option id": Break(
        A, [(A, 'id = "breaths"', 'id = "safety"')], At('id = "safety"', "Make the scene safe"),
        "first-step", ["duplicate option id 'safety'"]),
    "duplicate step id": Break(
        A, [(A, "[item.context.US]", '[[item.step]]\nid = "call"\ntext.en = "Call"\n'
             'text.da = "Ring"\ntext.de = "Rufen"\n\n[item.context.US]', 'id = "sequence"')],
        At('id = "call"', "Start compressions"), "sequence", ["duplicate step id 'call'"]),
    "duplicate criterion id": Break(
        P, [(P, 'id = "jacket"', 'id = "helmet"')], At('id = "helmet"', "Helmet with"),
        "ppe-bench", ["duplicate criterion id 'helmet'"]),
    "duplicate outcome id": Break(
        M, [], At('id = "alarm"', "Wählt die Schutz"), "mini", ["duplicate outcome id 'alarm'"],
        append=[(M, OUTCOME.format(id="alarm"))]),
    "duplicate context": Break(
        M, [], At('code = "DK"', 'guideline = "AHA 2020"'), "mini", ["context DK declared twice"],
        append=[(M, '\n[[context]]\ncode = "DK"\n')]),
    "outcome referenced but not defined": Break(
        A, [(A, 'outcomes = ["alarm"]', 'outcomes = ["alarm", "ghost"]')], At('"ghost"'),
        "call-number", ["outcome 'ghost' is not defined"]),
    "pass rule names an undefined outcome": Break(
        M, [(M, "outcomes = { alarm = 1.0 }", "outcomes = { alarm = 1.0, ghost = 1.0 }")],
        At("ghost = 1.0"), "mini", ["pass rule names outcome 'ghost'"]),
    "outcome with no item": Break(
        M, [], At("[[outcome]]", before='id = "spare"'), "mini", ["outcome 'spare' has no item"],
        append=[(M, OUTCOME.format(id="spare"))]),
    "outcome with fewer items than the blueprint draws": Break(
        M, [(M, "per_outcome = 1", "per_outcome = 3"),
            (P, 'outcomes = ["ppe"]', 'outcomes = ["alarm"]', 'id = "ppe-bench"')],
        At("[[outcome]]", before='id = "ppe"'), "mini",
        ["outcome 'ppe' has 2 item(s); the blueprint draws 3 per outcome"]),
    "single key naming no option": Break(
        A, [(A, 'answer = "safety"', 'answer = "ghost"')], At('answer = "ghost"'), "first-step",
        ["key for DK, US: names no option: ghost"]),
    "single key naming no option of an override's options": Break(
        A, [(A, 'references = ["ERC 2021 BLS"]\n', 'references = ["ERC 2021 BLS"]\n\n'
             '[item.context.US]\nverified_on = 2026-11-20\n'
             '[[item.context.US.option]]\nid = "call"\n'
             'text.en = "Call"\ntext.da = "Ring"\ntext.de = "Rufen"\n'
             '[[item.context.US.option]]\nid = "run"\n'
             'text.en = "Run"\ntext.da = "Løb"\ntext.de = "Laufen"\n')],
        At('answer = "safety"'), "first-step", ["key for US: names no option: safety"]),
    "multiple key naming no option": Break(
        P, [(P, 'answer = ["helmet", "gloves"]', 'answer = ["helmet", "boots"]')],
        At('"boots"'), "ppe-pick", ["names no option: boots"]),
    "multiple key naming an option twice": Break(
        P, [(P, 'answer = ["helmet", "gloves"]', 'answer = ["helmet", "helmet"]')],
        At('answer = ["helmet", "helmet"]'), "ppe-pick", ["more than once: helmet"]),
    "multiple key naming nothing": Break(
        P, [(P, 'answer = ["helmet", "gloves"]', "answer = []")], At("answer = []"),
        "ppe-pick", ["needs at least one option"]),
    "order key missing a step": Break(
        A, [(A, 'answer = ["check", "call", "push"]', 'answer = ["check", "call"]')],
        At('answer = ["check", "call"]'), "sequence", ["key for DK", "missing: push"]),
    "order key with a step twice": Break(
        A, [(A, 'answer = ["check", "call", "push"]', 'answer = ["check", "call", "call"]')],
        At('answer = ["check", "call", "call"]'), "sequence",
        ["key for DK", "more than once: call"]),
    "order key naming no step": Break(
        A, [(A, 'answer = ["call", "check", "push"]', 'answer = ["call", "check", "jump"]')],
        At('"jump"'), "sequence", ["key for US", "names no step: jump"]),
    "match key naming no entry": Break(
        P, [(P, 'en379 = "auto"', 'en379 = "ghost"')], At('"ghost"'), "filter-match",
        ["names no entry: ghost"]),
    "match key leaving a left entry unpaired": Break(
        P, [(P, 'answer = { en169 = "passive", en379 = "auto" }',
             'answer = { en169 = "passive" }')],
        At("answer = { en169"), "filter-match", ["left entries without a pair: en379"]),
    "text key with no accepted answer": Break(
        A, [(A, 'answer = ["911"]', "answer = []")], At("answer = []"), "call-number",
        ["key for US: no accepted answer"]),
    "numeric key that is not a number": Break(
        A, [(A, "numeric = false", "numeric = true"), (A, 'answer = ["911"]', 'answer = ["9l1"]')],
        At('"9l1"'), "call-number", ["key for US", "not a number: 9l1"]),
    "override for an undeclared context": Break(
        A, [(A, "[item.context.US]", "[item.context.FR]")], At("[item.context.FR]"),
        "call-number", ["override for context FR", "does not declare"]),
    "a context without a resolvable key": Break(
        A, [(A, 'answer = ["112"]\n', "")], At("[[item]]"), "call-number",
        ["no key for DK", "[item.context.DK]"]),
    "declared locale without item text": Break(
        A, [(A, 'text.de = "Sie arbeiten in {country}. Welche Nummer rufen Sie an?"\n', "")],
        At('text.en = "You work in'), "call-number", ["text missing for locale(s): de"]),
    "declared locale without option text": Break(
        A, [(A, 'text.de = "Für Sicherheit sorgen"\n', "")], At('text.en = "Make the scene safe"'),
        "first-step", ["option 'safety' text missing for locale(s): de"]),
    "declared locale without override text": Break(
        A, [(A, "verified_on = 2026-11-20", 'verified_on = 2026-11-20\ntext.en = "Dial 911"')],
        At('text.en = "Dial 911"'), "call-number", ["text missing for locale(s): da, de"]),
    "declared locale without outcome text": Break(
        M, [(M, 'text.de = "Wählt die Schutzausrüstung für die Aufgabe"\n', "")],
        At('text.en = "Chooses protective'), "mini", ["outcome 'ppe' text missing", "de"]),
    "declared locale without module title": Break(
        M, [(M, 'title.de = "Mini-Sicherheit"\n', "")], At("title.en"), "mini",
        ["title missing for locale(s): de"]),
    "text in an undeclared locale": Break(
        A, [(A, 'text.en = "You work in', 'text.fr = "Vous travaillez."\ntext.en = "You work in')],
        At("text.fr"), "call-number", ["text in undeclared locale 'fr'"]),
    "rationale in an undeclared locale": Break(
        P, [(P, 'why.en = "Arc light and spatter."',
             'why.en = "Arc light and spatter."\nwhy.sv = "Ljusbåge."')],
        At("why.sv"), "ppe-pick", ["rationale (why) in undeclared locale 'sv'"]),
    "placeholder that does not resolve": Break(
        A, [(A, "You work in {country}.", "You work in {land}.")], At("{land}"), "call-number",
        ["text (en)", "'{land}'", "does not resolve"]),
    "placeholder in an option": Break(
        A, [(A, '"Skab sikkerhed"', '"Skab {sikkerhed}"')], At("{sikkerhed}"), "first-step",
        ["option 'safety' text (da)", "'{sikkerhed}'"]),
    "placeholder in a format spec": Break(
        A, [(A, "You work in {country}.", "You work in {country:>{width}}.")], At("{width}"),
        "call-number", ["'{width}'"]),
    "unbalanced brace": Break(
        A, [(A, "Du arbejder i {country}.", "Du arbejder i {country.")], At("{country."),
        "call-number", ["text (da)", "unbalanced brace"]),
    "blueprint drawing more items than exist": Break(
        M, [(M, "items = 5", "items = 7")], At("items = 7"), "mini",
        ["the blueprint draws 7 items but the module has 6"]),
    "fallback naming an undeclared language": Break(
        M, [(M, 'fallback = { da = ["en"], de = ["en"] }',
             'fallback = { da = ["sv"], de = ["en"] }')],
        At("fallback"), "mini", ["fallback for 'da' names 'sv'"]),
}


def apply(folder: Path, case: Break) -> Path:
    for name, text in case.append:
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write(text)
    for name, old, new, *after in case.edits:
        edit(folder / name, old, new, *after)
    return folder / case.file


def test_the_clean_fixture_has_no_problem_at_all(tmp_path: Path) -> None:
    result = check(copy_mini(tmp_path))
    assert result.problems == [], show(result.problems)
    assert [m.id for m in result.modules] == ["mini"]


@pytest.mark.parametrize("name", list(ERRORS))
def test_each_check_names_file_line_item_and_message(tmp_path: Path, name: str) -> None:
    case = ERRORS[name]
    folder = copy_mini(tmp_path)
    target = apply(folder, case)
    expected_line = case.at.line(target)

    result = check(folder)
    found = errors(result)
    assert len(found) == 1, show(found)
    problem = found[0]
    assert (problem.path, problem.line, problem.subject) == (target, expected_line, case.subject), (
        problem.render())
    for gist in case.gist:
        assert gist in problem.message, problem.render()
    assert result.modules == []


def test_duplicate_item_id_names_where_the_first_is(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / A, 'id = "sequence"', 'id = "first-step"')
    [problem] = errors(check(folder))
    first = At("[[item]]", before='id = "first-step"').line(folder / A)
    assert problem.message == f"duplicate item id (first at {folder / A}:{first})"


def test_duplicate_item_id_in_another_file_names_both_places(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / P, 'id = "ppe-pick"', 'id = "call-number"')
    [problem] = errors(check(folder))
    assert problem.path == folder / P
    assert problem.line == line_of(folder / P, 'id = "call-number"')
    assert problem.subject == "call-number"
    assert problem.message == f"duplicate item id (first at {folder / A}:1)"


def test_duplicate_item_id_is_found_even_when_the_first_is_invalid(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / A, 'id = "sequence"', 'id = "first-step"')
    edit(folder / A, 'type = "single"', 'type = "singel"')
    found = errors(check(folder))
    assert sorted(p.message.split(" (")[0] for p in found) == [
        "duplicate item id", "unknown item type 'singel'"], show(found)


def test_an_item_whose_id_is_the_module_id_is_reported_in_its_own_file(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / A, 'id = "first-step"', 'id = "mini"')
    edit(folder / A, 'answer = "safety"', 'answer = "ghost"')
    [problem] = errors(check(folder))
    assert (problem.path, problem.subject) == (folder / A, "mini")
    assert problem.line == line_of(folder / A, 'answer = "ghost"')


def test_the_same_key_problem_in_every_context_is_one_line(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / P, 'answer = ["helmet", "gloves"]', 'answer = ["helmet", "boots"]')
    [problem] = errors(check(folder))
    assert problem.message == "key for DK, US: names no option: boots"


WARNINGS: dict[str, Break] = {
    "missing rationale": Break(
        P, [(P, 'why.en = "Observed at the bench."\nwhy.da = "Observeres ved arbejdsbordet."\n'
             'why.de = "Wird am Arbeitsplatz beobachtet."\n', "")],
        At("[[item]]", before='id = "ppe-bench"'), "ppe-bench",
        ["rationale (why) missing for locale(s): en, da, de"]),
    "rationale missing in one locale": Break(
        P, [(P, 'why.da = "Lysbue og sprøjt."\n', "")], At('why.en = "Arc light'), "ppe-pick",
        ["rationale (why) missing for locale(s): da"]),
    "missing references": Break(
        P, [(P, 'references = ["Site rules"]\n', "")], At("[[item]]", before='id = "ppe-bench"'),
        "ppe-bench", ["no references"]),
    "override without verified_on": Break(
        A, [(A, "verified_on = 2026-11-20\n", "")], At("[item.context.US]"), "call-number",
        ["without 'verified_on' for US"]),
}


@pytest.mark.parametrize("name", list(WARNINGS))
def test_warnings_are_only_warnings(tmp_path: Path, name: str) -> None:
    case = WARNINGS[name]
    folder = copy_mini(tmp_path)
    target = apply(folder, case)
    expected_line = case.at.line(target)

    result = check(folder)
    assert errors(result) == [], show(errors(result))
    [problem] = warnings(result)
    assert (problem.path, problem.line, problem.subject) == (target, expected_line, case.subject), (
        problem.render())
    for gist in case.gist:
        assert gist in problem.message, problem.render()
    assert [m.id for m in result.modules] == ["mini"]  # a warning leaves the module usable

    runner = CliRunner()
    relaxed = runner.invoke(main, ["bank", "check", str(folder.parent)])
    assert relaxed.exit_code == 0, relaxed.output
    assert "1 module(s) OK, 1 warning(s)" in relaxed.output
    strict = runner.invoke(main, ["bank", "check", "--strict", str(folder.parent)])
    assert strict.exit_code == 1, strict.output
    assert strict.output.strip() == (
        f"{target}:{expected_line}: warning: {case.subject}: {problem.message}")


def test_check_reports_every_problem_of_every_module_in_one_run(tmp_path: Path) -> None:
    first = copy_mini(tmp_path, "mini")
    second = copy_mini(tmp_path, "other")
    edit(second / M, 'id = "mini"', 'id = "other"')
    # mini: a TOML syntax error in one file and a dangling key in the other
    edit(first / A, "numeric = false", "numeric = ")
    edit(first / P, 'en379 = "auto"', 'en379 = "ghost"')
    # other: a schema error in module.toml and an undeclared locale in an item
    edit(second / M, "eqf_level = 3", "eqf_level = 9")
    edit(second / P, 'why.en = "Arc light', 'why.sv = "Ljus."\nwhy.en = "Arc light')

    result = load_bank(tmp_path / "banks", use_cache=False)
    expected = [
        (first / A, line_of(first / A, "numeric = "), "mini", "TOML syntax"),
        (first / P, line_of(first / P, '"ghost"'), "filter-match", "names no entry: ghost"),
        (second / P, line_of(second / P, "why.sv"), "ppe-pick", "undeclared locale 'sv'"),
        (second / M, line_of(second / M, "eqf_level"), "other", "'eqf_level'"),
    ]
    found = errors(result)
    assert len(found) == len(expected), show(found)
    for problem, (path, line, subject, gist) in zip(
            sorted(found, key=lambda p: str(p.path)), sorted(expected, key=lambda e: str(e[0])),
            strict=True):
        assert (problem.path, problem.line, problem.subject) == (path, line, subject)
        assert gist in problem.message
    assert sorted(result.broken) == ["mini", "other"]

    run = CliRunner().invoke(main, ["bank", "check", str(tmp_path / "banks")])
    assert run.exit_code == 1
    lines = run.output.strip().split("\n")
    assert sorted(lines) == sorted(p.render() for p in found)


def test_a_broken_module_does_not_hide_a_good_one(tmp_path: Path) -> None:
    copy_mini(tmp_path, "mini")
    broken = copy_mini(tmp_path, "other")
    edit(broken / M, 'id = "mini"', 'id = "other"')
    edit(broken / A, 'answer = "safety"', 'answer = "ghost"')
    result = load_bank(tmp_path / "banks", use_cache=False)
    assert [m.id for m in result.modules] == ["mini"]
    assert list(result.broken) == ["other"]


def test_two_modules_with_one_id(tmp_path: Path) -> None:
    copy_mini(tmp_path, "mini")
    copy_mini(tmp_path, "mini-again")
    result = load_bank(tmp_path / "banks", use_cache=False)
    [problem] = errors(result)
    again = tmp_path / "banks" / "mini-again" / M
    assert (problem.path, problem.line) == (again, line_of(again, 'id = "mini"'))
    assert "duplicate module id" in problem.message


def test_json_output_lists_problems_with_their_lines(tmp_path: Path) -> None:
    import json

    folder = copy_mini(tmp_path)
    edit(folder / A, 'answer = "safety"', 'answer = "ghost"')
    run = CliRunner().invoke(main, ["bank", "check", "--json", str(folder.parent)])
    assert run.exit_code == 1
    data = json.loads(run.output)
    assert data["modules"] == []
    [problem] = data["problems"]
    assert problem == {
        "file": str(folder / A), "line": line_of(folder / A, 'answer = "ghost"'),
        "subject": "first-step", "message": "key for DK, US: names no option: ghost",
        "severity": "error",
    }


def test_items_that_are_not_tables_are_one_line_each_and_nothing_more(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    (folder / A).write_text("item = 5\n")
    [problem] = errors(check(folder))  # no echo: outcomes without items, the blueprint
    assert (problem.path, problem.line) == (folder / A, 1)
    assert "[[item]]" in problem.message
    (folder / A).write_text("item = [\n  1,\n  'x',\n]\n")
    found = errors(check(folder))
    assert [(p.line, p.subject) for p in found] == [(2, "item 1"), (3, "item 2")], show(found)
    assert all(p.message.startswith("Input should be a valid dictionary") for p in found)


def test_a_module_toml_error_does_not_flood_the_items(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / M, 'languages = ["en", "da", "de"]', "languages = []")
    [problem] = errors(check(folder))
    assert (problem.path, problem.line) == (folder / M, line_of(folder / M, "languages = []"))


def test_an_invalid_id_says_what_an_id_looks_like(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path)
    edit(folder / M, 'id = "alarm"', 'id = "Alarm"')
    found = errors(check(folder))
    assert [p.message for p in found] == [
        "'outcome.id' has an invalid value 'Alarm': an id is lower-case letters, digits and "
        "'-', e.g. 'call-for-help'"], show(found)


@pytest.mark.parametrize("typed", [
    "112", " 1 1 2 ", "1,5", "1.5", "1.000,5", "1,000.5", "1.000.000", "1_000", "", "abc",
    "1e3", "NaN", "Infinity", "\u22125", "\u20135", "１２",
])
def test_numeric_keys_are_read_as_scoring_reads_answers(typed: str) -> None:
    """A numeric key the check accepts is one scoring can match, and one it refuses is one
    scoring never matches (one rule for both)."""
    scoring = pytest.importorskip("mqexam.exam.scoring")
    from mqexam.bank.numbers import parse_number

    accepted = parse_number(typed) is not None
    assert scoring.text_matches(typed, [typed], numeric=True) == accepted
