"""Demo data for protocols: the starter library and example resources."""

from __future__ import annotations

from django.core.management import call_command


def load(stdout) -> None:
    call_command("load_starter_protocols", stdout=stdout)
    from protocols.resource_demo import load_examples

    load_examples(stdout)
