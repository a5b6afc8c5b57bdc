"""The layers of shared/ and who may import whom (docs/architecture.md, "Import rules").

    core       vocabulary, catalogue, desire, ownership, the plan, results, audit checks, every port
    parsing    outside input → core values (pydantic lives here and in settings only)
    usecases   one module per use case: converge, name, claimants, offline, reconcile, audit, …
    observers  the fan-out, telemetry, notifications (after the DNS work, never failing it)
    adapters   the only modules importing Azure SDKs (ports filled with ARM, Graph, Private DNS, …)
    doors      the CLI and functions/, which build everything through shared/wiring.py

Imports point down only; no import cycle anywhere (shared/, functions/, emulator/), function-level
imports included; a function-level import carries a comment saying why.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class Rule:
    """What modules under `prefix` may import: shared modules under `shared` prefixes, and third-party
    packages in `third_party` (the standard library always)."""

    prefix: str
    shared: tuple[str, ...]
    third_party: tuple[str, ...] = ()


CORE = ("shared.core", "shared.errors")
#: The first rule whose prefix matches a module applies (longest prefixes first).
RULES = [
    Rule("shared.errors", ()),
    Rule("shared.core", CORE),
    Rule("shared.parsing", (*CORE, "shared.parsing"), ("pydantic",)),
    Rule("shared.usecases", (*CORE, "shared.parsing", "shared.usecases")),
    Rule("shared.observers", (*CORE, "shared.observers")),
    Rule("shared.settings", (*CORE, "shared.parsing"), ("pydantic",)),
    Rule("shared.adapters", (*CORE, "shared.parsing", "shared.settings", "shared.adapters"),
         ("azure", "opentelemetry")),
    Rule("shared.testing", CORE),
    Rule("shared.outcomes", CORE),
    Rule("shared.service", (*CORE, "shared.parsing", "shared.usecases", "shared.observers.metrics")),
    Rule("shared.wiring", (*CORE, "shared.parsing", "shared.usecases", "shared.observers", "shared.adapters",
                           "shared.settings", "shared.service")),
    Rule("shared.cli", (*CORE, "shared.parsing", "shared.usecases", "shared.observers", "shared.settings",
                        "shared.service", "shared.wiring", "shared.outcomes", "shared.cli", "shared.data"),
         ("emulator",)),  # `pedns emulator`, the development tool (lazily: not in the deployed package)
    Rule("shared", ()),  # a new top-level module needs a rule of its own
    Rule("functions", ("shared.core", "shared.errors", "shared.parsing", "shared.usecases", "shared.observers",
                       "shared.settings", "shared.service", "shared.wiring", "shared.outcomes", "functions"),
         ("azure.functions",)),
    Rule("function_app", ("functions",), ("azure.functions",)),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


@dataclass(frozen=True)
class Import:
    target: str  # absolute dotted name
    line: int
    in_function: bool


def imports_of(path: Path) -> list[Import]:
    """Every import in the file, relative ones made absolute; `from pkg import mod` names the
    submodule when `mod` is one."""
    tree = ast.parse(path.read_text(), str(path))
    name = module_name(path)
    package = name if is_package(path) else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                for alias in child.names:
                    sub = f"{module}.{alias.name}"
                    found.append(Import(sub if _exists(sub) else module, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _exists(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def sources(*folders: str) -> list[Path]:
    out = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    return out + ([ROOT / "function_app.py"] if "functions" in folders else [])


def rule_for(name: str) -> Rule:
    return next(r for r in RULES if name == r.prefix or name.startswith(r.prefix + "."))


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def broken_rules(path: Path) -> list[str]:
    name = module_name(path)
    rule = rule_for(name)
    wrong = []
    for imp in imports_of(path):
        top = imp.target.split(".")[0]
        if top in STDLIB:
            continue
        if top in ("shared", "functions"):
            if _under(imp.target, (name,)) or _under(imp.target, rule.shared) \
                    or (imp.target == "shared" and name.startswith("shared.")):
                continue
        elif _under(imp.target, rule.third_party):
            continue
        wrong.append(f"{name}:{imp.line} imports {imp.target}")
    return wrong


@pytest.mark.parametrize("path", sources("shared", "functions"), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_imports_only_the_layers_below_it(path):
    assert [] == broken_rules(path)


def _graph(paths: list[Path]) -> dict[str, set[str]]:
    names = {module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        targets = set()
        for imp in imports_of(path):
            target = imp.target
            while target and target not in names:  # `shared.core.model.X` → `shared.core.model`
                target = target.rpartition(".")[0]
            if target and target != module_name(path):
                targets.add(target)
        graph[module_name(path)] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_there_is_no_import_cycle_anywhere():
    graph = _graph(sources("shared", "functions", "emulator"))

    assert [] == cycles(graph)


def test_the_cycle_finder_finds_a_cycle():
    assert [["a", "b", "c"]] == cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})


def test_a_core_module_importing_a_use_case_breaks_the_rules(tmp_path, monkeypatch):
    fake = ROOT / "shared" / "core" / "model.py"
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: "from ..usecases import converge\n"
                        if self == fake else Path.read_bytes(self).decode())

    assert ["shared.core.model:1 imports shared.usecases.converge"] == broken_rules(fake)


@pytest.mark.parametrize("path", sources("shared", "functions", "emulator"), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_function_level_import_says_why(path):
    """Only for optional SDKs, dev-only tools or measured cold-start costs, with a comment."""
    lines = path.read_text().splitlines()
    silent = [f"{module_name(path)}:{imp.line} imports {imp.target}" for imp in imports_of(path)
              if imp.in_function and not _explained(lines, imp.line)]
    assert [] == silent


def _explained(lines: list[str], line: int) -> bool:
    """A comment on the import's line, or on the line before its block of imports."""
    i = line - 1
    if "#" in lines[i]:
        return True
    while i > 0 and lines[i - 1].strip().startswith(("import ", "from ")):
        i -= 1
        if "#" in lines[i]:
            return True
    return i > 0 and "#" in lines[i - 1]
