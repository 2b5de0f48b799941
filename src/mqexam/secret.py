"""Salted scrypt hashes for resume codes and assessor passphrases (pure, no storage).

Called by the sitting (resume codes) and the assessor accounts. Owns the hash
format ``scrypt$n$r$p$salt$hash`` and constant-time verification; only hashes
are ever stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


QUICK_N = 2**12
"""Cost for short-lived resume codes: hashed on the learner's Start, so kept cheap."""


def hash_secret(secret: str, n: int = _N) -> str:
    """A salted scrypt hash of ``secret``; ``n`` is the CPU/memory cost (a power of two)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    return f"scrypt${n}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
