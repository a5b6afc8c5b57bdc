"""`pedns forwarders` end to end over HTTPS: the hub's zones as conditional forwarders, checked by the
real checkers (`named-checkconf` from Debian's bind9-utils, `unbound-checkconf` from unbound; `.ci/run`
installs them). A test whose checker is missing skips and names the package."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

import emulator
from integration.resolution_estate import INBOUND_IP, seed
from integration.test_cli import pedns

pytestmark = pytest.mark.integration

CHECKERS = {"bind": ("named-checkconf", "bind9-utils"), "unbound": ("unbound-checkconf", "unbound")}


@pytest.fixture(scope="module")
def world():
    with emulator.Emulator(faults=emulator.Faults(graph_lag_ms=0)) as emu:
        yield emu, seed(emu), {**emu.env(), "PEDNS_HUB_DNS_SERVERS": INBOUND_IP}


def checker(fmt: str) -> str:
    tool, package = CHECKERS[fmt]
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin")
    if not found:
        pytest.skip(f"{tool} is not installed (apt-get install {package}; .ci/run installs it where apt-get works)")
    return found


@pytest.mark.parametrize("fmt", ["bind", "unbound"])
def test_the_output_passes_the_servers_own_checker(world, tmp_path, fmt):
    emu, estate, env = world
    tool = checker(fmt)

    result = pedns("forwarders", "--format", fmt, "--target", "10.0.0.4", "--target", "fd00::4", env=env)

    assert 0 == result.returncode, result.stderr
    conf = tmp_path / f"forwarders.{fmt}.conf"
    conf.write_text(result.stdout)
    checked = subprocess.run([tool, str(conf)], capture_output=True, text=True, timeout=60)
    assert 0 == checked.returncode, checked.stdout + checked.stderr
    for zone in ("blob.core.windows.net", "vaultcore.azure.net", "vault.azure.net", "database.windows.net"):
        assert f'"{zone}' in result.stdout


@pytest.mark.parametrize("fmt", ["bind", "unbound"])
def test_the_checker_refuses_a_broken_file_so_the_test_above_can_fail(tmp_path, fmt):
    tool = checker(fmt)
    conf = tmp_path / "broken.conf"
    conf.write_text('zone "x" { type forward; forwarders { 10.0.0.4 }; };\n' if fmt == "bind"
                    else 'forward-zone:\n\tname: "x."\n\tforward-addr: not-an-address\n')

    assert 0 != subprocess.run([tool, str(conf)], capture_output=True, timeout=60).returncode


def test_windows_lines_and_warnings_on_stderr_keep_stdout_a_clean_script(world):
    emu, estate, env = world

    result = pedns("forwarders", "--format", "windows", env=env)

    assert 0 == result.returncode, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert lines and all(line.startswith("Add-DnsServerConditionalForwarderZone -Name ") and
                         line.endswith(f"-MasterServers {INBOUND_IP}") for line in lines)
    assert "warning: blob.core.windows.net: forwards every name in it to the hub" in result.stderr
    assert "vault.azure.net:" not in result.stderr  # its link falls back


def test_json_lists_the_forwarders_with_their_hub_zones_and_the_warnings(world):
    emu, estate, env = world

    doc = json.loads(pedns("forwarders", "--json", env=env).stdout)

    assert [INBOUND_IP] == doc["targets"]
    assert {"zone": "blob.core.windows.net", "hubZones": ["privatelink.blob.core.windows.net"]} in doc["forwarders"]
    assert any(w.startswith("blob.core.windows.net:") for w in doc["warnings"])


@pytest.mark.parametrize(("args", "env_change", "says"), [
    (("--target", "10.0.0.999"), {}, "--target: not an IP address"),
    ((), {"PEDNS_HUB_DNS_SERVERS": ""}, "no DNS server to forward to"),
    (("--format", "yaml"), {}, "invalid choice: 'yaml'"),
], ids=["bad-target", "no-target", "bad-format"])
def test_bad_input_is_one_line_and_exit_2(world, args, env_change, says):
    emu, estate, env = world

    result = pedns("forwarders", *args, env={**env, **env_change})

    assert (2, "", 1) == (result.returncode, result.stdout, len(result.stderr.strip().splitlines())), result.stderr
    assert says in result.stderr
