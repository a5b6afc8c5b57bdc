"""ARM private endpoint bodies → PrivateEndpoint (shared.parsing.endpoint).

azure-rest-api-specs examples, Azure CLI recordings and bodies derived from them
(tests/fixtures/endpoints, sources in its README), one field changed per test.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.parsing.endpoint import parse_private_endpoint, parse_private_endpoint_id
from shared.parsing.zone_groups import parse_zone_group_list
from shared.errors import InvalidInput
from shared.core.model import Connection, ConnectionStatus, DnsConfig, PrivateEndpoint, ResourceId
from tests.fixtures import example_body, load

GUID = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def spec(name: str) -> dict:
    """A spec example's body with its placeholder subscription `subId` replaced by a GUID."""
    text = json.dumps(example_body(f"endpoints/{name}"))
    return json.loads(text.replace("/subscriptions/subId/", f"/subscriptions/{GUID}/"))


def storage() -> dict:
    return load("endpoints/storage-blob.json")


def configs(body: dict) -> list[dict]:
    return body["properties"]["customDnsConfigs"]


# --- azure-rest-api-specs examples ----------------------------------------------------------


def test_the_spec_get_example_becomes_a_private_endpoint():
    pe = parse_private_endpoint(spec("spec-PrivateEndpointGet.json"))

    assert PrivateEndpoint(
        id=ResourceId(f"/subscriptions/{GUID}/resourceGroups/rg1/providers/Microsoft.Network/privateEndpoints/testPe"),
        location="eastus",
        provisioning_state="Succeeded",
        connections=(Connection(
            name="",
            target_id=f"/subscriptions/{GUID}/resourceGroups/rg1/providers/Microsoft.Network/privateLinkServices/testPls",
            group_ids=("groupIdFromResource",),
            status=ConnectionStatus.APPROVED,
            manual=False,
        ),),
        dns_configs=(DnsConfig("abc.cosmos.com", ("192.168.0.4",)), DnsConfig("abc2.cosmos.com", ("192.168.0.5",))),
        subnet_id=f"/subscriptions/{GUID}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/myVnet/subnets/mySubnet",
        has_zone_group=False,
        network_interface_ids=(),  # the example's interface id is misspelt ("provders"): not an interface id
    ) == pe


def test_the_verbatim_spec_example_is_rejected_because_sub_id_is_not_a_guid():
    with pytest.raises(InvalidInput) as exc:
        parse_private_endpoint(example_body("endpoints/spec-PrivateEndpointGet.json"))

    assert ("private endpoint body: id is not a private endpoint id: "
            "'/subscriptions/subId/resourceGroups/rg1/providers/Microsoft.Network/privateEndpoints/testPe'") == str(exc.value)


def test_a_manual_connection_is_manual_and_pending_with_its_configs():
    pe = parse_private_endpoint(spec("spec-PrivateEndpointGetForManualApproval.json"))

    assert [(True, ConnectionStatus.PENDING)] == [(c.manual, c.status) for c in pe.connections]
    assert 2 == len(pe.dns_configs)


def test_ip_configurations_are_not_needed():
    pe = parse_private_endpoint(spec("spec-PrivateEndpointGetWithASG.json"))

    assert ("abc.cosmos.com", "abc2.cosmos.com") == tuple(c.fqdn for c in pe.dns_configs)


def test_has_zone_group_is_passed_through():
    assert True is parse_private_endpoint(spec("spec-PrivateEndpointGet.json"), has_zone_group=True).has_zone_group


# --- recorded bodies ---------------------------------------------------------------------------


def test_a_fresh_recorded_endpoint_is_updating_with_no_configs():
    pe = parse_private_endpoint(load("endpoints/recorded-bot-pe-put-updating.json"))

    assert ("Updating", ()) == (pe.provisioning_state, pe.dns_configs)


def test_the_recorded_endpoint_once_succeeded_has_its_fqdn_lower_cased():
    pe = parse_private_endpoint(load("endpoints/recorded-bot-pe-get-succeeded.json"))

    assert (DnsConfig("testbot000004.botplinks.botframework.com", ("10.0.0.4",)),) == pe.dns_configs
    assert ("bot",) == pe.connections[0].group_ids
    assert "Microsoft.BotService/botServices" == pe.connections[0].target_type


