"""`pedns audit` end to end: an estate on the emulator with one example of each finding and the
look-alikes that must not be reported; the audit finds exactly those, and only reads."""

from __future__ import annotations

import json

import pytest

from integration.test_cli import pedns
from emulator import Emulator
from tools.lab import Lab

pytestmark = pytest.mark.integration

BLOB, VAULT, SQL = "privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net", "privatelink.database.windows.net"
HUB_RESOLVER, HUB_RESOLVER_V6 = "10.0.0.4", "fd00::4"


def put(emu, path: str, body: dict, api: str) -> None:
    status, answer = emu.apply("PUT", path, body, api_version=api)
    assert status in (200, 201, 202), answer  # zone and link writes are long-running (202)


def vnet_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


def zone_path(sub: str, rg: str, zone: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{zone}"


def network(emu, vid: str, dns: list[str] | None) -> None:
    body: dict = {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}
    if dns is not None:
        body["properties"]["dhcpOptions"] = {"dnsServers": dns}
    put(emu, vid, body, "2024-05-01")


def link(emu, zone: str, vid: str) -> None:
    put(emu, f"{zone}/virtualNetworkLinks/{vid.rsplit('/', 1)[-1]}",
        {"location": "global", "properties": {"virtualNetwork": {"id": vid}, "registrationEnabled": False}},
        "2024-06-01")


@pytest.fixture
def estate(emu):
    return seed_estate(emu)


def seed_estate(emu) -> dict[str, str]:
    """One example of each finding and its look-alikes; returns the hub settings the audit needs."""
    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)  # a hub with only the zones below
    hub, spoke, rg = emu.hub_subscription, emu.spoke_subscription, emu.hub_resource_group
    hub_a, hub_b = vnet_id(hub, "rg-hub-net", "vnet-hub-a"), vnet_id(hub, "rg-hub-net", "vnet-hub-b")
    spoke_vnet = vnet_id(spoke, "rg-net", "vnet-spoke")
    for vid, dns in ((hub_a, None), (hub_b, None), (spoke_vnet, ["8.8.8.8"]),
                     (vnet_id(spoke, "rg-net", "vnet-azure-dns"), None),
                     (vnet_id(spoke, "rg-net", "vnet-via-hub"), [HUB_RESOLVER, "1.1.1.1"]),
                     (vnet_id(spoke, "rg-net", "vnet-via-hub-v6"), ["FD00:0::4"])):  # the v6 resolver, spelt long
        network(emu, vid, dns)
    lab.create_zones(BLOB, VAULT, SQL)
    for zone in (BLOB, VAULT):
        for vid in (hub_a, hub_b):
            link(emu, zone_path(hub, rg, zone), vid)
    link(emu, zone_path(hub, rg, SQL), hub_a)  # not linked to vnet-hub-b
    shadow = zone_path(spoke, "rg-spoke-dns", BLOB)
    put(emu, shadow, {"location": "global"}, "2024-06-01")
    link(emu, shadow, spoke_vnet)
    put(emu, zone_path(spoke, "rg-spoke-dns", VAULT), {"location": "global"}, "2024-06-01")  # no links
    other = zone_path(spoke, "rg-spoke-dns", "corp.internal")
    put(emu, other, {"location": "global"}, "2024-06-01")
    link(emu, other, spoke_vnet)

    published = lab.blob_endpoint("pe-published", "published", "10.1.0.4")
    lab.put_endpoint(published)
    with_group = lab.blob_endpoint("pe-zonegroup", "grouped", "10.1.0.5")
    lab.put_endpoint(with_group)
    put(emu, f"{with_group['id']}/privateDnsZoneGroups/default", {"properties": {"privateDnsZoneConfigs": [
        {"name": "blob", "properties": {"privateDnsZoneId": shadow}}]}}, "2024-05-01")
    cosmos = f"/subscriptions/{spoke}/resourceGroups/rg-data/providers/Microsoft.DocumentDB/databaseAccounts/orders"
    lab.put_endpoint(lab.endpoint_body("pe-cosmos", target=cosmos, group="Sql",
                                       dns={"orders.documents.azure.com": ["10.1.0.6"]}))
    lab.put_record(BLOB, "published", ["10.1.0.4"], metadata={"pednsowner": "pedns"})
    lab.put_record(BLOB, "legacy", ["10.1.0.5"], metadata={"createdBy": "ticket CHG-1042"})  # an endpoint's IP
    lab.put_record(VAULT, "old-thing", ["10.99.0.9"])
    emu.add_autoregistered_record(BLOB, "vm-web-1", ["10.1.5.9"])
    lab.close()
    return {"PEDNS_HUB_VNET_IDS": f"{hub_a},{hub_b}", "PEDNS_HUB_DNS_SERVERS": f"{HUB_RESOLVER},{HUB_RESOLVER_V6}"}


