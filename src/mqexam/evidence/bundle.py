"""Sealing and writing a bundle: ``SHA256SUMS``, its signature, reproducible zip bytes.

Called by the export (and the benchmark). Owns the sealed layout (every file
listed in ``SHA256SUMS`` in byte order of their names, in the exact format
``sha256sum -c`` reads; ``SHA256SUMS.sig`` the raw 64-byte Ed25519 signature of
``SHA256SUMS``, which ``openssl pkeyutl -verify -rawin`` checks; ``issuer.pem`` the
public key) and the zip's bytes: entries sorted by name, every timestamp the
issue date at 00:00, mode 0644 for every file, made on "Unix", deflated at level
9, no comment, no extra fields. Ed25519 signatures are deterministic, so the
same files, key and date always give the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from mqexam.errors import MqexamError
from mqexam.evidence.canonical import sha256_hex
from mqexam.evidence.keys import IssuerKey
from mqexam.i18n import _

SUMS = "SHA256SUMS"
SIGNATURE = "SHA256SUMS.sig"
PUBLIC_KEY = "issuer.pem"
SEALING = (SUMS, SIGNATURE)
"""The two files ``SHA256SUMS`` cannot list: itself and its signature."""
COMPRESS_LEVEL = 9
FILE_MODE = 0o644


def sha256sums(files: Mapping[str, bytes]) -> bytes:
    """``<sha256>  <name>`` per file, names in byte order, as ``sha256sum`` writes them."""
    return "".join(f"{sha256_hex(files[name])}  {name}\n"
                   for name in sorted(files)).encode()


def seal(files: Mapping[str, bytes], key: IssuerKey) -> dict[str, bytes]:
    """``files`` plus ``issuer.pem``, ``SHA256SUMS`` over all of them, and its signature."""
    sealed = {**files, PUBLIC_KEY: key.public_pem}
    sums = sha256sums(sealed)
    sealed[SUMS] = sums
    sealed[SIGNATURE] = key.sign(sums)
    return sealed


def zip_bytes(files: Mapping[str, bytes], issued: date) -> bytes:
    """A zip of ``files`` whose bytes depend only on the files and the date."""
    if issued.year < 1980:
        raise MqexamError(_("a zip file cannot hold dates before 1980"))
    stamp = (issued.year, issued.month, issued.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
            archive.writestr(info, files[name], compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (a temporary file beside it, then renamed): a reader never
    sees half a bundle, and a failed write leaves nothing behind."""
    if path.is_dir():
        raise MqexamError(_("cannot write {path}: it is a folder").format(path=path))
    folder = path.parent
    if not folder.is_dir():
        reason = (_("{folder} is not a folder") if folder.exists()
                  else _("the folder {folder} does not exist")).format(folder=folder)
        raise MqexamError(_("cannot write {path}: {reason}").format(path=path, reason=reason))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise MqexamError(_("cannot write {path}: permission denied").format(path=path)) from None
    except OSError as error:
        raise MqexamError(_("cannot write {path}: {reason}").format(
            path=path, reason=error.strerror or error)) from None
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, PermissionError):
            raise MqexamError(_("cannot write {path}: permission denied").format(
                path=path)) from None
        raise MqexamError(_("cannot write {path}: {reason}").format(
            path=path, reason=error.strerror or error)) from None
