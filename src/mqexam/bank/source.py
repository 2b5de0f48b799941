"""Reading bank files: bytes to TOML data, with the line each key came from.

Called by the loader. Owns the file-level failures a hand-written bank can have
(unreadable, not UTF-8, binary, too large, broken TOML) and a small line map so
that every later problem can name the real line in the author's file. A line is
reported only when it is the real one; otherwise the caller falls back to the
line of the enclosing table.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mqexam.i18n import _

MAX_FILE_BYTES = 5 * 1024 * 1024
"""A bank file larger than this is refused: hand-written TOML is never this big."""

KeyPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_TOML_POSITION = re.compile(r"at line (\d+)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a warning) in a bank, pointing at file and line."""

    path: Path
    line: int | None
    subject: str
    message: str
    severity: str = "error"

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.subject}: {self.message}"


class SourceError(Exception):
    """A bank file that cannot be read as TOML at all."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.render())
        self.problem = problem


def _split_dotted(text: str) -> list[str]:
    parts = re.findall(rf"({_QUOTED}|{_BARE})", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def _bracket_delta(text: str) -> tuple[int, str | None]:
    """Net ``[``/``{`` depth of ``text`` outside strings, and an unclosed triple quote."""
    depth, i = 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "#":
            break
        if text.startswith('"""', i) or text.startswith("'''", i):
            quote = text[i : i + 3]
            end = text.find(quote, i + 3)
            if end < 0:
                return depth, quote
            i = end + 3
            continue
        if ch in "\"'":
            end = i + 1
            while end < len(text) and text[end] != ch:
                end += 2 if ch == '"' and text[end] == "\\" else 1
            i = end + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    return depth, None


@dataclass
class LineMap:
    """Full key paths (array indices included) to the line that wrote them."""

    lines: dict[KeyPath, int] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> LineMap:
        result = cls()
        counters: dict[KeyPath, int] = {}
        arrays: set[tuple[str, ...]] = set()
        table: KeyPath = ()
        depth, open_quote = 0, None
        for number, line in enumerate(text.splitlines(), start=1):
            if open_quote:
                if open_quote in line:
                    open_quote = None
                continue
            if depth > 0:
                delta, open_quote = _bracket_delta(line)
                depth = max(0, depth + delta)
                continue
            header = _HEADER.match(line)
            if header:
                names = _split_dotted(header.group(2))
                path: list[str | int] = []
                for i, name in enumerate(names):
                    path.append(name)
                    plain = tuple(names[: i + 1])
                    is_last = i == len(names) - 1
                    if plain in arrays and not (is_last and header.group(1) == "[["):
                        path.append(counters.get(tuple(path), 1) - 1)
                if header.group(1) == "[[":
                    arrays.add(tuple(names))
                    key = tuple(path)
                    index = counters.get(key, 0)
                    counters[key] = index + 1
                    path.append(index)
                table = tuple(path)
                result.lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                key_path = (*table, *_split_dotted(assign.group(1)))
                result.lines.setdefault(key_path, number)
                delta, open_quote = _bracket_delta(line[assign.end() :])
                depth = max(0, delta)
        return result

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path`` or, failing that, of its nearest recorded parent."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


@dataclass
class TomlFile:
    """A parsed bank file and its line map."""

    path: Path
    data: dict[str, Any]
    lines: LineMap
    raw: bytes


def read_toml(path: Path, subject: str) -> TomlFile:
    """Read ``path`` as TOML or raise :class:`SourceError` with one clear problem."""

    def fail(message: str, line: int | None = None) -> SourceError:
        return SourceError(Problem(path, line, subject, message))

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(
                _("file is {size} MB, more than the {limit} MB a bank file may have").format(
                    size=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024)
                )
            )
        raw = path.read_bytes()
    except PermissionError:
        raise fail(_("cannot read the file: permission denied")) from None
    except IsADirectoryError:
        raise fail(_("expected a file, found a folder")) from None
    except OSError as error:
        raise fail(_("cannot read the file: {reason}").format(reason=error.strerror)) from None
    if b"\x00" in raw:
        raise fail(_("this is a binary file, not TOML text"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise fail(_("the file is not UTF-8 text (save it as UTF-8)"), line) from None
    if not text.strip():
        raise fail(_("the file is empty"))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        reason = message.split(" (at ")[0]
        raise fail(
            _("TOML syntax: {reason}").format(reason=reason),
            int(position.group(1)) if position else None,
        ) from None
    return TomlFile(path=path, data=data, lines=LineMap.scan(text), raw=raw)
