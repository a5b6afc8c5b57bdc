"""The audit's checks of the resolution path around the hub zones: DNS Private Resolver forwarding
rulesets and the zones' links. Pure, like `findings.py`, which calls `resolver_findings()`.

- `ruleset-diverts-zone`: an enabled rule, in a ruleset linked to a network in scope, whose domain is
  a hub zone's public or privatelink zone or a parent of one (`core.windows.net.`, `.`), sends the
  names to servers that are not the hub's. A rule for one name under the zone (`acct.blob.core.windows.net.`)
  is a deliberate exception, not reported; nor is a rule whose domain only ends like a zone
  (`myblob.core.windows.net.`).
- `resolver-zone-not-linked`: the network an inbound endpoint asks Azure DNS from (an endpoint at the
  hub's DNS servers, or one a rule in scope targets) is not linked to a hub zone endpoints in scope
  need. Networks in `PEDNS_HUB_VNET_IDS` are left to `zone-not-linked`, which already names them.
- `ruleset-loop`: a rule targets an inbound endpoint, in a ruleset linked to that endpoint's own network.
- `no-public-fallback` (informational): a hub zone whose names are used both with private endpoints
  (it holds records) and without (endpoints in scope whose connection is not approved: their names are
  CNAMEs into the zone once the resource has an approved endpoint anywhere, and answer NXDOMAIN there),
  linked without `resolutionPolicy: NxDomainRedirect`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .finding import Finding
from .model import ZoneLink
from .resolvers import InboundEndpoint, Ruleset, canonical_server, endpoints_at, under


@dataclass(slots=True)
class ResolverView:
    rulesets: list[Ruleset] = field(default_factory=list)
    inbound: list[InboundEndpoint] = field(default_factory=list)
    public_zones: dict[str, tuple[str, ...]] = field(default_factory=dict)  # hub zone → its public zones


@dataclass(frozen=True, slots=True)
class Around:
    """What the checks need of the rest of the estate (`findings.py` gathers it)."""

    scope_networks: frozenset[str]  # lower case, no trailing slash
    hub_zones: frozenset[str]
    hub_links: Mapping[str, set[str]] | None  # hub zone → linked network ids (lower case)
    zone_links: Sequence[ZoneLink]
    hub_zone_id: Callable[[str], str]
    needed: Mapping[str, int]  # hub zone → endpoints in scope that need it
    unapproved: Mapping[str, int]  # hub zone → endpoints in scope whose connection is not approved
    hub_records: Mapping[str, int]  # hub zone → record sets with addresses
    hub_servers: frozenset[str]  # canonical
    hub_vnet_ids: frozenset[str]  # lower case


def resolver_findings(view: ResolverView, around: Around) -> list[Finding]:
    return [*(_diverts(view, around) if around.hub_servers else []), *_not_linked(view, around),
            *_loops(view), *_no_fallback(around)]


def _in_scope(ruleset: Ruleset, around: Around) -> list[str]:
    return [n for n in ruleset.networks if n.lower().rstrip("/") in around.scope_networks]


def _diverts(view: ResolverView, around: Around) -> list[Finding]:
    out = []
    for ruleset in view.rulesets:
        linked = _in_scope(ruleset, around)
        if not linked:
            continue
        for rule in ruleset.rules:
            if not rule.enabled or {canonical_server(t) for t in rule.targets} <= around.hub_servers:
                continue
            zones = sorted(z for z in around.hub_zones
                           if any(under(name, rule.domain) for name in (z, *view.public_zones.get(z, ()))))
            if zones:
                out.append(Finding("ruleset-diverts-zone", rule.id.value,
                                   f"rule {rule.domain} in ruleset {ruleset.id.name} sends the names of hub zone(s) "
                                   f"{', '.join(zones)} to {', '.join(rule.targets)}, not the hub's DNS servers, for "
                                   f"{len(linked)} network(s) in scope",
                                   {"domain": rule.domain, "targets": list(rule.targets), "zones": zones,
                                    "networks": sorted(linked)}))
    return out


def _resolver_networks(view: ResolverView, around: Around) -> dict[str, tuple[str, list[str]]]:
    """Network (lower case) → (its id as listed, the inbound endpoints there that take the hub's queries)."""
    found = list(endpoints_at(view.inbound, around.hub_servers))
    for ruleset in view.rulesets:
        if _in_scope(ruleset, around):
            for rule in ruleset.rules:
                if rule.enabled:
                    found += endpoints_at(view.inbound, rule.targets)
    out: dict[str, tuple[str, list[str]]] = {}
    for endpoint in found:
        network, names = out.setdefault(endpoint.network_id.lower().rstrip("/"), (endpoint.network_id, []))
        if endpoint.id.value not in names:
            names.append(endpoint.id.value)
    return out


def _not_linked(view: ResolverView, around: Around) -> list[Finding]:
    if around.hub_links is None:
        return []
    out = []
    needed = sorted(z for z in around.needed if z in around.hub_zones)
    for key, (network, endpoints) in sorted(_resolver_networks(view, around).items()):
        if key in around.hub_vnet_ids:
            continue
        missing = [z for z in needed if key not in around.hub_links.get(z, set())]
        if missing:
            out.append(Finding("resolver-zone-not-linked", network,
                               f"inbound endpoint(s) {', '.join(e.rsplit('/', 1)[-1] for e in endpoints)} ask Azure DNS "
                               f"from this network, which is not linked to {', '.join(missing)} "
                               f"({sum(around.needed[z] for z in missing)} endpoint(s) need them)",
                               {"missingZones": missing, "inboundEndpoints": endpoints}))
    return out


def _loops(view: ResolverView) -> list[Finding]:
    out = []
    for ruleset in view.rulesets:
        for rule in ruleset.rules:
            own = [e for e in endpoints_at(view.inbound, rule.targets) if ruleset.linked_to(e.network_id)] \
                if rule.enabled else []
            if own:
                out.append(Finding("ruleset-loop", rule.id.value,
                                   f"rule {rule.domain} in ruleset {ruleset.id.name} targets inbound endpoint "
                                   f"{own[0].id.name}, whose network is linked to the same ruleset: its queries "
                                   f"come back to the rule", {"inboundEndpoint": own[0].id.value,
                                                              "network": own[0].network_id}))
    return out


def _no_fallback(around: Around) -> list[Finding]:
    out = []
    for zone in sorted(around.hub_zones):
        if not (around.hub_records.get(zone) and around.unapproved.get(zone)):
            continue
        zone_id = around.hub_zone_id(zone)
        strict = sorted(link.id.value for link in around.zone_links
                        if link.zone_id.lower() == zone_id and link.resolution_policy.lower() != "nxdomainredirect")
        if strict:
            out.append(Finding("no-public-fallback", zone_id,
                               f"{zone} holds {around.hub_records[zone]} name(s) of private endpoints, and "
                               f"{around.unapproved[zone]} endpoint(s) in scope use its names without an approved "
                               f"connection; {len(strict)} link(s) answer NXDOMAIN for names it has no record of "
                               f"(informational)", {"links": strict}))
    return out
