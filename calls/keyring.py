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
    for share_id in shares():
        destroy_share(share_id)
    for pattern in (".new-*.tmp", ".shred-*"):
        for leftover in _directory().glob(pattern):
            _shred(leftover)
    return destroyed


# --- Session shares -------------------------------------------------------------
# One share of each signed-in session's held note key (calls.unlock): 32 random
# bytes, wrapped like the bucket keys, destroyed at sign-out. A copy of the
# session row and the browser's cookie, the other two shares, open nothing
# once it is gone.

_SHARE_FILE = re.compile(r"^share-([0-9a-f]{32})\.key$")
SHARE_BYTES = 32


def _share_path(share_id: str) -> Path | None:
    name = f"share-{share_id}.key"
    return _directory() / name if _SHARE_FILE.fullmatch(name) else None


def _share_label(share_id: str) -> bytes:
    return f"crisisline session share {share_id}".encode()


def new_share() -> tuple[str, bytes]:
    """(an id to keep in the session, a new random share written to the keyring)."""
    share_id = secrets.token_hex(16)
    share = secrets.token_bytes(SHARE_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = nonce + _wrapper().encrypt(nonce, share, _share_label(share_id))
    path = _share_path(share_id)
    assert path is not None
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(wrapped)
    return share_id, share


def read_share(share_id: object) -> bytes | None:
    """The share kept under `share_id`, or None when it is gone (or never was)."""
    path = _share_path(share_id) if isinstance(share_id, str) else None
    if path is None:
        return None
    try:
        wrapped = path.read_bytes()
        return _wrapper().decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _share_label(share_id)
        )
    except (FileNotFoundError, InvalidTag, ValueError):
        return None


def destroy_share(share_id: object) -> bool:
    path = _share_path(share_id) if isinstance(share_id, str) else None
    return path is not None and _shred(path)


def shares() -> list[str]:
    """The ids of every share still in the keyring."""
    found = (_SHARE_FILE.fullmatch(path.name) for path in _directory().iterdir())
    return sorted(match.group(1) for match in found if match)


def destroy_shares_except(kept: set[str], *, older_than: datetime) -> int:
    """Destroy every share not in `kept` written before `older_than` (so that a
    sign-in under way keeps its new share); returns how many."""
    moment = older_than.timestamp()
    destroyed = 0
    for share_id in shares():
        path = _share_path(share_id)
        if share_id in kept or path is None:
            continue
        try:
            if path.stat().st_mtime >= moment:
                continue
        except FileNotFoundError:
            continue
        destroyed += _shred(path)
    return destroyed
