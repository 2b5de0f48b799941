"""Bank versions that outlive the bank folder.

Called by the sitting (which remembers the version an attempt is made with) and
by everything that opens attempts (the apps, ``results``, ``evidence``,
``bonus``): they see the modules of the bank folder plus every version the
results database remembers, so an author fixing a typo mid-morning does not
lock learners out of resuming, and a regrade or an export always finds the
exact version an attempt used. A version is kept only when its files hash to
its content hash; archived versions are written back to files in the user's
cache folder (byte for byte, into a fresh folder) and loaded like any module.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from mqexam.bank.cache import cached_load
from mqexam.bank.loader import hash_of_files, module_files
from mqexam.bank.model import Module
from mqexam.errors import MqexamError
from mqexam.i18n import _
from mqexam.paths import cache_dir
from mqexam.store import bank_versions
from mqexam.store.db import Store


def decode_files(encoded: Mapping[str, str]) -> dict[str, bytes] | None:
    """``relative path -> base64`` as bytes; ``None`` if any entry is not valid base64."""
    try:
        return {path: base64.b64decode(text, validate=True) for path, text in encoded.items()}
    except (binascii.Error, ValueError, TypeError):
        return None


def verified(content_hash: str, encoded: object) -> dict[str, bytes] | None:
    """The files of a stored version, only if they are module files hashing to its hash."""
    if not isinstance(encoded, dict):
        return None
    files = decode_files(encoded)
    if files is None or hash_of_files(files) != content_hash:
        return None
    return files


def remember_module(store: Store, module: Module, at: str) -> None:
    """Keep ``module``'s files in the results database (once per content hash).

    Refused when the files on disk no longer hash to the module's content hash (the
    bank was edited after it was loaded): an attempt is only started with a version
    that can be kept.
    """
    files = {path.relative_to(module.folder).as_posix(): path.read_bytes()
             for path in module_files(module.folder)}
    if hash_of_files(files) != module.content_hash:
        raise MqexamError(_("the question bank '{id}' was changed on disk after mqexam loaded "
                            "it; start mqexam again to use the new version").format(
                                id=module.id))
    encoded = {path: base64.b64encode(data).decode("ascii") for path, data in files.items()}
    bank_versions.remember(store, module.content_hash, module.id, module.version, encoded, at)


def _materialise(content_hash: str, module_id: str, files: Mapping[str, bytes]) -> Path:
    """The version's files in a folder of their own under the cache (written once)."""
    base = cache_dir() / "archive" / content_hash.removeprefix("sha256:")
    folder = base / module_id
    if folder.is_dir():
        on_disk = {p.relative_to(folder).as_posix(): p.read_bytes() for p in module_files(folder)}
        if on_disk == dict(files):
            return folder
    base.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=base, prefix=".new-"))
    for relative, data in files.items():
        target = fresh / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    old = base / f".old-{os.getpid()}"
    if folder.exists():
        os.replace(folder, old)
    os.replace(fresh, folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def with_archive(store: Store, modules: Iterable[Module]) -> list[Module]:
    """``modules`` and every remembered version not among them (by content hash)."""
    found = list(modules)
    missing = bank_versions.known_hashes(store) - {m.content_hash for m in found}
    for row in bank_versions.versions(store, missing):
        files = verified(str(row["content_hash"]), row["files"])
        module_id = str(row["module_id"])
        if files is None or not module_id or "/" in module_id or module_id.startswith("."):
            continue
        try:
            module, _problems = cached_load(_materialise(str(row["content_hash"]), module_id,
                                                         files))
        except OSError:
            continue
        if module is not None and module.content_hash == row["content_hash"]:
            found.append(module)
    return found
