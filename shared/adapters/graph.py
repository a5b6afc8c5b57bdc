"""The estate reader: private endpoints across subscriptions and management groups, through Azure
Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`, 1,000 rows a page).

A plain POST on azure-mgmt-core's `ARMPipelineClient` instead of azure-mgmt-resourcegraph: three
fixed queries need no generated models, and the pipeline (token, retries, pacing) is the one the
endpoint reader already uses. (azure-mgmt-resourcegraph would add a package and its import to the
cold start for the same POST; see the README's dependency table.)

Request and response shapes follow azure-rest-api-specs (specification/resourcegraph/…/stable/
2021-03-01/resourcegraph.json and its examples ResourcesNextPageQuery.json, ResourcesMgBasicQuery.json):
`options.$top` at most 1000, `$skipToken` for the next page with the same query and scope, and
`managementGroups` never together with `subscriptions` (Learn, "Query scope"), so the two kinds of
scope are queried separately. Throttling (Learn, "Guidance for throttled requests"): every answer
says `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after` (hh:mm:ss); a used-up quota
waits for its reset instead of drawing 429s, and a 429 waits for the reset before its retry.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.rest import HttpRequest

from ..parsing.endpoint import parse_private_endpoint
from ..errors import InvalidInput
from ..core.model import (
    DnsZone,
    EndpointAddress,
    PrivateEndpoint,
    ResourceId,
    Scope,
    Unreadable,
    UnreadableNetwork,
    VirtualNetwork,
    ZoneLink,
)
from ..settings import Settings
from ._errors import translate
from ._pipeline import Pacer, arm_client

log = logging.getLogger("pedns.adapters.graph")

GRAPH_API_VERSION = "2021-03-01"
PAGE_SIZE = 1000  # the most Resource Graph answers in one page
#: Subscriptions named in one request (Resource Graph's guidance: batches under 1,000).
SUBSCRIPTION_BATCH = 1000

_ENDPOINT_COLUMNS = (
    "id, subscriptionId, location, provisioningState = tostring(properties.provisioningState), "
    "subnetId = tostring(properties.subnet.id), customDnsConfigs = properties.customDnsConfigs, "
    "privateLinkServiceConnections = properties.privateLinkServiceConnections, "
    "manualPrivateLinkServiceConnections = properties.manualPrivateLinkServiceConnections"
)
ENDPOINTS_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/privateendpoints'\n"
    f"| project {_ENDPOINT_COLUMNS}\n"
    "| order by id asc"
)
TARGET_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/privateendpoints'\n"
    "| mv-expand connection = array_concat(properties.privateLinkServiceConnections, "
    "properties.manualPrivateLinkServiceConnections)\n"
    "| where tolower(tostring(connection.properties.privateLinkServiceId)) == {target}\n"
    f"| project {_ENDPOINT_COLUMNS}\n"
    "| order by id asc"
)
SUBSCRIPTIONS_QUERY = (
    "resourcecontainers\n"
    "| where type =~ 'microsoft.resources/subscriptions'\n"
    "| project subscriptionId\n"
    "| order by subscriptionId asc"
)


ZONES_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/privatednszones'\n"
    "| project id, name\n"
    "| order by id asc"
)
LINKS_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/privatednszones/virtualnetworklinks'\n"
    "| project id, virtualNetworkId = tostring(properties.virtualNetwork.id), "
    "registrationEnabled = tobool(properties.registrationEnabled), "
    "resolutionPolicy = tostring(properties.resolutionPolicy)\n"
    "| order by id asc"
)
NETWORKS_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/virtualnetworks'\n"
    "| project id, dnsServers = properties.dhcpOptions.dnsServers\n"
    "| order by id asc"
)
#: A private endpoint's network interface names its endpoint and holds its IPs whether or not the
#: endpoint reports them in customDnsConfigs (an endpoint with a DNS zone group may not).
ADDRESSES_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/networkinterfaces'\n"
    "| where isnotnull(properties.privateEndpoint)\n"
    "| mv-expand ipConfiguration = properties.ipConfigurations\n"
    "| project id, endpointId = tostring(properties.privateEndpoint.id), "
    "privateIPAddress = tostring(ipConfiguration.properties.privateIPAddress)\n"
    "| order by id asc"
)


def kql_string(value: str) -> str:
    """A KQL string literal: single quotes, with `\\` and `'` escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def row_to_endpoint(row: Any) -> PrivateEndpoint | Unreadable:
    """A projected row → the endpoint, parsed exactly as an ARM GET body is; `Unreadable` when not."""
    if not isinstance(row, dict):
        return Unreadable(ResourceId(""), f"a Resource Graph row is not an object: {type(row).__name__}")
    properties: dict[str, Any] = {
        "provisioningState": row.get("provisioningState") or None,
        "customDnsConfigs": row.get("customDnsConfigs"),
        "privateLinkServiceConnections": row.get("privateLinkServiceConnections"),
        "manualPrivateLinkServiceConnections": row.get("manualPrivateLinkServiceConnections"),
    }
    if row.get("subnetId"):
        properties["subnet"] = {"id": row["subnetId"]}
    body = {"id": row.get("id"), "location": row.get("location"), "properties": properties}
    try:
        return parse_private_endpoint(body)
    except InvalidInput as exc:
        return Unreadable(ResourceId(str(row.get("id") or "")), str(exc))


