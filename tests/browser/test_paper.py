"""Paper views printed to PDF by Chromium: how many pages, and the smallest type
on them, measured from the PDF itself."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from crisisline.roles import RESPONDER
from protocols.models import Category, Protocol
from tests.browser.conftest import sign_in
from tests.factory import PASSWORD, make_person
from tests.shifts.conftest import make_position, make_shift, put

MONDAY = timezone.make_aware(datetime(2031, 3, 3, 0, 0))  # a fixed month: nothing depends on today


def printed(page, paper: str = "A4") -> tuple[int, float]:
    """(pages, smallest font size in points) of the page printed to PDF."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTTextContainer

    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, format=paper, print_background=True)
    page.emulate_media(media="screen")
    pages, smallest = 0, 1000.0

    def visit(element) -> None:
        nonlocal smallest
        if isinstance(element, LTChar) and element.get_text().strip():
            smallest = min(smallest, element.size)
        elif isinstance(element, LTTextContainer) or hasattr(element, "__iter__"):
            for child in element:
                visit(child)

    for layout in extract_pages(io.BytesIO(pdf)):
        pages += 1
        visit(layout)
    return pages, round(smallest, 1)


def _staff_a_month(positions, per_day: int) -> None:
    people = [
        make_person(f"p{i}", RESPONDER, display_name=f"Person {i:02d}", phone=f"+1555000{i:04d}")
        for i in range(12)
    ]
    number = 0
    for day in range(31):
        for block in range(per_day):
            start = MONDAY - timedelta(days=2) + timedelta(days=day, hours=10 + 6 * block)
            shift = make_shift(start, hours=6, positions=positions)
            for position in positions:
                put(people[number % len(people)], shift, position)
                number += 1


@pytest.mark.django_db(transaction=True)
def test_the_week_sheet_and_the_month_roster_print_legibly(desktop):
    make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator")
    holder = make_position("Line holder", 1, 1, holds_line=True, order=0)
    responder = make_position("Responder", 1, 1, order=1)
    backup = make_position("Debrief / backup", 0, 1, order=2, forwarding_order=1)
    _staff_a_month([holder, responder, backup], per_day=2)
    sign_in(desktop, "rosa", PASSWORD)

    desktop.goto(f"/roster/week/sheet/?start={MONDAY:%Y-%m-%d}&numbers=on")
    assert "+15550000" in desktop.content()
    pages, smallest = printed(desktop)
    assert pages == 1 and smallest >= 8, (pages, smallest)

    desktop.goto(f"/roster/print/?month={MONDAY:%Y-%m}")
    assert desktop.locator(".legend").inner_text().startswith("LH Line holder")
    pages, smallest = printed(desktop)
    assert pages <= 2 and smallest >= 8, (pages, smallest)


@pytest.mark.django_db(transaction=True)
def test_trees_print_on_two_pages_at_most_and_each_card_on_one(desktop):
    call_command("load_starter_protocols")
    make_person("responder", "Responder", display_name="Sam Responder")
    sign_in(desktop, "responder", PASSWORD)

    for tree in Protocol.objects.filter(kind=Protocol.Kind.TREE):
        desktop.goto(f"/protocols/{tree.slug}/print/")
        pages, smallest = printed(desktop)
        assert pages <= 2 and smallest >= 8, (tree.slug, pages, smallest)

    for category in Category.values:
        if not Protocol.objects.filter(category=category).exists():
            continue
        desktop.goto(f"/protocols/cards/{category}/")
        pages, smallest = printed(desktop, paper="A6")
        assert pages == 1 and smallest >= 8, (category, pages, smallest)


@pytest.mark.django_db(transaction=True)
def test_the_new_pages_pass_the_audit_on_a_phone(phone, html_checker):
    from tests.browser.audit import audit

    call_command("load_starter_protocols")
    make_person("rosa", "Coordinator", "Responder", display_name="Rosa Coordinator")
    holder = make_position("Line holder", 1, 1, holds_line=True, order=0)
    backup = make_position("Debrief / backup", 0, 1, order=2, forwarding_order=1)
    _staff_a_month([holder, backup], per_day=1)
    sign_in(phone, "rosa", PASSWORD)
    for path in [
        f"/roster/week/sheet/?start={MONDAY:%Y-%m-%d}&numbers=on",
        "/protocols/cards/",
        "/protocols/cards/de-escalation/",
        "/protocols/trees/emergency-or-crisis/offline/",
        "/offline/",
    ]:
        phone.goto(path)
        audit(phone, html_checker)
