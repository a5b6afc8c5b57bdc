"""The resolution path walk (`shared/core/walk.py`), pure: one named scenario per rule."""

from __future__ import annotations

import pytest

from shared.core.catalogue import Catalogue
from shared.core.model import DnsZone, RecordSet, RecordKey, ResourceId, VirtualNetwork, ZoneLink
from shared.core.resolvers import ForwardingRule, InboundEndpoint, Ruleset, matching_rule, under
from shared.core.walk import PathView, walk

SUB = "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network"
HUB_RG = "/subscriptions/00000000-0000-4000-8000-0000000000a1/resourceGroups/rg-hub-dns"
HUB_VNET, SPOKE = f"{SUB}/virtualNetworks/vnet-hub", f"{SUB}/virtualNetworks/vnet-spoke"
BLOB = "privatelink.blob.core.windows.net"
BLOB_ID = f"{HUB_RG}/providers/Microsoft.Network/privateDnsZones/{BLOB}"
INBOUND = InboundEndpoint(ResourceId(f"{SUB}/dnsResolvers/r/inboundEndpoints/in"), HUB_VNET, ("10.0.0.4",))
NAME = "acct.blob.core.windows.net"


def rule(name: str, domain: str, *targets: str, enabled: bool = True) -> ForwardingRule:
    return ForwardingRule(ResourceId(f"{SUB}/dnsForwardingRulesets/rs/forwardingRules/{name}"), domain, targets, enabled)


def ruleset(*rules: ForwardingRule, networks: tuple[str, ...] = (SPOKE,)) -> Ruleset:
    return Ruleset(ResourceId(f"{SUB}/dnsForwardingRulesets/rs"), "westeurope", rules, networks)


def link(network: str, policy: str = "Default", zone_id: str = BLOB_ID) -> ZoneLink:
    return ZoneLink(ResourceId(f"{zone_id}/virtualNetworkLinks/{network.rsplit('/', 1)[-1]}"), network, False, policy)


def view(*, dns: tuple[str, ...] = (), rulesets: tuple[Ruleset, ...] = (), links: tuple[ZoneLink, ...] = (link(HUB_VNET),),
         records: tuple[RecordSet, ...] | None = (), name: str = NAME, **kw) -> PathView:
    v = PathView(name=name, network=VirtualNetwork(ResourceId(SPOKE), dns), alias=Catalogue.for_cloud().alias(name),
                 zones=[DnsZone(ResourceId(BLOB_ID), BLOB)], links=list(links), rulesets=list(rulesets),
                 inbound=[INBOUND], hub_servers=("10.0.0.4",), hub_resource_group_id=HUB_RG, **kw)
    if records is not None:
        v.records[(BLOB_ID.lower(), "acct")] = records
    return v


A = RecordSet(RecordKey(BLOB, "acct"), ("10.1.0.4",), 10)


def test_a_spoke_using_the_hubs_inbound_endpoint_gets_the_private_address():
    result = walk(view(dns=("10.0.0.4",), records=(A,)))

    assert ("private", ("10.1.0.4",), BLOB_ID) == (result.verdict, result.ips, result.zone_id)
    assert "inbound endpoint" in result.steps[1] and HUB_VNET in result.steps[1]


def test_the_longest_matching_rule_wins_over_a_shorter_one_that_diverts():
    rules = (rule("wide", "blob.core.windows.net.", "192.168.1.10"),
             rule("narrow", "acct.blob.core.windows.net.", "10.0.0.4"))

    result = walk(view(rulesets=(ruleset(*rules),), records=(A,)))

    assert "private" == result.verdict
    assert "rule narrow" in result.steps[1]


def test_the_longest_matching_rule_wins_when_it_diverts():
    rules = (rule("wide", "windows.net.", "10.0.0.4"), rule("blob", "blob.core.windows.net.", "192.168.1.10"))

    result = walk(view(rulesets=(ruleset(*rules),), records=(A,)))

    assert "forwarded-elsewhere" == result.verdict
    assert any("192.168.1.10" in a for a in result.assumptions)


@pytest.mark.parametrize(("domain", "matches"), [
    ("blob.core.windows.net.", True), (".", True), ("core.windows.net.", True), ("ACCT.blob.core.windows.net", True),
    ("myblob.core.windows.net.", False), ("b.core.windows.net.", False), ("x.acct.blob.core.windows.net.", False)])
def test_a_rule_matches_whole_labels_only(domain, matches):
    assert matches == under(NAME, domain)


def test_a_disabled_rule_is_not_applied():
    assert matching_rule([rule("off", "blob.core.windows.net.", "192.168.1.10", enabled=False)], NAME) is None


