"""Loading bank folders into :class:`~mqexam.bank.model.Module` objects.

Called by the command line, the learner and assessor apps and the evidence
export. Owns the folder layout (``<module>/module.toml`` and
``<module>/items/*.toml``), the content hash that names a module version, the
translation of schema errors into ``file:line: item: message`` problems, and
running the cross-checks. Every problem of every module is collected; nothing
raises for bad input.
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mqexam.bank.model import (
    COUNTRY_PATTERN,
    ID_PATTERN,
    ITEM_TYPES,
    LOCALE_PATTERN,
    VERSION_PATTERN,
    AnyItem,
    ItemAdapter,
    Module,
    ModuleMeta,
    Source,
)
from mqexam.bank.source import KeyPath, Problem, SourceError, TomlFile, read_toml
from mqexam.i18n import _

MODULE_FILE = "module.toml"
ITEMS_DIR = "items"

Locate = Callable[[str | None, KeyPath], Source]
"""Where a key of an item (or, for ``None``, of module.toml) was written."""


@dataclass
class LoadResult:
    """A bank folder's modules and every problem found while loading them."""

    modules: list[Module] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)
    root_problem: Problem | None = None
    """Set when the bank folder itself cannot be used (missing, not a folder, unreadable)."""

    def errors(self, strict: bool = False) -> list[Problem]:
        return [p for p in self.problems if strict or p.severity == "error"]

    def module(self, module_id: str) -> Module | None:
        for module in self.modules:
            if module.id == module_id:
                return module
        return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many acyclic objects.

    Loading a big bank allocates hundreds of thousands of dicts and models and
    frees none; each allocation burst would otherwise trigger collections that
    walk every live object again (they made a cached load four times slower).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _folder_state(path: Path) -> str:
    """``dir``, ``file``, ``missing``, ``denied`` or ``other``, without raising."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "missing"
    except PermissionError:
        return "denied"
    except OSError:
        return "other"
    if stat.S_ISDIR(mode):
        return "dir"
    return "file" if stat.S_ISREG(mode) else "other"


def list_module_files(folder: Path, subject: str) -> tuple[list[Path], list[Problem]]:
    """``module.toml`` and the items files (hidden files left out), and why any are missing."""
    items = folder / ITEMS_DIR
    try:
        names = sorted(
            entry.name for entry in os.scandir(items)
            if entry.name.endswith(".toml") and not entry.name.startswith(".")
        )
    except FileNotFoundError:
        return [folder / MODULE_FILE], [
            Problem(items, None, subject, _("no items folder (items/*.toml)"))]
    except NotADirectoryError:
        return [folder / MODULE_FILE], [
            Problem(items, None, subject, _("'items' must be a folder of .toml files"))]
    except PermissionError:
        return [folder / MODULE_FILE], [
            Problem(items, None, subject, _("cannot read the folder: permission denied"))]
    except OSError as error:
        return [folder / MODULE_FILE], [
            Problem(items, None, subject, _("cannot read the folder: {reason}").format(
                reason=error.strerror or error))]
    problems = []
    if not names:
        problems.append(Problem(items, None, subject, _("no items files (items/*.toml)")))
    return [folder / MODULE_FILE, *(items / name for name in names)], problems


def module_files(folder: Path) -> list[Path]:
    """The files that make up a module version, in a stable order."""
    return list_module_files(folder, folder.name)[0]


def content_hash(folder: Path, files: Iterable[Path],
                 blobs: Mapping[Path, bytes] | None = None) -> str:
    """sha256 over each file's path (relative to the module) and bytes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        raw = blobs[path] if blobs is not None else path.read_bytes()
        digest.update(raw + b"\0")
    return "sha256:" + digest.hexdigest()


