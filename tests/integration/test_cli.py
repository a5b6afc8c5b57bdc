"""`pedns` as a user runs it: a subprocess, the emulator over HTTPS, exit codes and output contracts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from shared.settings import SETTING_NAMES
from tools.lab import delivery

pytestmark = pytest.mark.integration


def pedns(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], capture_output=True, text=True,
                          env={**clean, **(env or {})}, timeout=timeout)


def test_explain_a_file_needs_no_settings_and_prints_the_documented_json(tmp_path, lab):
    body = lab.endpoint_body(
        "pe-c", target="/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/"
                       "Microsoft.DocumentDB/databaseAccounts/orders", group="Sql",
        dns={"orders.documents.azure.com": ["10.1.0.4"], "orders-westeurope.documents.azure.com": ["10.1.0.5"],
             "orders.example.invalid": ["10.1.0.6"]})
    path = tmp_path / "pe.json"
    path.write_text(json.dumps(body))

    result = pedns("explain", "--json", str(path))

    assert 0 == result.returncode, result.stderr
    [doc] = json.loads(result.stdout)
    assert body["id"] == doc["endpoint"]
    assert [{"zone": "privatelink.documents.azure.com", "name": "orders", "type": "A",
             "fqdn": "orders.documents.azure.com", "ips": ["10.1.0.4"]},
            {"zone": "privatelink.documents.azure.com", "name": "orders-westeurope", "type": "A",
             "fqdn": "orders-westeurope.documents.azure.com", "ips": ["10.1.0.5"]}] == doc["records"]
    assert [("orders.example.invalid", "unmapped")] == [(s["fqdn"], s["reason"]) for s in doc["skipped"]]


def test_explain_a_resource_id_shows_current_state_and_owner(lab, emu):
    pe = lab.blob_endpoint("pe-e", "explained", "10.0.5.4")
    lab.put_endpoint(pe)
    assert 0 == pedns("replay", "-q", pe["id"], env=emu.env()).returncode

    result = pedns("explain", "--json", pe["id"], env=emu.env())

    assert 0 == result.returncode, result.stderr
    [doc] = json.loads(result.stdout)
    [current] = doc["current"]
    assert (["10.0.5.4"], "pedns", pe["id"]) == (current["ips"], current["owner"], current["holder"])
    assert [] == doc["changes"]


def test_events_apply_processes_a_dead_lettered_delivery_file(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-dl", "deadletter", "10.0.6.4")
    lab.put_endpoint(pe)
    event = lab.event(pe["id"])
    event.update(deadLetterReason="MaxDeliveryAttemptsExceeded", deliveryAttempts=30,
                 lastDeliveryOutcome="Probation", publishTime="2026-11-26T09:00:00Z",
                 lastDeliveryAttemptTime="2026-11-26T09:10:00Z")
    path = tmp_path / "deadletter.json"
    path.write_bytes(delivery(event))

    result = pedns("events", "apply", "--json", str(path), env=emu.env())

    assert 0 == result.returncode, result.stderr
    doc = json.loads(result.stdout)
    [entry] = doc["results"]
    assert (True, str(path), event["id"]) == (doc["ok"], entry["file"], entry["event"])
    assert ("converged", ["deadletter"]) == (entry["status"], [r["name"] for r in entry["records"]])


def test_the_documented_example_dead_letter_file_applies_against_the_emulators_spoke(lab, emu):
    """docs/examples/deadletter-pe-write.json, the file the README points a newcomer to."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "deadletter-pe-write.json"
    sql = f"/subscriptions/{emu.spoke_subscription}/resourceGroups/rg-app/providers/Microsoft.Sql/servers/shop-sql"
    lab.put_endpoint(lab.endpoint_body("pe-shop-sql", target=sql, group="sqlServer",
                                       dns={"shop-sql.database.windows.net": ["10.20.1.6"]}))

    dry = pedns("events", "apply", "--dry-run", str(example), env=emu.env())
    applied = pedns("events", "apply", str(example), env=emu.env())

    assert (0, 0) == (dry.returncode, applied.returncode), dry.stderr + applied.stderr
    assert "pe-shop-sql" in dry.stdout and "shop-sql.privatelink.database.windows.net" in dry.stdout
    assert {("privatelink.database.windows.net", "shop-sql"): ["10.20.1.6"]} == lab.names()


