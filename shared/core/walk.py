"""`pedns resolve`: the path a client in one virtual network takes for one name, step by step, and
one verdict. Pure: `walk(view)` takes what was read (`PathView`) and returns a `Resolution`; when it
needs a record set it does not have, the resolution says which (`needs`) and the caller reads it
and walks again (`shared/usecases/resolve.py`).

The path, as Azure documents it (Learn: "What is Azure DNS Private Resolver?", "endpoints and
rulesets", "Private endpoint DNS"):

1. The network's DNS servers: none set is Azure-provided DNS (168.63.129.16) asked from that
   network; the hub's (`PEDNS_HUB_DNS_SERVERS`) are asked from the hub's network (the inbound
   endpoint's, else the first of `PEDNS_HUB_VNET_IDS`); anything else is not pedns's to know.
2. Azure DNS in a network linked to a forwarding ruleset applies the enabled rule with the longest
   matching domain; a rule's target at an inbound endpoint continues from that endpoint's network
   (a ruleset linked to that very network loops), the hub's servers from the hub's network, any
   other target is forwarded elsewhere.
3. Azure DNS answers from the private zones linked to the asking network: a zone holding the name
   itself, else (after the public CNAME to the privatelink alias the catalogue knows) the zone
   holding the alias, the most specific one. No record: NXDOMAIN, unless the link's
   `resolutionPolicy` is `NxDomainRedirect` (public resolution).

What pedns cannot see (public DNS, custom and on-premises servers) is stated as an assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import ownership
from .model import DnsZone, RecordKey, RecordSet, VirtualNetwork, ZoneLink
from .resolvers import (
    AZURE_DNS,
    InboundEndpoint,
    Ruleset,
    canonical_server,
    endpoints_at,
    labels,
    matching_rule,
    ruleset_of,
    under,
)

VERDICTS = ("private", "public", "nxdomain", "forwarded-elsewhere", "loop", "unknown")

REMEDIES: dict[str, str] = {
    "private": "nothing to do: the name resolves to the private endpoint",
    "public": "link the hub zone to the network that asks Azure DNS (or send the network's queries to the hub's "
              "DNS servers); if the name has no private endpoint, public is right",
    "nxdomain": "publish the name in the zone (`pedns replay` the endpoint, or approve its connection); if the name "
                "has no private endpoint here, set the zone link's resolutionPolicy to NxDomainRedirect",
    "forwarded-elsewhere": "point the rule or the network's DNS servers at the hub's DNS servers, or make those "
                           "servers forward the service's public zone to the hub",
    "loop": "unlink the ruleset from the inbound endpoint's own network, or remove the rule: that network asks "
            "Azure DNS directly",
    "unknown": "grant read access to what is named (the pedns audit reader role) and ask again",
}

_HOPS = 8  # a path longer than this is a loop Azure would also give up on


@dataclass(frozen=True, slots=True)
class PathView:
    """Everything the walk reads. `unread` names what could not be read (its key: `rulesets`,
    `inbound`, `links`) with why; `records` holds the record sets read so far, by (zone id lower
    case, relative name), or why they could not be read."""

    name: str
    network: VirtualNetwork
    alias: RecordKey | None  # the catalogue's privatelink alias of the name
    zones: Sequence[DnsZone]
    links: Sequence[ZoneLink]
    rulesets: Sequence[Ruleset] = ()
    inbound: Sequence[InboundEndpoint] = ()
    hub_servers: Sequence[str] = ()
    hub_networks: Sequence[str] = ()
    hub_resource_group_id: str = ""
    records: dict[tuple[str, str], tuple[RecordSet, ...] | str] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Resolution:
    name: str
    network: str
    steps: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    verdict: str = ""
    why: str = ""
    ips: tuple[str, ...] = ()
    zone_id: str = ""
    holder: str = ""
    needs: tuple[str, str] | None = None  # (zone id, relative name) to read, then walk again

    @property
    def remedy(self) -> str:
        return REMEDIES[self.verdict] if self.verdict else ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "network": self.network, "verdict": self.verdict, "why": self.why,
                "remedy": self.remedy, "ips": list(self.ips), "zone": self.zone_id or None,
                "holder": self.holder or None, "steps": self.steps, "assumptions": self.assumptions}


def walk(view: PathView) -> Resolution:
    out = Resolution(view.name, view.network.id.value)
    servers = list(view.network.dns_servers)
    if not servers:
        out.steps.append(f"{view.network.id}: Azure-provided DNS ({AZURE_DNS})")
        return _azure_dns(view, out, view.network.id.value, [])
    hub = {canonical_server(s) for s in view.hub_servers}
    ours = [s for s in servers if canonical_server(s) in hub]
    if not ours:
        out.steps.append(f"{view.network.id}: DNS servers {', '.join(servers)}, none of them the hub's"
                         + (f" ({', '.join(view.hub_servers)})" if view.hub_servers else " (PEDNS_HUB_DNS_SERVERS is not set)"))
        out.assumptions.append(f"what {', '.join(servers)} answer for {view.name} is not visible to pedns; unless they "
                               f"forward it to the hub's DNS servers, the hub's zones do not answer it")
        return _end(out, "forwarded-elsewhere", f"the network's DNS servers ({', '.join(servers)}) are not the hub's")
    out.steps.append(f"{view.network.id}: DNS servers {', '.join(servers)} (the hub's)")
    if len(ours) < len(servers):
        others = [s for s in servers if s not in ours]
        out.assumptions.append(f"clients also ask {', '.join(others)}; pedns assumes they answer as the hub's do")
    return _to_hub(view, out, ours, [])


def _to_hub(view: PathView, out: Resolution, servers: Sequence[str], visited: list[str]) -> Resolution:
    """The hub's DNS servers take the query: from the inbound endpoint's network, or the hub's."""
    inbound = endpoints_at(view.inbound, servers)
    if inbound:
        out.steps.append(f"inbound endpoint {inbound[0].id} ({', '.join(inbound[0].ips)}) asks Azure DNS from "
                         f"{inbound[0].network_id}")
        return _azure_dns(view, out, inbound[0].network_id, visited)
    if "inbound" in view.unread:
        return _end(out, "unknown", f"which network the hub's DNS servers ask from: {view.unread['inbound']}")
    if not view.hub_networks:
        return _end(out, "unknown", f"{', '.join(servers)} is no inbound endpoint pedns can see and PEDNS_HUB_VNET_IDS "
                                    "is not set: the network the hub's servers ask Azure DNS from is not known")
    hub_network = view.hub_networks[0]
    out.assumptions.append(f"the hub's DNS servers ({', '.join(servers)}) forward to Azure DNS ({AZURE_DNS}) from "
                           f"{hub_network} (the first of PEDNS_HUB_VNET_IDS)")
    out.steps.append(f"the hub's DNS servers ask Azure DNS from {hub_network}")
    return _azure_dns(view, out, hub_network, visited)


