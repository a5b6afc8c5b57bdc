"""Private endpoints and their DNS zone groups through azure-mgmt-core's ARMPipelineClient."""

from __future__ import annotations

import re

import pytest
from azure.core.exceptions import ResourceNotFoundError
from emu_helpers import AUTH, NETWORK_API, ZONE, pe_body, pe_path, raw, send, zone_id

BLOB = "acct.blob.core.windows.net"


def test_first_put_creates_with_201_and_fills_the_arm_fields(emu, arm):
    status, body = send(arm, "PUT", pe_path(emu, "pe1"), pe_body((BLOB, ["10.1.0.4"])))

    assert (201, pe_path(emu, "pe1"), "pe1", "Microsoft.Network/privateEndpoints", "Succeeded") == (
        status, body["id"], body["name"], body["type"], body["properties"]["provisioningState"])
    assert re.fullmatch(r'W/"[0-9a-f-]{36}"', body["etag"])


def test_get_answers_what_the_put_stored(emu, arm):
    _, stored = send(arm, "PUT", pe_path(emu, "pe1"), pe_body((BLOB, ["10.1.0.4"])))

    status, fetched = send(arm, "GET", pe_path(emu, "pe1"))

    assert (200, stored) == (status, fetched)


def test_second_put_replaces_with_200_and_a_new_etag(emu, arm):
    _, first = send(arm, "PUT", pe_path(emu, "pe1"), pe_body((BLOB, ["10.1.0.4"])))

    status, second = send(arm, "PUT", pe_path(emu, "pe1"), pe_body((BLOB, ["10.1.0.5"])))

    assert (200, True) == (status, first["etag"] != second["etag"])


def test_put_keeps_a_given_provisioning_state(emu, arm):
    body = pe_body()
    body["properties"]["provisioningState"] = "Updating"

    _, stored = send(arm, "PUT", pe_path(emu, "pe1"), body)

    assert ("Updating", []) == (stored["properties"]["provisioningState"], stored["properties"]["customDnsConfigs"])


def test_put_without_location_is_bad_request(emu, arm):
    status, body = send(arm, "PUT", pe_path(emu, "pe1"), {"properties": {}})

    assert (400, "LocationRequired") == (status, body["error"]["code"])


def test_get_of_a_missing_endpoint_is_resource_not_found(emu, arm):
    send(arm, "PUT", f"/subscriptions/{emu.spoke_subscription}/resourceGroups/rg-spoke", {"location": "westeurope"},
         api="2021-04-01")

    status, body = send(arm, "GET", pe_path(emu, "ghost"))

    assert (404, "ResourceNotFound") == (status, body["error"]["code"])
    assert "'Microsoft.Network/privateEndpoints/ghost' under resource group 'rg-spoke' was not found" in body["error"]["message"]


def test_provider_type_and_resource_group_are_case_insensitive(emu, arm):
    send(arm, "PUT", pe_path(emu, "pe1", rg="RG-Spoke"), pe_body())
    lowered = f"/subscriptions/{emu.spoke_subscription}/resourcegroups/rg-spoke/providers/microsoft.network/privateendpoints/pe1"

    status, body = send(arm, "GET", lowered)

    assert (200, pe_path(emu, "pe1", rg="RG-Spoke")) == (status, body["id"])


def test_delete_answers_200_then_204_once_gone(emu, arm):
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body())

    first, _ = send(arm, "DELETE", pe_path(emu, "pe1"))
    second, _ = send(arm, "DELETE", pe_path(emu, "pe1"))

    assert (200, 204) == (first, second)


def _list_all(arm, url):
    names, pages = [], 0
    while url:
        _, page = send(arm, "GET", url)
        pages += 1
        names += [item["name"] for item in page["value"]]
        url = page.get("nextLink")
    return names, pages


def test_list_by_resource_group_pages_with_top_and_absolute_next_links(emu, arm):
    for name in ("pe1", "pe2", "pe3"):
        send(arm, "PUT", pe_path(emu, name), pe_body())
    send(arm, "PUT", pe_path(emu, "other", rg="rg-other"), pe_body())
    url = f"/subscriptions/{emu.spoke_subscription}/resourceGroups/rg-spoke/providers/Microsoft.Network/privateEndpoints?$top=2"

    names, pages = _list_all(arm, url)

    assert (["pe1", "pe2", "pe3"], 2) == (names, pages)


def test_next_link_is_an_absolute_url_with_a_skiptoken(emu, arm):
    for name in ("pe1", "pe2"):
        send(arm, "PUT", pe_path(emu, name), pe_body())
    url = f"/subscriptions/{emu.spoke_subscription}/providers/Microsoft.Network/privateEndpoints?$top=1"

    _, page = send(arm, "GET", url)

    assert page["nextLink"].startswith(f"{emu.base_url}/subscriptions/{emu.spoke_subscription}/providers/")
    assert "$skiptoken=" in page["nextLink"]


def test_list_by_subscription_spans_resource_groups_and_no_other_subscription(emu, arm):
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body())
    send(arm, "PUT", pe_path(emu, "pe2", rg="rg-other"), pe_body())
    send(arm, "PUT", f"/subscriptions/{emu.hub_subscription}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/hub", pe_body())

    names, _ = _list_all(arm, f"/subscriptions/{emu.spoke_subscription}/providers/Microsoft.Network/privateEndpoints")

    assert ["pe1", "pe2"] == sorted(names)


