"""Views translate HTTP, and modules hold the rules: no view function in the
apps runs over 40 lines (ast over every views module; a view is a function
whose first argument is the request; decorators are not counted)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("crisisline", "shifts", "calls", "protocols")
MOST_LINES = 40


def view_modules() -> list[Path]:
    found: list[Path] = []
    for app in APPS:
        found += (ROOT / app).glob("*views*.py")
        found += (ROOT / app).glob("views/*.py")
    return sorted(found)


def test_no_view_function_runs_over_40_lines() -> None:
    modules = view_modules()
    assert len(modules) >= 6, modules  # the views were found where they live
    long = [
        f"{module.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)"
        for module in modules
        for node in ast.walk(ast.parse(module.read_text(), str(module)))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.args.args
        and node.args.args[0].arg == "request"
        and (lines := (node.end_lineno or node.lineno) - node.lineno + 1) > MOST_LINES
    ]
    assert not long, "views over 40 lines; move their rules into a module: " + ", ".join(long)