def test_events_apply_refuses_a_bad_file_before_changing_anything(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-ok", "okacct", "10.0.6.5")
    lab.put_endpoint(pe)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(delivery(lab.event(pe["id"])))
    bad.write_text("{ this is not json")

    result = pedns("events", "apply", str(good), str(bad), env=emu.env())

    assert (2, 1, "") == (result.returncode, len(result.stderr.strip().splitlines()), result.stdout)
    assert "bad.json" in result.stderr and "Traceback" not in result.stderr
    assert [] == lab.records()


def test_json_output_keeps_logs_on_stderr(lab, emu):
    a = lab.blob_endpoint("pe-j1", "jshared", "10.0.7.4")
    b = lab.blob_endpoint("pe-j2", "jshared", "10.0.7.5")
    for pe in (a, b):
        lab.put_endpoint(pe)

    result = pedns("replay", "--json", a["id"], b["id"], env=emu.env())

    assert 0 == result.returncode
    docs = json.loads(result.stdout)["results"]  # would fail if a log line leaked into stdout
    assert ["standby"] == [s["reason"] for s in docs[1]["skipped"]]
    assert "stands by" in result.stderr


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoint it has just written
def test_reconcile_dry_run_shows_changes_and_writes_nothing(lab, emu):
    lab.put_endpoint(lab.blob_endpoint("pe-rc", "rcacct", "10.0.8.4"))

    result = pedns("reconcile", "--dry-run", env=emu.env())

    assert 0 == result.returncode, result.stderr
    assert "would create A rcacct.privatelink.blob.core.windows.net" in result.stdout
    assert "[1/1] dry-run" in result.stderr and "converged" not in result.stderr + result.stdout  # the progress line
    assert [] == lab.records()


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoint it has just written
def test_a_dry_run_reports_status_dry_run_at_every_cli_door(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-dry", "dryacct", "10.0.8.8")
    lab.put_endpoint(pe)
    path = tmp_path / "d.json"
    path.write_bytes(delivery(lab.event(pe["id"])))

    replayed = pedns("replay", "--json", "--dry-run", pe["id"], env=emu.env())
    applied = pedns("events", "apply", "--json", "--dry-run", str(path), env=emu.env())
    reconciled = pedns("reconcile", "--json", "--dry-run", env=emu.env())

    assert (0, 0, 0) == (replayed.returncode, applied.returncode, reconciled.returncode), replayed.stderr
    assert "dry-run" == json.loads(replayed.stdout)["results"][0]["status"]
    assert "dry-run" == json.loads(applied.stdout)["results"][0]["status"]
    assert {"dry-run": 1} == json.loads(reconciled.stdout)["counts"]
    assert [] == lab.records()


def test_a_connection_event_no_endpoint_points_at_reads_dry_run_in_a_dry_run(tmp_path, lab, emu):
    from datetime import datetime, timedelta, timezone

    path = tmp_path / "c.json"
    event = lab.connection_event(lab.storage_id("nobodys"), "pe-conn")
    event["eventTime"] = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()  # a dead letter's age
    path.write_bytes(delivery(event))

    dry = pedns("events", "apply", "--json", "--dry-run", str(path), env=emu.env())
    applied = pedns("events", "apply", "--json", str(path), env=emu.env())

    assert (0, 0) == (dry.returncode, applied.returncode), dry.stderr
    assert [("dry-run", True)] == [(e["status"], e["dryRun"]) for e in json.loads(dry.stdout)["results"]]
    assert [("converged", False)] == [(e["status"], e["dryRun"]) for e in json.loads(applied.stdout)["results"]]


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoints it has just written
def test_reconcile_reports_an_unreadable_endpoint_converges_the_rest_and_exits_1(lab, emu):
    lab.put_endpoint(lab.blob_endpoint("pe-ok", "okacct", "10.0.8.5"))
    poison = lab.blob_endpoint("pe-poison", "poison", "10.0.8.6")
    poison["properties"]["privateLinkServiceConnections"] = "broken"  # the envelope (a bad name alone is skipped)
    lab.put_endpoint(poison)

    result = pedns("reconcile", "--json", env=emu.env())

    doc = json.loads(result.stdout)
    assert (1, False) == (result.returncode, "Traceback" in result.stderr)
    assert {"pe-ok": "converged", "pe-poison": "error"} == {e["endpoint"].rsplit("/", 1)[-1]: e["status"]
                                                           for e in doc["endpoints"]}
    assert (1, 1) == (doc["summary"]["created"], doc["summary"]["failed"])
    assert [["10.0.8.5"]] == [r["ips"] for r in lab.records()]


BAD_NAMES = ["shop\u001b[31mlogs.blob.core.windows.net", "*.blob.core.windows.net", "bad_name!.blob.core.windows.net", ""]


@pytest.mark.parametrize("bad", BAD_NAMES, ids=["escape", "wildcard", "punctuation", "empty"])
def test_one_bad_name_is_skipped_invalid_and_the_good_one_is_published_by_replay_explain_and_reconcile(lab, emu, bad):
    """Issue 22, repro 1: one malformed customDnsConfigs entry cost the whole endpoint (exit 1)."""
    body = lab.blob_endpoint("pe-mixed", "mixedacct", "10.0.8.5")
    body["properties"]["customDnsConfigs"].append({"fqdn": bad, "ipAddresses": ["10.0.8.5"]})
    lab.put_endpoint(body)

    replayed = pedns("replay", body["id"], "--json", env=emu.env())
    explained = pedns("explain", body["id"], env=emu.env())
    reconciled = pedns("reconcile", "--json", env=emu.env())

    assert (0, 0, 0) == (replayed.returncode, explained.returncode, reconciled.returncode), replayed.stderr
    [result] = json.loads(replayed.stdout)["results"]
    assert [["10.0.8.5"]] == [r["ips"] for r in lab.records()]
    skips = [s for s in result["skipped"] if s["reason"] == "invalid"]
    assert 1 == len(skips) and "customDnsConfigs[1].fqdn" in skips[0]["detail"], result
    assert "\x1b" not in replayed.stdout + explained.stdout and "invalid" in explained.stdout
    assert 0 == json.loads(reconciled.stdout)["summary"]["failed"]


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoints it has just written
def test_reconcile_with_a_spent_budget_reports_what_is_left_and_exits_0(lab, emu):
    for i in range(3):
        lab.put_endpoint(lab.blob_endpoint(f"pe-b{i}", f"budget{i}", f"10.0.8.{20 + i}"))

    as_json = pedns("reconcile", "--json", "--budget", "0.000001", env=emu.env())
    as_text = pedns("reconcile", "--budget", "0.000001", env=emu.env())
    refused = pedns("reconcile", "--budget", "-1", env=emu.env())

    doc = json.loads(as_json.stdout)
    assert (0, False, {"endpoints": 3, "records": 3}) == (as_json.returncode, doc["complete"], doc["summary"]["left"])
    assert "INCOMPLETE: the time budget ran out with 3 endpoint(s)" in as_text.stdout.strip().splitlines()[-1]
    assert (2, []) == (refused.returncode, lab.records())


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoint it has just written
def test_reconcile_text_output_ends_with_a_summary(lab, emu):
    lab.put_endpoint(lab.blob_endpoint("pe-s", "sumacct", "10.0.8.7"))

    result = pedns("reconcile", env=emu.env())

    assert 0 == result.returncode, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("1 endpoint(s) (1 listed, 1 confirmed with ARM): 1 created")


def test_processing_failure_exits_1(lab, emu):
    from emulator import Faults

    lab.put_endpoint(lab.blob_endpoint("pe-f", "failing", "10.0.9.4"))
    emu.set_faults(Faults(fault_rate=1.0, seed=1))

    result = pedns("replay", lab.endpoint_id("pe-f"), env={**emu.env(), "PEDNS_ARM_RETRY_TOTAL": "1"})

    assert 1 == result.returncode
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(["explain", "nope"], {}, "neither a file nor", id="explain-unknown-target"),
        pytest.param(["explain", "/subscriptions/x/resourceGroups/y"], {}, "not a private endpoint id", id="explain-bad-id"),
        pytest.param(["replay", "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/"
                                "Microsoft.Network/privateEndpoints/a"], {}, "PEDNS_DNS_SUBSCRIPTION_ID: missing",
                     id="replay-without-settings"),
        pytest.param(["zones"], {"PEDNS_CLOUD": "Mars"}, "PEDNS_CLOUD", id="bad-cloud"),
        pytest.param(["reconcile"], {"PEDNS_TTL": "abc", "PEDNS_SOURCE_SUBSCRIPTIONS": "not-a-guid"},
                     "PEDNS_TTL", id="several-bad-settings"),
        pytest.param(["frobnicate"], {}, "invalid choice", id="unknown-command"),
        pytest.param(["reconcile", "--subscription", "spoke-1"], {}, "not a subscription id", id="bad-subscription"),
        pytest.param(["reconcile"], {"PEDNS_DNS_SUBSCRIPTION_ID": "00000000-0000-4000-8000-0000000000a1",
                                     "PEDNS_DNS_RESOURCE_GROUP": "rg"}, "PEDNS_SOURCE_MANAGEMENT_GROUPS",
                     id="reconcile-without-scope"),
        pytest.param(["reconcile"], {"PEDNS_SOURCE_MANAGEMENT_GROUPS": "/providers/Microsoft.Management/x"},
                     "not a management group id", id="bad-management-group"),
        pytest.param(["events", "apply", "/no/such/file.json"], {}, "no such file", id="missing-file"),
        pytest.param(["explain", "/no/such/file.json"], {}, "/no/such/file.json: no such file", id="explain-missing-file"),
        pytest.param(["explain", "pe.json"], {}, "pe.json: no such file", id="explain-missing-relative-file"),
    ],
)
def test_unusable_input_exits_2_with_one_line_and_no_traceback(args, env, message):
    result = pedns(*args, env=env)

    assert (2, 1) == (result.returncode, len(result.stderr.strip().splitlines())), result.stderr
    assert message in result.stderr


