"""The KQL the emulator understands: the nine Resource Graph queries pedns sends, how a request's
query is matched against them (whitespace runs aside; anything else is refused with `InvalidQuery`,
never answered with a guess), and the rows each yields, with KQL's value semantics. Also Resource
Graph's error answer (`GraphError`), which a refused query needs.

Pure functions over the store's data; the route, paging and the lagging view are `_graph`'s.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ._http import Response

_PROJECTION = (
    "| project id, subscriptionId, location, provisioningState = tostring(properties.provisioningState), "
    "subnetId = tostring(properties.subnet.id), customDnsConfigs = properties.customDnsConfigs, "
    "privateLinkServiceConnections = properties.privateLinkServiceConnections, "
    "manualPrivateLinkServiceConnections = properties.manualPrivateLinkServiceConnections"
)

#: Q1: every private endpoint in scope.
ENDPOINTS_QUERY = f"""resources
| where type =~ 'microsoft.network/privateendpoints'
{_PROJECTION}
| order by id asc"""

#: Q2: the private endpoints with a connection (automatic or manual) to one target. `{target}` is a
#: single-quoted KQL string literal holding the lower-cased target resource id (see `target_query`).
TARGET_QUERY_TEMPLATE = f"""resources
| where type =~ 'microsoft.network/privateendpoints'
| mv-expand connection = array_concat(properties.privateLinkServiceConnections, properties.manualPrivateLinkServiceConnections)
| where tolower(tostring(connection.properties.privateLinkServiceId)) == {{target}}
{_PROJECTION}
| order by id asc"""

#: Q3: the subscriptions in scope.
SUBSCRIPTIONS_QUERY = """resourcecontainers
| where type =~ 'microsoft.resources/subscriptions'
| project subscriptionId
| order by subscriptionId asc"""

#: Q4-Q7, for `pedns audit`: private DNS zones, their virtual network links, virtual networks, and
#: the private IPs of private endpoints' network interfaces.
ZONES_QUERY = """resources
| where type =~ 'microsoft.network/privatednszones'
| project id, name
| order by id asc"""

LINKS_QUERY = """resources
| where type =~ 'microsoft.network/privatednszones/virtualnetworklinks'
| project id, virtualNetworkId = tostring(properties.virtualNetwork.id), registrationEnabled = tobool(properties.registrationEnabled), resolutionPolicy = tostring(properties.resolutionPolicy)
| order by id asc"""

NETWORKS_QUERY = """resources
| where type =~ 'microsoft.network/virtualnetworks'
| project id, dnsServers = properties.dhcpOptions.dnsServers
| order by id asc"""

ADDRESSES_QUERY = """resources
| where type =~ 'microsoft.network/networkinterfaces'
| where isnotnull(properties.privateEndpoint)
| mv-expand ipConfiguration = properties.ipConfigurations
| project id, endpointId = tostring(properties.privateEndpoint.id), privateIPAddress = tostring(ipConfiguration.properties.privateIPAddress)
| order by id asc"""

#: Q8-Q9, for `pedns resolve` and `pedns audit`: DNS forwarding rulesets and resolvers' inbound endpoints.
RULESETS_QUERY = """resources
| where type =~ 'microsoft.network/dnsforwardingrulesets'
| project id, location
| order by id asc"""

INBOUND_QUERY = """resources
| where type =~ 'microsoft.network/dnsresolvers/inboundendpoints'
| mv-expand ipConfiguration = properties.ipConfigurations
| project id, subnetId = tostring(ipConfiguration.subnet.id), privateIpAddress = tostring(ipConfiguration.privateIpAddress)
| order by id asc"""

_SUB_START, _SUB_END = len("/subscriptions/"), len("/subscriptions/") + 36
_LITERAL = r"'((?:[^'\\]|\\.)*)'"

INVALID_QUERY = ("InvalidQuery", "Query is invalid. Please refer to the documentation for the Azure Resource Graph "
                                 "service and fix the error before retrying.")
UNSUPPORTED = ("UnsupportedByEmulator", "the pedns emulator answers only the queries listed in emulator/README.md")


def kql_string(value: str) -> str:
    """`value` as a single-quoted KQL string literal (escaping backslashes and quotes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def target_query(target_id: str) -> str:
    """Q2 for one target resource id (lower-cased here, as the template compares lower-cased ids)."""
    return TARGET_QUERY_TEMPLATE.replace("{target}", kql_string(target_id.lower()))


def normalise(query: str) -> str:
    """Collapse runs of whitespace (newlines included) to one space and trim."""
    return " ".join(query.split())


def _pattern(template: str) -> re.Pattern[str]:
    parts = [_LITERAL if token == "{target}" else re.escape(token) for token in template.split()]
    return re.compile(r"\s*" + r"\s+".join(parts) + r"\s*")


_TEMPLATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("endpoints", _pattern(ENDPOINTS_QUERY)),
    ("target", _pattern(TARGET_QUERY_TEMPLATE)),
    ("subscriptions", _pattern(SUBSCRIPTIONS_QUERY)),
    ("zones", _pattern(ZONES_QUERY)),
    ("links", _pattern(LINKS_QUERY)),
    ("networks", _pattern(NETWORKS_QUERY)),
    ("addresses", _pattern(ADDRESSES_QUERY)),
    ("rulesets", _pattern(RULESETS_QUERY)),
    ("inbound", _pattern(INBOUND_QUERY)),
)


