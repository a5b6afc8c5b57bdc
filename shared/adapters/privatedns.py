"""A and AAAA record sets in the hub's private DNS zones, through azure-mgmt-privatedns with etags."""

from __future__ import annotations

import builtins
import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from azure.core import MatchConditions
from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.core.rest import HttpRequest
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.privatedns import models as m

from ..errors import NotFound, PednsError, PermanentError
from ..core.model import RECORD_TYPES, NameState, RecordKey, RecordSet, RecordType, sort_ips
from ..settings import Settings
from ._errors import error_code, translate
from .patience import in_context
from ._pipeline import Pacer, client_kwargs
from ._urls import checked, record_name, segment


DNS_API_VERSION = "2024-06-01"  # the version azure-mgmt-privatedns speaks

#: Record sets asked for per page. The API documents only its default ("up to 100"); the emulator
#: allows 1,000, and a service that caps lower still pages with nextLink.
LIST_PAGE_SIZE = 1000

#: Seconds between status polls of a zone or link creation when Azure sends no Retry-After (its
#: Private DNS operations send none; the SDK's default would be 30 s per poll).
LRO_POLL_SECONDS = 2.0

log = logging.getLogger("pedns.adapters.privatedns")

#: The action ARM checks for a listing of every record type (`RecordSets_List`, `GET …/{zone}/ALL`).
LIST_ALL_ACTION = "Microsoft.Network/privateDnsZones/ALL/read"

#: Hubs (ARM endpoint, subscription, resource group) whose listing of `ALL` types answered 403:
#: for the rest of the process their zones are listed per type at once (the permission is granted
#: on the hub's resource group, so one refusal speaks for every zone in it).
_ALL_REFUSED: set[tuple[str, str, str]] = set()
_ALL_REFUSED_LOCK = threading.Lock()


def forget_list_all_refusals() -> None:
    """Forget every remembered 403 of an `ALL` listing (as a new process would): for tests."""
    with _ALL_REFUSED_LOCK:
        _ALL_REFUSED.clear()


def _authorization_failed(exc: AzureError) -> bool:
    return isinstance(exc, HttpResponseError) and exc.status_code == 403 and error_code(exc) == "AuthorizationFailed"


def _to_record(zone: str, rtype: RecordType, item: Any) -> RecordSet:
    props = item.properties or m.RecordSetProperties()
    if rtype == "A":
        ips = [a.ipv4_address for a in (props.a_records or []) if a.ipv4_address]
    else:
        ips = [a.ipv6_address for a in (props.aaaa_records or []) if a.ipv6_address]
    return RecordSet(
        key=RecordKey(zone, item.name or "@"),
        ips=_ips(ips),
        ttl=int(props.ttl or 0),
        etag=item.etag,
        metadata=dict(props.metadata or {}),
        auto_registered=bool(props.is_auto_registered),
        type=rtype,
    )


def _ips(found: Iterable[str]) -> tuple[str, ...]:
    """Canonical and sorted (Azure documents no spelling for IPv6 addresses it returns); something
    that is not an address is kept as it is, so the record never compares equal to what pedns wants."""
    found = list(found)
    try:
        return sort_ips(found)
    except ValueError:
        return tuple(sorted(found))


def _type_of(item: dict[str, Any]) -> str:
    """`Microsoft.Network/privateDnsZones/AAAA` → "AAAA"."""
    return str(item.get("type") or "").rsplit("/", 1)[-1].upper()


def _json_to_record(zone: str, item: dict[str, Any]) -> RecordSet | None:
    """An A or AAAA record set as the list's JSON has it (the fields `_to_record` reads from the
    model); None for any other type."""
    rtype = _type_of(item)
    if rtype not in RECORD_TYPES:
        return None
    props = item.get("properties") or {}
    if rtype == "A":
        ips = [a.get("ipv4Address") for a in props.get("aRecords") or [] if a.get("ipv4Address")]
    else:
        ips = [a.get("ipv6Address") for a in props.get("aaaaRecords") or [] if a.get("ipv6Address")]
    return RecordSet(
        key=RecordKey(zone, item.get("name") or "@"),
        ips=_ips(ips),
        ttl=int(props.get("ttl") or 0),
        etag=item.get("etag"),
        metadata=dict(props.get("metadata") or {}),
        auto_registered=bool(props.get("isAutoRegistered")),
        type=rtype,
    )


