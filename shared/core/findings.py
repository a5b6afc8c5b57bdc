"""The audit's checks: what breaks private name resolution that no A record can fix. Pure: each
check takes the estate as one view (`EstateView`, gathered by `shared/usecases/audit.py`) and
returns findings, each with a stable code, the resource, one line of explanation and what to do.

To add a check: a function `_<name>(view, settings…) -> list[Finding]` below (or, for the resolution
path's rulesets and links, in `resolver_findings.py`), its code in `CHECKS` (the order findings are
sorted in) and `REMEDIES` (`finding.py`; the README's table is tested against it), and a call in
`findings()`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import (
    ConnectionStatus,
    Desired,
    DnsZone,
    NameState,
    PrivateEndpoint,
    RecordSet,
    ResourceId,
    Unreadable,
    UnreadableNetwork,
    VirtualNetwork,
    ZoneLink,
)
from .dr_readiness import no_standby_in_region
from .finding import CHECKS, REMEDIES, Finding
from .ownership import owner_of
from .resolver_findings import Around, ResolverView, resolver_findings
from .resolvers import under

__all__ = ["CHECKS", "REMEDIES", "AuditReport", "EstateView", "Finding", "ResolverView", "findings", "served"]

@dataclass(slots=True)
class EstateView:
    """What the audit reads. `hub_links` None: that read was not possible. A network whose DNS
    servers could not be read is in `unreadable_networks`, not in `networks`."""

    endpoints: list[PrivateEndpoint]
    addresses: set[str]  # every private IP of an endpoint in scope
    zones: list[DnsZone]  # private DNS zones in scope, the hub's among them
    links: list[ZoneLink]
    networks: list[VirtualNetwork]
    hub_resource_group_id: str
    hub_zones: set[str]
    hub_records: list[RecordSet]
    hub_links: dict[str, set[str]] | None  # hub zone → linked network ids (lower case)
    zone_groups: dict[ResourceId, tuple[str, ...]] = field(default_factory=dict)  # read from ARM
    zone_groups_read: int = 0  # endpoints whose zone groups were read
    unreadable: list[Unreadable] = field(default_factory=list)
    unreadable_networks: list[UnreadableNetwork] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)  # check → why it could not run
    resolvers: ResolverView | None = None  # None: not read (its checks are in not_run, or not asked for)


@dataclass(slots=True)
class AuditReport:
    findings: list[Finding]
    checked: dict[str, int]
    skipped: dict[str, str]  # check → why it was skipped on purpose (a setting is unset)
    not_run: dict[str, str]  # check → what could not be read (its findings, if any, are partial)
    #: Each network whose DNS servers could not be read: {"id", "reason", "endpoints": [ids in it]}.
    unreadable_networks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.not_run

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_json() for f in self.findings], "checked": self.checked,
                "skipped": self.skipped, "notRun": self.not_run, "complete": self.complete,
                "unreadableNetworks": self.unreadable_networks}


def _hub_zone_id(view: EstateView, zone: str) -> str:
    return f"{view.hub_resource_group_id}/providers/Microsoft.Network/privateDnsZones/{zone}".lower()


def _in_hub(view: EstateView, zone_id: str) -> bool:
    return zone_id.lower().rstrip("/").startswith(view.hub_resource_group_id.lower() + "/providers/")


def findings(
    view: EstateView,
    *,
    desire_of: Callable[[PrivateEndpoint], Desired],
    catalogue_zones: Iterable[str],
    hub_vnet_ids: Iterable[str] = (),
    hub_dns_servers: Iterable[str] = (),
    dr_regions: Iterable[str] = (),
    owner_id: str = "pedns",
) -> AuditReport:
    """Every finding in the view, sorted by code and resource. `dr_regions` (`PEDNS_DR_REGIONS`): the
    regions `owner_id`'s names must have a claimant in (no-standby-in-region runs only with some)."""
    skipped: dict[str, str] = {}
    not_run = dict(view.not_run)
    wanted_links = [v.rstrip("/") for v in hub_vnet_ids]
    if not wanted_links:
        skipped["zone-not-linked"] = "PEDNS_HUB_VNET_IDS is not set"
    servers = {_dns_server(s) for s in hub_dns_servers}
    if not servers:
        skipped["vnet-dns-bypass"] = "PEDNS_HUB_DNS_SERVERS is not set"
    out = [
        *_shadow_zones(view, catalogue_zones),
        *(_zones_not_linked(view, wanted_links) if wanted_links else []),
        *(_dns_bypass(view, servers) if servers else []),
        *_zone_groups_elsewhere(view),
        *_stale_records(view),
        *_missing_zones(view, desire_of),
        *(resolver_findings(view.resolvers, _around(view, desire_of, servers, wanted_links))
          if view.resolvers is not None else []),
        *no_standby_in_region(view.hub_records, dr_regions, owner_id, lambda z: _hub_zone_id(view, z)),
    ]
    if view.resolvers is not None and not servers:
        skipped["ruleset-diverts-zone"] = "PEDNS_HUB_DNS_SERVERS is not set"
    for check in skipped:  # skipped on purpose: whether it could have read what it needs is moot
        not_run.pop(check, None)
    out.sort(key=lambda f: (CHECKS.index(f.code), f.resource.lower()))
    checked = {
        "endpoints": len(view.endpoints), "unreadableEndpoints": len(view.unreadable), "zones": len(view.zones),
        "zoneLinks": len(view.links), "networks": len(view.networks), "unreadableNetworks": len(view.unreadable_networks),
        "hubZones": len(view.hub_zones), "hubRecords": len(view.hub_records), "zoneGroupsRead": view.zone_groups_read,
        **({"rulesets": len(view.resolvers.rulesets), "inboundEndpoints": len(view.resolvers.inbound)}
           if view.resolvers is not None else {}),
    }
    return AuditReport(out, checked, skipped, not_run, _unreadable_networks(view))


