"""Management groups (Microsoft.Management): the tenant's group tree and where each subscription sits.

The tenant root group always exists (its name is the tenant id) and is not stored; every
subscription the emulator knows and that was never placed elsewhere sits under it. Resource Graph
resolves a `managementGroups` scope with `subscriptions_under`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from ._http import GUID, ArmError, Request, Response, json_body, method_not_allowed, page
from ._store import Store

#: The emulated tenant (a valid GUID); also the name of the tenant root group.
TENANT_ID = "00000000-0000-4000-8000-0000000000f0"
ROOT_DISPLAY_NAME = "Tenant Root Group"

MANAGEMENT = "Microsoft.Management"
GROUP_TYPE = f"{MANAGEMENT}/managementGroups"
SUBSCRIPTION_TYPE = f"{MANAGEMENT}/managementGroups/subscriptions"
GROUP_PREFIX = f"/providers/{MANAGEMENT}/managementGroups/"

API_VERSIONS = ("2021-04-01", "2023-04-01")

#: Azure's rule for a group id: up to 90 letters, digits, hyphens, underscores, periods and
#: parentheses, not ending with a period.
_GROUP_NAME = re.compile(r"^[A-Za-z0-9\-_().]{0,89}[A-Za-z0-9\-_()]$")
_PARENT_ID = re.compile(r"^/providers/microsoft\.management/managementgroups/([^/]+)/?$", re.IGNORECASE)
_ROOT = TENANT_ID.lower()

#: Resource kinds whose ids start with /subscriptions/{guid}/ (a subscription holding one is known).
_RESOURCE_KINDS = ("privateEndpoints", "zoneGroups", "zones", "links", "recordSets")
_SUB_START, _SUB_END = len("/subscriptions/"), len("/subscriptions/") + 36


def group_key(name: str) -> str:
    """The store key of a group: its lower-cased resource id."""
    return (GROUP_PREFIX + name).lower()


def known_subscriptions(data: dict[str, dict[str, dict[str, Any]]]) -> set[str]:
    """Every subscription that holds a resource or was placed under a group (lower-cased).
    Call with the store's lock held."""
    subs: set[str] = set(data["subscriptionParents"])
    for kind in _RESOURCE_KINDS:
        subs.update(lid[_SUB_START:_SUB_END] for lid in data[kind])
    return subs


def group_exists(data: dict[str, dict[str, dict[str, Any]]], name: str) -> bool:
    return name.lower() == _ROOT or group_key(name) in data["managementGroups"]


