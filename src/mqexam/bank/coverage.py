"""Translation and context coverage of a module, for bank authors.

Called by ``mqexam bank coverage``. Owns what counts as "a text": every stem,
rationale, option, step, match entry and checklist line (universal and in
overrides), and every outcome text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mqexam.bank.model import AnyItem, Module


def _texts(item: AnyItem) -> Iterator[Mapping[str, str]]:
    yield item.text
    yield item.why
    for name in ("options", "steps", "left", "right", "criteria"):
        for entry in getattr(item, name, None) or ():
            yield entry.text
    for over in item.context.values():
        for name in ("text", "why"):
            value = getattr(over, name)
            if value is not None:
                yield value
        for name in ("options", "steps", "left", "right", "criteria"):
            for entry in getattr(over, name, None) or ():
                yield entry.text


@dataclass
class LocaleCoverage:
    locale: str
    present: int = 0
    missing: int = 0
    items_missing: list[str] = field(default_factory=list)

    @property
    def share(self) -> float:
        total = self.present + self.missing
        return self.present / total if total else 1.0


@dataclass
class Coverage:
    module_id: str
    version: str
    locales: list[LocaleCoverage]
    overrides: dict[str, list[str]]
    universal: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "module": self.module_id,
            "version": self.version,
            "locales": {
                c.locale: {"present": c.present, "missing": c.missing, "share": round(c.share, 4),
                           "items_missing": c.items_missing}
                for c in self.locales
            },
            "contexts": self.overrides,
            "universal_items": self.universal,
        }


def coverage(module: Module) -> Coverage:
    locales = list(module.meta.languages)
    result = {tag: LocaleCoverage(tag) for tag in locales}
    for outcome in module.meta.outcomes:
        for tag in locales:
            if tag in outcome.text:
                result[tag].present += 1
            else:
                result[tag].missing += 1
                result[tag].items_missing.append(f"outcome:{outcome.id}")
    for item in module.items:
        for texts in _texts(item):
            for tag in locales:
                if tag in texts:
                    result[tag].present += 1
                else:
                    result[tag].missing += 1
                    if item.id not in result[tag].items_missing:
                        result[tag].items_missing.append(item.id)
    overrides = {
        code: [item.id for item in module.items if code in item.context]
        for code in module.context_codes
    }
    universal = [item.id for item in module.items if not item.context]
    return Coverage(module.id, module.version, list(result.values()), overrides, universal)
