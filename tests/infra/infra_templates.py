"""Read the Bicep templates under infra/ the way the offline checks need them.

pycep-parser turns a .bicep file into JSON-like data. It writes a reference to a variable or
parameter as its bare name, so `resolve` looks names up in the file's variables.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
ROLES = INFRA / "roles"


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


def rel(path: Path) -> str:
    return path.relative_to(INFRA).as_posix()


@functools.cache
def _parser():
    pycep = pytest.importorskip("pycep", reason="pycep-parser is not installed (pip install '.[infra]')")
    return pycep.BicepParser()


@functools.cache
def parse(relpath: str) -> dict[str, Any]:
    return _parser().parse(file_path=INFRA / relpath)


def resolve(template: dict[str, Any], value: Any) -> Any:
    """Follow a bare variable name to the variable's value (once)."""
    if isinstance(value, str) and value in template.get("variables", {}):
        return template["variables"][value]["value"]
    return value


def resources(template: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    """Resources of one type by symbolic name, with loop/condition wrappers removed."""
    found = {}
    for name, res in template.get("resources", {}).items():
        if res["type"].lower() == rtype.lower():
            found[name] = unwrap(res["config"])
    return found


def unwrap(config: dict[str, Any]) -> dict[str, Any]:
    """The body of a resource or module, under any `if (...)` or `for` wrapper."""
    while "config" in config and ("condition" in config or "loop_type" in config):
        config = config["config"]
    return config


def role_file(name: str) -> dict[str, Any]:
    return json.loads((ROLES / name).read_text())


def function_call(value: Any, kind: str) -> dict[str, Any] | None:
    if isinstance(value, dict) and "function" in value and value["function"]["type"] == kind:
        return value["function"]
    return None


def walk(value: Any):
    """Every nested value (dicts, lists, scalars), depth first."""
    yield value
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


class Unsupported(Exception):
    """An expression the small evaluator below does not model."""


def evaluate(template: dict[str, Any], relpath: str, value: Any, params: dict[str, Any]) -> Any:
    """Evaluate the few expression forms the role and filter variables use.

    Supports literals, variable and parameter references (parameters from `params`, else their
    default; a loop index is passed in `params` too), `loadJsonContent`, property and index access,
    `concat`, `contains`, `toLower`, `length`, `max`, `!`, `*`, `/`, `%` and `a ? b : c`, with ARM's rule
    that an object's keys compare case-insensitively (Bicep functions, `contains`).
    """
    def key_of(obj: dict[str, Any], key: str) -> str | None:
        return next((k for k in obj if k.lower() == key.lower()), None)

    def contains(container: Any, item: Any) -> bool:
        if isinstance(container, dict):
            return key_of(container, item) is not None
        return item in container

    def index(container: Any, key: Any) -> Any:
        if isinstance(container, dict):
            return container[key_of(container, key)]
        return container[key]

    functions = {
        "contains": lambda p: contains(ev(p["container"]), ev(p["item_to_find"])),
        "to_lower": lambda p: ev(p["string_to_change"]).lower(),
        "length": lambda p: len(ev(p["arg_1"])),
        "max": lambda p: max(ev(arg) for arg in p.values()),
    }
    operators = {
        "not": lambda o: not ev(o["bool_value"]),
        "index_accessor": lambda o: index(ev(o["operand_1"]), ev(o["operand_2"])),
        "multiply": lambda o: ev(o["operand_1"]) * ev(o["operand_2"]),
        "divide": lambda o: ev(o["operand_1"]) // ev(o["operand_2"]),
        "modulo": lambda o: ev(o["operand_1"]) % ev(o["operand_2"]),
    }

    def ev(v: Any) -> Any:
        if isinstance(v, list):
            return [ev(item) for item in v]
        if isinstance(v, str):
            if v in params:
                return params[v]
            if v in template.get("variables", {}):
                return ev(template["variables"][v]["value"])
            if v in template.get("parameters", {}) and "default" in template["parameters"][v]:
                return ev(template["parameters"][v]["default"])
            return v
        if isinstance(v, dict) and "function" in v:
            fn = v["function"]
            if fn["type"] == "load_json_content":
                return json.loads(((INFRA / relpath).parent / fn["parameters"]["file_path"]).read_text())
            if fn["type"] == "concat":
                return [item for arg in fn["parameters"].values() for item in ev(arg)]
            if fn["type"] in functions:
                return functions[fn["type"]](fn["parameters"])
            raise Unsupported(fn["type"])
        if isinstance(v, dict) and "operator" in v:
            op = v["operator"]
            if op["type"] == "conditional":
                operands = op["operands"]
                return ev(operands["true_value"] if ev(operands["condition"]) else operands["false_value"])
            if op["type"] == "property_accessor":
                return ev(op["operands"]["operand_1"])[op["operands"]["operand_2"]]
            if op["type"] in operators:
                return operators[op["type"]](op["operands"])
            raise Unsupported(op["type"])
        return v

    return ev(value)
