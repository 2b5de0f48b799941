"""Canonical bytes for JSON that is hashed or signed (RFC 8785, JCS).

Called by the bundle writer (every ``.json`` file of a bundle is written in this
form, so the sha256 in ``SHA256SUMS`` is the hash of the canonical JSON and a
verifier in any language that canonicalises gets the same bytes) and by the
verifier (which checks the files still are canonical).
"""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """``value`` as RFC 8785 canonical JSON (UTF-8, sorted keys, no whitespace)."""
    return bytes(rfc8785.dumps(value))


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
