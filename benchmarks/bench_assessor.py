"""How fast the assessor's attempt list and item analysis are, against floors of the same run.

Run: ``.venv/bin/python benchmarks/bench_assessor.py`` (``--help`` for the knobs).

Generates, in a temporary database, 50,000 attempts of the showcase module
(``banks/welding-centre-safety``: 20 items a form, 7 countries), each a proper
hash chain as the apps write it: ``started``, ``shown`` and ``answered`` for
every written item, ``submitted`` or ``expired`` with a result summary,
``graded`` for practical items, some ``signed``, a few ``voided`` or still in
progress. 10,000 of them are in Denmark. Chains are built (hashed) in worker
processes and inserted through ``Store.transaction()`` with ``executemany``.

Then prints the median of a few runs of:

* list:     ``attempt_statuses(store)``, all 50,000 with derived status and result
            (issue 6's goal: under 1 s), beside the floor ``SELECT * FROM attempts``
            on a plain sqlite3 connection, and ``Store.attempts()`` for reference;
* analysis: ``item_analysis(store, module, "DK")`` over the 10,000 Danish attempts
            (read, fold, score, statistics; goal: under 2 s), beside the floors of
            selecting the same event rows on a plain connection and looping over
            them bare, and that loop with ``json.loads`` of every payload.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "banks"
MODULE = "welding-centre-safety"
FORMS_PER_CONTEXT = 16
CHUNK = 1000
START = datetime(2026, 9, 1, 7, 0, tzinfo=UTC)

_module: Any = None
_forms: dict[str, list[Any]] = {}
_results: dict[tuple[Any, ...], dict[str, Any]] = {}


def _setup() -> None:
    """Per worker: the module and a few forms per country (the same in every worker)."""
    global _module
    from mqexam.bank.loader import load_bank
    from mqexam.exam.form import build_form

    _module = load_bank(BANKS, use_cache=False).module(MODULE)
    for context in _module.context_codes:
        _forms[context] = [build_form(_module, context, "en", seed)
                           for seed in range(FORMS_PER_CONTEXT)]


def _right(item: Any) -> Any:
    key = item.key
    if item.type == "text":
        return key[0]
    if item.type == "match":
        return dict(key)
    return list(key) if isinstance(key, list | tuple) else key


def _wrong(item: Any) -> Any:
    if item.type == "single":
        return next(o.id for o in item.options if o.id != item.key)
    if item.type == "multiple":
        return [next(o.id for o in item.options if o.id not in item.key)]
    if item.type == "order":
        return list(reversed(list(item.key)))
    if item.type == "text":
        return "0000"
    return {}


def _summary(form_index: tuple[str, int], right: int, graded: int, form: Any,
             answers: dict[str, Any], grades: dict[str, dict[str, bool]]) -> dict[str, Any]:
    """The result summary, computed once per distinct (form, answers, grades)."""
    from mqexam.exam.scoring import score_form
    from mqexam.sitting import result_summary

    key = (*form_index, right, graded)
    if key not in _results:
        _results[key] = result_summary(score_form(form, answers, grades))
    return _results[key]


def _context(n: int, total: int, in_dk: int) -> str:
    if n < in_dk:
        return "DK"
    others = [c for c in _module.context_codes if c != "DK"]
    return others[n % len(others)] if total > in_dk else "DK"


def build_chunk(first: int, count: int, total: int, in_dk: int
                ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Attempts ``first`` .. ``first + count - 1``: attempt rows and event rows."""
    from mqexam.exam.attempt import format_time
    from mqexam.exam.events import GENESIS, chain
    from mqexam.exam.form import form_manifest

    if _module is None:
        _setup()
    attempts: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for n in range(first, first + count):
        rng = random.Random(n)
        context = _context(n, total, in_dk)
        which = n % FORMS_PER_CONTEXT
        form = _forms[context][which]
        written = [item for item in form.items if item.type != "practical"]
        practical = [item for item in form.items if item.type == "practical"]
        # A learner of ability k gets the k easiest written items right; how easy an item
        # is is fixed per form, so answers repeat across learners as they do in life.
        order = sorted(written, key=lambda item: random.Random(f"{which}{item.id}").random())
        right = rng.randint(len(written) // 3, len(written))
        answers = {item.id: _right(item) if index < right else _wrong(item)
                   for index, item in enumerate(order)}
        attempt_id = f"B{n:07d}"
        learner = f"L{n % 20000:05d}"
        started = START + timedelta(seconds=20 * n)
        payload = {
            "learner": learner, "module": _module.id, "version": _module.version,
            "content_hash": _module.content_hash, "context": context, "locale": "en",
            "kind": "full", "seed": which, "deadline": format_time(started + timedelta(
                seconds=form.time_limit_seconds)),
            "time_limit_seconds": form.time_limit_seconds, "form": form_manifest(form),
            "builds_on": [],
        }
        log = [chain(attempt_id, 1, "started", format_time(started), payload, GENESIS)]

        def add(kind: str, seconds: float, body: dict[str, Any], _id: str = attempt_id,
                _at: datetime = started, _log: list[Any] = log) -> None:
            _log.append(chain(_id, len(_log) + 1, kind, format_time(_at + timedelta(
                seconds=seconds)), body, _log[-1].hash))

        clock = 0.0
        for item in form.items:
            add("shown", clock, {"item": item.id})
            clock += rng.uniform(10, 60)
            if item.type != "practical":
                add("answered", clock, {"item": item.id, "answer": answers[item.id]})
                clock += rng.uniform(1, 5)
        fate = rng.random()
        if fate >= 0.04:  # 4 % are still in progress
            closing = "expired" if fate > 0.9 else "submitted"
            body: dict[str, Any] = {"result": _summary((context, which), right, 0, form,
                                                       answers, {})}
            if closing == "expired":
                body["deadline"] = payload["deadline"]
            add(closing, clock, body)
            grades: dict[str, dict[str, bool]] = {}
            if rng.random() < 0.7:  # 30 % of closed attempts are awaiting review
                for item in practical:
                    grades[item.id] = {cid: right > len(written) // 2 or index > 0
                                       for index, (cid, _t, _r) in enumerate(item.criteria)}
                    clock += 600
                    add("graded", clock, {
                        "item": item.id, "criteria": grades[item.id], "comment": "",
                        "assessor": "Kim", "result": _summary(
                            (context, which), right, len(grades), form, answers, grades)})
                if rng.random() < 0.35:
                    add("signed", clock + 60, {
                        "decision": "competent", "outcomes": {}, "reason": "benchmark",
                        "supervision": "supervised_on_site", "identity_checked": True,
                        "assessor": "Kim"})
            if fate > 0.99:
                add("voided", clock + 120, {"reason": "benchmark", "assessor": "Kim"})
        attempts.append((attempt_id, learner, _module.id, _module.version,
                         _module.content_hash, context, "en", "full", log[0].at, None))
        events += [(e.attempt_id, e.seq, e.kind, e.at,
                    json.dumps(e.payload, ensure_ascii=False, sort_keys=True), e.prev, e.hash)
                   for e in log]
    return attempts, events


def generate(path: Path, total: int, in_dk: int, workers: int) -> tuple[int, float]:
    """Fill the database at ``path``; returns the number of events and the seconds taken."""
    from mqexam.store.db import Store

    began = time.perf_counter()
    chunks = [(first, min(CHUNK, total - first), total, in_dk)
              for first in range(0, total, CHUNK)]
    n_events = 0
    with Store(path) as store, ProcessPoolExecutor(workers, initializer=_setup) as pool:
        # A page cache that holds the indexes while they grow (this connection only).
        store.conn.execute("PRAGMA cache_size = -524288")
        with store.transaction() as conn:
            conn.executemany("INSERT INTO learners (id, created_at) VALUES (?, ?)",
                             [(f"L{n:05d}", "2026-09-01T07:00:00.000000+00:00")
                              for n in range(min(total, 20000))])
            for attempts, events in pool.map(build_chunk, *zip(*chunks, strict=True)):
                conn.executemany(
                    "INSERT INTO attempts (id, learner_id, module_id, module_version, "
                    "content_hash, context, locale, kind, started_at, resume_secret) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", attempts)
                conn.executemany(
                    "INSERT INTO events (attempt_id, seq, kind, at, payload, prev, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", events)
                n_events += len(events)
        store.conn.execute("PRAGMA optimize")
    return n_events, time.perf_counter() - began


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def median_runs(measures: dict[str, Callable[[], object]], runs: int
                ) -> Iterator[tuple[str, float]]:
    """Interleaved rounds, so a busy machine slows every measure alike."""
    times: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, action in measures.items():
            times[name].append(timed(action)[0])
    for name in measures:
        yield name, statistics.median(times[name])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--attempts", type=int, default=50_000)
    parser.add_argument("--analysis-attempts", type=int, default=10_000,
                        help="how many of them are in DK (the analysed country)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--db", type=Path, help="keep the generated database here")
    args = parser.parse_args(argv)
    in_dk = min(args.analysis_attempts, args.attempts)

    from mqexam.bank.loader import load_bank
    from mqexam.exam.events import verify_chain
    from mqexam.item_analysis import item_analysis
    from mqexam.store.db import Store
    from mqexam.store.status import attempt_statuses

    module = load_bank(BANKS, use_cache=False).module(MODULE)
    assert module is not None
    with tempfile.TemporaryDirectory(prefix="mqexam-bench-") as temp:
        path = args.db or Path(temp) / "results.db"
        if path.exists():
            print(f"{path} exists; pass a new path", file=sys.stderr)
            return 1
        n_events, seconds = generate(path, args.attempts, in_dk, args.workers)
        size = path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob(
            path.name + "-*"))
        print(f"generated {args.attempts} attempts, {n_events} events "
              f"({size / 1e6:.0f} MB) in {seconds:.1f} s")

        store = Store(path)
        raw = sqlite3.connect(path)
        listed = attempt_statuses(store)
        counts = {s: sum(1 for x in listed if x.status == s)
                  for s in sorted({x.status for x in listed})}
        print(f"statuses: {counts}")
        for sample in listed[:: max(1, len(listed) // 50)]:
            problems = verify_chain(sample.row.id, store.events(sample.row.id))
            if problems:
                print(f"the generated chains do not verify: {problems[0].render()}",
                      file=sys.stderr)
                return 1

        # Every event of the analysed attempts, attempt by attempt (the plan analysis_rows
        # uses: attempts outer, the events' primary key inner).
        select_events = ("SELECT e.* FROM attempts a CROSS JOIN events e "
                         "ON e.attempt_id = a.id "
                         "WHERE a.module_id = ? AND a.content_hash = ? AND a.context = ?")
        params = (module.id, module.content_hash, "DK")

        def bare_loop() -> int:
            n = 0
            for row in raw.execute(select_events, params):
                n += len(row[4])
            return n

        def loop_with_json() -> int:
            n = 0
            for row in raw.execute(select_events, params):
                n += len(json.loads(row[4]))
            return n

        measures: dict[str, Callable[[], object]] = {
            "list_floor": lambda: raw.execute(
                "SELECT * FROM attempts ORDER BY started_at DESC, id").fetchall(),
            "list": lambda: attempt_statuses(store),
            "list_awaiting": lambda: attempt_statuses(store, status="awaiting_review"),
            "store_attempts": lambda: store.attempts(),
            "analysis_floor": bare_loop,
            "analysis_floor_json": loop_with_json,
            "analysis": lambda: item_analysis(store, module, "DK"),
        }
        t = dict(median_runs(measures, args.runs))
        report = item_analysis(store, module, "DK")
        store.close()
        raw.close()

    def line(label: str, value: float, floor: float, goal: str = "") -> None:
        print(f"  {label:<44} {value * 1000:8.1f} ms  {value / floor:6.2f}x{goal}")

    print(f"median of {args.runs} runs")
    print(f"list of {len(listed)} attempts")
    line("floor: sqlite3 SELECT * FROM attempts", t["list_floor"], t["list_floor"])
    line("attempt_statuses(store)", t["list"], t["list_floor"], "   (goal < 1000 ms)")
    line("attempt_statuses(store, status=awaiting)", t["list_awaiting"], t["list_floor"])
    line("(reference: Store.attempts(), no status)", t["store_attempts"], t["list_floor"])
    print(f"item analysis of {report.attempts} closed attempts in DK "
          f"({len(report.items)} items)")
    line("floor: sqlite3 SELECT of their events, bare loop", t["analysis_floor"],
         t["analysis_floor"])
    line("floor: the same loop with json.loads", t["analysis_floor_json"],
         t["analysis_floor"])
    line("item_analysis(store, module, 'DK')", t["analysis"], t["analysis_floor"],
         "   (goal < 2000 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
