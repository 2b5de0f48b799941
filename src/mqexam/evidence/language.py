"""Rendering in the report's language without changing the interface language for good.

Called by the export: everything inside ``with speaking(lang):`` (the report, the
README, the attempt files' labels) is translated into ``lang``; the interface
language in force before is restored afterwards, also when rendering fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mqexam.i18n import current_language, set_language


@contextmanager
def speaking(language: str) -> Iterator[None]:
    before = current_language()
    set_language(language)
    try:
        yield
    finally:
        set_language(before)