def _to_sdk(record: RecordSet) -> m.RecordSet:
    if record.type == "AAAA":
        return m.RecordSet(properties=m.RecordSetProperties(
            ttl=record.ttl, metadata=dict(record.metadata),
            aaaa_records=[m.AaaaRecord(ipv6_address=ip) for ip in record.ips]))
    return m.RecordSet(properties=m.RecordSetProperties(
        ttl=record.ttl, metadata=dict(record.metadata),
        a_records=[m.ARecord(ipv4_address=ip) for ip in record.ips]))


def _exists_already(exc: HttpResponseError) -> bool:
    """A create with `If-None-Match: *` found the resource there: Azure answers the zone or link PUT
    with 202 and fails its *operation* with `PreconditionFailed` (the poller raises with the status
    poll's 200 answer); a synchronous 412 would say the same."""
    return (isinstance(exc, (ResourceExistsError, ResourceModifiedError)) or exc.status_code == 412
            or error_code(exc) == "PreconditionFailed")


def _link_name(vnet_id: str) -> str:
    """`pedns-<network>-<hash of its id>`: two hub networks of the same name get different links."""
    digest = hashlib.sha256(vnet_id.rstrip("/").lower().encode()).hexdigest()[:8]
    return f"pedns-{vnet_id.rstrip('/').rsplit('/', 1)[-1][:60]}-{digest}"


