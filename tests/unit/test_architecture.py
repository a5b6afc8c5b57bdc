"""Only adapters import Azure SDKs, and never their private modules; only functions/ imports
azure.functions, and the package leaves out what is not the app. The layers themselves: tests/unit/test_layers.py."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.parametrize("path", sorted(p for p in (ROOT / "shared").rglob("*.py") if "adapters" not in p.parts),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_only_adapters_import_an_sdk(path):
    """Wherever in shared/ outside adapters/ (wiring and the CLI import adapters lazily, never an SDK)."""
    assert set() == {name for name in imports(path) if name.startswith(SDKS)}


@pytest.mark.parametrize("path", sorted((ROOT / "shared").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_functions_import_azure_functions(path):
    assert set() == {name for name in imports(path) if name.startswith("azure.functions")}


#: The app's own packages (their private modules are theirs to use).
OWN = ("shared", "functions", "emulator", "function_app")


def private_sdk_imports(path: Path) -> set[str]:
    """What `path` imports from a library (not the standard library, not the app) through a name
    starting with `_` (dunders aside): a private module or attribute a minor release may remove."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in OWN or top in sys.stdlib_module_names:
                continue
            if any(part.startswith("_") and not part.startswith("__") for part in name.split(".")):
                found.add(name)
    return found


@pytest.mark.parametrize("path", sorted([*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py"),
                                         ROOT / "function_app.py"]), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_private_module_of_an_sdk(path):
    """`azure.eventgrid._legacy` was one: a minor release can remove what is private."""
    assert set() == private_sdk_imports(path)


def test_a_private_sdk_import_is_found_however_it_is_written(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("from __future__ import annotations\n"
                      "from azure.eventgrid._legacy import EventGridPublisherClient\n"
                      "from azure.eventgrid import _legacy\n"
                      "import azure.core.pipeline.transport._requests_basic\n"
                      "def f():\n    from opentelemetry.sdk._logs import LoggerProvider\n"
                      "import _thread\nfrom shared.adapters import _pipeline\n")

    assert {"azure.eventgrid._legacy", "azure.eventgrid._legacy.EventGridPublisherClient",
            "azure.core.pipeline.transport._requests_basic",
            "opentelemetry.sdk._logs", "opentelemetry.sdk._logs.LoggerProvider"} == private_sdk_imports(source)


def test_the_function_package_leaves_out_development_tools():
    ignored = (ROOT / ".funcignore").read_text().split()

    assert {"tests", "emulator", "tools", "infra", ".venv"} <= set(ignored)


def test_requirements_txt_matches_the_runtime_dependencies_in_pyproject():
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    listed = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert sorted(declared) == sorted(listed)
