"""Every role the use cases need filled, in one place. Adapters (shared/adapters), the observers
(shared/observers) and the catalogue implement them; the use cases only see these protocols."""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .model import (
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
from .resolvers import InboundEndpoint, Ruleset
from .results import EndpointResult, Handling, ReconcileReport


class EndpointReader(Protocol):
    """Reads private endpoints from ARM."""

    def get(self, endpoint_id: ResourceId, *, zone_groups: bool = True) -> PrivateEndpoint:
        """The endpoint as it is now (authoritative). Raises `NotFound` when it is gone.

        `zone_groups=False` skips reading its DNS zone groups (`has_zone_group` is then False):
        for comparing two reads of the same endpoint, not for deciding what it needs.
        """

    def platform_names(self, pe: PrivateEndpoint) -> frozenset[str] | None:
        """The FQDNs Azure gave the endpoint's network interface (platform-owned, read-only), or
        None when they cannot be known (no interface, not allowed to read it, none reported)."""


class EstateReader(Protocol):
    """Finds private endpoints across a scope, a page at a time (Azure Resource Graph).

    Eventually consistent (seconds behind ARM, with no upper bound): what it lists is a hint of
    what exists, never grounds to write or delete on its own. It does not know about DNS zone
    groups (Resource Graph does not index them), so endpoints come back with `has_zone_group` False.
    A row pedns cannot parse comes back as `Unreadable`, so one bad endpoint never hides the rest.
    """

    def endpoints(self, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        """Every private endpoint in the scope."""

    def endpoints_pointing_at(self, target_id: ResourceId, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        """The private endpoints in the scope with a connection to `target_id` (each once)."""

    def subscriptions(self, management_groups: Sequence[str]) -> set[str]:
        """The subscription ids (lower case) under the management groups, at any depth."""

    # What the audit reads besides endpoints. Each lists only what the identity may read: an
    # empty answer can mean "none" or "not allowed to see them"; the audit tells them apart.

    def zones(self, scope: Scope) -> Iterator[DnsZone]:
        """Every private DNS zone in the scope, in any resource group."""

    def zone_links(self, scope: Scope) -> Iterator[ZoneLink]:
        """Every virtual network link of those zones."""

    def networks(self, scope: Scope) -> Iterator[VirtualNetwork | UnreadableNetwork]:
        """Every virtual network in the scope, with its DNS servers; a row pedns cannot parse comes
        back as `UnreadableNetwork`, so one bad network never hides the rest."""

    def endpoint_addresses(self, scope: Scope) -> Iterator[EndpointAddress]:
        """The private IPs of every private endpoint's network interface in the scope."""


class ResolverReader(Protocol):
    """DNS Private Resolver and the other reads `pedns resolve` needs (Resource Graph lists the
    rulesets and inbound endpoints; ARM reads rules, ruleset links, one network, any zone's records).
    Raises a `PednsError` when a read fails (`NotFound` for a network or zone that does not exist)."""

    def inbound_endpoints(self, scope: Scope) -> Iterator[InboundEndpoint]:
        """Every DNS Private Resolver inbound endpoint in the scope."""

    def rulesets(self, scope: Scope) -> Iterator[Ruleset]:
        """Every DNS forwarding ruleset in the scope, with its rules and its virtual network links."""

    def network(self, network_id: ResourceId) -> VirtualNetwork:
        """One virtual network and its DNS servers, from ARM (authoritative)."""

    def record_sets(self, zone_id: ResourceId, name: str) -> tuple[RecordSet, ...]:
        """The A and AAAA record sets at `name` in any private zone (none: the name has no record)."""


class ZoneStore(Protocol):
    """A and AAAA record sets in the hub's private DNS zones, with ARM's optimistic concurrency.
    Each record set (a name and a type) has its own etag."""

    def list_zones(self) -> list[str]:
        """Names of the private DNS zones in the hub resource group."""

    def get(self, key: RecordKey, types: Sequence[RecordType] = RECORD_TYPES) -> NameState:
        """The record sets of those types at the name (none: free). Raises `NotFound` when the zone
        is missing."""

    def list(self, zone: str) -> Iterator[RecordSet]:
        """Every A and AAAA record set in a zone."""

    def create(self, record: RecordSet) -> RecordSet:
        """Create `record.type` at the name only if absent (`If-None-Match: *`). Raises `Conflict`
        when it exists."""

    def replace(self, record: RecordSet, *, etag: str) -> RecordSet:
        """Replace only if unchanged (`If-Match`). Raises `Conflict` on a changed etag."""

    def delete(self, key: RecordKey, rtype: RecordType, *, etag: str) -> None:
        """Delete the `rtype` set only if unchanged (`If-Match`). Raises `Conflict` on a changed etag."""

    def create_zone(self, zone: str, *, link_vnet_ids: Iterable[str]) -> None:
        """Create a private DNS zone and link it to the hub virtual networks (opt-in)."""

    def linked_networks(self, zone: str) -> builtins.list[str]:  # (`list` is a method here)
        """The virtual network ids a hub zone is linked to (ARM; the audit's permission probe)."""


class ClaimIndex(Protocol):
    """Endpoint → the record keys it claims, so a delete need not scan every zone.

    Only a cache: the truth is the claims in the record sets' metadata, and the index can be
    rebuilt from them. `lookup` returns None when it does not know (then the caller scans).
    """

    def lookup(self, endpoint_id: ResourceId) -> set[RecordKey] | None: ...

    def store(self, endpoint_id: ResourceId, keys: set[RecordKey]) -> None: ...

    def forget(self, endpoint_id: ResourceId) -> None: ...

    def rebuild(self, claims: dict[ResourceId, set[RecordKey]]) -> None:
        """Merge a full scan's claims into what is stored (never overwrite: a handler may have
        stored intent meanwhile); from then on an endpoint without an entry claims nothing."""


class NoIndex:
    """No claim index configured: every lookup says "unknown", so the service scans the zones."""

    def lookup(self, endpoint_id: ResourceId) -> set[RecordKey] | None:
        return None

    def store(self, endpoint_id: ResourceId, keys: set[RecordKey]) -> None:
        pass

    def forget(self, endpoint_id: ResourceId) -> None:
        pass

    def rebuild(self, claims: dict[ResourceId, set[RecordKey]]) -> None:
        pass


WriteAction = Literal["create", "update", "delete"]


@dataclass(frozen=True, slots=True)
class Headroom:
    """A zone's room for one kind of write under Private DNS's limits, as this process sees it."""

    free: int  # writes that may go now without waiting
    next_in: float = 0.0  # seconds until one more may go (0: now)


class WriteCapacity(Protocol):
    """How much room a hub zone has now for a kind of write (the reconcile takes work whose zone can
    take it; `shared/usecases/lanes.py`)."""

    def headroom(self, zone: str, action: WriteAction) -> Headroom: ...


class Unlimited:
    """No limit known (the in-memory store, a store without a pacer): every zone has room."""

    def headroom(self, zone: str, action: WriteAction) -> Headroom:
        return Headroom(1 << 30)


@dataclass(frozen=True, slots=True)
class Held:
    """Who holds the reconcile's lease, and until when (seconds since the epoch)."""

    holder: str
    until: float


class RunLease(Protocol):
    """One reconcile at a time, whatever the number of instances: a lease with an expiry, so a run
    the host killed frees it by itself."""

    def acquire(self, holder: str, seconds: float) -> Held | None:
        """Take the lease for `seconds`: None when taken, else who holds it."""

    def release(self, holder: str) -> None:
        """Give it back, if `holder` still holds it."""


class LocalLease:
    """The lease of one process (the CLI, or no table configured): runs in other processes are not seen."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._held: Held | None = None
        self._clock = clock

    def acquire(self, holder: str, seconds: float) -> Held | None:
        with self._lock:
            now = self._clock()
            if self._held is not None and self._held.holder != holder and self._held.until > now:
                return self._held
            self._held = Held(holder, now + seconds)
            return None

    def release(self, holder: str) -> None:
        with self._lock:
            if self._held is not None and self._held.holder == holder:
                self._held = None


class Resolver(Protocol):
    """The zone catalogue's questions (see `shared.core.catalogue.Catalogue`): where a name goes, why it
    goes nowhere, and which record names a connection's target may have (None: the row's names are
    not bound)."""

    def resolve(self, *, target_id: str, group_id: str, fqdn: str, location: str) -> RecordKey | None: ...

    def why_unmapped(self, *, target_id: str, group_id: str, fqdn: str, location: str) -> str:
        """For a name `resolve` places nowhere, the detail of its `unmapped` skip: which row (or none)
        the connection has, and what the name did not match."""

    def binding(self, *, target_id: str, group_id: str) -> tuple[str, ...] | None: ...


class Metrics(Protocol):
    def count(self, name: str, value: int = 1, **dimensions: str) -> None:
        """Add `value` to the counter `name` with low-cardinality `dimensions`."""

    def observe(self, name: str, value: float, **dimensions: str) -> None:
        """Record one `value` (a duration, an age, a size) in the histogram `name`."""


class Observer(Protocol):
    def converged(self, results: Sequence[EndpointResult], handling: Handling) -> None:
        """Endpoints a door converged (dry runs included: `result.dry_run` says so)."""

    def reconciled(self, report: ReconcileReport, handling: Handling) -> None:
        """A whole reconcile finished (its endpoints were also passed to `converged`)."""

    # Optional, called only on observers that define it (the metrics observer does):
    # def failed(self, error: BaseException, handling: Handling) -> None:
    #     """The door's handling raised: Event Grid will deliver again, or the reconcile run failed."""


class DeliveryFailed(Exception):
    """The topic did not take the events. `kind` is a low-cardinality label for the failure metric
    (`http-503`, `connection`, `timeout`, `auth`, `too-large`, …)."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class Publisher(Protocol):
    def publish(self, events: Sequence[dict[str, Any]]) -> None:
        """Send the CloudEvents (dicts in CloudEvents 1.0 JSON form) in one request; raise DeliveryFailed."""

    @property
    def target(self) -> str:
        """Where the events go (a host, for log lines)."""
