"""The production settings, plus one bare view to measure the framework's floor."""

from crisisline.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