def test_a_recorded_manual_pending_endpoint_has_no_configs():
    pe = parse_private_endpoint(load("endpoints/recorded-bot-pe-manual-get-pending.json"))

    assert ((True, ConnectionStatus.PENDING, "bot_endpointconntoo000008"), ()) == (
        tuple((c.manual, c.status, c.name) for c in pe.connections)[0], pe.dns_configs)


def test_the_recorded_subnet_gives_the_virtual_network():
    pe = parse_private_endpoint(load("endpoints/recorded-bot-pe-get-succeeded.json"))

    assert pe.virtual_network_id.endswith("/virtualNetworks/testabsvnet000002")


# --- derived realistic bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "fqdns"),
    [
        ("storage-blob.json", ["stappdata.blob.core.windows.net"]),
        ("cosmos-multi-region.json", ["cosmos-orders.documents.azure.com", "cosmos-orders-westeurope.documents.azure.com",
                                      "cosmos-orders-northeurope.documents.azure.com"]),
        ("keyvault.json", ["kv-app.vault.azure.net"]),
        ("sql-server.json", ["sql-app.database.windows.net"]),
        ("storage-blob-fresh-updating.json", []),
        ("storage-blob-manual-pending.json", ["stpartner.blob.core.windows.net"]),
    ],
    ids=["storage", "cosmos", "keyvault", "sql", "fresh", "manual-pending"],
)
def test_derived_bodies_give_their_fqdns_in_order(fixture, fqdns):
    assert fqdns == [c.fqdn for c in parse_private_endpoint(load(f"endpoints/{fixture}")).dns_configs]


def test_an_azure_monitor_scope_endpoint_has_eight_names_in_four_zones():
    pe = parse_private_endpoint(load("endpoints/ampls.json"))
    zones = ("monitor.azure.com", "oms.opinsights.azure.com", "ods.opinsights.azure.com", "agentsvc.azure-automation.net")

    per_zone = {zone: sum(c.fqdn.endswith("." + zone) for c in pe.dns_configs) for zone in zones}

    assert {"monitor.azure.com": 5, "oms.opinsights.azure.com": 1, "ods.opinsights.azure.com": 1,
            "agentsvc.azure-automation.net": 1} == per_zone
    assert "microsoft.insights/privatelinkscopes" == pe.connections[0].target_type


# --- one field changed -------------------------------------------------------------------------------


def test_ips_are_unique_and_in_numeric_order():
    body = storage()
    configs(body)[0]["ipAddresses"] = ["10.20.1.10", "10.20.1.9", "10.20.1.10"]

    assert ("10.20.1.9", "10.20.1.10") == parse_private_endpoint(body).dns_configs[0].ips


def test_a_dual_stack_endpoints_addresses_are_kept_ipv4_first_and_ipv6_in_canonical_form():
    body = storage()
    configs(body)[0]["ipAddresses"] = ["FD00:20:1:0::4", "10.20.1.4", "fd00:20:1::4"]

    assert ("10.20.1.4", "fd00:20:1::4") == parse_private_endpoint(body).dns_configs[0].ips


def test_an_ipv6_only_endpoint_keeps_its_ipv6_addresses():
    body = storage()
    configs(body)[0]["ipAddresses"] = ["fd00:20:1::4"]

    assert (DnsConfig("stappdata.blob.core.windows.net", ("fd00:20:1::4",)),) == parse_private_endpoint(body).dns_configs


def test_the_trailing_dot_of_an_fqdn_is_dropped():
    body = storage()
    configs(body)[0]["fqdn"] = "StAppData.Blob.Core.Windows.Net."

    assert "stappdata.blob.core.windows.net" == parse_private_endpoint(body).dns_configs[0].fqdn


def test_an_underscore_label_is_a_valid_name():
    body = storage()
    configs(body)[0]["fqdn"] = "applicationinsights_ingestion.monitor.azure.com"

    assert "applicationinsights_ingestion.monitor.azure.com" == parse_private_endpoint(body).dns_configs[0].fqdn


def test_a_config_without_fqdn_is_dropped():
    body = storage()
    configs(body).append({"ipAddresses": ["10.20.1.99"]})

    assert 1 == len(parse_private_endpoint(body).dns_configs)


