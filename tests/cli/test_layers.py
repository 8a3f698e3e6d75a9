"""The core never reaches up: status, filters and rollup import nothing from cli or render."""

from __future__ import annotations

import ast

import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "checklist"


def _imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):  # imports inside functions count too
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", ["status", "filters", "rollup"])
def test_the_core_imports_neither_cli_nor_render(module: str) -> None:
    upward = {
        name
        for name in _imports(module)
        if name.startswith(("checklist.cli", "checklist.render", "rich", "typer"))
    }
    assert upward == set()
