"""Resource groups (`/subscriptions/{s}/resourceGroups/{rg}`: PUT, GET, HEAD), and ARM's answer to a
read under a group that does not exist: 404 `{"error": {"code": "ResourceGroupNotFound", "message":
"Resource group '{rg}' could not be found."}}`.

The group's shape is Microsoft.Resources' (api-version 2021-04-01, azure-rest-api-specs
`CreateResourceGroup.json`): id, name, type, location, tags when given, `properties.provisioningState`
`Succeeded`. A PUT answers 201 when it creates the group and 200 when it was there; a PUT with
another location than the group's is refused with 409 `InvalidResourceGroupLocation`.

Deliberate simplification (ARM answers `ResourceGroupNotFound` to a resource PUT too): a successful
PUT of a resource under a group that does not exist creates the group (location `global`), so that
seeding a resource needs no group first; so does the emulator's hub group, which exists from the
start. Groups of resources in a state file written before groups were kept are created on load.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ._http import ArmError, Request, Response, json_body, method_not_allowed, public, required_location
from ._provider import Handlers

GROUP_TYPE = "Microsoft.Resources/resourceGroups"

#: Microsoft.Resources' stable api-versions in azure-rest-api-specs that the group routes accept
#: (specification/resources/resource-manager/Microsoft.Resources/resources/stable/).
RESOURCES_API_VERSIONS = ("2021-04-01", "2022-09-01", "2023-07-01", "2024-03-01", "2024-07-01")

#: Where an implicitly created group says it is (a real group has a region; nothing here reads it).
IMPLICIT_LOCATION = "global"

_UNDER_GROUP = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/")


def group_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def group_not_found(rg: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")


class ResourceGroups(Handlers):
    """The resource group routes, and the existence check every read under a group makes."""

    def route(self, req: Request, sub: str, rg: str) -> Response:
        version = req.query.get("api-version", "")
        if version not in RESOURCES_API_VERSIONS:
            raise ArmError(400, "InvalidApiVersionParameter",
                           f"The api-version '{version}' is invalid. The supported versions are "
                           f"'{','.join(RESOURCES_API_VERSIONS)}'.")
        if req.method in ("GET", "HEAD"):
            with self.store.lock:
                found = self._d["resourceGroups"].get(group_id(sub, rg).lower())
                if found is None:
                    raise group_not_found(rg)
                return Response(200, public(found)) if req.method == "GET" else Response(204)
        if req.method == "PUT":
            return self._put(req, sub, rg)
        raise method_not_allowed(req)

    def _put(self, req: Request, sub: str, rg: str) -> Response:
        body = json_body(req)
        location = required_location(body)
        with self.store.lock:
            found = self._d["resourceGroups"].get(group_id(sub, rg).lower())
            if found is not None and found["location"].lower() != location.lower():
                raise ArmError(409, "InvalidResourceGroupLocation",
                               f"Invalid resource group location '{location}'. The Resource group already exists "
                               f"in location '{found['location']}'.")
            group = self._new(sub, found["name"] if found else rg, location)
            if body.get("tags"):
                group["tags"] = copy.deepcopy(body["tags"])
            self._d["resourceGroups"][group_id(sub, rg).lower()] = group
            self._changed()
            return Response(200 if found else 201, public(group))

    @staticmethod
    def _new(sub: str, rg: str, location: str) -> dict[str, Any]:
        return {"id": group_id(sub, rg), "name": rg, "type": GROUP_TYPE, "location": location,
                "properties": {"provisioningState": "Succeeded"}}

    def require(self, sub: str, rg: str) -> None:
        """404 `ResourceGroupNotFound` unless the group exists (what ARM answers any read under it)."""
        with self.store.lock:
            if group_id(sub, rg).lower() not in self._d["resourceGroups"]:
                raise group_not_found(rg)

    def ensure(self, sub: str, rg: str) -> None:
        """Create the group if it does not exist (a resource was PUT under it; see the module's doc)."""
        with self.store.lock:
            lid = group_id(sub, rg).lower()
            if lid not in self._d["resourceGroups"]:
                self._d["resourceGroups"][lid] = self._new(sub, rg, IMPLICIT_LOCATION)
                self._changed()

    def adopt_stored(self) -> None:
        """Create the groups of the resources already in the store (a state file from before groups)."""
        with self.store.lock:
            for kind, items in self._d.items():
                if kind == "resourceGroups":
                    continue
                for lid, item in items.items():
                    match = _UNDER_GROUP.match(lid)
                    if match is None or group_id(match[1], match[2]).lower() in self._d["resourceGroups"]:
                        continue
                    rg = _original_case(item.get("id"), match[2])
                    self._d["resourceGroups"][group_id(match[1], rg).lower()] = self._new(match[1], rg, IMPLICIT_LOCATION)


def _original_case(resource_id: Any, rg: str) -> str:
    """The group as the resource's own id spells it (the store's keys are lower-cased)."""
    parts = resource_id.split("/") if isinstance(resource_id, str) else []
    return parts[4] if len(parts) > 4 and parts[3].lower() == "resourcegroups" and parts[4].lower() == rg else rg
