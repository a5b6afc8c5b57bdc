"""Dependencies point inward: only adapters import Azure SDKs, only functions/ imports azure.functions,
and the pure core imports neither (nor the adapters)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = ["core/model", "errors", "parsing/events", "parsing/endpoint", "core/catalogue", "core/desired", "core/plan",
        "core/ownership", "core/ports", "parsing/replay", "service", "settings", "testing", "observers/metrics",
        "observers/fanout", "observers/telemetry"]
#: SDKs that only shared/adapters/ may import (OpenTelemetry and the Azure Monitor distro included).
SDKS = ("azure", "opentelemetry")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found.add("." * node.level + base)
    return found


@pytest.mark.parametrize("module", PURE)
def test_the_pure_core_imports_no_azure_sdk_and_no_adapter(module):
    path = ROOT / "shared" / module  # a module, or a package (each of its modules)
    found = set().union(*map(imports, sorted(path.glob("*.py")) if path.is_dir() else [path.with_suffix(".py")]))

    assert set() == {name for name in found if name.startswith(SDKS) or "adapters" in name}


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "shared").rglob("*.py") if "adapters" not in p.parts),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_only_adapters_import_an_sdk(path):
    """Wherever in shared/ outside adapters/ (wiring and the CLI import adapters lazily, never an SDK)."""
    assert set() == {name for name in imports(path) if name.startswith(SDKS)}


@pytest.mark.parametrize("path", sorted((ROOT / "shared").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_functions_import_azure_functions(path):
    assert set() == {name for name in imports(path) if name.startswith("azure.functions")}


def test_the_function_package_leaves_out_development_tools():
    ignored = (ROOT / ".funcignore").read_text().split()

    assert {"tests", "emulator", "tools", "infra", ".venv"} <= set(ignored)


def test_requirements_txt_matches_the_runtime_dependencies_in_pyproject():
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    listed = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert sorted(declared) == sorted(listed)
