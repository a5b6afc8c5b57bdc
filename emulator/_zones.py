"""Private DNS zones and their virtual network links (`…/privateDnsZones[/{zone}]`,
`…/privateDnsZones/{zone}/virtualNetworkLinks[/{name}]`).

A zone PUT and a link PUT are long-running operations, as Azure records them: the change is applied
(or refused) at once under the store's lock and `Operations` reports it; a failed If-Match /
If-None-Match shows only in the operation (`failed_precondition`). A new zone gets its SOA record set.
"""

from __future__ import annotations

import copy
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
    not_found,
    page,
    properties,
    public,
    required_location,
    strong_etag,
)
from ._operations import Operations
from ._provider import LINK_TYPE, ZONE_TYPE, Handlers, rg_prefix, unknown_type, zone_id, zone_lid
from ._records import new_record
from ._store import Store


def failed_precondition(req: Request, existing: dict[str, Any] | None, exists_message: str) -> tuple[str, str] | None:
    """The (code, message) a long-running PUT's operation fails with when If-Match /
    If-None-Match do not hold; None when they hold. As recorded, the PUT itself still answers
    202 and only the operation reports `PreconditionFailed`."""
    try:
        check_conditions(req, existing["etag"] if existing else None)
    except ArmError as err:
        none_match = [t.strip() for t in (req.header("If-None-Match") or "").split(",")]
        return err.code, exists_message if existing is not None and "*" in none_match else err.message
    return None


