"""The form-based tree editor: posted fields <-> a draft tree document, and edit steps.

The draft travels in the form itself, so adding, removing and reordering
nodes and answers works without JavaScript and nothing is saved until the
trainer presses Save.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import QueryDict

from crisisline.numbers import whole_number
from protocols.trees import MAX_ANSWERS, MAX_NODES, OUTCOME, QUESTION


def _count(data: QueryDict, key: str, most: int) -> int:
    return min(whole_number(data.get(key, "0")) or 0, most)


def draft_from_post(data: QueryDict) -> dict[str, Any]:
    """Read the editor's fields into a (possibly invalid) tree document."""
    nodes = []
    for i in range(_count(data, "n-count", MAX_NODES + 1)):
        prefix = f"n{i}-"
        kind = data.get(prefix + "type", QUESTION)
        node: dict[str, Any] = {"id": data.get(prefix + "id", "").strip(), "type": kind}
        if kind == OUTCOME:
            node["title"] = data.get(prefix + "title", "")
            node["guidance"] = data.get(prefix + "guidance", "").replace("\r\n", "\n")
            node["links"] = [s for s in re.split(r"[\s,]+", data.get(prefix + "links", "")) if s]
        else:
            node["text"] = data.get(prefix + "text", "")
            node["answers"] = [
                {
                    "label": data.get(f"{prefix}a{j}-label", ""),
                    "next": data.get(f"{prefix}a{j}-next", ""),
                }
                for j in range(_count(data, prefix + "a-count", MAX_ANSWERS + 1))
            ]
        nodes.append(node)
    return {"start": data.get("start", ""), "nodes": nodes}


def _fresh_id(doc: dict[str, Any], stem: str) -> str:
    taken = {n.get("id") for n in doc["nodes"]}
    number = 1
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"


def _swap(items: list[Any], i: int, j: int) -> None:
    if 0 <= i < len(items) and 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]


def apply_step(doc: dict[str, Any], step: str) -> dict[str, Any]:
    """Apply one editor button ("add-question", "remove:2", "up-answer:1:0", …) to `doc`."""
    nodes = doc["nodes"]
    name, _, rest = step.partition(":")
    args = [n for a in rest.split(":") if (n := whole_number(a)) is not None] if rest else []

    def node_at(index: int) -> dict[str, Any] | None:
        return nodes[index] if 0 <= index < len(nodes) else None

    if name == "add-question" and len(nodes) < MAX_NODES:
        nodes.append(
            {
                "id": _fresh_id(doc, "question"),
                "type": QUESTION,
                "text": "",
                "answers": [{"label": "", "next": ""}, {"label": "", "next": ""}],
            }
        )
    elif name == "add-outcome" and len(nodes) < MAX_NODES:
        nodes.append(
            {
                "id": _fresh_id(doc, "outcome"),
                "type": OUTCOME,
                "title": "",
                "guidance": "",
                "links": [],
            }
        )
    elif name == "remove" and len(args) == 1 and node_at(args[0]) is not None:
        nodes.pop(args[0])
    elif name in ("up", "down") and len(args) == 1:
        _swap(nodes, args[0], args[0] + (-1 if name == "up" else 1))
    elif name.endswith("-answer") and args:
        node = node_at(args[0])
        if node is None or node.get("type") != QUESTION:
            return doc
        answers = node["answers"]
        if name == "add-answer" and len(answers) < MAX_ANSWERS:
            answers.append({"label": "", "next": ""})
        elif len(args) == 2 and 0 <= args[1] < len(answers):
            if name == "remove-answer":
                answers.pop(args[1])
            elif name in ("up-answer", "down-answer"):
                _swap(answers, args[1], args[1] + (-1 if name == "up-answer" else 1))
    return doc


def removed_by(doc: dict[str, Any], step: str) -> dict[str, Any] | None:
    """What `step` removes from `doc`, and from where, so that the next step can put it
    back ("undo"); None for a step that removes nothing. Read before the step is applied."""
    name, _, rest = step.partition(":")
    args = [n for a in rest.split(":") if (n := whole_number(a)) is not None] if rest else []
    nodes = doc["nodes"]
    if name == "remove" and len(args) == 1 and 0 <= args[0] < len(nodes):
        return {"at": args, "item": nodes[args[0]]}
    if name == "remove-answer" and len(args) == 2 and 0 <= args[0] < len(nodes):
        answers = nodes[args[0]].get("answers") or []
        if 0 <= args[1] < len(answers):
            return {"at": args, "item": answers[args[1]]}
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _clean_answer(item: Any) -> dict[str, str]:
    item = item if isinstance(item, dict) else {}
    return {"label": _text(item.get("label")), "next": _text(item.get("next"))}


