"""`pedns audit`: what breaks private name resolution that no A record can fix.

The checks are pure (`shared/core/findings.py`): they take a snapshot of the estate (`EstateView`:
endpoints, zones anywhere in scope and their links, virtual networks, the hub's zones and records)
and return findings. `read_estate()` gathers the snapshot through the ports: Resource Graph for everything it indexes, ARM only for the hub's
records (one listing), one probe of the hub zones' links, the DNS zone groups of the few
endpoints whose names the hub does not serve (Resource Graph does not index zone groups), and the
forwarding rulesets' rules and links (`ResolverReader`: ARM child resources, one listing each).

The audit never writes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from ..core.findings import AuditReport, EstateView, ResolverView, findings, served
from ..core.model import (
    ConnectionStatus,
    Desired,
    NameState,
    PrivateEndpoint,
    RecordKey,
    RecordSet,
    ResourceId,
    Scope,
    Unreadable,
    UnreadableNetwork,
    VirtualNetwork,
    ZoneLink,
    canonical_ip,
)
from ..core.plan.switch import pins_in_force
from ..core.ports import ResolverReader
from ..core.snapshot import Snapshot
from ..errors import PednsError
from .context import Context

log = logging.getLogger("pedns.audit")

def read_estate(service: Context, *, hub_resource_group_id: str, hub_subscription: str,
                desire_of: Callable[[PrivateEndpoint], Desired] | None = None,
                resolvers: ResolverReader | None = None,
                public_zones_of: Callable[[str], tuple[str, ...]] = lambda zone: ()) -> EstateView:
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
    networks, unreadable_networks = _networks(estate.networks(scope), endpoints, not_run)

    snapshot = service.snapshot()
    hub_links = _hub_links(service, snapshot, links, hub_resource_group_id, not_run)
    zone_groups, read = _zone_groups(service, endpoints, snapshot, desire_of, not_run)
    resolver_view = None
    if resolvers is not None:
        resolver_view = _resolvers(resolvers, with_hub, not_run)
        resolver_view.public_zones = {zone: public_zones_of(zone) for zone in snapshot.zones}
    return EstateView(endpoints=endpoints, addresses=addresses, zones=zones, links=links, networks=networks,
                      hub_resource_group_id=hub_resource_group_id, hub_zones=set(snapshot.zones),
                      hub_records=[r for state in snapshot.records.values() for r in state.sets], hub_links=hub_links, zone_groups=zone_groups,
                      zone_groups_read=read, unreadable=unreadable, unreadable_networks=unreadable_networks,
                      not_run=not_run, resolvers=resolver_view)


#: The checks that need the forwarding rulesets and inbound endpoints.
RESOLVER_CHECKS = ("ruleset-diverts-zone", "resolver-zone-not-linked", "ruleset-loop")


def _resolvers(reader: ResolverReader, scope: Scope, not_run: dict[str, str]) -> ResolverView:
    """The rulesets (with rules and links) and inbound endpoints in scope and the hub's subscription;
    what cannot be read leaves the checks that need it not run."""
    view = ResolverView()
    try:
        view.rulesets = list(reader.rulesets(scope))
        view.inbound = list(reader.inbound_endpoints(scope))
    except PednsError as exc:
        for check in RESOLVER_CHECKS:
            not_run[check] = f"cannot read the DNS forwarding rulesets or inbound endpoints ({exc}); assign the " \
                             f"pedns audit reader role"
        return ResolverView()
    return view


#: Why a network the endpoints sit in is missing from the listing: Resource Graph lists only what
#: the identity may read (the optional audit reader role), and nothing that no longer exists.
NOT_LISTED = "not listed: the identity may not read it without the pedns audit reader role, or it no longer exists"
#: How many unreadable networks the not-run line names; the JSON's `unreadableNetworks` has them all.
NAMED = 5


def _networks(rows: Iterable[VirtualNetwork | UnreadableNetwork], endpoints: list[PrivateEndpoint],
              not_run: dict[str, str]) -> tuple[list[VirtualNetwork], list[UnreadableNetwork]]:
    """The networks the audit can judge, and the ones it cannot: listed in a shape pedns cannot use,
    or not listed although endpoints sit in them. Each unreadable network leaves only itself
    unjudged: vnet-dns-bypass runs on every other network and is reported not run (so the audit
    exits 1) with one line saying how many could not be read; a network missing from the listing
    also leaves the zones and links of its subscription unseen, so shadow-zone is not run either."""
    readable: list[VirtualNetwork] = []
    unreadable: list[UnreadableNetwork] = []
    for row in rows:
        if isinstance(row, UnreadableNetwork):
            unreadable.append(row)
        else:
            readable.append(row)
    listed = {n.id.key for n in readable} | {n.id.key for n in unreadable}
    unseen: dict[str, str] = {}
    for pe in endpoints:
        if pe.virtual_network_id and pe.virtual_network_id.lower() not in listed:
            unseen.setdefault(pe.virtual_network_id.lower(), pe.virtual_network_id)
    unreadable += [UnreadableNetwork(ResourceId(vnet), NOT_LISTED) for vnet in unseen.values()]
    unreadable.sort(key=lambda n: n.id.key)
    if unseen:
        subs = sorted({ResourceId(v).subscription_id for v in unseen.values()})
        not_run["shadow-zone"] = (f"cannot read the virtual networks (and so the zones and links) of {len(subs)} "
                                  f"subscription(s) the endpoints are in: {', '.join(subs)} "
                                  f"(assign the pedns audit reader role)")
    if unreadable:
        named = "; ".join(f"{n.id} ({n.message})" for n in unreadable[:NAMED])
        more = f"; and {len(unreadable) - NAMED} more" if len(unreadable) > NAMED else ""
        not_run["vnet-dns-bypass"] = (f"{len(unreadable)} virtual network{'' if len(unreadable) == 1 else 's'} "
                                      f"could not be read: {named}{more}; every other network was checked")
    return readable, unreadable


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


def _pins(service: Context, view: EstateView, dr_regions: Iterable[str]) -> None:
    """The pins in force (`pedns switch`), for the workbook between switches: observed when a name
    is pinned or DR regions are set (an estate that never switches records nothing)."""
    live, dormant = pins_in_force(_by_name(view.hub_records), service.options.policy.owner_id)
    if live or dormant or tuple(dr_regions):
        service.metrics.observe("pins_in_force", live)


def _by_name(records: Iterable[RecordSet]) -> list[NameState]:
    names: dict[RecordKey, list[RecordSet]] = {}
    for record in records:
        names.setdefault(record.key, []).append(record)
    return [NameState(key, tuple(sets)) for key, sets in names.items()]


def audit(service: Context, *, hub_subscription: str, hub_resource_group: str, catalogue_zones: Iterable[str],
          hub_vnet_ids: Iterable[str] = (), hub_dns_servers: Iterable[str] = (),
          resolvers: ResolverReader | None = None,
          public_zones_of: Callable[[str], tuple[str, ...]] = lambda zone: (),
          dr_regions: Iterable[str] = ()) -> AuditReport:
    """Read the estate and report its findings (the CLI's and the timer's door). `dr_regions`
    (`PEDNS_DR_REGIONS`): the regions every name of this deployment should have a claimant in."""
    hub_rg_id = f"/subscriptions/{hub_subscription}/resourceGroups/{hub_resource_group}"
    desires: dict[ResourceId, Desired] = {}

    def desire_of(pe: PrivateEndpoint) -> Desired:  # reading and checking both need it: work it out once
        if pe.id not in desires:
            desires[pe.id] = service.desire_of(pe)
        return desires[pe.id]

    view = read_estate(service, hub_resource_group_id=hub_rg_id, hub_subscription=hub_subscription,
                       desire_of=desire_of, resolvers=resolvers, public_zones_of=public_zones_of)
    report = findings(view, desire_of=desire_of, catalogue_zones=catalogue_zones,
                      hub_vnet_ids=hub_vnet_ids, hub_dns_servers=hub_dns_servers, dr_regions=dr_regions,
                      owner_id=service.options.policy.owner_id)
    _pins(service, view, dr_regions)
    for finding in report.findings:
        service.metrics.count("audit_findings", code=finding.code)
    for check, why in report.not_run.items():
        log.warning("audit: %s not run: %s", check, why)
    return report
