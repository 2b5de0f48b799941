"""How long recording one answer durably takes, against a bare sqlite3 insert.

Run: ``.venv/bin/python benchmarks/bench_store.py`` (``--help`` for the knobs).

In one run, in one temporary folder (so both files are on the same disk; the
folder is printed), it times N of each, interleaved so that both see the same
disk and the same moments:

* store: ``Store.append(attempt, "answered", ...)``: ``BEGIN IMMEDIATE``, read
  the chain head, hash the event (RFC 8785 + sha256), insert, ``COMMIT``;
* bare:  ``BEGIN``; one ``INSERT`` of the same columns and payload; ``COMMIT``,
  on a plain ``sqlite3`` connection with the same settings (WAL,
  ``synchronous=FULL``) and no index, in its own file;

and prints the median and p99 of each (milliseconds) and the ratio of the
medians (issue 4's goals: ratio <= 1.5, store p99 < 20 ms). ``--profile``
prints where the store's time goes instead.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mqexam.store.db import Store

AT = "2026-12-01T09:00:00.000000+00:00"
DEADLINE = "2026-12-01T10:00:00.000000+00:00"


def answer(n: int) -> dict[str, object]:
    """A realistic answer payload: an item id and a short typed or picked answer."""
    return {"item": f"item-{n % 40:02d}", "answer": ["helmet", "gloves"] if n % 2 else "112"}


def open_store(folder: Path) -> Store:
    store = Store(folder / "store.db")
    store.ensure_learner("L1", AT)
    store.start_attempt("BENCH", "L1", {
        "learner": "L1", "module": "bench", "version": "1.0.0",
        "content_hash": "sha256:" + "ab" * 32, "context": "DK", "locale": "en",
        "deadline": DEADLINE}, AT)
    return store


def open_bare(folder: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(folder / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE events (attempt_id TEXT, seq INTEGER, kind TEXT, at TEXT, "
                 "payload TEXT, prev TEXT, hash TEXT)")
    return conn


def store_writer(store: Store) -> Callable[[int], None]:
    def write(n: int) -> None:
        store.append("BENCH", "answered", answer(n), AT)
    return write


def bare_writer(conn: sqlite3.Connection) -> Callable[[int], None]:
    digest = "0" * 64

    def write(n: int) -> None:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                     ("BENCH", n, "answered", AT, json.dumps(answer(n), sort_keys=True),
                      digest, digest))
        conn.execute("COMMIT")
    return write


def timed(write: Callable[[int], None], n: int) -> float:
    start = time.perf_counter_ns()
    write(n)
    return (time.perf_counter_ns() - start) / 1e6


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=500, help="answers recorded by each (500)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed writes first (50)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the temporary folder goes (default: the system's temp dir)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the store's appends instead of comparing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mqexam-bench-", dir=args.dir) as tmp:
        folder = Path(tmp)
        store, bare = open_store(folder), open_bare(folder)
        write_store, write_bare = store_writer(store), bare_writer(bare)
        for n in range(args.warmup):
            write_store(n)
            write_bare(n)
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(lambda: [write_store(n) for n in range(args.n)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return 0
        store_ms: list[float] = []
        bare_ms: list[float] = []
        for n in range(args.warmup, args.warmup + args.n):
            store_ms.append(timed(write_store, n))
            bare_ms.append(timed(write_bare, n))
        assert store.verify() == [], "the benchmark's own chain must verify"
        store.close()
        bare.close()
        device = os.stat(folder).st_dev

    ratio = statistics.median(store_ms) / statistics.median(bare_ms)
    print(f"folder: {folder} (device {device:#x}; both files in it), N={args.n} each, "
          f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}")
    print(f"{'':6} {'median ms':>10} {'p99 ms':>9} {'max ms':>9}")
    for name, samples in (("store", store_ms), ("bare", bare_ms)):
        print(f"{name:6} {statistics.median(samples):10.3f} {p99(samples):9.3f} "
              f"{max(samples):9.3f}")
    print(f"median ratio store/bare: {ratio:.2f} (goal <= 1.5: "
          f"{'met' if ratio <= 1.5 else 'MISSED'}); store p99 {p99(store_ms):.2f} ms "
          f"(goal < 20: {'met' if p99(store_ms) < 20 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
