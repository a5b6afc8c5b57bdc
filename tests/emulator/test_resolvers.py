"""DNS Private Resolver in the emulator over HTTPS: resolvers, inbound endpoints, forwarding rulesets,
rules and ruleset links in the shapes of azure-rest-api-specs dnsresolver 2022-07-01, the limits Learn
documents, and Resource Graph's rows for rulesets and inbound endpoints."""

from __future__ import annotations

import pytest
from emu_helpers import AUTH, graph, raw

from emulator import INBOUND_QUERY, RULESETS_QUERY

API = "2022-07-01"
SUB = "2b2b2b2b-0000-4000-8000-000000000001"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-dns/providers/Microsoft.Network"
VNET, SPOKE = f"{NET}/virtualNetworks/vnet-hub", f"{NET}/virtualNetworks/vnet-spoke"
RESOLVER, RULESET = f"{NET}/dnsResolvers/dnsr", f"{NET}/dnsForwardingRulesets/rs"


def put(emu, path: str, body: dict, api: str = API):
    return raw(emu, "PUT", f"{path}?api-version={api}", body, AUTH)


def get(emu, path: str, api: str = API):
    return raw(emu, "GET", f"{path}?api-version={api}", headers=AUTH)


def seed(emu, *, rules: dict[str, dict] | None = None):
    for vid, region in ((VNET, "westeurope"), (SPOKE, "westeurope")):
        assert put(emu, vid, {"location": region, "properties": {}}, "2024-05-01")[0] == 201
    assert put(emu, RESOLVER, {"location": "westeurope", "properties": {"virtualNetwork": {"id": VNET}}})[0] == 201
    assert put(emu, f"{RESOLVER}/inboundEndpoints/in", {"location": "westeurope", "properties": {"ipConfigurations": [
        {"subnet": {"id": f"{VNET}/subnets/snet-in"}, "privateIpAddress": "10.0.0.4",
         "privateIpAllocationMethod": "Static"}]}})[0] == 201
    assert put(emu, RULESET, {"location": "westeurope", "properties": {
        "dnsResolverOutboundEndpoints": [{"id": f"{RESOLVER}/outboundEndpoints/out"}]}})[0] == 201
    for name, props in (rules or {"corp": {"domainName": "corp.contoso.com.",
                                           "targetDnsServers": [{"ipAddress": "192.168.1.10"}]}}).items():
        assert put(emu, f"{RULESET}/forwardingRules/{name}", {"properties": props})[0] == 201
    assert put(emu, f"{RULESET}/virtualNetworkLinks/spoke", {"properties": {"virtualNetwork": {"id": SPOKE}}})[0] == 201


def test_each_resource_reads_back_in_the_specs_shape(emu):
    seed(emu)

    resolver = get(emu, RESOLVER)[2]
    inbound = get(emu, f"{RESOLVER}/inboundEndpoints/in")[2]
    rule = get(emu, f"{RULESET}/forwardingRules/corp")[2]
    links = get(emu, f"{RULESET}/virtualNetworkLinks")[2]

    assert ("Microsoft.Network/dnsResolvers", "Connected", "Succeeded") == (
        resolver["type"], resolver["properties"]["dnsResolverState"], resolver["properties"]["provisioningState"])
    assert [{"subnet": {"id": f"{VNET}/subnets/snet-in"}, "privateIpAddress": "10.0.0.4",
             "privateIpAllocationMethod": "Static"}] == inbound["properties"]["ipConfigurations"]
    assert ("Microsoft.Network/dnsForwardingRulesets/forwardingRules", "corp.contoso.com.",
            [{"ipAddress": "192.168.1.10", "port": 53}], "Enabled") == (
        rule["type"], rule["properties"]["domainName"], rule["properties"]["targetDnsServers"],
        rule["properties"]["forwardingRuleState"])
    assert [SPOKE] == [link["properties"]["virtualNetwork"]["id"] for link in links["value"]]


@pytest.mark.parametrize(("props", "code"), [
    ({"domainName": "corp.contoso.com", "targetDnsServers": [{"ipAddress": "10.0.0.1"}]}, 400),  # no trailing dot
    ({"domainName": "corp.contoso.com.", "targetDnsServers": []}, 400),
    ({"domainName": "corp.contoso.com.", "targetDnsServers": [{"ipAddress": f"10.0.0.{i}"} for i in range(7)]}, 400),
    ({"domainName": "corp.contoso.com.", "targetDnsServers": [{"ipAddress": "nope"}]}, 400),
    ({"domainName": "corp.contoso.com.", "targetDnsServers": [{"ipAddress": "10.0.0.1"}], "forwardingRuleState": "On"}, 400),
    ({"domainName": ".", "targetDnsServers": [{"ipAddress": "10.0.0.1"}]}, 201),  # the wildcard rule
], ids=["no-dot", "no-target", "seven-targets", "bad-ip", "bad-state", "wildcard"])
def test_a_rule_is_checked_as_azure_checks_it(emu, props, code):
    seed(emu)

    assert code == put(emu, f"{RULESET}/forwardingRules/r", {"properties": props})[0]


