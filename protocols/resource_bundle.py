"""Zip bundles of the resource directory, beside the library's own (`bundle.py`).

Layout: ``resources/<slug>.yaml``, each holding the slug, every field a revision
records, its needs and its hours. The zip is read with the library's bounds
(`bundle.read_zip`: size caps, file count, names, the bytes actually read) and
each file with `strict_yaml` (no anchors or aliases, shallow), then every value
is checked for its type before the model checks it (`full_clean`, so the
database's own rules speak, in words). Any problem anywhere refuses the whole
bundle; a resource that exists here with other content is changed only when the
editor, having seen the preview, asks for it, and then as a new revision.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, BinaryIO

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from calls.models import Need
from protocols import care_map, strict_yaml, trees
from protocols.bundle import BundleError, read_zip
from protocols.care_map import RECORDED_FIELDS, Referral, Resource

ENTRY = re.compile(r"^resources/[a-z0-9][a-z0-9-]{0,79}\.yaml$")
MAX_HOURS = 28  # four spans a day


@dataclass
class Planned:
    """One file of a bundle, checked, and what importing it would do."""

    slug: str
    name: str
    data: dict[str, Any]
    state: str = "new"  # "new", "changed" or "same"
    changed: list[str] = field(default_factory=list)


def export_zip(resources: Iterable[Resource]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for resource in sorted(resources, key=lambda r: r.slug):
            document = {"slug": resource.slug, **care_map.snapshot(resource)}
            text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
            archive.writestr(f"resources/{resource.slug}.yaml", text)
    return buffer.getvalue()


def _kind(model_field: models.Field[Any, Any]) -> type:
    if isinstance(model_field, models.BooleanField):
        return bool
    if isinstance(model_field, models.IntegerField):
        return int
    return str


def _hours(name: str, value: Any, problems: list[str]) -> list[list[Any]]:
    if not isinstance(value, list) or len(value) > MAX_HOURS:
        problems.append(
            _("“%(name)s”: hours must be a list of at most %(max)d [day, opens, closes].")
            % {"name": name, "max": MAX_HOURS}
        )
        return []
    spans = []
    for span in value:
        try:
            day, opens, closes = span
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError
            if not isinstance(opens, str) or not isinstance(closes, str):
                raise ValueError
            if len(opens) != 5 or len(closes) != 5:
                raise ValueError
            time.fromisoformat(opens), time.fromisoformat(closes)
        except (TypeError, ValueError):
            problems.append(
                _("“%(name)s”: hours are [day 0–6, “HH:MM”, “HH:MM”], not “%(span)s”.")
                % {"name": name, "span": trees.shown(repr(span)[:100])}
            )
            continue
        spans.append([day, opens, closes])
    return spans


def _choices(
    name: str, label: str, value: Any, allowed: list[str], problems: list[str]
) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(_("“%(name)s”: %(field)s must be a list.") % {"name": name, "field": label})
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        problems.append(
            _("“%(name)s”: unknown %(field)s “%(value)s”.")
            % {"name": name, "field": label, "value": trees.shown(unknown[0])}
        )
    return sorted({v for v in value if v in allowed})


def parse_file(name: str, raw: bytes) -> Planned:
    """One file as a checked snapshot; raises BundleError naming the file."""
    try:
        document = strict_yaml.load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BundleError([_("“%(name)s” is not UTF-8 text.") % {"name": name}]) from exc
    except strict_yaml.Refused as exc:
        raise BundleError(
            [_("“%(name)s” is YAML that cannot be read (or uses anchors).") % {"name": name}]
        ) from exc
    if not isinstance(document, dict):
        raise BundleError([_("“%(name)s” must hold a resource's fields.") % {"name": name}])
    slug = name.split("/", 1)[1].rsplit(".", 1)[0]
    problems: list[str] = []
    if document.get("slug", slug) != slug:
        problems.append(_("“%(name)s”: the slug must match the file name.") % {"name": name})
    from protocols.resource_forms import RESERVED_RESOURCE_SLUGS

    if slug in RESERVED_RESOURCE_SLUGS:
        problems.append(
            _("“%(name)s”: “%(slug)s” is a reserved name.") % {"name": name, "slug": slug}
        )
    unknown = [k for k in document if k not in {"slug", "needs", "hours", *RECORDED_FIELDS}]
    if unknown:
        problems.append(
            _("“%(name)s”: unknown field “%(field)s”.")
            % {"name": name, "field": trees.shown(repr(unknown[0])[:100])}
        )
    data: dict[str, Any] = {}
    for field_name in RECORDED_FIELDS:
        if field_name not in document or field_name == "referral_ways":
            continue
        value = document[field_name]
        model_field = Resource._meta.get_field(field_name)
        if field_name == "last_verified":
            if isinstance(value, date):
                value = value.isoformat()
            if value is not None and not (
                isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value)
            ):
                problems.append(
                    _("“%(name)s”: last_verified must be a date (YYYY-MM-DD).") % {"name": name}
                )
                continue
        elif not isinstance(value, _kind(model_field)) or (  # type: ignore[arg-type]
            isinstance(value, bool) and _kind(model_field) is not bool  # type: ignore[arg-type]
        ):
            problems.append(
                _("“%(name)s”: %(field)s has the wrong type.") % {"name": name, "field": field_name}
            )
            continue
        data[field_name] = value
    data["referral_ways"] = _choices(
        name, "referral_ways", document.get("referral_ways", []), Referral.values, problems
    )
    data["needs"] = _choices(name, "needs", document.get("needs", []), Need.values, problems)
    data["hours"] = _hours(name, document.get("hours", []), problems)
    if problems:
        raise BundleError(problems)
    # The model's own rules (lengths, choices, constraints), in its own words.
    candidate = Resource(slug=slug)
    for field_name in RECORDED_FIELDS:
        if field_name in data:
            value = data[field_name]
            if field_name == "last_verified" and value:
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    raise BundleError(
                        [_("“%(name)s”: last_verified is not a date.") % {"name": name}]
                    ) from None
            setattr(candidate, field_name, value)
    candidate.reschedule_verification()
    try:
        candidate.full_clean(validate_unique=False)
    except ValidationError as error:
        raise BundleError(
            [
                f"“{name}”: {label}: {message}"
                for label, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error
    return Planned(slug=slug, name=candidate.name, data=data)


def plan(upload: BinaryIO) -> list[Planned]:
    """Every file checked, and what importing it would do; BundleError lists every
    problem in every file (and nothing has changed)."""
    files = read_zip(
        upload,
        names=ENTRY,
        expected=_("“%(name)s” is not expected here: only resources/<slug>.yaml is."),
        empty=_("The bundle holds no resources."),
    )
    planned: list[Planned] = []
    problems: list[str] = []
    for name, raw in files:
        try:
            planned.append(parse_file(name, raw))
        except BundleError as error:
            problems.extend(error.problems)
    if problems:
        raise BundleError(problems)
    existing = {
        r.slug: r
        for r in Resource.objects.filter(slug__in=[p.slug for p in planned]).for_directory()
    }
    for entry in planned:
        found = existing.get(entry.slug)
        if found is None:
            continue
        current = care_map.snapshot(found)
        wanted = {**current, **entry.data}
        entry.changed = care_map.changed_labels(current, wanted)
        entry.state = "changed" if entry.changed else "same"
    return planned


def apply(planned: list[Planned], *, author: Any, update_existing: bool) -> dict[str, int]:
    """Add the new resources and, when asked, a new revision of the changed ones, in
    one transaction; a resource someone added here since the preview is left alone."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    summary = _("Imported from a bundle")
    with transaction.atomic():
        existing = {
            r.slug: r
            for r in Resource.objects.select_for_update().filter(slug__in=[p.slug for p in planned])
        }
        for entry in planned:
            found = existing.get(entry.slug)
            if found is None:
                resource = Resource(slug=entry.slug)
                care_map.apply(resource, entry.data)
                care_map.record_revision(resource, author=author, summary=summary)
                counts["created"] += 1
            elif entry.state == "changed" and update_existing:
                care_map.apply(found, {**care_map.snapshot(found), **entry.data})
                care_map.record_revision(found, author=author, summary=summary)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts
