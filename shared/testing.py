"""In-memory stand-ins for the ports, enforcing etags the way Azure does.

Shipped in the package (as structlog ships `structlog.testing`) so that tests and anyone
embedding pedns can run the real service logic without Azure.
"""

from __future__ import annotations

import builtins
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from .errors import Conflict, InvalidInput, NotFound, PermanentError
from .core.model import (
    RECORD_TYPES,
    DnsZone,
    EndpointAddress,
    NameState,
    PrivateEndpoint,
    RecordKey,
    RecordSet,
    RecordType,
    ResourceId,
    Scope,
    Unreadable,
    UnreadableNetwork,
    VirtualNetwork,
    ZoneLink,
)
from .core.resolvers import InboundEndpoint, Ruleset


class InMemoryZoneStore:
    """A and AAAA record sets by (name, type), with Azure's etag rules."""

    def __init__(self, zones: Iterable[str] = ()) -> None:
        self._zones: dict[str, dict[tuple[str, str], RecordSet]] = {z.lower(): {} for z in zones}
        self._lock = threading.Lock()
        self.writes: list[tuple[str, RecordKey]] = []
        self.links: dict[str, list[str]] = {}  # zone → linked virtual network ids
        self.links_readable = True  # False: reading links answers 403, as without the audit role

    # test helpers -----------------------------------------------------------------------------
    def seed(self, record: RecordSet) -> RecordSet:
        """Put a record set as someone else would (no precondition)."""
        with self._lock:
            stored = replace(record, etag=uuid.uuid4().hex)
            self._zones.setdefault(record.key.zone, {})[(record.key.name, record.type)] = stored
            return stored

    def records(self) -> list[RecordSet]:
        return [r for zone in self._zones.values() for r in zone.values()]

    # ZoneStore --------------------------------------------------------------------------------
    def list_zones(self) -> list[str]:
        return sorted(self._zones)

    def _zone(self, zone: str) -> dict[tuple[str, str], RecordSet]:
        try:
            return self._zones[zone]
        except KeyError:
            raise NotFound(f"private DNS zone {zone} does not exist") from None

    def get(self, key: RecordKey, types: Sequence[RecordType] = RECORD_TYPES) -> NameState:
        with self._lock:
            zone = self._zone(key.zone)
            return NameState(key, tuple(zone[(key.name, t)] for t in types if (key.name, t) in zone))

    def list(self, zone: str) -> Iterator[RecordSet]:
        with self._lock:
            items = list(self._zone(zone.lower()).values())
        return iter(items)

    def create(self, record: RecordSet) -> RecordSet:
        with self._lock:
            zone = self._zone(record.key.zone)
            if (record.key.name, record.type) in zone:
                raise Conflict(f"{record.type} {record.key} exists")
            stored = replace(record, etag=uuid.uuid4().hex, metadata=dict(record.metadata))
            zone[(record.key.name, record.type)] = stored
            self.writes.append(("create", record.key))
            return stored

    def replace(self, record: RecordSet, *, etag: str) -> RecordSet:
        with self._lock:
            zone = self._zone(record.key.zone)
            existing = zone.get((record.key.name, record.type))
            if existing is None or existing.etag != etag:
                raise Conflict(f"{record.type} {record.key} changed")
            stored = replace(record, etag=uuid.uuid4().hex, metadata=dict(record.metadata),
                             auto_registered=existing.auto_registered)
            zone[(record.key.name, record.type)] = stored
            self.writes.append(("replace", record.key))
            return stored

    def delete(self, key: RecordKey, rtype: RecordType, *, etag: str) -> None:
        with self._lock:
            zone = self._zone(key.zone)
            existing = zone.get((key.name, rtype))
            if existing is None or existing.etag != etag:
                raise Conflict(f"{rtype} {key} changed")
            del zone[(key.name, rtype)]
            self.writes.append(("delete", key))

    def create_zone(self, zone: str, *, link_vnet_ids: Iterable[str]) -> None:
        with self._lock:
            self._zones.setdefault(zone.lower(), {})
            self.links.setdefault(zone.lower(), []).extend(link_vnet_ids)

    def linked_networks(self, zone: str) -> builtins.list[str]:  # (`list` is a method here)
        if not self.links_readable:
            raise PermanentError(f"list virtual network links of {zone}: HTTP 403 AuthorizationFailed")
        self._zone(zone.lower())
        return list(self.links.get(zone.lower(), []))


class InMemoryEndpointReader:
    """ARM's private endpoints (`EndpointReader`) and a listing of them (`EstateReader`).

    The listing is live unless `freeze_listing()` made it a copy, which then lags behind ARM as
    Resource Graph can; `unreadable` rows are listed as such; `groups` maps a management group to
    its subscriptions and child groups (`{"mg": {"sub-guid", "child-mg"}}`).
    """

    def __init__(self, endpoints: Iterable[PrivateEndpoint] = ()) -> None:
        self.live: dict[ResourceId, PrivateEndpoint] = {pe.id: pe for pe in endpoints}
        self.reads: list[ResourceId] = []
        self.listings: list[str] = []  # one entry per estate query: "endpoints", "target", "subscriptions"
        self.frozen: dict[ResourceId, PrivateEndpoint] | None = None
        self.unreadable: list[Unreadable] = []
        self.groups: dict[str, set[str]] = {}
        # What else the audit reads: zones, links and networks anywhere in the estate.
        self.zone_rows: list[DnsZone] = []
        self.link_rows: list[ZoneLink] = []
        self.network_rows: list[VirtualNetwork | UnreadableNetwork] = []
        self.platform: dict[ResourceId, frozenset[str]] = {}  # names Azure gave endpoints' interfaces
        self.broken: dict[ResourceId, str] = {}  # endpoints whose body's envelope cannot be parsed: why

    def put(self, pe: PrivateEndpoint) -> None:
        self.live[pe.id] = pe

    def remove(self, endpoint_id: ResourceId) -> None:
        self.live.pop(endpoint_id, None)

    def freeze_listing(self) -> None:
        self.frozen = dict(self.live)

    def thaw_listing(self) -> None:
        self.frozen = None

    # EndpointReader ---------------------------------------------------------------------------
    def get(self, endpoint_id: ResourceId, *, zone_groups: bool = True) -> PrivateEndpoint:
        self.reads.append(endpoint_id)
        if endpoint_id in self.broken:
            raise InvalidInput(f"private endpoint {endpoint_id}: {self.broken[endpoint_id]}")
        try:
            pe = self.live[endpoint_id]
        except KeyError:
            raise NotFound(f"{endpoint_id} not found") from None
        return pe if zone_groups else pe.without_zone_groups()

    def platform_names(self, pe: PrivateEndpoint) -> frozenset[str] | None:
        return self.platform.get(pe.id)

    # EstateReader -----------------------------------------------------------------------------
    def _in(self, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        subs = set(scope.subscriptions) | self.subscriptions(scope.management_groups)
        listed = self.frozen if self.frozen is not None else self.live
        rows: list[PrivateEndpoint | Unreadable] = [
            pe.without_zone_groups() for pe in listed.values()]
        rows += self.unreadable
        for row in sorted(rows, key=lambda r: (r.endpoint_id if isinstance(r, Unreadable) else r.id).key):
            rid = row.endpoint_id if isinstance(row, Unreadable) else row.id
            if scope.everything or rid.subscription_id.lower() in subs:
                yield row

    def endpoints(self, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        self.listings.append("endpoints")
        return self._in(scope)

    def endpoints_pointing_at(self, target_id: ResourceId, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        self.listings.append("target")
        return (row for row in self._in(scope) if isinstance(row, PrivateEndpoint)
                and any(ResourceId(c.target_id) == target_id for c in row.connections))

    def _scoped(self, rows, scope: Scope):
        subs = set(scope.subscriptions) | self.subscriptions(scope.management_groups)
        return [r for r in rows if scope.everything or r.id.subscription_id.lower() in subs]

    def zones(self, scope: Scope) -> Iterator[DnsZone]:
        self.listings.append("zones")
        return iter(self._scoped(self.zone_rows, scope))

    def zone_links(self, scope: Scope) -> Iterator[ZoneLink]:
        self.listings.append("links")
        return iter(self._scoped(self.link_rows, scope))

    def networks(self, scope: Scope) -> Iterator[VirtualNetwork | UnreadableNetwork]:
        self.listings.append("networks")
        return iter(self._scoped(self.network_rows, scope))

    def endpoint_addresses(self, scope: Scope) -> Iterator[EndpointAddress]:
        """Each endpoint's network interface holds the IPs it reports, zone groups or not."""
        self.listings.append("addresses")
        for row in self._in(scope):
            if isinstance(row, PrivateEndpoint):
                pe = self.live.get(row.id, row)
                for config in pe.dns_configs + pe.zone_group_configs:
                    for ip in config.ips:
                        yield EndpointAddress(pe.id, ip)

    def subscriptions(self, management_groups: Sequence[str]) -> set[str]:
        if management_groups:
            self.listings.append("subscriptions")
        found: set[str] = set()
        todo = [g.lower() for g in management_groups]
        seen: set[str] = set()
        while todo:
            group = todo.pop()
            if group in seen:
                continue
            seen.add(group)
            for member in self.groups.get(group, ()):
                if member.lower() in self.groups:
                    todo.append(member.lower())
                else:
                    found.add(member.lower())
        return found


class InMemoryResolverReader:
    """The `ResolverReader` port over values: rulesets, inbound endpoints, networks and any zone's
    record sets (by zone id, lower case, and name). `fail` names the methods that raise, as an
    identity without the audit reader role would see."""

    def __init__(self, *, rulesets: Iterable[Ruleset] = (), inbound: Iterable[InboundEndpoint] = (),
                 networks: Iterable[VirtualNetwork] = (),
                 records: dict[tuple[str, str], tuple[RecordSet, ...]] | None = None,
                 fail: Iterable[str] = ()) -> None:
        self._rulesets, self._inbound = list(rulesets), list(inbound)
        self._networks = {n.id: n for n in networks}
        self._records = dict(records or {})
        self._fail = set(fail)

    def _check(self, what: str) -> None:
        if what in self._fail:
            raise PermanentError(f"403 AuthorizationFailed: may not {what}")

    def inbound_endpoints(self, scope: Scope) -> Iterator[InboundEndpoint]:
        self._check("inbound_endpoints")
        yield from self._inbound

    def rulesets(self, scope: Scope) -> Iterator[Ruleset]:
        self._check("rulesets")
        yield from self._rulesets

    def network(self, network_id: ResourceId) -> VirtualNetwork:
        self._check("network")
        if network_id not in self._networks:
            raise NotFound(f"virtual network {network_id} not found")
        return self._networks[network_id]

    def record_sets(self, zone_id: ResourceId, name: str) -> tuple[RecordSet, ...]:
        self._check("record_sets")
        return self._records.get((zone_id.key, name.lower()), ())


class InMemoryClaimIndex:
    def __init__(self) -> None:
        self.entries: dict[ResourceId, set[RecordKey]] = {}

    def lookup(self, endpoint_id: ResourceId) -> set[RecordKey] | None:
        found = self.entries.get(endpoint_id)
        return set(found) if found is not None else None

    def store(self, endpoint_id: ResourceId, keys: set[RecordKey]) -> None:
        self.entries[endpoint_id] = set(keys)

    def forget(self, endpoint_id: ResourceId) -> None:
        self.entries.pop(endpoint_id, None)

    def rebuild(self, claims: dict[ResourceId, set[RecordKey]]) -> None:
        for endpoint_id, keys in claims.items():
            self.entries[endpoint_id] = self.entries.get(endpoint_id, set()) | set(keys)


class InMemoryMetrics:
    """`Metrics` that keeps every count and every histogram value, keyed by
    `(name, (("dim", "value"), ...))`: `counts[key]` is a sum, `observations[key]` a list."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
        self.observations: dict[tuple[str, tuple[tuple[str, str], ...]], list[float]] = {}
        self._lock = threading.Lock()

    def count(self, name: str, value: int = 1, **dimensions: str) -> None:
        key = (name, tuple(sorted(dimensions.items())))
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + value

    def observe(self, name: str, value: float, **dimensions: str) -> None:
        key = (name, tuple(sorted(dimensions.items())))
        with self._lock:
            self.observations.setdefault(key, []).append(value)

    def total(self, name: str) -> int:
        return sum(v for (n, _), v in self.counts.items() if n == name)
