"""ARM semantics for the resources pedns touches: private endpoints and their DNS zone groups,
Private DNS zones, virtual network links and record sets (and virtual networks and network
interfaces, as far as pedns reads them).

Pure request → response logic over the `Store`; the HTTPS server lives in `_server`, auth,
throttling and faults in `_frontdoor`. Every change is validated first and then applied whole under
the store's lock, so a fault injected around a request can never leave half a change behind.

`Arm` is the router: it checks the subscription, the provider and the api-version, answers the
subscription-wide lists, and hands each resource type's subtree to its family — `_endpoints`
(private endpoints), `_zonegroups` (their DNS zone groups), `_zones` (zones and virtual network
links), `_records` (record sets), `_network` (virtual networks, network interfaces) and `_resolvers`
(DNS Private Resolver: resolvers, inbound endpoints, forwarding rulesets, rules and ruleset links). The resource
groups themselves are `_groups`': a read under a group that does not exist answers
`ResourceGroupNotFound`, and a resource PUT creates its group.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ._endpoints import Endpoints, OnEndpoint
from ._groups import ResourceGroups
from ._http import GUID, ArmError, Request, Response, bad, method_not_allowed, page
from ._network import Interfaces, Networks
from ._operations import Operations
from ._permissions import Permissions
from ._provider import NETWORK, require_version, rg_prefix, unknown_type
from ._records import RECORD_PROPERTIES, RecordSets
from ._resolvers import Resolvers
from ._store import Store
from ._zonegroups import ZoneGroups
from ._zones import Links, Zones


class Arm:
    """Routes ARM requests to resource handlers over a `Store`."""

    def __init__(self, store: Store, *, on_change: Callable[[], None] | None = None,
                 on_endpoint: OnEndpoint | None = None,
                 operations: Operations | None = None,
                 provisioning_delay: Callable[[], float] | None = None,
                 permissions: Permissions | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """`on_endpoint(lid, before, after)` hears every private endpoint PUT (after = the new body),
        the end of its provisioning, and DELETE (after = None), under the store's lock; the emulator
        keeps Resource Graph's lagging view with it. `operations` reports the long-running
        operations of zone, link and endpoint writes; `provisioning_delay()` is how long a private
        endpoint PUT stays `Updating` (0: it reads back as given at once); `permissions` the actions
        the caller is denied (none by default)."""
        self.store = store
        self._on_change = on_change or store.save
        self.operations = operations or Operations(lambda: 0.0)
        self.zone_groups = ZoneGroups(store, self.changed)
        self.endpoints = Endpoints(store, self.changed, self.zone_groups, self.operations, on_endpoint=on_endpoint,
                                   provisioning_delay=provisioning_delay or (lambda: 0.0), clock=clock)
        self.zones = Zones(store, self.changed, self.operations)
        self.links = Links(store, self.changed, self.operations)
        self.permissions = permissions or Permissions()
        self.records = RecordSets(store, self.changed, self.permissions)
        self.resolvers = Resolvers(store, self.changed, self.permissions)
        self.networks = Networks(lambda: self.store.data, store.lock, self.changed)
        self.interfaces = Interfaces(lambda: self.store.data, store.lock, self.changed)
        self.groups = ResourceGroups(store, self.changed)
        self.groups.adopt_stored()

    def changed(self) -> None:
        """Called by every handler after a change, under the store's lock (saves the state by default)."""
        self._on_change()

    def settle(self) -> None:
        """Finish the provisioning of endpoints whose delay has passed (see `Endpoints.settle`)."""
        self.endpoints.settle()

    # ------------------------------------------------------------------ routing

    def handle(self, req: Request, *, admin: bool = False) -> Response:
        try:
            return self._route(req, admin=admin)
        except ArmError as err:
            return err.response()

    def _route(self, req: Request, *, admin: bool) -> Response:
        segs = [unquote(s) for s in req.path.split("/") if s]
        low = [s.lower() for s in segs]
        if len(segs) < 2 or low[0] != "subscriptions":
            raise ArmError(404, "NotFound", f"The requested path '{unquote(req.path)}' was not found.")
        sub = segs[1]
        if not GUID.match(sub):
            raise bad(f"The provided subscription identifier '{sub}' is malformed or invalid.", "InvalidSubscriptionId")
        sub = sub.lower()
        rest, lrest = segs[2:], low[2:]
        if len(rest) == 3 and lrest[:2] == ["providers", NETWORK.lower()]:
            if req.method != "GET":
                raise method_not_allowed(req)
            require_version(req, {"privateendpoints": "privateEndpoints", "privatednszones": "privateDnsZones"}
                            .get(lrest[2], rest[2]))
            return self._list_in_subscription(req, sub, lrest[2])
        if len(rest) == 2 and lrest[0] == "resourcegroups":
            return self.groups.route(req, sub, rest[1])
        if len(rest) >= 5 and lrest[0] == "resourcegroups" and lrest[2:4] == ["providers", NETWORK.lower()]:
            rg = rest[1]
            route = self._family(req, sub, rg, lrest[4], rest[5:], admin=admin)
            if route is None:
                raise unknown_type(req, rest[4])
            if req.method in ("GET", "HEAD"):
                self.groups.require(sub, rg)  # after the api-version, which ARM checks first
            response = route()
            if req.method == "PUT" and response.status < 300:
                self.groups.ensure(sub, rg)  # lenient, for seeding (ARM would answer ResourceGroupNotFound)
            return response
        if len(rest) >= 5 and lrest[0] == "resourcegroups" and lrest[2] == "providers":
            raise unknown_type(req, rest[4])
        raise ArmError(404, "NotFound", f"The requested path '{unquote(req.path)}' was not found.")

    def _family(self, req: Request, sub: str, rg: str, rtype: str, tail: list[str], *,
                admin: bool) -> Callable[[], Response] | None:
        """The handler of a resource type's subtree under a resource group (None: a type not served),
        once the api-version is one the type has."""
        if rtype == "privateendpoints":
            require_version(req, "privateEndpoints")
            return lambda: self._route_pe(req, sub, rg, tail)
        if rtype == "privatednszones":
            if not admin:
                require_version(req, "privateDnsZones")
            return lambda: self._route_zone(req, sub, rg, tail, admin=admin)
        if rtype in ("dnsresolvers", "dnsforwardingrulesets"):
            self.resolvers.check_version(req, rtype, tail)
            return lambda: self.resolvers.route(req, sub, rg, rtype, tail)
        if rtype == "networkinterfaces":
            return lambda: self.interfaces.route(req, sub, rg, tail)
        if rtype == "virtualnetworks":
            return lambda: self.networks.route(req, sub, rg, tail, lambda: self._list(
                req, "virtualNetworks", rg_prefix(sub, rg) + "virtualnetworks/"))
        return None

    def _route_pe(self, req: Request, sub: str, rg: str, tail: list[str]) -> Response:
        if len(tail) <= 1:
            return self.endpoints.route(req, sub, rg, tail)
        return self.zone_groups.route(req, sub, rg, tail[0], tail[1:])

    def _route_zone(self, req: Request, sub: str, rg: str, tail: list[str], *, admin: bool) -> Response:
        if admin and not (len(tail) == 3 and tail[1].upper() in RECORD_PROPERTIES and req.method == "PUT"):
            raise ArmError(404, "NotFound", "Only PUT of a record set is available under /_emulator/autoregistered/.")
        if len(tail) <= 1:
            return self.zones.route(req, sub, rg, tail)
        zone, rest = tail[0].lower().rstrip("."), tail[1:]
        if rest[0].lower() == "virtualnetworklinks":
            return self.links.route(req, sub, rg, zone, rest)
        return self.records.route(req, sub, rg, zone, rest, admin=admin)

    # ------------------------------------------------------------------ lists

    def _list(self, req: Request, kind: str, prefix: str) -> Response:
        with self.store.lock:
            return page(req, self.store.children(kind, prefix))

    def _list_in_subscription(self, req: Request, sub: str, rtype: str) -> Response:
        kinds = {"privateendpoints": ("privateEndpoints", "privateendpoints"),
                 "privatednszones": ("zones", "privatednszones"),
                 "virtualnetworks": ("virtualNetworks", "virtualnetworks")}
        if rtype not in kinds:
            raise unknown_type(req, rtype)
        kind, segment = kinds[rtype]
        pattern = re.compile(rf"^/subscriptions/{re.escape(sub)}/resourcegroups/[^/]+/providers/microsoft\.network/{segment}/[^/]+$")
        with self.store.lock:
            items: list[dict[str, Any]] = [r for lid, r in sorted(self.store.data[kind].items()) if pattern.match(lid)]
            if kind == "zones":
                items = [self.zones.view(z) for z in items]
            return page(req, items)
