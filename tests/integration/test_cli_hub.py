"""`pedns records`, `zones FILTER`, verbs of dry and applied runs, global flags, logging levels, and the
playground (`pedns emulator --demo --env-file`): as a user runs them, in a subprocess over HTTPS."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time

import pytest

from shared.settings import SETTING_NAMES
from tools.lab import delivery

pytestmark = pytest.mark.integration

BLOB = "privatelink.blob.core.windows.net"


def pedns(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], capture_output=True, text=True,
                          env={**clean, **(env or {})}, timeout=timeout)


def _shared_name(lab, emu):
    """Two endpoints for one storage account: the first holds the name, the second stands by."""
    primary = lab.blob_endpoint("pe-primary", "shared", "10.0.20.4")
    dr = lab.blob_endpoint("pe-dr", "shared", "10.0.20.5", location="northeurope")
    for pe in (primary, dr):
        lab.put_endpoint(pe)
    assert 0 == pedns("replay", "-q", primary["id"], dr["id"], env=emu.env()).returncode
    return primary, dr


def test_records_shows_holder_and_standby_of_a_shared_name(lab, emu):
    primary, dr = _shared_name(lab, emu)
    lab.put_record(BLOB, "manual", ["10.9.9.9"])  # not ours: not listed without --endpoint

    result = pedns("records", "--json", env=emu.env())

    assert 0 == result.returncode, result.stderr
    [doc] = json.loads(result.stdout)
    assert (BLOB, "shared", ["10.0.20.4"], "ours") == (doc["zone"], doc["name"], doc["ips"], doc["status"])
    assert primary["id"] == doc["holder"]["endpoint"]
    assert [dr["id"]] == [c["endpoint"] for c in doc["standby"]]
    assert 0 <= doc["holder"]["ageSeconds"] < 120 and abs(doc["holder"]["since"] - time.time()) < 120

    text = pedns("records", env=emu.env())

    assert 0 == text.returncode, text.stderr
    header, row = text.stdout.splitlines()
    assert header.split() == ["ZONE", "NAME", "TYPE", "IPS", "HOLDER", "(AGE)", "STANDBY", "(AGE)"]
    assert header.index("NAME") == row.index("shared")  # aligned
    assert "rg-app/pe-primary (" in row and "rg-app/pe-dr (" in row.split("rg-app/pe-primary", 1)[1]


def test_records_for_an_endpoint_lists_its_claims_and_the_foreign_names_it_wants(lab, emu):
    primary, dr = _shared_name(lab, emu)
    other = lab.blob_endpoint("pe-other", "otheracct", "10.0.20.6")
    lab.put_endpoint(other)
    assert 0 == pedns("replay", "-q", other["id"], env=emu.env()).returncode
    lab.put_record(BLOB, "taken", ["10.9.9.9"], metadata={"createdBy": "hand"})
    wants_taken = lab.blob_endpoint("pe-wants", "taken", "10.0.20.7")
    lab.put_endpoint(wants_taken)

    mine = pedns("records", "--json", "--endpoint", dr["id"], env=emu.env())
    foreign = pedns("records", "--endpoint", wants_taken["id"], env=emu.env())

    assert 0 == mine.returncode, mine.stderr
    assert ["shared"] == [d["name"] for d in json.loads(mine.stdout)]
    assert 0 == foreign.returncode, foreign.stderr
    [row] = foreign.stdout.splitlines()[1:]
    assert "taken" in row and "foreign: not created by pedns (no ownership stamp)" in row
    assert "wanted by rg-app/pe-wants" in row  # as plain `records` shows it
    [doc] = json.loads(pedns("records", "--json", "--endpoint", wants_taken["id"], env=emu.env()).stdout)
    assert [wants_taken["id"]] == doc["wantedBy"]
    assert {(BLOB, "taken"): ["10.9.9.9"]}.items() <= lab.names().items()  # a dry run: nothing written


@pytest.mark.graph_lag_ms(0)  # lists at once the endpoints it has just written
def test_records_shows_a_foreign_name_an_endpoint_in_scope_wants_and_who_wants_it(lab, emu):
    _shared_name(lab, emu)
    lab.put_record(BLOB, "taken", ["10.9.9.9"], metadata={"createdBy": "hand"})
    lab.put_record(BLOB, "unwanted", ["10.9.9.8"])  # foreign too, but no endpoint wants it: not shown
    wants_taken = lab.blob_endpoint("pe-wants", "taken", "10.0.20.7")
    lab.put_endpoint(wants_taken)
    emu.clear_requests()

    result = pedns("records", "--json", env=emu.env())
    text = pedns("records", env=emu.env())

    assert 0 == result.returncode, result.stderr
    docs = {d["name"]: d for d in json.loads(result.stdout)}
    assert ["shared", "taken"] == sorted(docs)
    assert ("foreign", [wants_taken["id"]]) == (docs["taken"]["status"], docs["taken"]["wantedBy"])
    assert not [r for r in emu.requests if r[0] == "GET" and "/privateEndpoints/" in r[1]]  # the listing only
    [row] = [line for line in text.stdout.splitlines() if " taken " in line]
    assert "foreign: not created by pedns" in row and "wanted by rg-app/pe-wants" in row


def test_records_reads_the_hub_with_one_listing_not_a_get_per_record(lab, emu):
    _shared_name(lab, emu)
    for i in range(5):
        pe = lab.blob_endpoint(f"pe-many-{i}", f"many{i}", f"10.0.21.{i + 4}")
        lab.put_endpoint(pe)
        assert 0 == pedns("replay", "-q", pe["id"], env=emu.env()).returncode
    emu.clear_requests()

    result = pedns("records", "--zone", BLOB.upper(), "--json", env=emu.env())

    assert 0 == result.returncode, result.stderr
    assert 6 == len(json.loads(result.stdout))
    assert not [r for r in emu.requests if r[0] == "GET" and "/A/" in r[1]], emu.requests


@pytest.mark.parametrize("args, message", [
    (["--endpoint", "/subscriptions/x/resourceGroups/rg"], "--endpoint is not a private endpoint id"),
    (["--zone", "not a zone"], "is not a DNS zone name"),
    (["--zone", "privatelink.nowhere.example"], "not a zone of the hub resource group"),
])
def test_records_refuses_a_bad_filter_with_exit_2(lab, emu, args, message):
    result = pedns("records", *args, env=emu.env())

    assert (2, "") == (result.returncode, result.stdout)
    assert message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr


def test_records_in_a_dns_resource_group_that_does_not_exist_exits_1_naming_it(lab, emu):
    """The repro: the emulator listed a group nothing was created in as empty, so `pedns records`
    printed "(no record sets)" and exited 0; ARM answers 404 ResourceGroupNotFound."""
    result = pedns("records", env={**emu.env(), "PEDNS_DNS_RESOURCE_GROUP": "rg-x"})

    assert (1, "") == (result.returncode, result.stdout)
    assert (f"the DNS resource group 'rg-x' does not exist in subscription {emu.hub_subscription} "
            "(PEDNS_DNS_RESOURCE_GROUP, PEDNS_DNS_SUBSCRIPTION_ID)") in result.stderr
    assert 1 == len(result.stderr.splitlines()), result.stderr


@pytest.mark.parametrize("name, value", [
    ("PEDNS_DNS_SUBSCRIPTION_ID", "x"),
    ("PEDNS_DNS_RESOURCE_GROUP", "rg/../x"),
    ("PEDNS_CUSTOM_ZONES", '[{"zone": "privatelink.x.example"}]'),
], ids=["subscription", "resource-group", "custom-zones"])
def test_records_with_a_setting_that_cannot_work_exits_2_before_any_request(lab, emu, name, value):
    emu.clear_requests()

    result = pedns("records", env={**emu.env(), name: value})

    assert (2, "", []) == (result.returncode, result.stdout, emu.requests)
    assert result.stderr.startswith(f"pedns: error: invalid settings: {name}") and len(result.stderr.splitlines()) == 1


def test_replay_text_says_would_in_a_dry_run_and_plain_verbs_when_applied(lab, emu):
    pe = lab.blob_endpoint("pe-verbs", "verbs", "10.0.22.4")
    lab.put_endpoint(pe)

    dry = pedns("replay", "-q", "--dry-run", pe["id"], env=emu.env())
    applied = pedns("replay", "-q", pe["id"], env=emu.env())
    released = pedns("release", "-q", pe["id"], env=emu.env())

    assert "  would create A verbs.privatelink.blob.core.windows.net: - -> 10.0.22.4" in dry.stdout.splitlines()
    assert dry.stdout.splitlines()[-1].startswith("1 endpoint(s) (1 dry-run): 1 would be created, 0 would be updated")
    assert "  create A verbs.privatelink.blob.core.windows.net: - -> 10.0.22.4" in applied.stdout.splitlines()
    assert "would" not in applied.stdout
    assert applied.stdout.splitlines()[-1].startswith("1 endpoint(s) (1 converged): 1 created, 0 updated, 0 deleted")
    assert "  delete A verbs.privatelink.blob.core.windows.net: 10.0.22.4 -> -" in released.stdout.splitlines()
    assert "1 deleted" in released.stdout.splitlines()[-1]


def test_a_standbys_claim_reads_claim_not_an_update_to_the_same_ips(lab, emu):
    primary = lab.blob_endpoint("pe-hold", "claimed", "10.0.22.7")
    standby = lab.blob_endpoint("pe-wait", "claimed", "10.0.22.8", location="northeurope")
    for pe in (primary, standby):
        lab.put_endpoint(pe)
    assert 0 == pedns("replay", "-q", primary["id"], env=emu.env()).returncode

    dry = pedns("replay", "-q", "--dry-run", standby["id"], env=emu.env())
    text = pedns("replay", "-q", standby["id"], env=emu.env())

    assert (0, 0) == (dry.returncode, text.returncode), text.stderr
    assert f"  would claim A claimed.{BLOB}: 10.0.22.7 (unchanged)" in dry.stdout.splitlines()
    assert f"  claim A claimed.{BLOB}: 10.0.22.7 (unchanged)" in text.stdout.splitlines()
    assert text.stdout.splitlines()[-1].startswith(
        "1 endpoint(s) (1 converged): 0 created, 0 updated, 0 deleted, 1 claimed, 0 failed"), text.stdout
    assert {(BLOB, "claimed"): ["10.0.22.7"]} == lab.names()


def test_events_apply_dry_run_says_would_and_counts(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-evd", "evdry", "10.0.22.5")
    lab.put_endpoint(pe)
    path = tmp_path / "d.json"
    path.write_bytes(delivery(lab.event(pe["id"])))

    dry = pedns("events", "apply", "--dry-run", str(path), env=emu.env())
    applied = pedns("events", "apply", str(path), env=emu.env())

    assert 0 == dry.returncode, dry.stderr
    assert "would create A evdry.privatelink.blob.core.windows.net: - -> 10.0.22.5" in dry.stdout  # as replay says it
    assert "1 would be created" in dry.stdout.splitlines()[-1]
    assert "would" not in applied.stdout
    assert " create A evdry.privatelink.blob.core.windows.net: - -> 10.0.22.5" in applied.stdout
    assert "1 created" in applied.stdout.splitlines()[-1]


def test_global_flags_go_before_or_after_the_subcommand():
    before = pedns("--json", "-q", "zones", "cosmos")
    after = pedns("zones", "cosmos", "--json", "-q")

    assert (0, 0) == (before.returncode, after.returncode), before.stderr + after.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout)
    rows = json.loads(before.stdout)["rows"]
    assert rows and all("cosmos" in json.dumps(r).lower() for r in rows)
    assert len(rows) < len(json.loads(pedns("zones", "--json").stdout)["rows"])


def test_zones_filter_matches_any_case_and_says_so():
    result = pedns("zones", "VAULTCORE")

    assert 0 == result.returncode, result.stderr
    assert "rows matching VAULTCORE" in result.stdout.splitlines()[0]
    assert "privatelink.vaultcore.azure.net" in result.stdout


def test_v_shows_pedns_debug_without_http_traces_and_vv_adds_them(lab, emu):
    pe = lab.blob_endpoint("pe-logs", "logs", "10.0.22.6")
    lab.put_endpoint(pe)

    once = pedns("replay", "-v", "--dry-run", pe["id"], env=emu.env())
    twice = pedns("-vv", "replay", "--dry-run", pe["id"], env=emu.env())

    assert (0, 0) == (once.returncode, twice.returncode)
    for trace in ("Request URL", "HTTP/1.1", "urllib3", "azure.core"):
        assert trace not in once.stderr, once.stderr
    assert "Request URL" in twice.stderr and "urllib3" in twice.stderr


def test_a_command_without_azure_ignores_a_stale_ca_bundle_but_a_hub_command_names_it(tmp_path):
    stale = {"PEDNS_CA_BUNDLE": str(tmp_path / "gone" / "ca.pem"), "PEDNS_ARM_ENDPOINT": "https://127.0.0.1:9",
             "PEDNS_CREDENTIAL": "emulator", "PEDNS_DNS_SUBSCRIPTION_ID": "00000000-0000-4000-8000-0000000000a1",
             "PEDNS_DNS_RESOURCE_GROUP": "rg-hub-dns"}

    zones = pedns("zones", "blob", env=stale)
    records = pedns("records", env=stale)

    assert 0 == zones.returncode, zones.stderr
    assert (2, 1) == (records.returncode, len(records.stderr.splitlines())), records.stderr
    assert "PEDNS_CA_BUNDLE: file" in records.stderr and "does not exist" in records.stderr


# -- the playground: the README's four commands ---------------------------------------------------


def test_the_playground_walkthrough(tmp_path):
    """`pedns emulator --demo --env-file F &`, `source F`, `pedns records`, `pedns reconcile --dry-run`."""
    env_file = tmp_path / "pedns.env"
    proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "emulator", "--demo", "--env-file", str(env_file),
                             "--port", "0", "--state-dir", str(tmp_path / "state")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stdout:  # the export lines, then "ready" once the demo is seeded
            if line.strip() == "ready":
                break
        else:
            pytest.fail(f"no 'ready': {proc.stderr.read()}")
        assert 0o600 == env_file.stat().st_mode & 0o777
        sourced = subprocess.run(["bash", "-c", f"set -e; source {shlex.quote(str(env_file))}; env -0"],
                                 capture_output=True, text=True, check=True)
        env = {k: v for k, _, v in (item.partition("=") for item in sourced.stdout.split("\0") if item)
               if k.startswith("PEDNS_")}
        assert {"PEDNS_ARM_ENDPOINT", "PEDNS_CA_BUNDLE", "PEDNS_CREDENTIAL"} <= set(env)

        records = pedns("records", env=env)
        dry = pedns("reconcile", "--dry-run", env=env)

        assert 0 == records.returncode, records.stderr
        shared = next(line for line in records.stdout.splitlines() if " shopdata " in line)
        assert "rg-app/pe-shopdata-blob (" in shared and "rg-app/pe-shopdata-blob-dr (" in shared
        assert "legacy-sql" not in records.stdout  # the manual record is not pedns's
        assert 0 == dry.returncode, dry.stderr
        assert "would create A shop-sql.privatelink.database.windows.net: - -> 10.20.1.6  (pe-shop-sql)" \
            in dry.stdout.splitlines()
        assert "1 would be created" in dry.stdout.splitlines()[-1] and "1 pending-approval" in dry.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert 0 == proc.returncode
    assert not env_file.exists()
    assert 0 == pedns("zones", "sql", env=env).returncode  # the exports are stale now: zones still works


def test_replay_shows_progress_on_a_terminals_stderr_and_nothing_when_piped(lab, emu):
    import pty

    first, second = lab.blob_endpoint("pe-p1", "progress1", "10.0.23.4"), lab.blob_endpoint("pe-p2", "progress2",
                                                                                             "10.0.23.5")
    for pe in (first, second):
        lab.put_endpoint(pe)
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "shared.cli", "replay", "-q", "--dry-run", first["id"],
                               second["id"]], stdout=subprocess.PIPE, stderr=follower,
                              env={**clean, **emu.env()}, timeout=60)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    piped = pedns("replay", "-q", "--dry-run", first["id"], second["id"], env=emu.env())

    assert 0 == proc.returncode
    assert b"[1/2]" in seen and b"[2/2]" in seen
    assert "[1/2]" not in piped.stderr and "[1/2]" not in piped.stdout


@pytest.mark.parametrize(("args", "unbuffered"), [
    (["zones"], False), (["zones", "sql"], False), (["zones", "sql"], True), (["zones", "--json"], False),
], ids=["more-than-a-buffer", "less-than-a-buffer", "unbuffered", "json"])
def test_output_cut_short_by_its_reader_ends_quietly_like_a_unix_tool(args, unbuffered):
    """`pedns zones | head`: the reader goes away; no traceback, no error line, 141 (128 + SIGPIPE).
    Buffered, less than a buffer fails only when stdout is flushed; unbuffered, at the first print."""
    reader, writer = os.pipe()
    os.close(reader)  # gone before pedns writes a byte: its first write (or flush) fails
    try:
        clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES and k != "PYTHONUNBUFFERED"}
        if unbuffered:
            clean["PYTHONUNBUFFERED"] = "1"
        result = subprocess.run([sys.executable, "-m", "shared.cli", *args], stdout=writer, stderr=subprocess.PIPE,
                                text=True, env=clean, timeout=60)
    finally:
        os.close(writer)

    assert (141, "") == (result.returncode, result.stderr)
