"""Fixtures for the offline infra checks: checkov runs once per session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parents[2] / "infra"


def _checkov_command() -> list[str] | None:
    beside = Path(sys.executable).parent / "checkov"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("checkov")
    return [found] if found else None


def _offline_env() -> dict[str, str]:
    """This environment without platform credentials: checkov must not talk to any service."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_"))}
    env.update({"BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"})
    return env


@pytest.fixture(scope="session")
def checkov_report() -> dict:
    """checkov's JSON report for infra/ (bicep framework, offline: no guideline download)."""
    command = _checkov_command()
    if command is None:
        pytest.skip("checkov is not installed (pip install '.[infra]')")
    proc = subprocess.run(
        [*command, "--framework", "bicep", "--directory", str(INFRA), "--output", "json",
         "--skip-download", "--compact"],
        capture_output=True, text=True, timeout=300, cwd=INFRA,
        env=_offline_env(),
    )
    # Exit 1 means "failed checks"; anything else without JSON is checkov itself failing.
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    if isinstance(report, list):  # one entry per framework when several ran
        report = next(r for r in report if r.get("check_type") == "bicep")
    return report
