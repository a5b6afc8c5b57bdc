"""The audit's resolver checks (`shared/core/resolver_findings.py`), pure: what is reported and the
look-alikes that are not."""

from __future__ import annotations

import pytest

from shared.core.model import ResourceId, ZoneLink
from shared.core.resolver_findings import Around, ResolverView, resolver_findings
from shared.core.resolvers import ForwardingRule, InboundEndpoint, Ruleset

NET = "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network"
HUB_VNET, SPOKE, OTHER = f"{NET}/virtualNetworks/vnet-hub", f"{NET}/virtualNetworks/vnet-spoke", f"{NET}/virtualNetworks/vnet-x"
HUB_RG = "/subscriptions/00000000-0000-4000-8000-0000000000a1/resourceGroups/rg-hub-dns"
BLOB, SQL = "privatelink.blob.core.windows.net", "privatelink.database.windows.net"
INBOUND = InboundEndpoint(ResourceId(f"{NET}/dnsResolvers/r/inboundEndpoints/in"), HUB_VNET, ("10.0.0.4",))


def zone_id(zone: str) -> str:
    return f"{HUB_RG}/providers/Microsoft.Network/privateDnsZones/{zone}".lower()


def around(**changes) -> Around:
    base = dict(scope_networks=frozenset({SPOKE.lower(), HUB_VNET.lower()}), hub_zones=frozenset({BLOB, SQL}),
                hub_links={BLOB: {HUB_VNET.lower()}, SQL: {HUB_VNET.lower()}}, zone_links=(), hub_zone_id=zone_id,
                needed={BLOB: 2, SQL: 1}, unapproved={}, hub_records={}, hub_servers=frozenset({"10.0.0.4"}),
                hub_vnet_ids=frozenset())
    return Around(**{**base, **changes})


def rules_view(*rules: ForwardingRule, networks=(SPOKE,)) -> ResolverView:
    return ResolverView([Ruleset(ResourceId(f"{NET}/dnsForwardingRulesets/rs"), "westeurope", rules, networks)],
                        [INBOUND], {BLOB: ("blob.core.windows.net", "blob.storage.azure.net"), SQL: ("database.windows.net",)})


def rule(domain: str, *targets: str, enabled: bool = True) -> ForwardingRule:
    return ForwardingRule(ResourceId(f"{NET}/dnsForwardingRulesets/rs/forwardingRules/r"), domain, targets, enabled)


@pytest.mark.parametrize(("domain", "zones"), [
    ("blob.core.windows.net.", [BLOB]), (f"{BLOB}.", [BLOB]), ("core.windows.net.", [BLOB]),
    ("windows.net.", [BLOB, SQL]), (".", [BLOB, SQL]), ("storage.azure.net.", [BLOB])],
    ids=["public-zone", "privatelink-zone", "parent", "grandparent", "root", "other-public-zone"])
def test_a_rule_for_a_hub_zone_or_a_parent_sending_elsewhere_diverts_it(domain, zones):
    [finding] = resolver_findings(rules_view(rule(domain, "192.168.1.10")), around())

    assert ("ruleset-diverts-zone", zones) == (finding.code, finding.extra["zones"])


@pytest.mark.parametrize("the_rule", [
    rule("myblob.core.windows.net.", "192.168.1.10"),  # ends like the zone, is no parent of it
    rule("lob.core.windows.net.", "192.168.1.10"),  # the zone ends like it: a string suffix, not a parent
    rule("acct.blob.core.windows.net.", "192.168.1.10"),  # one name under it: deliberate
    rule("corp.contoso.com.", "192.168.1.10"),
    rule("blob.core.windows.net.", "192.168.1.10", enabled=False),
    rule("blob.core.windows.net.", "10.0.0.4"),  # the hub's servers
], ids=["look-alike-suffix", "string-suffix", "child", "unrelated", "disabled", "to-the-hub"])
def test_look_alikes_are_not_diverts(the_rule):
    assert [] == [f for f in resolver_findings(rules_view(the_rule), around()) if f.code == "ruleset-diverts-zone"]


def test_a_diverting_rule_in_a_ruleset_linked_to_no_network_in_scope_is_not_reported():
    assert [] == resolver_findings(rules_view(rule(".", "192.168.1.10"), networks=(OTHER,)), around())


def test_a_rule_at_an_inbound_endpoint_in_a_ruleset_linked_to_its_network_is_a_loop():
    findings = resolver_findings(rules_view(rule("contoso.com.", "10.0.0.4"), networks=(HUB_VNET,)), around())

    assert ["ruleset-loop"] == [f.code for f in findings]
    assert INBOUND.id.value == findings[0].extra["inboundEndpoint"]


def test_a_spoke_ruleset_at_the_hubs_inbound_endpoint_is_no_loop():
    assert [] == resolver_findings(rules_view(rule("contoso.com.", "10.0.0.4")), around())


def test_the_resolvers_network_not_linked_to_a_needed_hub_zone_is_reported_once_with_the_zones():
    [finding] = resolver_findings(rules_view(), around(hub_links={BLOB: {HUB_VNET.lower()}}))

    assert ("resolver-zone-not-linked", HUB_VNET, [SQL]) == (finding.code, finding.resource, finding.extra["missingZones"])


@pytest.mark.parametrize("changes", [
    {"needed": {BLOB: 2}},  # the unlinked zone is needed by no endpoint
    {"hub_vnet_ids": frozenset({HUB_VNET.lower()})},  # zone-not-linked names it already
    {"hub_servers": frozenset({"10.9.9.9"})},  # no inbound endpoint takes the hub's queries
], ids=["not-needed", "left-to-zone-not-linked", "no-resolver"])
def test_resolver_zone_not_linked_look_alikes(changes):
    assert [] == resolver_findings(rules_view(), around(hub_links={BLOB: {HUB_VNET.lower()}}, **changes))


def link(zone: str, policy: str) -> ZoneLink:
    return ZoneLink(ResourceId(f"{zone_id(zone)}/virtualNetworkLinks/hub"), HUB_VNET, False, policy)


def test_a_zone_used_with_and_without_endpoints_linked_without_the_fallback_is_informational():
    [finding] = resolver_findings(rules_view(), around(zone_links=(link(BLOB, "Default"),), hub_records={BLOB: 3},
                                                       unapproved={BLOB: 1}))

    assert ("no-public-fallback", zone_id(BLOB)) == (finding.code, finding.resource)


@pytest.mark.parametrize("changes", [
    {"zone_links": (link(BLOB, "NxDomainRedirect"),), "hub_records": {BLOB: 3}, "unapproved": {BLOB: 1}},
    {"zone_links": (link(BLOB, "Default"),), "hub_records": {}, "unapproved": {BLOB: 1}},
    {"zone_links": (link(BLOB, "Default"),), "hub_records": {BLOB: 3}, "unapproved": {}},
], ids=["falls-back", "no-records", "every-name-has-an-endpoint"])
def test_no_public_fallback_look_alikes(changes):
    assert [] == resolver_findings(rules_view(), around(**changes))