def row_to_network(row: dict[str, Any]) -> VirtualNetwork | UnreadableNetwork:
    """A projected row → the network; `UnreadableNetwork` when its DNS servers are not a list of
    strings (absent or null: Azure's own resolver). Text that is no address is kept as it is: the
    audit compares it as text (`shared/core/findings.py`)."""
    rid = ResourceId(str(row["id"]))
    servers = row.get("dnsServers")
    if servers is None:
        return VirtualNetwork(rid)
    if not isinstance(servers, list):
        return UnreadableNetwork(rid, f"dhcpOptions.dnsServers is a {type(servers).__name__}, not a list")
    for i, server in enumerate(servers):
        if not isinstance(server, str):
            return UnreadableNetwork(rid, f"dhcpOptions.dnsServers[{i}] is a {type(server).__name__}, not a string")
    return VirtualNetwork(rid, tuple(servers))


class _Quota:
    """Resource Graph's per-user quota as its headers last told it, shared by every request."""

    def __init__(self, clock: Any = time.monotonic, sleep: Any = time.sleep) -> None:
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep
        self._wait_until = 0.0

    def wait(self) -> None:
        with self._lock:
            delay = self._wait_until - self._clock()
        if delay > 0:
            log.info("Resource Graph quota used up; waiting %.1f s for it to reset", delay)
            self._sleep(delay)

    def observe(self, remaining: str | None, resets_after: str | None) -> float:
        """Note the headers; returns the seconds until the quota resets (0 when unknown)."""
        seconds = _hms(resets_after)
        if remaining is not None and remaining.strip() == "0" and seconds > 0:
            with self._lock:
                self._wait_until = max(self._wait_until, self._clock() + seconds)
        return seconds