@pytest.mark.graph_lag_ms(0)  # audits at once the estate it has just seeded
def test_the_audit_finds_exactly_one_of_each_and_changes_nothing(emu, estate):
    emu.clear_requests()

    result = pedns("audit", "--json", env={**emu.env(), **estate})

    assert 0 == result.returncode, result.stderr
    doc = json.loads(result.stdout)
    hub, spoke, rg = emu.hub_subscription, emu.spoke_subscription, emu.hub_resource_group
    assert [
        ("shadow-zone", zone_path(spoke, "rg-spoke-dns", BLOB).lower()),
        ("zone-not-linked", zone_path(hub, rg, SQL).lower()),
        ("vnet-dns-bypass", vnet_id(spoke, "rg-net", "vnet-spoke").lower()),
        ("zone-group-elsewhere", f"/subscriptions/{spoke}/resourcegroups/rg-app/providers/microsoft.network/"
                                 f"privateendpoints/pe-zonegroup"),
        ("stale-record", f"{zone_path(hub, rg, VAULT)}/A/old-thing".lower()),
        ("missing-zone", zone_path(hub, rg, "privatelink.documents.azure.com").lower()),
    ] == [(f["code"], f["resource"].lower()) for f in doc["findings"]]
    assert all(f["remedy"] and f["detail"] for f in doc["findings"])
    assert {"endpointsWaiting": 1} == {k: v for k, v in doc["findings"][-1].items() if k == "endpointsWaiting"}
    assert ({}, {}, True) == (doc["skipped"], doc["notRun"], doc["complete"])
    assert [] == [(m, p) for m, p, _ in emu.requests if m != "GET" and "resourcegraph" not in p.lower()]


def test_without_the_hub_settings_the_checks_that_need_them_are_skipped_and_said(emu, estate):
    result = pedns("audit", env=emu.env())

    assert 0 == result.returncode, result.stderr
    assert "skipped zone-not-linked: PEDNS_HUB_VNET_IDS is not set" in result.stdout
    assert "skipped vnet-dns-bypass: PEDNS_HUB_DNS_SERVERS is not set" in result.stdout
    assert "vnet-dns-bypass " not in result.stdout.replace("skipped vnet-dns-bypass", "")


@pytest.mark.graph_lag_ms(0)  # audits at once the estate it has just seeded
def test_networks_the_audit_cannot_see_make_it_say_which_checks_could_not_run_fully_and_exit_1(emu, estate):
    hidden = vnet_id(emu.spoke_subscription, "rg-net", "vnet-spoke")
    emu.apply("DELETE", hidden, api_version="2024-05-01")  # as if the audit reader role were missing there

    result = pedns("audit", "--json", env={**emu.env(), **estate})

    doc = json.loads(result.stdout)
    assert 1 == result.returncode
    assert {"shadow-zone", "vnet-dns-bypass"} == set(doc["notRun"])
    assert "audit reader role" in doc["notRun"]["shadow-zone"]
    assert not any(f["code"] == "vnet-dns-bypass" for f in doc["findings"])  # the hidden one is not judged


def test_a_network_using_the_hub_resolver_spelt_another_way_is_no_dns_bypass(emu, estate):
    result = pedns("audit", "--json", env={**emu.env(), **estate})

    doc = json.loads(result.stdout)
    assert 0 == result.returncode, result.stderr
    assert [vnet_id(emu.spoke_subscription, "rg-net", "vnet-spoke").lower()] == [
        f["resource"].lower() for f in doc["findings"] if f["code"] == "vnet-dns-bypass"]  # not vnet-via-hub-v6
    assert 4 == doc["checked"]["networks"]  # the spoke's four: the hub's are out of scope


@pytest.mark.graph_lag_ms(0)  # audits at once the estate it has just seeded
def test_one_network_the_audit_cannot_see_leaves_the_findings_of_the_others_and_exits_1(emu, estate):
    hidden = vnet_id(emu.spoke_subscription, "rg-net", "vnet-via-hub")
    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
    inside = lab.blob_endpoint("pe-hidden-net", "hiddennet", "10.1.0.8", vnet="vnet-via-hub")
    lab.put_endpoint(inside)
    lab.close()
    emu.apply("DELETE", hidden, api_version="2024-05-01")  # as if the audit reader role were missing there

    result = pedns("audit", "--json", env={**emu.env(), **estate})

    doc = json.loads(result.stdout)
    assert 1 == result.returncode
    assert [vnet_id(emu.spoke_subscription, "rg-net", "vnet-spoke").lower()] == [
        f["resource"].lower() for f in doc["findings"] if f["code"] == "vnet-dns-bypass"]
    assert (3, 1) == (doc["checked"]["networks"], doc["checked"]["unreadableNetworks"])
    assert doc["notRun"]["vnet-dns-bypass"].startswith(f"1 virtual network could not be read: {hidden} (not listed")
    assert [(hidden, [inside["id"]])] == [(n["id"], n["endpoints"]) for n in doc["unreadableNetworks"]]


@pytest.mark.parametrize(("servers", "why"), [
    ("10.0.0.4", "dhcpOptions.dnsServers is a str, not a list"),
    (["10.0.0.4", 167772164], "dhcpOptions.dnsServers[1] is a int, not a string")], ids=["not-a-list", "not-a-string"])
def test_a_listed_network_pedns_cannot_parse_is_not_judged_and_the_others_are(tmp_path, servers, why):
    state = tmp_path / "state.json"  # seeded through the emulator, then made malformed in its state file
    with Emulator(state_file=state) as first:
        hub_settings = seed_estate(first)
        odd = vnet_id(first.spoke_subscription, "rg-net", "vnet-azure-dns")
    doc = json.loads(state.read_text())
    doc["virtualNetworks"][odd.lower()]["properties"]["dhcpOptions"] = {"dnsServers": servers}
    state.write_text(json.dumps(doc))

    with Emulator(state_file=state) as emu:
        result = pedns("audit", env={**emu.env(), **hub_settings})

    assert (1, False) == (result.returncode, "Traceback" in result.stderr)
    assert f"not run vnet-dns-bypass: 1 virtual network could not be read: {odd} ({why}); " \
           f"every other network was checked" in result.stdout
    assert "not run shadow-zone" not in result.stdout  # its subscription was listed, so were its zones and links
    assert f"vnet-dns-bypass       {vnet_id(emu.spoke_subscription, 'rg-net', 'vnet-spoke')}" in result.stdout
