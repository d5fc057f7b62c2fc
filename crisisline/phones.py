"""Phone numbers: stored in E.164 (+ and country code), read in the line's region.

`settings.PHONE_REGION` is the region a number typed without its country code is
read in; when it is empty, no region is guessed and a number must start with +.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
ASCII_DIGITS = frozenset("0123456789")


def to_e164(raw: str, region: str | None = None) -> str | None:
    """`raw` as an E.164 number, or None when it cannot be read as a possible number."""
    region = settings.PHONE_REGION if region is None else region
    text = raw.strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_e164(value: str) -> bool:
    """A stored number a phone system can dial as it is."""
    return bool(E164.match(value))


def clean_phone(raw: str) -> str:
    """What a form keeps: empty, or the number in E.164. Refuses what it cannot read."""
    if not raw.strip():
        return ""
    # Only ASCII digits: other scripts' digits (Arabic-Indic, full-width,
    # superscripts) would be read silently into a different-looking number.
    if any(c.isdigit() and c not in ASCII_DIGITS for c in raw):
        raise ValidationError(_("Use only digits, spaces and + - ( ) in a phone number."))
    number = to_e164(raw)
    if number is None:
        if settings.PHONE_REGION:
            raise ValidationError(
                _(
                    "This is not a phone number we can dial. Check the digits, or start with + and the country code."
                )
            )
        raise ValidationError(
            _(
                "This is not a phone number we can dial. Start with + and the country code, e.g. +52 55 1234 5678."
            )
        )
    return number


def display(value: str) -> str:
    """An E.164 number grouped for reading (+52 55 1234 5678); anything else as it is."""
    if not is_e164(value):
        return value
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