@pytest.mark.parametrize(
    ("missing", "attribute", "empty"),
    [("customDnsConfigs", "dns_configs", ()), ("privateLinkServiceConnections", "connections", ()),
     ("subnet", "subnet_id", ""), ("provisioningState", "provisioning_state", "")],
    ids=["configs", "connections", "subnet", "state"],
)
def test_missing_optional_parts_are_empty(missing, attribute, empty):
    body = storage()
    del body["properties"][missing]

    assert empty == getattr(parse_private_endpoint(body), attribute)


def test_a_body_without_properties_is_an_empty_endpoint():
    pe = parse_private_endpoint({"id": storage()["id"]})

    assert ((), (), "", "", "") == (pe.connections, pe.dns_configs, pe.subnet_id, pe.location, pe.provisioning_state)


def test_a_missing_connection_state_is_unknown():
    body = storage()
    del body["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]

    assert ConnectionStatus.UNKNOWN == parse_private_endpoint(body).connections[0].status


def test_auto_and_manual_connections_are_both_kept_auto_first():
    body = storage()
    manual = json.loads(json.dumps(body["properties"]["privateLinkServiceConnections"][0]))
    manual["name"] = "manual-one"
    body["properties"]["manualPrivateLinkServiceConnections"] = [manual]

    assert [(False, "pe-stappdata-blob"), (True, "manual-one")] == [
        (c.manual, c.name) for c in parse_private_endpoint(body).connections]


BAD_BODIES = {
    "not-an-object": ([], "private endpoint body is not a JSON object: list"),
    "string": ("{}", "private endpoint body is not a JSON object: str"),
    "no-id": ({"properties": {}}, "private endpoint body: id is missing"),
    "id-not-a-string": ({"id": 5}, "private endpoint body: id is not a string: 5"),
    "id-not-a-pe": ({"id": "/subscriptions/x"}, "private endpoint body: id is not a private endpoint id: '/subscriptions/x'"),
    "id-child-path": ({"id": storage()["id"] + "/../other"}, "id is not a private endpoint id"),
}


@pytest.mark.parametrize(("body", "expected"), list(BAD_BODIES.values()), ids=list(BAD_BODIES))
def test_bodies_without_a_private_endpoint_id_are_rejected(body, expected):
    with pytest.raises(InvalidInput) as exc:
        parse_private_endpoint(body)

    assert expected in str(exc.value)


def _bad_field(path: str, value) -> dict:
    body = storage()
    target = body
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return body


# One entry's bad name or address costs that name alone: the entry is kept with its problem.
BAD_NAMES = {
    "fqdn-with-space": ("properties.customDnsConfigs.0.fqdn", "stappdata blob.core.windows.net",
                        "properties.customDnsConfigs[0].fqdn is not a valid DNS name"),
    "fqdn-single-label": ("properties.customDnsConfigs.0.fqdn", "localhost", "is not a valid DNS name"),
    "fqdn-wildcard": ("properties.customDnsConfigs.0.fqdn", "*.blob.core.windows.net", "is not a valid DNS name"),
    "fqdn-empty": ("properties.customDnsConfigs.0.fqdn", "", "properties.customDnsConfigs[0].fqdn is empty"),
    "fqdn-empty-label": ("properties.customDnsConfigs.0.fqdn", "a..blob.core.windows.net", "is not a valid DNS name"),
    "fqdn-label-64": ("properties.customDnsConfigs.0.fqdn", "a" * 64 + ".blob.core.windows.net", "is not a valid DNS name"),
    "fqdn-too-long": ("properties.customDnsConfigs.0.fqdn", ".".join(["a" * 60] * 5) + ".net", "is not a valid DNS name"),
    "fqdn-leading-hyphen": ("properties.customDnsConfigs.0.fqdn", "-x.blob.core.windows.net", "is not a valid DNS name"),
    "fqdn-unicode": ("properties.customDnsConfigs.0.fqdn", "st\u0430ppdata.blob.core.windows.net", "is not a valid DNS name"),
    "fqdn-newline": ("properties.customDnsConfigs.0.fqdn", "stappdata.blob.core.windows.net\nx.evil.com", "is not a valid DNS name"),
    "fqdn-escape": ("properties.customDnsConfigs.0.fqdn", "shop\u001b[31mlogs.blob.core.windows.net", "is not a valid DNS name"),
    "fqdn-is-an-ip": ("properties.customDnsConfigs.0.fqdn", "10.20.1.4", "is not a valid DNS name"),
    "fqdn-not-string": ("properties.customDnsConfigs.0.fqdn", 7, "fqdn is not a string: 7"),
    "ip-out-of-range": ("properties.customDnsConfigs.0.ipAddresses", ["10.20.1.256"],
                        "properties.customDnsConfigs[0].ipAddresses[0] is not a valid IP address: '10.20.1.256'"),
    "ip-leading-zero": ("properties.customDnsConfigs.0.ipAddresses", ["10.20.1.04"], "is not a valid IP address"),
    "ip-cidr": ("properties.customDnsConfigs.0.ipAddresses", ["10.20.1.0/24"], "is not a valid IP address"),
    "ip-hostname": ("properties.customDnsConfigs.0.ipAddresses", ["evil.example.com"], "is not a valid IP address"),
    "ip-zone-id": ("properties.customDnsConfigs.0.ipAddresses", ["fd00::1%eth0"], "ipAddresses[0] has an IPv6 zone id"),
    "ip-not-string": ("properties.customDnsConfigs.0.ipAddresses", [167772164], "ipAddresses[0] is not a string"),
    "ip-list-is-string": ("properties.customDnsConfigs.0.ipAddresses", "10.20.1.4", "ipAddresses is not a list"),
    "entry-not-object": ("properties.customDnsConfigs.0", "x", "properties.customDnsConfigs[0] is not a JSON object"),
}


@pytest.mark.parametrize(("path", "value", "expected"), list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_a_bad_name_or_address_is_kept_with_its_problem_beside_the_good_entry(path, value, expected):
    body = _bad_field(path, value)
    body["properties"]["customDnsConfigs"].append({"fqdn": "other.blob.core.windows.net", "ipAddresses": ["10.20.1.5"]})

    bad, good = parse_private_endpoint(body).dns_configs

    assert expected in bad.problem and "\n" not in bad.problem and "\x1b" not in bad.problem + bad.fqdn
    assert () == bad.ips
    assert DnsConfig("other.blob.core.windows.net", ("10.20.1.5",)) == good


def test_a_bad_address_keeps_its_entrys_name_so_the_name_is_refused_by_name():
    body = _bad_field("properties.customDnsConfigs.0.ipAddresses", ["10.20.1.4", "fd00::1%eth0"])

    [config] = parse_private_endpoint(body).dns_configs

    assert ("stappdata.blob.core.windows.net", ()) == (config.fqdn, config.ips)


# The envelope: without it there is no endpoint to speak of.
BAD_ENVELOPES = {
    "configs-not-list": ("properties.customDnsConfigs", {"fqdn": "a.b"}, "customDnsConfigs: Input should be a valid list"),
    "connections-not-list": ("properties.privateLinkServiceConnections", "x",
                             "privateLinkServiceConnections: Input should be a valid list"),
    "group-ids-not-list": ("properties.privateLinkServiceConnections.0.properties.groupIds", "blob",
                           "groupIds: Input should be a valid list"),
    "location-number": ("location", 1, "location: Input should be a valid string"),
    "state-number": ("properties.provisioningState", 1, "provisioningState: Input should be a valid string"),
}


@pytest.mark.parametrize(("path", "value", "expected"), list(BAD_ENVELOPES.values()), ids=list(BAD_ENVELOPES))
def test_a_bad_envelope_is_rejected_naming_endpoint_and_field(path, value, expected):
    with pytest.raises(InvalidInput) as exc:
        parse_private_endpoint(_bad_field(path, value))

    assert str(exc.value).startswith(f"private endpoint {storage()['id']}: ")
    assert expected in str(exc.value)
    assert "\n" not in str(exc.value)


@settings(max_examples=300)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "location", "properties", "customDnsConfigs", "fqdn", "ipAddresses",
                         "privateLinkServiceConnections", "properties", "groupIds", "subnet"]), c, max_size=4),
    max_leaves=15))
