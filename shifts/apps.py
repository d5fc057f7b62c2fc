from django.apps import AppConfig


class ShiftsConfig(AppConfig):
    name = "shifts"
