"""Where mqexam finds its banks, catalogs and results database.

Owns the lookup order: an explicit flag or environment variable first, then
``./banks`` in the working folder, then the data shipped inside the package
(a wheel carries ``banks/`` and the compiled catalogs under ``mqexam/_data``),
then the source checkout the package was imported from.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # src/mqexam -> repository root


def _data_dir(name: str) -> Path | None:
    for candidate in (_PACKAGE / "_data" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    return None


def bundled_banks() -> Path | None:
    """The banks shipped with mqexam (inside the wheel, or in the checkout)."""
    return _data_dir("banks")


def locales_dir() -> Path | None:
    """The gettext catalogs shipped with mqexam."""
    return _data_dir("locales")


def banks_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The bank folder to use: flag, ``MQEXAM_BANKS``, ``./banks``, then the bundled banks."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MQEXAM_BANKS")
    if env:
        return Path(env)
    local = Path("banks")
    if local.is_dir():
        return local
    return bundled_banks() or local


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The results database: flag, ``MQEXAM_DB``, then ``./results/mqexam.db``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MQEXAM_DB")
    if env:
        return Path(env)
    return Path("results") / "mqexam.db"


def cache_dir() -> Path:
    """Per-user cache for validated banks (``$XDG_CACHE_HOME/mqexam``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mqexam"