def test_arbitrary_bodies_raise_nothing_but_invalid_input(properties):
    try:
        parse_private_endpoint({"id": storage()["id"], "properties": properties})
    except InvalidInput as exc:
        assert "\n" not in str(exc)


# --- ids and zone group lists ------------------------------------------------------------------------


def test_a_private_endpoint_id_is_returned_with_canonical_segment_names():
    value = f"/SUBSCRIPTIONS/{GUID}/RESOURCEGROUPS/Rg1/PROVIDERS/MICROSOFT.NETWORK/PRIVATEENDPOINTS/Pe1"

    assert (f"/subscriptions/{GUID}/resourceGroups/Rg1/providers/Microsoft.Network/privateEndpoints/Pe1"
            == parse_private_endpoint_id(value).value)


def test_an_id_error_names_the_field_given():
    with pytest.raises(InvalidInput, match=r"^privateEndpointIds\[3\] is not a private endpoint id: 'x'$"):
        parse_private_endpoint_id("x", field="privateEndpointIds[3]")


def test_the_spec_zone_group_list_has_groups():
    assert True is parse_zone_group_list(example_body("endpoints/spec-PrivateEndpointDnsZoneGroupList.json"))


def test_an_empty_zone_group_list_has_none():
    assert False is parse_zone_group_list(load("endpoints/zone-group-list-empty.json"))