def _around(view: EstateView, desire_of: Callable[[PrivateEndpoint], Desired], servers: set[str],
            wanted_links: list[str]) -> Around:
    """What the resolver checks need of the rest of the view."""
    assert view.resolvers is not None
    public = view.resolvers.public_zones
    needed: dict[str, int] = {}
    unapproved: dict[str, int] = {}
    for pe in view.endpoints:
        for zone in {r.key.zone for r in desire_of(pe).records}:
            needed[zone] = needed.get(zone, 0) + 1
        if pe.connections and pe.connections[0].status is not ConnectionStatus.APPROVED:
            names = [c.fqdn for c in pe.dns_configs]
            for zone in {z for z in view.hub_zones for n in names for p in (z, *public.get(z, ())) if under(n, p)}:
                unapproved[zone] = unapproved.get(zone, 0) + 1
    records: dict[str, int] = {}
    for record in view.hub_records:
        if record.ips:
            records[record.key.zone] = records.get(record.key.zone, 0) + 1
    return Around(scope_networks=frozenset(n.id.key for n in view.networks), hub_zones=frozenset(view.hub_zones),
                  hub_links=view.hub_links, zone_links=view.links, hub_zone_id=lambda z: _hub_zone_id(view, z),
                  needed=needed, unapproved=unapproved, hub_records=records, hub_servers=frozenset(servers),
                  hub_vnet_ids=frozenset(v.lower().rstrip("/") for v in wanted_links))


def _unreadable_networks(view: EstateView) -> list[dict[str, Any]]:
    """The networks that were not judged, each with why and the endpoints in it."""
    inside: dict[str, list[str]] = {}
    for pe in view.endpoints:
        inside.setdefault(pe.virtual_network_id.lower(), []).append(pe.id.value)
    return [{"id": n.id.value, "reason": n.message, "endpoints": sorted(inside.get(n.id.key, []))}
            for n in sorted(view.unreadable_networks, key=lambda n: n.id.key)]


def _shadow_zones(view: EstateView, catalogue_zones: Iterable[str]) -> list[Finding]:
    """shadow-zone: a zone pedns manages (or any privatelink zone of the catalogue) outside the hub,
    linked to at least one network: those networks resolve every name of it from the shadow."""
    managed = {z.lower() for z in view.hub_zones} | {z.lower() for z in catalogue_zones if z.startswith("privatelink.")}
    links_by_zone: dict[str, list[ZoneLink]] = {}
    for link in view.links:
        links_by_zone.setdefault(link.zone_id.lower(), []).append(link)
    out = []
    for zone in view.zones:
        if zone.name.lower() in managed and not _in_hub(view, zone.id.value):
            linked = sorted(link.virtual_network_id for link in links_by_zone.get(zone.id.key, []))
            if linked:
                out.append(Finding("shadow-zone", zone.id.value,
                                   f"{zone.name} outside the hub resource group is linked to {len(linked)} virtual "
                                   f"network(s); names not in it do not resolve privately there",
                                   {"linkedNetworks": linked}))
    return out


