"""Zip bundles of the whole library, so collectives can share protocols.

Layout: ``pages/<slug>.md`` (Markdown with YAML front matter) and
``trees/<slug>.yaml`` (the same fields, with the tree under ``tree:``).
Import validates the entire bundle before it touches the database, then adds
everything in one transaction; an existing page only ever gets a new
revision, and only when the trainer asked for that.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from protocols import strict_yaml, trees
from protocols.forms import RESERVED_SLUGS, clean_body
from protocols.models import MAX_BODY, Category, Protocol

MAX_UPLOAD = 10 * 1024 * 1024
MAX_FILES = 400
MAX_FILE = 2 * MAX_BODY  # bytes: a page of MAX_BODY characters plus front matter
MAX_TOTAL = 20 * 1024 * 1024
ENTRY_NAME = re.compile(
    r"^(pages/[a-z0-9][a-z0-9-]{0,79}\.md|trees/[a-z0-9][a-z0-9-]{0,79}\.yaml)$"
)
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.S)


class BundleError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Entry:
    name: str
    slug: str
    kind: str
    title: str
    category: str
    language: str
    translation_key: str
    review_interval_days: int
    body: str  # Markdown, or the tree as canonical YAML


# --- Reading ----------------------------------------------------------------------


def read_zip(
    upload: BinaryIO,
    names: re.Pattern[str] = ENTRY_NAME,
    expected: str = "",
    empty: str = "",
) -> list[tuple[str, bytes]]:
    """The files of a zip, refusing traversal, odd names (other than `names`, which
    `expected` describes) and anything too big; `empty` says a zip holds none."""
    if getattr(upload, "size", 0) > MAX_UPLOAD:
        raise BundleError([_("The bundle is larger than 10 MB.")])
    try:
        archive = zipfile.ZipFile(upload)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BundleError([_("This is not a zip file.")]) from exc
    problems = []
    files = [info for info in infos if not info.is_dir()]
    if len(files) > MAX_FILES:
        raise BundleError([_("The bundle holds more than %(max)d files.") % {"max": MAX_FILES}])
    if sum(info.file_size for info in files) > MAX_TOTAL:
        raise BundleError([_("The bundle unpacks to more than 20 MB.")])
    contents: list[tuple[str, bytes]] = []
    total = 0
    for info in files:
        name = info.filename
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            problems.append(_("“%(name)s” is an absolute path.") % {"name": name})
            continue
        if ".." in name.replace("\\", "/").split("/") or "\\" in name:
            problems.append(_("“%(name)s” tries to leave the bundle.") % {"name": name})
            continue
        if not names.match(name):
            problems.append(
                expected % {"name": name}
                if expected
                else _(
                    "“%(name)s” is not expected here: only pages/<slug>.md and "
                    "trees/<slug>.yaml are."
                )
                % {"name": name}
            )
            continue
        if info.file_size > MAX_FILE:
            problems.append(_("“%(name)s” is too large.") % {"name": name})
            continue
        try:
            with archive.open(info) as handle:
                data = handle.read(MAX_FILE + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            problems.append(_("“%(name)s” could not be unpacked.") % {"name": name})
            continue
        total += len(data)
        # The sizes in a zip's directory can lie; the bytes actually read cannot.
        if len(data) > MAX_FILE:
            problems.append(_("“%(name)s” is too large.") % {"name": name})
            continue
        if total > MAX_TOTAL:
            raise BundleError([_("The bundle unpacks to more than 20 MB.")])
        contents.append((name, data))
    if problems:
        raise BundleError(problems)
    if not contents:
        raise BundleError([empty or _("The bundle holds no pages or trees.")])
    return contents


def _text_meta(name: str, data: bytes) -> tuple[dict[str, Any], str]:
    try:
        text = data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise BundleError([_("“%(name)s” is not UTF-8 text.") % {"name": name}]) from exc
    if name.startswith("pages/"):
        match = FRONT_MATTER.match(text)
        if not match:
            raise BundleError(
                [_("“%(name)s” has no front matter between “---” lines.") % {"name": name}]
            )
        source, body = match.group(1), match.group(2)
    else:
        source, body = text, ""
    try:
        meta = strict_yaml.load(source)
    except strict_yaml.HasAliases as exc:
        raise BundleError(
            [
                _(
                    "“%(name)s” uses YAML anchors and aliases (“&” and “*”), which are not "
                    "accepted here: write each value out in full."
                )
                % {"name": name}
            ]
        ) from exc
    except strict_yaml.TooDeep as exc:
        raise BundleError(
            [
                _("“%(name)s” is nested too deeply (more than %(max)d levels).")
                % {"name": name, "max": strict_yaml.MAX_DEPTH}
            ]
        ) from exc
    except strict_yaml.Refused as exc:
        raise BundleError([_("“%(name)s” has YAML that cannot be read.") % {"name": name}]) from exc
    if not isinstance(meta, dict):
        raise BundleError([_("“%(name)s” must start with a YAML mapping.") % {"name": name}])
    return meta, body


def parse_entry(name: str, data: bytes) -> Entry:
    """One file of a bundle as an Entry; raises BundleError naming the file."""
    meta, body = _text_meta(name, data)
    slug = name.split("/", 1)[1].rsplit(".", 1)[0]
    kind = Protocol.Kind.PAGE if name.startswith("pages/") else Protocol.Kind.TREE
    problems = []
    # Every value is checked for its type before it is used: YAML may hold a
    # list or a mapping anywhere, and neither may be hashed, nor shown whole.
    if meta.get("slug", slug) != slug:
        problems.append(_("“%(name)s”: the slug must match the file name.") % {"name": name})
    if slug in RESERVED_SLUGS:
        problems.append(
            _("“%(name)s”: “%(slug)s” is a reserved name.") % {"name": name, "slug": slug}
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        problems.append(_("“%(name)s” needs a title (at most 200 characters).") % {"name": name})
        title = ""
    category = meta.get("category", Category.OTHER)
    if not isinstance(category, str):
        problems.append(
            _("“%(name)s”: the category must be one of %(categories)s.")
            % {"name": name, "categories": ", ".join(Category.values)}
        )
        category = Category.OTHER
    elif category not in Category.values:
        problems.append(
            _("“%(name)s”: unknown category “%(category)s”.")
            % {"name": name, "category": trees.shown(category)}
        )
    language = meta.get("language")
    if not isinstance(language, str) or language not in dict(settings.LANGUAGES):
        language = None
        problems.append(
            _("“%(name)s”: the language must be one of %(languages)s.")
            % {"name": name, "languages": ", ".join(dict(settings.LANGUAGES))}
        )
    key = meta.get("translation_key") or f"{slug}"
    if not isinstance(key, str) or not re.match(r"^[A-Za-z0-9_-]{1,64}$", key):
        problems.append(_("“%(name)s”: the translation key is not valid.") % {"name": name})
        key = slug
    interval = meta.get("review_interval_days", 180)
    if not isinstance(interval, int) or isinstance(interval, bool) or not 7 <= interval <= 1095:
        problems.append(
            _("“%(name)s”: review_interval_days must be a whole number from 7 to 1095.")
            % {"name": name}
        )
        interval = 180
    if kind == Protocol.Kind.PAGE:
        try:
            body = clean_body(
                body,
                category=category,
                language=language,
            )
        except forms.ValidationError as error:
            problems.extend(f"“{name}”: {message}" for message in error.messages)
    else:
        doc = meta.get("tree")
        tree_problems = trees.validate(doc)
        if tree_problems:
            problems.extend(f"“{name}”: {problem}" for problem in tree_problems)
        else:
            assert isinstance(doc, dict)  # validate() accepts only a mapping
            body = trees.to_yaml(trees.normalise(doc))
    if problems or language is None:  # no language is one of the problems
        raise BundleError(problems)
    return Entry(name, slug, kind, title.strip(), category, language, key, interval, body)


def parse_entries(files: Iterable[tuple[str, bytes]]) -> list[Entry]:
    """Every entry, or a BundleError listing every problem in every file."""
    entries: list[Entry] = []
    problems: list[str] = []
    for name, data in files:
        try:
            entries.append(parse_entry(name, data))
        except BundleError as error:
            problems.extend(error.problems)
    seen: dict[str, str] = {}
    pairs: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.slug in seen:
            problems.append(
                _("“%(slug)s” appears twice (%(first)s and %(second)s).")
                % {"slug": entry.slug, "first": seen[entry.slug], "second": entry.name}
            )
        seen[entry.slug] = entry.name
        pair = (entry.translation_key, entry.language)
        if pair in pairs:
            problems.append(
                _("“%(first)s” and “%(second)s” are both translations in the same language.")
                % {"first": pairs[pair], "second": entry.name}
            )
        pairs[pair] = entry.name
    # Outcomes may link to pages in the bundle or already in the library.
    pages = {e.slug for e in entries if e.kind == Protocol.Kind.PAGE} | set(
        Protocol.objects.filter(kind=Protocol.Kind.PAGE).values_list("slug", flat=True)
    )
    for entry in entries:
        if entry.kind == Protocol.Kind.TREE:
            for problem in trees.validate(trees.from_yaml(entry.body), pages):
                problems.append(f"“{entry.name}”: {problem}")
    if problems:
        raise BundleError(problems)
    return entries


# --- Writing ------------------------------------------------------------------------


def _current_body(protocol: Protocol) -> str:
    """The text of the protocol's current revision ("" if it has none yet)."""
    current = protocol.current
    return current.body if current is not None else ""


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def import_entries(
    entries: list[Entry],
    *,
    author: Any,
    update_existing: bool,
    skip_existing: bool = False,
    summary: str = "",
) -> dict[str, int]:
    """Add `entries` in one transaction; raises BundleError (changing nothing) on conflict.

    An existing protocol (same slug) gets a new revision when its text differs and
    `update_existing` is set; with `skip_existing` it is left alone instead.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    summary = summary or _("Imported from a bundle")
    with transaction.atomic():
        existing = {
            p.slug: p
            for p in Protocol.objects.select_for_update().filter(slug__in=[e.slug for e in entries])
        }
        problems = []
        for entry in entries:
            found = existing.get(entry.slug)
            if found is None:
                clash = Protocol.objects.filter(
                    translation_key=entry.translation_key, language=entry.language
                ).first()
                if clash is not None and not skip_existing:
                    problems.append(
                        _("“%(name)s” would be a second %(language)s version of “%(title)s”.")
                        % {"name": entry.name, "language": entry.language, "title": clash.title}
                    )
            elif found.kind != entry.kind:
                problems.append(
                    _("“%(name)s”: “%(slug)s” exists here as a different kind of protocol.")
                    % {"name": entry.name, "slug": entry.slug}
                )
            elif (
                not update_existing
                and not skip_existing
                and not _same_text(_current_body(found), entry.body)
            ):
                problems.append(
                    _(
                        "“%(slug)s” already exists here with different text. Tick the box below "
                        "to add the bundle's text as a new revision."
                    )
                    % {"slug": entry.slug}
                )
        if problems:
            raise BundleError(problems)
        for entry in entries:
            found = existing.get(entry.slug)
            if found is None:
                if Protocol.objects.filter(
                    translation_key=entry.translation_key, language=entry.language
                ).exists():
                    counts["unchanged"] += 1
                    continue
                protocol = Protocol.objects.create(
                    slug=entry.slug,
                    title=entry.title,
                    kind=entry.kind,
                    category=entry.category,
                    language=entry.language,
                    translation_key=entry.translation_key,
                    review_interval_days=entry.review_interval_days,
                )
                protocol.add_revision(author=author, body=entry.body, summary=summary)
                counts["created"] += 1
            elif skip_existing or _same_text(_current_body(found), entry.body):
                counts["unchanged"] += 1
            else:
                found.add_revision(author=author, body=entry.body, summary=summary)
                counts["updated"] += 1
    return counts


def import_zip(upload: BinaryIO, *, author: Any, update_existing: bool) -> dict[str, int]:
    return import_entries(
        parse_entries(read_zip(upload)), author=author, update_existing=update_existing
    )


def _meta(protocol: Protocol) -> dict[str, Any]:
    return {
        "slug": protocol.slug,
        "title": protocol.title,
        "category": protocol.category,
        "language": protocol.language,
        "translation_key": protocol.translation_key,
        "review_interval_days": protocol.review_interval_days,
    }


def export_zip(protocols: Iterable[Protocol]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for protocol in sorted(protocols, key=lambda p: p.slug):
            current = protocol.current
            if current is None:
                continue
            if protocol.is_tree:
                data = trees.to_yaml({**_meta(protocol), "tree": current.document})
                archive.writestr(f"trees/{protocol.slug}.yaml", data)
            else:
                front = yaml.safe_dump(_meta(protocol), allow_unicode=True, sort_keys=False)
                archive.writestr(f"pages/{protocol.slug}.md", f"---\n{front}---\n{current.body}\n")
    return buffer.getvalue()


def read_directory(root: Path) -> list[tuple[str, bytes]]:
    """A bundle laid out as plain files (the starter library ships this way)."""
    return [
        (path.relative_to(root).as_posix(), path.read_bytes())
        for path in sorted(root.glob("*/*"))
        if path.is_file()
    ]
