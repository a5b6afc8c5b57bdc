"""State survives a restart through --state-file; `main()` prints the export lines and `ready`."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from azure.mgmt.privatedns import PrivateDnsManagementClient
from emu_helpers import ZONE, StaticCredential

import emulator
from emulator import Emulator

REPO = Path(__file__).resolve().parents[2]


def _client(emu: Emulator) -> PrivateDnsManagementClient:
    return PrivateDnsManagementClient(StaticCredential(), emu.hub_subscription, base_url=emu.base_url,
                                      connection_verify=emu.ca_path, retry_total=0)


def test_state_file_is_reloaded_with_the_same_etags(tmp_path):
    state = tmp_path / "state.json"
    with Emulator(state_file=state) as first:
        dns = _client(first)
        dns.private_zones.begin_create_or_update(first.hub_resource_group, ZONE, {"location": "global"}).result()
        written = dns.record_sets.create_or_update(first.hub_resource_group, ZONE, "A", "acct", {
            "properties": {"ttl": 10, "metadata": {"owner": "pedns"}, "aRecords": [{"ipv4Address": "10.0.0.4"}]}})

    with Emulator(state_file=state) as second:
        reread = _client(second).record_sets.get(second.hub_resource_group, ZONE, "A", "acct")

    assert (written.etag, {"owner": "pedns"}) == (reread.etag, reread.properties.metadata)


def test_state_file_is_written_after_each_change_as_json(tmp_path):
    state = tmp_path / "state.json"
    with Emulator(state_file=state) as emu:
        _client(emu).private_zones.begin_create_or_update(emu.hub_resource_group, ZONE, {"location": "global"}).result()

        saved = json.loads(state.read_text())

    assert [f"/subscriptions/{emu.hub_subscription}/resourcegroups/rg-hub-dns/providers/microsoft.network/privatednszones/{ZONE}"] == list(saved["zones"])


def test_foreign_state_file_is_refused(tmp_path):
    state = tmp_path / "state.json"
    state.write_text('{"something": "else"}')

    with pytest.raises(ValueError):
        Emulator(state_file=state)


def test_ca_is_written_to_the_state_dir(tmp_path):
    with Emulator(state_dir=tmp_path) as emu:
        assert str(tmp_path.resolve() / "ca.pem") == emu.ca_path


def test_started_emulator_refuses_plain_tls_without_its_ca(emu):
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(emu.base_url + "/_emulator/requests", context=ssl.create_default_context(), timeout=5)


def test_main_prints_exports_then_ready_and_exits_0_on_sigterm(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    code = "import emulator, sys; sys.exit(emulator.main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0", "--state-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.strip() == "ready":
                break
        exports = dict(line.removeprefix("export ").split("=", 1) for line in lines[:-1])
        context = ssl.create_default_context(cafile=exports["PEDNS_CA_BUNDLE"])
        with urllib.request.urlopen(exports["PEDNS_ARM_ENDPOINT"] + "/_emulator/requests", context=context, timeout=5) as answer:
            reachable = answer.status
    finally:
        proc.send_signal(signal.SIGTERM)
        returncode = proc.wait(timeout=10)

    assert ["PEDNS_ARM_ENDPOINT", "PEDNS_CA_BUNDLE", "PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP",
            "PEDNS_SOURCE_SUBSCRIPTIONS", "PEDNS_CREDENTIAL", "PEDNS_NOTIFY_TOPIC_ENDPOINT"] == list(exports)
    assert ("ready", str(tmp_path.resolve() / "ca.pem"), "emulator", 200, 0) == (
        lines[-1], exports["PEDNS_CA_BUNDLE"], exports["PEDNS_CREDENTIAL"], reachable, returncode)


@pytest.mark.parametrize(
    "argv",
    [["--port", "http"], ["--hub-subscription", "hub"], ["--fault-rate", "2"], ["--no-such-flag"]],
    ids=["port-not-a-number", "subscription-not-a-guid", "rate-above-one", "unknown-flag"],
)
def test_main_with_a_bad_flag_exits_2_with_one_line(argv, capsys):
    code = emulator.main(argv)

    err = capsys.readouterr().err
    assert (2, 1, True) == (code, len(err.splitlines()), err.startswith("pedns emulator: error:"))


@pytest.mark.parametrize("content", ['{"something": "else"}', "{ not json"], ids=["foreign", "not-json"])
def test_main_with_an_unusable_state_file_exits_2_with_one_line(tmp_path, capsys, content):
    state = tmp_path / "state.json"
    state.write_text(content)

    code = emulator.main(["--port", "0", "--state-dir", str(tmp_path), "--state-file", str(state)])

    err = capsys.readouterr().err
    assert (2, 1) == (code, len(err.splitlines())), err
    assert err.startswith("pedns emulator: error: cannot load state:")


# `--port http` makes the emulator itself refuse at once should pedns hand the flags over after all.
@pytest.mark.parametrize(("argv", "message"), [
    (["--json", "emulator", "--port", "http"], "pedns: error: --json: 'pedns emulator' has no JSON output"),
    (["emulator", "--port", "http", "--json"], "pedns: error: --json: 'pedns emulator' has no JSON output"),
    (["-v", "emulator", "--port", "http"], "pedns: error: -v: 'pedns emulator' takes only its own flags"),
], ids=["json-before", "json-after", "verbose-before"])
def test_pedns_global_flags_are_refused_by_the_emulator_with_one_line(argv, message, capsys):
    from shared.cli import main

    code = main(argv)

    err = capsys.readouterr().err
    assert (2, 1, True) == (code, len(err.splitlines()), err.startswith(message)), err
