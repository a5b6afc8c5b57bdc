"""The registered functions, called with real `func.HttpRequest` / Event Grid / timer objects."""

from __future__ import annotations

import json

import pytest

from tools.lab import delivery

pytestmark = pytest.mark.integration


def test_the_app_registers_its_four_functions(host):
    assert {"events", "replay", "reconcile", "reconcile_continue"} == set(host.functions)


def test_replay_converges_the_named_endpoints_and_answers_per_endpoint(lab, app_env, host):
    pe = lab.blob_endpoint("pe-r", "replayed", "10.0.3.4")
    lab.put_endpoint(pe)

    response = host.http("replay", body={"privateEndpointIds": [pe["id"]]})

    body = json.loads(response.get_body())
    assert (200, True) == (response.status_code, body["ok"])
    assert [{"zone": "privatelink.blob.core.windows.net", "name": "replayed", "type": "A",
             "fqdn": "replayed.blob.core.windows.net", "ips": ["10.0.3.4"]}] == body["results"][0]["records"]
    assert {("privatelink.blob.core.windows.net", "replayed"): ["10.0.3.4"]} == lab.names()


def test_replay_dry_run_reports_the_change_and_writes_nothing(lab, app_env, host):
    pe = lab.blob_endpoint("pe-d", "dry", "10.0.3.5")
    lab.put_endpoint(pe)

    response = host.http("replay", body={"privateEndpointIds": [pe["id"]], "dryRun": True})

    [result] = json.loads(response.get_body())["results"]
    assert [("create", False)] == [(c["action"], c["applied"]) for c in result["changes"]]
    assert ("dry-run", True) == (result["status"], result["dryRun"])  # never "converged": nothing was written
    assert {} == lab.names()


def test_replay_release_withdraws_claims_of_an_endpoint_that_still_exists(lab, app_env, host):
    pe = lab.blob_endpoint("pe-rel", "released", "10.0.3.6")
    lab.put_endpoint(pe)
    host.http("replay", body={"privateEndpointIds": [pe["id"]]})

    response = host.http("replay", body={"privateEndpointIds": [pe["id"]], "release": True})

    assert ("released", {}) == (json.loads(response.get_body())["results"][0]["status"], lab.names())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"{not json", "not valid JSON", id="malformed-json"),
        pytest.param(b"[]", "JSON object", id="array"),
        pytest.param(b"{}", "privateEndpointIds", id="missing-ids"),
        pytest.param(b'{"privateEndpointIds": "x"}', "privateEndpointIds", id="ids-not-a-list"),
        pytest.param(b'{"privateEndpointIds": []}', "privateEndpointIds", id="empty-list"),
        pytest.param(b'{"privateEndpointIds": [1]}', "privateEndpointIds.0", id="id-not-a-string"),
        pytest.param(b'{"privateEndpointIds": ["/subscriptions/x/../../etc"]}', "not a private endpoint id",
                     id="path-trick"),
        pytest.param(json.dumps({"privateEndpointIds": [
            "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x"
        ]}).encode(), "not a private endpoint id", id="not-a-private-endpoint"),
        pytest.param(b'{"privateEndpointIds": ["/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/a"], "dryRun": "yes"}',
                     "dryRun", id="dry-run-not-a-bool"),
        pytest.param(b'{"privateEndpointIds": ["/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/a"], "force": true}',
                     "force", id="unknown-field"),
        pytest.param(json.dumps({"privateEndpointIds": [
            "/subscriptions/99999999-9999-4999-8999-999999999999/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/a"
        ]}).encode(), "PEDNS_SOURCE_SUBSCRIPTIONS", id="subscription-not-allowed"),
        pytest.param(json.dumps({"privateEndpointIds": [
            f"/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/a{i}"
            for i in range(101)]}).encode(), "limit is 100", id="too-many-ids"),
        pytest.param(b" " * 300_000, "limit", id="oversized"),
        pytest.param(b'{"privateEndpointIds": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nests deeper than 64 levels",
                     id="deep-nesting"),
        pytest.param(b'{"privateEndpointIds": ["x"], "dryRun": ' + b"1" * 4301 + b"}",
                     "has a number of 4301 characters", id="huge-integer"),
        pytest.param(b'{"privateEndpointIds": ["x"], "dryRun": NaN}', "NaN is not a JSON value", id="nan"),
        pytest.param(b'{"privateEndpointIds": ["x"], "dryRun": false, "dryRun": true}',
                     'body is not valid JSON: duplicate key "dryRun"', id="duplicate-key"),
        pytest.param(b'{"privateEndpointIds": ["x"], "dryRun": -1e999}', "body is not valid JSON: number -1e999 "
                     "overflows to infinity", id="number-overflowing-to-infinity"),
        pytest.param(json.dumps({"privateEndpointIds": ["\x1b[2J\r/subscriptions/x"]}).encode(), "'\\x1b[2J\\r/subscriptions/x'",
                     id="control-characters"),
        pytest.param(b"\xff\xfe{}", "not UTF-8", id="not-utf8"),
    ],
)
def test_a_bad_replay_body_gets_400_with_one_line_and_changes_nothing(lab, app_env, host, emu, body, message):
    before = lab.records()
    emu.clear_requests()

    response = host.http("replay", body=body)

    error = json.loads(response.get_body())["error"]
    assert (400, True, 1) == (response.status_code, message in error, len(error.splitlines()))
    assert before == lab.records()
    assert [] == [r for r in emu.requests if r[0] != "GET"]


