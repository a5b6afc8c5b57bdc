"""End to end: Event Grid deliveries through the registered functions, the real Azure SDK clients
talking HTTPS to the ARM emulator, records checked through the SDK again."""

from __future__ import annotations

import json
import time

import pytest

from tools.lab import delivery

pytestmark = pytest.mark.integration

COSMOS = "/subscriptions/{sub}/resourceGroups/rg-data/providers/Microsoft.DocumentDB/databaseAccounts/{name}"


def test_a_write_event_creates_stamped_records_and_a_delete_event_removes_them(lab, app_env, host):
    cosmos = lab.endpoint_body(
        "pe-cosmos", target=COSMOS.format(sub=lab.spoke, name="orders"), group="Sql",
        dns={"orders.documents.azure.com": ["10.1.0.4"], "orders-westeurope.documents.azure.com": ["10.1.0.5"]})
    lab.put_endpoint(cosmos)

    [ok] = host.deliver(delivery(lab.event(cosmos["id"], "write")))
    assert ok.ok, ok.error
    assert {("privatelink.documents.azure.com", "orders"): ["10.1.0.4"],
            ("privatelink.documents.azure.com", "orders-westeurope"): ["10.1.0.5"]} == lab.names()
    assert all(r["metadata"]["pednsowner"] == "pedns" and r["ttl"] == 10 for r in lab.records())

    lab.delete_endpoint(cosmos["id"])
    [ok] = host.deliver(delivery(lab.event(cosmos["id"], "delete")))
    assert ok.ok, ok.error
    assert {} == lab.names()


def test_duplicated_and_reordered_events_converge_to_the_current_state(lab, app_env, host):
    pe = lab.blob_endpoint("pe-a", "acct", "10.0.1.4")
    lab.put_endpoint(pe)
    write, delete = lab.event(pe["id"], "write"), lab.event(pe["id"], "delete")
    lab.delete_endpoint(pe["id"])

    results = host.deliver(delivery(delete, write, write))  # the delete overtook the write

    assert all(r.ok for r in results)
    assert {} == lab.names()


def test_cloudevents_schema_is_handled_like_event_grid_schema(lab, app_env, host):
    pe = lab.blob_endpoint("pe-ce", "cedata", "10.0.1.7")
    lab.put_endpoint(pe)
    eg = lab.event(pe["id"], "write")
    cloud_event = {"specversion": "1.0", "id": eg["id"], "source": eg["topic"], "subject": eg["subject"],
                   "type": eg["eventType"], "time": eg["eventTime"], "data": eg["data"]}

    [ok] = host.deliver(json.dumps(cloud_event))

    assert ok.ok, ok.error
    assert {("privatelink.blob.core.windows.net", "cedata"): ["10.0.1.7"]} == lab.names()


def test_shared_name_fails_over_to_the_standby_through_the_emulator(lab, app_env, host):
    primary = lab.blob_endpoint("pe-primary", "shared", "10.0.1.4")
    dr = lab.blob_endpoint("pe-dr", "shared", "10.2.1.4", location="northeurope")
    for pe in (primary, dr):
        lab.put_endpoint(pe)
        host.deliver(delivery(lab.event(pe["id"])))
    assert ["10.0.1.4"] == lab.names()[("privatelink.blob.core.windows.net", "shared")]

    lab.delete_endpoint(primary["id"])
    host.deliver(delivery(lab.event(primary["id"], "delete")))

    assert ["10.2.1.4"] == lab.names()[("privatelink.blob.core.windows.net", "shared")]


def test_a_manual_record_is_left_byte_identical(lab, app_env, host):
    lab.put_record("privatelink.blob.core.windows.net", "legacy", ["192.168.9.9"], metadata={"ticket": "CHG-1"})
    before = lab.records()
    pe = lab.blob_endpoint("pe-legacy", "legacy", "10.0.1.4")
    lab.put_endpoint(pe)

    host.deliver(delivery(lab.event(pe["id"])))
    lab.delete_endpoint(pe["id"])
    host.deliver(delivery(lab.event(pe["id"], "delete")))

    assert before == lab.records()