def _clean_node(item: Any) -> dict[str, Any]:
    """A removed node as it came back from the form: only the fields a node has, as text
    (whatever else was posted is dropped; saving validates the tree as always)."""
    item = item if isinstance(item, dict) else {}
    node: dict[str, Any] = {"id": _text(item.get("id")).strip()}
    if item.get("type") == OUTCOME:
        links = item.get("links")
        node |= {
            "type": OUTCOME,
            "title": _text(item.get("title")),
            "guidance": _text(item.get("guidance")),
            "links": [s for s in links if isinstance(s, str)] if isinstance(links, list) else [],
        }
    else:
        answers = item.get("answers")
        node |= {
            "type": QUESTION,
            "text": _text(item.get("text")),
            "answers": [_clean_answer(a) for a in answers[:MAX_ANSWERS]]
            if isinstance(answers, list)
            else [],
        }
    return node


def undo_removal(doc: dict[str, Any], removed: str) -> tuple[dict[str, Any], str]:
    """Put back what the previous step removed (`removed` is `removed_by`'s answer, as
    JSON carried by the form), and name the field to focus: the first of what came
    back. A mangled or out-of-range value changes nothing."""
    try:
        data = json.loads(removed)
    except ValueError:
        return doc, ""
    at = data.get("at") if isinstance(data, dict) else None
    if not isinstance(at, list) or not all(type(n) is int and n >= 0 for n in at):
        return doc, ""
    nodes = doc["nodes"]
    if len(at) == 1 and at[0] <= len(nodes) and len(nodes) < MAX_NODES:
        nodes.insert(at[0], _clean_node(data.get("item")))
        return doc, f"n{at[0]}-id"
    if len(at) == 2 and at[0] < len(nodes) and nodes[at[0]].get("type") == QUESTION:
        answers = nodes[at[0]]["answers"]
        if at[1] <= len(answers) and len(answers) < MAX_ANSWERS:
            answers.insert(at[1], _clean_answer(data.get("item")))
            return doc, f"n{at[0]}-a{at[1]}-label"
    return doc, ""


def undo_field(removed: dict[str, Any] | None) -> str:
    """`removed_by`'s answer as the form carries it to the next step."""
    return json.dumps(removed, ensure_ascii=False) if removed else ""


def focus_after(doc: dict[str, Any], step: str) -> str:
    """The id of the field or button to focus once `step` is applied, so that the
    trainer carries on where they were: a new node's first field, the moved node's
    same button (press it again to move further), what took a removed thing's place."""
    nodes = doc["nodes"]
    name, _, rest = step.partition(":")
    args = [n for a in rest.split(":") if (n := whole_number(a)) is not None] if rest else []
    last = len(nodes) - 1
    if name in ("add-question", "add-outcome"):
        return f"n{last}-id" if nodes else "start"
    if name in ("up", "down") and args:
        moved = max(0, min(last, args[0] + (-1 if name == "up" else 1)))
        return f"n{moved}-{name}"
    if name == "remove" and args:
        return f"n{min(args[0], last)}-id" if nodes else "start"
    if name.endswith("-answer") and args and 0 <= args[0] <= last:
        i = args[0]
        answers = nodes[i].get("answers") or []
        if name == "add-answer":
            return f"n{i}-a{len(answers) - 1}-label"
        if len(args) == 2 and name in ("up-answer", "down-answer"):
            j = max(0, min(len(answers) - 1, args[1] + (-1 if name == "up-answer" else 1)))
            return f"n{i}-a{j}-{name.removesuffix('-answer')}"
        if name == "remove-answer" and answers:
            return f"n{i}-a{min(args[1] if len(args) == 2 else 0, len(answers) - 1)}-label"
        return f"n{i}-add-answer"
    return ""


def starter_tree(question: str, yes: str, no: str) -> dict[str, Any]:
    """A small valid tree to begin a new one from."""
    return {
        "start": "first-question",
        "nodes": [
            {
                "id": "first-question",
                "type": QUESTION,
                "text": question,
                "answers": [
                    {"label": yes, "next": "outcome-1"},
                    {"label": no, "next": "outcome-2"},
                ],
            },
            {"id": "outcome-1", "type": OUTCOME, "title": yes, "guidance": "", "links": []},
            {"id": "outcome-2", "type": OUTCOME, "title": no, "guidance": "", "links": []},
        ],
    }
