"""Whole numbers typed by people: ASCII digits only, and not too many of them."""

import pytest

from crisisline.numbers import whole_number

# Python's own int() takes every one of these that is a decimal digit somewhere
# ('٣' is 3), and isdigit() says yes to superscripts that int() then refuses.
UNICODE_DIGITS = ["²", "³", "¹", "٣", "۵", "३", "３", "０", "①", "𝟘", "1²", "0.²"]


@pytest.mark.parametrize("raw", ["0", "7", "42", "007", "123456789"])
def test_ascii_digits_are_read(raw):
    assert whole_number(raw) == int(raw)


@pytest.mark.parametrize(
    "raw", [*UNICODE_DIGITS, "", " 3", "3 ", "+3", "-3", "3_000", "1e3", "3.0", "0x1f", "\x00"]
)
def test_anything_else_is_none(raw):
    assert whole_number(raw) is None


def test_the_length_is_bounded():
    assert whole_number("9" * 9) == 999_999_999
    assert whole_number("9" * 10) is None
    assert whole_number("9" * 3, most_digits=2) is None
    assert whole_number("9" * 100_000) is None


@pytest.mark.parametrize("raw", [None, 3, 3.0, ["3"], b"3"])
def test_only_text_is_read(raw):
    assert whole_number(raw) is None
