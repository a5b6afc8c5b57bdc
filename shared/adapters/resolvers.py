"""The resolver reader (`ResolverReader`): DNS Private Resolver inbound endpoints and forwarding
rulesets through Resource Graph, their rules and network links, one virtual network and any private
zone's record sets through ARM.

Plain GETs on azure-mgmt-core's pipeline (paced and retried like every ARM read), not
azure-mgmt-dnsresolver: four list and get calls need no generated models, and the package would add
to the install and the cold start (the README's dependency table). api-version 2022-07-01 is the
newest stable dnsresolver version in azure-rest-api-specs
(`specification/dnsresolver/resource-manager/Microsoft.Network/stable/2022-07-01`); Resource Graph
indexes `microsoft.network/dnsforwardingrulesets` and `microsoft.network/dnsresolvers/inboundendpoints`
(Learn, "Resource Graph table and resource type reference"), not rules or ruleset links.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.core.rest import HttpRequest

from ..core.model import RecordSet, ResourceId, Scope, VirtualNetwork
from ..core.resolvers import InboundEndpoint, Ruleset
from ..errors import InvalidInput, NotFound, PermanentError
from ..parsing.resolvers import inbound_from_rows, ruleset
from ..settings import Settings
from ._errors import translate
from ._pipeline import Pacer, arm_client
from ._urls import record_name, resource_path
from .graph import GraphEstateReader, row_to_network
from .privatedns import DNS_API_VERSION, _json_to_record

RESOLVER_API_VERSION = "2022-07-01"
NETWORK_API_VERSION = "2024-05-01"

RULESETS_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/dnsforwardingrulesets'\n"
    "| project id, location\n"
    "| order by id asc"
)
INBOUND_QUERY = (
    "resources\n"
    "| where type =~ 'microsoft.network/dnsresolvers/inboundendpoints'\n"
    "| mv-expand ipConfiguration = properties.ipConfigurations\n"
    "| project id, subnetId = tostring(ipConfiguration.subnet.id), "
    "privateIpAddress = tostring(ipConfiguration.privateIpAddress)\n"
    "| order by id asc"
)


class AzureResolverReader:
    def __init__(self, credential: TokenCredential, settings: Settings, graph: GraphEstateReader, *,
                 pacer: Pacer | None = None) -> None:
        self._client = arm_client(credential, settings, pacer=pacer)
        self._graph = graph

    def inbound_endpoints(self, scope: Scope) -> Iterator[InboundEndpoint]:
        yield from inbound_from_rows(self._graph.scoped_rows(INBOUND_QUERY, scope, "list DNS resolver inbound endpoints"))

    def rulesets(self, scope: Scope) -> Iterator[Ruleset]:
        for row in self._graph.scoped_rows(RULESETS_QUERY, scope, "list DNS forwarding rulesets"):
            if not row.get("id"):
                continue
            path = resource_path(str(row["id"]))
            rules = self._list(f"{path}/forwardingRules", f"list the forwarding rules of {row['id']}")
            links = self._list(f"{path}/virtualNetworkLinks", f"list the virtual network links of {row['id']}")
            yield ruleset(row, rules, links)

    def network(self, network_id: ResourceId) -> VirtualNetwork:
        body = self._get(f"{resource_path(network_id.value)}?api-version={NETWORK_API_VERSION}", f"GET {network_id}")
        found = row_to_network({"id": body.get("id") or network_id.value,
                                "dnsServers": ((body.get("properties") or {}).get("dhcpOptions") or {}).get("dnsServers")})
        if not isinstance(found, VirtualNetwork):
            raise PermanentError(f"{network_id}: {found.message}")
        return found

    def record_sets(self, zone_id: ResourceId, name: str) -> tuple[RecordSet, ...]:
        found = []
        for rtype in ("A", "AAAA"):
            url = f"{resource_path(zone_id.value)}/{rtype}/{record_name(name)}?api-version={DNS_API_VERSION}"
            try:
                body = self._get(url, f"GET {rtype} {name} in {zone_id}")
            except NotFound:
                continue
            record = _json_to_record(zone_id.name, body)
            if record is not None:
                found.append(record)
        return tuple(found)

    def _get(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = self._client.send_request(HttpRequest("GET", self._client.format_url(url)))
            response.raise_for_status()
            body = response.json()
        except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            raise translate(exc, what) from exc
        if not isinstance(body, dict):
            raise InvalidInput(f"{what}: ARM answered with a {type(body).__name__}, not an object")
        return body

    def _list(self, path: str, what: str) -> list[Any]:
        items: list[Any] = []
        url: str | None = f"{path}?api-version={RESOLVER_API_VERSION}"
        while url:
            page = self._get(url, what)
            items += page.get("value") or []
            url = page.get("nextLink") or None
        return items

    def close(self) -> None:
        self._client.close()
