"""Build hook: compile the gettext catalogs into the wheel (``mqexam/_data/locales/*.mo``).

Nobody runs a compile step by hand: an installed wheel carries ``.mo`` files, and a
source checkout compiles ``.po`` in memory on first use (see ``mqexam.i18n``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        out = Path(tempfile.mkdtemp(prefix="mqexam-mo-"))
        for po in Path(self.root, "locales").glob("*/LC_MESSAGES/*.po"):
            language = po.parent.parent.name
            target = out / language / "LC_MESSAGES" / (po.stem + ".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source, target.open("wb") as sink:
                write_mo(sink, read_po(source, locale=language), use_fuzzy=False)
            build_data["force_include"][str(target)] = (
                f"mqexam/_data/locales/{language}/LC_MESSAGES/{target.name}"
            )
