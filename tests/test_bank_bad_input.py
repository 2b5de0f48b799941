"""Bad input to ``mqexam bank``: one clear line each, exit 1, never a traceback.

Through the real command line in a subprocess (``python -m mqexam``) where the
process boundary matters (a pipe that would block, permissions, a 50 MB file, a
whole folder of broken modules at once) and through click's CliRunner for the rest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from mqexam.bank.loader import load_bank
from mqexam.cli import main

MINI = Path(__file__).parent / "fixtures" / "banks" / "mini"
HELPERS = Path(__file__).parent / "helpers"
SRC = Path(__file__).parent.parent / "src"
LINE = re.compile(r"^(?P<file>/[^:]+?)(?::(?P<line>\d+))?: (?P<subject>[^:]+): (?P<message>.+)$")


def copy_mini(banks: Path, name: str = "mini") -> Path:
    folder = banks / name
    shutil.copytree(MINI, folder)
    if name != "mini":
        module = folder / "module.toml"
        module.write_text(module.read_text().replace('id = "mini"', f'id = "{name}"', 1))
    return folder


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "MQEXAM_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "mqexam", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def one_line(stdout: str, stderr: str = "") -> str:
    """The single line a failure prints, after making sure nothing else came out."""
    text = stdout + stderr
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    lines = text.strip().split("\n")
    assert len(lines) == 1, text
    return lines[0]


# -- broken files: each a way to break one module --------------------------------------

Breaker = Callable[[Path], tuple[Path, int | None, str]]
"""Breaks a module folder; returns the file, the line (or None) and the message gist."""


def broken_toml(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "alarm.toml"
    path.write_text(path.read_text().replace('id = "first-step"', 'id = "first-step'))
    line = path.read_text().split("\n").index('id = "first-step') + 1
    return path, line, "TOML syntax"


def empty_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "empty.toml"
    path.write_bytes(b"")
    return path, None, "the file is empty"


def blank_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "module.toml"
    path.write_bytes(b"\n  \n\t\n")
    return path, None, "the file is empty"


def binary_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "image.toml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return path, None, "binary file"


def utf16_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "ppe.toml"
    path.write_bytes(path.read_text().encode("utf-16"))
    return path, None, "UTF-16"


def latin1_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "ppe.toml"
    text = path.read_text().replace("Svejsehjelm", "Svejsehjelm med skærm")
    path.write_bytes(text.encode("latin-1"))
    line = next(number for number, line in enumerate(text.split("\n"), start=1)
                if not line.isascii())
    return path, line, "not UTF-8"


def fifo(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "pipe.toml"
    os.mkfifo(path)
    return path, None, "not a regular file"


def dangling_link(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "moved.toml"
    path.symlink_to(folder / "items" / "nowhere.toml")
    return path, None, "a link to a file that does not exist"


def folder_for_a_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "more.toml"
    path.mkdir()
    return path, None, "expected a file, found a folder"


def folder_for_module_toml(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "module.toml"
    path.unlink()
    path.mkdir()
    return path, None, "expected a file, found a folder"


def items_is_a_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items"
    shutil.rmtree(path)
    path.write_text("")
    return path, None, "'items' must be a folder"


def huge_file(folder: Path) -> tuple[Path, int | None, str]:
    path = folder / "items" / "huge.toml"
    with path.open("w") as handle:
        line = "# " + "x" * 1021 + "\n"
        handle.write(line * (50 * 1024))
    assert path.stat().st_size == 50 * 1024 * 1024
    return path, None, "file is 50 MB, more than the 5 MB"


def _replace(folder: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    path = folder / name
    text = path.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text)
    return path, text[: text.index(new)].count("\n") + 1


def wrong_type(folder: Path) -> tuple[Path, int | None, str]:
    path, line = _replace(folder, "items/ppe.toml", 'scoring = "partial"', "scoring = 1")
    return path, line, "'scoring'"


def unknown_item_type(folder: Path) -> tuple[Path, int | None, str]:
    path, line = _replace(folder, "items/ppe.toml", 'type = "match"', 'type = "matching"')
    return path, line, "unknown item type 'matching'"


def key_naming_nothing(folder: Path) -> tuple[Path, int | None, str]:
    path, line = _replace(folder, "items/alarm.toml", 'answer = "safety"', 'answer = "safe"')
    return path, line, "names no option: safe"


def undeclared_locale(folder: Path) -> tuple[Path, int | None, str]:
    path, line = _replace(folder, "items/ppe.toml", 'text.de = "Sandalen"',
                          'text.de = "Sandalen"\ntext.nb = "Sandaler"')
    return path, line + 1, "undeclared locale 'nb'"


BREAKERS: dict[str, Breaker] = {
    "broken TOML": broken_toml,
    "empty file": empty_file,
    "blank module.toml": blank_file,
    "binary file": binary_file,
    "UTF-16 file": utf16_file,
    "not UTF-8": latin1_file,
    "a pipe": fifo,
    "a dangling link": dangling_link,
    "a folder where a file belongs": folder_for_a_file,
    "module.toml is a folder": folder_for_module_toml,
    "items is a file": items_is_a_file,
    "wrong type": wrong_type,
    "unknown item type": unknown_item_type,
    "a key naming nothing": key_naming_nothing,
    "an undeclared locale": undeclared_locale,
}


def assert_line(line: str, path: Path, number: int | None, gist: str) -> None:
    match = LINE.match(line)
    assert match, line
    assert match["file"] == str(path), line
    assert match["line"] == (str(number) if number else None), line
    assert gist in match["message"], line


@pytest.mark.parametrize("name", list(BREAKERS))
def test_each_bad_input_is_one_line_and_exit_1(tmp_path: Path, name: str) -> None:
    folder = copy_mini(tmp_path / "banks")
    path, number, gist = BREAKERS[name](folder)
    result = CliRunner().invoke(main, ["bank", "check", str(tmp_path / "banks")])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert_line(one_line(result.output), path, number, gist)


def test_every_bad_input_at_once_through_the_real_command(tmp_path: Path) -> None:
    """One ``python -m mqexam bank check`` over a folder of modules, each broken one way:
    one line per module, exit 1, no traceback, and a pipe does not block it."""
    banks = tmp_path / "banks"
    expected = {}
    for index, (name, breaker) in enumerate(BREAKERS.items()):
        folder = copy_mini(banks, f"m{index:02d}")
        expected[name] = breaker(folder)
    run = run_cli("bank", "check", str(banks))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stdout.strip().split("\n")
    assert run.stderr == ""
    assert len(lines) == len(BREAKERS), run.stdout
    for line, (path, number, gist) in zip(lines, expected.values(), strict=True):
        assert_line(line, path, number, gist)


def test_a_50_mb_file_through_the_real_command(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path / "banks")
    path, number, gist = huge_file(folder)
    run = run_cli("bank", "check", str(tmp_path / "banks"))
    assert run.returncode == 1
    assert_line(one_line(run.stdout, run.stderr), path, number, gist)


def test_a_pipe_is_refused_by_the_cached_load_too(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = copy_mini(tmp_path / "banks")
    path, _, gist = fifo(folder)
    result = load_bank(tmp_path / "banks")  # the cache reads the files first
    [problem] = result.problems
    assert (problem.path, gist in problem.message) == (path, True)


# -- every field with a value of the wrong type ------------------------------------------

ASSIGNMENT = re.compile(r'^(?P<key>[A-Za-z0-9_.-]+) = (?P<value>.+)$')


def assignments() -> Iterator[tuple[str, int, str]]:
    for path in sorted(MINI.rglob("*.toml")):
        for number, line in enumerate(path.read_text().split("\n"), start=1):
            if ASSIGNMENT.match(line):
                yield path.relative_to(MINI).as_posix(), number, line


def wrong_value(value: str) -> str:
    """A TOML value of another type: a number for a string, a string for anything else."""
    return "12" if value.startswith('"') else '"wrong"'


def test_a_wrong_type_in_any_field_is_reported_at_its_line(tmp_path: Path) -> None:
    cases = list(assignments())
    assert len(cases) > 150
    for name, number, line in cases:
        banks = tmp_path / f"case{number}-{name.replace('/', '-')}"
        folder = copy_mini(banks)
        path = folder / name
        lines = path.read_text().split("\n")
        match = ASSIGNMENT.match(line)
        assert match
        lines[number - 1] = f"{match['key']} = {wrong_value(match['value'])}"
        path.write_text("\n".join(lines))
        result = load_bank(banks, use_cache=False)
        found = [p for p in result.problems if p.severity == "error"]
        assert found, f"{name}:{number}: {lines[number - 1]} was accepted"
        assert (path, number) in {(p.path, p.line) for p in found}, (
            f"{name}:{number}: " + "; ".join(p.render() for p in found))
        shutil.rmtree(banks)


def test_an_unknown_key_in_any_table_is_reported_at_its_line(tmp_path: Path) -> None:
    cases = [(path.relative_to(MINI).as_posix(), number)
             for path in sorted(MINI.rglob("*.toml"))
             for number, line in enumerate(path.read_text().split("\n"), start=1)
             if line.startswith("[")]
    assert len(cases) > 20
    for name, number in cases:
        banks = tmp_path / f"case{number}-{name.replace('/', '-')}"
        folder = copy_mini(banks)
        path = folder / name
        lines = path.read_text().split("\n")
        lines.insert(number, "bogus = 1")
        path.write_text("\n".join(lines))
        result = load_bank(banks, use_cache=False)
        found = [p for p in result.problems if p.severity == "error"]
        assert [(p.path, p.line) for p in found] == [(path, number + 1)], (
            "; ".join(p.render() for p in found))
        assert "unknown key" in found[0].message and "bogus" in found[0].message
        shutil.rmtree(banks)


# -- folders that cannot be read, and commands given names that do not exist -------------


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder any user may enter (pytest's own is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="mqexam-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(folder)


def run_without_privileges(warmup: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mqexam ARGS`` as a user that ``chmod 000`` applies to (drops root if need be)."""
    if os.geteuid() != 0:
        return run_cli(*args)
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{HELPERS.parent}",
           "MQEXAM_LANG": "en"}
    run = subprocess.run(
        [sys.executable, str(HELPERS / "run_unprivileged.py"), str(warmup), *args],
        capture_output=True, text=True, timeout=60, env=env)
    if run.returncode == 77:
        pytest.skip("running as root without the right to become another user")
    return run


