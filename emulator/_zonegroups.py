"""Private DNS zone groups (`…/privateEndpoints/{name}/privateDnsZoneGroups[/{group}]`) and the
A/AAAA records they write.

As Azure does, a group writes each of its endpoint's `customDnsConfigs` into the linked zone whose
name best matches the fqdn, overwriting whatever record set is there, and removes what it wrote when
it goes (`_written` keeps track). The private endpoint handlers re-apply an endpoint's groups when
its body changes or its provisioning ends (`of`, `plan`, `apply`, `remove`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._http import (
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
    weak_etag,
)
from ._provider import PE_TYPE, ZONE_GROUP_TYPE, Handlers, pe_id, unknown_type
from ._records import new_record
from ._store import Store

#: TTL Azure gives the A records a private DNS zone group writes.
ZONE_GROUP_TTL = 10

#: A zone group's plan: (config index, record set lid, ips) for each record set it writes.
Plan = list[tuple[int, str, list[str]]]


class ZoneGroups(Handlers):
    """The zone group routes, and the records the groups write."""

    def __init__(self, store: Store, changed: Callable[[], None]) -> None:
        super().__init__(store, changed)
        # Zone group ids by private endpoint id, so an endpoint PUT or DELETE finds its groups
        # without scanning every group (seeding 10,000 endpoints would otherwise be quadratic).
        self._by_pe: dict[str, set[str]] = {}
        for lid in store.data["zoneGroups"]:
            self._by_pe.setdefault(lid.rpartition("/privatednszonegroups/")[0], set()).add(lid)

    def route(self, req: Request, sub: str, rg: str, pe_name: str, rest: list[str]) -> Response:
        """`rest` is the path after the endpoint: `[privateDnsZoneGroups]` (the list) or
        `[privateDnsZoneGroups, group]`."""
        m = req.method
        if rest[0].lower() != "privatednszonegroups":
            raise unknown_type(req, f"privateEndpoints/{rest[0]}")
        pe_lid = pe_id(sub, rg, pe_name).lower()
        if len(rest) == 1:
            if m != "GET":
                raise method_not_allowed(req)
            with self.store.lock:
                if pe_lid not in self._d["privateEndpoints"]:
                    raise not_found(PE_TYPE, pe_name, rg)
                return page(req, self.of(pe_lid))
        if len(rest) == 2:
            handler = {"GET": self._get, "PUT": self._put, "DELETE": self._delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            return handler(req, sub, rg, pe_name, rest[1])
        raise unknown_type(req, "/".join(rest))

    def of(self, pe_lid: str) -> list[dict[str, Any]]:
        """The endpoint's zone groups, sorted by id. Call with the store's lock held."""
        groups = self._d["zoneGroups"]
        return [groups[lid] for lid in sorted(self._by_pe.get(pe_lid, ())) if lid in groups]

    def _get(self, req: Request, sub: str, rg: str, pe_name: str, name: str) -> Response:
        pe_lid = pe_id(sub, rg, pe_name).lower()
        with self.store.lock:
            if pe_lid not in self._d["privateEndpoints"]:
                raise parent_not_found(pe_name)
            group = self._d["zoneGroups"].get(f"{pe_lid}/privatednszonegroups/{name.lower()}")
            if group is None:
                raise not_found(ZONE_GROUP_TYPE, f"{pe_name}/{name}", rg)
            return Response(200, public(group), {"ETag": group["etag"]})

    def _put(self, req: Request, sub: str, rg: str, pe_name: str, name: str) -> Response:
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
        pe_lid = pe_id(sub, rg, pe_name).lower()
        lid = f"{pe_lid}/privatednszonegroups/{name.lower()}"
        with self.store.lock:
            pe = self._d["privateEndpoints"].get(pe_lid)
            if pe is None:
                raise parent_not_found(pe_name)
            existing = self._d["zoneGroups"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            plan = self.plan(pe, clean)
            group: dict[str, Any] = {
                "name": existing["name"] if existing else name,
                "id": existing["id"] if existing else f"{pe['id']}/privateDnsZoneGroups/{name}",
                "etag": weak_etag(),
                "type": ZONE_GROUP_TYPE,
                "properties": {"provisioningState": "Succeeded", "privateDnsZoneConfigs": clean},
                "_written": existing["_written"] if existing else [],
            }
            self._d["zoneGroups"][lid] = group
            self._by_pe.setdefault(pe_lid, set()).add(lid)
            self.apply(group, plan)
            self._changed()
            return Response(200 if existing else 201, public(group), {"ETag": group["etag"]})

    def _delete(self, req: Request, sub: str, rg: str, pe_name: str, name: str) -> Response:
        pe_lid = pe_id(sub, rg, pe_name).lower()
        lid = f"{pe_lid}/privatednszonegroups/{name.lower()}"
        with self.store.lock:
            if pe_lid not in self._d["privateEndpoints"]:
                raise parent_not_found(pe_name)
            existing = self._d["zoneGroups"].get(lid)
            check_conditions(req, existing["etag"] if existing else None)
            if existing is None:
                return Response(204)
            self.remove(existing)
            self._changed()
            return Response(200)

    def plan(self, pe: dict[str, Any], configs: list[dict[str, Any]], *, strict: bool = True) -> Plan:
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

    def apply(self, group: dict[str, Any], plan: Plan) -> None:
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
            record = new_record(zone, rtype, rel, {"ttl": ZONE_GROUP_TTL, **records})
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

    def remove(self, group: dict[str, Any]) -> None:
        """Delete the group and the record sets it wrote. Call with the store's lock held."""
        for record_lid in group.get("_written", []):
            self._d["recordSets"].pop(record_lid, None)
        lid = group["id"].lower()
        self._d["zoneGroups"].pop(lid, None)
        pe_lid = lid.rpartition("/privatednszonegroups/")[0]
        siblings = self._by_pe.get(pe_lid)
        if siblings is not None:
            siblings.discard(lid)
            if not siblings:
                del self._by_pe[pe_lid]
