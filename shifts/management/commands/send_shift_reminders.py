import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from calls.checkout import awaits_check_out
from crisisline.dates import local_date
from crisisline.i18n import language_of
from shifts.models import Assignment

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Email each person who asked for reminders one before their shift, and the "
        "check-out question after it (once each per shift)."
    )

    def handle(self, *args: Any, **options: Any) -> str:
        if not settings.EMAIL_ENABLED:
            return "Email is not configured: 0 reminder(s) sent.\n"
        now = timezone.now()
        due = _for_email(
            reminded_at__isnull=True,
            shift__start__gt=now,
            shift__start__lte=now + timedelta(hours=168),
        ).select_related("shift", "slot__position", "person__shift_preferences")
        sent = 0
        for assignment in due:
            hours = assignment.person.shift_preferences.reminder_hours
            if hours is None:  # the query leaves these out
                continue
            lead = timedelta(hours=hours)
            if assignment.shift.start - now > lead:
                continue
            # Claim the reminder first so that two runs never send it twice.
            claimed = Assignment.objects.filter(pk=assignment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            start = timezone.localtime(assignment.shift.start)
            with override(language_of(assignment.person)):
                subject = _("Reminder: your shift on %(when)s") % {
                    "when": local_date(start, "l j F H:i")
                }
                body = _("You are on shift as %(position)s from %(start)s to %(end)s.") % {
                    "position": assignment.slot.name,
                    "start": local_date(start, "l j F H:i"),
                    "end": date_format(timezone.localtime(assignment.shift.end), "H:i"),
                }
            sent += _send(assignment, "reminded_at", subject, body)
        asked = ask_how_they_are(now)
        return f"Sent {sent} shift reminder(s).\nSent {asked} check-out question(s).\n"


def _for_email(**when: Any) -> QuerySet[Assignment]:
    """Places on shifts that go ahead, held by active people with an email address
    who use reminders (the check-out question goes to the same people)."""
    return Assignment.objects.filter(
        shift__cancelled=False,
        person__is_active=True,
        person__shift_preferences__reminder_hours__isnull=False,
        **when,
    ).exclude(person__email="")


def ask_how_they_are(now: datetime) -> int:
    """After a shift, the people on it who use reminders get its one question by email
    too (in their own language), once, while it can still be answered in the app."""
    since = now - timedelta(hours=settings.CHECK_OUT_HOURS)
    ended = _for_email(
        check_out_sent_at__isnull=True, shift__end__lte=now, shift__end__gt=since
    ).select_related("shift", "slot__position", "person")
    asked = 0
    for assignment in ended:
        claimed = Assignment.objects.filter(
            pk=assignment.pk, check_out_sent_at__isnull=True
        ).update(check_out_sent_at=now)
        if not claimed or not awaits_check_out(assignment.person, assignment.shift, now):
            continue
        end = timezone.localtime(assignment.shift.end)
        with override(language_of(assignment.person)):
            subject = _("How are you after your shift?")
            body = _(
                "Your shift as %(position)s ended %(end)s.\n\n"
                "How are you? Fine, you'd like a debrief, or you need a break: answer "
                "in the app, where the question waits at the top of every page for "
                "%(hours)s hours. Only a debrief request says who asked; the answer "
                "itself is counted without your name."
            ) % {
                "position": assignment.slot.name,
                "end": local_date(end, "l j F H:i"),
                "hours": settings.CHECK_OUT_HOURS,
            }
        asked += _send(assignment, "check_out_sent_at", subject, body)
    return asked


def _send(assignment: Assignment, claim: str, subject: str, body: str) -> int:
    """Send one email whose sending `assignment` has claimed (`claim` set): 1 when it
    went. When it fails, say so in the log and release the claim, so the next run
    tries again: a reminder is never lost without a word."""
    try:
        send_mail(subject, body, None, [assignment.person.email])
    except Exception:
        logger.exception(
            "An email to a person on shift could not be sent (%s); trying again", claim
        )
        Assignment.objects.filter(pk=assignment.pk).update(**{claim: None})
        return 0
    return 1
