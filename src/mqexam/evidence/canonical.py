"""Canonical bytes for JSON that is hashed or signed (RFC 8785, JCS).

Called by the bundle writer (every ``.json`` file of a bundle is written in this
form, so the sha256 in ``SHA256SUMS`` is the hash of the canonical JSON and a
verifier in any language that canonicalises gets the same bytes) and by the
verifier (which checks the files still are canonical).

The ``rfc8785`` package is the reference. It is pure Python, so documents whose
canonical form the standard library's encoder produces identically take a fast
path: keys sorted (code point order is UTF-16 order for keys without characters
beyond U+FFFF), no whitespace, UTF-8, control characters escaped as JCS escapes
them, and numbers written the same way (integers; floats that are whole numbers
below 2**53 written as integers, as JCS does; other floats only where Python's
shortest repr and ECMAScript's agree, 1e-4 <= |x| < 1e16). Anything else goes
to ``rfc8785``. A property test holds the two to the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import rfc8785

_SAFE_INT = 2**53 - 1
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=True,
                            separators=(",", ":"))


class _Slow(Exception):
    """The value needs the reference encoder."""


def _plain(value: Any) -> Any:
    """``value`` with floats JCS writes as integers turned into ints; raises :class:`_Slow`
    for anything the standard encoder would write differently from JCS."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > _SAFE_INT:
            raise _Slow
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Slow
        if value.is_integer():
            # Up to 2**53 every whole double is exact and JCS writes its digits; beyond,
            # ECMAScript writes the shortest round-trip digits padded with zeros.
            if abs(value) <= 2**53:
                return int(value)
            raise _Slow
        if not 1e-4 <= abs(value) < 1e16:
            raise _Slow
        return value
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str) or any(ord(ch) > 0xFFFF for ch in key):
                raise _Slow
            plain[key] = _plain(item)
        return plain
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise _Slow


def canonical_json(value: Any) -> bytes:
    """``value`` as RFC 8785 canonical JSON (UTF-8, sorted keys, no whitespace)."""
    try:
        return _ENCODER.encode(_plain(value)).encode("utf-8")
    except (_Slow, UnicodeEncodeError, ValueError):
        return bytes(rfc8785.dumps(value))


def reference_json(value: Any) -> bytes:
    """The ``rfc8785`` package's bytes for ``value`` (what :func:`canonical_json` must equal)."""
    return bytes(rfc8785.dumps(value))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