def test_a_rule_at_an_inbound_endpoint_in_a_ruleset_linked_to_that_endpoints_network_loops():
    looping = ruleset(rule("all", ".", "10.0.0.4"), networks=(HUB_VNET,))

    result = walk(view(dns=("10.0.0.4",), rulesets=(looping,), records=(A,)))

    assert "loop" == result.verdict
    assert "rule all targets inbound endpoint" in result.why and "linked to the same ruleset" in result.why


def test_a_path_that_comes_back_to_a_network_it_left_is_a_loop_too():
    spoke2 = f"{SUB}/virtualNetworks/vnet-spoke-2"
    other = InboundEndpoint(ResourceId(f"{SUB}/dnsResolvers/r2/inboundEndpoints/in"), spoke2, ("10.9.0.4",))
    spokes = Ruleset(ResourceId(f"{SUB}/dnsForwardingRulesets/a"), "westeurope", (rule("to-hub", ".", "10.0.0.4"),),
                     (SPOKE, spoke2))
    hub = Ruleset(ResourceId(f"{SUB}/dnsForwardingRulesets/b"), "westeurope", (rule("to-2", ".", "10.9.0.4"),),
                  (HUB_VNET,))
    v = view(rulesets=(spokes, hub), records=(A,))
    v = PathView(**{**{f: getattr(v, f) for f in v.__dataclass_fields__}, "inbound": [INBOUND, other]})

    result = walk(v)  # spoke → hub's endpoint → rule to vnet-spoke-2's endpoint → rule back to the hub's

    assert "loop" == result.verdict
    assert "comes back" in result.why


def test_a_rule_at_the_hubs_inbound_endpoint_from_a_spoke_ruleset_is_no_loop():
    result = walk(view(rulesets=(ruleset(rule("all", ".", "10.0.0.4")),), records=(A,)))

    assert "private" == result.verdict


def test_a_linked_zone_without_the_record_answers_nxdomain_and_with_the_fallback_public():
    assert "nxdomain" == walk(view(dns=("10.0.0.4",))).verdict
    assert "public" == walk(view(dns=("10.0.0.4",), links=(link(HUB_VNET, "NxDomainRedirect"),))).verdict


def test_no_zone_linked_to_the_network_that_asks_is_public():
    result = walk(view(links=(link(HUB_VNET),)))  # the spoke asks Azure DNS itself; the zone is linked to the hub only

    assert ("public", None) == (result.verdict, result.needs)
    assert BLOB in result.why


def test_custom_dns_servers_are_forwarded_elsewhere_with_the_unknown_part_stated_as_an_assumption():
    result = walk(view(dns=("10.50.0.10",)))

    assert "forwarded-elsewhere" == result.verdict
    assert ["10.50.0.10"] == [s for s in ("10.50.0.10",) if s in result.assumptions[0]]


def test_the_walk_asks_for_the_record_it_needs_before_answering():
    result = walk(view(dns=("10.0.0.4",), records=None))

    assert ((BLOB_ID, "acct"), "") == (result.needs, result.verdict)


def test_unreadable_rulesets_on_the_path_make_the_verdict_unknown_and_say_what():
    result = walk(view(unread={"rulesets": "403 AuthorizationFailed"}))

    assert "unknown" == result.verdict
    assert "403 AuthorizationFailed" in result.why


def test_hub_servers_that_are_no_inbound_endpoint_ask_from_the_first_hub_network_as_an_assumption():
    v = view(dns=("10.0.0.9",), records=(A,), hub_networks=(HUB_VNET,))
    v = PathView(**{**{f: getattr(v, f) for f in v.__dataclass_fields__}, "hub_servers": ("10.0.0.9",), "inbound": []})

    result = walk(v)

    assert "private" == result.verdict
    assert any("PEDNS_HUB_VNET_IDS" in a for a in result.assumptions)


def test_a_rule_that_matches_only_the_privatelink_alias_is_named_as_an_assumption():
    result = walk(view(rulesets=(ruleset(rule("pl", "privatelink.blob.core.windows.net.", "192.168.1.10")),),
                       links=(link(SPOKE),), records=(A,)))

    assert "private" == result.verdict  # the spoke's own link answers the alias
    assert any("rule pl" in a and "follows the CNAME itself" in a for a in result.assumptions)


def test_text_output_names_resources_by_resource_group_and_name():
    from shared.cli.present_path import short

    inbound = f"{SUB}/dnsResolvers/r/inboundEndpoints/in".replace("/resourceGroups/rg/", "/resourceGroups/rg-hub/")
    assert "rg/vnet-spoke: x, rg-hub/r/inboundEndpoints/in (1)" == short(f"{SPOKE}: x, {inbound} (1)")


def test_a_rule_with_the_hubs_server_and_another_follows_the_hub_and_states_the_other_as_an_assumption():
    result = walk(view(rulesets=(ruleset(rule("mixed", "windows.net.", "10.0.0.4", "192.168.1.10")),), records=(A,)))

    assert "private" == result.verdict
    assert any("also targets 192.168.1.10" in a for a in result.assumptions)