UNREADABLE = {
    "m0": ("", "cannot read the folder: permission denied"),
    "m1": ("items", "cannot read the folder: permission denied"),
    "m2": ("items/alarm.toml", "cannot read the file: permission denied"),
    "m3": ("module.toml", "cannot read the file: permission denied"),
}


def test_unreadable_folders_and_files(shared_tmp: Path) -> None:
    """chmod 000 on a module folder, its items folder, an items file and module.toml:
    one line each, in one run."""
    banks = shared_tmp / "banks"
    targets = []
    for name, (inside, _gist) in UNREADABLE.items():
        folder = copy_mini(banks, name)
        targets.append(folder / inside if inside else folder)
    copy_mini(shared_tmp / "warmup")
    for target in targets:
        target.chmod(0)
    run = run_without_privileges(shared_tmp / "warmup", "bank", "check", str(banks))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr and run.stderr == ""
    lines = run.stdout.strip().split("\n")
    assert len(lines) == len(UNREADABLE), run.stdout
    for line, target, (_inside, gist) in zip(lines, targets, UNREADABLE.values(), strict=True):
        assert_line(line, target, None, gist)


def test_unreadable_bank_folder(shared_tmp: Path) -> None:
    banks = shared_tmp / "banks"
    copy_mini(banks)
    copy_mini(shared_tmp / "warmup")
    banks.chmod(0)
    run = run_without_privileges(shared_tmp / "warmup", "bank", "check", str(banks))
    assert run.returncode == 1, run.stdout + run.stderr
    assert one_line(run.stdout, run.stderr) == (
        f"{banks}: bank: cannot read the folder: permission denied")