class Zones(Handlers):
    """The zone routes: list, GET, PUT, PATCH, DELETE."""

    def __init__(self, store: Store, changed: Callable[[], None], operations: Operations) -> None:
        super().__init__(store, changed)
        self.operations = operations

    def route(self, req: Request, sub: str, rg: str, tail: list[str]) -> Response:
        """`tail` is the path after `privateDnsZones`: `[]` (the list) or `[zone]`."""
        m = req.method
        if not tail:
            if m == "GET":
                with self.store.lock:
                    zones = self.store.children("zones", rg_prefix(sub, rg) + "privatednszones/")
                    return page(req, [self.view(z) for z in zones])
            raise method_not_allowed(req)
        zone = tail[0].lower().rstrip(".")
        handler = {"GET": self._get, "PUT": self._put, "PATCH": self._patch,
                   "DELETE": self._delete}.get(m)
        if handler is None:
            raise method_not_allowed(req)
        return handler(req, sub, rg, zone)

    def view(self, zone: dict[str, Any]) -> dict[str, Any]:
        """The zone as answered, with its record set and link counts. Call with the store's lock held."""
        lid = zone["id"].lower()
        records = sum(1 for r in self._d["recordSets"] if r.startswith(lid + "/"))
        links = self.store.children("links", lid + "/virtualnetworklinks/")
        view = public(zone)
        view["properties"].update({
            "numberOfRecordSets": records,
            "numberOfVirtualNetworkLinks": len(links),
            "numberOfVirtualNetworkLinksWithRegistration": sum(1 for l in links if l["properties"].get("registrationEnabled")),
        })
        return view

    def _get(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        with self.store.lock:
            found = self._d["zones"].get(zone_lid(sub, rg, zone))
            if found is None:
                raise not_found(ZONE_TYPE, zone, rg)
            return Response(200, self.view(found), {"ETag": found["etag"]})

    def _put(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        body = json_body(req)
        location = required_location(body)
        if location.lower() != "global":
            raise bad(f"The location '{location}' is not valid for a Private DNS zone; use 'global'.", "InvalidLocation")
        labels = zone.split(".")
        if len(labels) < 2 or any(not label or len(label) > 63 for label in labels) or len(zone) > 253:
            raise bad(f"The zone name '{zone}' is not a valid domain name with at least two labels.", "InvalidZoneName")
        lid = zone_lid(sub, rg, zone)
        with self.store.lock:
            existing = self._d["zones"].get(lid)
            failed = failed_precondition(req, existing, f"The Zone {zone} exists already and hence cannot be created again.")
            if failed is not None:
                return self.operations.private_dns(req, sub, rg, "UpsertPrivateDnsZone", failed)
            if existing:
                found = existing
                found["etag"] = strong_etag()
                found["tags"] = copy.deepcopy(body.get("tags") or {})
            else:
                found = {
                    "id": zone_id(sub, rg, zone),
                    "name": zone,
                    "type": ZONE_TYPE,
                    "etag": strong_etag(),
                    "location": "global",
                    "tags": copy.deepcopy(body.get("tags") or {}),
                    "properties": {
                        "maxNumberOfRecordSets": 25000,
                        "maxNumberOfVirtualNetworkLinks": 1000,
                        "maxNumberOfVirtualNetworkLinksWithRegistration": 100,
                        "provisioningState": "Succeeded",
                        "internalId": f"SUBSCRIPTIONS/{sub.upper()}/RESOURCEGROUPS/{rg.upper()}/PROVIDERS/MICROSOFT.NETWORK/PRIVATEDNSZONES/{zone.upper()}",
                    },
                }
                self._d["zones"][lid] = found
                soa = new_record(found, "SOA", "@", {"ttl": 3600, "soaRecord": {
                    "email": "azureprivatedns-host.microsoft.com",
                    "expireTime": 2419200,
                    "host": "azureprivatedns.net",
                    "minimumTtl": 10,
                    "refreshTime": 3600,
                    "retryTime": 300,
                    "serialNumber": 1,
                }})
                self._d["recordSets"][soa["id"].lower()] = soa
            self._changed()
            return self.operations.private_dns(req, sub, rg, "UpsertPrivateDnsZone")

    def _patch(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        body = json_body(req)
        lid = zone_lid(sub, rg, zone)
        with self.store.lock:
            found = self._d["zones"].get(lid)
            check_conditions(req, found["etag"] if found else None)
            if found is None:
                raise not_found(ZONE_TYPE, zone, rg)
            if "tags" in body:
                found["tags"] = copy.deepcopy(body.get("tags") or {})
            found["etag"] = strong_etag()
            self._changed()
            return Response(200, self.view(found), {"ETag": found["etag"]})

    def _delete(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        """Delete a zone and every record set in it; refused (409) while virtual network links remain."""
        lid = zone_lid(sub, rg, zone)
        with self.store.lock:
            found = self._d["zones"].get(lid)
            check_conditions(req, found["etag"] if found else None)
            if found is None:
                return Response(204)
            if self.store.children("links", lid + "/virtualnetworklinks/"):
                raise ArmError(409, "Conflict",
                               f"The private DNS zone '{zone}' cannot be deleted because it has virtual network links. "
                               "Delete the virtual network links first.")
            for record_lid in [r for r in self._d["recordSets"] if r.startswith(lid + "/")]:
                del self._d["recordSets"][record_lid]
            del self._d["zones"][lid]
            self._changed()
            return Response(200)


class Links(Handlers):
    """The virtual network link routes of every zone: list, GET, PUT, PATCH, DELETE."""

    def __init__(self, store: Store, changed: Callable[[], None], operations: Operations) -> None:
        super().__init__(store, changed)
        self.operations = operations

    def route(self, req: Request, sub: str, rg: str, zone: str, rest: list[str]) -> Response:
        """`rest` is the path after the zone: `[virtualNetworkLinks]` (the list) or `[virtualNetworkLinks, name]`."""
        m = req.method
        if len(rest) == 1:
            if m != "GET":
                raise method_not_allowed(req)
            lid = zone_lid(sub, rg, zone)
            if lid not in self._d["zones"]:
                raise not_found(ZONE_TYPE, zone, rg)
            with self.store.lock:
                return page(req, self.store.children("links", lid + "/virtualnetworklinks/"))
        if len(rest) == 2:
            handler = {"GET": self._get, "PUT": self._put, "PATCH": self._patch,
                       "DELETE": self._delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            return handler(req, sub, rg, zone, rest[1])
        raise unknown_type(req, "privateDnsZones/" + "/".join(rest))

    def _get(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            link = self._d["links"].get(f"{found['id']}/virtualNetworkLinks/{name}".lower())
            if link is None:
                raise not_found(LINK_TYPE, f"{zone}/{name}", rg)
            return Response(200, public(link), {"ETag": link["etag"]})

    def _put(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
        body = json_body(req)
        props = properties(body)
        vnet = props.get("virtualNetwork")
        vnet_id = vnet.get("id") if isinstance(vnet, dict) else None
        if not isinstance(vnet_id, str) or not vnet_id:
            raise bad("The 'properties.virtualNetwork.id' property is required.", "InvalidRequestFormat")
        registration = props.get("registrationEnabled", False)
        if not isinstance(registration, bool):
            raise bad("The 'properties.registrationEnabled' property must be a boolean.", "InvalidRequestFormat")
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            lid = f"{found['id']}/virtualNetworkLinks/{name}".lower()
            existing = self._d["links"].get(lid)
            failed = failed_precondition(
                req, existing, f"The Virtual Network link {name} for the Private DNS zone {zone} exists already "
                               "and hence cannot be created again.")
            if failed is not None:
                return self.operations.private_dns(req, sub, rg, "UpsertVirtualNetworkLink", failed)
            for other_lid, other in self._d["links"].items():
                if (other_lid != lid and other_lid.startswith(found["id"].lower() + "/")
                        and other["properties"]["virtualNetwork"]["id"].lower() == vnet_id.lower()):
                    raise ArmError(409, "Conflict",
                                   f"The virtual network '{vnet_id}' is already linked to the private DNS zone '{zone}' by '{other['name']}'.")
            link_props: dict[str, Any] = {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": registration}
            if props.get("resolutionPolicy") is not None:
                link_props["resolutionPolicy"] = props["resolutionPolicy"]
            link_props.update({"virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"})
            link = {
                "id": existing["id"] if existing else f"{found['id']}/virtualNetworkLinks/{name}",
                "name": existing["name"] if existing else name,
                "type": LINK_TYPE,
                "etag": strong_etag(),
                "location": "global",
                "tags": copy.deepcopy(body.get("tags") or {}),
                "properties": link_props,
            }
            self._d["links"][lid] = link
            self._changed()
            return self.operations.private_dns(req, sub, rg, "UpsertVirtualNetworkLink")

    def _patch(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
        body = json_body(req)
        props = properties(body)
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            link = self._d["links"].get(f"{found['id']}/virtualNetworkLinks/{name}".lower())
            check_conditions(req, link["etag"] if link else None)
            if link is None:
                raise not_found(LINK_TYPE, f"{zone}/{name}", rg)
            if "registrationEnabled" in props:
                if not isinstance(props["registrationEnabled"], bool):
                    raise bad("The 'properties.registrationEnabled' property must be a boolean.", "InvalidRequestFormat")
                link["properties"]["registrationEnabled"] = props["registrationEnabled"]
            if "tags" in body:
                link["tags"] = copy.deepcopy(body.get("tags") or {})
            link["etag"] = strong_etag()
            self._changed()
            return Response(200, public(link), {"ETag": link["etag"]})

    def _delete(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            lid = f"{found['id']}/virtualNetworkLinks/{name}".lower()
            link = self._d["links"].get(lid)
            check_conditions(req, link["etag"] if link else None)
            if link is None:
                return Response(204)
            del self._d["links"][lid]
            self._changed()
            return Response(200)
