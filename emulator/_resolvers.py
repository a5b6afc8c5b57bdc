"""DNS Private Resolver, as far as `pedns resolve` and `pedns audit` read it: resolvers and their
inbound endpoints, forwarding rulesets with their forwarding rules and virtual network links.

Shapes from azure-rest-api-specs `specification/dnsresolver/resource-manager/Microsoft.Network/
stable/2022-07-01/dnsresolver.json` and its examples (`DnsResolver_Put.json`, `InboundEndpoint_Put.json`,
`DnsForwardingRuleset_Put.json`, `ForwardingRule_Put.json`, `VirtualNetworkLink_Put.json` of a ruleset):
a resolver's `properties.virtualNetwork.id`, `dnsResolverState`; an inbound endpoint's
`properties.ipConfigurations[].{subnet.id, privateIpAddress, privateIpAllocationMethod}`; a ruleset's
`properties.dnsResolverOutboundEndpoints[].id`; a rule's `domainName` (ends with a dot),
`targetDnsServers[].{ipAddress, port}` (1 to 6), `forwardingRuleState`, `metadata`; a ruleset link's
`properties.virtualNetwork.id`, `metadata`. Limits enforced (Learn, "Azure DNS limits" and "endpoints
and rulesets"): one ruleset per virtual network, a ruleset links only networks in its own region (when
the emulator knows the network), 1,000 rules and 500 links per ruleset, an inbound endpoint in a subnet
of its resolver's network.

Deliberately simpler than Azure (emulator/README.md): every PUT answers at once (Azure's resolver,
inbound endpoint, ruleset and ruleset link writes are long-running operations), a `Dynamic` inbound
address is not allocated (give `privateIpAddress`), outbound endpoints are not modelled (a ruleset
keeps the ids it is given), subnets are not checked against the network's address space, and a
delete does not check what still refers to the resource.
"""

from __future__ import annotations

import copy
import ipaddress
import uuid
from urllib.parse import unquote
from collections.abc import Callable
from typing import Any

from ._http import (
    ArmError,
    Request,
    Response,
    bad,
    check_conditions,
    json_body,
    method_not_allowed,
    page,
    properties,
    public,
    required_location,
)
from ._permissions import READ_FORWARDING_RULES, Permissions
from ._provider import NETWORK, Handlers
from ._store import Store

RESOLVER_API_VERSIONS = ("2022-07-01",)
RESOLVER_TYPE = f"{NETWORK}/dnsResolvers"
INBOUND_TYPE = f"{RESOLVER_TYPE}/inboundEndpoints"
RULESET_TYPE = f"{NETWORK}/dnsForwardingRulesets"
RULE_TYPE = f"{RULESET_TYPE}/forwardingRules"
RULESET_LINK_TYPE = f"{RULESET_TYPE}/virtualNetworkLinks"

MAX_RULES, MAX_LINKS, MAX_TARGETS = 1000, 500, 6

#: (top-level type segment, child segment or None) → (resource type, tracked: has a location)
_TYPES = {
    ("dnsresolvers", None): (RESOLVER_TYPE, True),
    ("dnsresolvers", "inboundendpoints"): (INBOUND_TYPE, True),
    ("dnsforwardingrulesets", None): (RULESET_TYPE, True),
    ("dnsforwardingrulesets", "forwardingrules"): (RULE_TYPE, False),
    ("dnsforwardingrulesets", "virtualnetworklinks"): (RULESET_LINK_TYPE, False),
}


def require_resolver_version(req: Request, rtype: str) -> None:
    version = req.query.get("api-version", "")
    if version not in RESOLVER_API_VERSIONS:
        raise ArmError(400, "NoRegisteredProviderFound",
                       f"No registered resource provider found for API version '{version}' for type '{rtype}'. "
                       f"The supported api-versions are '{', '.join(RESOLVER_API_VERSIONS)}'.")


def _vnet_of_subnet(subnet_id: str) -> str:
    cut = subnet_id.lower().rfind("/subnets/")
    return subnet_id[:cut] if cut >= 0 else ""


def _network_ref(props: dict[str, Any], what: str) -> str:
    vnet = props.get("virtualNetwork")
    vid = vnet.get("id") if isinstance(vnet, dict) else None
    if not isinstance(vid, str) or "/providers/microsoft.network/virtualnetworks/" not in vid.lower():
        raise bad(f"The 'properties.virtualNetwork.id' of the {what} must be a virtual network resource id.",
                  "InvalidRequestFormat")
    return vid