def _hms(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        parts = [float(p) for p in value.strip().split(":")]
    except ValueError:
        return 0.0
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + part
    return seconds


class QuotaPolicy(SansIOHTTPPolicy):
    """Per try: wait while the quota is used up; on a 429 that names no Retry-After, give the retry
    policy the quota's reset time as one, so the retry lands after the reset."""

    def __init__(self, quota: _Quota) -> None:
        self._quota = quota

    def on_request(self, request: PipelineRequest) -> None:
        self._quota.wait()

    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:
        headers = response.http_response.headers
        seconds = self._quota.observe(headers.get("x-ms-user-quota-remaining"),
                                      headers.get("x-ms-user-quota-resets-after"))
        if response.http_response.status_code == 429 and not headers.get("Retry-After") and seconds > 0:
            headers["Retry-After"] = str(max(1, int(seconds + 0.999)))


class GraphEstateReader:
    def __init__(self, credential: TokenCredential, settings: Settings, *, pacer: Pacer | None = None) -> None:
        self._quota = _Quota()
        # The pacer does not pace Resource Graph (a tenant-level API with its own quota, honoured by
        # QuotaPolicy); it counts its 429s and retries with the ARM ones.
        self._client = arm_client(credential, settings, per_retry=[QuotaPolicy(self._quota)], pacer=pacer)

    # -- EstateReader ----------------------------------------------------------------------------

    def endpoints(self, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        return self._endpoints(ENDPOINTS_QUERY, scope, "list private endpoints")

    def endpoints_pointing_at(self, target_id: ResourceId, scope: Scope) -> Iterator[PrivateEndpoint | Unreadable]:
        query = TARGET_QUERY.format(target=kql_string(target_id.key))
        return self._endpoints(query, scope, f"find private endpoints pointing at {target_id}")

    def subscriptions(self, management_groups: Sequence[str]) -> set[str]:
        if not management_groups:
            return set()
        return {str(row.get("subscriptionId", "")).lower()
                for row in self._rows(SUBSCRIPTIONS_QUERY, {"managementGroups": list(management_groups)},
                                      f"list the subscriptions under {', '.join(management_groups)}")
                if isinstance(row, dict) and row.get("subscriptionId")}

    def zones(self, scope: Scope) -> Iterator[DnsZone]:
        for row in self._scoped_rows(ZONES_QUERY, scope, "list private DNS zones"):
            if row.get("id") and row.get("name"):
                yield DnsZone(ResourceId(str(row["id"])), str(row["name"]).lower())

    def zone_links(self, scope: Scope) -> Iterator[ZoneLink]:
        for row in self._scoped_rows(LINKS_QUERY, scope, "list private DNS zone links"):
            if row.get("id") and row.get("virtualNetworkId"):
                yield ZoneLink(ResourceId(str(row["id"])), str(row["virtualNetworkId"]),
                               row.get("registrationEnabled") is True, str(row.get("resolutionPolicy") or "Default"))

    def networks(self, scope: Scope) -> Iterator[VirtualNetwork | UnreadableNetwork]:
        for row in self._scoped_rows(NETWORKS_QUERY, scope, "list virtual networks"):
            if row.get("id"):
                yield row_to_network(row)

    def endpoint_addresses(self, scope: Scope) -> Iterator[EndpointAddress]:
        for row in self._scoped_rows(ADDRESSES_QUERY, scope, "list private endpoint addresses"):
            if row.get("endpointId") and row.get("privateIPAddress"):
                yield EndpointAddress(ResourceId(str(row["endpointId"])), str(row["privateIPAddress"]))

    def scoped_rows(self, query: str, scope: Scope, what: str) -> Iterator[dict[str, Any]]:
        """Every row of another adapter's query in the scope, each once (the resolver reader's)."""
        return self._scoped_rows(query, scope, what)

    # -- internals -----------------------------------------------------------------------------

    def _scoped_rows(self, query: str, scope: Scope, what: str) -> Iterator[dict[str, Any]]:
        seen: set[tuple[str, ...]] = set()
        for body in _scopes(scope):
            for row in self._rows(query, body, what):
                if not isinstance(row, dict):
                    continue
                key = tuple(str(v) for v in row.values())  # both kinds of scope may list a row
                if key not in seen:
                    seen.add(key)
                    yield row

    def _endpoints(self, query: str, scope: Scope, what: str) -> Iterator[PrivateEndpoint | Unreadable]:
        seen: set[ResourceId] = set()
        for row in (r for body in _scopes(scope) for r in self._rows(query, body, what)):
            item = row_to_endpoint(row)
            rid = item.endpoint_id if isinstance(item, Unreadable) else item.id
            if rid in seen:  # one row per matching connection, and both kinds of scope may list it
                continue
            seen.add(rid)
            yield item

    def _rows(self, query: str, scope_body: dict[str, Any], what: str) -> Iterator[Any]:
        token: str | None = None
        while True:
            options: dict[str, Any] = {"$top": PAGE_SIZE, "resultFormat": "objectArray"}
            if token:
                options["$skipToken"] = token
            page = self._post({**scope_body, "query": query, "options": options}, what)
            yield from page.get("data") or []
            token = page.get("$skipToken")
            if not token:
                return

    def _post(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        url = self._client.format_url(f"/providers/Microsoft.ResourceGraph/resources?api-version={GRAPH_API_VERSION}")
        try:
            response = self._client.send_request(HttpRequest("POST", url, json=body))
            response.raise_for_status()
            if response.headers.get("x-ms-tenant-subscription-limit-hit", "").lower() == "true":
                log.warning("%s: Resource Graph answered for the first 10,000 subscriptions only; "
                            "list the rest in PEDNS_SOURCE_SUBSCRIPTIONS or narrower management groups", what)
            page = response.json()
        except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            raise translate(exc, what) from exc
        if not isinstance(page, dict):
            raise InvalidInput(f"{what}: Resource Graph answered with a {type(page).__name__}, not an object")
        if str(page.get("resultTruncated", "false")).lower() == "true":
            log.warning("%s: Resource Graph truncated the result", what)
        return page

    def close(self) -> None:
        self._client.close()


def _scopes(scope: Scope) -> Iterator[dict[str, Any]]:
    """Request bodies' scope parts: subscriptions in batches, management groups apart (Resource
    Graph refuses both in one request); nothing at all for "everything the identity can read"."""
    if scope.everything:
        yield {}
        return
    subs = sorted(scope.subscriptions)
    for i in range(0, len(subs), SUBSCRIPTION_BATCH):
        yield {"subscriptions": subs[i:i + SUBSCRIPTION_BATCH]}
    if scope.management_groups:
        yield {"managementGroups": list(scope.management_groups)}
