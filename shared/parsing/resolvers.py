"""DNS Private Resolver payloads → core values (`shared/core/resolvers.py`).

Shapes: azure-rest-api-specs `specification/dnsresolver/resource-manager/Microsoft.Network/stable/
2022-07-01` (examples `InboundEndpoint_Get.json`, `ForwardingRule_Get.json`,
`VirtualNetworkLink_Get.json` of a ruleset): an inbound endpoint's
`properties.ipConfigurations[].{subnet.id, privateIpAddress}`; a rule's `properties.domainName`
(with its trailing dot), `properties.targetDnsServers[].{ipAddress, port}` and
`properties.forwardingRuleState` (`Enabled` | `Disabled`); a ruleset link's
`properties.virtualNetwork.id`. Anything else in a body is ignored; a body pedns cannot use raises
`InvalidInput` naming the resource, so one odd rule never passes for a different one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.model import ResourceId
from ..core.resolvers import ForwardingRule, InboundEndpoint, Ruleset, domain
from ..errors import InvalidInput


def network_of_subnet(subnet_id: str) -> str:
    """`…/virtualNetworks/{vnet}/subnets/{subnet}` → `…/virtualNetworks/{vnet}`."""
    cut = subnet_id.lower().rfind("/subnets/")
    return subnet_id[:cut] if cut >= 0 else subnet_id


def inbound_from_rows(rows: Iterable[dict[str, Any]]) -> list[InboundEndpoint]:
    """Resource Graph rows (one per IP configuration: id, subnetId, privateIpAddress) → endpoints."""
    found: dict[str, tuple[str, str, list[str]]] = {}
    for row in rows:
        rid, subnet, ip = str(row.get("id") or ""), str(row.get("subnetId") or ""), str(row.get("privateIpAddress") or "")
        if not rid or not subnet:
            continue
        entry = found.setdefault(rid.lower(), (rid, network_of_subnet(subnet), []))
        if ip and ip not in entry[2]:
            entry[2].append(ip)
    return [InboundEndpoint(ResourceId(rid), network, tuple(ips)) for rid, network, ips in found.values()]


def _props(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict) or not body.get("id"):
        raise InvalidInput(f"{what}: not an ARM resource with properties")
    props: dict[str, Any] = body["properties"]
    return props


def parse_rule(body: Any) -> ForwardingRule:
    props = _props(body, "forwarding rule")
    rid = str(body["id"])
    name = props.get("domainName")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"forwarding rule {rid}: properties.domainName is not a DNS name")
    targets = props.get("targetDnsServers")
    if not isinstance(targets, list) or not all(isinstance(t, dict) and isinstance(t.get("ipAddress"), str)
                                                for t in targets):
        raise InvalidInput(f"forwarding rule {rid}: properties.targetDnsServers is not a list of {{ipAddress}}")
    state = str(props.get("forwardingRuleState") or "Enabled")
    return ForwardingRule(ResourceId(rid), domain(name), tuple(t["ipAddress"] for t in targets),
                          enabled=state.lower() == "enabled")


def parse_ruleset_link(body: Any) -> str:
    """A ruleset's virtual network link → the linked network's id."""
    props = _props(body, "ruleset virtual network link")
    network = props.get("virtualNetwork")
    if not isinstance(network, dict) or not isinstance(network.get("id"), str):
        raise InvalidInput(f"ruleset virtual network link {body['id']}: properties.virtualNetwork.id is missing")
    return str(network["id"])


def ruleset(row: dict[str, Any], rules: Iterable[Any], links: Iterable[Any]) -> Ruleset:
    """A listed ruleset (id, location) with its rules' and links' ARM bodies."""
    return Ruleset(ResourceId(str(row["id"])), str(row.get("location") or ""),
                   tuple(parse_rule(r) for r in rules), tuple(parse_ruleset_link(link) for link in links))
