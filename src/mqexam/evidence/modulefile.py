"""The bank version in a bundle: ``module/`` byte for byte, and ``module.toml`` to read.

Called by the export and the verifier. A module is a folder (``module.toml`` and
``items/*.toml``) and its content hash is sha256 over each file's relative path
and bytes, so the bundle carries the folder's files unchanged under ``module/``:
the content hash recomputes from them exactly as the loader computes it (see
README.txt and docs/evidence.md for the shell command). ``module.toml`` at the
top of the bundle is the same files in one TOML document for reading: a header of
comment lines, then each file, introduced by a comment line
``# ---- module/<path> ----``. Items files hold only ``[[item]]`` tables, so the
concatenation is itself valid TOML; the verifier checks it says exactly what
``module/`` says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from mqexam.i18n import _

PREFIX = "module/"
MODULE_FILE = "module.toml"
ITEMS = "items/"


def ordered_names(names: list[str]) -> list[str]:
    """The module's files in the loader's order: module.toml, then items/*.toml by name."""
    items = sorted(n for n in names if n.startswith(ITEMS))
    return [n for n in names if n == MODULE_FILE] + items


def is_module_file(name: str) -> bool:
    """A path (relative to ``module/``) the loader would read: the only ones allowed there."""
    if name == MODULE_FILE:
        return True
    rest = name.removeprefix(ITEMS)
    return (name.startswith(ITEMS) and "/" not in rest and rest.endswith(".toml")
            and not rest.startswith("."))


def content_hash(files: Mapping[str, bytes]) -> str:
    """The content hash of a module's files (relative path -> bytes), as the loader makes it."""
    digest = hashlib.sha256()
    for name in ordered_names(list(files)):
        digest.update(name.encode() + b"\0")
        digest.update(files[name] + b"\0")
    return "sha256:" + digest.hexdigest()


def marker(name: str) -> bytes:
    return f"# ---- {PREFIX}{name} ----\n".encode()


def body(files: Mapping[str, bytes]) -> bytes:
    """The files, each introduced by its marker line (and ended by a newline)."""
    parts = []
    for name in ordered_names(list(files)):
        raw = files[name]
        parts.append(marker(name) + raw + (b"" if raw.endswith(b"\n") or not raw else b"\n"))
    return b"".join(parts)


def readable(files: Mapping[str, bytes], module_id: str, version: str, digest: str) -> bytes:
    """``module.toml`` for the bundle, its header in the current language."""
    lines = [
        _("The bank version the attempts in this bundle were made with: {module} {version}.")
        .format(module=module_id, version=version),
        _("Content hash: {hash}").format(hash=digest),
        _("This file is module/module.toml followed by every file of module/items/, each after "
          "a line '# ---- module/<file> ----'. The content hash is computed over the files in "
          "module/ exactly as they are: see README.txt."),
    ]
    header = "".join(f"# {line}\n" for text in lines for line in text.splitlines())
    return header.encode() + b"#\n" + body(files)


def matches(readable_bytes: bytes, files: Mapping[str, bytes]) -> bool:
    """Whether ``module.toml`` holds exactly ``files`` after a header of comment lines only."""
    expected = body(files)
    first = marker(ordered_names(list(files))[0]) if files else b""
    start = readable_bytes.find(first) if first else -1
    if start < 0 or (start > 0 and readable_bytes[start - 1:start] != b"\n"):
        return False
    header = readable_bytes[:start].decode("utf-8", "replace").splitlines()
    return all(line.startswith("#") for line in header) and readable_bytes[start:] == expected
