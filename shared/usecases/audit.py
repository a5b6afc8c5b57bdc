"""`pedns audit`: what breaks private name resolution that no A record can fix.

`findings()` is pure: it takes a snapshot of the estate (`EstateView`: endpoints, zones anywhere in
scope and their links, virtual networks, the hub's zones and records) and returns findings, each
with a stable code, the resource, one line of explanation and what to do. `read_estate()` gathers
the snapshot through the ports: Resource Graph for everything it indexes, ARM only for the hub's
records (one listing), one probe of the hub zones' links, and the DNS zone groups of the few
endpoints whose names the hub does not serve (Resource Graph does not index zone groups).

The audit never writes.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import PednsError
from ..core.ownership import owner_of
from ..core.model import (
    ConnectionStatus,
    Desired,
    DnsZone,
    NameState,
    PrivateEndpoint,
    RecordSet,
    ResourceId,
    Scope,
    Unreadable,
    VirtualNetwork,
    ZoneLink,
    canonical_ip,
)

log = logging.getLogger("pedns.audit")

#: Every finding code, with what to do about it (the README's table is tested against this).
REMEDIES: dict[str, str] = {
    "shadow-zone": "delete the zone (or its links) so the linked networks resolve through the hub; move any "
                   "records it holds into the hub zone first",
    "zone-not-linked": "link the hub zone to the network",
    "vnet-dns-bypass": "point the network's DNS servers at the hub resolvers or forwarders, or back to "
                       "Azure-provided DNS if it is linked to the hub zones",
    "zone-group-elsewhere": "remove the zone group (pedns publishes its names in the hub), or point it at the hub zone",
    "stale-record": "check that nothing uses the name, then delete it (the audit never does)",
    "missing-zone": "create the zone in the hub resource group and link it, or set `PEDNS_CREATE_ZONES`",
}

CHECKS = ("shadow-zone", "zone-not-linked", "vnet-dns-bypass", "zone-group-elsewhere", "stale-record", "missing-zone")


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    resource: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def remedy(self) -> str:
        return REMEDIES[self.code]

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "resource": self.resource, "detail": self.detail, "remedy": self.remedy,
                **self.extra}


@dataclass(slots=True)
class EstateView:
    """What the audit reads. `networks` or `hub_links` None: that read was not possible."""

    endpoints: list[PrivateEndpoint]
    addresses: set[str]  # every private IP of an endpoint in scope
    zones: list[DnsZone]  # private DNS zones in scope, the hub's among them
    links: list[ZoneLink]
    networks: list[VirtualNetwork] | None
    hub_resource_group_id: str
    hub_zones: set[str]
    hub_records: list[RecordSet]
    hub_links: dict[str, set[str]] | None  # hub zone → linked network ids (lower case)
    zone_groups: dict[ResourceId, tuple[str, ...]] = field(default_factory=dict)  # read from ARM
    zone_groups_read: int = 0  # endpoints whose zone groups were read
    unreadable: list[Unreadable] = field(default_factory=list)
    not_run: dict[str, str] = field(default_factory=dict)  # check → why it could not run


@dataclass(slots=True)
class AuditReport:
    findings: list[Finding]
    checked: dict[str, int]
    skipped: dict[str, str]  # check → why it was skipped on purpose (a setting is unset)
    not_run: dict[str, str]  # check → what could not be read (its findings, if any, are partial)

    @property
    def complete(self) -> bool:
        return not self.not_run

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_json() for f in self.findings], "checked": self.checked,
                "skipped": self.skipped, "notRun": self.not_run, "complete": self.complete}


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
) -> AuditReport:
    """Every finding in the view, sorted by code and resource. Pure."""
    out: list[Finding] = []
    skipped: dict[str, str] = {}
    not_run = dict(view.not_run)
    managed = {z.lower() for z in view.hub_zones} | {z.lower() for z in catalogue_zones if z.startswith("privatelink.")}
    links_by_zone: dict[str, list[ZoneLink]] = {}
    for link in view.links:
        links_by_zone.setdefault(link.zone_id.lower(), []).append(link)

    # shadow-zone: a zone pedns manages (or any privatelink zone of the catalogue) outside the hub,
    # linked to at least one network: those networks resolve every name of it from the shadow.
    for zone in view.zones:
        if zone.name.lower() in managed and not _in_hub(view, zone.id.value):
            linked = sorted(link.virtual_network_id for link in links_by_zone.get(zone.id.key, []))
            if linked:
                out.append(Finding("shadow-zone", zone.id.value,
                                   f"{zone.name} outside the hub resource group is linked to {len(linked)} virtual "
                                   f"network(s); names not in it do not resolve privately there",
                                   {"linkedNetworks": linked}))

    # zone-not-linked: each hub zone must be linked to every network in PEDNS_HUB_VNET_IDS.
    wanted_links = [v.rstrip("/") for v in hub_vnet_ids]
    if not wanted_links:
        skipped["zone-not-linked"] = "PEDNS_HUB_VNET_IDS is not set"
    elif view.hub_links is not None:
        for zone in sorted(view.hub_zones):
            have = view.hub_links.get(zone, set())
            missing = [v for v in wanted_links if v.lower() not in have]
            if missing:
                out.append(Finding("zone-not-linked", _hub_zone_id(view, zone),
                                   f"hub zone {zone} is not linked to {', '.join(missing)}",
                                   {"missingNetworks": missing}))

    # vnet-dns-bypass: custom DNS servers, none of them the hub's resolvers.
    servers = {str(ipaddress.ip_address(s)) for s in hub_dns_servers}
    if not servers:
        skipped["vnet-dns-bypass"] = "PEDNS_HUB_DNS_SERVERS is not set"
    elif view.networks is not None:
        for vnet in view.networks:
            configured = [str(s) for s in vnet.dns_servers]
            if configured and not servers.intersection(configured):
                out.append(Finding("vnet-dns-bypass", vnet.id.value,
                                   f"uses DNS servers {', '.join(configured)}, none of the hub's "
                                   f"({', '.join(sorted(servers))})", {"dnsServers": configured}))

    # zone-group-elsewhere: from the zone groups read from ARM.
    for endpoint_id, zone_ids in sorted(view.zone_groups.items(), key=lambda item: item[0].key):
        outside = sorted({z for z in zone_ids if not _in_hub(view, z)})
        if outside:
            out.append(Finding("zone-group-elsewhere", endpoint_id.value,
                               f"its DNS zone group writes into {len(outside)} zone(s) outside the hub: "
                               f"{', '.join(z.rsplit('/', 1)[-1] for z in outside)}", {"zones": outside}))

    # stale-record: an A or AAAA record set in a hub zone none of whose IPs is an endpoint's (records a
    # virtual machine registered itself are not endpoints' to begin with).
    for record in sorted(view.hub_records, key=lambda r: (r.key.zone, r.key.name)):
        if record.ips and not record.auto_registered and not view.addresses.intersection(record.ips):
            owner = owner_of(record)
            out.append(Finding("stale-record", f"{_hub_zone_id(view, record.key.zone)}/{record.type}/{record.key.name}",
                               f"{record.type} {record.key.fqdn} -> {', '.join(record.ips)}: no private endpoint in scope has "
                               f"{'this address' if len(record.ips) == 1 else 'any of these addresses'}"
                               f"{f' (written by {owner})' if owner else ''}", {"ips": list(record.ips)}))

    # missing-zone: zones endpoints need that the hub lacks, with the count of endpoints waiting.
    waiting: dict[str, set[ResourceId]] = {}
    for pe in view.endpoints:
        for record in desire_of(pe).records:
            if record.key.zone not in view.hub_zones:
                waiting.setdefault(record.key.zone, set()).add(pe.id)
    for zone, endpoints in sorted(waiting.items()):
        out.append(Finding("missing-zone", _hub_zone_id(view, zone),
                           f"{len(endpoints)} endpoint(s) need {zone}, which the hub does not have",
                           {"endpointsWaiting": len(endpoints)}))

    for check in skipped:  # skipped on purpose: whether it could have read what it needs is moot
        not_run.pop(check, None)
    out.sort(key=lambda f: (CHECKS.index(f.code), f.resource.lower()))
    checked = {
        "endpoints": len(view.endpoints), "unreadableEndpoints": len(view.unreadable), "zones": len(view.zones),
        "zoneLinks": len(view.links), "networks": len(view.networks or []), "hubZones": len(view.hub_zones),
        "hubRecords": len(view.hub_records), "zoneGroupsRead": view.zone_groups_read,
    }
    return AuditReport(out, checked, skipped, not_run)


def served(pe: PrivateEndpoint, desired: Desired, records: dict[tuple[str, str], NameState]) -> bool:
    """Whether the hub already answers every name the endpoint wants with the endpoint's own IPs."""
    return all((r.key.zone, r.key.name) in records and set(r.ips) <= set(records[(r.key.zone, r.key.name)].ips)
               for r in desired.records)


