"""The line map: every key path points at the line that wrote it, and never at another.

The TOML below marks lines with ``#@ path`` comments (``.``-separated, numbers are
array indices); the test asserts the map puts each marked path on its marked line,
whatever TOML feature wrote it.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from mqexam.bank.loader import load_bank
from mqexam.bank.source import KeyPath, LineMap, TomlFile, parse_toml

MINI = Path(__file__).parent / "fixtures" / "banks" / "mini"

MARKED = '''\
# a comment with [brackets] and [[item]] in it
id = "m"                                  #@ id
title.en = "T"                            #@ title title.en
title."da" = 'T'                          #@ title.da
"quoted.key" = 1
long = """                                #@ long
[[item]]
id = "not an item"
"""
after_long = 1                            #@ after_long
escaped = """a \\""" b"""                 #@ escaped
literal = \'\'\'
[item.context.XX]
\'\'\'
after_literal = 2                         #@ after_literal
quotes_at_end = """x"""""                 #@ quotes_at_end
arr = [                                   #@ arr
  "a",                                    #@ arr.0
  [1,                                     #@ arr.1 arr.1.0
   2],                                    #@ arr.1.1
  { id = "z", text.en = "q" },            #@ arr.2 arr.2.id arr.2.text.en
  """multi                                #@ arr.3
  line""",
  "b, [c]",                               #@ arr.4
]
table = { a = 1, b = { c = 2 } }          #@ table table.a table.b table.b.c

[[item]]                                  #@ item item.0
id = "first"                              #@ item.0.id
text.en = "Hello"                         #@ item.0.text item.0.text.en
answer = { l0 = "r0", l1 = "r1" }         #@ item.0.answer item.0.answer.l0 item.0.answer.l1
outcomes = [                              #@ item.0.outcomes
  "a",                                    #@ item.0.outcomes.0
  "b",                                    #@ item.0.outcomes.1
]

[[item.option]]                           #@ item.0.option item.0.option.0
id = "o1"                                 #@ item.0.option.0.id

[[item.option]]                           #@ item.0.option.1
id = "o2"                                 #@ item.0.option.1.id
text.en = \'\'\'multi                     #@ item.0.option.1.text item.0.option.1.text.en
line\'\'\'
text.da = "after"                         #@ item.0.option.1.text.da

[item.context.US]                         #@ item.0.context item.0.context.US
answer = "o1"                             #@ item.0.context.US.answer

[[item.context.US.option]]                #@ item.0.context.US.option item.0.context.US.option.0
id = "u1"                                 #@ item.0.context.US.option.0.id

[ item . context . "DE" ]                 #@ item.0.context.DE
why.en = "w"                              #@ item.0.context.DE.why item.0.context.DE.why.en

[[ item ]]                                #@ item.1
id = "second"                             #@ item.1.id
option = [                                #@ item.1.option
  { id = "a", text.en = "A" },            #@ item.1.option.0 item.1.option.0.id
  { id = "b", text.en = "B" },            #@ item.1.option.1 item.1.option.1.text.en
]

[["\\u0069tem"]]                           #@ item.2
id = "third"                              #@ item.2.id

