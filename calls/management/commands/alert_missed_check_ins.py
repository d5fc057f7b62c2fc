from django.core.management.base import BaseCommand

from calls.fieldcheck import alert_missed


class Command(BaseCommand):
    help = "Email whoever holds the line about each field check-in newly overdue (once each)."

    def handle(self, *args: object, **options: object) -> str:
        return f"Alerted about {alert_missed()} missed check-in(s).\n"