class AzureZoneStore:
    def __init__(self, credential: TokenCredential, settings: Settings, *, pacer: Pacer | None = None,
                 lro_poll_seconds: float = LRO_POLL_SECONDS) -> None:
        settings.require("PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP")
        self._lro_poll_seconds = lro_poll_seconds
        self._rg = settings.dns_resource_group
        self._subscription = settings.dns_subscription_id
        self._client = PrivateDnsManagementClient(credential, settings.dns_subscription_id,
                                                  **client_kwargs(settings, pacer=pacer))
        self._pool: ThreadPoolExecutor | None = None  # reads a name's A and AAAA sets side by side
        self._list_all = settings.list_all_record_types
        self._hub = (settings.arm_base_url.lower(), self._subscription.lower(), self._rg.lower())

    def _error(self, exc: AzureError, what: str) -> PednsError:
        """`translate`, except that ARM's `ResourceGroupNotFound` (404) names the setting to fix: a
        hub that does not exist is a misconfiguration, not a zone or record that is missing."""
        if isinstance(exc, HttpResponseError) and error_code(exc) == "ResourceGroupNotFound":
            return PermanentError(f"the DNS resource group {self._rg!r} does not exist in subscription "
                                  f"{self._subscription} (PEDNS_DNS_RESOURCE_GROUP, PEDNS_DNS_SUBSCRIPTION_ID): {what}")
        return translate(exc, what)

    def list_zones(self) -> list[str]:
        try:
            return sorted((z.name or "").lower() for z in self._client.private_zones.list_by_resource_group(self._rg))
        except AzureError as exc:
            raise self._error(exc, f"list private DNS zones in {self._rg}") from exc

    def get(self, key: RecordKey, types: Sequence[RecordType] = RECORD_TYPES) -> NameState:
        """The name's record sets of those types, read in parallel (one round trip)."""
        if len(types) == 1:
            found = [self._get(key, types[0])]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=len(RECORD_TYPES), thread_name_prefix="pedns-dns")
            found = list(self._pool.map(in_context(lambda t: self._get(key, t)), types))  # patience too
        return NameState(key, tuple(r for r in found if r is not None))

    def _get(self, key: RecordKey, rtype: RecordType) -> RecordSet | None:
        try:
            item = self._client.record_sets.get(self._rg, checked(key.zone), rtype, record_name(key.name))
        except ResourceNotFoundError as exc:
            if error_code(exc) == "ParentResourceNotFound":
                raise NotFound(f"private DNS zone {key.zone} does not exist in {self._rg}") from exc
            if error_code(exc) == "ResourceGroupNotFound":
                raise self._error(exc, f"GET {rtype} {key}") from exc
            return None
        except AzureError as exc:
            raise self._error(exc, f"GET {rtype} {key}") from exc
        return _to_record(key.zone, rtype, item)

    def list(self, zone: str) -> Iterator[RecordSet]:
        """The zone's A and AAAA record sets, from the JSON pages themselves: the reconcile lists
        every record of the hub, and building the SDK's models for them costs more than the
        requests (about 5 s for 10,000 record sets). Same pipeline, same paging by `nextLink`.

        By default one listing per type (A, then AAAA): pedns's role grants A and AAAA reads only.
        With `PEDNS_LIST_ALL_RECORD_TYPES`, one listing of `ALL` types (`RecordSets_List`, which
        needs `Microsoft.Network/privateDnsZones/ALL/read`), keeping the A and AAAA sets; if ARM
        refuses it (403 `AuthorizationFailed`), per type after all, and per type at once for every
        later listing of this hub in this process (`_ALL_REFUSED`), with one warning."""
        if self._list_all and self._hub not in _ALL_REFUSED:
            try:
                first = self._page(self._list_url(zone, "ALL"))
            except AzureError as exc:
                if not _authorization_failed(exc):
                    raise self._error(exc, f"list record sets in {zone}") from exc
                self._remember_refusal()
            else:
                yield from self._records(zone, "ALL", first)
                return
        for rtype in RECORD_TYPES:
            yield from self._records(zone, rtype)

    def _list_url(self, zone: str, what: str) -> str:
        """A listing's first page: `what` is a record type or `ALL` (as the REST spec spells the
        path; azure-mgmt-privatedns 2.0.0 sends `aLL`: ARM's paths are case-insensitive)."""
        return (f"/subscriptions/{segment(self._subscription)}/resourceGroups/{segment(self._rg)}"
                f"/providers/Microsoft.Network/privateDnsZones/{segment(zone)}/{what}"
                f"?$top={LIST_PAGE_SIZE}&api-version={DNS_API_VERSION}")

    def _page(self, url: str) -> Any:
        response = self._client.send_request(HttpRequest("GET", url))
        response.raise_for_status()
        return response.json()

    def _records(self, zone: str, what: str, first: Any = None) -> Iterator[RecordSet]:
        """The A and AAAA record sets of a listing (`what`: a type or `ALL`), page by page, from its
        first page when that is read already (`first`)."""
        url: str | None = self._list_url(zone, what)
        page = first
        while url:
            if page is None:
                try:
                    page = self._page(url)
                except AzureError as exc:
                    raise self._error(exc, f"list {'record sets' if what == 'ALL' else what + ' records'} in {zone}") from exc
            for item in (page.get("value") or []) if isinstance(page, dict) else []:
                record = _json_to_record(zone, item) if isinstance(item, dict) else None
                if record is not None:
                    yield record
            url = page.get("nextLink") if isinstance(page, dict) else None
            page = None

    def _remember_refusal(self) -> None:
        with _ALL_REFUSED_LOCK:
            first = self._hub not in _ALL_REFUSED
            _ALL_REFUSED.add(self._hub)
        if first:
            log.warning(
                "PEDNS_LIST_ALL_RECORD_TYPES is on, but listing every record type of a zone was refused "
                "(HTTP 403 AuthorizationFailed): the identity lacks %s on resource group %s; pedns lists A "
                "and AAAA record sets separately for the rest of this process. Grant the action (the hub's "
                "listAllRecordTypes parameter) or turn the setting off.", LIST_ALL_ACTION, self._rg)

    def create(self, record: RecordSet) -> RecordSet:
        try:
            item = self._client.record_sets.create_or_update(
                self._rg, checked(record.key.zone), record.type, record_name(record.key.name), _to_sdk(record),
                match_condition=MatchConditions.IfMissing, etag="*",
            )
        except AzureError as exc:
            raise self._error(exc, f"create {record.type} {record.key}") from exc
        return _to_record(record.key.zone, record.type, item)

    def replace(self, record: RecordSet, *, etag: str) -> RecordSet:
        try:
            item = self._client.record_sets.create_or_update(
                self._rg, checked(record.key.zone), record.type, record_name(record.key.name), _to_sdk(record),
                match_condition=MatchConditions.IfNotModified, etag=etag,
            )
        except AzureError as exc:
            raise self._error(exc, f"update {record.type} {record.key}") from exc
        return _to_record(record.key.zone, record.type, item)

    def delete(self, key: RecordKey, rtype: RecordType, *, etag: str) -> None:
        try:
            self._client.record_sets.delete(
                self._rg, checked(key.zone), rtype, record_name(key.name),
                match_condition=MatchConditions.IfNotModified, etag=etag,
            )
        except AzureError as exc:
            raise self._error(exc, f"delete {rtype} {key}") from exc

    def create_zone(self, zone: str, *, link_vnet_ids: Iterable[str]) -> None:
        """Create the zone and link it to each hub network not linked to it yet.

        Both writes are long-running in Azure (PUT 202, then an operation to poll). Another writer
        creating the same zone meanwhile (a second invocation, a person) is not an error: the
        create-only PUT's operation then fails with `PreconditionFailed`, and pedns goes on to the
        links, which it makes only for networks the zone is not linked to by any link."""
        try:
            self._client.private_zones.begin_create_or_update(
                self._rg, checked(zone), m.PrivateZone(location="global"),
                match_condition=MatchConditions.IfMissing, etag="*", polling_interval=self._lro_poll_seconds,
            ).result()
        except HttpResponseError as exc:
            if not _exists_already(exc):
                raise self._error(exc, f"create zone {zone}") from exc
        except AzureError as exc:
            raise self._error(exc, f"create zone {zone}") from exc
        wanted = {vnet_id.rstrip("/").lower(): vnet_id.rstrip("/") for vnet_id in link_vnet_ids}
        if not wanted:
            return
        linked = self._linked_networks(zone)
        for key, vnet_id in wanted.items():
            if key in linked:
                continue
            try:
                self._client.virtual_network_links.begin_create_or_update(
                    self._rg, checked(zone), _link_name(vnet_id),
                    m.VirtualNetworkLink(location="global", properties=m.VirtualNetworkLinkProperties(
                        virtual_network=m.SubResource(id=vnet_id), registration_enabled=False)),
                    polling_interval=self._lro_poll_seconds,
                ).result()
            except HttpResponseError as exc:
                # Linked meanwhile under another name (Azure allows one link per network and zone)?
                if key in self._linked_networks(zone):
                    continue
                raise self._error(exc, f"link zone {zone} to {vnet_id}") from exc
            except AzureError as exc:
                raise self._error(exc, f"link zone {zone} to {vnet_id}") from exc

    def linked_networks(self, zone: str) -> builtins.list[str]:  # (`list` is a method here)
        """`ZoneStore.linked_networks` (the audit's probe): lower-cased ids, sorted."""
        return sorted(self._linked_networks(zone))

    def _linked_networks(self, zone: str) -> set[str]:
        """Lower-cased ids of the virtual networks the zone is linked to, by any link."""
        try:
            links = list(self._client.virtual_network_links.list(self._rg, checked(zone)))
        except AzureError as exc:
            raise self._error(exc, f"list the virtual network links of zone {zone}") from exc
        return {(link.properties.virtual_network.id or "").rstrip("/").lower() for link in links
                if link.properties is not None and link.properties.virtual_network is not None}

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self._client.close()
