"""The follow-up queue's index: per holder, what the queue needs from each note handed
to them, so a page shows the queue without opening every note every time.

The follow-up day is sealed inside each note, and opening a note costs an HPKE
open (a key agreement) besides two AES-GCM. A holder's index keeps, per note, its
day, the day they could not reach the person, its kind and exact expiry, and the
live notes it was made from (their count, highest id, sums of ids and of their
squares: anything handed to them or taken away changes it). A page opens the index (two AES-GCM), and
opens only the notes it has not seen. The index is encrypted under a key derived
from the holder's private key (HKDF), so the server alone cannot read it, then
under the bucket key of its earliest note: once that note's hour is over, the
index opens no more and is made again. So nothing in it outlives its note."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from calls import keyring, sealing
from calls.models import CallNoteQuerySet, FollowUpIndex, Kind

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    from crisisline.models import User

# The live notes an index was made from: their count, highest id, and the sums of
# their ids and of their squares (two notes swapped for two others change it).
Fingerprint = tuple[int, int, int, int]
STALE: Fingerprint = (0, 0, 0, 0)


@dataclass(frozen=True)
class Entry:
    """What the queue shows of one note (the attributes a note's contents have)."""

    kind: str
    follow_up_by: date | None
    unreachable_on: date | None
    expires_at: datetime

    def get_kind_display(self) -> str:
        return str(Kind(self.kind).label)


# One note as the index keeps it: [bucket] for a note that does not open for its
# holder, [bucket, KEY_MISSING] for one whose key is gone from the server, else [bucket, kind, follow-up day, unreachable day, expiry]: days in ISO
# form (they compare as text), the expiry in epoch seconds. Only the notes a page
# shows become Entries.
Row = list[Any]
KEY_MISSING = "key missing"


# The length of a row for a note its holder opened.
OPENED_ROW_LENGTH = 5


def key_missing(row: Row) -> bool:
    return len(row) == 2 and row[1] == KEY_MISSING


@dataclass
class Index:
    fingerprint: Fingerprint
    rows: dict[int, Row]


def entry_of(row: Row) -> Entry:
    _bucket, kind, due, unreachable, expires = row
    return Entry(kind, _day(due), _day(unreachable), datetime.fromtimestamp(expires, UTC))


def row_of(bucket: int, entry: Entry | None) -> Row:
    if entry is None:
        return [bucket]
    return [
        bucket,
        entry.kind,
        entry.follow_up_by.isoformat() if entry.follow_up_by else None,
        entry.unreachable_on.isoformat() if entry.unreachable_on else None,
        int(entry.expires_at.timestamp()),
    ]


def _context(reader: User) -> bytes:
    return f"crisisline follow-up index|{reader.pk}".encode()


@sensitive_variables()
def _key(private: X25519PrivateKey) -> bytes:
    derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"follow-up index")
    return derive.derive(sealing.private_bytes(private))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@sensitive_variables()
def load(reader: User, private: X25519PrivateKey) -> Index | None:
    """The holder's index, or None when there is none or it no longer opens (its
    earliest note's hour is over, or their key pair changed)."""
    row = FollowUpIndex.objects.filter(reader=reader).first()
    if row is None:
        return None
    context = _context(reader)
    try:
        inner = keyring.decrypt_bytes(bytes(row.ciphertext), bucket=row.bucket, context=context)
        data = json.loads(sealing.decrypt_data(inner, _key(private), context))
        count, top, total, squares = data["f"]
        if "p" in data:  # the notes' ids, and their rows in the same order
            rows = dict(zip(data["p"], data["w"], strict=True))
        else:  # as indexes were first written: by id, as text (JSON keys are)
            rows = {int(pk): row for pk, row in data["r"].items()}
        return Index((count, top, total, squares), rows)
    except (keyring.Unreadable, sealing.CannotOpen, ValueError, KeyError, IndexError):
        return None


@sensitive_variables()
def save(reader: User, private: X25519PrivateKey, index: Index) -> None:
    """Write the index, or delete it when it speaks of no note."""
    if not index.rows:
        FollowUpIndex.objects.filter(reader=reader).delete()
        return
    # Ids and rows side by side: read back without turning a thousand keys into numbers.
    data = {"f": list(index.fingerprint), "p": list(index.rows), "w": list(index.rows.values())}
    plaintext = json.dumps(data, separators=(",", ":"))
    context = _context(reader)
    earliest = min(row[0] for row in index.rows.values())
    inner = sealing.encrypt_data(plaintext.encode(), _key(private), context)
    values = {
        "bucket": earliest,
        "ciphertext": keyring.encrypt_bytes(inner, bucket=earliest, context=context),
    }
    try:
        with transaction.atomic():
            FollowUpIndex.objects.update_or_create(reader=reader, defaults=values)
    except IntegrityError:  # another page of theirs made one meanwhile: theirs will do
        pass


@sensitive_variables()
def refresh(
    reader: User,
    private: X25519PrivateKey,
    held: CallNoteQuerySet,
    index: Index | None,
    fingerprint: Fingerprint,
    moment: datetime,
) -> Index:
    """The index brought up to date with `held` (the live notes handed to `reader`):
    notes gone are dropped, and only the notes it has not seen are opened."""
    current = dict(held.values_list("pk", "body_bucket"))
    known = index.rows if index is not None else {}
    rows = {pk: row for pk, row in known.items() if pk in current}
    missing = [pk for pk in current if pk not in rows]
    if missing:
        to_open = held if len(missing) == len(current) else held.filter(pk__in=missing)
        for item in to_open.opened_by(reader, private, moment=moment):
            contents = item.contents
            if item.key_missing:
                rows[item.note.pk] = [item.note.body_bucket, KEY_MISSING]
                continue
            rows[item.note.pk] = row_of(
                item.note.body_bucket,
                None
                if contents is None
                else Entry(
                    contents.kind,
                    contents.follow_up_by,
                    contents.unreachable_on,
                    contents.expires_at,
                ),
            )
        for pk in missing:  # past its own expiry, or not theirs to open
            rows.setdefault(pk, [current[pk]])
    fresh = Index(fingerprint, rows)
    save(reader, private, fresh)
    return fresh


@sensitive_variables()
def forget(reader: User, private: X25519PrivateKey, note_pk: int) -> None:
    """The holder changed what a note says (they could not reach the person): the
    next page opens that note again."""
    index = load(reader, private)
    if index is not None and note_pk in index.rows:
        del index.rows[note_pk]
        index.fingerprint = STALE
        save(reader, private, index)