[[item]]                                  #@ item.3
id = "fourth"                             #@ item.3.id
[[item.step]]                             #@ item.3.step.0
id = "s"                                  #@ item.3.step.0.id
'''


def marks(text: str) -> dict[KeyPath, int]:
    found: dict[KeyPath, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if "#@ " in line:
            for name in line.split("#@ ")[1].split():
                path = tuple(int(p) if p.isdigit() else p for p in name.split("."))
                found[path] = number
    return found


def test_the_sample_is_valid_toml() -> None:
    data = tomllib.loads(MARKED)
    assert data["quoted.key"] == 1
    assert [i["id"] for i in data["item"]] == ["first", "second", "third", "fourth"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_every_marked_path_is_on_its_line(newline: str) -> None:
    text = MARKED.replace("\n", newline)
    lines = LineMap.scan(text).lines
    assert lines[("quoted.key",)] == 5
    wrong = {path: (lines.get(path), line) for path, line in marks(MARKED).items()
             if lines.get(path) != line}
    assert wrong == {}, "path: (found, expected)"


def test_unicode_line_separators_inside_strings_do_not_shift_lines() -> None:
    text = 'a = "one\u2028two\x85three\u2029"\nb = 1\n[[item]]\nid = "x"\n'
    tomllib.loads(text)
    lines = LineMap.scan(text).lines
    assert (lines[("b",)], lines[("item", 0)], lines[("item", 0, "id")]) == (2, 3, 4)


def test_a_path_never_written_falls_back_to_its_table() -> None:
    line_map = LineMap.scan(MARKED)
    expected = marks(MARKED)
    assert line_map.line_of(("item", 0, "option", 1, "nope")) == expected[("item", 0, "option", 1)]
    assert line_map.line_of(("item", 0, "why")) == expected[("item", 0)]
    assert line_map.line_of(("nothing",)) is None


def test_escaped_quoted_keys_are_read_as_toml_reads_them() -> None:
    text = 'a = 1\n["b\\nc"]\nx = 1\n["\\u0069tem"]\ny = 2\n'
    assert tomllib.loads(text) == {"a": 1, "b\nc": {"x": 1}, "item": {"y": 2}}
    assert LineMap.scan(text).lines == {
        ("a",): 1, ("b\nc",): 2, ("b\nc", "x"): 3, ("item",): 4, ("item", "y"): 5}


def test_a_line_the_scanner_cannot_read_stops_it_rather_than_guess() -> None:
    # Not TOML (tomllib refuses it before a line map is built): a guard, so that a
    # line the scanner does not understand never shifts the lines of what follows.
    text = "a = 1\n[[item]]\n???\n[[item]]\nid = 2\n"
    lines = LineMap.scan(text).lines
    assert lines == {("a",): 1, ("item",): 2, ("item", 0): 2}


def toml_file(text: str) -> TomlFile:
    return parse_toml(Path("x.toml"), text.encode(), "x")


@pytest.mark.parametrize("text", [
    MARKED,
    '[[item]]\nid = "a"\n\n[[item]]  # second\nid = "b"\n',
    'x = """\n[[item]]\n"""\n[[item]]\nid = "a"\n',   # a header inside a string
    "x = 1\n[['item']]\nid = 'a'\n[[item]]\nid = 'b'\n",  # a quoted header
    "item = [\n  { id = 'a' },\n  { id = 'b' },\n]\n",  # an inline array of tables
    '[[item]]\r\nid = "a"\r\n[[item]]\r\nid = "b"\r\n',
])
def test_item_lines_fast_path_agrees_with_the_full_scan(text: str) -> None:
    toml = toml_file(text)
    count = len(toml.data["item"])
    fast = toml.item_lines(count)
    full = [LineMap.scan(text).lines.get(("item", index)) for index in range(count)]
    assert fast == full
    assert None not in fast


def test_item_lines_match_each_item_header_of_the_fixture() -> None:
    for path in sorted((MINI / "items").glob("*.toml")):
        text = path.read_text()
        toml = toml_file(text)
        lines = text.split("\n")
        for item, number in zip(toml.data["item"], toml.item_lines(len(toml.data["item"])),
                                strict=True):
            assert number is not None
            assert lines[number - 1] == "[[item]]"
            assert lines[number] == f'id = "{item["id"]}"'


def leaves(data: object, path: KeyPath = ()) -> list[KeyPath]:
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in leaves(value, (*path, key))]
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return [leaf for i, value in enumerate(data) for leaf in leaves(value, (*path, i))]
    return [path]


def test_every_key_of_the_fixture_is_mapped_to_a_line_that_writes_it() -> None:
    for path in sorted(MINI.rglob("*.toml")):
        text = path.read_text()
        lines = text.split("\n")
        line_map = LineMap.scan(text)
        for leaf in leaves(tomllib.loads(text)):
            number = line_map.lines.get(leaf)
            assert number is not None, (path.name, leaf)
            names = [part for part in leaf if isinstance(part, str)]
            written = lines[number - 1]
            # the key itself, or the inline table / dotted key that holds it
            assert names[-1] in written or names[-2] in written, (path.name, leaf, written)


def test_the_loaded_module_knows_where_each_item_came_from(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "mini")
    module = load_bank(tmp_path, use_cache=False).modules[0]
    for item in module.items:
        source = module.sources[item.id]
        assert source.line is not None
        lines = source.path.read_text().split("\n")
        assert lines[source.line - 1] == "[[item]]"
        assert lines[source.line] == f'id = "{item.id}"'


def test_problems_deep_in_a_file_with_multi_line_strings_get_real_lines(tmp_path: Path) -> None:
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    alarm = folder / "items" / "alarm.toml"
    text = alarm.read_text()
    text = text.replace('why.en = "112 is the emergency number in the EU."',
                        'why.en = """\n112 is the emergency number\n[[item]]\nin the EU."""')
    text = text.replace('text.en = "Give two rescue breaths"',
                        "text.en = '''Give two\nrescue breaths'''\ncolour = 1")
    text = text.replace('answer = ["call", "check", "push"]',
                        'answer = [\n  "call",\n  "check",\n  "jump",\n]')
    alarm.write_text(text)
    lines = text.split("\n")
    problems = sorted(load_bank(tmp_path, use_cache=False).problems, key=lambda p: p.line or 0)
    assert [(p.line, p.subject) for p in problems] == [
        (lines.index("colour = 1") + 1, "first-step"),
        (lines.index('  "jump",') + 1, "sequence"),
    ], [p.render() for p in problems]


# -- any TOML a writer produces ------------------------------------------------------------

_BARE = st.from_regex(r"[a-z][a-z0-9_-]{0,6}", fullmatch=True)
_KEYS = st.one_of(_BARE, _BARE, st.sampled_from(["a.b", "with space", "x#y", "[z]", 'q"t', "é"]))
_TEXT = st.lists(st.sampled_from([*'ab #[]{}"\'\\\n,=.\t', '"""', "'''", "\u2028"]),
                 max_size=12).map("".join)
