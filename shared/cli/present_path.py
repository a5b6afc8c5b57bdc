"""How the CLI shows a resolution path (`pedns resolve`) and conditional forwarders' warnings.
Pure: values in, lines out; every value from Azure goes through `text()`."""

from __future__ import annotations

from ..core.walk import Resolution
from .present import text


def resolution_lines(result: Resolution) -> list[str]:
    lines = [f"{text(result.name)} from {text(result.network, None)}"]
    lines += [f"  {n}. {text(step, None)}" for n, step in enumerate(result.steps, 1)]
    lines += [f"  assumes: {text(a, None)}" for a in result.assumptions]
    lines.append(f"verdict {result.verdict}: {text(result.why, None)}")
    if result.verdict != "private":
        lines.append(f"remedy: {result.remedy}")
    return lines
