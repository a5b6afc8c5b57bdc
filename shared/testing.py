"""In-memory stand-ins for the ports, enforcing etags the way Azure does.

Shipped in the package (as structlog ships `structlog.testing`) so that tests and anyone
embedding pedns can run the real service logic without Azure.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import replace

from .errors import Conflict, NotFound
from .model import PrivateEndpoint, RecordKey, RecordSet, ResourceId


class InMemoryZoneStore:
    def __init__(self, zones: Iterable[str] = ()) -> None:
        self._zones: dict[str, dict[str, RecordSet]] = {z.lower(): {} for z in zones}
        self._lock = threading.Lock()
        self.writes: list[tuple[str, RecordKey]] = []

    # test helpers -----------------------------------------------------------------------------
    def seed(self, record: RecordSet) -> RecordSet:
        """Put a record set as someone else would (no precondition)."""
        with self._lock:
            stored = replace(record, etag=uuid.uuid4().hex)
            self._zones.setdefault(record.key.zone, {})[record.key.name] = stored
            return stored

    def records(self) -> list[RecordSet]:
        return [r for zone in self._zones.values() for r in zone.values()]

    # ZoneStore --------------------------------------------------------------------------------
    def list_zones(self) -> list[str]:
        return sorted(self._zones)

    def _zone(self, zone: str) -> dict[str, RecordSet]:
        try:
            return self._zones[zone]
        except KeyError:
            raise NotFound(f"private DNS zone {zone} does not exist") from None

    def get(self, key: RecordKey) -> RecordSet | None:
        with self._lock:
            return self._zone(key.zone).get(key.name)

    def list(self, zone: str) -> Iterator[RecordSet]:
        with self._lock:
            items = list(self._zone(zone.lower()).values())
        return iter(items)

    def create(self, record: RecordSet) -> RecordSet:
        with self._lock:
            zone = self._zone(record.key.zone)
            if record.key.name in zone:
                raise Conflict(f"{record.key} exists")
            stored = replace(record, etag=uuid.uuid4().hex, metadata=dict(record.metadata))
            zone[record.key.name] = stored
            self.writes.append(("create", record.key))
            return stored

    def replace(self, record: RecordSet, *, etag: str) -> RecordSet:
        with self._lock:
            zone = self._zone(record.key.zone)
            existing = zone.get(record.key.name)
            if existing is None or existing.etag != etag:
                raise Conflict(f"{record.key} changed")
            stored = replace(record, etag=uuid.uuid4().hex, metadata=dict(record.metadata),
                             auto_registered=existing.auto_registered)
            zone[record.key.name] = stored
            self.writes.append(("replace", record.key))
            return stored

    def delete(self, key: RecordKey, *, etag: str) -> None:
        with self._lock:
            zone = self._zone(key.zone)
            existing = zone.get(key.name)
            if existing is None or existing.etag != etag:
                raise Conflict(f"{key} changed")
            del zone[key.name]
            self.writes.append(("delete", key))

    def create_zone(self, zone: str, *, link_vnet_ids: Iterable[str]) -> None:
        with self._lock:
            self._zones.setdefault(zone.lower(), {})


class InMemoryEndpointReader:
    def __init__(self, endpoints: Iterable[PrivateEndpoint] = ()) -> None:
        self.endpoints: dict[ResourceId, PrivateEndpoint] = {pe.id: pe for pe in endpoints}
        self.reads: list[ResourceId] = []

    def put(self, pe: PrivateEndpoint) -> None:
        self.endpoints[pe.id] = pe

    def remove(self, endpoint_id: ResourceId) -> None:
        self.endpoints.pop(endpoint_id, None)

    def get(self, endpoint_id: ResourceId) -> PrivateEndpoint:
        self.reads.append(endpoint_id)
        try:
            return self.endpoints[endpoint_id]
        except KeyError:
            raise NotFound(f"{endpoint_id} not found") from None

    def list(self, subscription_id: str) -> Iterator[PrivateEndpoint]:
        return iter([pe for pe in self.endpoints.values()
                     if pe.id.subscription_id.lower() == subscription_id.lower()])


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
