"""ARM semantics for the resources pedns touches: private endpoints and their DNS zone groups,
Private DNS zones, virtual network links and record sets.

Pure request → response logic over the `Store`; the HTTPS server, auth, throttling and faults live
in `_server`. Every change is validated first and then applied whole under the store's lock, so a
fault injected around a request can never leave half a change behind.
"""

from __future__ import annotations

import copy
import ipaddress
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ._http import (
    GUID,
    ArmError,
    Request,
    Response,
    bad,
    check_conditions,
    json_body,
    method_not_allowed,
    not_found,
    page,
    parent_not_found,
    properties,
    public,
    strong_etag,
    weak_etag,
)
from ._network import Interfaces, Networks
from ._operations import Operations
from ._provider import (
    DNS_API_VERSIONS,
    LINK_TYPE,
    NETWORK,
    NETWORK_API_VERSIONS,
    PE_TYPE,
    ZONE_GROUP_TYPE,
    ZONE_TYPE,
)
from ._store import Store

#: Record type (as in the URL, upper-cased) → the property holding its records.
RECORD_PROPERTIES: dict[str, str] = {
    "A": "aRecords",
    "AAAA": "aaaaRecords",
    "CNAME": "cnameRecord",
    "MX": "mxRecords",
    "PTR": "ptrRecords",
    "SOA": "soaRecord",
    "SRV": "srvRecords",
    "TXT": "txtRecords",
}

#: TTL Azure gives the A records a private DNS zone group writes.
ZONE_GROUP_TTL = 10

