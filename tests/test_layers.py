"""The layers of DESIGN.md hold: the core imports without Textual, and ``bank/`` and
``exam/`` without SQLite; ``mqexam --help`` neither imports Textual nor loads a bank.

As in harlequin, the imports run in a fresh interpreter. The modules of each package
are found with pkgutil, so a new module is covered the day it is added. One
interpreter per layer imports that layer's modules one after another and reports,
after each, which forbidden modules have appeared: imports only ever add to
``sys.modules``, so none appearing by the end proves none of them imports one, and
the first module after which one appears is named.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mqexam

SRC = Path(__file__).parent.parent / "src"

RUNNER = textwrap.dedent("""
    import importlib, json, sys
    modules, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    seen = {}
    for name in modules:
        importlib.import_module(name)
        seen[name] = sorted(f for f in forbidden
                            if any(m == f or m.startswith(f + ".") for m in sys.modules))
    print(json.dumps(seen))
""")


def modules_of(package: str) -> list[str]:
    """``package`` and every module below it (pkgutil, so namespace packages count too)."""
    folder = Path(mqexam.__file__).parent / package.removeprefix("mqexam.").replace(".", "/")
    if not folder.is_dir():
        return [package] if (folder.with_suffix(".py")).is_file() else []
    found = [package]
    for info in pkgutil.walk_packages([str(folder)], prefix=f"{package}."):
        found.append(info.name)
    return sorted(found)


def imported(modules: list[str], forbidden: list[str]) -> dict[str, list[str]]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(modules), json.dumps(forbidden)],
        capture_output=True, text=True, timeout=120, env=env, cwd=SRC.parent)
    assert run.returncode == 0, run.stderr
    result: dict[str, list[str]] = json.loads(run.stdout)
    return result


def first_offenders(seen: dict[str, list[str]], modules: list[str]) -> dict[str, str]:
    """Each forbidden module that appeared, and the first module after which it did."""
    firsts: dict[str, str] = {}
    for name in modules:
        for forbidden in seen[name]:
            firsts.setdefault(forbidden, name)
    return firsts


CORE = ["mqexam.bank", "mqexam.exam"]
NO_UI = ["mqexam.i18n", "mqexam.cli", "mqexam.store", "mqexam.evidence"]


def test_the_packages_are_found() -> None:
    bank = modules_of("mqexam.bank")
    assert {"mqexam.bank.loader", "mqexam.bank.checks", "mqexam.bank.source",
            "mqexam.bank.model", "mqexam.bank.cache"} <= set(bank)
    assert "mqexam.exam.difference" in modules_of("mqexam.exam")
    assert modules_of("mqexam.cli")[0] == "mqexam.cli"


def test_bank_and_exam_import_neither_textual_nor_sqlite() -> None:
    modules = [m for package in CORE for m in modules_of(package)]
    seen = imported(modules, ["textual", "sqlite3", "sqlite_utils", "mqexam.store",
                              "mqexam.tui"])
    offenders = first_offenders(seen, modules)
    assert offenders == {}, f"imported (and by which module first): {offenders}"


def test_the_rest_of_the_core_imports_without_textual() -> None:
    modules = [m for package in NO_UI for m in modules_of(package)]
    seen = imported(modules, ["textual", "mqexam.tui"])
    offenders = first_offenders(seen, modules)
    assert offenders == {}, f"imported (and by which module first): {offenders}"


HELP_RUNNER = textwrap.dedent("""
    import json, sys
    from mqexam.cli import main
    try:
        main.main(args=sys.argv[1:], prog_name="mqexam")
    except SystemExit as exit:
        code = exit.code
    loaded = [m for m in sys.modules
              if m.split(".")[0] in ("textual", "sqlite_utils")
              or m.startswith(("mqexam.bank.loader", "mqexam.tui"))]
    print("\\n" + json.dumps({"exit": code, "loaded": sorted(loaded)}))
""")


@pytest.mark.parametrize("args", [["--help"], ["bank", "--help"], ["bank", "check", "--help"]])
def test_help_imports_no_textual_and_loads_no_bank(tmp_path: Path, args: list[str]) -> None:
    banks = tmp_path / "banks"  # a bank that cannot be loaded, should anything try
    banks.mkdir()
    (banks / "module.toml").write_text("[")
    env = {**os.environ, "PYTHONPATH": str(SRC), "MQEXAM_BANKS": str(banks)}
    run = subprocess.run([sys.executable, "-c", HELP_RUNNER, *args], capture_output=True,
                         text=True, timeout=60, env=env)
    assert run.returncode == 0, run.stderr
    help_text, report = run.stdout.rsplit("\n", 2)[0], json.loads(run.stdout.rsplit("\n", 2)[1])
    assert "Usage: mqexam" in help_text
    assert report == {"exit": 0, "loaded": []}


def _imports(path: Path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


SOURCE = Path(__file__).parent.parent / "src" / "mqexam"


def test_only_the_store_touches_sqlite() -> None:
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "store" not in path.relative_to(SOURCE).parts
        and any(name.split(".")[0] in {"sqlite3", "sqlite_utils"} for name in _imports(path))
    ]
    assert offenders == []


def test_the_apps_never_score() -> None:
    offenders = [
        str(path.relative_to(SOURCE))
        for path in (SOURCE / "tui").rglob("*.py")
        if any(name.startswith("mqexam.exam.scoring") for name in _imports(path))
    ]
    assert offenders == []
