"""What a note's ciphertext holds: its text and everything about the call, padded
to one size so that the ciphertext's length says nothing about either.

Layout (before encryption), every note exactly PADDED_BYTES long:

    format (1 byte) | details length (2) | details (compact JSON) |
    text length (2) | text (UTF-8) | zero bytes up to PADDED_BYTES

The details are the kind, needs, response, police presence, follow-up day, the
written time to the minute and the exact expiry. PADDED_BYTES holds the largest
note there can be: BODY_MAX_CHARS characters of four-byte UTF-8 (4,000 bytes)
and the longest details (every need, the longest kind, response and police
presence, a follow-up day: under 300 bytes; DETAILS_MAX_BYTES leaves room for
new choices), rounded up to 4.5 KiB. Every note costs that much whatever it
says: a few thousand live notes take a few tens of MB.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

FORMAT = 0x01
BODY_MAX_BYTES = 4 * 1000  # BODY_MAX_CHARS characters of at most four bytes each
DETAILS_MAX_BYTES = 480
PADDED_BYTES = 4608  # >= 1 + 2 + DETAILS_MAX_BYTES + 2 + BODY_MAX_BYTES

_LENGTH = struct.Struct(">H")


class Malformed(ValueError):
    """The plaintext is not an envelope this code wrote."""


@dataclass(frozen=True)
class Details:
    """Everything about a call besides its text."""

    kind: str
    needs: tuple[str, ...]
    response: str
    police: str
    follow_up_by: date | None
    written_at: datetime  # UTC, to the minute
    expires_at: datetime  # UTC, exact
    # The day its follow-up teammate last tried and could not reach the person.
    unreachable_on: date | None = field(default=None, kw_only=True)


def to_the_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _details_json(details: Details) -> bytes:
    extra = {}
    if details.unreachable_on is not None:
        extra["unreachable_on"] = details.unreachable_on.isoformat()
    return json.dumps(
        {
            **extra,
            "kind": details.kind,
            "needs": list(details.needs),
            "response": details.response,
            "police": details.police,
            "follow_up_by": details.follow_up_by.isoformat() if details.follow_up_by else None,
            "written_at": to_the_minute(details.written_at).isoformat(),
            "expires_at": details.expires_at.astimezone(UTC).isoformat(),
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def pack(details: Details, body: str) -> bytes:
    """The padded plaintext; ValueError when the text or details do not fit."""
    encoded_details, encoded_body = _details_json(details), body.encode()
    if len(encoded_details) > DETAILS_MAX_BYTES:
        raise ValueError(f"the details take {len(encoded_details)} bytes")
    if len(encoded_body) > BODY_MAX_BYTES:
        raise ValueError(f"the text takes {len(encoded_body)} bytes")
    packed = b"".join(
        [
            bytes([FORMAT]),
            _LENGTH.pack(len(encoded_details)),
            encoded_details,
            _LENGTH.pack(len(encoded_body)),
            encoded_body,
        ]
    )
    return packed + bytes(PADDED_BYTES - len(packed))


def unpack(plaintext: bytes) -> tuple[Details, str]:
    """(details, text), or Malformed."""
    try:
        if len(plaintext) != PADDED_BYTES or plaintext[0] != FORMAT:
            raise Malformed("not a padded envelope")
        (details_length,) = _LENGTH.unpack_from(plaintext, 1)
        start = 3 + details_length
        raw = json.loads(plaintext[3:start])
        (body_length,) = _LENGTH.unpack_from(plaintext, start)
        body = plaintext[start + 2 : start + 2 + body_length].decode()
        details = Details(
            kind=raw["kind"],
            needs=tuple(raw["needs"]),
            response=raw["response"],
            police=raw["police"],
            follow_up_by=date.fromisoformat(raw["follow_up_by"]) if raw["follow_up_by"] else None,
            written_at=datetime.fromisoformat(raw["written_at"]),
            expires_at=datetime.fromisoformat(raw["expires_at"]),
            unreachable_on=(
                date.fromisoformat(raw["unreachable_on"]) if raw.get("unreachable_on") else None
            ),
        )
    except (KeyError, TypeError, ValueError, struct.error) as exc:
        raise Malformed(str(exc)) from exc
    return details, body