class Arm:
    """Routes ARM requests to resource handlers over a `Store`."""

    def __init__(self, store: Store, *, on_change: Callable[[], None] | None = None,
                 on_endpoint: Callable[[str, dict[str, Any] | None, dict[str, Any] | None], None] | None = None,
                 operations: Operations | None = None,
                 provisioning_delay: Callable[[], float] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """`on_endpoint(lid, before, after)` hears every private endpoint PUT (after = the new body),
        the end of its provisioning, and DELETE (after = None), under the store's lock; the emulator
        keeps Resource Graph's lagging view with it. `operations` reports the long-running
        operations of zone, link and endpoint writes; `provisioning_delay()` is how long a private
        endpoint PUT stays `Updating` (0: it reads back as given at once)."""
        self.store = store
        self._on_change = on_change or store.save
        self._on_endpoint = on_endpoint
        self.operations = operations or Operations(lambda: 0.0)
        self._provisioning_delay = provisioning_delay or (lambda: 0.0)
        self._clock = clock  # wall clock: a provisioning end is persisted with the state
        # Endpoints still provisioning (their stored body is the `Updating` one; `_final` holds
        # what they become at `_due`). Rebuilt from the state, so a restart finishes them.
        self._provisioning: set[str] = {lid for lid, pe in store.data["privateEndpoints"].items() if "_final" in pe}
        # Zone group ids by private endpoint id, so an endpoint PUT or DELETE finds its groups
        # without scanning every group (seeding 10,000 endpoints would otherwise be quadratic).
        self._groups_by_pe: dict[str, set[str]] = {}
        for lid in store.data["zoneGroups"]:
            self._groups_by_pe.setdefault(lid.rpartition("/privatednszonegroups/")[0], set()).add(lid)

    @property
    def _d(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.store.data

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
            self._require_version(req, {"privateendpoints": "privateEndpoints", "privatednszones": "privateDnsZones"}
                                  .get(lrest[2], rest[2]))
            return self._list_in_subscription(req, sub, lrest[2])
        if len(rest) >= 5 and lrest[0] == "resourcegroups" and lrest[2:4] == ["providers", NETWORK.lower()]:
            rg = rest[1]
            rtype = lrest[4]
            tail = rest[5:]
            if rtype == "privateendpoints":
                return self._route_pe(req, sub, rg, tail)
            if rtype == "privatednszones":
                return self._route_zone(req, sub, rg, tail, admin=admin)
            if rtype == "networkinterfaces":
                return Interfaces(lambda: self._d, self.store.lock, self.changed).route(req, sub, rg, tail)
            if rtype == "virtualnetworks":
                return self._networks().route(req, sub, rg, tail, lambda: self._list(
                    req, "virtualNetworks", self._rg_prefix(sub, rg) + "virtualnetworks/"))
            raise self._unknown_type(req, rest[4])
        if len(rest) >= 5 and lrest[0] == "resourcegroups" and lrest[2] == "providers":
            raise self._unknown_type(req, rest[4])
        raise ArmError(404, "NotFound", f"The requested path '{unquote(req.path)}' was not found.")

    def _networks(self):  # type: ignore[no-untyped-def]
        return Networks(lambda: self._d, self.store.lock, self.changed)

    def _unknown_type(self, req: Request, rtype: str) -> ArmError:
        return ArmError(
            404, "InvalidResourceType",
            f"The resource type '{rtype}' could not be found in the namespace '{NETWORK}' "
            f"for api version '{req.query.get('api-version', '')}'.",
        )

    def _require_version(self, req: Request, rtype: str) -> None:
        """ARM's answer to an api-version the resource type does not have (recorded shape: 400
        `NoRegisteredProviderFound`, "No registered resource provider found for location … and API
        version … for type …. The supported api-versions are '…'.")."""
        versions = DNS_API_VERSIONS if rtype.lower().startswith("privatednszones") else NETWORK_API_VERSIONS
        version = req.query.get("api-version", "")
        if version not in versions and rtype.lower() in ("privatednszones", "privateendpoints"):
            where = "location 'global' and " if versions is DNS_API_VERSIONS else ""
            raise ArmError(400, "NoRegisteredProviderFound",
                           f"No registered resource provider found for {where}API version '{version}' for type "
                           f"'{rtype}'. The supported api-versions are '{', '.join(versions)}'.")

    def _route_pe(self, req: Request, sub: str, rg: str, tail: list[str]) -> Response:
        self._require_version(req, "privateEndpoints")
        ltail = [t.lower() for t in tail]
        m = req.method
        if not tail:
            if m == "GET":
                return self._list(req, "privateEndpoints", self._rg_prefix(sub, rg) + "privateendpoints/")
            raise method_not_allowed(req)
        name = tail[0]
        if len(tail) == 1:
            handler = {"GET": self._pe_get, "PUT": self._pe_put, "DELETE": self._pe_delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            return handler(req, sub, rg, name)
        if ltail[1] != "privatednszonegroups":
            raise self._unknown_type(req, f"privateEndpoints/{tail[1]}")
        pe_lid = self._pe_id(sub, rg, name).lower()
        if len(tail) == 2:
            if m != "GET":
                raise method_not_allowed(req)
            with self.store.lock:
                if pe_lid not in self._d["privateEndpoints"]:
                    raise not_found(PE_TYPE, name, rg)
                return page(req, self._zone_groups(pe_lid))
        if len(tail) == 3:
            handler = {"GET": self._zg_get, "PUT": self._zg_put, "DELETE": self._zg_delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            return handler(req, sub, rg, name, tail[2])
        raise self._unknown_type(req, "/".join(tail[1:]))

    def _route_zone(self, req: Request, sub: str, rg: str, tail: list[str], *, admin: bool) -> Response:
        if not admin:
            self._require_version(req, "privateDnsZones")
        m = req.method
        if admin and not (len(tail) == 3 and tail[1].upper() in RECORD_PROPERTIES and m == "PUT"):
            raise ArmError(404, "NotFound", "Only PUT of a record set is available under /_emulator/autoregistered/.")
        if not tail:
            if m == "GET":
                return self._list(req, "zones", self._rg_prefix(sub, rg) + "privatednszones/")
            raise method_not_allowed(req)
        zone = tail[0].lower().rstrip(".")
        if len(tail) == 1:
            handler = {"GET": self._zone_get, "PUT": self._zone_put, "PATCH": self._zone_patch,
                       "DELETE": self._zone_delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            return handler(req, sub, rg, zone)
        kind = tail[1]
        if kind.lower() == "virtualnetworklinks":
            if len(tail) == 2:
                if m != "GET":
                    raise method_not_allowed(req)
                zone_lid = self._zone_lid(sub, rg, zone)
                if zone_lid not in self._d["zones"]:
                    raise not_found(ZONE_TYPE, zone, rg)
                return self._list(req, "links", zone_lid + "/virtualnetworklinks/")
            if len(tail) == 3:
                handler = {"GET": self._link_get, "PUT": self._link_put, "PATCH": self._link_patch,
                           "DELETE": self._link_delete}.get(m)
                if handler is None:
                    raise method_not_allowed(req)
                return handler(req, sub, rg, zone, tail[2])
            raise self._unknown_type(req, "privateDnsZones/" + "/".join(tail[1:]))
        rtype = kind.upper()
        if rtype != "ALL" and rtype not in RECORD_PROPERTIES:
            raise self._unknown_type(req, f"privateDnsZones/{kind}")
        if len(tail) == 2:
            if m != "GET":
                raise method_not_allowed(req)
            return self._record_list(req, sub, rg, zone, rtype)
        if len(tail) == 3 and rtype != "ALL":
            handler = {"GET": self._record_get, "PUT": self._record_put, "PATCH": self._record_patch,
                       "DELETE": self._record_delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            if m == "PUT":
                return self._record_put(req, sub, rg, zone, rtype, tail[2], auto_registered=admin)
            return handler(req, sub, rg, zone, rtype, tail[2])
        raise self._unknown_type(req, "privateDnsZones/" + "/".join(tail[1:]))

    # ------------------------------------------------------------------ ids and lists

    @staticmethod
    def _rg_prefix(sub: str, rg: str) -> str:
        return f"/subscriptions/{sub}/resourcegroups/{rg.lower()}/providers/microsoft.network/"

    @staticmethod
    def _pe_id(sub: str, rg: str, name: str) -> str:
        return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{NETWORK}/privateEndpoints/{name}"

    @staticmethod
    def _zone_id(sub: str, rg: str, zone: str) -> str:
        return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{NETWORK}/privateDnsZones/{zone}"

    def _zone_lid(self, sub: str, rg: str, zone: str) -> str:
        return self._zone_id(sub, rg, zone).lower()

    def _zone_groups(self, pe_lid: str) -> list[dict[str, Any]]:
        """The endpoint's zone groups, sorted by id. Call with the store's lock held."""
        groups = self._d["zoneGroups"]
        return [groups[lid] for lid in sorted(self._groups_by_pe.get(pe_lid, ())) if lid in groups]

    def _children(self, kind: str, prefix: str) -> list[dict[str, Any]]:
        items = [(lid, r) for lid, r in self._d[kind].items() if lid.startswith(prefix) and "/" not in lid[len(prefix):]]
        return [r for _, r in sorted(items)]

    def _list(self, req: Request, kind: str, prefix: str) -> Response:
        with self.store.lock:
            items = self._children(kind, prefix)
            if kind == "zones":
                items = [self._zone_view(z) for z in items]
            return page(req, items)

    def _list_in_subscription(self, req: Request, sub: str, rtype: str) -> Response:
        kinds = {"privateendpoints": ("privateEndpoints", "privateendpoints"),
                 "privatednszones": ("zones", "privatednszones"),
                 "virtualnetworks": ("virtualNetworks", "virtualnetworks")}
        if rtype not in kinds:
            raise self._unknown_type(req, rtype)
        kind, segment = kinds[rtype]
        pattern = re.compile(rf"^/subscriptions/{re.escape(sub)}/resourcegroups/[^/]+/providers/microsoft\.network/{segment}/[^/]+$")
        with self.store.lock:
            items = [r for lid, r in sorted(self._d[kind].items()) if pattern.match(lid)]
            if kind == "zones":
                items = [self._zone_view(z) for z in items]
            return page(req, items)

    def changed(self) -> None:
        self._on_change()

    # ------------------------------------------------------------------ private endpoints

    def _pe_get(self, req: Request, sub: str, rg: str, name: str) -> Response:
        with self.store.lock:
            pe = self._d["privateEndpoints"].get(self._pe_id(sub, rg, name).lower())
            if pe is None:
                raise not_found(PE_TYPE, name, rg)
            return Response(200, public(pe), {"ETag": pe["etag"]})

    def _pe_put(self, req: Request, sub: str, rg: str, name: str) -> Response:
        body = json_body(req)
        location = body.get("location")
        if not isinstance(location, str) or not location:
            raise bad("The 'location' property is required for this definition.", "LocationRequired")
        props = copy.deepcopy(properties(body))
        props.setdefault("provisioningState", "Succeeded")
        for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections", "customDnsConfigs"):
            props.setdefault(key, [])
        rid = self._pe_id(sub, rg, name)
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
                self._fill_platform(pe, sub, rg)
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
            groups = self._zone_groups(lid)
            plans = [(g, self._zone_group_plan(stored, g["properties"]["privateDnsZoneConfigs"], strict=False))
                     for g in groups]
            self._d["privateEndpoints"][lid] = stored
            for group, plan in plans:
                self._apply_zone_group(group, plan)
            if self._on_endpoint is not None:
                self._on_endpoint(lid, existing, stored)
            self.changed()
            headers = {"ETag": stored["etag"], **self.operations.network(req, sub, location, delay)}
            return Response(200 if existing else 201, public(stored), headers)

    @staticmethod
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
                plans = [(g, self._zone_group_plan(final, g["properties"]["privateDnsZoneConfigs"], strict=False))
                         for g in self._zone_groups(lid)]
                self._d["privateEndpoints"][lid] = final
                for group, plan in plans:
                    self._apply_zone_group(group, plan)
                self._provisioning.discard(lid)
                if self._on_endpoint is not None:
                    self._on_endpoint(lid, stored, final)
                changed = True
            if changed:
                self.changed()

    def _pe_delete(self, req: Request, sub: str, rg: str, name: str) -> Response:
        lid = self._pe_id(sub, rg, name).lower()
        with self.store.lock:
            existing = self._d["privateEndpoints"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            if existing is None:
                return Response(204)
            for group in self._zone_groups(lid):
                self._remove_zone_group(group)
            del self._d["privateEndpoints"][lid]
            self._provisioning.discard(lid)
            if self._on_endpoint is not None:
                self._on_endpoint(lid, existing, None)
            self.changed()
            return Response(200)

    # ------------------------------------------------------------------ private DNS zone groups

    def _zg_get(self, req: Request, sub: str, rg: str, pe_name: str, name: str) -> Response:
        pe_lid = self._pe_id(sub, rg, pe_name).lower()
        with self.store.lock:
            if pe_lid not in self._d["privateEndpoints"]:
                raise parent_not_found(pe_name)
            group = self._d["zoneGroups"].get(f"{pe_lid}/privatednszonegroups/{name.lower()}")
            if group is None:
                raise not_found(ZONE_GROUP_TYPE, f"{pe_name}/{name}", rg)
            return Response(200, public(group), {"ETag": group["etag"]})

    def _zg_put(self, req: Request, sub: str, rg: str, pe_name: str, name: str) -> Response:
        body = json_body(req)
        configs = properties(body).get("privateDnsZoneConfigs")
        if not isinstance(configs, list) or not configs:
            raise bad("The 'properties.privateDnsZoneConfigs' array is required and must not be empty.", "InvalidRequestFormat")
        clean: list[dict[str, Any]] = []
        for i, config in enumerate(configs):
            zone_id = (config or {}).get("properties", {}).get("privateDnsZoneId") if isinstance(config, dict) else None
            if not isinstance(zone_id, str) or not zone_id:
                raise bad(f"privateDnsZoneConfigs[{i}].properties.privateDnsZoneId is required.", "InvalidRequestFormat")
            clean.append({"name": config.get("name") or zone_id.rstrip("/").rsplit("/", 1)[-1].replace(".", "-"),
                          "properties": {"privateDnsZoneId": zone_id}})
        pe_lid = self._pe_id(sub, rg, pe_name).lower()
        lid = f"{pe_lid}/privatednszonegroups/{name.lower()}"
        with self.store.lock:
            pe = self._d["privateEndpoints"].get(pe_lid)
            if pe is None:
                raise parent_not_found(pe_name)
            existing = self._d["zoneGroups"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            plan = self._zone_group_plan(pe, clean)
            group: dict[str, Any] = {
                "name": existing["name"] if existing else name,
                "id": existing["id"] if existing else f"{pe['id']}/privateDnsZoneGroups/{name}",
                "etag": weak_etag(),
                "type": ZONE_GROUP_TYPE,
                "properties": {"provisioningState": "Succeeded", "privateDnsZoneConfigs": clean},
                "_written": existing["_written"] if existing else [],
            }
            self._d["zoneGroups"][lid] = group
            self._groups_by_pe.setdefault(pe_lid, set()).add(lid)
            self._apply_zone_group(group, plan)
            self.changed()
            return Response(200 if existing else 201, public(group), {"ETag": group["etag"]})

    def _zg_delete(self, req: Request, sub: str, rg: str, pe_name: str, name: str) -> Response:
        pe_lid = self._pe_id(sub, rg, pe_name).lower()
        lid = f"{pe_lid}/privatednszonegroups/{name.lower()}"
        with self.store.lock:
            if pe_lid not in self._d["privateEndpoints"]:
                raise parent_not_found(pe_name)
            existing = self._d["zoneGroups"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            if existing is None:
                return Response(204)
            self._remove_zone_group(existing)
            self.changed()
            return Response(200)

    def _zone_group_plan(self, pe: dict[str, Any], configs: list[dict[str, Any]],
                         *, strict: bool = True) -> list[tuple[int, str, list[str]]]:
        """Which A records the zone group writes: [(config index, record set lid, ips)].

        `strict` refuses configs naming a zone that does not exist (a new or replaced group); a
        private endpoint update re-applies existing groups leniently. As Azure does: each customDnsConfigs fqdn goes to the linked zone whose name, without a leading
        `privatelink.`, is the longest suffix of the fqdn; the record name is the rest of the fqdn.
        """
        zones: list[tuple[int, dict[str, Any], str]] = []
        for i, config in enumerate(configs):
            zone_id = config["properties"]["privateDnsZoneId"]
            zone = self._d["zones"].get(zone_id.lower().rstrip("/"))
            if zone is None:
                if not strict:  # the zone went away after the group was made: nothing to write there
                    continue
                raise bad(f"Private DNS zone '{zone_id}' referenced by privateDnsZoneConfigs[{i}] does not exist.",
                           "InvalidPrivateDnsZoneIds")
            suffix = zone["name"][len("privatelink."):] if zone["name"].startswith("privatelink.") else zone["name"]
            zones.append((i, zone, suffix))
        wanted: dict[str, tuple[int, list[str]]] = {}
        for dns_config in pe["properties"].get("customDnsConfigs") or []:
            fqdn = str(dns_config.get("fqdn") or "").lower().rstrip(".")
            ips = [ip for ip in dns_config.get("ipAddresses") or [] if isinstance(ip, str)]
            best = None
            for i, zone, suffix in zones:
                if (fqdn == suffix or fqdn.endswith("." + suffix)) and (best is None or len(suffix) > len(best[2])):
                    best = (i, zone, suffix)
            if best is None or not ips:
                continue
            i, zone, suffix = best
            rel = "@" if fqdn == suffix else fqdn[: -len(suffix) - 1]
            # IPv4 addresses go in an A set, IPv6 ones in an AAAA set. No Microsoft source says what a
            # zone group writes for a dual-stack endpoint; Learn's IPv6 walkthrough resolves the name's
            # AAAA through the linked zone, so the emulator writes both (emulator/README.md).
            for rtype in ("A", "AAAA"):
                family = [ip for ip in ips if (":" in ip) == (rtype == "AAAA")]
                if not family:
                    continue
                record_lid = f"{zone['id']}/{rtype}/{rel}".lower()
                slot = wanted.setdefault(record_lid, (i, []))
                slot[1].extend(ip for ip in family if ip not in slot[1])
        return [(i, record_lid, ips) for record_lid, (i, ips) in wanted.items()]

    def _apply_zone_group(self, group: dict[str, Any], plan: list[tuple[int, str, list[str]]]) -> None:
        """Write the planned A and AAAA records (overwriting whatever is there) and drop ones no longer planned."""
        written = {lid for _, lid, _ in plan}
        for old in group.get("_written", []):
            if old not in written:
                self._d["recordSets"].pop(old, None)
        configs = group["properties"]["privateDnsZoneConfigs"]
        for config in configs:
            config["properties"]["recordSets"] = []
        for i, record_lid, ips in plan:
            rtype = "AAAA" if "/aaaa/" in record_lid else "A"
            zone_lid, _, rel = record_lid.rpartition(f"/{rtype.lower()}/")
            zone = self._d["zones"][zone_lid]
            records = ({"aRecords": [{"ipv4Address": ip} for ip in ips]} if rtype == "A"
                       else {"aaaaRecords": [{"ipv6Address": ip} for ip in ips]})
            record = self._new_record(zone, rtype, rel, {"ttl": ZONE_GROUP_TTL, **records})
            self._d["recordSets"][record_lid] = record
            configs[i]["properties"]["recordSets"].append({
                "recordType": rtype,
                "recordSetName": rel,
                "fqdn": record["properties"]["fqdn"].rstrip("."),
                "ttl": ZONE_GROUP_TTL,
                "ipAddresses": list(ips),
                "provisioningState": "Succeeded",
            })
        group["_written"] = sorted(written)

    def _remove_zone_group(self, group: dict[str, Any]) -> None:
        for record_lid in group.get("_written", []):
            self._d["recordSets"].pop(record_lid, None)
        lid = group["id"].lower()
        self._d["zoneGroups"].pop(lid, None)
        pe_lid = lid.rpartition("/privatednszonegroups/")[0]
        siblings = self._groups_by_pe.get(pe_lid)
        if siblings is not None:
            siblings.discard(lid)
            if not siblings:
                del self._groups_by_pe[pe_lid]

    # ------------------------------------------------------------------ private DNS zones

    def _zone_view(self, zone: dict[str, Any]) -> dict[str, Any]:
        lid = zone["id"].lower()
        records = sum(1 for r in self._d["recordSets"] if r.startswith(lid + "/"))
        links = self._children("links", lid + "/virtualnetworklinks/")
        view = public(zone)
        view["properties"].update({
            "numberOfRecordSets": records,
            "numberOfVirtualNetworkLinks": len(links),
            "numberOfVirtualNetworkLinksWithRegistration": sum(1 for l in links if l["properties"].get("registrationEnabled")),
        })
        return view

    def _zone_get(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        with self.store.lock:
            found = self._d["zones"].get(self._zone_lid(sub, rg, zone))
            if found is None:
                raise not_found(ZONE_TYPE, zone, rg)
            return Response(200, self._zone_view(found), {"ETag": found["etag"]})

    def _zone_put(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        body = json_body(req)
        location = body.get("location")
        if not isinstance(location, str) or not location:
            raise bad("The 'location' property is required for this definition.", "LocationRequired")
        if location.lower() != "global":
            raise bad(f"The location '{location}' is not valid for a Private DNS zone; use 'global'.", "InvalidLocation")
        labels = zone.split(".")
        if len(labels) < 2 or any(not label or len(label) > 63 for label in labels) or len(zone) > 253:
            raise bad(f"The zone name '{zone}' is not a valid domain name with at least two labels.", "InvalidZoneName")
        lid = self._zone_lid(sub, rg, zone)
        with self.store.lock:
            existing = self._d["zones"].get(lid)
            failed = self._failed_precondition(req, existing, f"The Zone {zone} exists already and hence cannot be created again.")
            if failed is not None:
                return self.operations.private_dns(req, sub, rg, "UpsertPrivateDnsZone", failed)
            if existing:
                found = existing
                found["etag"] = strong_etag()
                found["tags"] = copy.deepcopy(body.get("tags") or {})
            else:
                found = {
                    "id": self._zone_id(sub, rg, zone),
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
                soa = self._new_record(found, "SOA", "@", {"ttl": 3600, "soaRecord": {
                    "email": "azureprivatedns-host.microsoft.com",
                    "expireTime": 2419200,
                    "host": "azureprivatedns.net",
                    "minimumTtl": 10,
                    "refreshTime": 3600,
                    "retryTime": 300,
                    "serialNumber": 1,
                }})
                self._d["recordSets"][soa["id"].lower()] = soa
            self.changed()
            return self.operations.private_dns(req, sub, rg, "UpsertPrivateDnsZone")

    @staticmethod
    def _failed_precondition(req: Request, existing: dict[str, Any] | None, exists_message: str) -> tuple[str, str] | None:
        """The (code, message) a long-running PUT's operation fails with when If-Match /
        If-None-Match do not hold; None when they hold. As recorded, the PUT itself still answers
        202 and only the operation reports `PreconditionFailed`."""
        try:
            check_conditions(req, existing["etag"] if existing else None)
        except ArmError as err:
            none_match = [t.strip() for t in (req.header("If-None-Match") or "").split(",")]
            return err.code, exists_message if existing is not None and "*" in none_match else err.message
        return None

    def _zone_patch(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        body = json_body(req)
        lid = self._zone_lid(sub, rg, zone)
        with self.store.lock:
            found = self._d["zones"].get(lid)
            check_conditions(req, found["etag"] if found else None)
            if found is None:
                raise not_found(ZONE_TYPE, zone, rg)
            if "tags" in body:
                found["tags"] = copy.deepcopy(body.get("tags") or {})
            found["etag"] = strong_etag()
            self.changed()
            return Response(200, self._zone_view(found), {"ETag": found["etag"]})

    def _zone_delete(self, req: Request, sub: str, rg: str, zone: str) -> Response:
        """Delete a zone and every record set in it; refused (409) while virtual network links remain."""
        lid = self._zone_lid(sub, rg, zone)
        with self.store.lock:
            found = self._d["zones"].get(lid)
            check_conditions(req, found["etag"] if found else None)
            if found is None:
                return Response(204)
            if self._children("links", lid + "/virtualnetworklinks/"):
                raise ArmError(409, "Conflict",
                               f"The private DNS zone '{zone}' cannot be deleted because it has virtual network links. "
                               "Delete the virtual network links first.")
            for record_lid in [r for r in self._d["recordSets"] if r.startswith(lid + "/")]:
                del self._d["recordSets"][record_lid]
            del self._d["zones"][lid]
            self.changed()
            return Response(200)

    # ------------------------------------------------------------------ virtual network links

    def _zone_or_parent_404(self, sub: str, rg: str, zone: str) -> dict[str, Any]:
        found = self._d["zones"].get(self._zone_lid(sub, rg, zone))
        if found is None:
            raise parent_not_found(zone)
        return found

    def _link_get(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            link = self._d["links"].get(f"{found['id']}/virtualNetworkLinks/{name}".lower())
            if link is None:
                raise not_found(LINK_TYPE, f"{zone}/{name}", rg)
            return Response(200, public(link), {"ETag": link["etag"]})

    def _link_put(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
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
            failed = self._failed_precondition(
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
            self.changed()
            return self.operations.private_dns(req, sub, rg, "UpsertVirtualNetworkLink")

    def _link_patch(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
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
            self.changed()
            return Response(200, public(link), {"ETag": link["etag"]})

    def _link_delete(self, req: Request, sub: str, rg: str, zone: str, name: str) -> Response:
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            lid = f"{found['id']}/virtualNetworkLinks/{name}".lower()
            link = self._d["links"].get(lid)
            check_conditions(req, link["etag"] if link else None)
            if link is None:
                return Response(204)
            del self._d["links"][lid]
            self.changed()
            return Response(200)

    # ------------------------------------------------------------------ record sets

    @staticmethod
    def _new_record(zone: dict[str, Any], rtype: str, name: str, props: dict[str, Any],
                    *, auto_registered: bool = False) -> dict[str, Any]:
        fqdn = f"{zone['name']}." if name == "@" else f"{name}.{zone['name']}."
        out: dict[str, Any] = {}
        if props.get("metadata"):
            out["metadata"] = dict(props["metadata"])
        out["ttl"] = props["ttl"]
        out["fqdn"] = fqdn
        out["isAutoRegistered"] = auto_registered
        key = RECORD_PROPERTIES[rtype]
        if key in props:
            out[key] = copy.deepcopy(props[key])
        elif rtype == "A":  # recorded: an A set without records answers `"aRecords": []`
            out[key] = []
        return {
            "id": f"{zone['id']}/{rtype}/{name}",
            "name": name,
            "type": f"{ZONE_TYPE}/{rtype}",
            "etag": strong_etag(),
            "properties": out,
        }

    @staticmethod
    def _validate_record(rtype: str, props: dict[str, Any]) -> None:
        ttl = props.get("ttl")
        if ttl is None:
            raise bad("The 'ttl' property of the record set is required.")
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= 2147483647:
            raise bad(f"The TTL value '{ttl}' is invalid; it must be an integer between 0 and 2147483647.")
        metadata = props.get("metadata")
        if metadata is not None and (not isinstance(metadata, dict)
                                     or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
            raise bad("The 'metadata' property must be an object of string values.")
        key = RECORD_PROPERTIES[rtype]
        for other_type, other_key in RECORD_PROPERTIES.items():
            if other_key != key and props.get(other_key) not in (None, [], {}):
                raise bad(f"A record set of type '{rtype}' cannot contain '{other_key}' ({other_type} records).")
        value = props.get(key)
        if value is None:
            return
        if rtype in ("A", "AAAA"):
            field_name, parser = ("ipv4Address", ipaddress.IPv4Address) if rtype == "A" else ("ipv6Address", ipaddress.IPv6Address)
            if not isinstance(value, list):
                raise bad(f"The '{key}' property must be an array.")
            for item in value:
                address = item.get(field_name) if isinstance(item, dict) else None
                try:
                    parser(address)
                except (ValueError, TypeError):
                    raise bad(f"The IP address '{address}' is not a valid {'IPv4' if rtype == 'A' else 'IPv6'} address.") from None
        elif rtype in ("CNAME", "SOA"):
            if not isinstance(value, dict):
                raise bad(f"The '{key}' property must be an object.")
        elif not isinstance(value, list):
            raise bad(f"The '{key}' property must be an array.")

    def _record_lid(self, zone: dict[str, Any], rtype: str, name: str) -> str:
        return f"{zone['id']}/{rtype}/{name}".lower()

    @staticmethod
    def _record_name(name: str) -> str:
        name = name.lower().rstrip(".")
        if not name or len(name) > 253 or any(not label for label in name.split(".")):
            raise bad(f"The record set name '{name}' is invalid.", "InvalidRecordSetName")
        return name

    def _record_get(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str) -> Response:
        name = self._record_name(name)
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            record = self._d["recordSets"].get(self._record_lid(found, rtype, name))
            if record is None:
                raise not_found(f"{ZONE_TYPE}/{rtype}", f"{zone}/{name}", rg)
            return Response(200, public(record), {"ETag": record["etag"]})

    def _record_put(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str,
                    *, auto_registered: bool = False) -> Response:
        name = self._record_name(name)
        body = json_body(req)
        props = properties(body)
        self._validate_record(rtype, props)
        if rtype == "SOA" and name != "@":
            raise bad("The SOA record set must be named '@'.")
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            lid = self._record_lid(found, rtype, name)
            existing = self._d["recordSets"].get(lid)
            if rtype == "SOA" and existing is None:
                raise bad("The SOA record set cannot be created; it exists with the zone.")
            check_conditions(req, existing["etag"] if existing else None)
            if existing and existing["properties"].get("isAutoRegistered") and not auto_registered:
                raise bad(f"The record set '{name}' is auto-registered by a virtual network link and cannot be modified.")
            record = self._new_record(found, rtype, name, props, auto_registered=auto_registered)
            self._d["recordSets"][lid] = record
            self.changed()
            return Response(200 if existing else 201, public(record), {"ETag": record["etag"]})

    def _record_patch(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str) -> Response:
        """Merge the given fields into the record set; `metadata`, when given, replaces the old one."""
        name = self._record_name(name)
        body = json_body(req)
        given = properties(body)
        with self.store.lock:
            found, lid, existing = self._guarded_record(req, sub, rg, zone, rtype, name, "modified")
            if existing is None:
                raise not_found(f"{ZONE_TYPE}/{rtype}", f"{zone}/{name}", rg)
            merged = {k: copy.deepcopy(v) for k, v in existing["properties"].items() if k not in ("fqdn", "isAutoRegistered")}
            for key, value in given.items():
                if key in ("fqdn", "isAutoRegistered"):
                    continue
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = copy.deepcopy(value)
            self._validate_record(rtype, merged)
            record = self._new_record(found, rtype, name, merged)
            self._d["recordSets"][lid] = record
            self.changed()
            return Response(200, public(record), {"ETag": record["etag"]})

    def _record_delete(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str) -> Response:
        name = self._record_name(name)
        if rtype == "SOA":
            raise bad("The SOA record set cannot be deleted.")
        with self.store.lock:
            _, lid, existing = self._guarded_record(req, sub, rg, zone, rtype, name, "deleted")
            if existing is None:
                return Response(204)
            del self._d["recordSets"][lid]
            self.changed()
            return Response(200)

    def _guarded_record(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str,
                        verb: str) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
        """(zone, record id, record or None) for a PATCH or DELETE, after its If-Match/If-None-Match
        and the auto-registration guard. Call with the store's lock held."""
        found = self._zone_or_parent_404(sub, rg, zone)
        lid = self._record_lid(found, rtype, name)
        existing = self._d["recordSets"].get(lid)
        check_conditions(req, existing["etag"] if existing else None)
        if existing is not None and existing["properties"].get("isAutoRegistered"):
            raise bad(f"The record set '{name}' is auto-registered by a virtual network link and cannot be {verb}.")
        return found, lid, existing

    def _record_list(self, req: Request, sub: str, rg: str, zone: str, rtype: str) -> Response:
        suffix = req.query.get("$recordsetnamesuffix")
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            prefix = found["id"].lower() + "/"
            items = []
            for lid, record in self._d["recordSets"].items():
                if not lid.startswith(prefix):
                    continue
                rec_type = record["type"].rsplit("/", 1)[-1]
                if rtype != "ALL" and rec_type != rtype:
                    continue
                if suffix and not (record["name"] == suffix.lower() or record["name"].endswith("." + suffix.lower())):
                    continue
                items.append(((record["name"] != "@", record["name"], rec_type), record))
            return page(req, [r for _, r in sorted(items, key=lambda x: x[0])])