@pytest.mark.parametrize("body", [[], {"value": None}, {"value": "x"}, {"nextLink": "x"}],
                         ids=["list", "value-null", "value-string", "no-value"])
def test_a_malformed_zone_group_list_is_rejected(body):
    with pytest.raises(InvalidInput, match="zone group list"):
        parse_zone_group_list(body)


def test_the_records_azure_wrote_for_zone_groups_are_read_from_the_published_list():
    from shared.parsing.zone_groups import zone_group_dns_configs
    from shared.core.model import DnsConfig

    body = load("endpoints/spec-PrivateEndpointDnsZoneGroupList.json")["responses"]["200"]["body"]

    configs = zone_group_dns_configs(body)

    assert (DnsConfig("abc.zone1.com", ("10.0.0.4",)), DnsConfig("abc2.zone1.com", ("10.0.0.5",))) == configs[:2]


def test_a_zone_groups_aaaa_records_are_read_with_its_a_records():
    from shared.parsing.zone_groups import zone_group_dns_configs
    from shared.core.model import DnsConfig

    def record_set(rtype, ips):
        return {"recordType": rtype, "recordSetName": "acct", "fqdn": "acct.privatelink.blob.core.windows.net",
                "ipAddresses": ips}

    body = {"value": [{"name": "default", "properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {
        "privateDnsZoneId": "/x", "recordSets": [record_set("A", ["10.0.0.4"]), record_set("AAAA", ["FD00::4"]),
                                                 record_set("CNAME", ["10.9.9.9"])]}}]}}]}

    assert (DnsConfig("acct.privatelink.blob.core.windows.net", ("10.0.0.4", "fd00::4")),) == zone_group_dns_configs(body)


def test_an_empty_zone_group_list_has_no_records():
    from shared.parsing.zone_groups import zone_group_dns_configs

    assert () == zone_group_dns_configs({"value": []})


def test_only_well_formed_interface_ids_are_kept_since_pedns_reads_them_with_its_token():
    body = spec("spec-PrivateEndpointGet.json")
    good = f"/subscriptions/{GUID}/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/pe.nic.1"
    body["properties"]["networkInterfaces"] = [{"id": good}, {"id": good + "/../../../../providers/x"},
                                               {"id": "https://evil.example/nic"}]

    assert (good,) == parse_private_endpoint(body).network_interface_ids


# --- recorded dual-stack and IPv6-only endpoints (Azure CLI, network API 2025-05-01) --------------


@pytest.mark.parametrize(("fixture", "ips"), [
    ("endpoints/recorded-dualstack-pe-get.json", ("10.0.1.5", "fd00:db8:0:1::5")),
    ("endpoints/recorded-ipv6-pe-get.json", ("fd00:db8:0:1::4",)),
])
def test_a_recorded_ipv6_capable_endpoint_is_published_as_azure_reports_it(fixture, ips):
    from shared.core.desired import desire
    from shared.wiring import catalogue_for
    from shared.settings import Settings

    body = load(fixture)
    pe = parse_private_endpoint(body)
    wanted = desire(pe, catalogue_for(Settings()))

    assert body["properties"]["ipVersionType"] in ("DualStack", "IPv6")
    assert ((), ips) == (wanted.skipped, wanted.records[0].ips)
    assert ("privatelink.blob.core.windows.net", "saplr000002") == (wanted.records[0].key.zone,
                                                                    wanted.records[0].key.name)
