"""Virtual networks, as far as the audit needs them: PUT/GET/DELETE/list in ARM GET shape, with the
DNS servers they hand out (`properties.dhcpOptions.dnsServers`; absent or empty: Azure's resolver).

Deliberately simpler than Azure: PUT answers synchronously (Azure's is a long-running operation),
address spaces and subnets are stored as given (not validated, no overlap checks), and deleting a
network does not check what still uses it.
"""

from __future__ import annotations

import copy
import ipaddress
import uuid
from collections.abc import Callable
from typing import Any

from ._http import (
    ArmError,
    Request,
    Response,
    bad,
    check_conditions,
    json_body,
    not_found,
    properties,
    public,
    required_location,
)
from ._provider import NETWORK

VNET_TYPE = f"{NETWORK}/virtualNetworks"


class Networks:
    """`…/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks[/{name}]` over the store."""

    def __init__(self, data: Callable[[], dict[str, dict[str, dict[str, Any]]]], lock: Any,
                 changed: Callable[[], None]) -> None:
        self._data, self._lock, self._changed = data, lock, changed

    @staticmethod
    def vnet_id(sub: str, rg: str, name: str) -> str:
        return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{VNET_TYPE}/{name}"

    def route(self, req: Request, sub: str, rg: str, tail: list[str], list_children: Callable[[], Response]) -> Response:
        if not tail:
            if req.method != "GET":
                raise ArmError(405, "MethodNotAllowed", f"The requested method '{req.method}' is not allowed.")
            return list_children()
        if len(tail) != 1:
            raise ArmError(404, "InvalidResourceType",
                           f"The resource type 'virtualNetworks/{tail[1]}' is not served by the pedns emulator.")
        handler = {"GET": self._get, "PUT": self._put, "DELETE": self._delete}.get(req.method)
        if handler is None:
            raise ArmError(405, "MethodNotAllowed", f"The requested method '{req.method}' is not allowed.")
        return handler(req, sub, rg, tail[0])

    def _get(self, req: Request, sub: str, rg: str, name: str) -> Response:
        with self._lock:
            vnet = self._data()["virtualNetworks"].get(self.vnet_id(sub, rg, name).lower())
            if vnet is None:
                raise not_found(VNET_TYPE, name, rg)
            return Response(200, public(vnet), {"ETag": vnet["etag"]})

    def _put(self, req: Request, sub: str, rg: str, name: str) -> Response:
        body = json_body(req)
        location = required_location(body)
        props = copy.deepcopy(properties(body))
        dhcp = props.get("dhcpOptions")
        if dhcp is not None:
            servers = dhcp.get("dnsServers") if isinstance(dhcp, dict) else None
            if not isinstance(servers, list):
                raise bad("The 'properties.dhcpOptions.dnsServers' property must be an array.", "InvalidRequestFormat")
            for server in servers:
                try:
                    ipaddress.ip_address(server)
                except (ValueError, TypeError):
                    raise bad(f"The DNS server address '{server}' is not a valid IP address.",
                               "InvalidDnsServerAddress") from None
        props.setdefault("addressSpace", {"addressPrefixes": []})
        props.setdefault("subnets", [])
        props["provisioningState"] = "Succeeded"
        rid = self.vnet_id(sub, rg, name)
        with self._lock:
            store = self._data()["virtualNetworks"]
            existing = store.get(rid.lower())
            check_conditions(req, existing["etag"] if existing else None)
            if existing:
                rid, name = existing["id"], existing["name"]
            props["resourceGuid"] = (existing or {}).get("properties", {}).get("resourceGuid") or str(uuid.uuid4())
            vnet: dict[str, Any] = {"name": name, "id": rid, "etag": f'W/"{uuid.uuid4()}"', "type": VNET_TYPE, "location": location,
                    "properties": props}
            if body.get("tags") is not None:
                vnet["tags"] = copy.deepcopy(body["tags"])
            store[rid.lower()] = vnet
            self._changed()
            return Response(200 if existing else 201, public(vnet), {"ETag": vnet["etag"]})

    def _delete(self, req: Request, sub: str, rg: str, name: str) -> Response:
        with self._lock:
            store = self._data()["virtualNetworks"]
            lid = self.vnet_id(sub, rg, name).lower()
            existing = store.get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            if existing is None:
                return Response(204)
            del store[lid]
            self._changed()
            return Response(200)


