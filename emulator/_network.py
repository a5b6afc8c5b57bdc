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

from ._arm import NETWORK, ArmError, Request, Response, _bad, _check_conditions, _json_body, _not_found, _properties, _public

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
                raise _not_found(VNET_TYPE, name, rg)
            return Response(200, _public(vnet), {"ETag": vnet["etag"]})

    def _put(self, req: Request, sub: str, rg: str, name: str) -> Response:
        body = _json_body(req)
        location = body.get("location")
        if not isinstance(location, str) or not location:
            raise _bad("The 'location' property is required for this definition.", "LocationRequired")
        props = copy.deepcopy(_properties(body))
        dhcp = props.get("dhcpOptions")
        if dhcp is not None:
            servers = dhcp.get("dnsServers") if isinstance(dhcp, dict) else None
            if not isinstance(servers, list):
                raise _bad("The 'properties.dhcpOptions.dnsServers' property must be an array.", "InvalidRequestFormat")
            for server in servers:
                try:
                    ipaddress.ip_address(server)
                except (ValueError, TypeError):
                    raise _bad(f"The DNS server address '{server}' is not a valid IP address.",
                               "InvalidDnsServerAddress") from None
        props.setdefault("addressSpace", {"addressPrefixes": []})
        props.setdefault("subnets", [])
        props["provisioningState"] = "Succeeded"
        rid = self.vnet_id(sub, rg, name)
        with self._lock:
            store = self._data()["virtualNetworks"]
            existing = store.get(rid.lower())
            _check_conditions(req, existing["etag"] if existing else None)
            if existing:
                rid, name = existing["id"], existing["name"]
            props["resourceGuid"] = (existing or {}).get("properties", {}).get("resourceGuid") or str(uuid.uuid4())
            vnet = {"name": name, "id": rid, "etag": f'W/"{uuid.uuid4()}"', "type": VNET_TYPE, "location": location,
                    "properties": props}
            if body.get("tags") is not None:
                vnet["tags"] = copy.deepcopy(body["tags"])
            store[rid.lower()] = vnet
            self._changed()
            return Response(200 if existing else 201, _public(vnet), {"ETag": vnet["etag"]})

    def _delete(self, req: Request, sub: str, rg: str, name: str) -> Response:
        with self._lock:
            store = self._data()["virtualNetworks"]
            lid = self.vnet_id(sub, rg, name).lower()
            existing = store.get(lid)
            _check_conditions(req, existing["etag"] if existing else None)
            if existing is None:
                return Response(204)
            del store[lid]
            self._changed()
            return Response(200)
