"""Decision trees: a plain document of nodes, validated and walked by pure functions.

A tree document is a dict::

    {"start": "danger",
     "nodes": [
        {"id": "danger", "type": "question", "text": "…",
         "answers": [{"label": "Yes", "next": "emergency"}, {"label": "No", "next": "…"}]},
        {"id": "emergency", "type": "outcome", "title": "…", "guidance": "Markdown…",
         "links": ["some-protocol-slug"]},
     ]}

Node order is the order trainers arranged them in (the editor and the print
outline follow it). Validation returns every problem at once, each naming the
offending node, so the editor can show it beside that node.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _

from crisisline.numbers import whole_number
from protocols.markdown import html_size

NODE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_NODES = 40
MAX_ANSWERS = 8
MAX_TEXT = 500
MAX_GUIDANCE = 20_000
MAX_DOCUMENT = 100_000  # characters of the whole tree as YAML, like a page
# Characters of HTML the guidance of all outcomes may lay out as (measured by
# markdown.html_size, about twice the text for ordinary Markdown); the print
# view lays out at most this much whatever an older revision holds.
MAX_LAID_OUT = 400_000
QUESTION, OUTCOME = "question", "outcome"


@dataclass(frozen=True)
class TreeProblem:
    """One thing wrong with a tree; `node` is None when it concerns the whole tree."""

    node: str | None
    message: str

    def __str__(self) -> str:
        if self.node is None:
            return self.message
        return _("Node “%(node)s”: %(message)s") % {"node": self.node, "message": self.message}


class TreeError(ValueError):
    def __init__(self, problems: list[TreeProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def shown(value: str, most: int = 60) -> str:
    """`value` shortened for a message: whatever someone typed, a message stays short."""
    return value if len(value) <= most else value[: most - 1] + "…"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def validate(doc: Any, known_slugs: Iterable[str] | None = None) -> list[TreeProblem]:
    """Every problem with `doc`, in node order; an empty list means it is a valid tree.

    `known_slugs`, when given, are the protocol pages outcomes may link to.
    """
    if not isinstance(doc, dict):
        return [TreeProblem(None, _("A tree must be a mapping with “start” and “nodes”."))]
    nodes = doc.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        return [TreeProblem(None, _("A tree needs a list of nodes."))]
    if len(nodes) > MAX_NODES:
        return [TreeProblem(None, _("A tree may have at most %(max)d nodes.") % {"max": MAX_NODES})]
    problems: list[TreeProblem] = []
    by_id: dict[str, dict[str, Any]] = {}
    for position, node in enumerate(nodes, start=1):
        if not isinstance(node, dict):
            problems.append(
                TreeProblem(None, _("Node number %(n)d is not a mapping.") % {"n": position})
            )
            continue
        node_id = node.get("id")
        if not isinstance(node_id, str) or not NODE_ID.match(node_id):
            problems.append(
                TreeProblem(
                    None,
                    _(
                        "Node number %(n)d needs an id of lowercase letters, digits, "
                        "“-” or “_” (at most 50)."
                    )
                    % {"n": position},
                )
            )
            continue
        if node_id in by_id:
            problems.append(TreeProblem(node_id, _("this id is used by more than one node.")))
            continue
        by_id[node_id] = node

    known = set(known_slugs) if known_slugs is not None else None
    for node_id, node in by_id.items():
        kind = node.get("type")
        if kind == QUESTION:
            problems.extend(_question_problems(node_id, node, by_id))
        elif kind == OUTCOME:
            problems.extend(_outcome_problems(node_id, node, known))
        else:
            problems.append(TreeProblem(node_id, _("type must be “question” or “outcome”.")))

    start = doc.get("start")
    if not isinstance(start, str) or not start:
        problems.append(TreeProblem(None, _("The tree needs exactly one start node.")))
        return problems
    if start not in by_id:
        problems.append(
            TreeProblem(
                None, _("The start node “%(node)s” does not exist.") % {"node": shown(start)}
            )
        )
        return problems
    if problems:
        # The graph checks below assume well-formed nodes and answers.
        return problems
    problems = _graph_problems(start, by_id)
    if not problems and len(to_yaml(normalise(doc))) > MAX_DOCUMENT:
        problems.append(
            TreeProblem(
                None,
                _(
                    "The tree is too long: at most %(max)d characters in all. Move long guidance to a page and link it."
                )
                % {"max": MAX_DOCUMENT},
            )
        )
    if not problems:
        problems = _laid_out_problems(by_id)
    return problems


def _laid_out_problems(by_id: dict[str, dict[str, Any]]) -> list[TreeProblem]:
    """Guidance short as text can still lay out as megabytes of HTML (a link
    address repeated by reference): measured, without laying it out."""
    problems = []
    total = 0
    for node_id, node in by_id.items():
        size = html_size(node.get("guidance") or "") if node["type"] == OUTCOME else 0
        total += size
        if size > MAX_LAID_OUT:
            problems.append(
                TreeProblem(
                    node_id,
                    _(
                        "the guidance would be too long once laid out (it repeats long link "
                        "addresses): write each address out where it is used, or link a page."
                    ),
                )
            )
    if not problems and total > MAX_LAID_OUT:
        problems.append(
            TreeProblem(
                None,
                _(
                    "The guidance of all outcomes together would be too long once laid out. "
                    "Move long guidance to a page and link it."
                ),
            )
        )
    return problems


def _question_problems(
    node_id: str, node: dict[str, Any], by_id: dict[str, dict[str, Any]]
) -> list[TreeProblem]:
    problems = []
    text = _text(node.get("text"))
    if not text:
        problems.append(TreeProblem(node_id, _("the question has no text.")))
    elif len(text) > MAX_TEXT:
        problems.append(
            TreeProblem(
                node_id, _("the question is longer than %(max)d characters.") % {"max": MAX_TEXT}
            )
        )
    answers = node.get("answers")
    if not isinstance(answers, list) or len(answers) < 2:
        problems.append(TreeProblem(node_id, _("a question needs at least two answers.")))
        return problems
    if len(answers) > MAX_ANSWERS:
        problems.append(
            TreeProblem(
                node_id, _("a question may have at most %(max)d answers.") % {"max": MAX_ANSWERS}
            )
        )
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            problems.append(
                TreeProblem(node_id, _("answer %(n)d is not a mapping.") % {"n": number})
            )
            continue
        label = _text(answer.get("label"))
        if isinstance(answer.get("label"), bool):
            problems.append(
                TreeProblem(
                    node_id,
                    _("answer %(n)d was read as true or false: put its label in quotes.")
                    % {"n": number},
                )
            )
        elif not label:
            problems.append(TreeProblem(node_id, _("answer %(n)d has no label.") % {"n": number}))
        elif len(label) > MAX_TEXT:
            problems.append(TreeProblem(node_id, _("answer %(n)d is too long.") % {"n": number}))
        target = answer.get("next")
        if not isinstance(target, str) or not target:
            problems.append(
                TreeProblem(node_id, _("answer %(n)d does not lead anywhere.") % {"n": number})
            )
        elif target not in by_id:
            problems.append(
                TreeProblem(
                    node_id,
                    _("answer %(n)d leads to “%(target)s”, which does not exist.")
                    % {"n": number, "target": shown(target)},
                )
            )
        elif target == node_id:
            problems.append(
                TreeProblem(node_id, _("answer %(n)d leads back to itself.") % {"n": number})
            )
    return problems


def _outcome_problems(
    node_id: str, node: dict[str, Any], known: set[str] | None
) -> list[TreeProblem]:
    problems = []
    title = _text(node.get("title"))
    if not title:
        problems.append(TreeProblem(node_id, _("the outcome has no title.")))
    elif len(title) > MAX_TEXT:
        problems.append(TreeProblem(node_id, _("the outcome title is too long.")))
    guidance = node.get("guidance", "")
    if not isinstance(guidance, str):
        problems.append(TreeProblem(node_id, _("the guidance must be text.")))
    elif len(guidance) > MAX_GUIDANCE:
        problems.append(
            TreeProblem(
                node_id,
                _("the guidance is longer than %(max)d characters.") % {"max": MAX_GUIDANCE},
            )
        )
    links = node.get("links", [])
    if not isinstance(links, list) or not all(isinstance(s, str) for s in links):
        problems.append(TreeProblem(node_id, _("links must be a list of protocol page slugs.")))
    else:
        for slug in links:
            if not SLUG.match(slug):
                problems.append(
                    TreeProblem(
                        node_id, _("“%(slug)s” is not a page slug.") % {"slug": shown(slug)}
                    )
                )
            elif known is not None and slug not in known:
                problems.append(
                    TreeProblem(
                        node_id,
                        _("links to “%(slug)s”, but there is no such protocol page.")
                        % {"slug": slug},
                    )
                )
    if node.get("answers"):
        problems.append(TreeProblem(node_id, _("an outcome cannot have answers.")))
    return problems


def _successors(node: dict[str, Any]) -> list[str]:
    if node["type"] != QUESTION:
        return []
    return [answer["next"] for answer in node["answers"]]


def _graph_problems(start: str, by_id: dict[str, dict[str, Any]]) -> list[TreeProblem]:
    problems: list[TreeProblem] = []
    # Depth-first search from the start: grey = on the current path (a cycle if met again).
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(by_id, white)
    reported_cycles: set[str] = set()
    stack: list[tuple[str, int]] = [(start, 0)]
    colour[start] = grey
    while stack:
        node_id, index = stack.pop()
        successors = _successors(by_id[node_id])
        if index < len(successors):
            stack.append((node_id, index + 1))
            target = successors[index]
            if colour[target] == grey and target not in reported_cycles and target != node_id:
                reported_cycles.add(target)
                problems.append(
                    TreeProblem(
                        node_id,
                        _("an answer leads back to “%(target)s”, making a loop.")
                        % {"target": target},
                    )
                )
            elif colour[target] == white:
                colour[target] = grey
                stack.append((target, 0))
        else:
            colour[node_id] = black
    for node_id, seen in colour.items():
        if seen == white:
            problems.append(TreeProblem(node_id, _("no path from the start reaches this node.")))
    # Every node must lead to at least one outcome: walk the answers backwards
    # from the outcomes, visiting each node and answer once.
    leading_here: dict[str, list[str]] = {node_id: [] for node_id in by_id}
    for node_id, node in by_id.items():
        for target in _successors(node):
            leading_here[target].append(node_id)
    leads_to_outcome = {n for n, node in by_id.items() if node["type"] == OUTCOME}
    waiting = list(leads_to_outcome)
    while waiting:
        for source in leading_here[waiting.pop()]:
            if source not in leads_to_outcome:
                leads_to_outcome.add(source)
                waiting.append(source)
    for node_id in by_id:
        if node_id not in leads_to_outcome:
            problems.append(TreeProblem(node_id, _("no answer from here ever reaches an outcome.")))
    return problems


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """A canonical copy holding only the known keys, in a stable order."""
    nodes = []
    for node in doc["nodes"]:
        if node["type"] == QUESTION:
            nodes.append(
                {
                    "id": node["id"],
                    "type": QUESTION,
                    "text": _text(node.get("text")),
                    "answers": [
                        {"label": _text(a.get("label")), "next": a["next"]} for a in node["answers"]
                    ],
                }
            )
        else:
            nodes.append(
                {
                    "id": node["id"],
                    "type": OUTCOME,
                    "title": _text(node.get("title")),
                    "guidance": (node.get("guidance") or "").strip(),
                    "links": list(node.get("links") or []),
                }
            )
    return {"start": doc["start"], "nodes": nodes}


def to_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=88)


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


# libyaml's safe loader when PyYAML was built with it: the same documents, ten
# times faster (a decision-tree step parses its tree on every request).
try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]


def from_yaml(text: str) -> Any:
    """Parse YAML (safe loader only); raises TreeError with a readable message."""
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _(" (line %(line)d)") % {"line": mark.line + 1} if mark is not None else ""
        raise TreeError(
            [TreeProblem(None, _("The YAML could not be read%(where)s.") % {"where": where})]
        ) from exc


# --- Walking a tree -----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Where a path of answer numbers leads: the node, and the answers taken."""

    node: dict[str, Any]
    # (question node, answer, path up to and including it)
    taken: list[tuple[dict[str, Any], dict[str, Any], str]]