class GraphError(Exception):
    """A Resource Graph error answer: `{"error": {"code", "message", "details": [...]}}`."""

    def __init__(self, status: int, details: list[tuple[str, str]], *, code: str = "BadRequest",
                 message: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {details}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}

    def response(self) -> Response:
        error: dict[str, Any] = {"code": self.code, "message": support_message(self.message)}
        if self.details:
            error["details"] = [{"code": code, "message": message} for code, message in self.details]
        return Response(self.status, {"error": error}, dict(self.headers))


def support_message(tail: str = "") -> str:
    """Resource Graph's message prefix, with a timestamp and correlation id as Azure gives them."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
    text = f"Please provide below info when asking for support: timestamp = {stamp}, correlationId = {uuid.uuid4()}."
    return f"{text} {tail}" if tail else text


@dataclass(frozen=True)
class Query:
    kind: str  # "endpoints", "target", "subscriptions", "zones", "links", "networks", "addresses", "rulesets", "inbound"
    target: str | None = None


def parse(query: str) -> Query:
    """Match the query against the templates; refuse anything else with InvalidQuery."""
    for kind, pattern in _TEMPLATES:
        match = pattern.fullmatch(query)
        if match is None:
            continue
        if kind != "target":
            return Query(kind)
        return Query(kind, _unescape(match.group(1)))
    raise GraphError(400, [INVALID_QUERY, UNSUPPORTED])


def _unescape(body: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1]  # the pattern guarantees a character follows a backslash
            if nxt not in ("'", "\\"):  # KQL knows more escapes; the emulator answers none of them
                raise GraphError(400, [INVALID_QUERY, UNSUPPORTED])
            out.append(nxt)
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# ---------------------------------------------------------------------- KQL value semantics

def _tostring(value: Any) -> str:
    """KQL's tostring(): null gives "", strings stay, anything else is its JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":"))


