"""Resource groups: PUT, GET and HEAD of `/subscriptions/{s}/resourceGroups/{rg}` in Microsoft.Resources'
shape, and ARM's 404 `ResourceGroupNotFound` for a read or list under a group that does not exist
(where the emulator used to answer 200 with an empty list)."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ResourceNotFoundError
from emu_helpers import AUTH, DNS_API, NETWORK_API, ZONE, pe_body, pe_path, raw, send

from emulator import Emulator

RESOURCES_API = "2021-04-01"


def group_path(emu: Emulator, rg: str, sub: str | None = None) -> str:
    return f"/subscriptions/{sub or emu.hub_subscription}/resourceGroups/{rg}"


def test_put_creates_a_group_in_arms_shape_with_201_then_answers_200(emu, arm):
    created = send(arm, "PUT", group_path(emu, "rg-new"), {"location": "westeurope", "tags": {"env": "dev"}},
                   api=RESOURCES_API)
    again = send(arm, "PUT", group_path(emu, "RG-NEW"), {"location": "westeurope"}, api=RESOURCES_API)

    assert (201, {"id": group_path(emu, "rg-new"), "name": "rg-new", "type": "Microsoft.Resources/resourceGroups",
                  "location": "westeurope", "tags": {"env": "dev"},
                  "properties": {"provisioningState": "Succeeded"}}) == created
    assert (200, "rg-new", None) == (again[0], again[1]["name"], again[1].get("tags"))
    assert (200, again[1]) == send(arm, "GET", group_path(emu, "rg-new"), api=RESOURCES_API)


def test_head_answers_204_for_a_group_and_404_for_none(emu):
    def head(rg: str) -> int:
        return raw(emu, "HEAD", f"{group_path(emu, rg)}?api-version={RESOURCES_API}", headers=AUTH)[0]

    assert (204, 404) == (head(emu.hub_resource_group), head("rg-ghost"))


def test_get_of_a_group_never_created_is_resource_group_not_found(emu, arm):
    assert (404, {"error": {"code": "ResourceGroupNotFound", "message": "Resource group 'rg-ghost' could not be found."}}
            ) == send(arm, "GET", group_path(emu, "rg-ghost"), api=RESOURCES_API)


@pytest.mark.parametrize("body, answer", [
    ({}, (400, "LocationRequired")),
    ({"location": "northeurope"}, (409, "InvalidResourceGroupLocation")),
], ids=["no-location", "another-location"])
def test_a_put_arm_would_refuse_is_refused(emu, arm, body, answer):
    send(arm, "PUT", group_path(emu, "rg-app"), {"location": "westeurope"}, api=RESOURCES_API)

    status, error = send(arm, "PUT", group_path(emu, "rg-app"), body, api=RESOURCES_API)

    assert answer == (status, error["error"]["code"])


def test_an_api_version_microsoft_resources_does_not_have_is_refused(emu, arm):
    status, body = send(arm, "GET", group_path(emu, emu.hub_resource_group), api=DNS_API)

    assert (400, "InvalidApiVersionParameter") == (status, body["error"]["code"])


def test_the_hub_group_exists_from_the_start(emu, arm):
    status, body = send(arm, "GET", group_path(emu, emu.hub_resource_group), api=RESOURCES_API)

    assert (200, emu.hub_resource_group) == (status, body["name"])


@pytest.mark.parametrize("what", ["zones", "zone", "records", "record", "links", "endpoints", "endpoint", "networks"])
def test_a_read_under_a_group_never_created_is_resource_group_not_found(emu, arm, what):
    """The repro: listing the zones of a group that does not exist answered 200 `{"value": []}`, so
    `pedns records` printed "(no record sets)" and exited 0."""
    hub = f"{group_path(emu, 'rg-ghost')}/providers/Microsoft.Network"
    spoke = f"{group_path(emu, 'rg-ghost', emu.spoke_subscription)}/providers/Microsoft.Network"
    path, api = {
        "zones": (f"{hub}/privateDnsZones", DNS_API), "zone": (f"{hub}/privateDnsZones/{ZONE}", DNS_API),
        "records": (f"{hub}/privateDnsZones/{ZONE}/A", DNS_API), "record": (f"{hub}/privateDnsZones/{ZONE}/A/x", DNS_API),
        "links": (f"{hub}/privateDnsZones/{ZONE}/virtualNetworkLinks", DNS_API),
        "endpoints": (f"{spoke}/privateEndpoints", NETWORK_API), "endpoint": (f"{spoke}/privateEndpoints/pe1", NETWORK_API),
        "networks": (f"{spoke}/virtualNetworks", NETWORK_API),
    }[what]

    status, body = send(arm, "GET", path, api=api)

    assert (404, {"code": "ResourceGroupNotFound", "message": "Resource group 'rg-ghost' could not be found."}) == (
        status, body["error"])


def test_the_sdk_sees_resource_group_not_found(emu, dns):
    with pytest.raises(ResourceNotFoundError) as caught:
        list(dns.private_zones.list_by_resource_group("rg-ghost"))

    assert "ResourceGroupNotFound" == caught.value.error.code


def test_a_resource_put_under_a_new_group_creates_the_group(emu, arm):
    """Lenient, for seeding (ARM would answer ResourceGroupNotFound): the endpoint's group exists after."""
    assert 201 == send(arm, "PUT", pe_path(emu, "pe1", rg="rg-seeded"), pe_body())[0]

    status, group = send(arm, "GET", group_path(emu, "rg-seeded", emu.spoke_subscription), api=RESOURCES_API)
    listed = send(arm, "GET", pe_path(emu, "pe1", rg="rg-seeded").rsplit("/", 1)[0])

    assert (200, "rg-seeded", "global") == (status, group["name"], group["location"])
    assert ["pe1"] == [pe["name"] for pe in listed[1]["value"]]


def test_a_refused_resource_put_creates_no_group(emu, arm):
    assert 400 == send(arm, "PUT", pe_path(emu, "pe1", rg="rg-refused"), {"properties": {}})[0]

    assert 404 == send(arm, "GET", group_path(emu, "rg-refused", emu.spoke_subscription), api=RESOURCES_API)[0]


def test_a_state_file_from_before_groups_gets_the_groups_of_its_resources(tmp_path):
    state = tmp_path / "state.json"
    with Emulator(state_file=state, hub_resource_group="rg-Old-Hub") as first:
        first.apply("PUT", f"/subscriptions/{first.hub_subscription}/resourceGroups/rg-Old-Hub/providers/"
                           f"Microsoft.Network/privateDnsZones/{ZONE}", {"location": "global"})
    saved = json.loads(state.read_text())
    del saved["resourceGroups"]
    state.write_text(json.dumps(saved))

    with Emulator(state_file=state) as second:
        status, body = second.apply("GET", f"/subscriptions/{second.hub_subscription}/resourceGroups/RG-OLD-HUB/"
                                           "providers/Microsoft.Network/privateDnsZones")
        group = second.apply("GET", f"/subscriptions/{second.hub_subscription}/resourceGroups/rg-old-hub",
                             api_version=RESOURCES_API)[1]

    assert (200, [ZONE], "rg-Old-Hub") == (status, [z["name"] for z in body["value"]], group["name"])