NIC_TYPE = f"{NETWORK}/networkInterfaces"


class Interfaces:
    """`…/providers/Microsoft.Network/networkInterfaces/{name}`: GET and PUT.

    Azure makes a private endpoint's interface itself, with the platform's names for it in
    `ipConfigurations[].properties.privateLinkConnectionProperties` (read-only). The emulator keeps
    none of its own: a GET answers for the interface an endpoint's `properties.networkInterfaces`
    names, with `fqdns` taken from that endpoint's `customDnsConfigs` — unless an interface was PUT
    under that id, which is how a test says "the platform gave this endpoint other names than it
    reports". Deliberately simpler than Azure: no other interface properties are modelled.
    """

    def __init__(self, data: Callable[[], dict[str, dict[str, dict[str, Any]]]], lock: Any,
                 changed: Callable[[], None]) -> None:
        self._data, self._lock, self._changed = data, lock, changed

    def route(self, req: Request, sub: str, rg: str, tail: list[str]) -> Response:
        if len(tail) != 1 or req.method not in ("GET", "PUT"):
            raise ArmError(405, "MethodNotAllowed", f"The requested method '{req.method}' is not allowed.")
        nic_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{NIC_TYPE}/{tail[0]}"
        with self._lock:
            store = self._data()["networkInterfaces"]
            if req.method == "PUT":
                body = json_body(req)
                written: dict[str, Any] = {
                    "id": nic_id, "name": tail[0], "type": NIC_TYPE, "etag": f'W/"{uuid.uuid4()}"',
                    "location": body.get("location") or "westeurope", "properties": copy.deepcopy(properties(body))}
                existing = store.get(nic_id.lower())
                store[nic_id.lower()] = written
                self._changed()
                return Response(200 if existing else 201, public(written), {"ETag": written["etag"]})
            nic = store.get(nic_id.lower()) or self._derived(nic_id)
            if nic is None:
                raise not_found(NIC_TYPE, tail[0], rg)
            return Response(200, public(nic), {"ETag": nic["etag"]})

    def _derived(self, nic_id: str) -> dict[str, Any] | None:
        for pe in self._data()["privateEndpoints"].values():
            props = pe.get("properties") or {}
            if not any(isinstance(n, dict) and str(n.get("id", "")).lower() == nic_id.lower()
                       for n in props.get("networkInterfaces") or []):
                continue
            group = next((g for c in (props.get("privateLinkServiceConnections") or [])
                          + (props.get("manualPrivateLinkServiceConnections") or [])
                          for g in (c.get("properties") or {}).get("groupIds") or []), "")
            configs = [{"name": f"{group}.privateEndpoint.{i}", "properties": {
                "privateIPAddress": _first(c.get("ipAddresses")),
                "privateLinkConnectionProperties": {"groupId": group, "requiredMemberName": group,
                                                    "fqdns": [c.get("fqdn")]}}}
                       for i, c in enumerate(props.get("customDnsConfigs") or []) if isinstance(c, dict)]
            return {"id": nic_id, "name": nic_id.rsplit("/", 1)[-1], "type": NIC_TYPE, "etag": pe["etag"],
                    "location": pe.get("location"), "properties": {
                        "provisioningState": "Succeeded", "privateEndpoint": {"id": pe["id"]},
                        "ipConfigurations": configs}}
        return None


def _first(addresses: Any) -> Any:
    """The first address of an endpoint's config, whatever shape a test PUT there (never a crash)."""
    return addresses[0] if isinstance(addresses, list) and addresses else None