def test_a_replay_body_repeating_dry_run_gets_400_and_deletes_nothing(lab, app_env, host, emu):
    """Issue 22's repro: `json` kept the last `dryRun` (false), so a body a reviewer reads as a dry
    run released the endpoint's name for real."""
    pe = lab.blob_endpoint("pe-dup", "duplicated", "10.0.3.7")
    lab.put_endpoint(pe)
    host.http("replay", body={"privateEndpointIds": [pe["id"]]})
    before = lab.records()
    emu.clear_requests()
    body = ('{"privateEndpointIds":["%s"],"dryRun":true,"release":true,"dryRun":false}' % pe["id"]).encode()

    response = host.http("replay", body=body)

    assert (400, {"error": 'body is not valid JSON: duplicate key "dryRun"'}) == (
        response.status_code, json.loads(response.get_body()))
    assert ({("privatelink.blob.core.windows.net", "duplicated"): ["10.0.3.7"]}, before) == (lab.names(), lab.records())
    assert [] == [r for r in emu.requests if r[0] != "GET"]


def test_an_invalid_event_is_logged_and_acknowledged_not_retried(lab, app_env, host, caplog):
    event = lab.event(lab.endpoint_id("pe-x"))
    event["data"]["resourceUri"] = event["subject"] = event["subject"] + "/../../x"

    [result] = host.deliver(delivery(event))

    assert result.ok
    assert event["id"] in caplog.text and "rejected" in caplog.text


def test_a_standbys_event_is_not_dropped_because_of_the_holders_malformed_body(lab, app_env, host, caplog):
    """Issue 22, repro 2: the standby's event was logged `rejected:` with the holder's error and
    acknowledged, so no claim was recorded and no fail-over could happen."""
    holder, standby = (lab.blob_endpoint(n, "sharedacct", ip) for n, ip in (("pe-a", "10.0.5.1"), ("pe-b", "10.0.5.2")))
    lab.put_endpoint(holder)
    [first] = host.deliver(delivery(lab.event(holder["id"])))
    holder["properties"]["customDnsConfigs"].append({"fqdn": "bad_name!.blob.core.windows.net",
                                                     "ipAddresses": ["10.30.1.4"]})
    lab.put_endpoint(holder)
    lab.put_endpoint(standby)

    [second] = host.deliver(delivery(lab.event(standby["id"])))

    [record] = lab.records()
    assert (True, True, ["10.0.5.1"]) == (first.ok, second.ok, record["ips"])
    assert "rejected" not in caplog.text
    assert "pe-b" in json.dumps(record["metadata"])  # the standby's claim is on the name: it can fail over
    lab.delete_endpoint(holder["id"])
    host.deliver(delivery(lab.event(holder["id"], "delete")))
    assert [["10.0.5.2"]] == [r["ips"] for r in lab.records()]


def test_an_event_with_a_number_the_worker_decoded_to_infinity_is_rejected_and_changes_nothing(lab, app_env, host,
                                                                                                  caplog):
    """Without orjson, azure.functions decodes the trigger's event with the standard library's json.loads,
    so `1e999` arrives as infinity (with orjson installed, the converter refuses it before pedns runs).
    The event object is built as that converter builds it, since which one runs depends on the machine."""
    import datetime

    import azure.functions as func

    pe = lab.blob_endpoint("pe-inf", "infinite", "10.0.3.8")
    lab.put_endpoint(pe)
    wire = lab.event(pe["id"])
    wire["data"]["claims"] = {"x": float("inf")}
    event = func.EventGridEvent(id=wire["id"], data=wire["data"], topic=wire["topic"], subject=wire["subject"],
                                event_type=wire["eventType"], data_version=wire["dataVersion"],
                                event_time=datetime.datetime.fromisoformat(wire["eventTime"]))

    host.functions["events"](event)  # acknowledged: no exception

    assert {} == lab.names()
    assert "rejected" in caplog.text and "not finite" in caplog.text


def test_an_event_from_a_subscription_outside_the_allowlist_is_rejected(lab, app_env, host, monkeypatch, caplog):
    pe = lab.blob_endpoint("pe-out", "outsider", "10.0.3.9")
    lab.put_endpoint(pe)
    monkeypatch.setenv("PEDNS_SOURCE_SUBSCRIPTIONS", "99999999-9999-4999-8999-999999999999")
    from functions import _runtime

    _runtime.reset()
    caplog.set_level("INFO", logger="pedns.metrics")
    [result] = host.deliver(delivery(lab.event(pe["id"])))

    assert (True, {}) == (result.ok, lab.names())
    assert "PEDNS_SOURCE_SUBSCRIPTIONS" in caplog.text
    refusals = [r for r in caplog.records if "refused:" in r.getMessage()]
    assert [("WARNING", True)] == [(r.levelname, lab.spoke in r.getMessage()) for r in refusals]
    assert [] == [r for r in caplog.records if r.levelname == "ERROR"]  # a warning, once, not an error too
    assert "metric events_refused_scope 1" in caplog.text


