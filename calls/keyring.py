"""Bucket keys for note bodies, kept outside the database.

Every note body is encrypted (AES-256-GCM) under the key of its expiry
bucket: one key per hour of expiry. Each key is a file in settings.KEYRING_DIR,
itself encrypted ("wrapped") by settings.KEYRING_MASTER_KEY. Once every note
of a bucket has expired, the purge destroys the bucket's key, and a copy of the
database taken before the purge can no longer be read.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

BUCKET_SECONDS = 3600
NONCE_BYTES = 12
_KEY_FILE = re.compile(r"^bucket-(\d+)\.key$")


class Unreadable(Exception):
    """The key is gone or the ciphertext does not match it: nothing is returned."""


class WrongMasterKey(Unreadable):
    """KEYRING_MASTER_KEY does not open the keys already in KEYRING_DIR."""


def bucket_for(expires_at: datetime) -> int:
    """The bucket of an expiry instant: the number of its whole hour since the epoch."""
    return int(expires_at.timestamp()) // BUCKET_SECONDS


def bucket_end(bucket: int) -> int:
    """The epoch second when every note in `bucket` has expired."""
    return (bucket + 1) * BUCKET_SECONDS


def _directory() -> Path:
    directory = Path(settings.KEYRING_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _path(bucket: int) -> Path:
    return _directory() / f"bucket-{bucket}.key"


def _wrapper() -> AESGCM:
    return AESGCM(settings.KEYRING_MASTER_KEY)


def _label(bucket: int) -> bytes:
    return f"crisisline bucket key {bucket}".encode()


def _read_key(bucket: int) -> bytes | None:
    try:
        wrapped = _path(bucket).read_bytes()
    except FileNotFoundError:
        return None
    try:
        return _wrapper().decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _label(bucket))
    except (InvalidTag, ValueError) as exc:
        raise Unreadable(f"bucket key {bucket} cannot be unwrapped with this master key") from exc


def master_key_opens_the_keyring() -> bool:
    """Whether the master key opens the keys already on disk (true for an empty or
    missing keyring). A wrong master key opens none, so the newest key that is
    still there decides: never one the purge may be destroying (the oldest).
    Never creates the directory."""
    directory = Path(settings.KEYRING_DIR)
    if not directory.is_dir():
        return True
    for bucket in reversed(_buckets_in(directory)):
        try:
            if _read_key(bucket) is not None:
                return True
        except Unreadable:
            return False
    return True


def _create_key(bucket: int) -> bytes:
    """Write a new wrapped key atomically; if another process won the race, use theirs.

    Refuses (WrongMasterKey) while the keys already on disk do not open: a key
    wrapped under a wrong master key would leave a keyring no single key opens.
    """
    if not master_key_opens_the_keyring():
        raise WrongMasterKey(
            "KEYRING_MASTER_KEY does not open the keys in KEYRING_DIR: no new key is made"
        )
    key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = nonce + _wrapper().encrypt(nonce, key, _label(bucket))
    directory = _directory()
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".new-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(wrapped)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            # link() never replaces an existing file: the first writer wins.
            os.link(temporary, _path(bucket))
        except FileExistsError:
            existing = _read_key(bucket)
            if existing is None:  # pragma: no cover - destroyed in between
                raise
            return existing
    finally:
        os.unlink(temporary)
    return key


def key_for(bucket: int, *, create: bool = False) -> bytes:
    key = _read_key(bucket)
    if key is None:
        if not create:
            raise Unreadable(f"bucket key {bucket} no longer exists")
        key = _create_key(bucket)
    return key


def encrypt_bytes(plaintext: bytes, *, bucket: int, context: bytes) -> bytes:
    """Ciphertext of `plaintext` under the bucket's key, bound to `context`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key_for(bucket, create=True)).encrypt(nonce, plaintext, context)


def decrypt_bytes(ciphertext: bytes, *, bucket: int, context: bytes) -> bytes:
    """The plaintext, or Unreadable; never the ciphertext or a partial result."""
    key = key_for(bucket)
    try:
        data = bytes(ciphertext)
        return AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], context)
    except (InvalidTag, ValueError) as exc:
        raise Unreadable("ciphertext does not match its key") from exc


def encrypt(plaintext: str, *, bucket: int, context: bytes) -> bytes:
    """Ciphertext of the text `plaintext` under the bucket's key, bound to `context`."""
    return encrypt_bytes(plaintext.encode(), bucket=bucket, context=context)


def decrypt(ciphertext: bytes, *, bucket: int, context: bytes) -> str:
    """The text, or Unreadable; never the ciphertext or a partial result."""
    try:
        return decrypt_bytes(ciphertext, bucket=bucket, context=context).decode()
    except UnicodeDecodeError as exc:
        raise Unreadable("note body does not match its key") from exc


def _buckets_in(directory: Path) -> list[int]:
    return sorted(
        int(match.group(1)) for name in os.listdir(directory) if (match := _KEY_FILE.match(name))
    )


def buckets() -> list[int]:
    """Buckets that still have a key."""
    return _buckets_in(_directory())


def _shred(path: Path) -> bool:
    """Move the file out of the keyring's names, overwrite it with random bytes,
    flush it, then unlink it: nobody ever reads a half-overwritten key as a key."""
    try:
        doomed = path.with_name(f".shred-{path.name}")
        path.rename(doomed)
        path = doomed
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(max(size, 64)))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def destroy_past(now: datetime) -> int:
    """Destroy the key of every bucket whose notes have all expired; returns how many."""
    moment = now.timestamp()
    for leftover in _directory().glob(".shred-*"):  # a shred cut short
        _shred(leftover)
    return sum(_shred(_path(bucket)) for bucket in buckets() if bucket_end(bucket) <= moment)


def destroy_all() -> int:
    """Destroy every key (the emergency wipe); returns how many."""
    destroyed = sum(_shred(_path(bucket)) for bucket in buckets())
    for pattern in (".new-*.tmp", ".shred-*"):
        for leftover in _directory().glob(pattern):
            _shred(leftover)
    return destroyed
