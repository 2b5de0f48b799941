"""Reading a zip nobody vouches for: in memory, within limits, never onto the disk.

Called by the verifier. Owns what an untrusted zip may not do: be too big, hold
too many entries, unpack to too much (in total, or far more than its compressed
size: a zip bomb), name an entry with an absolute path, ``..``, a backslash or a
drive letter, name two entries alike, hold links or encrypted entries, or be
truncated or damaged. Sizes are checked from the zip's directory before anything
is decompressed, and each entry is read with a bound in case the directory lies.
Each refusal is a :class:`BundleError` with one line a person understands.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from mqexam.errors import MqexamError
from mqexam.i18n import _

MB = 1024 * 1024


class BundleError(MqexamError):
    """The file cannot be read as a bundle at all."""


@dataclass(frozen=True)
class Limits:
    max_file: int = 64 * MB
    """The zip file itself."""
    max_entries: int = 2000
    max_total: int = 128 * MB
    """Everything unpacked, as the zip's directory declares it."""
    max_ratio: int = 200
    """Unpacked size over compressed size, for entries above ``ratio_from``."""
    ratio_from: int = 1 * MB


DEFAULT_LIMITS = Limits()


def _mb(size: int) -> str:
    return f"{size / MB:.0f}"


def _unsafe(name: str) -> bool:
    if not name or "\\" in name or "\0" in name or name.startswith("/"):
        return True
    if len(name) > 2 and name[1] == ":" and name[0].isalpha():
        return True
    if not name.isprintable():
        return True
    parts = name.rstrip("/").split("/")
    return any(part in ("", ".", "..") for part in parts)


def read_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of the zip at ``path``, refused when it is no file or too large."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise BundleError(_("no such file")) from None
    except OSError as error:
        raise BundleError(_("cannot read it: {reason}").format(
            reason=error.strerror or error)) from None
    if not stat.S_ISREG(info.st_mode):
        raise BundleError(_("not a file"))
    if info.st_size > limits.max_file:
        raise BundleError(_("{size} MB is more than a bundle can be ({limit} MB)")
                          .format(size=_mb(info.st_size), limit=_mb(limits.max_file)))
    try:
        with path.open("rb") as handle:
            return handle.read(limits.max_file + 1)
    except OSError as error:
        raise BundleError(_("cannot read it: {reason}").format(
            reason=error.strerror or error)) from None


def _open(data: bytes) -> zipfile.ZipFile:
    if not data:
        raise BundleError(_("the file is empty, not a zip file"))
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data.startswith(b"PK\x03\x04"):
            raise BundleError(_("the zip file is truncated or damaged (its directory "
                                "at the end is missing)")) from None
        raise BundleError(_("not a zip file")) from None
    except (OSError, EOFError, ValueError, NotImplementedError) as error:
        raise BundleError(_("the zip file is damaged ({reason})").format(
            reason=error)) from None


def _check_entries(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_entries:
        raise BundleError(_("{count} entries are more than a bundle holds ({limit})")
                          .format(count=len(infos), limit=limits.max_entries))
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if _unsafe(name) or _unsafe(info.orig_filename.replace("\\", "/")):
            raise BundleError(_("entry {name!r} has an unsafe path (absolute, with "
                                "'..' or a backslash); nothing was unpacked").format(
                                    name=info.orig_filename))
        if name in seen:
            raise BundleError(_("two entries are named {name!r}").format(
                name=name))
        seen.add(name)
        if info.flag_bits & 0x1:
            raise BundleError(_("entry {name!r} is encrypted").format(
                name=name))
        mode = info.external_attr >> 16
        if info.create_system == 3 and mode and stat.S_ISLNK(mode):
            raise BundleError(_("entry {name!r} is a symbolic link").format(
                name=name))
        total += info.file_size
        if total > limits.max_total:
            raise BundleError(_("would unpack to more than {limit} MB (a zip bomb?); "
                                "refused").format(limit=_mb(limits.max_total)))
        if info.file_size > limits.ratio_from and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise BundleError(_("entry {name!r} would unpack to {ratio} times its "
                                "compressed size (a zip bomb?); refused").format(
                                    name=name,
                                    ratio=info.file_size // max(info.compress_size, 1)))


def read_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every file entry of the zip ``data`` by name (folder entries are left out)."""
    archive = _open(data)
    with archive:
        infos = archive.infolist()
        _check_entries(infos, limits)
        files: dict[str, bytes] = {}
        for info in infos:
            if info.is_dir():
                if info.file_size:
                    raise BundleError(_("folder entry {name!r} has content").format(
                        name=info.filename))
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                    NotImplementedError, RuntimeError) as error:
                raise BundleError(_("entry {name!r} is damaged ({reason})").format(
                    name=info.filename, reason=error)) from None
            if len(content) != info.file_size:
                raise BundleError(_("entry {name!r} is damaged (its size is not the "
                                    "one the zip's directory gives)").format(
                                        name=info.filename))
            files[info.filename] = content
    return files
