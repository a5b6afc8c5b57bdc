"""Private DNS zones and virtual network links through the real azure-mgmt-privatedns client."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from emu_helpers import ZONE, status_of

VNET = "/subscriptions/{sub}/resourceGroups/rg-hub-net/providers/Microsoft.Network/virtualNetworks/vnet-hub"


def link_body(emu, registration: bool = False) -> dict:
    return {"location": "global", "properties": {"virtualNetwork": {"id": VNET.format(sub=emu.hub_subscription)},
                                                 "registrationEnabled": registration}}


def test_sdk_poller_finishes_a_zone_create_with_succeeded(emu, dns):
    poller = dns.private_zones.begin_create_or_update(emu.hub_resource_group, ZONE, {"location": "global"})

    created = poller.result(timeout=5)

    assert (True, ZONE, "Succeeded", "global") == (poller.done(), created.name, created.properties.provisioning_state,
                                                  created.location)


def test_new_zone_holds_only_the_soa_record_set(emu, dns, zone):
    listed = [(r.name, r.type) for r in dns.record_sets.list(emu.hub_resource_group, zone)]

    assert [("@", "Microsoft.Network/privateDnsZones/SOA")] == listed


def test_zone_counts_its_record_sets(emu, dns, zone):
    dns.record_sets.create_or_update(emu.hub_resource_group, zone, "A", "x",
                                     {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.4"}]}})

    assert 2 == dns.private_zones.get(emu.hub_resource_group, zone).properties.number_of_record_sets


def test_zone_in_a_location_other_than_global_is_bad_request(emu, dns):
    with pytest.raises(HttpResponseError) as caught:
        dns.private_zones.begin_create_or_update(emu.hub_resource_group, ZONE, {"location": "westeurope"}).result()

    assert 400 == caught.value.status_code


def test_get_of_a_missing_zone_raises_resource_not_found(emu, dns):
    with pytest.raises(ResourceNotFoundError):
        dns.private_zones.get(emu.hub_resource_group, "privatelink.nope.net")


def test_zones_list_by_subscription_pages_with_top(emu, dns):
    names = [f"privatelink.z{i}.example.net" for i in range(3)]
    for name in names:
        dns.private_zones.begin_create_or_update("rg-a" if name.endswith("z0.example.net") else "rg-b", name,
                                                 {"location": "global"}).result()
    emu.clear_requests()

    listed = sorted(z.name for z in dns.private_zones.list(top=2))

    assert (names, 2) == (listed, len(emu.requests))


def test_zones_list_by_resource_group_shows_only_that_group(emu, dns, zone):
    dns.private_zones.begin_create_or_update("rg-elsewhere", "privatelink.other.net", {"location": "global"}).result()

    assert [ZONE] == [z.name for z in dns.private_zones.list_by_resource_group(emu.hub_resource_group)]


def test_zone_delete_is_refused_while_a_virtual_network_link_remains(emu, dns, zone):
    dns.virtual_network_links.begin_create_or_update(emu.hub_resource_group, zone, "hub", link_body(emu)).result()

    with pytest.raises(ResourceExistsError) as caught:
        dns.private_zones.begin_delete(emu.hub_resource_group, zone).result()

    assert 409 == caught.value.status_code


def test_zone_delete_removes_the_zone_and_its_record_sets(emu, dns, zone):
    rg = emu.hub_resource_group
    dns.record_sets.create_or_update(rg, zone, "A", "x", {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.4"}]}})

    dns.private_zones.begin_delete(rg, zone).result()
    dns.private_zones.begin_create_or_update(rg, zone, {"location": "global"}).result()

    assert ["@"] == [r.name for r in dns.record_sets.list(rg, zone)]


def test_link_create_answers_202_as_an_operation_and_reads_back(emu, dns, zone):
    rg = emu.hub_resource_group
    status = dns.virtual_network_links.begin_create_or_update(rg, zone, "hub", link_body(emu, True), polling=False,
                                                              cls=status_of).result()

    link = dns.virtual_network_links.get(rg, zone, "hub")

    assert (202, True, VNET.format(sub=emu.hub_subscription), "Succeeded") == (
        status, link.properties.registration_enabled, link.properties.virtual_network.id, link.properties.provisioning_state)


def test_links_list_under_their_zone_and_delete_is_idempotent(emu, dns, zone):
    rg = emu.hub_resource_group
    dns.virtual_network_links.begin_create_or_update(rg, zone, "hub", link_body(emu)).result()
    listed = [link.name for link in dns.virtual_network_links.list(rg, zone)]

    dns.virtual_network_links.begin_delete(rg, zone, "hub").result()
    dns.virtual_network_links.begin_delete(rg, zone, "hub").result()

    assert (["hub"], []) == (listed, [link.name for link in dns.virtual_network_links.list(rg, zone)])


def test_link_without_a_virtual_network_is_bad_request(emu, dns, zone):
    with pytest.raises(HttpResponseError) as caught:
        dns.virtual_network_links.begin_create_or_update(emu.hub_resource_group, zone, "hub",
                                                         {"location": "global", "properties": {}}).result()

    assert 400 == caught.value.status_code