def _zones_not_linked(view: EstateView, wanted_links: list[str]) -> list[Finding]:
    """zone-not-linked: each hub zone must be linked to every network in PEDNS_HUB_VNET_IDS."""
    if view.hub_links is None:
        return []
    out = []
    for zone in sorted(view.hub_zones):
        have = view.hub_links.get(zone, set())
        missing = [v for v in wanted_links if v.lower() not in have]
        if missing:
            out.append(Finding("zone-not-linked", _hub_zone_id(view, zone),
                               f"hub zone {zone} is not linked to {', '.join(missing)}",
                               {"missingNetworks": missing}))
    return out


def _dns_server(text: str) -> str:
    """A DNS server as the audit compares it: an address by its canonical form (`FD00:0::4` is
    `fd00::4`, ` 10.0.0.4` is `10.0.0.4`); anything else (a host name, or text Azure would refuse)
    by its trimmed, lower-case text, so it never crashes the audit and never matches an address."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


def _dns_bypass(view: EstateView, servers: set[str]) -> list[Finding]:
    """vnet-dns-bypass: custom DNS servers, none of them the hub's resolvers (compared as addresses)."""
    out = []
    for vnet in view.networks:
        configured = [str(s) for s in vnet.dns_servers]
        if configured and not servers.intersection(_dns_server(s) for s in configured):
            out.append(Finding("vnet-dns-bypass", vnet.id.value,
                               f"uses DNS servers {', '.join(configured)}, none of the hub's "
                               f"({', '.join(sorted(servers))})", {"dnsServers": configured}))
    return out


def _zone_groups_elsewhere(view: EstateView) -> list[Finding]:
    """zone-group-elsewhere: from the zone groups read from ARM."""
    out = []
    for endpoint_id, zone_ids in sorted(view.zone_groups.items(), key=lambda item: item[0].key):
        outside = sorted({z for z in zone_ids if not _in_hub(view, z)})
        if outside:
            out.append(Finding("zone-group-elsewhere", endpoint_id.value,
                               f"its DNS zone group writes into {len(outside)} zone(s) outside the hub: "
                               f"{', '.join(z.rsplit('/', 1)[-1] for z in outside)}", {"zones": outside}))
    return out


def _stale_records(view: EstateView) -> list[Finding]:
    """stale-record: an A or AAAA record set in a hub zone none of whose IPs is an endpoint's
    (records a virtual machine registered itself are not endpoints' to begin with)."""
    out = []
    for record in sorted(view.hub_records, key=lambda r: (r.key.zone, r.key.name)):
        if record.ips and not record.auto_registered and not view.addresses.intersection(record.ips):
            owner = owner_of(record)
            out.append(Finding("stale-record", f"{_hub_zone_id(view, record.key.zone)}/{record.type}/{record.key.name}",
                               f"{record.type} {record.key.fqdn} -> {', '.join(record.ips)}: no private endpoint in scope has "
                               f"{'this address' if len(record.ips) == 1 else 'any of these addresses'}"
                               f"{f' (written by {owner})' if owner else ''}", {"ips": list(record.ips)}))
    return out


def _missing_zones(view: EstateView, desire_of: Callable[[PrivateEndpoint], Desired]) -> list[Finding]:
    """missing-zone: zones endpoints need that the hub lacks, with the count of endpoints waiting."""
    waiting: dict[str, set[ResourceId]] = {}
    for pe in view.endpoints:
        for record in desire_of(pe).records:
            if record.key.zone not in view.hub_zones:
                waiting.setdefault(record.key.zone, set()).add(pe.id)
    return [Finding("missing-zone", _hub_zone_id(view, zone),
                    f"{len(endpoints)} endpoint(s) need {zone}, which the hub does not have",
                    {"endpointsWaiting": len(endpoints)})
            for zone, endpoints in sorted(waiting.items())]


def served(pe: PrivateEndpoint, desired: Desired, records: dict[tuple[str, str], NameState]) -> bool:
    """Whether the hub already answers every name the endpoint wants with the endpoint's own IPs."""
    return all((r.key.zone, r.key.name) in records and set(r.ips) <= set(records[(r.key.zone, r.key.name)].ips)
               for r in desired.records)
