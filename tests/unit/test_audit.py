"""The audit's pure checks, each with its look-alikes, and the reading side over the in-memory ports."""

from __future__ import annotations

import pytest

from builders import SPOKE, SuffixResolver, endpoint
from shared.usecases.audit import audit
from shared.core.findings import CHECKS, REMEDIES, EstateView, findings
from shared.core.model import DnsZone, RecordKey, RecordSet, ResourceId, UnreadableNetwork, VirtualNetwork, ZoneLink
from shared.service import Service
from shared.testing import InMemoryEndpointReader, InMemoryZoneStore

HUB = "00000000-0000-4000-8000-0000000000a1"
HUB_RG = f"/subscriptions/{HUB}/resourceGroups/rg-hub-dns"
BLOB = "privatelink.blob.core.windows.net"


def zone(sub: str, rg: str, name: str) -> DnsZone:
    return DnsZone(ResourceId(f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{name}"),
                   name)


def vnet(name: str, dns: tuple[str, ...] = ()) -> VirtualNetwork:
    return VirtualNetwork(ResourceId(f"/subscriptions/{SPOKE}/resourceGroups/rg-net/providers/Microsoft.Network/"
                                     f"virtualNetworks/{name}"), dns)


def link_of(z: DnsZone, network: VirtualNetwork) -> ZoneLink:
    return ZoneLink(ResourceId(f"{z.id.value}/virtualNetworkLinks/{network.id.name}"), network.id.value)


def view(**kw) -> EstateView:
    base = dict(endpoints=[], addresses=set(), zones=[], links=[], networks=[], hub_resource_group_id=HUB_RG,
                hub_zones={BLOB}, hub_records=[], hub_links={})
    return EstateView(**{**base, **kw})


def codes(report) -> list[tuple[str, str]]:
    return [(f.code, ResourceId(f.resource).name) for f in report.findings]


def run(v: EstateView, **kw):
    service = Service(reader=InMemoryEndpointReader(), store=InMemoryZoneStore(), resolver=SuffixResolver())
    return findings(v, desire_of=service.desire_of, catalogue_zones=[BLOB, "privatelink.vaultcore.azure.net"], **kw)


def test_a_linked_privatelink_zone_outside_the_hub_is_a_shadow_zone_and_its_look_alikes_are_not():
    spoke_vnet = vnet("vnet-spoke")
    shadow, unlinked = zone(SPOKE, "rg-dns", BLOB), zone(SPOKE, "rg-dns2", "privatelink.vaultcore.azure.net")
    private, hub = zone(SPOKE, "rg-dns", "corp.internal"), zone(HUB, "rg-hub-dns", BLOB)

    report = run(view(zones=[shadow, unlinked, private, hub],
                      links=[link_of(shadow, spoke_vnet), link_of(private, spoke_vnet), link_of(hub, spoke_vnet)]))

    assert [("shadow-zone", BLOB)] == codes(report)
    assert [spoke_vnet.id.value] == report.findings[0].extra["linkedNetworks"]


def test_a_hub_zone_missing_a_link_to_a_hub_network_is_reported_with_the_missing_network():
    a, b = "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/a", \
           "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/virtualNetworks/b"

    report = run(view(hub_zones={BLOB, "privatelink.vaultcore.azure.net"},
                      hub_links={BLOB: {a.lower(), b.lower()}, "privatelink.vaultcore.azure.net": {a.lower()}}),
                 hub_vnet_ids=[a, b])

    assert [("zone-not-linked", "privatelink.vaultcore.azure.net")] == codes(report)
    assert [b] == report.findings[0].extra["missingNetworks"]


@pytest.mark.parametrize(("servers", "reported"), [
    (("8.8.8.8",), True), ((), False), (("10.0.0.4",), False), (("1.1.1.1", "10.0.0.4"), False)],
    ids=["other-servers", "azure-provided", "hub-resolver", "hub-among-others"])
def test_a_network_with_dns_servers_that_bypass_the_hub(servers, reported):
    report = run(view(networks=[vnet("v", servers)]), hub_dns_servers=["10.0.0.4"])

    assert ([("vnet-dns-bypass", "v")] if reported else []) == codes(report)


@pytest.mark.parametrize(("hub", "servers", "reported"), [
    ("fd00::4", ("FD00:0::4",), False), ("FD00:0:0::4", ("fd00::4",), False),
    ("10.0.0.4", (" 10.0.0.4",), False), ("fd00::4", ("fd00::5",), True),
    ("10.0.0.4", ("dns.corp.example",), True), ("10.0.0.4", ("not an address", "10.0.0.4"), False)],
    ids=["network-spells-v6-long", "hub-spells-v6-long", "padded-v4", "other-v6",
         "hostname-is-not-the-hub", "garbage-beside-the-hub"])
def test_dns_servers_are_compared_as_addresses_and_text_that_is_no_address_as_it_is(hub, servers, reported):
    report = run(view(networks=[vnet("v", servers)]), hub_dns_servers=[hub])

    assert ([("vnet-dns-bypass", "v")] if reported else []) == codes(report)


def test_hub_dns_servers_that_are_no_addresses_are_compared_as_text_not_a_crash():
    report = run(view(networks=[vnet("same", ("resolver.hub",)), vnet("other", ("8.8.8.8",))]),
                 hub_dns_servers=["resolver.hub"])

    assert [("vnet-dns-bypass", "other")] == codes(report)


def test_unset_hub_settings_skip_their_checks_and_say_so():
    report = run(view(networks=[vnet("v", ("8.8.8.8",))]))

    assert ([], {"zone-not-linked", "vnet-dns-bypass"}) == (codes(report), set(report.skipped))


def test_a_zone_group_writing_outside_the_hub_is_reported_and_one_writing_into_the_hub_is_not():
    pe, other = endpoint("grouped"), endpoint("hubgroup")
    outside = zone(SPOKE, "rg-dns", BLOB).id.value
    inside = zone(HUB, "rg-hub-dns", BLOB).id.value

    report = run(view(zone_groups={pe.id: (outside,), other.id: (inside,)}))

    assert [("zone-group-elsewhere", "grouped")] == codes(report)


def test_a_record_no_endpoint_has_the_address_of_is_stale_whoever_wrote_it():
    def record(name: str, *ips: str, **kw) -> RecordSet:
        return RecordSet(RecordKey(BLOB, name), ips, 10, "e", **kw)

    report = run(view(addresses={"10.0.1.4"}, hub_records=[
        record("gone", "10.9.9.9", metadata={"createdBy": "ticket"}), record("live", "10.0.1.4"),
        record("partly", "10.0.1.4", "10.9.9.8"), record("vm", "10.7.7.7", auto_registered=True)]))

    assert [("stale-record", "gone")] == codes(report)


def test_a_zone_endpoints_need_that_the_hub_lacks_counts_the_endpoints_waiting():
    pes = [endpoint("a", {"a.vault.azure.net": ["10.0.1.4"]}), endpoint("b", {"b.vault.azure.net": ["10.0.1.5"]}),
           endpoint("c")]

    report = run(view(endpoints=pes))

    assert [("missing-zone", "privatelink.vaultcore.azure.net")] == codes(report)
    assert 2 == report.findings[0].extra["endpointsWaiting"]


def test_every_code_has_a_remedy_and_findings_come_in_check_order():
    assert set(CHECKS) == set(REMEDIES)


def _service(reader: InMemoryEndpointReader, store: InMemoryZoneStore) -> Service:
    return Service(reader=reader, store=store, resolver=SuffixResolver())


def test_the_audit_reads_zone_groups_only_for_endpoints_the_hub_does_not_serve():
    reader, store = InMemoryEndpointReader(), InMemoryZoneStore([BLOB])
    served, unserved = endpoint("served"), endpoint("unserved", zone_group=True)
    for pe in (served, unserved):
        reader.put(pe)
    reader.network_rows = [vnet("vnet-spoke")]
    _service(reader, store).converge(served.id)
    reader.reads.clear()

    report = audit(_service(reader, store), hub_subscription=HUB, hub_resource_group="rg-hub-dns",
                   catalogue_zones=[BLOB])

    assert ([unserved.id], 1) == (reader.reads, report.checked["zoneGroupsRead"])
    assert not store.writes[1:]  # the audit wrote nothing (the one write is the converge above)


def test_hub_links_the_identity_cannot_read_mean_zone_not_linked_did_not_run():
    reader, store = InMemoryEndpointReader(), InMemoryZoneStore([BLOB])
    store.links_readable = False

    report = audit(_service(reader, store), hub_subscription=HUB, hub_resource_group="rg-hub-dns",
                   catalogue_zones=[BLOB], hub_vnet_ids=["/subscriptions/x/resourceGroups/n/providers/"
                                                          "Microsoft.Network/virtualNetworks/a"])

    assert (["zone-not-linked"], False, []) == (list(report.not_run), report.complete, codes(report))


def test_a_check_skipped_for_its_unset_setting_is_not_also_reported_as_not_run():
    report = run(view(networks=[], not_run={"vnet-dns-bypass": "cannot read the networks",
                                              "shadow-zone": "cannot read the networks"}))

    assert ({"shadow-zone"}, "vnet-dns-bypass" in report.skipped) == (set(report.not_run), True)


def _estate(*rows: VirtualNetwork | UnreadableNetwork) -> tuple[InMemoryEndpointReader, InMemoryZoneStore]:
    """An endpoint in each of vnet-bypass, vnet-hidden and vnet-odd; the listing shows `rows`."""
    reader, store = InMemoryEndpointReader(), InMemoryZoneStore([BLOB])
    for name in ("bypass", "hidden", "odd"):
        reader.put(endpoint(name, vnet=f"vnet-{name}"))
    reader.network_rows = list(rows)
    return reader, store


def _audit(reader: InMemoryEndpointReader, store: InMemoryZoneStore):
    return audit(_service(reader, store), hub_subscription=HUB, hub_resource_group="rg-hub-dns",
                 catalogue_zones=[BLOB], hub_dns_servers=["10.0.0.4"])


def bypassed(report) -> list[str]:
    return [name for code, name in codes(report) if code == "vnet-dns-bypass"]


def test_a_network_the_listing_does_not_show_leaves_the_other_networks_findings_and_is_not_run():
    reader, store = _estate(vnet("vnet-bypass", ("8.8.8.8",)), vnet("vnet-odd"), vnet("vnet-fine", ("10.0.0.4",)))

    report = _audit(reader, store)

    assert ["vnet-bypass"] == bypassed(report)
    assert (3, 1, False) == (report.checked["networks"], report.checked["unreadableNetworks"], report.complete)
    assert {"shadow-zone", "vnet-dns-bypass"} == set(report.not_run)
    assert report.not_run["vnet-dns-bypass"].startswith("1 virtual network could not be read: ")
    assert [(vnet("vnet-hidden").id.value, [endpoint("hidden").id.value])] == [
        (n["id"], n["endpoints"]) for n in report.to_json()["unreadableNetworks"]]


def test_a_listed_network_pedns_cannot_parse_is_not_judged_and_the_others_are():
    odd = UnreadableNetwork(vnet("vnet-odd").id, "dhcpOptions.dnsServers is a str, not a list")
    reader, store = _estate(vnet("vnet-bypass", ("8.8.8.8",)), vnet("vnet-hidden"), odd)

    report = _audit(reader, store)

    assert ["vnet-bypass"] == bypassed(report)
    assert (2, 1, False) == (report.checked["networks"], report.checked["unreadableNetworks"], report.complete)
    assert ["vnet-dns-bypass"] == list(report.not_run)  # its subscription was listed: zones and links were too
    assert f"1 virtual network could not be read: {odd.id} ({odd.message})" in report.not_run["vnet-dns-bypass"]


def test_the_not_run_line_counts_every_unreadable_network_and_names_the_first_few():
    reader, store = _estate(vnet("vnet-bypass", ("8.8.8.8",)))
    for i in range(6):
        reader.put(endpoint(f"gone{i}", vnet=f"vnet-gone{i}"))

    report = _audit(reader, store)

    line = report.not_run["vnet-dns-bypass"]
    assert (["vnet-bypass"], 8) == (bypassed(report), report.checked["unreadableNetworks"])
    assert line.startswith("8 virtual networks could not be read: ") and "; and 3 more; " in line
