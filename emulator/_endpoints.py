"""Private endpoints (`…/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints[/{name}]`):
list, GET, PUT, DELETE, and their provisioning.

A PUT answers with ARM's long-running operation headers. With a provisioning delay it answers (and
reads back) `Updating`, with the connections the platform fills in and no customDnsConfigs yet, and
becomes the body as given when the delay is up (`settle`). Every change re-applies the endpoint's
private DNS zone groups (`ZoneGroups`) and is reported to `on_endpoint` (Resource Graph's view).
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable
from typing import Any

from ._http import (
    Request,
    Response,
    check_conditions,
    json_body,
    method_not_allowed,
    not_found,
    page,
    properties,
    public,
    required_location,
    weak_etag,
)
from ._operations import Operations
from ._provider import NETWORK, PE_TYPE, Handlers, pe_id, rg_prefix
from ._store import Store
from ._zonegroups import ZoneGroups

#: Hears a private endpoint change: (lower-cased id, before or None, after or None).
OnEndpoint = Callable[[str, dict[str, Any] | None, dict[str, Any] | None], None]


class Endpoints(Handlers):
    """The private endpoint routes, and the endpoints still provisioning."""

    def __init__(self, store: Store, changed: Callable[[], None], groups: ZoneGroups, operations: Operations, *,
                 on_endpoint: OnEndpoint | None, provisioning_delay: Callable[[], float],
                 clock: Callable[[], float] = time.time) -> None:
        """See `Arm` for `on_endpoint`, `provisioning_delay` and `clock`."""
        super().__init__(store, changed)
        self._groups = groups
        self.operations = operations
        self._on_endpoint = on_endpoint
        self._provisioning_delay = provisioning_delay
        self._clock = clock  # wall clock: a provisioning end is persisted with the state
        # Endpoints still provisioning (their stored body is the `Updating` one; `_final` holds
        # what they become at `_due`). Rebuilt from the state, so a restart finishes them.
        self._provisioning: set[str] = {lid for lid, pe in store.data["privateEndpoints"].items() if "_final" in pe}

    def route(self, req: Request, sub: str, rg: str, tail: list[str]) -> Response:
        """`tail` is the path after `privateEndpoints`: `[]` (the list) or `[name]`."""
        m = req.method
        if not tail:
            if m == "GET":
                with self.store.lock:
                    return page(req, self.store.children("privateEndpoints", rg_prefix(sub, rg) + "privateendpoints/"))
            raise method_not_allowed(req)
        handler = {"GET": self._get, "PUT": self._put, "DELETE": self._delete}.get(m)
        if handler is None:
            raise method_not_allowed(req)
        return handler(req, sub, rg, tail[0])

    def _get(self, req: Request, sub: str, rg: str, name: str) -> Response:
        with self.store.lock:
            pe = self._d["privateEndpoints"].get(pe_id(sub, rg, name).lower())
            if pe is None:
                raise not_found(PE_TYPE, name, rg)
            return Response(200, public(pe), {"ETag": pe["etag"]})

    def _put(self, req: Request, sub: str, rg: str, name: str) -> Response:
        body = json_body(req)
        location = required_location(body)
        props = copy.deepcopy(properties(body))
        props.setdefault("provisioningState", "Succeeded")
        for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections", "customDnsConfigs"):
            props.setdefault(key, [])
        rid = pe_id(sub, rg, name)
        lid = rid.lower()
        delay = self._provisioning_delay()
        with self.store.lock:
            existing = self._d["privateEndpoints"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            if existing:
                rid, name = existing["id"], existing["name"]
                props.setdefault("resourceGuid", existing["properties"].get("resourceGuid"))
            props.setdefault("resourceGuid", str(uuid.uuid4()))
            pe: dict[str, Any] = {"name": name, "id": rid, "etag": weak_etag(), "type": PE_TYPE, "location": location}
            for key in ("tags", "extendedLocation"):
                if body.get(key) is not None:
                    pe[key] = copy.deepcopy(body[key])
            pe["properties"] = props
            if delay > 0:
                # As recorded: the PUT answers `Updating`, connections filled in by the platform and
                # no customDnsConfigs yet; the body as given (completed) is what a GET shows later.
                _fill_platform(pe, sub, rg)
                stored = copy.deepcopy(pe)
                stored["properties"]["provisioningState"] = "Updating"
                stored["properties"]["customDnsConfigs"] = []
                stored["_final"] = pe
                stored["_due"] = self._clock() + delay
                self._provisioning.add(lid)
            else:
                stored = pe
                self._provisioning.discard(lid)
            # Validate the zone groups against the new body before changing anything.
            groups = self._groups.of(lid)
            plans = [(g, self._groups.plan(stored, g["properties"]["privateDnsZoneConfigs"], strict=False))
                     for g in groups]
            self._d["privateEndpoints"][lid] = stored
            for group, plan in plans:
                self._groups.apply(group, plan)
            if self._on_endpoint is not None:
                self._on_endpoint(lid, existing, stored)
            self._changed()
            headers = {"ETag": stored["etag"], **self.operations.network(req, sub, location, delay)}
            return Response(200 if existing else 201, public(stored), headers)

    def settle(self) -> None:
        """Finish the provisioning of endpoints whose delay has passed: each then reads as its PUT
        gave it, with a new etag, and its zone groups write its records. The emulator calls this
        before every request, so every reader (GET, lists, Resource Graph) sees the same moment."""
        if not self._provisioning:
            return
        now = self._clock()
        with self.store.lock:
            changed = False
            for lid in sorted(self._provisioning):
                stored = self._d["privateEndpoints"].get(lid)
                if stored is None or "_final" not in stored:
                    self._provisioning.discard(lid)
                    continue
                if stored.get("_due", 0) > now:
                    continue
                final = stored["_final"]
                old_etag, final["etag"] = final["etag"], weak_etag()
                for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
                    for conn in final["properties"].get(key) or []:
                        if isinstance(conn, dict) and conn.get("etag") == old_etag:
                            conn["etag"] = final["etag"]
                plans = [(g, self._groups.plan(final, g["properties"]["privateDnsZoneConfigs"], strict=False))
                         for g in self._groups.of(lid)]
                self._d["privateEndpoints"][lid] = final
                for group, plan in plans:
                    self._groups.apply(group, plan)
                self._provisioning.discard(lid)
                if self._on_endpoint is not None:
                    self._on_endpoint(lid, stored, final)
                changed = True
            if changed:
                self._changed()

    def _delete(self, req: Request, sub: str, rg: str, name: str) -> Response:
        lid = pe_id(sub, rg, name).lower()
        with self.store.lock:
            existing = self._d["privateEndpoints"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            if existing is None:
                return Response(204)
            for group in self._groups.of(lid):
                self._groups.remove(group)
            del self._d["privateEndpoints"][lid]
            self._provisioning.discard(lid)
            if self._on_endpoint is not None:
                self._on_endpoint(lid, existing, None)
            self._changed()
            return Response(200)


def _fill_platform(pe: dict[str, Any], sub: str, rg: str) -> None:
    """What the network resource provider adds to a new endpoint's connections and interfaces
    (recording `test_abs_privatendpoint_with_default`), only where the body leaves it out."""
    props = pe["properties"]
    for key, manual in (("privateLinkServiceConnections", False), ("manualPrivateLinkServiceConnections", True)):
        for i, conn in enumerate(props.get(key) or []):
            if not isinstance(conn, dict):
                continue
            name = conn.setdefault("name", f"{pe['name']}-{i}")
            conn.setdefault("id", f"{pe['id']}/{key}/{name}")
            conn.setdefault("etag", pe["etag"])
            conn.setdefault("type", f"{PE_TYPE}/{key}")
            conn_props = conn.setdefault("properties", {})
            if isinstance(conn_props, dict):
                conn_props.setdefault("provisioningState", "Succeeded")
                conn_props.setdefault("privateLinkServiceConnectionState", {
                    "status": "Pending" if manual else "Approved",
                    "description": "Awaiting Approval" if manual else "Auto-Approved",
                    "actionsRequired": "None",
                })
    props.setdefault("customNetworkInterfaceName", "")
    props.setdefault("ipConfigurations", [])
    props.setdefault("networkInterfaces", [{
        "id": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{NETWORK}/networkInterfaces/"
              f"{pe['name']}.nic.{uuid.uuid4()}"}])
