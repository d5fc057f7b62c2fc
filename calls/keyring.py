"""Bucket keys for note bodies, kept outside the database.

Every note body is encrypted (AES-256-GCM) under the key of its expiry
bucket: one key per hour of expiry. Each key is a file in settings.KEYRING_DIR,
itself encrypted ("wrapped") by settings.KEYRING_MASTER_KEY. Once every note
of a bucket has expired, the purge destroys the bucket's key, and a copy of the
database taken before the purge can no longer be read.

The directory also holds one share of each signed-in session's note key
(`share-<id>.key`, see "Session shares" below), its identity (a random id and when it was made, also
recorded in the database: calls/keyring_guard.py compares them) and a
high-water mark of time, so that expiry never goes backwards with the clock.
Key files carry the keyring's id in their names (`bucket-<hour>.<id>.key`):
a directory restored from a backup beside a newer one never collides with it.
Files from before identities (`bucket-<hour>.key`) are still read.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

BUCKET_SECONDS = 3600
NONCE_BYTES = 12
IDENTITY_FILE = "identity.json"
HIGH_WATER_FILE = "high-water"
_KEY_FILE = re.compile(r"^bucket-(\d+)(?:\.([0-9a-f]{32}))?\.key$")


class Unreadable(Exception):
    """The key is gone or the ciphertext does not match it: nothing is returned."""


class WrongMasterKey(Unreadable):
    """KEYRING_MASTER_KEY does not open the keys already in KEYRING_DIR."""


class KeyringFailure(Exception):
    """Nothing can be written under the keyring right now; nothing was stored."""


class KeyringUnwritable(KeyringFailure):
    """The operating system refused a write in KEYRING_DIR (read-only, full disk …)."""


@dataclass(frozen=True)
class Identity:
    """Who a keyring is: a random id, and when it was made."""

    id: str
    created_at: datetime


def bucket_for(expires_at: datetime) -> int:
    """The bucket of an expiry instant: the number of its whole hour since the epoch."""
    return int(expires_at.timestamp()) // BUCKET_SECONDS


def bucket_end(bucket: int) -> int:
    """The epoch second when every note in `bucket` has expired."""
    return (bucket + 1) * BUCKET_SECONDS


def _root() -> Path:
    return Path(settings.KEYRING_DIR)


def _unwritable(exc: OSError) -> KeyringUnwritable:
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return KeyringUnwritable(f"cannot write in KEYRING_DIR {_root()}: {reason}")


def _directory() -> Path:
    directory = _root()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(exc) from exc
    return directory


def _write_new_file(directory: Path, data: bytes) -> str:
    """A flushed temporary file in `directory` holding `data`; returns its path."""
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".new-", suffix=".tmp")
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        os.unlink(temporary)
        raise
    os.close(descriptor)
    return temporary


# --- Identity and the high-water mark of time ---------------------------------------


def exists() -> bool:
    return _root().is_dir()


def identity() -> Identity | None:
    """The directory's identity, or None when it has none (or no directory)."""
    try:
        data = json.loads((_root() / IDENTITY_FILE).read_text())
        return Identity(id=str(data["id"]), created_at=datetime.fromisoformat(data["created_at"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):  # a damaged identity file is as good as none
        return None


def create_identity(now: datetime | None = None) -> Identity:
    """Give the directory a new identity (replacing any) and return it.

    Raises KeyringUnwritable when the directory cannot be written."""
    made = Identity(id=secrets.token_hex(16), created_at=(now or datetime.now(tz=UTC)))
    data = json.dumps({"id": made.id, "created_at": made.created_at.isoformat()}).encode()
    try:
        directory = _directory()
        os.replace(_write_new_file(directory, data), directory / IDENTITY_FILE)
    except OSError as exc:
        raise _unwritable(exc) from exc
    return made


def identity_or_new() -> Identity:
    """The directory's identity, made now if it has none yet (never replaced)."""
    current = identity()
    if current is not None:
        return current
    made = Identity(id=secrets.token_hex(16), created_at=datetime.now(tz=UTC))
    data = json.dumps({"id": made.id, "created_at": made.created_at.isoformat()}).encode()
    try:
        directory = _directory()
        temporary = _write_new_file(directory, data)
        try:
            os.link(temporary, directory / IDENTITY_FILE)  # the first writer wins
        except FileExistsError:
            return identity() or made
        finally:
            os.unlink(temporary)
    except OSError as exc:
        raise _unwritable(exc) from exc
    return made


def high_water() -> int | None:
    """The latest epoch second the keyring has recorded, if any."""
    try:
        return int((_root() / HIGH_WATER_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def raise_high_water(moment: int, *, always: bool = False) -> None:
    """Record `moment` as the latest time seen, unless a later one is recorded
    (then, with `always`, write that one again: proof the directory takes writes).

    Raises KeyringUnwritable when the directory cannot be written."""
    recorded = high_water()
    if recorded is not None and recorded >= moment:
        if not always:
            return
        moment = recorded
    try:
        directory = _directory()
        os.replace(_write_new_file(directory, str(moment).encode()), directory / HIGH_WATER_FILE)
    except OSError as exc:
        raise _unwritable(exc) from exc


def probe() -> None:
    """Cheaply prove the keyring can be read and written (for /healthz): read its
    identity and write, then remove, one small file. Raises OSError."""
    directory = _root()
    if not directory.is_dir():
        return  # the first note makes it; keyring_guard says whether that is right
    identity()
    os.listdir(directory)
    os.unlink(_write_new_file(directory, b"probe"))


# --- Keys ----------------------------------------------------------------------------


def _key_files(directory: Path) -> list[tuple[int, str | None]]:
    """(bucket, keyring id or None for an old name) of every key file, oldest first."""
    found = []
    for name in os.listdir(directory):
        if match := _KEY_FILE.match(name):
            found.append((int(match.group(1)), match.group(2)))
    return sorted(found, key=lambda item: (item[0], item[1] or ""))


def _name(bucket: int, keyring_id: str | None) -> str:
    return f"bucket-{bucket}.{keyring_id}.key" if keyring_id else f"bucket-{bucket}.key"


def _wrapper() -> AESGCM:
    return AESGCM(settings.KEYRING_MASTER_KEY)


def _label(bucket: int) -> bytes:
    return f"crisisline bucket key {bucket}".encode()


def _read_key(path: Path, bucket: int) -> bytes | None:
    try:
        wrapped = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return _wrapper().decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _label(bucket))
    except (InvalidTag, ValueError) as exc:
        raise WrongMasterKey(
            f"bucket key {bucket} cannot be unwrapped with this master key"
        ) from exc


def master_key_opens_the_keyring() -> bool:
    """Whether the master key opens the keys already on disk (true for an empty or
    missing keyring). A wrong master key opens none, so the newest key that is
    still there decides: never one the purge may be destroying (the oldest).
    Never creates the directory."""
    directory = _root()
    if not directory.is_dir():
        return True
    for bucket, keyring_id in reversed(_key_files(directory)):
        try:
            if _read_key(directory / _name(bucket, keyring_id), bucket) is not None:
                return True
        except Unreadable:
            return False
    return True


def _create_key(bucket: int) -> bytes:
    """Write a new wrapped key atomically; if another process won the race, use theirs.

    Refuses (WrongMasterKey) while the keys already on disk do not open: a key
    wrapped under a wrong master key would leave a keyring no single key opens.
    Raises KeyringUnwritable when the operating system refuses the write.
    """
    if not master_key_opens_the_keyring():
        raise WrongMasterKey(
            "KEYRING_MASTER_KEY does not open the keys in KEYRING_DIR: no new key is made"
        )
    key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = nonce + _wrapper().encrypt(nonce, key, _label(bucket))
    try:
        own = identity_or_new().id
        directory = _directory()
        temporary = _write_new_file(directory, wrapped)
        try:
            # link() never replaces an existing file: the first writer wins.
            os.link(temporary, directory / _name(bucket, own))
        except FileExistsError:
            existing = _read_key(directory / _name(bucket, own), bucket)
            if existing is None:  # pragma: no cover - destroyed in between
                raise
            return existing
        finally:
            os.unlink(temporary)
    except KeyringFailure:
        raise
    except OSError as exc:
        raise _unwritable(exc) from exc
    return key


def _candidate_paths(bucket: int) -> list[Path]:
    """The key files of `bucket`: this keyring's own first, then any other
    (an old name, or keys restored from another keyring's backup)."""
    directory = _root()
    if not directory.is_dir():
        return []
    own = identity()
    names = [_name(bucket, keyring_id) for b, keyring_id in _key_files(directory) if b == bucket]
    if own is not None and _name(bucket, own.id) in names:
        names.remove(_name(bucket, own.id))
        names.insert(0, _name(bucket, own.id))
    return [directory / name for name in names]


def has_key(bucket: int) -> bool:
    """Whether any key file of `bucket` is still there."""
    return bool(_candidate_paths(bucket))


def key_for(bucket: int, *, create: bool = False) -> bytes:
    """The key new ciphertext of `bucket` is written under: this keyring's own
    (made if missing and `create`), else the first there is."""
    own = identity()
    if own is not None:
        key = _read_key(_root() / _name(bucket, own.id), bucket)
        if key is not None:
            return key
    if create:
        return _create_key(bucket)
    for path in _candidate_paths(bucket):
        key = _read_key(path, bucket)
        if key is not None:
            return key
    raise Unreadable(f"bucket key {bucket} no longer exists")


def encrypt_bytes(plaintext: bytes, *, bucket: int, context: bytes) -> bytes:
    """Ciphertext of `plaintext` under the bucket's key, bound to `context`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key_for(bucket, create=True)).encrypt(nonce, plaintext, context)


def decrypt_bytes(ciphertext: bytes, *, bucket: int, context: bytes) -> bytes:
    """The plaintext, or Unreadable; never the ciphertext or a partial result.

    Each key file of the bucket is tried (there is more than one only after keys
    were restored beside a newer keyring's)."""
    data = bytes(ciphertext)
    failure: Unreadable = Unreadable(f"bucket key {bucket} no longer exists")
    for path in _candidate_paths(bucket):
        try:
            key = _read_key(path, bucket)
        except Unreadable as exc:
            failure = exc
            continue
        if key is None:
            continue
        try:
            return AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], context)
        except (InvalidTag, ValueError) as exc:
            failure = Unreadable("ciphertext does not match its key")
            failure.__cause__ = exc
    raise failure


def encrypt(plaintext: str, *, bucket: int, context: bytes) -> bytes:
    """Ciphertext of the text `plaintext` under the bucket's key, bound to `context`."""
    return encrypt_bytes(plaintext.encode(), bucket=bucket, context=context)


def decrypt(ciphertext: bytes, *, bucket: int, context: bytes) -> str:
    """The text, or Unreadable; never the ciphertext or a partial result."""
    try:
        return decrypt_bytes(ciphertext, bucket=bucket, context=context).decode()
    except UnicodeDecodeError as exc:
        raise Unreadable("note body does not match its key") from exc


def buckets() -> list[int]:
    """Buckets that still have a key (each once)."""
    directory = _root()
    if not directory.is_dir():
        return []
    return sorted({bucket for bucket, _id in _key_files(directory)})


def has_keys() -> bool:
    return bool(buckets())


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


def _shred_where(keep: Callable[[int], bool]) -> int:
    directory = _root()
    if not directory.is_dir():
        return 0
    return sum(
        _shred(directory / _name(bucket, keyring_id))
        for bucket, keyring_id in _key_files(directory)
        if not keep(bucket)
    )


def past_buckets(moment: float) -> list[int]:
    """Buckets whose notes have all expired by `moment` (epoch seconds) but still have a key."""
    return [bucket for bucket in buckets() if bucket_end(bucket) <= moment]


def destroy_past(now: datetime) -> int:
    """Destroy the key of every bucket whose notes have all expired; returns how many
    key files (one a bucket, unless keys were restored beside newer ones)."""
    moment = now.timestamp()
    directory = _root()
    if not directory.is_dir():
        return 0
    for leftover in directory.glob(".shred-*"):  # a shred cut short
        _shred(leftover)
    return _shred_where(lambda bucket: bucket_end(bucket) > moment)


def destroy_all() -> int:
    """Destroy every key (the emergency wipe); returns how many."""
    destroyed = _shred_where(lambda bucket: False)
    for share_id in shares():
        destroy_share(share_id)
    directory = _root()
    if directory.is_dir():
        for pattern in (".new-*.tmp", ".shred-*"):
            for leftover in directory.glob(pattern):
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
    return _root() / name if _SHARE_FILE.fullmatch(name) else None


def _share_label(share_id: str) -> bytes:
    return f"crisisline session share {share_id}".encode()


def new_share() -> tuple[str, bytes]:
    """(an id to keep in the session, a new random share written to the keyring).

    Never creates KEYRING_DIR (calls.keyring_guard decides first whether the
    directory there is this database's); raises KeyringUnwritable when the share
    cannot be written."""
    share_id = secrets.token_hex(16)
    share = secrets.token_bytes(SHARE_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    wrapped = nonce + _wrapper().encrypt(nonce, share, _share_label(share_id))
    path = _share_path(share_id)
    assert path is not None
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise _unwritable(exc) from exc
    try:
        view = memoryview(wrapped)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except OSError as exc:
        os.close(descriptor)
        path.unlink(missing_ok=True)  # never a torn share left behind
        raise _unwritable(exc) from exc
    os.close(descriptor)
    return share_id, share


def read_share(share_id: object) -> bytes | None:
    """The share kept under `share_id`, or None when it is gone (or never was)."""
    if not isinstance(share_id, str) or (path := _share_path(share_id)) is None:
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
    directory = _root()
    if not directory.is_dir():
        return []
    found = (_SHARE_FILE.fullmatch(path.name) for path in directory.iterdir())
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


# --- Rotating the master key ----------------------------------------------------------
# Every bucket key and session share is unwrapped with the current master key and
# wrapped again with the new one, one file at a time: the new wrapping is written
# beside it, the old file is kept under a second name (a hard link) while the new
# one takes its place in one rename, then the old bytes are overwritten and
# unlinked. A run cut short leaves every file whole under one key or the other,
# and running it again (with the same two keys) finishes it: files the new key
# opens already are left alone. The oldest keys go first, so that until the run
# is done the newest key, which the start-up check reads, still opens with the
# current master key.

_REWRAP_OLD = ".rewrap-old-"


def _rewrap_file(path: Path, label: bytes, new: AESGCM) -> bool:
    """Wrap `path` under `new`; False when `new` opens it already. Raises
    WrongMasterKey when neither key does (the file is left as it is)."""
    try:
        wrapped = path.read_bytes()
    except FileNotFoundError:
        return False
    nonce, body = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
    try:
        secret = _wrapper().decrypt(nonce, body, label)
    except (InvalidTag, ValueError):
        try:
            new.decrypt(nonce, body, label)
        except (InvalidTag, ValueError) as exc:
            raise WrongMasterKey(f"neither master key opens {path.name}") from exc
        return False
    fresh = secrets.token_bytes(NONCE_BYTES)
    temporary = _write_new_file(path.parent, fresh + new.encrypt(fresh, secret, label))
    old = path.with_name(_REWRAP_OLD + path.name)
    os.link(path, old)
    os.replace(temporary, path)
    _shred(old)
    return True


def _finish_cut_short(directory: Path) -> None:
    """Tidy after a rotation that was stopped half-way through one file."""
    for old in directory.glob(_REWRAP_OLD + "*"):
        current = directory / old.name[len(_REWRAP_OLD) :]
        if current.exists() and os.path.samefile(old, current):
            old.unlink()  # stopped before the new file took its place: nothing to erase
        elif current.exists():
            _shred(old)  # stopped before the old bytes were erased
        else:
            old.rename(current)  # pragma: no cover - never left by _rewrap_file
    for leftover in directory.glob(".new-*.tmp"):
        _shred(leftover)


def rewrap_all(new_master_key: bytes) -> tuple[int, int]:
    """Wrap every session share and bucket key (oldest first) under `new_master_key`
    instead of settings.KEYRING_MASTER_KEY; returns how many (keys, shares) were
    re-wrapped. Run it with nothing else using the keyring (web and scheduler
    stopped)."""
    directory = _root()
    if not directory.is_dir():
        return 0, 0
    new = AESGCM(new_master_key)
    _finish_cut_short(directory)
    shares_done = sum(
        _rewrap_file(directory / f"share-{share_id}.key", _share_label(share_id), new)
        for share_id in shares()
    )
    keys_done = sum(
        _rewrap_file(directory / _name(bucket, keyring_id), _label(bucket), new)
        for bucket, keyring_id in _key_files(directory)
    )
    return keys_done, shares_done