def is_module_path(relative: str) -> bool:
    """``module.toml`` or ``items/<name>.toml``: the only files a module version has."""
    parts = relative.split("/")
    if parts == [MODULE_FILE]:
        return True
    return (len(parts) == 2 and parts[0] == ITEMS_DIR and parts[1].endswith(".toml")
            and not parts[1].startswith(".") and "\\" not in parts[1] and parts[1] != ".toml")


def hash_of_files(files: Mapping[str, bytes]) -> str | None:
    """The content hash of a module version given as ``relative path -> bytes`` (the same
    order and bytes :func:`content_hash` uses), or ``None`` if a path is not a module file."""
    if MODULE_FILE not in files or not all(is_module_path(p) for p in files):
        return None
    order = [MODULE_FILE, *sorted(p for p in files if p != MODULE_FILE)]
    digest = hashlib.sha256()
    for relative in order:
        digest.update(relative.encode() + b"\0")
        digest.update(files[relative] + b"\0")
    return "sha256:" + digest.hexdigest()


def _plain(loc: Iterable[str | int]) -> str:
    """A pydantic location as the dotted key an author wrote, without array indices.

    The line number already says which ``[[item.option]]`` is meant.
    """
    return ".".join(str(part) for part in loc if not isinstance(part, int))


def _pattern_hint(error: Any) -> str:
    """What a value matching the error's pattern looks like, in an author's words."""
    pattern = (error.get("ctx") or {}).get("pattern")
    hints = {
        ID_PATTERN: _("an id is lower-case letters, digits and '-', e.g. 'call-for-help'"),
        COUNTRY_PATTERN: _("a country is an ISO 3166-1 alpha-2 code in capitals, e.g. 'DK'"),
        LOCALE_PATTERN: _("a locale is a language code, e.g. 'en', 'da' or 'pt_BR'"),
        VERSION_PATTERN: _("a version is MAJOR.MINOR.PATCH, e.g. '1.2.0'"),
    }
    return hints.get(str(pattern), str(error["msg"]))


