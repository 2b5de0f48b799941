"""The fast canonical JSON encoder writes exactly the bytes of the RFC 8785 reference."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mqexam.evidence.canonical import canonical_json, reference_json

SCALARS = (st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=5), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_fast_path_equals_the_reference(value: Any) -> None:
    try:
        expected = reference_json(value)
    except Exception:  # the reference refuses (e.g. a lone surrogate): so may we, any way
        return
    assert canonical_json(value) == expected


def test_numbers_at_the_edges() -> None:
    for value in (0.0, -0.0, 2.0, 1e-4, 9.999e-5, 1e15, 1e16, 1e21, 0.1 + 0.2, 83.33,
                  2**53 - 1, -(2**53) + 1, 1 / 3, 5e-324, 1.7976931348623157e308):
        assert canonical_json({"n": value}) == reference_json({"n": value}), value


def test_keys_beyond_the_basic_plane_sort_as_utf16() -> None:
    value = {"\U0001f600": 1, "\uffff": 2, "a": 3}
    assert canonical_json(value) == reference_json(value)


def test_whole_floats_at_and_beyond_two_to_the_53() -> None:
    for value in (2.0**53, -(2.0**53), 2.0**53 + 2, 2.0**60, 1e20):
        assert canonical_json(value) == reference_json(value)
