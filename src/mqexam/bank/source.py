"""Reading bank files: bytes to TOML data, with the line each key came from.

Called by the loader and the cache. Owns the file-level failures a hand-written
bank can have (a missing, unreadable or special file, not UTF-8, binary, too
large, broken TOML) and a line map, so that every later problem can name the
real line in the author's file.

A line is reported only when it is the real one. The line map records the line
of every table header, key, dotted-key prefix and element of a multi-line
array; a key path it did not record falls back to its nearest recorded parent
(the enclosing table or key, which is real), and when the file's layout is
beyond the scanner it stops recording rather than guess. Building the map costs
about as much as parsing, so it is built only when a problem needs a line; the
line of every ``[[item]]`` (which the loaded module keeps) has a fast path.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mqexam.i18n import _

MAX_FILE_BYTES = 5 * 1024 * 1024
"""A bank file larger than this is refused: hand-written TOML is never this big."""

KeyPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*"
_PART = re.compile(rf"{_QUOTED}|{_BARE}")
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_DOTTED})[ \t]*(\]\]?)[ \t]*(?:#.*)?\r?$")
_ASSIGN = re.compile(rf"[ \t]*({_DOTTED})[ \t]*=")
_TOKEN = re.compile(
    r'[ \t\r]+|#.*|"""|\'\'\'|"(?:[^"\\]|\\.)*"|\'[^\']*\'|[\[\]{},]|[^ \t\r\[\]{},"\'#]+'
)
_ITEM_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*item[ \t]*\]\][ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)
_TOML_POSITION = re.compile(r" \(at line (\d+), column (\d+)\)$")
_TOML_END = " (at end of document)"


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


# -- the line map ------------------------------------------------------------


def _split_dotted(text: str) -> list[str]:
    parts = []
    for part in _PART.findall(text):
        if part[0] == "'":
            part = part[1:-1]
        elif part[0] == '"':
            part = _basic_key(part)
        parts.append(part)
    return parts


def _basic_key(quoted: str) -> str:
    if "\\" not in quoted:
        return quoted[1:-1]
    try:
        return str(tomllib.loads(f"k = {quoted}")["k"])
    except tomllib.TOMLDecodeError:
        return quoted[1:-1]


def _close_quote(line: str, pos: int, quote: str) -> int:
    """Where the multi-line string closed by ``quote`` ends on ``line``, or -1."""
    while True:
        found = line.find(quote, pos)
        if found < 0:
            return -1
        if quote == '"""':
            start = found
            while start > 0 and line[start - 1] == "\\":
                start -= 1
            if (found - start) % 2:
                pos = found + 1
                continue
        end = found + 3
        while end < len(line) and end - found < 5 and line[end] == quote[0]:
            end += 1
        return end


class _Frame:
    """An open ``[...]`` or ``{...}`` value while scanning."""

    __slots__ = ("current", "expect", "index", "kind", "path", "want_key")

    def __init__(self, kind: str, path: KeyPath) -> None:
        self.kind = kind
        self.path = path
        self.index = 0
        self.expect = True
        self.want_key = True
        self.current = path


class _Scanner:
    def __init__(self) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.counters: dict[KeyPath, int] = {}
        """Each array of tables, by its full path (indices of enclosing arrays included),
        and how many tables it has so far."""
        self.table: KeyPath = ()
        self.value_path: KeyPath = ()
        self.frames: list[_Frame] = []
        self.open_quote: str | None = None

    def record(self, path: KeyPath, start: int, number: int) -> None:
        for end in range(start, len(path) + 1):
            self.lines.setdefault(path[:end], number)

    def run(self, text: str) -> dict[KeyPath, int]:
        for number, line in enumerate(text.split("\n"), start=1):
            pos = 0
            if self.open_quote:
                pos = _close_quote(line, 0, self.open_quote)
                if pos < 0:
                    continue
                self.open_quote = None
            if self.frames or pos:
                self.scan_value(line, pos, number)
                continue
            stripped = line.lstrip(" \t")
            if not stripped or stripped[0] in "#\r":
                continue
            if stripped[0] == "[":
                if not self.header(line, number):
                    break  # a header this scanner does not understand: stop, never guess
                continue
            match = _ASSIGN.match(line)
            if match is None:
                break
            path = (*self.table, *_split_dotted(match.group(1)))
            self.record(path, len(self.table) + 1, number)
            self.value_path = path
            rest = line[match.end() :]
            if "[" in rest or "{" in rest or '"""' in rest or "'''" in rest:
                self.scan_value(line, match.end(), number)
        return self.lines

    def header(self, line: str, number: int) -> bool:
        match = _HEADER.match(line)
        if match is None or len(match.group(1)) != len(match.group(3)):
            return False
        names = _split_dotted(match.group(2))
        is_array = match.group(1) == "[["
        path: list[str | int] = []
        for i, name in enumerate(names):
            path.append(name)
            key = tuple(path)
            if key in self.counters and not (is_array and i == len(names) - 1):
                path.append(self.counters[key] - 1)  # the array's latest table
        if is_array:
            key = tuple(path)
            index = self.counters.get(key, 0)
            self.counters[key] = index + 1
            path.append(index)
        self.table = tuple(path)
        self.record(self.table, 1, number)
        return True

    def value_start(self, number: int) -> KeyPath:
        if not self.frames:
            return self.value_path
        top = self.frames[-1]
        if top.kind == "{":
            return top.current
        path = (*top.path, top.index)
        if top.expect:
            self.lines.setdefault(path, number)
            top.expect = False
        return path

    def scan_value(self, line: str, pos: int, number: int) -> None:
        frames = self.frames
        size = len(line)
        while pos < size:
            top = frames[-1] if frames else None
            if top is not None and top.kind == "{" and top.want_key:
                match = _ASSIGN.match(line, pos)
                if match is not None:
                    top.current = (*top.path, *_split_dotted(match.group(1)))
                    self.record(top.current, len(top.path) + 1, number)
                    top.want_key = False
                    pos = match.end()
                    continue
            token = _TOKEN.match(line, pos)
            if token is None:
                pos += 1
                continue
            text, pos = token.group(), token.end()
            first = text[0]
            if first in " \t\r":
                continue
            if first == "#":
                return
            if first == ",":
                if top is not None:
                    if top.kind == "[":
                        top.index += 1
                        top.expect = True
                    else:
                        top.want_key = True
                continue
            if first in "]}":
                if frames:
                    frames.pop()
                continue
            path = self.value_start(number)
            if first in "[{":
                frames.append(_Frame(first, path))
            elif text in ('"""', "'''"):
                end = _close_quote(line, pos, text)
                if end < 0:
                    self.open_quote = text
                    return
                pos = end


