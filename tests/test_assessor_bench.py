"""The assessor benchmark still runs on a small data set, and what it generates is sound."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mqexam.bank.loader import load_bank
from mqexam.store.db import Store
from mqexam.store.status import attempt_statuses

BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "bench_assessor.py"


def load_benchmark(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_assessor", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_assessor", module)  # for the worker processes
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_and_its_attempts_verify(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    bench = load_benchmark(monkeypatch)
    db = tmp_path / "bench.db"
    assert bench.main(["--attempts", "240", "--analysis-attempts", "120", "--runs", "1",
                       "--workers", "2", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "generated 240 attempts" in out
    for label in ("floor: sqlite3 SELECT * FROM attempts", "attempt_statuses(store)",
                  "item_analysis(store, module, 'DK')"):
        assert label in out

    with Store(db) as store:
        assert store.verify() == []
        listed = attempt_statuses(store)
        assert len(listed) == 240
        assert sum(1 for s in listed if s.row.context == "DK") == 120
        assert {s.status for s in listed} >= {"awaiting_review", "passed", "failed", "signed"}
        # The summaries written by the generator are what a rescore gives.
        from mqexam.review import Review

        module = load_bank(bench.BANKS, use_cache=False).module(bench.MODULE)
        assert module is not None
        for sample in listed[::20]:
            review = Review.open(store, [module], sample.row.id, "check")
            assert review.status() == sample.status
