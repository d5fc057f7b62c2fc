"""Sealed note keys: the cryptography, with no database and no request in sight.

Each person has an X25519 key pair. Its private half is stored only wrapped
(AES-256-GCM) under a key derived from their password with Argon2id, so the
server alone cannot unwrap it. A note body is encrypted under a random data
key; the data key is sealed to each reader's public key with HPKE (RFC 9180,
from `cryptography`), so writing a note never needs anyone's private key, and
reading it needs the reader's.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
PUBLIC_KEY_BYTES = 32

# Production cost: 3 passes over 64 MiB. Tests lower the memory through the
# setting NOTE_KEY_ARGON2_MEMORY_KIB (from the environment), never the format.
ARGON2_TIME_COST = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_PARALLELISM = 1
ARGON2_MIN_MEMORY_KIB = 8 * ARGON2_PARALLELISM


class WrongPassword(Exception):
    """The password does not unwrap this private key; nothing was changed."""


class CannotOpen(Exception):
    """This private key cannot open this sealed copy (wrong key, or tampered)."""


@dataclass(frozen=True)
class Argon2Cost:
    time_cost: int
    memory_kib: int
    parallelism: int


def argon2_cost() -> Argon2Cost:
    """The cost for new wraps (memory from settings.NOTE_KEY_ARGON2_MEMORY_KIB)."""
    return Argon2Cost(
        time_cost=ARGON2_TIME_COST,
        memory_kib=max(int(settings.NOTE_KEY_ARGON2_MEMORY_KIB), ARGON2_MIN_MEMORY_KIB),
        parallelism=ARGON2_PARALLELISM,
    )


def password_key(password: str, salt: bytes, cost: Argon2Cost) -> bytes:
    """A 32-byte wrapping key from the password (Argon2id)."""
    return hash_secret_raw(
        password.encode(),
        salt,
        time_cost=cost.time_cost,
        memory_cost=cost.memory_kib,
        parallelism=cost.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _encrypt(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def _decrypt(key: bytes, ciphertext: bytes, context: bytes) -> bytes:
    data = bytes(ciphertext)
    return AESGCM(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], context)


@dataclass(frozen=True)
class WrappedKeyPair:
    public_key: bytes
    wrapped_private_key: bytes
    salt: bytes
    cost: Argon2Cost


def _wrap_context(public_key: bytes) -> bytes:
    return b"crisisline note private key|" + public_key


def private_bytes(private: X25519PrivateKey) -> bytes:
    return private.private_bytes_raw()


def public_bytes_of(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes_raw()


def load_private(raw: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(raw)


def wrap(private: X25519PrivateKey, password: str) -> WrappedKeyPair:
    """The private key wrapped under a fresh salt and the current cost."""
    salt, cost = secrets.token_bytes(SALT_BYTES), argon2_cost()
    public = public_bytes_of(private)
    wrapped = _encrypt(
        password_key(password, salt, cost), private_bytes(private), _wrap_context(public)
    )
    return WrappedKeyPair(public_key=public, wrapped_private_key=wrapped, salt=salt, cost=cost)


def new_key_pair(password: str) -> tuple[X25519PrivateKey, WrappedKeyPair]:
    private = X25519PrivateKey.generate()
    return private, wrap(private, password)


def unwrap(pair: WrappedKeyPair, password: str) -> X25519PrivateKey:
    """The private key, or WrongPassword."""
    key = password_key(password, bytes(pair.salt), pair.cost)
    try:
        raw = _decrypt(key, pair.wrapped_private_key, _wrap_context(bytes(pair.public_key)))
    except (InvalidTag, ValueError) as exc:
        raise WrongPassword from exc
    private = load_private(raw)
    if public_bytes_of(private) != bytes(pair.public_key):  # pragma: no cover - bound by AD
        raise WrongPassword
    return private


# --- Sealing a data key to a public key --------------------------------------------

# A seal starts with its format. HPKE (RFC 9180) base mode, single shot:
# DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM; the seal's context is
# HPKE's `info`. The format byte leaves room for another suite (say the
# ML-KEM-768 + X25519 hybrid) without guessing.
FORMAT_HPKE_X25519 = 0x01
_HPKE_X25519 = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)

# Seals made before the format byte (a hand-built sealed box: ephemeral X25519
# public key, nonce, AES-256-GCM of a 32-byte data key under HKDF-SHA256 of the
# shared secret) have no format byte and always exactly this length, which no
# formatted seal has. They open until their notes expire (at most
# NOTE_RETENTION_MAX_DAYS); nothing makes them any more.
LEGACY_SEAL_BYTES = PUBLIC_KEY_BYTES + NONCE_BYTES + KEY_BYTES + 16


def _legacy_seal_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=b"crisisline sealed note key|" + ephemeral + recipient,
    ).derive(shared)


def _open_legacy(sealed: bytes, private: X25519PrivateKey, context: bytes) -> bytes:
    ephemeral_public = sealed[:PUBLIC_KEY_BYTES]
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = _legacy_seal_key(shared, ephemeral_public, public_bytes_of(private))
    return _decrypt(key, sealed[PUBLIC_KEY_BYTES:], context)


def seal(data_key: bytes, recipient_public: bytes, context: bytes) -> bytes:
    """`data_key` sealed so that only the recipient's private key opens it."""
    recipient = X25519PublicKey.from_public_bytes(bytes(recipient_public))
    return bytes([FORMAT_HPKE_X25519]) + _HPKE_X25519.encrypt(data_key, recipient, info=context)


def open_sealed(sealed: bytes, private: X25519PrivateKey, context: bytes) -> bytes:
    """The data key, or CannotOpen (wrong key, wrong context, tampered, unknown format)."""
    sealed = bytes(sealed)
    try:
        if len(sealed) == LEGACY_SEAL_BYTES:
            return _open_legacy(sealed, private, context)
        if sealed[:1] == bytes([FORMAT_HPKE_X25519]):
            return _HPKE_X25519.decrypt(sealed[1:], private, info=context)
    except (InvalidTag, ValueError) as exc:
        raise CannotOpen from exc
    raise CannotOpen("unknown seal format")


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encrypt_body(body: str, data_key: bytes, context: bytes) -> bytes:
    return _encrypt(data_key, body.encode(), context)


def encrypt_data(plaintext: bytes, data_key: bytes, context: bytes) -> bytes:
    return _encrypt(data_key, plaintext, context)


def decrypt_data(ciphertext: bytes, data_key: bytes, context: bytes) -> bytes:
    """The plaintext, or CannotOpen."""
    try:
        return _decrypt(data_key, ciphertext, context)
    except (InvalidTag, ValueError) as exc:
        raise CannotOpen from exc


def decrypt_body(ciphertext: bytes, data_key: bytes, context: bytes) -> str:
    try:
        return _decrypt(data_key, ciphertext, context).decode()
    except (InvalidTag, ValueError, UnicodeDecodeError) as exc:
        raise CannotOpen from exc


# --- Holding an unlocked key for one browser session --------------------------------


def hold(private: X25519PrivateKey, context: bytes) -> tuple[bytes, bytes]:
    """(a random per-session secret for the cookie, the private key encrypted under it)."""
    secret = secrets.token_bytes(KEY_BYTES)
    return secret, _encrypt(secret, private_bytes(private), context)


def release(secret: bytes, held: bytes, context: bytes) -> X25519PrivateKey:
    """The private key held under `secret`, or CannotOpen."""
    try:
        return load_private(_decrypt(secret, held, context))
    except (InvalidTag, ValueError) as exc:
        raise CannotOpen from exc