def test_a_network_links_to_one_ruleset_and_only_in_its_region(emu):
    seed(emu)
    other = f"{NET}/dnsForwardingRulesets/rs2"
    assert put(emu, other, {"location": "westeurope", "properties": {
        "dnsResolverOutboundEndpoints": [{"id": f"{RESOLVER}/outboundEndpoints/out"}]}})[0] == 201
    far = f"{NET}/virtualNetworks/vnet-far"
    put(emu, far, {"location": "eastus", "properties": {}}, "2024-05-01")

    second = put(emu, f"{other}/virtualNetworkLinks/spoke", {"properties": {"virtualNetwork": {"id": SPOKE}}})
    elsewhere = put(emu, f"{other}/virtualNetworkLinks/far", {"properties": {"virtualNetwork": {"id": far}}})

    assert (409, 400) == (second[0], elsewhere[0])
    assert "one ruleset only" in second[2]["error"]["message"]


def test_an_inbound_endpoint_must_sit_in_its_resolvers_network_and_name_its_address(emu):
    seed(emu)

    outside = put(emu, f"{RESOLVER}/inboundEndpoints/x", {"location": "westeurope", "properties": {"ipConfigurations": [
        {"subnet": {"id": f"{SPOKE}/subnets/s"}, "privateIpAddress": "10.1.0.4"}]}})
    dynamic = put(emu, f"{RESOLVER}/inboundEndpoints/y", {"location": "westeurope", "properties": {"ipConfigurations": [
        {"subnet": {"id": f"{VNET}/subnets/s"}, "privateIpAllocationMethod": "Dynamic"}]}})

    assert (400, 400) == (outside[0], dynamic[0])


def test_another_api_version_is_refused_as_arm_refuses_it(emu):
    status, _, body = get(emu, RESOLVER, api="2020-04-01-preview")

    assert (400, "NoRegisteredProviderFound") == (status, body["error"]["code"])


def test_a_child_of_a_ruleset_that_does_not_exist_is_parent_not_found(emu):
    status, _, body = put(emu, f"{NET}/dnsForwardingRulesets/none/forwardingRules/r", {"properties": {
        "domainName": "a.", "targetDnsServers": [{"ipAddress": "10.0.0.1"}]}})

    assert (404, "ParentResourceNotFound") == (status, body["error"]["code"])


def test_reading_rules_can_be_denied_like_an_identity_without_the_audit_reader_role(emu):
    seed(emu)
    emu.deny_actions(["Microsoft.Network/dnsForwardingRulesets/forwardingRules/read"])

    status, _, body = get(emu, f"{RULESET}/forwardingRules")

    assert (403, "AuthorizationFailed") == (status, body["error"]["code"])
    assert 200 == get(emu, f"{RULESET}/virtualNetworkLinks")[0]


@pytest.mark.graph_lag_ms(0)
def test_resource_graph_lists_rulesets_and_inbound_endpoints_not_rules(emu):
    seed(emu)

    rulesets = graph(emu, RULESETS_QUERY, subscriptions=[SUB])[2]["data"]
    inbound = graph(emu, INBOUND_QUERY, subscriptions=[SUB])[2]["data"]
    elsewhere = graph(emu, RULESETS_QUERY, subscriptions=["3c3c3c3c-0000-4000-8000-000000000002"])[2]["data"]

    assert [{"id": RULESET, "location": "westeurope"}] == rulesets
    assert [{"id": f"{RESOLVER}/inboundEndpoints/in", "subnetId": f"{VNET}/subnets/snet-in",
             "privateIpAddress": "10.0.0.4"}] == inbound
    assert [] == elsewhere


def test_deleting_a_ruleset_deletes_its_rules_and_links(emu):
    seed(emu)

    deleted = raw(emu, "DELETE", f"{RULESET}?api-version={API}", headers=AUTH)[0]

    assert (200, 404, 404) == (deleted, get(emu, RULESET)[0], get(emu, f"{RULESET}/forwardingRules/corp")[0])
