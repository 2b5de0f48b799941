"""The bank-load benchmark still runs, on a small bank (no timing is asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).parent.parent / "benchmarks" / "bench_bank_load.py"


def load_benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_bank_load", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_on_a_small_clean_bank(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # restored after the test
    monkeypatch.delenv("MQEXAM_NO_CACHE", raising=False)
    bench = load_benchmark()
    assert bench.main(["--items", "60", "--files", "3", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "60 items, 3 locales, 5 contexts, 4 files" in out
    for label in ("floor", "cold", "warm"):
        assert label in out


def test_the_generated_items_cover_every_type(tmp_path: Path) -> None:
    from mqexam.bank.loader import load_bank
    from mqexam.bank.model import ITEM_TYPES

    bench = load_benchmark()
    bench.generate(tmp_path, items=30, files=2)
    result = load_bank(tmp_path, use_cache=False)
    assert result.problems == []
    [module] = result.modules
    assert {item.type for item in module.items} == set(ITEM_TYPES)
    assert any(item.context for item in module.items)
