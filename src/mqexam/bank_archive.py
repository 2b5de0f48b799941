"""Bank versions that outlive the bank folder.

Called by the sitting (which remembers the version an attempt is made with) and
by everything that opens attempts (the apps, ``results``, ``evidence``,
``bonus``): they see the modules of the bank folder plus every version the
results database remembers, so an author fixing a typo mid-morning does not
lock learners out of resuming, and a regrade or an export always finds the
exact version an attempt used. Archived versions are written back to files in
the user's cache folder (byte for byte, so their content hash is the same) and
loaded like any module.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path

from mqexam.bank.cache import cached_load
from mqexam.bank.loader import module_files
from mqexam.bank.model import Module
from mqexam.paths import cache_dir
from mqexam.store import bank_versions
from mqexam.store.db import Store


def remember_module(store: Store, module: Module, at: str) -> None:
    """Keep ``module``'s files in the results database (once per content hash)."""
    files = {path.relative_to(module.folder).as_posix():
             base64.b64encode(path.read_bytes()).decode("ascii")
             for path in module_files(module.folder)}
    bank_versions.remember(store, module.content_hash, module.id, module.version, files, at)


def _materialise(row: dict[str, object]) -> Path:
    digest = str(row["content_hash"]).removeprefix("sha256:")
    folder = cache_dir() / "archive" / digest / str(row["module_id"])
    files = row["files"]
    assert isinstance(files, dict)
    for relative, encoded in files.items():
        target = folder / relative
        data = base64.b64decode(encoded)
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    return folder


def with_archive(store: Store, modules: Iterable[Module]) -> list[Module]:
    """``modules`` and every remembered version not among them (by content hash)."""
    found = list(modules)
    missing = bank_versions.known_hashes(store) - {m.content_hash for m in found}
    for row in bank_versions.versions(store, missing):
        try:
            module, _problems = cached_load(_materialise(row))
        except OSError:
            continue
        if module is not None and module.content_hash == row["content_hash"]:
            found.append(module)
    return found
