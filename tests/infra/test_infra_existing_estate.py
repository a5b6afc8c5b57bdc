"""What the hub meets in an estate that has DNS already: zones linked to the hub networks under names
the template does not know. Azure allows one link per zone and network, so the template must leave
those pairs alone, and the example must not invite creating links over an existing hub's."""

from __future__ import annotations

import json

import pytest

from infra_templates import INFRA, evaluate, parse, unwrap

pytestmark = pytest.mark.infra

BLOB = "privatelink.blob.core.windows.net"
VAULT = "privatelink.vaultcore.azure.net"
WEU = "/subscriptions/1a1a1a1a-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network/virtualNetworks/vnet-hub-weu"
NEU = "/subscriptions/1a1a1a1a-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-neu/providers/Microsoft.Network/virtualNetworks/vnet-hub-neu"


def links_deployed(zone_names, hub_vnet_ids, existing_links):
    """(zone, network id) of every link modules/dns-zones.bicep deploys for these parameters."""
    relpath = "modules/dns-zones.bicep"
    template = parse(relpath)
    config = template["resources"]["links"]["config"]
    params = {"zoneNames": zone_names, "hubVnetIds": hub_vnet_ids, "existingLinks": existing_links}
    count = evaluate(template, relpath, config["loop_type"]["detail"]["count"], params)
    body = unwrap(config)
    deployed = []
    for i in range(count):
        scope = {**params, "i": i}
        if evaluate(template, relpath, config["condition"], scope):
            zone = evaluate(template, relpath, body["parent"]["operator"]["operands"]["operand_2"], scope)
            deployed.append((zone_names[zone], evaluate(template, relpath, body["properties"]["virtualNetwork"]["id"], scope)))
    return deployed


def test_every_zone_is_linked_to_every_hub_network_when_nothing_is_linked_yet():
    assert [(BLOB, WEU), (BLOB, NEU), (VAULT, WEU), (VAULT, NEU)] == links_deployed([BLOB, VAULT], [WEU, NEU], {})


def test_a_pair_already_linked_under_another_name_gets_no_second_link():
    existing = {BLOB.upper(): [WEU.lower()], VAULT: [WEU.lower(), NEU.lower()]}  # zone keys: any case

    assert [(BLOB, NEU)] == links_deployed([BLOB, VAULT], [WEU, NEU], existing)


def test_no_networks_no_links():
    assert [] == links_deployed([BLOB], [], {})


def test_the_hub_passes_the_existing_links_to_the_zones_module_and_none_by_default():
    hub = parse("hub/main.bicep")
    zones = unwrap(hub["modules"]["zones"]["config"])

    assert "existingZoneLinks" == zones["params"]["existingLinks"]
    assert ("object", {}) == (hub["parameters"]["existingZoneLinks"]["type"], hub["parameters"]["existingZoneLinks"]["default"])


def test_the_example_hub_creates_no_zones():
    """The example is an existing hub's: zones (and their links) exist, so it lists none to create."""
    example = json.loads((INFRA / "examples" / "hub.parameters.json").read_text())["parameters"]

    assert [] == example.get("zoneNames", {"value": []})["value"]