@dataclass
class LineMap:
    """Full key paths (array indices included) to the line that wrote them."""

    lines: dict[KeyPath, int] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> LineMap:
        return cls(_Scanner().run(text))

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path`` or, failing that, of its nearest recorded parent."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


# -- reading files -------------------------------------------------------------


@dataclass
class TomlFile:
    """A parsed bank file; its line map is built on first use."""

    path: Path
    data: dict[str, Any]
    raw: bytes
    text: str
    _lines: LineMap | None = field(default=None, repr=False)

    @property
    def lines(self) -> LineMap:
        if self._lines is None:
            self._lines = LineMap.scan(self.text)
        return self._lines

    def item_lines(self, count: int) -> list[int | None]:
        """The line of each of the file's ``count`` ``[[item]]`` tables.

        The fast path finds the headers with one regular expression; it is
        trusted only where no header can hide in a string (no multi-line
        strings) and it finds exactly as many headers as TOML found items.
        """
        text = self.text
        if '"""' not in text and "'''" not in text:
            starts = [match.start() for match in _ITEM_HEADER.finditer(text)]
            if len(starts) == count:
                result: list[int | None] = []
                number, last = 1, 0
                for start in starts:
                    number += text.count("\n", last, start)
                    last = start
                    result.append(number)
                return result
        lines = self.lines.lines
        return [lines.get(("item", index)) for index in range(count)]


def _fail(path: Path, subject: str, message: str, line: int | None = None) -> SourceError:
    return SourceError(Problem(path, line, subject, message))


def read_source(path: Path, subject: str) -> bytes:
    """The bytes of a bank file, or :class:`SourceError` saying why there are none.

    Refuses folders, pipes, devices and sockets before reading (a pipe would
    block for ever), and files over :data:`MAX_FILE_BYTES`.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise _fail(path, subject, _("a link to a file that does not exist")) from None
        raise _fail(path, subject, _("no such file")) from None
    except PermissionError:
        raise _fail(path, subject, _("cannot read the file: permission denied")) from None
    except IsADirectoryError:
        raise _fail(path, subject, _("expected a file, found a folder")) from None
    except OSError as error:
        raise _fail(path, subject, _("cannot read the file: {reason}").format(
            reason=error.strerror or error)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _fail(path, subject, _("expected a file, found a folder"))
        if not stat.S_ISREG(info.st_mode):
            raise _fail(path, subject, _("not a regular file (a pipe, socket or device)"))
        limit = MAX_FILE_BYTES // (1024 * 1024)
        too_big = _("file is {size} MB, more than the {limit} MB a bank file may have")
        if info.st_size > MAX_FILE_BYTES:
            raise _fail(path, subject, too_big.format(size=info.st_size // (1024 * 1024),
                                                      limit=limit))
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise _fail(path, subject, too_big.format(size=len(raw) // (1024 * 1024),
                                                      limit=limit))
        return raw
    except OSError as error:
        raise _fail(path, subject, _("cannot read the file: {reason}").format(
            reason=error.strerror or error)) from None
    finally:
        os.close(fd)


def parse_toml(path: Path, raw: bytes, subject: str) -> TomlFile:
    """``raw`` as TOML, or :class:`SourceError` with one clear problem."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _fail(path, subject, _("the file is UTF-16 text; save it as UTF-8"))
    if b"\x00" in raw:
        raise _fail(path, subject, _("this is a binary file, not TOML text"))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _fail(path, subject, _("the file is not UTF-8 text (save it as UTF-8)"),
                    line) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _fail(path, subject, _("the file is empty"))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = str(error)
        where: int | None = None
        position = _TOML_POSITION.search(reason)
        if position:
            where = int(position.group(1))
            reason = reason[: position.start()] + " " + _("(column {column})").format(
                column=position.group(2))
        elif reason.endswith(_TOML_END):
            reason = reason.removesuffix(_TOML_END) + " " + _("(at the end of the file)")
            where = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise _fail(path, subject, _("TOML syntax: {reason}").format(reason=reason),
                    where) from None
    return TomlFile(path=path, data=data, raw=raw, text=text)


def read_toml(path: Path, subject: str, raw: bytes | None = None) -> TomlFile:
    """Read ``path`` (or parse ``raw``, its bytes already read) as TOML.

    Raises :class:`SourceError` with one clear problem when it cannot.
    """
    return parse_toml(path, read_source(path, subject) if raw is None else raw, subject)
