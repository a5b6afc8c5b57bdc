"""`pedns resolve`'s use case (`shared/usecases/resolve.py`) over the in-memory ports: what it reads,
and what it says when part of the path cannot be read."""

from __future__ import annotations

import pytest

from shared.core.catalogue import Catalogue
from shared.core.model import DnsZone, RecordKey, RecordSet, ResourceId, VirtualNetwork, ZoneLink
from shared.core.resolvers import ForwardingRule, InboundEndpoint, Ruleset
from shared.errors import NotFound
from shared.service import Service
from shared.testing import InMemoryEndpointReader, InMemoryResolverReader, InMemoryZoneStore
from shared.usecases.resolve import resolve
from builders import SuffixResolver

HUB_SUB, SPOKE_SUB = "00000000-0000-4000-8000-0000000000a1", "00000000-0000-4000-8000-0000000000b1"
NET = f"/subscriptions/{SPOKE_SUB}/resourceGroups/rg-net/providers/Microsoft.Network"
HUB_NET = f"/subscriptions/{HUB_SUB}/resourceGroups/rg-hub-net/providers/Microsoft.Network"
SPOKE, HUB_VNET = f"{NET}/virtualNetworks/vnet-spoke", f"{HUB_NET}/virtualNetworks/vnet-hub"
BLOB = "privatelink.blob.core.windows.net"
BLOB_ID = f"/subscriptions/{HUB_SUB}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/{BLOB}"
INBOUND = InboundEndpoint(ResourceId(f"{HUB_NET}/dnsResolvers/r/inboundEndpoints/in"), HUB_VNET, ("10.0.0.4",))


def world(**reader_kw):
    estate = InMemoryEndpointReader()
    estate.zone_rows = [DnsZone(ResourceId(BLOB_ID), BLOB)]
    estate.link_rows = [ZoneLink(ResourceId(f"{BLOB_ID}/virtualNetworkLinks/hub"), HUB_VNET)]
    service = Service(reader=estate, store=InMemoryZoneStore([BLOB]), resolver=SuffixResolver())
    rules = Ruleset(ResourceId(f"{HUB_NET}/dnsForwardingRulesets/rs"), "westeurope",
                    (ForwardingRule(ResourceId(f"{HUB_NET}/dnsForwardingRulesets/rs/forwardingRules/all"), ".",
                                    ("10.0.0.4",)),), (SPOKE,))
    paths = InMemoryResolverReader(
        rulesets=[rules], inbound=[INBOUND], networks=[VirtualNetwork(ResourceId(SPOKE))],
        records={(BLOB_ID.lower(), "acct"): (RecordSet(RecordKey(BLOB, "acct"), ("10.1.0.4",), 10),)}, **reader_kw)
    return service, paths


def run(service, paths, network=SPOKE):
    return resolve(service, paths, name="ACCT.blob.core.windows.net.", network_id=ResourceId(network),
                   alias_of=Catalogue.for_cloud().alias, hub_subscription=HUB_SUB, hub_resource_group="rg-hub-dns",
                   hub_servers=("10.0.0.4",))


def test_the_use_case_reads_the_path_and_the_one_record_set_it_reaches():
    result = run(*world())

    assert ("private", ("10.1.0.4",), "acct.blob.core.windows.net") == (result.verdict, result.ips, result.name)


@pytest.mark.parametrize(("fails", "says"), [("rulesets", "forwarding rulesets"), ("record_sets", "record sets acct")])
def test_a_read_that_fails_on_the_path_is_an_unknown_verdict_that_names_it(fails, says):
    result = run(*world(fail=[fails]))

    assert "unknown" == result.verdict
    assert says in result.why and "AuthorizationFailed" in result.why


def test_without_the_inbound_endpoints_the_walk_does_not_guess_where_the_hubs_server_asks_from():
    result = run(*world(fail=["inbound_endpoints"]))

    assert "unknown" == result.verdict
    assert "which network the hub's DNS servers ask from" in result.why


def test_a_network_that_does_not_exist_raises():
    service, paths = world()

    with pytest.raises(NotFound):
        run(service, paths, network=f"{NET}/virtualNetworks/vnet-gone")
