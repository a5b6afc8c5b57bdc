"""A record sets in the hub's private DNS zones, through azure-mgmt-privatedns with etags."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

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

from ..errors import NotFound
from ..model import RecordKey, RecordSet
from ..settings import Settings
from ._errors import error_code, translate
from ._pipeline import Pacer, client_kwargs


DNS_API_VERSION = "2024-06-01"  # the version azure-mgmt-privatedns speaks

#: Record sets asked for per page. The API documents only its default ("up to 100"); the emulator
#: allows 1,000, and a service that caps lower still pages with nextLink.
LIST_PAGE_SIZE = 1000

#: Seconds between status polls of a zone or link creation when Azure sends no Retry-After (its
#: Private DNS operations send none; the SDK's default would be 30 s per poll).
LRO_POLL_SECONDS = 2.0


def _to_record(zone: str, item: Any) -> RecordSet:
    props = item.properties or m.RecordSetProperties()
    ips = tuple(sorted(a.ipv4_address for a in (props.a_records or []) if a.ipv4_address))
    return RecordSet(
        key=RecordKey(zone, item.name or "@"),
        ips=ips,
        ttl=int(props.ttl or 0),
        etag=item.etag,
        metadata=dict(props.metadata or {}),
        auto_registered=bool(props.is_auto_registered),
    )


def _json_to_record(zone: str, item: dict[str, Any]) -> RecordSet:
    """A record set as the list's JSON has it (the same fields `_to_record` reads from the model)."""
    props = item.get("properties") or {}
    ips = tuple(sorted(a["ipv4Address"] for a in props.get("aRecords") or [] if a.get("ipv4Address")))
    return RecordSet(
        key=RecordKey(zone, item.get("name") or "@"),
        ips=ips,
        ttl=int(props.get("ttl") or 0),
        etag=item.get("etag"),
        metadata=dict(props.get("metadata") or {}),
        auto_registered=bool(props.get("isAutoRegistered")),
    )


