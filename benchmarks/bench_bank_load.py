"""How fast a big bank loads, against the floor of tomllib parsing the same files.

Run: ``.venv/bin/python benchmarks/bench_bank_load.py`` (``--help`` for the knobs).

Generates, in a temporary folder, one module of 10,000 items (every item type,
options, steps, match entries and checklists, some country overrides) in 3
locales and 5 contexts, split over 20 items files, and prints from one run the
median of a few runs of:

* floor: ``tomllib`` alone parsing the same files;
* cold:  ``load_bank(..., use_cache=False)``: read, parse, line map, validate, cross-check;
* warm:  ``load_bank(...)`` again on the unchanged bank, answered from the cache;

with each one's ratio to the floor (issue 2's goals: cold <= 1.5x, warm <= 0.2x).
The cache goes to a temporary ``XDG_CACHE_HOME``; the user's own cache is untouched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

LOCALES = ("en", "da", "de")
CONTEXTS = (("DK", "ERC 2021"), ("US", "AHA 2020"), ("DE", "ERC 2021"), ("AU", "ANZCOR 2021"),
            ("GB", "RC UK 2021"))
OUTCOMES = 20
TYPES = ("single", "multiple", "order", "text", "match", "practical")
WORDS = {
    "en": "check the scene call for help push hard and fast protect your eyes from arc light",
    "da": "tjek stedet tilkald hjælp tryk hårdt og hurtigt beskyt øjnene mod lysbuen",
    "de": "Lage prüfen Hilfe rufen fest und schnell drücken Augen vor dem Lichtbogen schützen",
}


def _sentence(locale: str, n: int, length: int = 9) -> str:
    words = WORDS[locale].split()
    return " ".join(words[(n + i) % len(words)] for i in range(length)).capitalize()


def _texts(key: str, n: int, extra: str = "") -> list[str]:
    return [f'{key}.{loc} = "{_sentence(loc, n)}{extra}"' for loc in LOCALES]


def _entries(table: str, prefix: str, count: int, n: int) -> list[str]:
    lines: list[str] = []
    for i in range(count):
        lines += ["", f"[[{table}]]", f'id = "{prefix}{i}"', *_texts("text", n + i)]
    return lines


def item_toml(n: int) -> list[str]:
    """One realistic item: universal key first, then (for some) how a country differs."""
    kind = TYPES[n % len(TYPES)]
    lines = [
        "[[item]]",
        f'id = "item-{n:05d}"',
        f'type = "{kind}"',
        f'outcomes = ["outcome-{n % OUTCOMES:02d}"]',
        *_texts("text", n, " in {country}?" if n % 3 == 0 else "?"),
    ]
    override: list[str] = []
    if kind in ("single", "multiple"):
        lines.append('answer = "o1"' if kind == "single" else 'answer = ["o0", "o2"]')
        override = ['answer = "o2"' if kind == "single" else 'answer = ["o1"]']
    elif kind == "order":
        lines += ['answer = ["s0", "s1", "s2", "s3"]']
        override = ['answer = ["s1", "s0", "s2", "s3"]']
    elif kind == "text":
        lines += ["numeric = true", 'answer = ["112"]']
        override = ['answer = ["911"]']
    elif kind == "match":
        lines += ['answer = { l0 = "r0", l1 = "r1", l2 = "r2" }']
        override = ['answer = { l0 = "r1", l1 = "r0", l2 = "r2" }']
    lines += [*_texts("why", n + 1), f'references = ["EN ISO {n % 997} clause {n % 7}"]']
    if n % 11 == 0:
        lines.append(f'notes.de = "{_sentence("de", n, 5)}"')
    if kind in ("single", "multiple"):
        lines += _entries("item.option", "o", 4, n)
    elif kind == "order":
        lines += _entries("item.step", "s", 4, n)
    elif kind == "match":
        lines += _entries("item.left", "l", 3, n) + _entries("item.right", "r", 4, n)
    elif kind == "practical":
        lines += _entries("item.criterion", "c", 3, n)
    if n % 5 == 0 and override:
        code = CONTEXTS[1 + n % (len(CONTEXTS) - 1)][0]
        lines += ["", f"[item.context.{code}]", *override, *_texts("why", n + 2),
                  f'references = ["National guidance {code} {n}"]', "verified_on = 2026-11-20"]
    return [*lines, ""]


def module_toml(items: int) -> str:
    lines = [
        'id = "bench"', 'version = "1.0.0"', f"languages = {list(LOCALES)!r}".replace("'", '"'),
        'awarding_body = "Benchmark College"', 'issuer_country = "DK"', "eqf_level = 3",
        *_texts("title", 0), *_texts("assessment_type", 1), *_texts("participation", 2),
        *_texts("quality_assurance", 3), "", "[workload]", "hours = 40", "",
        "[blueprint]", f"items = {min(items, 40)}", "per_outcome = 1", "time_limit_minutes = 60",
        "", "[pass]", "overall = 0.8",
    ]
    for code, guideline in CONTEXTS:
        lines += ["", "[[context]]", f'code = "{code}"', f'guideline = "{guideline}"']
    for i in range(OUTCOMES):
        lines += ["", "[[outcome]]", f'id = "outcome-{i:02d}"', *_texts("text", i)]
    return "\n".join(lines) + "\n"


def generate(root: Path, items: int = 10_000, files: int = 20) -> Path:
    """Write the benchmark module under ``root/bench`` and return its folder."""
    folder = root / "bench"
    (folder / "items").mkdir(parents=True)
    (folder / "module.toml").write_text(module_toml(items), encoding="utf-8")
    per_file = -(-items // files)
    for f in range(files):
        chunk = range(f * per_file, min(items, (f + 1) * per_file))
        body = [line for n in chunk for line in item_toml(n)]
        (folder / "items" / f"part-{f:02d}.toml").write_text("\n".join(body), encoding="utf-8")
    return folder


def timed(action: Callable[[], object]) -> float:
    """Wall time of ``action``; its result is freed after the clock stops, as a
    caller keeps what it loaded."""
    start = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="mqexam-bench-") as temp:
        os.environ["XDG_CACHE_HOME"] = str(Path(temp) / "cache")
        os.environ.pop("MQEXAM_NO_CACHE", None)
        from mqexam.bank.loader import gc_paused, load_bank, module_files

        folder = generate(Path(temp) / "banks", args.items, args.files)
        paths = module_files(folder)
        size = sum(p.stat().st_size for p in paths)
        lines = sum(p.read_bytes().count(b"\n") for p in paths)
        print(f"bank: {args.items} items, {len(LOCALES)} locales, {len(CONTEXTS)} contexts, "
              f"{len(paths)} files, {size / 1e6:.1f} MB, {lines} lines")

        def floor() -> None:
            # The cheapest tomllib can do: each file's data is dropped at once, so
            # the heap (and the garbage collector's work) stays small.
            for path in paths:
                with path.open("rb") as handle:
                    tomllib.load(handle)

        def floor_gc_paused() -> None:
            with gc_paused():
                floor()

        cold_result = load_bank(folder.parent, use_cache=False)
        errors = cold_result.errors()
        if errors or len(cold_result.modules) != 1:
            for problem in errors[:10]:
                print(problem.render(), file=sys.stderr)
            print("the generated bank does not load cleanly", file=sys.stderr)
            return 1
        load_bank(folder.parent)  # fill the cache
        warm_result = load_bank(folder.parent)
        if warm_result.modules != cold_result.modules:
            print("the warm load differs from the cold load", file=sys.stderr)
            return 1
        del cold_result, warm_result

        # Interleaved rounds, so a busy machine slows every measure alike.
        measures: dict[str, Callable[[], object]] = {
            "floor": floor,
            "floor_gc_paused": floor_gc_paused,
            "cold": lambda: load_bank(folder.parent, use_cache=False),
            "warm": lambda: load_bank(folder.parent),
        }
        times: dict[str, list[float]] = {name: [] for name in measures}
        for _ in range(args.runs):
            for name, action in measures.items():
                times[name].append(timed(action))
        t_floor, t_floor_paused, t_cold, t_warm = (
            statistics.median(times[name]) for name in measures)
    print(f"median of {args.runs} runs")
    print(f"  floor  tomllib alone     {t_floor * 1000:8.1f} ms   1.00x")
    print(f"  cold   load + validate   {t_cold * 1000:8.1f} ms   {t_cold / t_floor:.2f}x"
          "   (goal <= 1.5x)")
    print(f"  warm   cached, unchanged {t_warm * 1000:8.1f} ms   {t_warm / t_floor:.2f}x"
          "   (goal <= 0.2x)")
    print(f"  (for reference: tomllib with the garbage collector paused, as our loader runs: "
          f"{t_floor_paused * 1000:.1f} ms; cold is {t_cold / t_floor_paused:.2f}x that)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
