"""infra/spoke/rollout.sh deploys the spoke to every subscription under a management group (or in a
list), with a stand-in `az` on PATH that records its calls."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap

import pytest

from infra_templates import INFRA

pytestmark = [
    pytest.mark.infra,
    pytest.mark.skipif(shutil.which("bash") is None, reason="rollout.sh needs bash"),
]

SCRIPT = INFRA / "spoke" / "rollout.sh"
SUB_A = "2b2b2b2b-0000-4000-8000-000000000001"
SUB_B = "3c3c3c3c-0000-4000-8000-000000000002"
SUB_C = "4d4d4d4d-0000-4000-8000-000000000003"

# Two pages of descendants: the management group's own subscriptions, then a nested group's.
FAKE_AZ = textwrap.dedent(f"""\
    #!/usr/bin/env bash
    echo "$*" >> "$AZ_LOG"
    if [ "$1" = rest ]; then
      case "$*" in
        *page2*"value["*) echo {SUB_C} ;;
        *page2*nextLink*) echo "" ;;
        *descendants*"value["*) printf '%s\\n%s\\n' {SUB_A} {SUB_B} ;;
        *descendants*nextLink*) echo "https://management.azure.com/providers/x/descendants?page2" ;;
      esac
      exit 0
    fi
    if [ "$1" = deployment ] && [ -n "${{AZ_FAIL:-}}" ] && [[ "$*" == *"--subscription $AZ_FAIL "* ]]; then
      echo "deployment failed" >&2; exit 1
    fi
    exit 0
    """)


@pytest.fixture
def az(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "az"
    fake.write_text(FAKE_AZ)
    fake.chmod(0o755)
    log = tmp_path / "az.log"
    log.write_text("")

    def run(*args, fail=""):
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AZ_LOG": str(log), "AZ_FAIL": fail}
        proc = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)
        deployed = [line.split("--subscription ")[1].split()[0] for line in log.read_text().splitlines()
                    if line.startswith("deployment sub")]
        return proc, deployed

    return run


COMMON = ("--parameters", "spoke.parameters.json", "--location", "westeurope")


def test_deploys_to_every_subscription_under_the_management_group_across_pages(az):
    proc, deployed = az("--management-group", "mg-landingzones", *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)


def test_excluded_subscriptions_are_skipped(az):
    proc, deployed = az("--management-group", "mg-landingzones", "--exclude", SUB_B.upper(), *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_C]) == sorted(deployed)


def test_a_failing_subscription_does_not_stop_the_others_but_fails_the_run(az):
    proc, deployed = az("--management-group", "mg-landingzones", *COMMON, fail=SUB_A)

    assert 1 == proc.returncode
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert f"failed: {SUB_A}" in proc.stderr


def test_subscriptions_can_come_from_a_file(az, tmp_path):
    subs = tmp_path / "subs.txt"
    subs.write_text(f"# landing zones\n{SUB_C}\n\n{SUB_A}  # corp\n")

    proc, deployed = az("--subscriptions", str(subs), *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_C]) == sorted(deployed)


def test_dry_run_prints_the_deployments_and_runs_none(az):
    proc, deployed = az("--management-group", "mg-landingzones", "--dry-run", *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert [] == deployed
    assert 3 == proc.stdout.count("az deployment sub create")
    assert "spoke/main.bicep" in proc.stdout


def test_missing_arguments_are_refused(az):
    proc, deployed = az("--location", "westeurope")

    assert 2 == proc.returncode
    assert [] == deployed
