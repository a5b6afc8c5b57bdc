"""`pedns audit`: what breaks private name resolution that no A record can fix.

The checks are pure (`shared/core/findings.py`): they take a snapshot of the estate (`EstateView`:
endpoints, zones anywhere in scope and their links, virtual networks, the hub's zones and records)
and return findings. `read_estate()` gathers the snapshot through the ports: Resource Graph for everything it indexes, ARM only for the hub's
records (one listing), one probe of the hub zones' links, and the DNS zone groups of the few
endpoints whose names the hub does not serve (Resource Graph does not index zone groups).

The audit never writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from ..core.findings import AuditReport, EstateView, findings, served
from ..core.model import (
    ConnectionStatus,
    Desired,
    PrivateEndpoint,
    ResourceId,
    Scope,
    Unreadable,
    VirtualNetwork,
    ZoneLink,
    canonical_ip,
)
from ..core.snapshot import Snapshot
from ..errors import PednsError
from .context import Context

log = logging.getLogger("pedns.audit")

def read_estate(service: Context, *, hub_resource_group_id: str, hub_subscription: str,
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
        if isinstance(item, Unreadable):
            unreadable.append(item)
        else:
            endpoints.append(item)
    addresses = {canonical_ip(a.ip) for a in estate.endpoint_addresses(scope)}
    for pe in endpoints:  # what the endpoints report counts too
        addresses.update(canonical_ip(ip) for config in pe.dns_configs for ip in config.ips)
    zones = list(estate.zones(with_hub))
    links = list(estate.zone_links(with_hub))
    readable = list(estate.networks(scope))
    networks: list[VirtualNetwork] | None = readable

    # Resource Graph lists only what the identity may read: networks the endpoints sit in but that
    # it does not list mean the optional audit reader role is missing there.
    listed = {n.id.key for n in readable}
    unseen = sorted({pe.virtual_network_id.lower() for pe in endpoints
                     if pe.virtual_network_id and pe.virtual_network_id.lower() not in listed})
    if unseen:
        subs = sorted({ResourceId(v).subscription_id for v in unseen})
        why = (f"cannot read the virtual networks (and so the zones and links) of {len(subs)} subscription(s) "
               f"the endpoints are in: {', '.join(subs)} (assign the pedns audit reader role)")
        not_run["shadow-zone"] = not_run["vnet-dns-bypass"] = why
        networks = None

    snapshot = service.snapshot()
    hub_links = _hub_links(service, snapshot, links, hub_resource_group_id, not_run)
    zone_groups, read = _zone_groups(service, endpoints, snapshot, desire_of, not_run)
    return EstateView(endpoints=endpoints, addresses=addresses, zones=zones, links=links, networks=networks,
                      hub_resource_group_id=hub_resource_group_id, hub_zones=set(snapshot.zones),
                      hub_records=[r for state in snapshot.records.values() for r in state.sets], hub_links=hub_links, zone_groups=zone_groups,
                      zone_groups_read=read, unreadable=unreadable, not_run=not_run)


def _hub_links(service: Context, snapshot: Snapshot, links: list[ZoneLink], hub_resource_group_id: str,
               not_run: dict[str, str]) -> dict[str, set[str]] | None:
    """Hub zone → the networks linked to it (lower case), from the listed links; None when one ARM
    probe shows the identity may not read the hub's links."""
    for zone in sorted(snapshot.zones):  # one ARM probe: can the identity read the hub's links?
        try:
            service.store.linked_networks(zone)
        except PednsError as exc:
            not_run["zone-not-linked"] = f"cannot read the hub zones' virtual network links ({exc}); assign the " \
                                         f"pedns audit reader role on the hub resource group"
            return None
        break
    hub_links: dict[str, set[str]] = {}
    hub_prefix = hub_resource_group_id.lower() + "/providers/microsoft.network/privatednszones/"
    for link in links:
        zone_id = link.zone_id.lower()
        if zone_id.startswith(hub_prefix):
            hub_links.setdefault(zone_id[len(hub_prefix):], set()).add(link.virtual_network_id.lower().rstrip("/"))
    return hub_links


def _zone_groups(service: Context, endpoints: list[PrivateEndpoint], snapshot: Snapshot,
                 desire_of: Callable[[PrivateEndpoint], Desired],
                 not_run: dict[str, str]) -> tuple[dict[ResourceId, tuple[str, ...]], int]:
    """Zone groups are not in Resource Graph: read them only for approved endpoints whose names the
    hub does not serve with their own IPs (a zone group elsewhere leaves exactly that). Returns
    them by endpoint, and how many endpoints were read."""
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
    return zone_groups, read


def audit(service: Context, *, hub_subscription: str, hub_resource_group: str, catalogue_zones: Iterable[str],
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