def _azure_dns(view: PathView, out: Resolution, network: str, visited: list[str]) -> Resolution:
    """Azure DNS asked from `network`: its ruleset's matching rule first, then its linked zones."""
    if network.lower() in visited:
        return _end(out, "loop", f"the query comes back to {network}, which it has been forwarded from")
    if len(visited) >= _HOPS:
        return _end(out, "loop", f"the path is longer than {_HOPS} forwarding hops")
    visited = [*visited, network.lower()]
    if "rulesets" in view.unread:
        return _end(out, "unknown", f"the forwarding rulesets: {view.unread['rulesets']}")
    ruleset = ruleset_of(view.rulesets, network)
    if ruleset is None:
        return _zones(view, out, network)
    rule = matching_rule(ruleset.rules, view.name)
    if rule is None:
        out.steps.append(f"ruleset {ruleset.id} is linked to {network}; no enabled rule matches {view.name}")
        return _zones(view, out, network)
    out.steps.append(f"ruleset {ruleset.id} is linked to {network}; rule {rule.id.name} ({rule.domain}) matches "
                     f"and forwards to {', '.join(rule.targets)}")
    inbound = endpoints_at(view.inbound, rule.targets)
    own = [e for e in inbound if ruleset.linked_to(e.network_id)]
    if own:
        return _end(out, "loop", f"rule {rule.id.name} targets inbound endpoint {own[0].id}, whose network "
                                 f"{own[0].network_id} is linked to the same ruleset")
    hub = {canonical_server(s) for s in view.hub_servers}
    known = {canonical_server(ip) for e in inbound for ip in e.ips} | hub
    if inbound or hub.intersection(canonical_server(t) for t in rule.targets):
        others = [t for t in rule.targets if canonical_server(t) not in known]
        if others:
            out.assumptions.append(f"the rule also targets {', '.join(others)}; pedns assumes they answer as "
                                   f"{', '.join(t for t in rule.targets if t not in others)} does")
        return _to_hub(view, out, rule.targets, visited)
    if "inbound" in view.unread:
        return _end(out, "unknown", f"whether {', '.join(rule.targets)} is an inbound endpoint: {view.unread['inbound']}")
    out.assumptions.append(f"what {', '.join(rule.targets)} answer for {view.name} is not visible to pedns")
    return _end(out, "forwarded-elsewhere", f"rule {rule.id.name} ({rule.domain}) sends {view.name} to "
                                            f"{', '.join(rule.targets)}, not the hub's DNS servers")