def describe_error(error: Any) -> tuple[tuple[str | int, ...], str]:
    """A pydantic error as (key path to point at, message an author understands)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":  # a table key that is not allowed, e.g. text.EN
        loc = loc[:-1]
        return loc, _("'{key}' is not a valid key here: {reason}").format(
            key=_plain(loc), reason=_pattern_hint(error))
    where = _plain(loc)
    if kind == "extra_forbidden":
        return loc, _("unknown key '{key}'").format(key=where)
    if kind == "missing":
        return loc[:-1], _("missing required key '{key}'").format(key=where)
    if kind == "union_tag_invalid":
        return (*loc, "type"), _("unknown item type '{type}' (expected one of: {types})").format(
            type=error["input"].get("type") if isinstance(error["input"], dict) else "?",
            types=", ".join(ITEM_TYPES),
        )
    if kind == "union_tag_not_found":
        return loc, _("missing 'type' (one of: {types})").format(types=", ".join(ITEM_TYPES))
    if kind == "string_pattern_mismatch":
        return loc, _("'{key}' has an invalid value {value!r}: {hint}").format(
            key=where, value=error["input"], hint=_pattern_hint(error)
        )
    value = error.get("input")
    shown = repr(value) if isinstance(value, str | int | float | bool) else type(value).__name__
    if not where:
        return loc, _("{reason} (got {value})").format(reason=error["msg"], value=shown)
    return loc, _("'{key}': {reason} (got {value})").format(
        key=where, reason=error["msg"], value=shown
    )


def _schema_problems(
    error: ValidationError, toml: TomlFile, prefix: KeyPath, subject: str, tag: Any = None
) -> list[Problem]:
    problems = []
    for raw in error.errors():
        loc = tuple(raw["loc"])
        if tag is not None and loc[:1] == (tag,):  # the discriminated union's branch name
            raw = {**raw, "loc": loc[1:]}
        loc, message = describe_error(raw)
        problems.append(Problem(toml.path, toml.lines.line_of((*prefix, *loc)), subject, message))
    return problems


def _read(path: Path, subject: str, blobs: Mapping[Path, bytes] | None) -> TomlFile:
    return read_toml(path, subject, blobs.get(path) if blobs is not None else None)


def load_module(
    folder: Path, blobs: Mapping[Path, bytes] | None = None
) -> tuple[Module | None, list[Problem]]:
    """Load one module folder: the module, or ``None`` when it cannot be used, and its problems.

    ``blobs`` may hold the bytes of the module's files, already read (by the cache).
    """
    with gc_paused():
        module, problems = _load_module(folder, blobs)
    problems.sort(key=lambda p: (str(p.path), p.line or 0))
    return module, problems


def _load_module(
    folder: Path, blobs: Mapping[Path, bytes] | None
) -> tuple[Module | None, list[Problem]]:
    from mqexam.bank.checks import check_items, check_module

    problems: list[Problem] = []
    subject = folder.name
    files, listing = list_module_files(folder, subject)
    read: dict[Path, bytes] = {}
    meta_file: TomlFile | None = None
    meta: ModuleMeta | None = None
    meta_errors: list[Any] = []
    try:
        meta_file = _read(files[0], subject, blobs)
    except SourceError as error:
        problems.append(error.problem)
    if meta_file is not None:
        read[meta_file.path] = meta_file.raw
        try:
            meta = ModuleMeta.model_validate(meta_file.data)
            subject = meta.id
        except ValidationError as error:
            raw_id = meta_file.data.get("id")
            subject = raw_id if isinstance(raw_id, str) and raw_id else subject
            problems += _schema_problems(error, meta_file, (), subject)
            meta_errors = error.errors()
    problems += [Problem(p.path, p.line, subject, p.message) for p in listing]

    items: list[AnyItem] = []
    sources: dict[str, Source] = {}
    places: dict[str, tuple[TomlFile, int]] = {}
    first_seen: dict[str, str] = {}
    complete = not listing  # every item written was loaded (so counting items is fair)
    for path in files[1:]:
        try:
            toml = _read(path, subject, blobs)
        except SourceError as error:
            problems.append(error.problem)
            complete = False
            continue
        read[path] = toml.raw
        for name in sorted(set(toml.data) - {"item"}):
            problems.append(Problem(
                path, toml.lines.line_of((name,)), subject,
                _("unknown key '{key}' (an items file holds only [[item]] tables)").format(
                    key=name),
            ))
        raw_items = toml.data.get("item", [])
        if not isinstance(raw_items, list):
            problems.append(Problem(path, toml.lines.line_of(("item",)), subject,
                                    _("'item' must be written as [[item]] tables")))
            complete = False
            continue
        lines = toml.item_lines(len(raw_items))
        for index, raw in enumerate(raw_items):
            line = lines[index]
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            item_id = raw_id if isinstance(raw_id, str) and raw_id else _("item {n}").format(
                n=index + 1)
            if isinstance(raw_id, str):
                first = first_seen.get(raw_id)
                if first is not None:
                    problems.append(Problem(path, toml.lines.line_of(("item", index, "id")),
                                            item_id, _("duplicate item id (first at {where})")
                                            .format(where=first)))
                    complete = False
                    continue
                first_seen[raw_id] = f"{path}:{line}" if line else str(path)
            try:
                item = ItemAdapter.validate_python(raw)
            except ValidationError as error:
                tag = raw.get("type") if isinstance(raw, dict) else None
                problems += _schema_problems(error, toml, ("item", index), item_id, tag)
                complete = False
                continue
            items.append(item)
            sources[item.id] = Source(path=path, line=line)
            places[item.id] = (toml, index)

    if meta_file is None:
        return None, problems
    module_toml = meta_file

    def locate(item_id: str | None, path: KeyPath) -> Source:
        if item_id is None:
            return Source(path=module_toml.path, line=module_toml.lines.line_of(path))
        toml, index = places[item_id]
        return Source(path=toml.path, line=toml.lines.line_of(("item", index, *path)))

    if meta is None:
        scope = _scope(meta_file.data, meta_errors)
        if scope is not None:
            problems += check_items(subject, items, *scope, locate)
        return None, problems
    module = Module.model_construct(
        meta=meta,
        items=tuple(items),
        folder=folder,
        content_hash=content_hash(folder, [p for p in files if p in read], read),
        sources=sources,
    )
    problems += check_module(module, locate, complete)
    return module, problems


_SCOPE = ("languages", "context", "outcome")


def _scope(data: dict[str, Any], errors: list[Any]
           ) -> tuple[list[str], list[str], list[str]] | None:
    """Languages, context codes and outcome ids of a module.toml that has other errors,
    so its items can still be checked; ``None`` when one of these has errors too."""
    if any(error["loc"][:1] in [(name,) for name in _SCOPE] for error in errors):
        return None
    return (
        list(data["languages"]),
        [context["code"] for context in data["context"]],
        [outcome["id"] for outcome in data["outcome"]],
    )


def load_bank(root: Path, use_cache: bool = True) -> LoadResult:
    """Load every module under ``root`` (or ``root`` itself when it is a module folder)."""
    from mqexam.bank.cache import cached_load

    result = LoadResult()

    def refuse(message: str) -> LoadResult:
        result.root_problem = Problem(root, None, "bank", message)
        result.problems.append(result.root_problem)
        return result

    state = _folder_state(root)
    if state == "missing":
        return refuse(_("no such folder"))
    if state == "denied":
        return refuse(_("cannot read the folder: permission denied"))
    if state != "dir":
        return refuse(_("not a folder"))
    marker = _folder_state(root / MODULE_FILE)
    if marker == "denied":
        return refuse(_("cannot read the folder: permission denied"))
    if marker != "missing":
        folders = [root]
    else:
        try:
            folders = sorted(
                Path(entry.path) for entry in os.scandir(root)
                if not entry.name.startswith(".") and _folder_state(Path(entry.path)) == "dir"
            )
        except PermissionError:
            return refuse(_("cannot read the folder: permission denied"))
        except OSError as error:
            return refuse(_("cannot read the folder: {reason}").format(
                reason=error.strerror or error))
    seen: dict[str, Path] = {}
    for folder in folders:
        marker = _folder_state(folder / MODULE_FILE)
        if marker == "missing":
            if _looks_like_module(folder):
                result.problems.append(
                    Problem(folder, None, folder.name, _("no module.toml in this module folder"))
                )
            continue
        if marker == "denied":
            problems = [Problem(folder, None, folder.name,
                                _("cannot read the folder: permission denied"))]
            result.problems += problems
            result.broken[folder.name] = problems
            continue
        module, problems = cached_load(folder) if use_cache else load_module(folder)
        if module is not None and module.id in seen:
            problems = [*problems, Problem(
                folder / MODULE_FILE, module_line(module), module.id,
                _("duplicate module id (also in {folder})").format(folder=seen[module.id]))]
        result.problems += problems
        errors = [p for p in problems if p.severity == "error"]
        if module is not None and not errors:
            seen[module.id] = folder
            result.modules.append(module)
        else:
            result.broken[module.id if module else folder.name] = errors
    return result


def _looks_like_module(folder: Path) -> bool:
    """A folder without module.toml that holds items or TOML files (so not a stray folder)."""
    if _folder_state(folder / ITEMS_DIR) != "missing":
        return True
    try:
        return any(entry.name.endswith(".toml") for entry in os.scandir(folder))
    except OSError:
        return True


def module_line(module: Module) -> int | None:
    """The line of ``id`` in module.toml (read again: only for a rare problem)."""
    try:
        toml = read_toml(module.folder / MODULE_FILE, module.id)
    except SourceError:
        return None
    return toml.lines.line_of(("id",))
