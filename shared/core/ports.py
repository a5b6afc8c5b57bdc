"""The roles the service needs filled. Adapters implement them; the core only sees these protocols."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

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
    VirtualNetwork,
    ZoneLink,
)


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

    def networks(self, scope: Scope) -> Iterator[VirtualNetwork]:
        """Every virtual network in the scope, with its DNS servers."""

    def endpoint_addresses(self, scope: Scope) -> Iterator[EndpointAddress]:
        """The private IPs of every private endpoint's network interface in the scope."""


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

    def linked_networks(self, zone: str) -> list[str]:
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
