"""The service's case-file signing key (Ed25519): each case file's manifest is signed with it, so a case
file rewritten consistently (a bid, the chain, the CSV and the manifest all recomputed) still fails:
nobody without the key can sign the new manifest.

Where it is kept: the file ``AUCTION_CASE_FILE_KEY`` names, else ``case-file-signing-key.pem`` in the
service's data directory (the documents directory, ``core/document_store.resolve_directory``: beside a
SQLite database, ``AUCTION_DOCUMENTS_DIR`` otherwise), which every process of one database shares. The
first process that needs it and finds none generates it (written to a temporary file, then linked into
place: two processes starting together end with one key). PKCS#8 PEM, unencrypted, mode 0600: whoever
can read the file can sign, so back it up and guard it like the database's password. The public key is
published at ``GET /api/v1/case-file-key`` and printed by ``auction-service audit key``.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..config import Settings
from .document_store import resolve_directory

KEY_FILE = "case-file-signing-key.pem"
ALGORITHM = "Ed25519"


@dataclass(frozen=True, slots=True)
class SigningKey:
    private: Ed25519PrivateKey
    path: Path

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_base64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def key_id_of(public_raw: bytes) -> str:
    """A short name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def key_path(settings: Settings) -> tuple[Path, str]:
    """The key's file for these settings and how it was chosen."""
    if settings.case_file_key:
        return Path(settings.case_file_key).expanduser().resolve(), "AUCTION_CASE_FILE_KEY"
    root, _why = resolve_directory(settings.documents_dir, settings.database_url)
    return root / KEY_FILE, "in the documents directory; AUCTION_CASE_FILE_KEY chooses another file"


def signing_key(settings: Settings) -> SigningKey:
    """The service's key, generated on first use when there is none."""
    path, _why = key_path(settings)
    return _load_or_create(path)


@lru_cache(maxsize=16)
def _load_or_create(path: Path) -> SigningKey:
    if not path.exists():
        _create(path)
    return SigningKey(read_private_key(path), path)


def read_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def _create(path: Path) -> None:
    """Write a new key at ``path`` unless another process wrote one first (``os.link`` never replaces)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(handle, pem)
        os.fsync(handle)
    finally:
        os.close(handle)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process made it first: theirs is the key
    finally:
        temporary.unlink(missing_ok=True)
