"""The validated-bank cache: a warm load equals a cold one, any changed byte is a miss,
and a cache that cannot be read or written is silently skipped."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mqexam.bank import cache
from mqexam.bank.loader import LoadResult, load_bank, load_module

MINI = Path(__file__).parent / "fixtures" / "banks" / "mini"
FILES = ["module.toml", "items/alarm.toml", "items/ppe.toml"]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("MQEXAM_NO_CACHE", raising=False)
    return home


@pytest.fixture
def banks(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "banks" / "mini")
    return tmp_path / "banks"


@pytest.fixture
def cold_loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The folders the cache had to load cold (by calling the real loader)."""
    calls: list[Path] = []

    def counting(folder: Path, blobs: object = None) -> object:
        calls.append(folder)
        return load_module(folder, blobs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "load_module", counting)
    yield calls


def entries(home: Path) -> list[Path]:
    folder = home / "mqexam" / "banks"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def same(a: LoadResult, b: LoadResult) -> bool:
    return a.modules == b.modules and a.problems == b.problems


def test_a_warm_load_returns_an_equal_module_without_loading(
        cache_home: Path, banks: Path, cold_loads: list[Path]) -> None:
    cold = load_bank(banks)
    assert len(cold_loads) == 1 and len(entries(cache_home)) == 1
    warm = load_bank(banks)
    assert len(cold_loads) == 1  # answered from the cache
    assert same(warm, cold)
    [module] = warm.modules
    assert module == load_bank(banks, use_cache=False).modules[0]
    assert module.content_hash == cold.modules[0].content_hash
    assert module.sources == cold.modules[0].sources
    assert module.folder == banks / "mini"


def test_warnings_come_back_from_the_cache(
        cache_home: Path, banks: Path, cold_loads: list[Path]) -> None:
    ppe = banks / "mini" / "items" / "ppe.toml"
    ppe.write_text(ppe.read_text().replace('references = ["Site rules"]\n', ""))
    cold = load_bank(banks)
    assert [p.severity for p in cold.problems] == ["warning"]
    warm = load_bank(banks)
    assert len(cold_loads) == 1
    assert warm.problems == cold.problems


@pytest.mark.parametrize("name", FILES)
def test_changing_any_byte_of_any_file_is_a_miss(
        cache_home: Path, banks: Path, cold_loads: list[Path], name: str) -> None:
    first = load_bank(banks)
    path = banks / "mini" / name
    path.write_bytes(path.read_bytes() + b"# changed\n")
    second = load_bank(banks)
    assert len(cold_loads) == 2
    assert second.modules[0].content_hash != first.modules[0].content_hash
    assert second.modules[0] == load_bank(banks, use_cache=False).modules[0]
    assert len(entries(cache_home)) == 1  # the new version replaced the old entry


def test_a_change_that_breaks_the_module_is_seen_at_once(
        cache_home: Path, banks: Path, cold_loads: list[Path]) -> None:
    load_bank(banks)
    alarm = banks / "mini" / "items" / "alarm.toml"
    alarm.write_text(alarm.read_text().replace('answer = "safety"', 'answer = "ghost"'))
    result = load_bank(banks)
    assert result.modules == [] and list(result.broken) == ["mini"]
    assert "names no option: ghost" in result.problems[0].message


def test_adding_or_removing_an_items_file_is_a_miss(
        cache_home: Path, banks: Path, cold_loads: list[Path]) -> None:
    load_bank(banks)
    items = banks / "mini" / "items"
    (items / "alarm.toml").rename(items / "zz-alarm.toml")  # same bytes, another name
    renamed = load_bank(banks)
    assert len(cold_loads) == 2
    assert renamed.modules[0].sources["call-number"].path == items / "zz-alarm.toml"
    (items / "ppe.toml").unlink()
    assert len(load_bank(banks).modules) == 0
    assert len(cold_loads) == 3


def test_the_same_folder_spelled_another_way_keeps_its_spelling(
        cache_home: Path, banks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = load_bank(banks).modules[0]
    monkeypatch.chdir(banks.parent)
    relative = load_bank(Path("banks")).modules[0]
    assert absolute.folder == banks / "mini"
    assert relative.folder == Path("banks") / "mini"
    assert relative.sources["call-number"].path == Path("banks/mini/items/alarm.toml")


@pytest.mark.parametrize("garbage", [
    b"",
    b"not a cache at all",
    b"truncated",
    b"wrong type",
])
def test_a_corrupt_cache_entry_is_ignored_and_replaced(
        cache_home: Path, banks: Path, cold_loads: list[Path], garbage: bytes) -> None:
    cold = load_bank(banks)
    [entry] = entries(cache_home)
    data = entry.read_bytes()
    header = data[: data.index(b"\n") + 1]
    if garbage == b"truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif garbage == b"wrong type":
        entry.write_bytes(header + pickle.dumps({"not": "a module"}))
    else:
        entry.write_bytes(garbage)
    again = load_bank(banks)
    assert same(again, cold)
    assert len(cold_loads) == 2
    assert entry.read_bytes() == data  # rewritten whole
    load_bank(banks)
    assert len(cold_loads) == 2


def test_an_unwritable_cache_is_silently_skipped(
        tmp_path: Path, banks: Path, monkeypatch: pytest.MonkeyPatch,
        cold_loads: list[Path]) -> None:
    # A cache home that is a file: nothing below it can be created, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first = load_bank(banks)
    second = load_bank(banks)
    assert same(first, second) and first.modules
    assert len(cold_loads) == 2
    assert blocker.read_text() == ""


def test_an_unreadable_cache_entry_is_silently_skipped(
        cache_home: Path, banks: Path, cold_loads: list[Path]) -> None:
    load_bank(banks)
    [entry] = entries(cache_home)
    entry.unlink()
    entry.mkdir()  # reading it fails, writing over it fails: both must be silent
    assert load_bank(banks).modules
    assert load_bank(banks).modules
    assert len(cold_loads) == 3


def test_no_temporary_files_are_left_behind(
        cache_home: Path, banks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise pickle.PicklingError("cannot pickle")

    monkeypatch.setattr(pickle, "dump", fail)
    assert load_bank(banks).modules
    folder = cache_home / "mqexam" / "banks"
    assert list(folder.iterdir()) == []


def test_mqexam_no_cache_turns_it_off(
        cache_home: Path, banks: Path, monkeypatch: pytest.MonkeyPatch,
        cold_loads: list[Path]) -> None:
    monkeypatch.setenv("MQEXAM_NO_CACHE", "1")
    load_bank(banks)
    load_bank(banks)
    assert entries(cache_home) == []
    assert len(cold_loads) == 2


def test_use_cache_false_neither_reads_nor_writes(cache_home: Path, banks: Path) -> None:
    load_bank(banks, use_cache=False)
    assert entries(cache_home) == []


def test_the_cache_folder_is_private(cache_home: Path, banks: Path) -> None:
    load_bank(banks)
    assert (cache_home / "mqexam" / "banks").stat().st_mode & 0o077 == 0


def test_a_cache_others_can_write_is_not_read(
        cache_home: Path, banks: Path, cold_loads: list[Path]) -> None:
    load_bank(banks)
    folder = cache_home / "mqexam" / "banks"
    folder.chmod(0o777)
    load_bank(banks)
    assert len(cold_loads) == 2
    folder.chmod(0o700)
    [entry] = entries(cache_home)
    entry.chmod(0o666)
    load_bank(banks)
    assert len(cold_loads) == 3
