"""Loading bank folders into :class:`~mqexam.bank.model.Module` objects.

Called by the command line, the learner and assessor apps and the evidence
export. Owns the folder layout (``<module>/module.toml`` and
``<module>/items/*.toml``), the content hash that names a module version, the
translation of schema errors into ``file:line: item: message`` problems, and
running the cross-checks. Every problem of every module is collected; nothing
raises for bad input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mqexam.bank.model import ITEM_TYPES, AnyItem, ItemAdapter, Module, ModuleMeta, Source
from mqexam.bank.source import KeyPath, Problem, SourceError, TomlFile, read_toml
from mqexam.i18n import _

MODULE_FILE = "module.toml"
ITEMS_DIR = "items"

Locate = Callable[[str, KeyPath], Source]


@dataclass
class LoadResult:
    """A bank folder's modules and every problem found while loading them."""

    modules: list[Module] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)

    def errors(self, strict: bool = False) -> list[Problem]:
        return [p for p in self.problems if strict or p.severity == "error"]

    def module(self, module_id: str) -> Module | None:
        for module in self.modules:
            if module.id == module_id:
                return module
        return None


def module_files(folder: Path) -> list[Path]:
    """The files that make up a module version, in a stable order."""
    items = folder / ITEMS_DIR
    found = sorted(items.glob("*.toml")) if items.is_dir() else []
    return [folder / MODULE_FILE, *found]


def content_hash(folder: Path, files: Iterable[Path]) -> str:
    """sha256 over each file's path (relative to the module) and bytes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def _dotted(loc: Iterable[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def describe_error(error: Any) -> tuple[tuple[str | int, ...], str]:
    """A pydantic error as (key path, message an author understands)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    where = _dotted(loc)
    if kind == "extra_forbidden":
        return loc, _("unknown key '{key}'").format(key=where)
    if kind == "missing":
        return loc[:-1], _("missing required key '{key}'").format(key=where)
    if kind == "union_tag_invalid":
        return loc, _("unknown item type '{type}' (expected one of: {types})").format(
            type=error["input"].get("type") if isinstance(error["input"], dict) else "?",
            types=", ".join(ITEM_TYPES),
        )
    if kind == "union_tag_not_found":
        return loc, _("missing 'type' (one of: {types})").format(types=", ".join(ITEM_TYPES))
    if kind == "string_pattern_mismatch":
        return loc, _("'{key}' has an invalid value {value!r}").format(
            key=where, value=error["input"]
        )
    value = error.get("input")
    shown = repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__
    return loc, _("'{key}': {reason} (got {value})").format(
        key=where or "?", reason=error["msg"], value=shown
    )


def _schema_problems(
    error: ValidationError, toml: TomlFile, prefix: KeyPath, subject: str, strip: str | None
) -> list[Problem]:
    problems = []
    for raw in error.errors():
        loc, message = describe_error(raw)
        if strip is not None and loc[:1] == (strip,):
            loc = loc[1:]
            message = message.replace(f"{strip}.", "", 1)
        line = toml.lines.line_of((*prefix, *loc))
        problems.append(Problem(toml.path, line, subject, message))
    return problems


def load_module(folder: Path) -> tuple[Module | None, list[Problem]]:
    """Load one module folder: the module, or ``None`` when it cannot be used, and its problems."""
    from mqexam.bank.checks import check_module

    problems: list[Problem] = []
    subject = folder.name
    try:
        meta_file = read_toml(folder / MODULE_FILE, subject)
    except SourceError as error:
        return None, [error.problem]
    meta: ModuleMeta | None = None
    try:
        meta = ModuleMeta.model_validate(meta_file.data)
        subject = meta.id
    except ValidationError as error:
        subject = str(meta_file.data.get("id", subject))
        problems += _schema_problems(error, meta_file, (), subject, None)

    items: list[AnyItem] = []
    sources: dict[str, Source] = {}
    places: dict[str, tuple[TomlFile, int]] = {}
    files = module_files(folder)
    for path in files[1:]:
        try:
            toml = read_toml(path, subject)
        except SourceError as error:
            problems.append(error.problem)
            continue
        unknown = sorted(set(toml.data) - {"item"})
        for name in unknown:
            problems.append(
                Problem(
                    path,
                    toml.lines.line_of((name,)),
                    subject,
                    _("unknown key '{key}' (an items file holds only [[item]] tables)").format(
                        key=name
                    ),
                )
            )
        raw_items = toml.data.get("item", [])
        if not isinstance(raw_items, list):
            problems.append(Problem(path, toml.lines.line_of(("item",)), subject,
                                    _("'item' must be written as [[item]] tables")))
            continue
        for index, raw in enumerate(raw_items):
            item_id = str(raw.get("id", f"#{index + 1}")) if isinstance(raw, dict) else "?"
            line = toml.lines.line_of(("item", index))
            if item_id in places:
                first, _first_index = places[item_id]
                problems.append(
                    Problem(path, line, item_id, _("duplicate item id (first at {where})").format(
                        where=f"{first.path}:{sources[item_id].line}"
                    ))
                )
                continue
            try:
                item = ItemAdapter.validate_python(raw)
            except ValidationError as error:
                strip = raw.get("type") if isinstance(raw, dict) else None
                problems += _schema_problems(error, toml, ("item", index), item_id, strip)
                continue
            items.append(item)
            sources[item.id] = Source(path=path, line=line)
            places[item.id] = (toml, index)

    if not files[1:]:
        problems.append(Problem(folder / ITEMS_DIR, None, subject, _("no items files (items/*.toml)")))
    if meta is None:
        return None, problems

    def locate(item_id: str, path: KeyPath) -> Source:
        if item_id not in places:
            return Source(path=meta_file.path, line=meta_file.lines.line_of(path))
        toml, index = places[item_id]
        return Source(path=toml.path, line=toml.lines.line_of(("item", index, *path)))

    module = Module(
        meta=meta,
        items=tuple(items),
        folder=folder,
        content_hash=content_hash(folder, files),
        sources=sources,
    )
    problems += check_module(module, locate)
    return module, problems


def load_bank(root: Path, use_cache: bool = True) -> LoadResult:
    """Load every module under ``root`` (or ``root`` itself when it is a module folder)."""
    from mqexam.bank.cache import cached_load

    result = LoadResult()
    if (root / MODULE_FILE).is_file():
        folders = [root]
    else:
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        except FileNotFoundError:
            result.problems.append(Problem(root, None, "bank", _("no such folder")))
            return result
        except NotADirectoryError:
            result.problems.append(Problem(root, None, "bank", _("not a folder")))
            return result
        except PermissionError:
            result.problems.append(Problem(root, None, "bank", _("cannot read the folder: permission denied")))
            return result
    seen: dict[str, Path] = {}
    for folder in folders:
        if not (folder / MODULE_FILE).exists():
            try:
                has_items = any(folder.glob("*.toml")) or (folder / ITEMS_DIR).is_dir()
            except PermissionError:
                has_items = True
            if has_items:
                result.problems.append(
                    Problem(folder, None, folder.name, _("no module.toml in this module folder"))
                )
            continue
        module, problems = cached_load(folder) if use_cache else load_module(folder)
        if module is not None and module.id in seen:
            problems = [*problems, Problem(folder / MODULE_FILE, None, module.id,
                        _("duplicate module id (also in {folder})").format(folder=seen[module.id]))]
        result.problems += problems
        errors = [p for p in problems if p.severity == "error"]
        if module is not None and not errors:
            seen[module.id] = folder
            result.modules.append(module)
        else:
            result.broken[module.id if module else folder.name] = errors
    return result