def test_an_event_for_a_half_provisioned_endpoint_fails_so_event_grid_retries(lab, app_env, host):
    pe = lab.endpoint_body("pe-new", target=lab.storage_id("fresh"), group="blob",
                           dns={}, state="Updating")
    lab.put_endpoint(pe)

    [result] = host.deliver(delivery(lab.event(pe["id"])))

    assert (False, "NotReady") == (result.ok, type(result.error).__name__)
    assert {} == lab.names()


def test_an_event_that_is_not_for_a_private_endpoint_is_acknowledged_and_changes_nothing(lab, app_env, host):
    event = lab.event(lab.endpoint_id("x"))
    event["data"]["operationName"] = "Microsoft.Storage/storageAccounts/write"

    [result] = host.deliver(delivery(event))

    assert (True, {}) == (result.ok, lab.names())


def test_a_zone_group_endpoint_is_reported_and_its_azure_records_left_alone(lab, app_env, host, emu):
    pe = lab.blob_endpoint("pe-zg", "zgacct", "10.0.1.4")
    lab.put_endpoint(pe)
    lab.put_zone_group(pe["id"], ["privatelink.blob.core.windows.net"])
    before = lab.records()

    [ok] = host.deliver(delivery(lab.event(pe["id"])))

    assert ok.ok
    assert before == lab.records()


@pytest.mark.graph_lag_ms(0)  # approves the endpoint seconds after creating it (with Azure's lag: the xfail test below)
def test_a_manual_approval_on_the_target_is_published_from_the_targets_event(lab, app_env, host):
    target = lab.storage_id("partner")
    pending = lab.endpoint_body("pe-partner", target=target, group="blob", status="Pending", manual=True,
                                dns={"partner.blob.core.windows.net": ["10.0.1.8"]})
    lab.put_endpoint(pending)
    host.deliver(delivery(lab.event(pending["id"])))
    assert {} == lab.names()

    # The target's owner approves: ARM changes the endpoint's connection state, but the event it
    # emits is a write of the target's privateEndpointConnections child, not of the endpoint.
    lab.put_endpoint(lab.endpoint_body("pe-partner", target=target, group="blob", status="Approved", manual=True,
                                       dns={"partner.blob.core.windows.net": ["10.0.1.8"]}))
    [ok] = host.deliver(delivery(lab.connection_event(target, "pe-partner.8d2f")))

    assert ok.ok, ok.error
    assert {("privatelink.blob.core.windows.net", "partner"): ["10.0.1.8"]} == lab.names()


def test_an_approval_seconds_after_the_endpoint_was_created_is_published_despite_resource_graphs_lag(lab, app_env, host):
    """Resource Graph lags ARM (2 s in the emulator, "typically by seconds" on Azure): an endpoint approved
    right after its creation is not listed yet. The event is handed back (not ready) and Event Grid's
    next delivery, 10 s later on Azure, finds it."""
    from shared.errors import NotReady

    target = lab.storage_id("partner")
    body = dict(target=target, group="blob", manual=True, dns={"partner.blob.core.windows.net": ["10.0.1.8"]})
    lab.put_endpoint(lab.endpoint_body("pe-partner", status="Pending", **body))
    lab.put_endpoint(lab.endpoint_body("pe-partner", status="Approved", **body))
    event = lab.connection_event(target, "pe-partner.8d2f")

    [first] = host.deliver(delivery(event))
    time.sleep(2.1)  # the emulator's lag; Event Grid redelivers after 10 s
    [again] = host.deliver(delivery(event))

    assert (False, NotReady, True) == (first.ok, type(first.error), again.ok), again.error
    assert {("privatelink.blob.core.windows.net", "partner"): ["10.0.1.8"]} == lab.names()


def test_a_fresh_connection_event_for_a_target_nobody_points_at_is_delivered_again_then_acknowledged(lab, app_env,
                                                                                                  host):
    from datetime import datetime, timedelta, timezone

    fresh = lab.connection_event(lab.storage_id("nobody"), "c1")
    old = lab.connection_event(lab.storage_id("nobody"), "c2")
    old["eventTime"] = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()

    [retried], [acknowledged] = host.deliver(delivery(fresh)), host.deliver(delivery(old))

    assert (False, True, {}) == (retried.ok, acknowledged.ok, lab.names())


