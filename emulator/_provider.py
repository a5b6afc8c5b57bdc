"""Microsoft.Network as the emulator's resource routes name it: the namespace, the resource types,
the api-versions each route implements, resource ids, ARM's answers to an unknown type or api-version,
and what every resource family's handlers share (`Handlers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._http import ArmError, Request, parent_not_found
from ._store import Store

NETWORK = "Microsoft.Network"
PE_TYPE = f"{NETWORK}/privateEndpoints"
ZONE_GROUP_TYPE = f"{NETWORK}/privateEndpoints/privateDnsZoneGroups"
ZONE_TYPE = f"{NETWORK}/privateDnsZones"
LINK_TYPE = f"{NETWORK}/privateDnsZones/virtualNetworkLinks"

#: api-versions the routes implement; ARM refuses any other with 400 `NoRegisteredProviderFound`.
#: Private DNS: every stable version in azure-rest-api-specs
#: (specification/privatedns/resource-manager/Microsoft.Network/stable/). Network: the stable versions
#: whose PrivateEndpointGet example is in the specs and whose private endpoint body the emulator serves
#: (pedns sends 2025-09-01, the newest; tools/lab.py 2024-05-01; the recorded cassettes 2022-01-01, and
#: Azure CLI's dual-stack recording 2025-05-01). From 2025-05-01 the specs live under
#: `specification/network/resource-manager/Microsoft.Network/Network/stable/`. Add one when a client needs it.
DNS_API_VERSIONS = ("2018-09-01", "2020-01-01", "2020-06-01", "2024-06-01")
NETWORK_API_VERSIONS = ("2022-01-01", "2024-05-01", "2024-07-01", "2024-10-01", "2025-01-01", "2025-03-01",
                        "2025-05-01", "2025-07-01", "2025-09-01")


# ---------------------------------------------------------------------- ids

def rg_prefix(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourcegroups/{rg.lower()}/providers/microsoft.network/"


def pe_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{NETWORK}/privateEndpoints/{name}"


def zone_id(sub: str, rg: str, zone: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{NETWORK}/privateDnsZones/{zone}"


def zone_lid(sub: str, rg: str, zone: str) -> str:
    return zone_id(sub, rg, zone).lower()


# ---------------------------------------------------------------------- unknown types and versions

def unknown_type(req: Request, rtype: str) -> ArmError:
    return ArmError(
        404, "InvalidResourceType",
        f"The resource type '{rtype}' could not be found in the namespace '{NETWORK}' "
        f"for api version '{req.query.get('api-version', '')}'.",
    )


def require_version(req: Request, rtype: str) -> None:
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


# ---------------------------------------------------------------------- the resource families' base

class Handlers:
    """What every resource family's handlers share: the store (`_d` its data) and `_changed()`, the
    router's change hook, called after every change under the store's lock."""

    def __init__(self, store: Store, changed: Callable[[], None]) -> None:
        self.store = store
        self._changed = changed

    @property
    def _d(self) -> dict[str, dict[str, dict[str, Any]]]:
        return self.store.data

    def _zone_or_parent_404(self, sub: str, rg: str, zone: str) -> dict[str, Any]:
        """The zone a link or record set route names; 404 `ParentResourceNotFound` when it is absent.
        Call with the store's lock held."""
        found = self._d["zones"].get(zone_lid(sub, rg, zone))
        if found is None:
            raise parent_not_found(zone)
        return found