def test_missing_bank_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    run = run_cli("bank", "check", str(missing))
    assert run.returncode == 1
    assert one_line(run.stdout, run.stderr) == f"{missing}: bank: no such folder"
    listed = CliRunner().invoke(main, ["--banks", str(missing), "bank", "list"])
    assert listed.exit_code == 1
    assert one_line(listed.output) == f"error: {missing}: bank: no such folder"


def test_bank_folder_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "banks.toml"
    path.write_text("")
    result = CliRunner().invoke(main, ["bank", "check", str(path)])
    assert result.exit_code == 1
    assert one_line(result.output) == f"{path}: bank: not a folder"


def test_empty_bank_folder(tmp_path: Path) -> None:
    (tmp_path / "banks").mkdir()
    result = CliRunner().invoke(main, ["bank", "check", str(tmp_path / "banks")])
    assert result.exit_code == 1
    assert one_line(result.output) == f"{tmp_path / 'banks'}: no modules found"


@pytest.mark.parametrize(("args", "gist"), [
    (["bank", "compare", "nope", "DK", "US"], "no module 'nope'"),
    (["bank", "compare", "mini", "DK", "FR"], "module 'mini' has no context FR"),
    (["bank", "compare", "mini", "XX", "US"], "module 'mini' has no context XX"),
    (["bank", "compare", "mini", "DK", "US", "--lang", "fi"], "not written in 'fi'"),
    (["bank", "coverage", "nope"], "no module 'nope'"),
])
def test_commands_given_unknown_names(tmp_path: Path, args: list[str], gist: str) -> None:
    copy_mini(tmp_path / "banks")
    result = CliRunner().invoke(main, ["--banks", str(tmp_path / "banks"), *args])
    assert result.exit_code == 1, result.output
    line = one_line(result.output)
    assert line.startswith("error: ") and gist in line, line


