"""Sealing a note's data key: RFC 9180 HPKE behind a format byte, and the seals
made before it (a hand-built X25519 sealed box) still open until they expire."""

from __future__ import annotations

import secrets

import pytest
from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from calls import keyring, sealing
from calls.models import NoteKeys, NoteSeal
from tests.calls.conftest import read_body, write_note
from tests.factory import PASSWORD

CONTEXT = b"callnote seal|test"


def legacy_seal(data_key: bytes, recipient_public: bytes, context: bytes) -> bytes:
    """A seal as the app made them before HPKE: ephemeral X25519 public key, then
    AES-256-GCM (nonce first) under HKDF-SHA256 of the shared secret; no format byte."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"crisisline sealed note key|" + ephemeral_public + recipient_public,
    ).derive(shared)
    nonce = secrets.token_bytes(12)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, data_key, context)


@pytest.fixture
def private() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def test_a_new_seal_is_rfc_9180_hpke_after_its_format_byte(private):
    data_key = sealing.new_data_key()
    sealed = sealing.seal(data_key, sealing.public_bytes_of(private), CONTEXT)
    assert sealed[0] == sealing.FORMAT_HPKE_X25519
    # 1 format byte + the 32-byte encapsulated key + 32 bytes of key + a 16-byte tag.
    assert len(sealed) == 1 + 32 + 32 + 16
    # Any RFC 9180 implementation opens it, given the suite and the context as `info`.
    suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)
    assert suite.decrypt(sealed[1:], private, info=CONTEXT) == data_key
    assert sealing.open_sealed(sealed, private, CONTEXT) == data_key


def test_a_seal_made_before_hpke_still_opens(private):
    data_key = sealing.new_data_key()
    old = legacy_seal(data_key, sealing.public_bytes_of(private), CONTEXT)
    assert len(old) == sealing.LEGACY_SEAL_BYTES
    assert sealing.open_sealed(old, private, CONTEXT) == data_key


@pytest.mark.parametrize("make", [sealing.seal, legacy_seal], ids=["hpke", "legacy"])
def test_neither_format_opens_for_another_key_context_or_tampering(private, make):
    data_key = sealing.new_data_key()
    sealed = make(data_key, sealing.public_bytes_of(private), CONTEXT)
    with pytest.raises(sealing.CannotOpen):
        sealing.open_sealed(sealed, X25519PrivateKey.generate(), CONTEXT)
    with pytest.raises(sealing.CannotOpen):
        sealing.open_sealed(sealed, private, CONTEXT + b"x")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(sealing.CannotOpen):
        sealing.open_sealed(tampered, private, CONTEXT)


@pytest.mark.parametrize("first", [0x00, 0x02, 0xFF])
def test_an_unknown_format_byte_does_not_open(private, first):
    sealed = sealing.seal(sealing.new_data_key(), sealing.public_bytes_of(private), CONTEXT)
    with pytest.raises(sealing.CannotOpen):
        sealing.open_sealed(bytes([first]) + sealed[1:], private, CONTEXT)


def test_a_note_whose_copy_was_sealed_before_hpke_still_opens(responder):
    note = write_note(responder, "sealed the old way")
    seal = NoteSeal.objects.get(note=note, recipient=responder)
    private = NoteKeys.objects.get(person=responder).unlock(PASSWORD)
    context = seal.context()
    inner = keyring.decrypt_bytes(bytes(seal.sealed_key), bucket=note.body_bucket, context=context)
    data_key = sealing.open_sealed(inner, private, context)
    old = legacy_seal(data_key, bytes(seal.public_key), context)
    seal.sealed_key = keyring.encrypt_bytes(old, bucket=note.body_bucket, context=context)
    seal.save()
    assert read_body(note, responder) == "sealed the old way"
