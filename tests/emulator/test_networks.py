"""Virtual networks in the emulator (ARM GET shape, DNS servers), and the audit's Resource Graph
queries over zones, links, networks and endpoints' addresses."""

from __future__ import annotations

import pytest
from emu_helpers import AUTH, graph, raw, seed_endpoint

from emulator import ADDRESSES_QUERY, LINKS_QUERY, NETWORKS_QUERY, ZONES_QUERY

NET_API = "2024-05-01"
SUB_A = "2b2b2b2b-0000-4000-8000-000000000001"
SUB_B = "3c3c3c3c-0000-4000-8000-000000000002"


def vnet_path(sub: str, name: str, rg: str = "rg-net") -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


def put_vnet(emu, sub: str, name: str, dns=None):
    body = {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}
    if dns is not None:
        body["properties"]["dhcpOptions"] = {"dnsServers": dns}
    return raw(emu, "PUT", f"{vnet_path(sub, name)}?api-version={NET_API}", body, AUTH)


def test_a_virtual_network_is_stored_and_read_back_in_arm_get_shape(emu):
    created = put_vnet(emu, SUB_A, "v1", ["10.0.0.4"])
    replaced = put_vnet(emu, SUB_A, "v1", [])
    status, _, body = raw(emu, "GET", f"{vnet_path(SUB_A, 'v1')}?api-version={NET_API}", headers=AUTH)

    assert (201, 200, 200) == (created[0], replaced[0], status)
    assert ("Microsoft.Network/virtualNetworks", [], "Succeeded") == (
        body["type"], body["properties"]["dhcpOptions"]["dnsServers"], body["properties"]["provisioningState"])


def test_a_bad_dns_server_address_is_refused_and_a_delete_of_nothing_is_204(emu):
    status, _, body = put_vnet(emu, SUB_A, "v2", ["not-an-ip"])
    deleted = raw(emu, "DELETE", f"{vnet_path(SUB_A, 'v2')}?api-version={NET_API}", headers=AUTH)

    assert (400, "InvalidDnsServerAddress", 204) == (status, body["error"]["code"], deleted[0])


def test_networks_list_by_resource_group_and_subscription(emu):
    for name in ("v1", "v2"):
        put_vnet(emu, SUB_A, name)
    by_rg = raw(emu, "GET", f"/subscriptions/{SUB_A}/resourceGroups/rg-net/providers/Microsoft.Network/"
                            f"virtualNetworks?api-version={NET_API}", headers=AUTH)[2]
    by_sub = raw(emu, "GET", f"/subscriptions/{SUB_A}/providers/Microsoft.Network/virtualNetworks"
                             f"?api-version={NET_API}", headers=AUTH)[2]

    assert (["v1", "v2"], ["v1", "v2"]) == ([v["name"] for v in by_rg["value"]], [v["name"] for v in by_sub["value"]])


@pytest.mark.graph_lag_ms(0)  # queries at once what it has just seeded
def test_the_audit_queries_answer_zones_links_networks_and_addresses_in_scope(emu):
    put_vnet(emu, SUB_A, "v1", ["8.8.8.8"])
    put_vnet(emu, SUB_B, "v2")
    zone = f"/subscriptions/{SUB_A}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/corp.internal"
    emu.apply("PUT", zone, {"location": "global"}, api_version="2024-06-01")
    emu.apply("PUT", f"{zone}/virtualNetworkLinks/l1", {"location": "global", "properties": {
        "virtualNetwork": {"id": vnet_path(SUB_A, "v1")}, "registrationEnabled": True}}, api_version="2024-06-01")
    pe = seed_endpoint(emu, SUB_A, "pe1", customDnsConfigs=[{"fqdn": "a.blob.core.windows.net",
                                                             "ipAddresses": ["10.1.0.4"]}],
                       ipConfigurations=[{"properties": {"privateIPAddress": "10.1.0.5"}}])

    zones = graph(emu, ZONES_QUERY, subscriptions=[SUB_A])[2]["data"]
    links = graph(emu, LINKS_QUERY, subscriptions=[SUB_A])[2]["data"]
    networks = graph(emu, NETWORKS_QUERY)[2]["data"]
    addresses = graph(emu, ADDRESSES_QUERY, subscriptions=[SUB_A])[2]["data"]

    assert [{"id": zone, "name": "corp.internal"}] == zones
    assert [(vnet_path(SUB_A, "v1"), True)] == [(r["virtualNetworkId"], r["registrationEnabled"]) for r in links]
    assert [["8.8.8.8"], None] == [r["dnsServers"] for r in networks]
    assert [(pe, "10.1.0.4"), (pe, "10.1.0.5")] == [(r["endpointId"], r["privateIPAddress"]) for r in addresses]
    assert all(".nic." in r["id"] for r in addresses)