class Resolvers(Handlers):
    """`…/providers/Microsoft.Network/dnsResolvers/…` and `…/dnsForwardingRulesets/…` over the store
    (collection `resolvers`, every type of this family keyed by its lower-cased id)."""

    def __init__(self, store: Store, changed: Callable[[], None], permissions: Permissions) -> None:
        super().__init__(store, changed)
        self.permissions = permissions

    @staticmethod
    def check_version(req: Request, top: str, tail: list[str]) -> None:
        """The api-version, checked before anything else as ARM checks it."""
        child = tail[1].lower() if len(tail) >= 2 else None
        rtype = _TYPES.get((top, child), _TYPES[(top, None)])[0]
        require_resolver_version(req, rtype)

    def route(self, req: Request, sub: str, rg: str, top: str, tail: list[str]) -> Response:
        """`top` is `dnsresolvers` or `dnsforwardingrulesets`; `tail` the path after it."""
        child = tail[1].lower() if len(tail) >= 2 else None
        if (top, child) not in _TYPES or len(tail) > 3 or not tail:
            raise ArmError(404, "InvalidResourceType", f"The resource type '{'/'.join([top, *tail[1::2]])}' "
                                                       f"is not served by the pedns emulator.")
        rtype, tracked = _TYPES[(top, child)]
        if rtype == RULE_TYPE and req.method == "GET":
            self.permissions.require(READ_FORWARDING_RULES, unquote(req.path))
        base = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{rtype.split('/')[0]}/{rtype.split('/')[1]}/{tail[0]}"
        if child is None:
            rid = base
        elif len(tail) == 2:
            if req.method != "GET":
                raise method_not_allowed(req)
            return self._list(req, sub, rg, base, child)
        else:
            rid = f"{base}/{rtype.rsplit('/', 1)[1]}/{tail[2]}"
        handler = {"GET": self._get, "PUT": self._put, "DELETE": self._delete}.get(req.method)
        if handler is None:
            raise method_not_allowed(req)
        return handler(req, rid, rtype, tracked)

    # ------------------------------------------------------------------ reads

    def _list(self, req: Request, sub: str, rg: str, parent: str, child: str) -> Response:
        with self.store.lock:
            if parent.lower() not in self._d["resolvers"]:
                raise ArmError(404, "ParentResourceNotFound", f"Parent resource '{parent.rsplit('/', 1)[-1]}' not found.")
            return page(req, self.store.children("resolvers", f"{parent.lower()}/{child}/"))

    def _get(self, req: Request, rid: str, rtype: str, tracked: bool) -> Response:
        with self.store.lock:
            found = self._d["resolvers"].get(rid.lower())
            if found is None:
                raise ArmError(404, "ResourceNotFound", f"The Resource '{rtype}/{rid.rsplit('/', 1)[-1]}' was not found.")
            return Response(200, public(found), {"ETag": found["etag"]})

    def _delete(self, req: Request, rid: str, rtype: str, tracked: bool) -> Response:
        with self.store.lock:
            found = self._d["resolvers"].get(rid.lower())
            check_conditions(req, found["etag"] if found else None)
            if found is None:
                return Response(204)
            for lid in [k for k in self._d["resolvers"] if k == rid.lower() or k.startswith(rid.lower() + "/")]:
                del self._d["resolvers"][lid]
            self._changed()
            return Response(200)

    # ------------------------------------------------------------------ writes

    def _put(self, req: Request, rid: str, rtype: str, tracked: bool) -> Response:
        body = json_body(req)
        location = required_location(body) if tracked else None
        props = copy.deepcopy(properties(body))
        with self.store.lock:
            parent_lid = rid.lower().rsplit("/", 2)[0] if rtype.count("/") == 2 else None
            parent = self._d["resolvers"].get(parent_lid) if parent_lid else None
            if parent_lid and parent is None:
                raise ArmError(404, "ParentResourceNotFound",
                               f"Parent resource '{parent_lid.rsplit('/', 1)[-1]}' not found.")
            existing = self._d["resolvers"].get(rid.lower())
            check_conditions(req, existing["etag"] if existing else None)
            props = self._validate(rtype, rid, props, parent, location, existing is not None)
            props["provisioningState"] = "Succeeded"
            if rtype in (RESOLVER_TYPE, INBOUND_TYPE, RULESET_TYPE):
                props["resourceGuid"] = ((existing or {}).get("properties") or {}).get("resourceGuid") or str(uuid.uuid4())
            resource: dict[str, Any] = {"id": existing["id"] if existing else rid, "name": rid.rsplit("/", 1)[-1],
                                        "type": rtype, "etag": f'"{uuid.uuid4()}"', "properties": props}
            if location is not None:
                resource["location"] = location
                resource["tags"] = copy.deepcopy(body.get("tags") or {})
            self._d["resolvers"][rid.lower()] = resource
            self._changed()
            return Response(200 if existing else 201, public(resource), {"ETag": resource["etag"]})

    def _validate(self, rtype: str, rid: str, props: dict[str, Any], parent: dict[str, Any] | None,
                  location: str | None, exists: bool) -> dict[str, Any]:
        if rtype == RESOLVER_TYPE:
            _network_ref(props, "DNS resolver")
            props["dnsResolverState"] = "Connected"
        elif rtype == INBOUND_TYPE:
            assert parent is not None
            props["ipConfigurations"] = self._ip_configurations(props, parent)
        elif rtype == RULESET_TYPE:
            outbound = props.get("dnsResolverOutboundEndpoints")
            if not isinstance(outbound, list) or not outbound or not all(isinstance(o, dict) and o.get("id") for o in outbound):
                raise bad("The 'properties.dnsResolverOutboundEndpoints' must list at least one outbound endpoint id.",
                          "InvalidRequestFormat")
        elif rtype == RULE_TYPE:
            assert parent is not None
            self._rule(props)
            self._room(rid, "forwardingrules", MAX_RULES, exists, "forwarding rules")
        else:
            assert parent is not None
            self._ruleset_link(rid, props, parent)
            self._room(rid, "virtualnetworklinks", MAX_LINKS, exists, "virtual network links")
        return props

    def _ip_configurations(self, props: dict[str, Any], resolver: dict[str, Any]) -> list[dict[str, Any]]:
        configs = props.get("ipConfigurations")
        if not isinstance(configs, list) or len(configs) != 1 or not isinstance(configs[0], dict):
            raise bad("The 'properties.ipConfigurations' must hold exactly one IP configuration.", "InvalidRequestFormat")
        config = copy.deepcopy(configs[0])
        subnet = config.get("subnet")
        subnet_id = subnet.get("id") if isinstance(subnet, dict) else None
        network = resolver["properties"]["virtualNetwork"]["id"]
        if not isinstance(subnet_id, str) or _vnet_of_subnet(subnet_id).lower() != network.lower():
            raise bad(f"The subnet of an inbound endpoint must be in the resolver's virtual network {network}.",
                      "InvalidRequestFormat")
        address = config.get("privateIpAddress")
        try:
            ipaddress.ip_address(str(address) if isinstance(address, str) else "")
        except (TypeError, ValueError):
            raise bad("The pedns emulator allocates no address: give 'privateIpAddress' (a Static allocation).",
                      "InvalidRequestFormat") from None
        config.setdefault("privateIpAllocationMethod", "Static")
        return [config]

    @staticmethod
    def _rule(props: dict[str, Any]) -> None:
        name = props.get("domainName")
        if not isinstance(name, str) or not name.endswith(".") or ".." in name:
            raise bad("The 'properties.domainName' must be a fully qualified domain name ending with a dot.",
                      "InvalidRequestFormat")
        targets = props.get("targetDnsServers")
        if not isinstance(targets, list) or not 1 <= len(targets) <= MAX_TARGETS:
            raise bad(f"The 'properties.targetDnsServers' must list 1 to {MAX_TARGETS} servers.", "InvalidRequestFormat")
        for target in targets:
            try:
                address = target.get("ipAddress") if isinstance(target, dict) else None
                ipaddress.ip_address(address if isinstance(address, str) else "")
            except (TypeError, ValueError):
                raise bad("Each target DNS server needs a valid 'ipAddress'.", "InvalidRequestFormat") from None
            target.setdefault("port", 53)
        state = props.setdefault("forwardingRuleState", "Enabled")
        if state not in ("Enabled", "Disabled"):
            raise bad("The 'properties.forwardingRuleState' must be 'Enabled' or 'Disabled'.", "InvalidRequestFormat")

    def _ruleset_link(self, rid: str, props: dict[str, Any], ruleset: dict[str, Any]) -> None:
        vid = _network_ref(props, "virtual network link")
        props["virtualNetwork"] = {"id": vid}
        for lid, other in self._d["resolvers"].items():
            if (other["type"] == RULESET_LINK_TYPE and lid != rid.lower()
                    and other["properties"]["virtualNetwork"]["id"].lower() == vid.lower()):
                raise ArmError(409, "Conflict", f"The virtual network {vid} is already linked to the DNS forwarding "
                                                f"ruleset {lid.rsplit('/', 2)[0].rsplit('/', 1)[-1]}: a network can be "
                                                f"linked to one ruleset only.")
        network = self._d["virtualNetworks"].get(vid.lower())
        if network is not None and str(network.get("location", "")).lower() != str(ruleset.get("location", "")).lower():
            raise bad(f"The virtual network {vid} is in {network.get('location')}; the ruleset in "
                      f"{ruleset.get('location')} can link only networks in its own region.", "InvalidRequestFormat")

    def _room(self, rid: str, child: str, limit: int, exists: bool, what: str) -> None:
        parent = rid.lower().rsplit("/", 2)[0]
        if not exists and len(self.store.children("resolvers", f"{parent}/{child}/")) >= limit:
            raise ArmError(400, "QuotaExceeded", f"A DNS forwarding ruleset holds at most {limit} {what}.")


def resolver_rows(data: dict[str, dict[str, dict[str, Any]]], kind: str, scope: set[str] | None) -> list[dict[str, Any]]:
    """Resource Graph rows: `rulesets` (id, location) or `inbound` (one per IP configuration)."""
    rows: list[dict[str, Any]] = []
    wanted = RULESET_TYPE if kind == "rulesets" else INBOUND_TYPE
    for lid, resource in sorted(data["resolvers"].items()):
        if resource["type"] != wanted or (scope is not None and lid.split("/")[2] not in scope):
            continue
        if kind == "rulesets":
            rows.append({"id": resource["id"], "location": resource.get("location")})
            continue
        for config in (resource.get("properties") or {}).get("ipConfigurations") or []:
            rows.append({"id": resource["id"], "subnetId": str((config.get("subnet") or {}).get("id") or ""),
                         "privateIpAddress": str(config.get("privateIpAddress") or "")})
    return rows
