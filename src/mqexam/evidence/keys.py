"""The issuer's Ed25519 key pair: where it lives, creating it, loading it, its fingerprint.

Called by ``mqexam keys`` (init, fingerprint), by the export (which signs with the
private key and puts the public key in the bundle as ``issuer.pem``) and by the
verifier (``--key PEM`` and ``--fingerprint FP``). Owns the key folder
(``--keys DIR``, else ``$MQEXAM_KEYS``, else ``$XDG_CONFIG_HOME/mqexam/keys``, else
``~/.config/mqexam/keys``), its files (``issuer.key``: the private key as PKCS#8
PEM, readable by its owner only; ``issuer.pem``: the public key as SPKI PEM;
``issuer.json``: the awarding body the key belongs to) and the fingerprint: the
sha256 of the public key's DER SubjectPublicKeyInfo, which
``openssl pkey -pubin -in issuer.pem -outform DER | sha256sum`` also prints.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from mqexam.errors import MqexamError
from mqexam.i18n import _

PRIVATE_FILE = "issuer.key"
PUBLIC_FILE = "issuer.pem"
META_FILE = "issuer.json"
MAX_KEY_FILE = 64 * 1024
_HEX = re.compile(r"^[0-9a-f]{64}$")


def keys_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The key folder: flag, ``MQEXAM_KEYS``, then ``$XDG_CONFIG_HOME/mqexam/keys``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MQEXAM_KEYS")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mqexam" / "keys"


# -- fingerprints --------------------------------------------------------------


def public_der(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PublicKey) -> str:
    """sha256 of the DER SubjectPublicKeyInfo, 64 lower-case hex digits."""
    return hashlib.sha256(public_der(key)).hexdigest()


def grouped(hex_digest: str) -> str:
    """``ab12cd34...`` as ``ab12 cd34 ...``: 16 groups of 4, easy to read aloud and compare."""
    return " ".join(hex_digest[i:i + 4] for i in range(0, len(hex_digest), 4))


def parse_fingerprint(text: str) -> str:
    """A fingerprint as a person may type it (groups, colons, ``SHA256:``, any case) -> hex."""
    plain = text.strip().lower().removeprefix("sha256:")
    plain = re.sub(r"[\s:._-]", "", plain)
    if not _HEX.match(plain):
        raise MqexamError(_("'{text}' is not a key fingerprint (64 hexadecimal digits, as "
                            "'mqexam keys fingerprint' prints it)").format(text=text.strip()))
    return plain


# -- reading key files ---------------------------------------------------------


def _read_small(path: Path, what: str) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise MqexamError(_("{what} {path} is not a file").format(what=what, path=path))
        if info.st_size > MAX_KEY_FILE:
            raise MqexamError(_("{what} {path} is too large to be a key").format(
                what=what, path=path))
        return path.read_bytes()
    except FileNotFoundError:
        raise MqexamError(_("{what} {path} does not exist").format(what=what, path=path)) from None
    except PermissionError:
        raise MqexamError(_("cannot read {what} {path}: permission denied").format(
            what=what, path=path)) from None
    except OSError as error:
        raise MqexamError(_("cannot read {what} {path}: {reason}").format(
            what=what, path=path, reason=error.strerror or error)) from None


def load_public_pem(data: bytes) -> Ed25519PublicKey | None:
    """An Ed25519 public key from SPKI PEM bytes, or ``None`` when they are not one."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


def load_public_key_file(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in a PEM file (``--key PEM``); a private key file also works."""
    data = _read_small(path, _("the key file"))
    key = load_public_pem(data)
    if key is not None:
        return key
    with contextlib.suppress(ValueError, TypeError, UnsupportedAlgorithm):
        private = serialization.load_pem_private_key(data, password=None)
        if isinstance(private, Ed25519PrivateKey):
            return private.public_key()
    raise MqexamError(_("{path} is not an Ed25519 public key in PEM form").format(path=path))


@dataclass(frozen=True)
class IssuerKey:
    """The issuer's key pair as loaded from its folder, and the awarding body it belongs to."""

    folder: Path
    private_key: Ed25519PrivateKey
    awarding_body: str | None

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_pem(self) -> bytes:
        return public_pem(self.public_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature of ``data`` (deterministic, RFC 8032)."""
        return self.private_key.sign(data)


def _awarding_body(folder: Path) -> str | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    body = meta.get("awarding_body") if isinstance(meta, dict) else None
    return body if isinstance(body, str) and body.strip() else None


def load_issuer_key(folder: Path) -> IssuerKey:
    """The private key in ``folder``; a clear error when it is missing, open to others or bad."""
    path = folder / PRIVATE_FILE
    if not path.exists() and not path.is_symlink():
        raise MqexamError(_("no issuer key in {folder}: run 'mqexam keys init' first (or give "
                            "the key folder with --keys DIR)").format(folder=folder))
    data = _read_small(path, _("the private key"))
    if os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise MqexamError(_("the private key {path} can be read by others (mode {mode:o}); "
                                "run: chmod 600 {path}").format(path=path, mode=mode))
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise MqexamError(_("{path} is not an unencrypted Ed25519 private key in PEM form")
                          .format(path=path)) from None
    if not isinstance(private, Ed25519PrivateKey):
        raise MqexamError(_("{path} is not an Ed25519 private key").format(path=path))
    return IssuerKey(folder, private, _awarding_body(folder))


# -- creating ------------------------------------------------------------------


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` atomically, created with ``mode`` (never wider, whatever
    the umask), so the private key is never readable by others, not even for a moment."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def init_keys(folder: Path, awarding_body: str, created: str, force: bool = False) -> IssuerKey:
    """Create a new key pair in ``folder`` (0700); refuses to replace one unless ``force``."""
    awarding_body = awarding_body.strip()
    if not awarding_body:
        raise MqexamError(_("the awarding body's name is empty"))
    existing = folder / PRIVATE_FILE
    if (existing.exists() or existing.is_symlink()) and not force:
        try:
            old = f" ({grouped(load_issuer_key(folder).fingerprint)})"
        except MqexamError:
            old = ""
        raise MqexamError(_("an issuer key already exists in {folder}{old}; a new key would no "
                            "longer match the fingerprint you published. Use --force to replace "
                            "it").format(folder=folder, old=old))
    private = Ed25519PrivateKey.generate()
    key = IssuerKey(folder, private, awarding_body)
    meta = {"awarding_body": awarding_body, "created": created,
            "fingerprint_sha256": key.fingerprint}
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            os.chmod(folder, 0o700)
        pem = private.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        _write(folder / PRIVATE_FILE, pem, 0o600)
        _write(folder / PUBLIC_FILE, key.public_pem, 0o644)
        _write(folder / META_FILE, (json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
               .encode(), 0o644)
    except PermissionError:
        raise MqexamError(_("cannot write the key folder {folder}: permission denied").format(
            folder=folder)) from None
    except OSError as error:
        raise MqexamError(_("cannot write the key folder {folder}: {reason}").format(
            folder=folder, reason=error.strerror or error)) from None
    return key