def parse_path(raw: str) -> list[int] | None:
    """'0.1.0' -> [0, 1, 0]; '' -> []; None when it is not a dotted list of numbers."""
    if not raw:
        return []
    parts = raw.split(".")
    if len(parts) > MAX_NODES:
        return None
    numbers = [whole_number(p, most_digits=3) for p in parts]
    return None if None in numbers else [n for n in numbers if n is not None]


def walk(doc: dict[str, Any], path: list[int]) -> Step | None:
    """Follow `path` from the start; None when it does not fit this tree."""
    by_id = {node["id"]: node for node in doc["nodes"]}
    node = by_id[doc["start"]]
    taken: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    for depth, choice in enumerate(path):
        if node["type"] != QUESTION or choice >= len(node["answers"]):
            return None
        answer = node["answers"][choice]
        taken.append((node, answer, ".".join(str(c) for c in path[: depth + 1])))
        node = by_id[answer["next"]]
    return Step(node=node, taken=taken)


def outline(
    doc: dict[str, Any], render: Callable[[str], str] | None = None
) -> list[dict[str, Any]]:
    """The tree as a nested outline from the start, for printing; each node once.

    Nodes are numbered as steps in the order they are printed. Each item is
    {"node", "step", "guidance", "left_out", "answers": [{"answer", "step",
    "target", "items"}]}: an answer's `items` hold the step it leads to when it is
    printed there, and are empty where a path re-joins a step printed above
    ("see step N"). So the work and the printout grow with the nodes and answers,
    never with the number of paths (39 questions of 8 answers have 8^39).

    `render`, when given, turns an outcome's guidance into HTML; once more than
    MAX_LAID_OUT characters are laid out, further guidance is left out (`left_out`).
    """
    by_id = {node["id"]: node for node in doc["nodes"]}
    steps: dict[str, int] = {}
    laid_out = 0

    def item(node_id: str) -> dict[str, Any]:
        nonlocal laid_out
        node = by_id[node_id]
        steps[node_id] = len(steps) + 1
        guidance, left_out = node.get("guidance", ""), False
        if render is not None and guidance:
            # `render` lays out at most markdown.MAX_HTML characters of one text.
            if laid_out > MAX_LAID_OUT:
                guidance, left_out = "", True
            else:
                guidance = render(guidance)
                laid_out += len(guidance)
        answers = []
        for answer in node["answers"] if node["type"] == QUESTION else []:
            target = answer["next"]
            # Depth is bounded by the number of nodes: each is expanded only once.
            items = [] if target in steps else [item(target)]
            answers.append(
                {"answer": answer, "step": steps[target], "target": by_id[target], "items": items}
            )
        return {
            "node": node,
            "step": steps[node_id],
            "guidance": guidance,
            "left_out": left_out,
            "answers": answers,
        }

    return [item(doc["start"])]
