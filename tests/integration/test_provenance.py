"""Names no catalogue row binds (Azure Monitor's) are checked against the names Azure gave the
endpoint's network interface, end to end: the function app, the ARM pipeline, the emulator."""

from __future__ import annotations

import pytest

from tools.lab import delivery

pytestmark = pytest.mark.integration

MONITOR = "privatelink.monitor.azure.com"


def ampls_endpoint(lab, name: str, dns: dict[str, list[str]]) -> dict:
    scope = f"/subscriptions/{lab.spoke}/resourceGroups/rg-monitor/providers/microsoft.insights/privatelinkscopes/ampls"
    return lab.endpoint_body(name, target=scope, group="azuremonitor", dns=dns)


def test_a_name_the_endpoints_interface_does_not_carry_is_never_published(lab, app_env, host, emu, caplog):
    lab.create_zones(MONITOR)
    body = ampls_endpoint(lab, "pe-ampls", {"api.monitor.azure.com": ["10.3.0.4"],
                                            "live.monitor.azure.com": ["10.3.0.5"]})
    nic_id = body["properties"]["networkInterfaces"][0]["id"]
    # What the platform gave the interface: only api (the endpoint reports live as well).
    status, _ = emu.apply("PUT", nic_id, {"location": "westeurope", "properties": {"ipConfigurations": [
        {"name": "c0", "properties": {"privateIPAddress": "10.3.0.4", "privateLinkConnectionProperties": {
            "groupId": "azuremonitor", "requiredMemberName": "api", "fqdns": ["api.monitor.azure.com"]}}}]}},
        api_version="2024-05-01")
    assert 201 == status
    lab.put_endpoint(body)

    [result] = host.deliver(delivery(lab.event(body["id"])))

    assert (True, {(MONITOR, "api"): ["10.3.0.4"]}) == (result.ok, lab.names())
    assert "live.monitor.azure.com not published: name-mismatch" in caplog.text


def test_names_the_interface_carries_are_published_and_cost_one_read(lab, app_env, host, emu):
    lab.create_zones(MONITOR)
    body = ampls_endpoint(lab, "pe-ampls2", {"api.monitor.azure.com": ["10.3.1.4"]})
    lab.put_endpoint(body)
    emu.clear_requests()

    [result] = host.deliver(delivery(lab.event(body["id"])))

    assert (True, {(MONITOR, "api"): ["10.3.1.4"]}) == (result.ok, lab.names())
    assert 1 == sum(1 for m, p, _ in emu.requests if "/networkinterfaces/" in p.lower())


def test_a_storage_endpoint_costs_no_interface_read(lab, app_env, host, emu):
    body = lab.blob_endpoint("pe-blob", "bound", "10.3.2.4")
    lab.put_endpoint(body)
    emu.clear_requests()

    host.deliver(delivery(lab.event(body["id"])))

    assert [] == [p for _, p, _ in emu.requests if "/networkinterfaces/" in p.lower()]
