"""Email once per line-holder place at risk in the next 48 hours (shifts.line_alerts)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from crisisline.dates import local_date
from crisisline.i18n import language_of
from crisisline.models import User
from crisisline.roles import holders_of
from crisisline.skills import holding
from shifts.line_alerts import EMPTY, LineGap, line_gaps
from shifts.models import Assignment, LineGapAlert, Slot, TimeOff


def free_to_take(gap: LineGap) -> list[User]:
    """Active responders who could take the place: qualified (held_skills' rule),
    not on another shift then, not on time off, asking for these emails."""
    slot = Slot.objects.select_related("position").get(pk=gap.slot_id)
    people = holders_of("respond").filter(line_gap_emails=True).exclude(email="")
    if slot.position.required_skill_id:
        people = people.filter(holding(slot.position.required_skill_id))
    busy = Assignment.objects.filter(
        shift__cancelled=False, shift__start__lt=gap.end, shift__end__gt=gap.start
    ).values("person_id")
    away = TimeOff.objects.filter(
        first_day__lte=timezone.localtime(gap.end).date(),
        last_day__gte=timezone.localtime(gap.start).date(),
    ).values("person_id")
    return list(people.exclude(Q(pk__in=busy) | Q(pk__in=away)))


class Command(BaseCommand):
    help = "Email free, qualified responders and coordinators once per line-holder gap soon."

    def handle(self, *args: Any, **options: Any) -> str:
        if not settings.EMAIL_ENABLED:
            return "Email is not configured: 0 line gap alert(s) sent.\n"
        sent = 0
        now = timezone.now()
        # Each gap as each language tells it (names of positions, dates): every
        # reader gets the email in their own language.
        told: dict[str, dict[int, LineGap]] = {}
        for language, _name in settings.LANGUAGES:
            with override(language):
                told[language] = {gap.slot_id: gap for gap in line_gaps(now)}
        for gap in line_gaps(now):
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