def test_compare_on_a_broken_module_names_its_first_problem(tmp_path: Path) -> None:
    folder = copy_mini(tmp_path / "banks")
    key_naming_nothing(folder)
    result = CliRunner().invoke(main, ["--banks", str(tmp_path / "banks"),
                                       "bank", "compare", "mini", "DK", "US"])
    assert result.exit_code == 1
    line = one_line(result.output)
    assert "module 'mini' has errors" in line and "names no option: safe" in line


def test_compare_with_an_unknown_context_through_the_real_command(tmp_path: Path) -> None:
    copy_mini(tmp_path / "banks")
    run = run_cli("--banks", str(tmp_path / "banks"), "bank", "compare", "mini", "DK", "FR")
    assert run.returncode == 1
    assert "has no context FR" in one_line(run.stdout, run.stderr)


@pytest.mark.parametrize(("module", "context", "expected"), [
    ("nope", "DK", "no module 'nope'"),
    ("mini", "XX", "has no context XX"),
])
def test_exam_command_refuses_an_unknown_module_or_country(module: str, context: str,
                                                           expected: str) -> None:
    from click.testing import CliRunner

    from conftest import MINI_BANKS
    from mqexam.cli import main

    result = CliRunner().invoke(main, ["--banks", str(MINI_BANKS), "exam", module,
                                       "--context", context, "--lang", "en"])
    assert result.exit_code == 1
    assert expected in result.output and "Traceback" not in result.output