def _get(value: Any, *path: str) -> Any:
    """A dynamic member path; a missing member (or a non-object on the way) is null, as in KQL."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _array(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def endpoint_row(lid: str, pe: dict[str, Any]) -> dict[str, Any]:
    props = pe.get("properties")
    return {
        "id": pe.get("id"),
        "subscriptionId": lid[_SUB_START:_SUB_END],
        "location": pe.get("location"),
        "provisioningState": _tostring(_get(props, "provisioningState")),
        "subnetId": _tostring(_get(props, "subnet", "id")),
        "customDnsConfigs": copy.deepcopy(_get(props, "customDnsConfigs")),
        "privateLinkServiceConnections": copy.deepcopy(_get(props, "privateLinkServiceConnections")),
        "manualPrivateLinkServiceConnections": copy.deepcopy(_get(props, "manualPrivateLinkServiceConnections")),
    }


def matching_endpoints(endpoints: dict[str, dict[str, Any]], query: Query,
                       scope: set[str] | None) -> list[tuple[str, dict[str, Any]]]:
    """(lid, endpoint) for each row the query yields, ordered by id (lower-cased) ascending.

    Q2 yields one row per matching connection, as `mv-expand` does: an endpoint with two
    connections to the target is listed twice. Connection arrays that are not arrays count as empty.
    """
    rows: list[tuple[str, dict[str, Any]]] = []
    target = query.target
    for lid, pe in endpoints.items():
        if scope is not None and lid[_SUB_START:_SUB_END] not in scope:
            continue
        if target is None:
            rows.append((lid, pe))
            continue
        props = pe.get("properties")
        for connection in _array(_get(props, "privateLinkServiceConnections")) + _array(
                _get(props, "manualPrivateLinkServiceConnections")):
            if _tostring(_get(connection, "properties", "privateLinkServiceId")).lower() == target:
                rows.append((lid, pe))
    rows.sort(key=lambda row: row[0])
    return rows


_KIND_COLLECTION = {"zones": "zones", "links": "links", "networks": "virtualNetworks"}


def resource_rows(data: dict[str, dict[str, dict[str, Any]]], kind: str, scope: set[str] | None) -> list[dict[str, Any]]:
    """Q4-Q6: zones, links or virtual networks in scope, as the templates project them, by id."""
    rows = []
    for lid, resource in sorted(data[_KIND_COLLECTION[kind]].items()):
        if scope is not None and lid[_SUB_START:_SUB_END] not in scope:
            continue
        props = resource.get("properties")
        if kind == "zones":
            rows.append({"id": resource["id"], "name": resource["name"]})
        elif kind == "links":
            registration = _get(props, "registrationEnabled")
            rows.append({"id": resource["id"], "virtualNetworkId": _tostring(_get(props, "virtualNetwork", "id")),
                         "registrationEnabled": registration if isinstance(registration, bool) else None,
                         "resolutionPolicy": _tostring(_get(props, "resolutionPolicy"))})
        else:
            rows.append({"id": resource["id"], "dnsServers": copy.deepcopy(_get(props, "dhcpOptions", "dnsServers"))})
    return rows


def address_rows(endpoints: dict[str, dict[str, Any]], scope: set[str] | None) -> list[dict[str, Any]]:
    """Q7. The emulator keeps no network interfaces: each endpoint's is derived from its body (its
    `customDnsConfigs` and `ipConfigurations` addresses), named as Azure names them
    (`{endpoint}.nic.{guid}` in the endpoint's resource group)."""
    rows = []
    for lid, pe in endpoints.items():
        if scope is not None and lid[_SUB_START:_SUB_END] not in scope:
            continue
        props = pe.get("properties")
        ips: list[str] = []
        for config in _array(_get(props, "customDnsConfigs")):
            ips += [ip for ip in _array(_get(config, "ipAddresses")) if isinstance(ip, str) and ip not in ips]
        for config in _array(_get(props, "ipConfigurations")):
            ip = _get(config, "properties", "privateIPAddress")
            if isinstance(ip, str) and ip not in ips:
                ips.append(ip)
        head = pe["id"].rsplit("/providers/", 1)[0]
        guid = str(_get(props, "resourceGuid") or uuid.uuid5(uuid.NAMESPACE_URL, lid))
        nic = f"{head}/providers/Microsoft.Network/networkInterfaces/{pe['name']}.nic.{guid}"
        rows += [{"id": nic, "endpointId": pe["id"], "privateIPAddress": ip} for ip in ips]
    rows.sort(key=lambda row: row["id"].lower())
    return rows
