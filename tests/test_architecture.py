"""The import rule of docs/architecture.md: the core never reaches up into rendering or the CLI.

The core computes values (a checked campaign, its units, statuses, rollups, reminder
plans) and never prints, so it can serve any front end. Every import counts, including
those inside functions and under TYPE_CHECKING: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "checklist"

CORE = (
    "checklist.load",
    "checklist.rules",
    "checklist.status",
    "checklist.rollup",
    "checklist.trend",
    "checklist.chart",
    "checklist.filters",
    "checklist.indexed",
    "checklist.indexed_status",
    "checklist.indexed_remind",
    "checklist.indexed_rollup",
    "checklist.indexed_tally",
    "checklist.recur",
    "checklist.remind",
    "checklist.edit",
    "checklist.edit_due",
    "checklist.target",
    "checklist.scaffold",
    "checklist.model",
    "checklist.words",
    "checklist.dates",
    "checklist.ingest",
    "checklist.ingest_rows",
    "checklist.ingest_text",
    "checklist.ingest_update",
    "checklist.workbook",
    "checklist.archive",
    "checklist.history",
    "checklist.workdays",
    "checklist.groups",
    "checklist.bulletin",
)
# What the core may not import: the layers above it, and the terminal libraries they use.
FORBIDDEN = ("checklist.render", "checklist.cli", "rich", "typer")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, with its line: ``from a import b`` names a and a.b."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


CORE_FILES = sorted(path for path in PACKAGE.rglob("*.py") if _within(_module_name(path), CORE))


def test_the_core_is_found() -> None:
    names = {_module_name(path) for path in CORE_FILES}
    for module in CORE:
        assert any(_within(name, (module,)) for name in names), module


@pytest.mark.parametrize("path", CORE_FILES, ids=_module_name)
def test_the_core_imports_nothing_from_render_or_cli(path: Path) -> None:
    wrong = [
        f"{path.relative_to(REPO)}:{line}: imports {name}"
        for line, name in _imports(path)
        if _within(name, FORBIDDEN)
    ]
    assert not wrong


def test_the_rule_sees_imports_inside_functions() -> None:
    sample = PACKAGE / "status.py"
    imports = {name for _, name in _imports(sample)}
    assert "checklist.recur.task_dates" in imports
    nested = _imports(PACKAGE / "recur.py")  # dateutil is imported only where it is used
    assert any(name.startswith("dateutil") for _, name in nested)


# The declarative schema, the catalogue of words and the table of rules are long tables;
# everything else fits on a few screens.
LONGEST = 400
LONG_BY_NATURE = {"checklist.load.schema", "checklist.i18n"}


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_is_longer_than_a_few_screens(path: Path) -> None:
    if _module_name(path) in LONG_BY_NATURE:
        return
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= LONGEST, f"{path.name} has {lines} lines: split it by concern"
