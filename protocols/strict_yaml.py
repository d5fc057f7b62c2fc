"""YAML from other people: plain data only, refused fast when it could hurt.

`safe_load` stops YAML from running code, but not from hurting the server in
other ways. An alias repeats a node without copying it, so ten lines of nested
aliases ("billion laughs") stand for a billion strings that only explode when
something walks them (formatting one into an error message did). Deep
nesting exhausts Python's stack in PyYAML's recursive composer, and some
scalars make the constructor raise ValueError rather than YAMLError (a
timestamp with month 13, an integer of more than 4,300 digits).

`load` first reads the event stream (libyaml when PyYAML was built with it:
fast, and flat, without recursion) and refuses any anchor, alias or nesting
deeper than `MAX_DEPTH` before anything is built; only then does the safe
loader build the data.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

# A tree file is the deepest thing a bundle holds: file → tree → nodes →
# node → answers → answer is six levels.
MAX_DEPTH = 12


class Refused(ValueError):
    """The text is not YAML this app will read."""


class Unreadable(Refused):
    pass


class HasAliases(Refused):
    pass


class TooDeep(Refused):
    pass


_OPENING = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSING = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def check(text: str) -> None:
    """Raise `Refused` (a subclass saying why) unless `text` is plain, shallow YAML."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise HasAliases
            if isinstance(event, _OPENING):
                depth += 1
                if depth > MAX_DEPTH:
                    raise TooDeep
            elif isinstance(event, _CLOSING):
                depth -= 1
    except yaml.YAMLError as exc:
        raise Unreadable from exc


def load(text: str) -> Any:
    """The data in `text`, or `Refused` (never anything else) saying why not."""
    check(text)
    try:
        return yaml.load(text, Loader=SafeLoader)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise Unreadable from exc
