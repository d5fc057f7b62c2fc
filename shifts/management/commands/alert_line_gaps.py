"""Email once per line-holder gap in the next 48 hours (shifts.line_alerts): a place
that is filled and then opens again is a new gap, and is announced again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from crisisline.dates import local_date
from crisisline.i18n import language_of
from crisisline.models import User
from crisisline.roles import holders_of
from shifts.line_alerts import EMPTY, LineGap, line_gaps
from shifts.models import LineGapAlert, Slot
from shifts.places import candidates_for


def free_to_take(gap: LineGap) -> list[User]:
    """Active responders who may take the place by the one rule (shifts.places: the
    skill as of the shift's day, no clash, no time off, not given up by them, within
    their limits), asking for these emails."""
    slot = Slot.objects.select_related("shift", "position__required_skill").get(pk=gap.slot_id)
    return [
        candidate.person
        for candidate in candidates_for(slot)
        if not candidate.blocked and candidate.person.email and candidate.person.line_gap_emails
    ]


class Command(BaseCommand):
    help = "Email free, qualified responders and coordinators once per line-holder gap soon."

    def handle(self, *args: Any, **options: Any) -> str:
        now = timezone.now()
        gaps = line_gaps(now)
        # A place no longer at risk (filled, its holder reachable again, or over) has
        # closed its gap: forgetting it lets a later gap in the same place be announced.
        LineGapAlert.objects.exclude(slot_id__in=[gap.slot_id for gap in gaps]).delete()
        if not settings.EMAIL_ENABLED:
            return "Email is not configured: 0 line gap alert(s) sent.\n"
        sent = 0
        # Each gap as each language tells it (names of positions, dates): every
        # reader gets the email in their own language.
        told: dict[str, dict[int, LineGap]] = {}
        for language, _name in settings.LANGUAGES:
            with override(language):
                told[language] = {gap.slot_id: gap for gap in line_gaps(now)}
        for gap in gaps:
            try:
                # Remember the gap first, so that two runs never announce it twice.
                with transaction.atomic():
                    LineGapAlert.objects.create(slot_id=gap.slot_id)
            except IntegrityError:
                continue
            coordinators = holders_of("coordinate").filter(line_gap_emails=True).exclude(email="")
            recipients = {p.email: language_of(p) for p in coordinators}
            if gap.kind == EMPTY:
                recipients |= {p.email: language_of(p) for p in free_to_take(gap)}
            messages = []
            for address, language in sorted(recipients.items()):
                with override(language):
                    subject, body = email_about(told[language].get(gap.slot_id, gap))
                messages.append((subject, body, None, [address]))
            sent += send_mass_mail(messages, fail_silently=True)
        return f"Sent {sent} line gap alert(s).\n"


def email_about(gap: LineGap) -> tuple[str, str]:
    """The subject and body of a line gap alert, in the active language."""
    subject = _("The line may go silent: %(position)s on %(when)s") % {
        "position": gap.position,
        "when": local_date(timezone.localtime(gap.start), "l j F H:i"),
    }
    body = "\n\n".join(
        [
            gap.message,
            _(
                "If you can take this place or know who can, open the app's "
                "On call page or the open places list."
            ),
            _("You get this because you could help. Turn these emails off on your profile."),
        ]
    )
    return subject, body