def _children_by_parent(data: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for group in data["managementGroups"].values():
        children.setdefault(group["_parent"], []).append(group["name"].lower())
    return children


def _descendant_groups(data: dict[str, dict[str, dict[str, Any]]], name: str) -> list[str]:
    """The lower-cased names of the groups below `name` at any depth (breadth first, by name)."""
    children = _children_by_parent(data)
    found: list[str] = []
    level = [name.lower()]
    while level:
        level = sorted(child for parent in level for child in children.get(parent, ()))
        found.extend(level)
    return found


def subscriptions_under(data: dict[str, dict[str, dict[str, Any]]], names: Iterable[str]) -> set[str]:
    """The subscriptions under any of the groups, at any depth. Unknown names are ignored (check
    them with `group_exists`). Call with the store's lock held."""
    wanted = {name.lower() for name in names}
    if _ROOT in wanted:
        return known_subscriptions(data)
    groups = set(wanted)
    for name in wanted:
        groups.update(_descendant_groups(data, name))
    return {sub for sub, entry in data["subscriptionParents"].items() if entry["_group"] in groups}


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _put_body(req: Request) -> tuple[str | None, str | None, Any]:
    """(display name or None, lower-cased parent group or None, the parent id as given) of a group PUT."""
    body = json_body(req) if req.body.strip() else {}
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise ArmError(400, "BadRequest", "The 'properties' member must be an object.")
    display = props.get("displayName")
    if display is not None and (not isinstance(display, str) or not display.strip()):
        raise ArmError(400, "BadRequest", "The 'properties.displayName' property must be a non-empty string.")
    details = props.get("details") or {}
    parent_ref = details.get("parent") if isinstance(details, dict) else None
    parent_id = parent_ref.get("id") if isinstance(parent_ref, dict) else None
    parent: str | None = None
    if parent_id is not None:
        match = _PARENT_ID.match(parent_id) if isinstance(parent_id, str) else None
        if match is None:
            raise ArmError(400, "BadRequest",
                           f"The parent id '{parent_id}' is not a management group id "
                           f"('{GROUP_PREFIX}{{groupId}}').")
        parent = match.group(1).lower()
    return display, parent, parent_id


# ---------------------------------------------------------------------- views

def _display_name(data: dict[str, dict[str, dict[str, Any]]], name: str) -> str:
    if name.lower() == _ROOT:
        return ROOT_DISPLAY_NAME
    return data["managementGroups"][group_key(name)]["properties"]["displayName"]


def _canonical(data: dict[str, dict[str, dict[str, Any]]], name: str) -> str:
    """The group's name as created (the root group's is the tenant id)."""
    if name.lower() == _ROOT:
        return TENANT_ID
    return data["managementGroups"][group_key(name)]["name"]


def _ref(data: dict[str, dict[str, dict[str, Any]]], name: str) -> dict[str, Any]:
    canonical = _canonical(data, name)
    return {"id": GROUP_PREFIX + canonical, "name": canonical, "displayName": _display_name(data, name)}


def _view(data: dict[str, dict[str, dict[str, Any]]], name: str) -> dict[str, Any]:
    if name.lower() == _ROOT:
        return {
            "id": GROUP_PREFIX + TENANT_ID,
            "type": GROUP_TYPE,
            "name": TENANT_ID,
            "properties": {"tenantId": TENANT_ID, "displayName": ROOT_DISPLAY_NAME, "details": {"parent": None}},
        }
    group = data["managementGroups"][group_key(name)]
    view = {k: copy.deepcopy(v) for k, v in group.items() if not k.startswith("_")}
    view["properties"]["details"]["parent"] = _ref(data, group["_parent"])
    return view


def _parent_of(data: dict[str, dict[str, dict[str, Any]]], sub: str, known: set[str] | None = None) -> str | None:
    """The lower-cased group a subscription sits in: where it was placed, else the root group
    when the emulator knows it, else None."""
    entry = data["subscriptionParents"].get(sub)
    if entry is not None:
        return entry["_group"]
    if sub in (known if known is not None else known_subscriptions(data)):
        return _ROOT
    return None


def _sub_view(data: dict[str, dict[str, dict[str, Any]]], sub: str, group: str) -> dict[str, Any]:
    parent = _canonical(data, group)
    return {
        "id": f"{GROUP_PREFIX}{parent}/subscriptions/{sub}",
        "type": SUBSCRIPTION_TYPE,
        "name": sub,
        "properties": {
            "parent": {"id": GROUP_PREFIX + parent},
            "displayName": sub,
            "state": "Active",
            "tenant": TENANT_ID,
        },
    }


class ManagementGroups:
    """Handles `/providers/Microsoft.Management/managementGroups/...` over the emulator's store."""

    def __init__(self, store: Store, changed: Callable[[], None]) -> None:
        """`changed()` is called after every change, under the store's lock (the ARM router's
        change hook, so the state is saved the same way whichever route changed it)."""
        self.store = store
        self._changed = changed

    @property
    def _d(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.store.data

    def handle(self, req: Request) -> Response:
        try:
            return self._route(req)
        except ArmError as err:
            return err.response()

    # ------------------------------------------------------------------ routing

    def _route(self, req: Request) -> Response:
        version = req.query.get("api-version", "")
        if version not in API_VERSIONS:
            raise ArmError(400, "InvalidApiVersionParameter",
                           f"The api-version '{version}' is invalid. The supported versions are '{','.join(API_VERSIONS)}'.")
        segs = [unquote(s) for s in req.path.split("/") if s]
        low = [s.lower() for s in segs]
        if len(segs) < 3 or low[:3] != ["providers", MANAGEMENT.lower(), "managementgroups"]:
            raise ArmError(404, "InvalidResourceType",
                           f"The resource type could not be found in the namespace '{MANAGEMENT}' for api version '{version}'.")
        rest, lrest = segs[3:], low[3:]
        m = req.method
        if not rest:
            if m == "GET":
                return self._list(req)
            raise method_not_allowed(req)
        group = rest[0]
        if len(rest) == 1:
            on_group = {"GET": self._get, "PUT": self._put, "DELETE": self._delete}.get(m)
            if on_group is None:
                raise method_not_allowed(req)
            return on_group(req, group)
        if len(rest) == 2 and lrest[1] == "descendants":
            if m != "GET":
                raise method_not_allowed(req)
            return self._descendants(req, group)
        if len(rest) == 3 and lrest[1] == "subscriptions":
            handler = {"GET": self._sub_get, "PUT": self._sub_put, "DELETE": self._sub_delete}.get(m)
            if handler is None:
                raise method_not_allowed(req)
            sub = rest[2]
            if not GUID.match(sub):
                raise ArmError(400, "InvalidSubscriptionId",
                               f"The provided subscription identifier '{sub}' is malformed or invalid.")
            return handler(req, group, sub.lower())
        raise ArmError(404, "InvalidResourceType",
                       f"The resource type 'managementGroups/{'/'.join(rest[1:])}' could not be found in the namespace "
                       f"'{MANAGEMENT}' for api version '{version}'.")

    def _not_found(self, name: str) -> ArmError:
        return ArmError(404, "NotFound", f"The management group '{name}' was not found.")

    # ------------------------------------------------------------------ groups

    def _list(self, req: Request) -> Response:
        with self.store.lock:
            names = [TENANT_ID] + [g["name"] for _, g in sorted(self._d["managementGroups"].items())]
            items = []
            for name in names:
                view = _view(self._d, name)
                items.append({"id": view["id"], "type": GROUP_TYPE, "name": view["name"],
                              "properties": {"tenantId": TENANT_ID, "displayName": view["properties"]["displayName"]}})
            return page(req, items)

    def _get(self, req: Request, name: str) -> Response:
        with self.store.lock:
            if not group_exists(self._d, name):
                raise self._not_found(name)
            return Response(200, _view(self._d, name))

    def _put(self, req: Request, name: str) -> Response:
        """Create or update a group, synchronously (Azure answers 202 and an async operation).

        No parent on create: the tenant root group. On update, an omitted parent or display name
        keeps the current one; a given parent moves the group (not below itself).
        """
        display, parent, parent_id = _put_body(req)
        if name.lower() == _ROOT:
            raise ArmError(400, "BadRequest", "The tenant root group cannot be changed in the emulator.")
        if not _GROUP_NAME.match(name):
            raise ArmError(400, "InvalidManagementGroupId",
                           f"The management group id '{name}' is invalid: use up to 90 letters, digits, hyphens, "
                           "underscores, periods and parentheses, not ending with a period.")
        key = group_key(name)
        with self.store.lock:
            existing = self._d["managementGroups"].get(key)
            if parent is not None and not group_exists(self._d, parent):
                raise ArmError(400, "ParentManagementGroupNotFound",
                               f"The parent management group '{parent_id}' was not found.")
            if parent is not None and existing is not None and (
                    parent == name.lower() or parent in _descendant_groups(self._d, name)):
                raise ArmError(400, "InvalidManagementGroupParent",
                               f"The management group '{name}' cannot be moved under itself or one of its descendants.")
            if parent is None:
                parent = existing["_parent"] if existing else _ROOT
            if display is None:
                display = existing["properties"]["displayName"] if existing else name
            group = {
                "id": existing["id"] if existing else GROUP_PREFIX + name,
                "type": GROUP_TYPE,
                "name": existing["name"] if existing else name,
                "properties": {
                    "tenantId": TENANT_ID,
                    "displayName": display,
                    "details": {
                        "version": existing["properties"]["details"]["version"] + 1 if existing else 1,
                        "updatedTime": _now(),
                        "updatedBy": "pedns-emulator",
                        "parent": None,  # filled in by the view from the live parent
                    },
                },
                "_parent": parent,
            }
            self._d["managementGroups"][key] = group
            self._changed()
            return Response(200, _view(self._d, name))

    def _delete(self, req: Request, name: str) -> Response:
        """Delete a group (204, also when absent); refused while it holds groups or subscriptions."""
        if name.lower() == _ROOT:
            raise ArmError(400, "BadRequest", "The tenant root group cannot be deleted.")
        key = group_key(name)
        with self.store.lock:
            if key not in self._d["managementGroups"]:
                return Response(204)
            lower = name.lower()
            if (any(g["_parent"] == lower for g in self._d["managementGroups"].values())
                    or any(e["_group"] == lower for e in self._d["subscriptionParents"].values())):
                raise ArmError(400, "ManagementGroupHasChildren",
                               f"The management group '{name}' has child management groups or subscriptions; "
                               "move or delete them first.")
            del self._d["managementGroups"][key]
            self._changed()
            return Response(204)

    def _descendants(self, req: Request, name: str) -> Response:
        """Every group below, then every subscription below (each set sorted), paged like ARM lists."""
        with self.store.lock:
            if not group_exists(self._d, name):
                raise self._not_found(name)
            items: list[dict[str, Any]] = []
            for child in _descendant_groups(self._d, name):
                group = self._d["managementGroups"][group_key(child)]
                items.append({
                    "id": group["id"],
                    "type": GROUP_TYPE,
                    "name": group["name"],
                    "properties": {"displayName": group["properties"]["displayName"],
                                   "parent": {"id": GROUP_PREFIX + _canonical(self._d, group["_parent"])}},
                })
            known = known_subscriptions(self._d)
            for sub in sorted(subscriptions_under(self._d, [name])):
                items.append({
                    "id": f"/subscriptions/{sub}",
                    "type": SUBSCRIPTION_TYPE,
                    "name": sub,
                    "properties": {"displayName": sub,
                                   "parent": {"id": GROUP_PREFIX + _canonical(self._d, _parent_of(self._d, sub, known) or _ROOT)}},
                })
            return page(req, items)

    # ------------------------------------------------------------------ subscriptions in groups

    def _sub_get(self, req: Request, name: str, sub: str) -> Response:
        with self.store.lock:
            if not group_exists(self._d, name):
                raise self._not_found(name)
            if _parent_of(self._d, sub) != name.lower():
                raise ArmError(404, "NotFound", f"The subscription '{sub}' is not in the management group '{name}'.")
            return Response(200, _sub_view(self._d, sub, name))

    def _sub_put(self, req: Request, name: str, sub: str) -> Response:
        """Place the subscription under the group; it leaves the group it was in."""
        with self.store.lock:
            if not group_exists(self._d, name):
                raise self._not_found(name)
            self._d["subscriptionParents"][sub] = {**_sub_view(self._d, sub, name), "_group": name.lower()}
            self._changed()
            return Response(200, _sub_view(self._d, sub, name))

    def _sub_delete(self, req: Request, name: str, sub: str) -> Response:
        """Move the subscription from the group back to the tenant root group (204 when it was not there)."""
        with self.store.lock:
            if not group_exists(self._d, name):
                raise self._not_found(name)
            if _parent_of(self._d, sub) != name.lower():
                return Response(204)
            self._d["subscriptionParents"][sub] = {**_sub_view(self._d, sub, _ROOT), "_group": _ROOT}
            self._changed()
            return Response(200)