_SCALARS = st.one_of(_TEXT, st.integers(-5, 5), st.booleans())
_DOCS = st.recursive(
    st.dictionaries(_KEYS, _SCALARS, max_size=3),
    lambda children: st.dictionaries(_KEYS, st.one_of(
        _SCALARS, st.lists(_SCALARS, max_size=3), children,
        st.lists(children, min_size=1, max_size=3)), max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(_DOCS, st.booleans())
def test_every_key_of_any_written_toml_maps_to_a_line_that_writes_it(
        doc: dict[str, object], multiline: bool) -> None:
    text = tomli_w.dumps(doc, multiline_strings=multiline)
    assert tomllib.loads(text) == doc
    lines = text.split("\n")
    line_map = LineMap.scan(text).lines
    for leaf in leaves(doc):
        number = line_map.get(leaf)
        assert number is not None, (text, leaf)
        bare = [part for part in leaf if isinstance(part, str) and re.fullmatch(r"[\w-]+", part)
                and part.isascii()]
        if bare and bare[-1] == leaf[-1]:
            assert any(name in lines[number - 1] for name in bare[-2:]), (text, leaf, number)
            value = value_at(doc, leaf)
            if isinstance(value, bool | int) and lines[number - 1].startswith(leaf[-1]):
                # a plain `key = value` line: the value tells elements of an array apart
                assert lines[number - 1] == f"{leaf[-1]} = {str(value).lower()}", (
                    text, leaf, number)


def value_at(data: object, path: KeyPath) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


def test_an_array_of_tables_in_one_element_is_not_one_in_the_next() -> None:
    # Found by the test above: a."with space" is an array of tables inside a[0] but a
    # plain table inside a[1].
    text = ('[[a]]\nx = 1\n[[a.b]]\ny = 2\n[[a.b]]\ny = 3\n'
            '[[a]]\n[a.b]\nz = 4\n[[a]]\n[[a.b]]\ny = 5\n')
    assert tomllib.loads(text) == {"a": [
        {"x": 1, "b": [{"y": 2}, {"y": 3}]}, {"b": {"z": 4}}, {"b": [{"y": 5}]}]}
    lines = LineMap.scan(text).lines
    assert lines[("a", 0, "b", 1, "y")] == 6
    assert lines[("a", 1, "b")] == 8
    assert lines[("a", 1, "b", "z")] == 9
    assert lines[("a", 2, "b", 0, "y")] == 12