# ---------------------------------------------------------------- private DNS zone groups

def group_body(*zone_ids: str) -> dict:
    return {"properties": {"privateDnsZoneConfigs": [
        {"name": f"config{i}", "properties": {"privateDnsZoneId": zid}} for i, zid in enumerate(zone_ids)]}}


def group_path(emu, pe: str = "pe1", name: str = "default") -> str:
    return pe_path(emu, pe) + f"/privateDnsZoneGroups/{name}"


@pytest.fixture
def endpoint(emu, arm, zone):
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body((BLOB, ["10.1.0.4"]), ("acct.file.core.windows.net", ["10.1.0.5"])))
    return "pe1"


def test_zone_group_writes_a_records_with_ttl_10_and_no_metadata(emu, arm, dns, endpoint):
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    record = dns.record_sets.get(emu.hub_resource_group, ZONE, "A", "acct")

    assert (10, None, [{"ipv4Address": "10.1.0.4"}]) == (
        record.properties.ttl, record.properties.metadata, record.properties.a_records)


def test_zone_group_writes_only_fqdns_that_fall_in_its_zones(emu, arm, dns, endpoint):
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    names = [r.name for r in dns.record_sets.list_by_type(emu.hub_resource_group, ZONE, "A")]

    assert ["acct"] == names


def test_zone_group_answer_lists_the_record_sets_it_wrote(emu, arm, endpoint):
    status, body = send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    record_sets = body["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"]
    assert (201, [{"recordType": "A", "recordSetName": "acct", "fqdn": f"acct.{ZONE}", "ttl": 10,
                   "ipAddresses": ["10.1.0.4"], "provisioningState": "Succeeded"}]) == (status, record_sets)


def test_zone_group_overwrites_a_record_set_someone_else_wrote(emu, arm, dns, endpoint):
    rg = emu.hub_resource_group
    dns.record_sets.create_or_update(rg, ZONE, "A", "acct", {"properties": {
        "ttl": 300, "metadata": {"owner": "pedns"}, "aRecords": [{"ipv4Address": "10.9.9.9"}]}})

    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    record = dns.record_sets.get(rg, ZONE, "A", "acct")
    assert (None, [{"ipv4Address": "10.1.0.4"}]) == (record.properties.metadata, record.properties.a_records)


def test_deleting_the_zone_group_removes_its_records(emu, arm, dns, endpoint):
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    status, _ = send(arm, "DELETE", group_path(emu))

    with pytest.raises(ResourceNotFoundError):
        dns.record_sets.get(emu.hub_resource_group, ZONE, "A", "acct")
    assert 200 == status


def test_deleting_the_endpoint_removes_its_zone_groups_and_their_records(emu, arm, dns, endpoint):
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    send(arm, "DELETE", pe_path(emu, "pe1"))

    names = [r.name for r in dns.record_sets.list_by_type(emu.hub_resource_group, ZONE, "A")]
    assert [] == names


def test_updating_the_endpoint_rewrites_its_zone_group_records(emu, arm, dns, endpoint):
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    send(arm, "PUT", pe_path(emu, "pe1"), pe_body((BLOB, ["10.1.0.8"])))

    record = dns.record_sets.get(emu.hub_resource_group, ZONE, "A", "acct")
    assert [{"ipv4Address": "10.1.0.8"}] == record.properties.a_records


def test_zone_group_naming_a_missing_zone_is_bad_request(emu, arm, endpoint):
    status, body = send(arm, "PUT", group_path(emu), group_body(zone_id(emu, "privatelink.vaultcore.azure.net")))

    assert (400, "InvalidPrivateDnsZoneIds") == (status, body["error"]["code"])


def test_zone_group_on_a_missing_endpoint_is_parent_resource_not_found(emu, arm, zone):
    status, body = send(arm, "PUT", group_path(emu, pe="ghost"), group_body(zone_id(emu)))

    assert (404, "ParentResourceNotFound") == (status, body["error"]["code"])


def test_zone_groups_list_under_their_endpoint(emu, arm, endpoint):
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    status, body = send(arm, "GET", pe_path(emu, "pe1") + "/privateDnsZoneGroups")

    assert (200, ["default"]) == (status, [g["name"] for g in body["value"]])


def test_zone_group_delete_touches_only_its_own_record_sets(emu, arm, dns, endpoint):
    dns.record_sets.create_or_update(emu.hub_resource_group, ZONE, "A", "bystander",
                                     {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.2.0.4"}]}})
    send(arm, "PUT", group_path(emu), group_body(zone_id(emu)))

    send(arm, "DELETE", group_path(emu))

    assert "bystander" == dns.record_sets.get(emu.hub_resource_group, ZONE, "A", "bystander").name


def test_raw_pe_request_without_api_version_is_refused(emu):
    status, _, body = raw(emu, "GET", pe_path(emu, "pe1"), headers=AUTH)

    assert (400, "MissingApiVersionParameter") == (status, body["error"]["code"])


def test_network_api_version_is_accepted_on_list(emu, arm):
    status, body = send(arm, "GET", f"/subscriptions/{emu.spoke_subscription}/providers/Microsoft.Network/privateEndpoints",
                        api=NETWORK_API)

    assert (200, {"value": []}) == (status, body)