def test_a_reconcile_of_a_converged_estate_reads_no_record_set_one_by_one(lab, app_env, host, emu):
    for i in range(3):
        pe = lab.blob_endpoint(f"pe-c{i}", f"calm{i}", f"10.0.2.{i + 4}")
        lab.put_endpoint(pe)
        host.deliver(delivery(lab.event(pe["id"])))
    emu.clear_requests()

    host.timer("reconcile")

    reads = [p for m, p, _ in emu.requests if "/A/" in p or m != "GET"]
    assert ["/providers/Microsoft.ResourceGraph/resources"] == reads  # one page of Resource Graph


AMPLS_NAMES = ["api.monitor.azure.com", "global.in.ai.monitor.azure.com", "profiler.monitor.azure.com",
               "live.monitor.azure.com", "snapshot.monitor.azure.com", "{ws}.oms.opinsights.azure.com",
               "{ws}.ods.opinsights.azure.com", "{ws}.agentsvc.azure-automation.net"]


def test_deleting_one_spokes_azure_monitor_endpoint_keeps_ingestion_working_for_the_others(lab, app_env, host):
    """The incident that policy-deployed zone groups cause: the Azure Monitor names are global, so
    every spoke's scope endpoint needs the same 8 records; deleting one must not remove them."""
    lab.create_zones("privatelink.monitor.azure.com", "privatelink.oms.opinsights.azure.com",
                     "privatelink.ods.opinsights.azure.com", "privatelink.agentsvc.azure-automation.net")
    scope = (f"/subscriptions/{lab.spoke}/resourceGroups/rg-monitor/providers/"
             "microsoft.insights/privatelinkscopes/ampls-hub")  # lower-cased, as ARM reports it
    workspace = "5b6c7d8e-9f00-4a1b-8c2d-3e4f5a6b7c8d"
    spokes = []
    for n, prefix in enumerate(("10.1.0", "10.2.0")):
        dns = {fqdn.format(ws=workspace): [f"{prefix}.{i + 4}"] for i, fqdn in enumerate(AMPLS_NAMES)}
        body = lab.endpoint_body(f"pe-ampls-spoke{n}", target=scope, group="azuremonitor", dns=dns)
        lab.put_endpoint(body)
        assert all(r.ok for r in host.deliver(delivery(lab.event(body["id"]))))
        spokes.append(body)
    assert 8 == len(lab.names())
    assert {ips[0].rsplit(".", 1)[0] for ips in lab.names().values()} == {"10.1.0"}

    lab.delete_endpoint(spokes[0]["id"])
    [ok] = host.deliver(delivery(lab.event(spokes[0]["id"], "delete")))

    assert ok.ok, ok.error
    names = lab.names()
    assert 8 == len(names)  # nothing disappeared...
    assert {ips[0].rsplit(".", 1)[0] for ips in names.values()} == {"10.2.0"}  # ...all failed over


@pytest.mark.parametrize("retries", [0, 2])
def test_pedns_arm_retry_total_bounds_every_kind_of_retry(emu, retries):
    """azure-core counts status, connect and read retries apart (3 each by default): the setting must
    bound them all, whatever kind of failure the emulator draws."""
    from emulator import Faults
    from shared.adapters.arm import ArmEndpointReader
    from shared.adapters.credentials import make_credential
    from shared.errors import PednsError
    from shared.core.model import ResourceId
    from shared.settings import Settings

    settings = Settings.from_env({**emu.env(), "PEDNS_ARM_RETRY_TOTAL": str(retries)})
    reader = ArmEndpointReader(make_credential(settings), settings)
    endpoint = ResourceId(f"/subscriptions/{emu.spoke_subscription}/resourceGroups/rg/providers/"
                          "Microsoft.Network/privateEndpoints/pe-r")
    emu.set_faults(Faults(fault_rate=1.0, seed=3))
    emu.clear_requests()

    with pytest.raises(PednsError):
        reader.get(endpoint, zone_groups=False)

    assert retries + 1 == len(emu.requests)
