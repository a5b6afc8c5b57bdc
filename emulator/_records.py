"""Private DNS record sets (`…/privateDnsZones/{zone}/{type}[/{name}]`): PUT, PATCH, GET, DELETE and
lists by type or of every type (`ALL`: 403 when the caller is denied its action), with ARM's validation, etags and the guard on record sets a
virtual network link auto-registered. `new_record` builds a record set as Azure answers it, for the
zone's SOA and the A/AAAA records a private DNS zone group writes too.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ._http import (
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
    strong_etag,
)
from ._permissions import LIST_ALL_RECORD_SETS, Permissions
from ._provider import ZONE_TYPE, Handlers, unknown_type
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


def new_record(zone: dict[str, Any], rtype: str, name: str, props: dict[str, Any],
               *, auto_registered: bool = False) -> dict[str, Any]:
    """A record set of `zone` as ARM answers it, from validated properties (with a new etag)."""
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
                # A zone id (`fd00::1%eth0`) names an interface of one host: no DNS record carries one.
                if getattr(parser(address), "scope_id", None) is not None:
                    raise ValueError(address)
            except (ValueError, TypeError):
                raise bad(f"The IP address '{address}' is not a valid {'IPv4' if rtype == 'A' else 'IPv6'} address.") from None
    elif rtype in ("CNAME", "SOA"):
        if not isinstance(value, dict):
            raise bad(f"The '{key}' property must be an object.")
    elif not isinstance(value, list):
        raise bad(f"The '{key}' property must be an array.")


def _record_lid(zone: dict[str, Any], rtype: str, name: str) -> str:
    return f"{zone['id']}/{rtype}/{name}".lower()


def _record_name(name: str) -> str:
    name = name.lower().rstrip(".")
    if not name or len(name) > 253 or any(not label for label in name.split(".")):
        raise bad(f"The record set name '{name}' is invalid.", "InvalidRecordSetName")
    return name


class RecordSets(Handlers):
    """The record set routes of every zone. Listing `ALL` types needs its own action
    (`LIST_ALL_RECORD_SETS`), which `permissions` may deny."""

    def __init__(self, store: Store, changed: Callable[[], None], permissions: Permissions | None = None) -> None:
        super().__init__(store, changed)
        self.permissions = permissions or Permissions()

    def route(self, req: Request, sub: str, rg: str, zone: str, rest: list[str], *, admin: bool = False) -> Response:
        """`rest` is the path after the zone: `[type]` or `[type, name]`. With `admin` (the emulator's
        `/_emulator/autoregistered/` route) a PUT writes an auto-registered record set."""
        m = req.method
        kind = rest[0]
        rtype = kind.upper()
        if rtype != "ALL" and rtype not in RECORD_PROPERTIES:
            raise unknown_type(req, f"privateDnsZones/{kind}")
        if len(rest) == 1:
            if m != "GET":
                raise method_not_allowed(req)
            if rtype == "ALL":
                self.permissions.require(LIST_ALL_RECORD_SETS, unquote(req.path))
            return self._list(req, sub, rg, zone, rtype)
        if len(rest) == 2 and rtype != "ALL":
            handler = {"GET": self._get, "PUT": self._put, "PATCH": self._patch,
                       "DELETE": self._delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            if m == "PUT":
                return self._put(req, sub, rg, zone, rtype, rest[1], auto_registered=admin)
            return handler(req, sub, rg, zone, rtype, rest[1])
        raise unknown_type(req, "privateDnsZones/" + "/".join(rest))

    def _get(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str) -> Response:
        name = _record_name(name)
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            record = self._d["recordSets"].get(_record_lid(found, rtype, name))
            if record is None:
                raise not_found(f"{ZONE_TYPE}/{rtype}", f"{zone}/{name}", rg)
            return Response(200, public(record), {"ETag": record["etag"]})

    def _put(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str,
             *, auto_registered: bool = False) -> Response:
        name = _record_name(name)
        body = json_body(req)
        props = properties(body)
        _validate_record(rtype, props)
        if rtype == "SOA" and name != "@":
            raise bad("The SOA record set must be named '@'.")
        with self.store.lock:
            found = self._zone_or_parent_404(sub, rg, zone)
            lid = _record_lid(found, rtype, name)
            existing = self._d["recordSets"].get(lid)
            if rtype == "SOA" and existing is None:
                raise bad("The SOA record set cannot be created; it exists with the zone.")
            check_conditions(req, existing["etag"] if existing else None)
            if existing and existing["properties"].get("isAutoRegistered") and not auto_registered:
                raise bad(f"The record set '{name}' is auto-registered by a virtual network link and cannot be modified.")
            record = new_record(found, rtype, name, props, auto_registered=auto_registered)
            self._d["recordSets"][lid] = record
            self._changed()
            return Response(200 if existing else 201, public(record), {"ETag": record["etag"]})

    def _patch(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str) -> Response:
        """Merge the given fields into the record set; `metadata`, when given, replaces the old one."""
        name = _record_name(name)
        body = json_body(req)
        given = properties(body)
        with self.store.lock:
            found, lid, existing = self._guarded(req, sub, rg, zone, rtype, name, "modified")
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
            _validate_record(rtype, merged)
            record = new_record(found, rtype, name, merged)
            self._d["recordSets"][lid] = record
            self._changed()
            return Response(200, public(record), {"ETag": record["etag"]})

    def _delete(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str) -> Response:
        name = _record_name(name)
        if rtype == "SOA":
            raise bad("The SOA record set cannot be deleted.")
        with self.store.lock:
            _, lid, existing = self._guarded(req, sub, rg, zone, rtype, name, "deleted")
            if existing is None:
                return Response(204)
            del self._d["recordSets"][lid]
            self._changed()
            return Response(200)

    def _guarded(self, req: Request, sub: str, rg: str, zone: str, rtype: str, name: str,
                 verb: str) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
        """(zone, record id, record or None) for a PATCH or DELETE, after its If-Match/If-None-Match
        and the auto-registration guard. Call with the store's lock held."""
        found = self._zone_or_parent_404(sub, rg, zone)
        lid = _record_lid(found, rtype, name)
        existing = self._d["recordSets"].get(lid)
        check_conditions(req, existing["etag"] if existing else None)
        if existing is not None and existing["properties"].get("isAutoRegistered"):
            raise bad(f"The record set '{name}' is auto-registered by a virtual network link and cannot be {verb}.")
        return found, lid, existing

    def _list(self, req: Request, sub: str, rg: str, zone: str, rtype: str) -> Response:
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
