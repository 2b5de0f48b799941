"""A cache of validated modules, keyed by the sha256 of their files.

Called by :func:`mqexam.bank.loader.load_bank`. Owns the one rule that makes a
warm start cheap and safe: a cached module is used only when the bytes of every
file of the module, the folder it was loaded from, and the versions of mqexam,
pydantic and Python are exactly those it was built from; any change to any
file is a miss. ``MQEXAM_NO_CACHE=1`` turns the cache off.

The cache lives in the user's own cache folder (``$XDG_CACHE_HOME/mqexam/banks``),
one file per module folder (a new version of a module replaces the old entry, so
the cache does not grow): a header line with the sha256 it was built from, then
a pickle of the loader's result, read with the garbage collector paused (a pickle
of the models loads in about a tenth of the time validating them again takes). A
cache that cannot be read, written or unpickled, or that holds anything else, is
silently skipped, never an error. Like any pickle it must only be read from a
folder no one else can write; the cache folder is created private (0700).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import platform
import sys
import tempfile
from pathlib import Path

import pydantic

from mqexam import __version__
from mqexam.bank.loader import gc_paused, list_module_files, load_module
from mqexam.bank.model import Module
from mqexam.bank.source import Problem, SourceError, read_source
from mqexam.paths import cache_dir

_FORMAT = 2
_MAGIC = b"mqexam-bank-cache"

Loaded = tuple[Module | None, list[Problem]]


def _entry(folder: Path) -> Path:
    """The cache file for a module folder, as spelled and as resolved."""
    name = hashlib.sha256(f"{folder}\0{folder.resolve()}".encode()).hexdigest()[:40]
    return cache_dir() / "banks" / f"{name}.pickle"


def _digest(folder: Path, blobs: dict[Path, bytes]) -> bytes:
    """What a cached result depends on: every file's name and bytes, and the versions."""
    digest = hashlib.sha256(
        f"{_FORMAT}\0{__version__}\0{pydantic.VERSION}\0{platform.python_implementation()}"
        f"\0{sys.version}\0{folder}\0{folder.resolve()}\0".encode()
    )
    for path, raw in blobs.items():
        name = path.relative_to(folder).as_posix().encode()
        digest.update(len(name).to_bytes(8, "big") + name + len(raw).to_bytes(8, "big"))
        digest.update(raw)
    return _MAGIC + b" " + digest.hexdigest().encode() + b"\n"


def _valid(value: object) -> bool:
    return (
        isinstance(value, tuple) and len(value) == 2
        and (value[0] is None or isinstance(value[0], Module))
        and isinstance(value[1], list) and all(isinstance(p, Problem) for p in value[1])
    )


def _private(path: Path) -> bool:
    """Whether only this user can have written ``path`` (a pickle from others is refused)."""
    if not hasattr(os, "geteuid"):
        return True
    info = os.stat(path)
    return info.st_uid == os.geteuid() and not info.st_mode & 0o022


def read_entry(target: Path, header: bytes) -> Loaded | None:
    """The cached result in ``target`` if it was built from ``header``, else ``None``."""
    try:
        if not (_private(target.parent) and _private(target)):
            return None
        with target.open("rb") as handle:
            if handle.read(len(header)) != header:
                return None
            with gc_paused():
                value = pickle.load(handle)
    except Exception:  # missing, unreadable, truncated, from another version: a miss
        return None
    return value if _valid(value) else None


def write_entry(target: Path, header: bytes, value: Loaded) -> None:
    """Store ``value`` atomically; give up silently when the cache cannot be written."""
    temp: str | None = None
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(header)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, target)
        temp = None
    except Exception:  # a read-only home, a full disk, a cache path that is a file
        pass
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def cached_load(folder: Path) -> Loaded:
    """:func:`~mqexam.bank.loader.load_module`, answered from the cache when no file changed."""
    if os.environ.get("MQEXAM_NO_CACHE"):
        return load_module(folder)
    files, listing = list_module_files(folder, folder.name)
    if listing:
        return load_module(folder)
    blobs: dict[Path, bytes] = {}
    try:
        for path in files:
            blobs[path] = read_source(path, folder.name)
    except SourceError:
        return load_module(folder)  # it reports the file; nothing worth caching
    header = _digest(folder, blobs)
    target = _entry(folder)
    cached = read_entry(target, header)
    if cached is not None:
        return cached
    result = load_module(folder, blobs)
    write_entry(target, header, result)
    return result