def test_several_bad_settings_are_reported_together():
    result = pedns("reconcile", env={"PEDNS_TTL": "abc", "PEDNS_SOURCE_SUBSCRIPTIONS": "not-a-guid"})

    assert all(name in result.stderr for name in ("PEDNS_TTL", "PEDNS_SOURCE_SUBSCRIPTIONS", "PEDNS_DNS_RESOURCE_GROUP"))


def test_zones_lists_the_catalogue_as_json_without_settings():
    result = pedns("zones", "--json", "--cloud", "AzureChinaCloud")

    doc = json.loads(result.stdout)
    assert ("AzureChinaCloud", True) == (doc["cloud"], len(doc["rows"]) > 10)
    assert any("privatelink.blob.core.chinacloudapi.cn" in r["zones"] for r in doc["rows"])


def test_pedns_emulator_prints_exports_then_ready_and_serves_pedns(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "shared.cli", "emulator", "--port", "0", "--state-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        env = {}
        for line in proc.stdout:
            line = line.strip()
            if line == "ready":
                break
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value
        assert {"PEDNS_ARM_ENDPOINT", "PEDNS_CA_BUNDLE", "PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP",
                "PEDNS_CREDENTIAL"} <= set(env)

        result = pedns("reconcile", "--json", env=env)

        assert (0, {}) == (result.returncode, json.loads(result.stdout)["counts"]), result.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert 0 == proc.returncode


def test_the_bearer_token_never_appears_in_logs_even_with_http_traces(lab, emu):
    from shared.adapters.credentials import TOKEN

    pe = lab.blob_endpoint("pe-log", "logged", "10.0.10.4")
    lab.put_endpoint(pe)

    result = pedns("replay", "-vv", pe["id"], env=emu.env())

    assert (0, True, False) == (result.returncode, "Authorization" in result.stderr, TOKEN in result.stderr + result.stdout)


def test_explain_a_half_provisioned_endpoint_file_says_it_is_not_ready():
    result = pedns("explain", "--json", "tests/fixtures/endpoints/storage-blob-fresh-updating.json")

    [doc] = json.loads(result.stdout)
    assert (0, "not-ready", "provisioningState is Updating") == (result.returncode, doc["status"], doc["message"])


# --- hostile input: exit 2, one line, no traceback, nothing changed ------------------------------------

OUTSIDER = "99999999-9999-4999-8999-999999999999"


def sparse(path, size: int) -> None:
    """A file of `size` bytes on paper, without writing them (what `truncate -s` makes)."""
    with path.open("wb") as handle:
        handle.seek(size - 1)
        handle.write(b"]")


def outsider_event(lab, name: str, **changes):
    """A write event for an endpoint of a subscription outside the scope."""
    event = lab.event(lab.endpoint_id(name).replace(lab.spoke, OUTSIDER), **changes)
    event["data"]["subscriptionId"] = OUTSIDER
    event["topic"] = f"/subscriptions/{OUTSIDER}"
    return event


def assert_refused(result, *expected: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert (2, 1, False, "") == (result.returncode, len(lines), "Traceback" in result.stderr, result.stdout), result.stderr
    assert all(text in lines[0] for text in expected), lines[0]
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in lines[0])
    return lines[0]


HOSTILE_FILES = {
    "deep-nesting": (lambda p: p.write_bytes(b"[" * 200_000 + b"]" * 200_000), "nests deeper than 64 levels"),
    "huge-integer": (lambda p: p.write_bytes(b'[{"id": "1", "deliveryAttempts": ' + b"9" * 4301 + b"}]"),
                     "has a number of 4301 characters"),
    "nan": (lambda p: p.write_bytes(b'[{"id": NaN}]'), "NaN is not a JSON value"),
    "duplicate-key": (lambda p: p.write_bytes(b'[{"id": "1", "id": "2"}]'), 'is not valid JSON: duplicate key "id"'),
    "number-overflowing": (lambda p: p.write_bytes(b'[{"id": "1", "claims": {"x": 1e999}}]'),
                           "is not valid JSON: number 1e999 overflows to infinity"),
    "over-the-limit": (lambda p: sparse(p, 300 * 1024 * 1024), "is 314572800 bytes, over the limit of 1048576"),
    "not-utf8": (lambda p: p.write_bytes(b"[\xff]"), "is not UTF-8"),
}


@pytest.mark.parametrize(("make", "message"), list(HOSTILE_FILES.values()), ids=list(HOSTILE_FILES))
def test_a_hostile_endpoint_file_exits_2_with_one_line(tmp_path, make, message):
    path = tmp_path / "pe.json"
    make(path)

    result = pedns("explain", str(path))

    assert_refused(result, "pe.json", message)


@pytest.mark.parametrize(("make", "message"), list(HOSTILE_FILES.values()), ids=list(HOSTILE_FILES))
def test_a_hostile_events_file_next_to_a_good_one_changes_nothing(tmp_path, lab, emu, make, message):
    pe = lab.blob_endpoint("pe-h", "hostile", "10.0.11.4")
    lab.put_endpoint(pe)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_bytes(delivery(lab.event(pe["id"])))
    make(bad)
    emu.clear_requests()

    result = pedns("events", "apply", str(good), str(bad), env=emu.env())

    assert_refused(result, "bad.json", message)
    assert [] == lab.records()
    assert [] == [r for r in emu.requests if r[0] != "GET"]


@pytest.mark.parametrize(("hostile", "message"), [
    pytest.param(lambda text: text.replace('"claims": {', '"claims": {"x": 1e999, ', 1),
                 "number 1e999 overflows to infinity", id="claim-overflowing-to-infinity"),
    pytest.param(lambda text: text.replace('"eventType": ', '"eventType": "Microsoft.Resources.ResourceDeleteSuccess", '
                                           '"eventType": ', 1), 'duplicate key "eventType"', id="event-type-twice"),
])
def test_an_event_file_that_is_valid_but_for_strict_json_exits_2_and_changes_nothing(tmp_path, lab, emu, hostile, message):
    pe = lab.blob_endpoint("pe-strict", "strict", "10.0.11.8")
    lab.put_endpoint(pe)
    path = tmp_path / "event.json"
    path.write_text(hostile(delivery(lab.event(pe["id"])).decode()))
    emu.clear_requests()

    result = pedns("events", "apply", str(path), env=emu.env())

    assert_refused(result, "event.json: delivery is not valid JSON: ", message)
    assert [] == lab.records()
    assert [] == [r for r in emu.requests if r[0] != "GET"]


@pytest.mark.parametrize(("hostile", "message"), [
    pytest.param(lambda text: text.replace('"properties": {', '"properties": {"x": 1e999, ', 1),
                 "number 1e999 overflows to infinity", id="number-overflowing-to-infinity"),
    pytest.param(lambda text: text.replace('"properties": {', '"properties": {"provisioningState": "Updating", ', 1),
                 'duplicate key "provisioningState"', id="provisioning-state-twice"),
])
def test_an_endpoint_file_that_is_valid_but_for_strict_json_exits_2(tmp_path, lab, hostile, message):
    body = lab.blob_endpoint("pe-x", "strictfile", "10.0.11.9")
    path = tmp_path / "pe.json"
    path.write_text(hostile(json.dumps(body)))

    result = pedns("explain", str(path))

    assert_refused(result, "pe.json is not valid JSON: ", message)


def test_an_events_file_mixing_an_event_in_scope_and_one_outside_changes_nothing(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-in", "inscope", "10.0.11.5")
    lab.put_endpoint(pe)
    path = tmp_path / "mixed.json"
    path.write_bytes(delivery(lab.event(pe["id"]), outsider_event(lab, "pe-out", event_id="evt-outsider")))
    emu.clear_requests()

    result = pedns("events", "apply", str(path), env=emu.env())

    assert_refused(result, "mixed.json: event evt-outsider: subscription " + OUTSIDER + " is not in scope")
    assert [] == lab.records()
    assert [] == [r for r in emu.requests if r[0] != "GET"]


def test_the_scope_of_every_file_is_checked_before_the_first_change(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-first", "firstfile", "10.0.11.6")
    lab.put_endpoint(pe)
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    first.write_bytes(delivery(lab.event(pe["id"])))
    second.write_bytes(delivery(outsider_event(lab, "pe-late")))

    result = pedns("events", "apply", "--json", str(first), str(second), env=emu.env())

    assert_refused(result, "2.json", "not in scope")
    assert [] == lab.records()


def test_an_event_that_is_not_ours_from_outside_the_scope_is_ignored_not_refused(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-ours", "ours", "10.0.11.7")
    lab.put_endpoint(pe)
    other = outsider_event(lab, "pe-other")
    other["data"]["operationName"] = "Microsoft.Storage/storageAccounts/write"
    path = tmp_path / "mixed.json"
    path.write_bytes(delivery(lab.event(pe["id"]), other))

    result = pedns("events", "apply", "--json", str(path), env=emu.env())

    assert 0 == result.returncode, result.stderr
    assert ["converged", "ignored"] == [entry["status"] for entry in json.loads(result.stdout)["results"]]
    assert {("privatelink.blob.core.windows.net", "ours"): ["10.0.11.7"]} == lab.names()


def test_control_characters_in_an_event_id_never_reach_the_terminal_in_a_refusal(tmp_path, lab, emu):
    path = tmp_path / "evil.json"
    path.write_bytes(delivery(outsider_event(lab, "pe-evil", event_id="x\x1b[2J\x1b[H\rpedns: all good\n" + "y" * 500)))

    result = pedns("events", "apply", str(path), env=emu.env())

    line = assert_refused(result, "event x\\x1b[2J\\x1b[H\\x0dpedns: all good\\x0ay", "…", "not in scope")
    assert len(line) < 600
    assert [] == lab.records()


def test_control_characters_in_an_event_id_are_escaped_in_the_output(tmp_path, lab, emu):
    pe = lab.blob_endpoint("pe-esc", "escaped", "10.0.11.8")
    lab.put_endpoint(pe)
    path = tmp_path / "evil\x1b[31m.json"
    path.write_bytes(delivery(lab.event(pe["id"], event_id="id\x1b]0;owned\x07\x1b[2K\x9b" + "z" * 1000)))

    result = pedns("events", "apply", str(path), env=emu.env())

    assert 0 == result.returncode, result.stderr
    line, summary = result.stdout.splitlines()
    assert summary.startswith("1 result(s) of 1 event(s) (1 converged): 1 created,"), summary
    assert "evil\\x1b[31m.json event id\\x1b]0;owned\\x07\\x1b[2K\\x9bzzz" in line
    assert ("…" in line, len(line) < 700) == (True, True)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in result.stdout + result.stderr if c != "\n")
    assert {("privatelink.blob.core.windows.net", "escaped"): ["10.0.11.8"]} == lab.names()


def test_a_hostile_file_name_is_escaped_in_the_error():
    result = pedns("explain", "no\x1b[2Jsuch\n.json")

    assert_refused(result, "no\\x1b[2Jsuch\\x0a.json: no such file")


def test_explain_and_events_apply_refuse_a_directory_in_the_same_words(tmp_path):
    explained = pedns("explain", str(tmp_path))
    applied = pedns("events", "apply", str(tmp_path))

    assert_refused(explained, str(tmp_path))
    assert explained.stderr == applied.stderr


# --- development-only settings -------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "message"), [
    pytest.param({"PEDNS_CREDENTIAL": "emulator", "PEDNS_ARM_ENDPOINT": ""}, "PEDNS_CREDENTIAL: 'emulator' is for the local "
                 "emulator only, refused with the real ARM endpoint", id="emulator-credential-real-arm"),
    pytest.param({"WEBSITE_INSTANCE_ID": "0123abcd"}, "refused when running in Azure (WEBSITE_INSTANCE_ID is set)",
                 id="emulator-credential-in-azure"),
    pytest.param({"PEDNS_CREDENTIAL": "managed-identity"}, "PEDNS_ARM_ENDPOINT: '127.0.0.1' is not the ARM endpoint",
                 id="real-credential-other-host"),
    pytest.param({"PEDNS_ARM_ENDPOINT": "", "PEDNS_CREDENTIAL": "default",
                  "PEDNS_INDEX_CONNECTION_STRING": "UseDevelopmentStorage=true"},
                 "PEDNS_INDEX_CONNECTION_STRING: development only", id="azurite-real-arm"),
])
def test_development_only_settings_are_refused_with_one_line(emu, env, message):
    settings = {k: v for k, v in {**emu.env(), **env}.items() if v}

    result = pedns("replay", "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/"
                             "Microsoft.Network/privateEndpoints/a", env=settings)

    assert_refused(result, message)
    assert [] == emu.requests