def test_with_pedns_audit_the_reconcile_timer_logs_the_audits_findings(lab, app_env, host, monkeypatch, caplog):
    lab.put_record("privatelink.blob.core.windows.net", "forgotten", ["10.0.9.9"])
    monkeypatch.setenv("PEDNS_AUDIT", "true")
    from functions import _runtime

    _runtime.reset()
    caplog.set_level("INFO", logger="pedns.metrics")
    host.timer("reconcile")

    assert "audit: stale-record" in caplog.text and "forgotten" in caplog.text
    assert "metric audit_findings 1 code=stale-record" in caplog.text


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoints it has just written
def test_the_reconcile_timer_repairs_a_missed_create_and_a_missed_delete(lab, app_env, host):
    missed = lab.blob_endpoint("pe-missed", "missed", "10.0.4.4")
    gone = lab.blob_endpoint("pe-gone", "gone", "10.0.4.5")
    for pe in (missed, gone):
        lab.put_endpoint(pe)
    host.http("replay", body={"privateEndpointIds": [gone["id"]]})
    lab.delete_endpoint(gone["id"])  # its delete event was lost

    host.timer("reconcile")

    assert {("privatelink.blob.core.windows.net", "missed"): ["10.0.4.4"]} == lab.names()


def test_a_misconfigured_app_answers_replay_with_a_clear_error(lab, app_env, host, monkeypatch):
    monkeypatch.delenv("PEDNS_DNS_RESOURCE_GROUP")
    monkeypatch.setenv("PEDNS_TTL", "-5")
    from functions import _runtime

    _runtime.reset()
    response = host.http("replay", body={"privateEndpointIds": [lab.endpoint_id("a")]})

    error = json.loads(response.get_body())["error"]
    assert (500, True, True) == (response.status_code, "PEDNS_TTL" in error, "PEDNS_DNS_RESOURCE_GROUP: missing" in error)


@pytest.mark.parametrize(("mode", "expected"), [("upsert-only", {("privatelink.blob.core.windows.net", "kept"): ["10.0.5.4"]}),
                                                ("sync", {})])
def test_in_upsert_only_mode_a_delete_event_leaves_the_record(lab, app_env, host, monkeypatch, mode, expected):
    from functions import _runtime

    monkeypatch.setenv("PEDNS_MODE", mode)
    _runtime.reset()
    pe = lab.blob_endpoint("pe-kept", "kept", "10.0.5.4")
    lab.put_endpoint(pe)
    host.deliver(delivery(lab.event(pe["id"])))
    lab.delete_endpoint(pe["id"])

    host.deliver(delivery(lab.event(pe["id"], "delete")))

    assert expected == lab.names()


def test_in_dry_run_mode_events_change_nothing(lab, app_env, host, monkeypatch, caplog):
    from functions import _runtime

    caplog.set_level("INFO", logger="pedns")
    monkeypatch.setenv("PEDNS_MODE", "dry-run")
    _runtime.reset()
    pe = lab.blob_endpoint("pe-dry", "observed", "10.0.5.5")
    lab.put_endpoint(pe)

    [ok] = host.deliver(delivery(lab.event(pe["id"])))

    assert (True, {}) == (ok.ok, lab.names())
    assert '"applied":false' in caplog.text


@pytest.mark.parametrize("marker", ["WEBSITE_INSTANCE_ID", "WEBSITE_SKU"])
def test_the_emulator_settings_are_refused_when_the_app_runs_in_azure(lab, app_env, host, emu, monkeypatch, marker):
    monkeypatch.setenv(marker, "FlexConsumption")
    from functions import _runtime

    _runtime.reset()
    emu.clear_requests()
    response = host.http("replay", body={"privateEndpointIds": [lab.endpoint_id("a")]})

    error = json.loads(response.get_body())["error"]
    assert (500, 1) == (response.status_code, len(error.splitlines()))
    assert f"PEDNS_CREDENTIAL: 'emulator' is for the local emulator only, refused when running in Azure ({marker}" in error
    assert [] == emu.requests


def test_pedns_replay_json_prints_what_the_http_replay_answers(lab, app_env, host):
    import os
    import subprocess
    import sys

    pe = lab.blob_endpoint("pe-same", "sameshape", "10.0.3.9")
    lab.put_endpoint(pe)

    answer = json.loads(host.http("replay", body={"privateEndpointIds": [pe["id"]], "dryRun": True}).get_body())
    printed = subprocess.run([sys.executable, "-m", "shared.cli", "replay", "--json", "--dry-run", pe["id"]],
                             capture_output=True, text=True, env={**os.environ, **app_env}, timeout=60)

    assert 0 == printed.returncode, printed.stderr
    assert answer == json.loads(printed.stdout)
    assert {"ok", "results"} == set(answer)
