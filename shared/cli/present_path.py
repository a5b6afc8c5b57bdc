"""How the CLI shows a resolution path (`pedns resolve`) and conditional forwarders' warnings.
Pure: values in, lines out; every value from Azure goes through `text()`."""

from __future__ import annotations

import re

from ..core.walk import Resolution
from .present import plain, text

_ARM_ID = re.compile(r"/subscriptions/[0-9A-Fa-f-]{36}/resourceGroups/([^/\s]+)/providers/[^/\s]+/[^/\s]+/([^\s,;:()]+)")


def short(line: str) -> str:
    """Resource ids as `resource group/name[/child type/name]`, for a terminal (`--json` keeps them whole)."""
    return _ARM_ID.sub(lambda m: f"{m[1]}/{m[2]}", line)


def resolution_lines(result: Resolution) -> list[str]:
    lines = [f"{text(result.name)} from {text(short(result.network), None)}"]
    lines += [f"  {n}. {text(short(step), None)}" for n, step in enumerate(result.steps, 1)]
    lines += [f"  assumes: {text(short(a), None)}" for a in result.assumptions]
    lines.append(f"verdict {result.verdict}: {text(short(result.why), None)}")
    if result.verdict != "private":
        lines.append(f"remedy: {plain(result.remedy)}")
    return lines