def _linked(view: PathView, network: str) -> list[tuple[DnsZone, ZoneLink]]:
    by_id = {z.id.key: z for z in view.zones}
    key = network.lower().rstrip("/")
    return [(by_id[link.zone_id.lower()], link) for link in view.links
            if link.virtual_network_id.lower().rstrip("/") == key and link.zone_id.lower() in by_id]


def _most_specific(linked: list[tuple[DnsZone, ZoneLink]], name: str) -> tuple[DnsZone, ZoneLink] | None:
    found = [(zone, link) for zone, link in linked if under(name, zone.name) and labels(name) != labels(zone.name)]
    return max(found, key=lambda pair: len(labels(pair[0].name))) if found else None


def _zones(view: PathView, out: Resolution, network: str) -> Resolution:
    """Azure DNS's answer in `network`: its linked private zones, else public DNS."""
    if "links" in view.unread:
        return _end(out, "unknown", f"the private zones linked to {network}: {view.unread['links']}")
    linked = _linked(view, network)
    hit = _most_specific(linked, view.name)
    asked = view.name
    if hit is None:
        if view.alias is None:
            out.steps.append(f"Azure DNS in {network}: no linked private zone holds {view.name}, and the zone "
                             f"catalogue knows no privatelink zone for it")
            return _end(out, "public", f"{view.name} is no private endpoint name pedns knows (public DNS answers)")
        asked = f"{view.alias.name}.{view.alias.zone}"
        out.assumptions.append(f"public DNS answers {view.name} with a CNAME to {asked} (it does once the resource "
                               f"has an approved private endpoint anywhere; pedns cannot see public DNS)")
        ruleset = ruleset_of(view.rulesets, network)
        rule = matching_rule(ruleset.rules, asked) if ruleset else None
        if rule is not None:
            out.assumptions.append(f"rule {rule.id.name} ({rule.domain}) matches {asked} but not {view.name}: pedns "
                                   f"assumes Azure DNS follows the CNAME itself, without the ruleset")
        hit = _most_specific(linked, asked)
        if hit is None:
            out.steps.append(f"Azure DNS in {network}: no private zone linked there holds {asked} "
                             f"({len(linked)} zone(s) linked)")
            return _end(out, "public", f"no private zone on the path: {view.alias.zone} is not linked to {network}")
    zone, link = hit
    relative = asked[: -len(zone.name) - 1]
    where = "the hub's" if _in_hub(view, zone.id.value) else "outside the hub resource group"
    out.steps.append(f"Azure DNS in {network}: zone {zone.name} ({where}: {zone.id}) is linked by {link.id.name} "
                     f"and holds {asked}")
    out.zone_id = zone.id.value
    read = view.records.get((zone.id.key, relative))
    if read is None:
        out.needs = (zone.id.value, relative)
        return out
    if isinstance(read, str):
        return _end(out, "unknown", f"the record sets {relative} in {zone.id}: {read}")
    ips = tuple(ip for s in read for ip in s.ips)
    if ips:
        holder = next((h for h in (ownership.holder(s) for s in read) if h is not None), None)
        out.holder = holder.value if holder else ""
        out.ips = ips
        types = "/".join(s.type for s in read if s.ips)
        out.steps.append(f"{types} {relative} in {zone.name}: {', '.join(ips)}"
                         + (f" (held by {holder})" if holder else " (no pedns holder: not written by pedns)"))
        return _end(out, "private", f"{view.name} → {', '.join(ips)}")
    if link.resolution_policy.lower() == "nxdomainredirect":
        out.steps.append(f"no A or AAAA record {relative} in {zone.name}; link {link.id.name} has resolutionPolicy "
                         f"NxDomainRedirect: Azure DNS answers from public DNS")
        return _end(out, "public", f"{zone.name} has no record for {relative} and its link falls back to public DNS")
    out.steps.append(f"no A or AAAA record {relative} in {zone.name}; link {link.id.name} has no public fallback")
    return _end(out, "nxdomain", f"{zone.name} is linked to {network} but has no record for {relative}")


def _in_hub(view: PathView, zone_id: str) -> bool:
    return bool(view.hub_resource_group_id) and zone_id.lower().startswith(view.hub_resource_group_id.lower() + "/providers/")


def _end(out: Resolution, verdict: str, why: str) -> Resolution:
    out.verdict, out.why, out.needs = verdict, why, None
    return out