def read_estate(service: Any, *, hub_resource_group_id: str, hub_subscription: str,
                desire_of: Callable[[PrivateEndpoint], Desired] | None = None) -> EstateView:
    """Gather the view through the service's ports (Resource Graph, then ARM where it must)."""
    desire_of = desire_of or service.desire_of
    scope = service.scope.query
    with_hub = scope if scope.everything else Scope(scope.subscriptions | {hub_subscription.lower()},
                                                     scope.management_groups)
    not_run: dict[str, str] = {}
    estate = service.estate

    endpoints: list[PrivateEndpoint] = []
    unreadable: list[Unreadable] = []
    for item in estate.endpoints(scope):
        (unreadable if isinstance(item, Unreadable) else endpoints).append(item)
    addresses = {canonical_ip(a.ip) for a in estate.endpoint_addresses(scope)}
    for pe in endpoints:  # what the endpoints report counts too
        addresses.update(canonical_ip(ip) for config in pe.dns_configs for ip in config.ips)
    zones = list(estate.zones(with_hub))
    links = list(estate.zone_links(with_hub))
    networks: list[VirtualNetwork] | None = list(estate.networks(scope))

    # Resource Graph lists only what the identity may read: networks the endpoints sit in but that
    # it does not list mean the optional audit reader role is missing there.
    listed = {n.id.key for n in networks}
    unseen = sorted({pe.virtual_network_id.lower() for pe in endpoints
                     if pe.virtual_network_id and pe.virtual_network_id.lower() not in listed})
    if unseen:
        subs = sorted({ResourceId(v).subscription_id for v in unseen})
        why = (f"cannot read the virtual networks (and so the zones and links) of {len(subs)} subscription(s) "
               f"the endpoints are in: {', '.join(subs)} (assign the pedns audit reader role)")
        not_run["shadow-zone"] = not_run["vnet-dns-bypass"] = why
        networks = None

    snapshot = service.snapshot()
    hub_links: dict[str, set[str]] | None = {}
    for zone in sorted(snapshot.zones):  # one ARM probe: can the identity read the hub's links?
        try:
            service.store.linked_networks(zone)
        except PednsError as exc:
            not_run["zone-not-linked"] = f"cannot read the hub zones' virtual network links ({exc}); assign the " \
                                         f"pedns audit reader role on the hub resource group"
            hub_links = None
        break
    if hub_links is not None:
        hub_prefix = hub_resource_group_id.lower() + "/providers/microsoft.network/privatednszones/"
        for link in links:
            zone_id = link.zone_id.lower()
            if zone_id.startswith(hub_prefix):
                hub_links.setdefault(zone_id[len(hub_prefix):], set()).add(link.virtual_network_id.lower().rstrip("/"))

    # Zone groups are not in Resource Graph: read them only for approved endpoints whose names the
    # hub does not serve with their own IPs (a zone group elsewhere leaves exactly that).
    records = {(state.key.zone, state.key.name): state for state in snapshot.records.values()}
    zone_groups: dict[ResourceId, tuple[str, ...]] = {}
    read = 0
    for pe in endpoints:
        if not any(c.status is ConnectionStatus.APPROVED for c in pe.connections):
            continue
        desired = desire_of(pe)
        if desired.records and served(pe, desired, records):
            continue
        read += 1
        try:
            live = service.reader.get(pe.id)
        except PednsError as exc:
            not_run.setdefault("zone-group-elsewhere", f"cannot read the zone groups of {pe.id}: {exc}")
            continue
        if live.zone_group_zone_ids:
            zone_groups[pe.id] = live.zone_group_zone_ids

    return EstateView(endpoints=endpoints, addresses=addresses, zones=zones, links=links, networks=networks,
                      hub_resource_group_id=hub_resource_group_id, hub_zones=set(snapshot.zones),
                      hub_records=[r for state in snapshot.records.values() for r in state.sets], hub_links=hub_links, zone_groups=zone_groups,
                      zone_groups_read=read, unreadable=unreadable, not_run=not_run)


def audit(service: Any, *, hub_subscription: str, hub_resource_group: str, catalogue_zones: Iterable[str],
          hub_vnet_ids: Iterable[str] = (), hub_dns_servers: Iterable[str] = ()) -> AuditReport:
    """Read the estate and report its findings (the CLI's and the timer's door)."""
    hub_rg_id = f"/subscriptions/{hub_subscription}/resourceGroups/{hub_resource_group}"
    desires: dict[ResourceId, Desired] = {}

    def desire_of(pe: PrivateEndpoint) -> Desired:  # reading and checking both need it: work it out once
        if pe.id not in desires:
            desires[pe.id] = service.desire_of(pe)
        return desires[pe.id]

    view = read_estate(service, hub_resource_group_id=hub_rg_id, hub_subscription=hub_subscription,
                       desire_of=desire_of)
    report = findings(view, desire_of=desire_of, catalogue_zones=catalogue_zones,
                      hub_vnet_ids=hub_vnet_ids, hub_dns_servers=hub_dns_servers)
    for finding in report.findings:
        service.metrics.count("audit_findings", code=finding.code)
    for check, why in report.not_run.items():
        log.warning("audit: %s not run: %s", check, why)
    return report
