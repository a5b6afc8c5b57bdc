"""The claim index (endpoint → the record keys it claims) in Azure Table Storage.

A delete event carries nothing but the endpoint's id; the index says which record sets it claims,
so the handler need not list every hub zone. It is only a cache of the claims stamped in the
record sets' metadata: the service stores intent before writing, and the reconcile rebuilds it
from a scan. So every failure here is logged and answered with "I do not know" (the service then
scans); the index never blocks DNS.

Layout: one entity per endpoint (PartitionKey "endpoint", RowKey the sha256 of the lower-cased id,
since a RowKey may not hold "/"), and a marker (PartitionKey "meta", RowKey "built") written by the
first complete rebuild. Without the marker the index cannot tell "claims nothing" from "never seen".
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from ..core.model import RecordKey, ResourceId
from ..core.ports import ClaimIndex, NoIndex
from ..settings import Settings
from ._errors import translate
from .credentials import make_credential

log = logging.getLogger("pedns.adapters.tables")
T = TypeVar("T")

ENDPOINTS = "endpoint"
META = "meta"
BUILT = "built"
#: Conditional writes a rebuild retries per endpoint before it gives up (and writes no marker).
MERGE_ATTEMPTS = 5
#: After a failure, the index is not asked again for this long (a circuit breaker): every event
#: would otherwise wait out the same timeouts and retries on a table that is down.
BREAKER_SECONDS = 30.0
#: Short retries and timeouts: when the table is down the service should fall back to a scan
#: quickly, not wait on the index.
CLIENT_KWARGS: dict[str, Any] = {
    "retry_total": 2,
    "retry_backoff_factor": 0.4,
    "connection_timeout": 5,
    "read_timeout": 10,
}


def row_key(endpoint_id: ResourceId) -> str:
    return hashlib.sha256(endpoint_id.key.encode()).hexdigest()


def encode_keys(keys: set[RecordKey]) -> str:
    return json.dumps(sorted(f"{k.zone}|{k.name}" for k in keys), separators=(",", ":"))


def decode_keys(text: str) -> set[RecordKey]:
    items = json.loads(text)
    if not isinstance(items, list):
        raise ValueError("Keys is not a JSON list")
    keys = set()
    for item in items:
        zone, sep, name = str(item).partition("|")
        if not sep or not zone or not name:
            raise ValueError(f"{item!r} is not 'zone|name'")
        keys.add(RecordKey(zone, name))
    return keys


class TableClaimIndex:
    """`ClaimIndex` over one Azure table (created when first found missing). Never raises: it logs
    and answers "unknown", so the service scans."""

    def __init__(self, table: TableClient, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._table = table
        self._lock = threading.Lock()
        self._clock = clock
        self._built = False  # the marker was seen; only a deleted table removes it
        self._open_until = float("-inf")  # the breaker: no calls before then
        self._lost = False  # a write was skipped or failed: the index may miss a claim

    # -- ClaimIndex ----------------------------------------------------------------------------

    def lookup(self, endpoint_id: ResourceId) -> set[RecordKey] | None:
        if self._broken():
            return None
        try:
            if self._lost and not self._distrust():
                return None
            if not self._is_built():
                return None
            entity = self._get(ENDPOINTS, row_key(endpoint_id))  # no table now: not built after all
            return decode_keys(entity["Keys"]) if entity is not None else set()
        except Exception as exc:  # noqa: BLE001 - the index never blocks DNS: scan instead
            self._degrade(exc, f"looking up {endpoint_id}")
            return None

    def store(self, endpoint_id: ResourceId, keys: set[RecordKey]) -> None:
        if self._broken(write=True):
            return
        try:
            if keys:
                entity = self._entity(endpoint_id, keys)
                self._with_table(lambda: self._table.upsert_entity(entity, mode=UpdateMode.REPLACE))
            else:  # once built, no entity means "claims nothing": keep the table small
                self.forget(endpoint_id)
        except Exception as exc:  # noqa: BLE001 - a stale index is repaired by the next reconcile
            self._degrade(exc, f"storing the claims of {endpoint_id}", write=True)

    def forget(self, endpoint_id: ResourceId) -> None:
        if self._broken(write=True):
            return
        try:
            self._table.delete_entity(ENDPOINTS, row_key(endpoint_id))  # succeeds when absent
        except Exception as exc:  # noqa: BLE001
            self._degrade(exc, f"forgetting {endpoint_id}", write=True)

    def rebuild(self, claims: dict[ResourceId, set[RecordKey]]) -> None:
        """Merge a scan's claims into what is stored, then mark the index built.

        Union, never overwrite, and every write is etag-guarded: a handler may have stored its
        intent since the scan, and that must not be lost. If any merge fails, no marker is written.
        """
        try:
            stored = self._with_table(lambda: {e["RowKey"]: e for e in self._table.query_entities(
                "PartitionKey eq @pk", parameters={"pk": ENDPOINTS})})
            for endpoint_id, keys in claims.items():
                if keys:
                    self._merge(endpoint_id, keys, stored.get(row_key(endpoint_id)))
            self._table.upsert_entity({"PartitionKey": META, "RowKey": BUILT, "UpdatedAt": _now()},
                                      mode=UpdateMode.REPLACE)
            with self._lock:
                self._built, self._lost = True, False
            log.info("claim index rebuilt from a scan: %d endpoint(s) with claims", len(claims))
        except Exception as exc:  # noqa: BLE001 - the reconcile itself must go on
            self._degrade(exc, "rebuilding the claim index")

    def close(self) -> None:
        self._table.close()

    # -- internals -----------------------------------------------------------------------------

    def _merge(self, endpoint_id: ResourceId, keys: set[RecordKey], current: Any) -> None:
        for _ in range(MERGE_ATTEMPTS):
            try:
                if current is None:
                    self._table.create_entity(self._entity(endpoint_id, keys))
                    return
                have = decode_keys(current["Keys"])
                if keys <= have:
                    return
                self._table.update_entity(self._entity(endpoint_id, have | keys), mode=UpdateMode.REPLACE,
                                          etag=current.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)
                return
            except (ResourceExistsError, ResourceModifiedError, ResourceNotFoundError) as exc:
                if _table_missing(exc):
                    raise
                current = self._get(ENDPOINTS, row_key(endpoint_id))  # written meanwhile: merge with it
        raise RuntimeError(f"the entry of {endpoint_id} kept changing while merging")

    def _with_table(self, call: Callable[[], T]) -> T:
        """`call()`, creating the table first if it turns out to be missing."""
        try:
            return call()
        except ResourceNotFoundError as exc:
            if not _table_missing(exc):
                raise
        with self._lock:
            self._built = False  # a new table holds no marker
        try:
            self._table.create_table()
            log.info("created the claim index table %s", self._table.table_name)
        except ResourceExistsError:
            pass
        return call()

    def _is_built(self) -> bool:
        with self._lock:
            if self._built:
                return True
        built = self._with_table(lambda: self._get(META, BUILT)) is not None
        with self._lock:
            self._built = self._built or built
        return built

    def _get(self, partition: str, row: str) -> Any:
        try:
            return self._table.get_entity(partition, row)
        except ResourceNotFoundError as exc:
            if _table_missing(exc):
                raise
            return None

    def _degrade(self, exc: Exception, what: str, *, write: bool = False) -> None:
        """One warning (the SDK's first line names the URL, never a key); forget the cached
        marker, so a deleted and recreated table is not trusted; open the breaker."""
        with self._lock:
            self._built = False
            self._open_until = self._clock() + BREAKER_SECONDS
            self._lost = self._lost or write
        log.warning("claim index: %s (the service scans the zones instead; the index is not asked again "
                    "for %.0f s)", translate(exc, what), BREAKER_SECONDS)

    def _broken(self, *, write: bool = False) -> bool:
        """Whether the breaker is open; a write skipped meanwhile is a claim the index may miss."""
        with self._lock:
            if self._clock() >= self._open_until:
                return False
            self._lost = self._lost or write
            return True

    def _distrust(self) -> bool:
        """After a lost write, remove the built marker: every worker scans until the next reconcile
        rebuilds the index, instead of trusting an entry that misses a claim. True once done."""
        try:
            self._table.delete_entity(META, BUILT)
        except Exception as exc:  # noqa: BLE001
            self._degrade(exc, "distrusting the claim index after a lost write")
            return False
        with self._lock:
            self._built, self._lost = False, False
        log.warning("claim index: a claim may have been lost while the table was unreachable; "
                    "scanning the zones until the next reconcile rebuilds the index")
        return True

    @staticmethod
    def _entity(endpoint_id: ResourceId, keys: set[RecordKey]) -> dict[str, Any]:
        return {"PartitionKey": ENDPOINTS, "RowKey": row_key(endpoint_id), "EndpointId": str(endpoint_id),
                "Keys": encode_keys(keys), "UpdatedAt": _now()}


def _table_missing(exc: Exception) -> bool:
    return getattr(exc, "error_code", None) == "TableNotFound"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def table_client(settings: Settings, **overrides: Any) -> TableClient | None:
    """The index table as the settings say: the Azurite connection string (development only, the
    settings refuse any other), else the account endpoint with managed identity; None when neither."""
    kwargs = {**CLIENT_KWARGS, **overrides}
    name = settings.index_table_name
    if settings.index_connection_string:
        return TableClient.from_connection_string(settings.index_connection_string, name, **kwargs)
    if settings.index_table_endpoint:
        return TableClient(settings.index_table_endpoint.rstrip("/"), name,
                           credential=make_credential(settings), **kwargs)
    return None


def make_index(settings: Settings) -> ClaimIndex:
    """A `TableClaimIndex` when a table is configured, else `NoIndex` (the service scans)."""
    table = table_client(settings)
    if table is None:
        return NoIndex()
    return TableClaimIndex(table)
