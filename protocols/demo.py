"""Demo data for protocols: the starter library and example resources."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import OutputWrapper


def load(stdout: OutputWrapper) -> None:
    call_command("load_starter_protocols", stdout=stdout)
    from protocols.resource_demo import load_examples

    load_examples(stdout)
