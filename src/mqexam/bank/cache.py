"""A cache of validated modules, keyed by the sha256 of their files.

Called by :func:`mqexam.bank.loader.load_bank`. Owns the one rule that makes a
warm start cheap and safe: a cached module is used only when the bytes of every
file of the module, its folder and the mqexam version are exactly those it was
built from; any change to any file is a miss. The cache lives in the user's own
cache folder (``$XDG_CACHE_HOME/mqexam``); a cache that cannot be read or
written is silently skipped, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from mqexam import __version__
from mqexam.bank.loader import load_module, module_files
from mqexam.bank.model import Module
from mqexam.bank.source import MAX_FILE_BYTES, Problem
from mqexam.paths import cache_dir

_FORMAT = 1


def _key(folder: Path) -> str | None:
    digest = hashlib.sha256(f"{_FORMAT}\0{__version__}\0{folder.resolve()}\0".encode())
    try:
        for path in module_files(folder):
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def cached_load(folder: Path) -> tuple[Module | None, list[Problem]]:
    """:func:`load_module`, answered from the cache when no file has changed."""
    if os.environ.get("MQEXAM_NO_CACHE"):
        return load_module(folder)
    key = _key(folder)
    if key is None:
        return load_module(folder)
    target = cache_dir() / "banks" / f"{key}.pickle"
    try:
        with target.open("rb") as handle:
            cached: tuple[Module | None, list[Problem]] = pickle.load(handle)
        return cached
    except Exception:  # a missing, stale or unreadable cache is just a miss
        pass
    result = load_module(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, target)
    except OSError:
        pass
    return result
