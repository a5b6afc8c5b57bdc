"""The doors (the CLI, functions/) go through the wiring, import at the top, and lean on modules that
import only what they may: the outcome table only the errors, the inspect use case only the core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOORS = sorted([*(ROOT / "shared" / "cli").glob("*.py"), *(ROOT / "functions").glob("*.py")])
#: The one function-level import a door may have: the emulator, a development tool an installed pedns lacks.
LAZY = {("shared/cli/emulator.py", "emulator")}


def _imports(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append(("." * node.level + (node.module or ""), node))
    return found


def _parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(), str(path))


@pytest.mark.parametrize("path", DOORS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_door_reaches_the_adapters_only_through_the_wiring(path):
    assert [] == [name for name, _ in _imports(_parse(path)) if "adapters" in name.split(".")]


@pytest.mark.parametrize("path", DOORS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_door_imports_at_the_top(path):
    tree = _parse(path)
    top = {id(node) for node in tree.body}
    lazy = {(str(path.relative_to(ROOT)), name) for name, node in _imports(tree) if id(node) not in top}
    assert set() == lazy - LAZY


def _within(name: str, prefix: str) -> bool:
    """`name` is `prefix` or below it; `.` stands for a sibling module of the same package."""
    if prefix == ".":
        return name.startswith(".") and not name.startswith("..")
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize(("module", "allowed"), [
    pytest.param("shared/outcomes.py", (".errors",), id="outcomes"),
    pytest.param("shared/usecases/inspect.py", ("..core", "..parsing", "..errors", "."), id="usecases.inspect"),
])
def test_a_pure_module_imports_only_what_it_may(module, allowed):
    ours = [name for name, _ in _imports(_parse(ROOT / module)) if name.startswith((".", "shared"))]

    assert [] == [name for name in ours if not any(_within(name, prefix) for prefix in allowed)]