def _to_sdk(record: RecordSet) -> m.RecordSet:
    return m.RecordSet(
        properties=m.RecordSetProperties(
            ttl=record.ttl,
            metadata=dict(record.metadata),
            a_records=[m.ARecord(ipv4_address=ip) for ip in record.ips],
        )
    )


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

    def list_zones(self) -> list[str]:
        try:
            return sorted((z.name or "").lower() for z in self._client.private_zones.list_by_resource_group(self._rg))
        except AzureError as exc:
            raise translate(exc, f"list private DNS zones in {self._rg}") from exc

    def get(self, key: RecordKey) -> RecordSet | None:
        try:
            item = self._client.record_sets.get(self._rg, key.zone, "A", key.name)
        except ResourceNotFoundError as exc:
            if error_code(exc) == "ParentResourceNotFound":
                raise NotFound(f"private DNS zone {key.zone} does not exist in {self._rg}") from exc
            return None
        except AzureError as exc:
            raise translate(exc, f"GET {key}") from exc
        return _to_record(key.zone, item)

    def list(self, zone: str) -> Iterator[RecordSet]:
        """The zone's A record sets, from the JSON pages themselves: the reconcile lists every record
        of the hub, and building the SDK's models for them costs more than the requests (about
        5 s for 10,000 record sets). Same request, same pipeline, same paging by `nextLink`."""
        url = (f"/subscriptions/{quote(self._subscription)}/resourceGroups/{quote(self._rg)}/providers/"
               f"Microsoft.Network/privateDnsZones/{quote(zone)}/A?$top={LIST_PAGE_SIZE}&api-version={DNS_API_VERSION}")
        while url:
            try:
                response = self._client.send_request(HttpRequest("GET", url))
                response.raise_for_status()
                page = response.json()
            except AzureError as exc:
                raise translate(exc, f"list A records in {zone}") from exc
            for item in (page.get("value") or []) if isinstance(page, dict) else []:
                yield _json_to_record(zone, item)
            url = page.get("nextLink") if isinstance(page, dict) else None

    def create(self, record: RecordSet) -> RecordSet:
        try:
            item = self._client.record_sets.create_or_update(
                self._rg, record.key.zone, "A", record.key.name, _to_sdk(record),
                match_condition=MatchConditions.IfMissing, etag="*",
            )
        except AzureError as exc:
            raise translate(exc, f"create {record.key}") from exc
        return _to_record(record.key.zone, item)

    def replace(self, record: RecordSet, *, etag: str) -> RecordSet:
        try:
            item = self._client.record_sets.create_or_update(
                self._rg, record.key.zone, "A", record.key.name, _to_sdk(record),
                match_condition=MatchConditions.IfNotModified, etag=etag,
            )
        except AzureError as exc:
            raise translate(exc, f"update {record.key}") from exc
        return _to_record(record.key.zone, item)

    def delete(self, key: RecordKey, *, etag: str) -> None:
        try:
            self._client.record_sets.delete(
                self._rg, key.zone, "A", key.name, match_condition=MatchConditions.IfNotModified, etag=etag,
            )
        except AzureError as exc:
            raise translate(exc, f"delete {key}") from exc

    def create_zone(self, zone: str, *, link_vnet_ids: Iterable[str]) -> None:
        """Create the zone and link it to each hub network not linked to it yet.

        Both writes are long-running in Azure (PUT 202, then an operation to poll). Another writer
        creating the same zone meanwhile (a second invocation, a person) is not an error: the
        create-only PUT's operation then fails with `PreconditionFailed`, and pedns goes on to the
        links, which it makes only for networks the zone is not linked to by any link."""
        try:
            self._client.private_zones.begin_create_or_update(
                self._rg, zone, m.PrivateZone(location="global"),
                match_condition=MatchConditions.IfMissing, etag="*", polling_interval=self._lro_poll_seconds,
            ).result()
        except HttpResponseError as exc:
            if not _exists_already(exc):
                raise translate(exc, f"create zone {zone}") from exc
        except AzureError as exc:
            raise translate(exc, f"create zone {zone}") from exc
        wanted = {vnet_id.rstrip("/").lower(): vnet_id.rstrip("/") for vnet_id in link_vnet_ids}
        if not wanted:
            return
        linked = self._linked_networks(zone)
        for key, vnet_id in wanted.items():
            if key in linked:
                continue
            try:
                self._client.virtual_network_links.begin_create_or_update(
                    self._rg, zone, _link_name(vnet_id),
                    m.VirtualNetworkLink(location="global", properties=m.VirtualNetworkLinkProperties(
                        virtual_network=m.SubResource(id=vnet_id), registration_enabled=False)),
                    polling_interval=self._lro_poll_seconds,
                ).result()
            except HttpResponseError as exc:
                # Linked meanwhile under another name (Azure allows one link per network and zone)?
                if key in self._linked_networks(zone):
                    continue
                raise translate(exc, f"link zone {zone} to {vnet_id}") from exc
            except AzureError as exc:
                raise translate(exc, f"link zone {zone} to {vnet_id}") from exc

    def linked_networks(self, zone: str) -> list[str]:
        """`ZoneStore.linked_networks` (the audit's probe): lower-cased ids, sorted."""
        return sorted(self._linked_networks(zone))

    def _linked_networks(self, zone: str) -> set[str]:
        """Lower-cased ids of the virtual networks the zone is linked to, by any link."""
        try:
            links = list(self._client.virtual_network_links.list(self._rg, zone))
        except AzureError as exc:
            raise translate(exc, f"list the virtual network links of zone {zone}") from exc
        return {(link.properties.virtual_network.id or "").rstrip("/").lower() for link in links
                if link.properties is not None and link.properties.virtual_network is not None}

    def close(self) -> None:
        self._client.close()
