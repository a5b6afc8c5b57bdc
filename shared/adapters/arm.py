"""Reads private endpoints from ARM with azure-mgmt-core's pipeline client.

azure-mgmt-network would do the same GET but is 31 MB and ~0.45 s of cold start; two GETs need
no more than the pipeline every Azure SDK already ships.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
from azure.core.rest import HttpRequest

from ..parsing.endpoint import parse_private_endpoint
from ..parsing.interfaces import platform_fqdns
from ..parsing.zone_groups import parse_zone_groups, zone_group_zone_ids
from ..errors import NotFound, PermanentError
from ..core.model import PrivateEndpoint, ResourceId
from ..settings import Settings
from ._errors import translate
from .patience import in_context
from ._pipeline import Pacer, arm_client
from ._urls import resource_path

#: The newest stable network api-version, the first of which to carry `ipVersionType` was 2025-03-01
#: (azure-rest-api-specs `Microsoft.Network/Network/stable/2025-09-01`, the default tag of the network
#: readme; its `PrivateEndpointProperties` has `ipVersionType`). The only recorded dual-stack endpoint
#: (Azure CLI `test_network_private_endpoint_ip_version_type`) was read at 2025-05-01.
NETWORK_API_VERSION = "2025-09-01"

log = logging.getLogger("pedns.adapters.arm")


class ArmEndpointReader:
    def __init__(self, credential: TokenCredential, settings: Settings, *, pacer: Pacer | None = None) -> None:
        self._client = arm_client(credential, settings, pacer=pacer)
        # The zone-group list is read beside the endpoint, not after it: one round trip, not two.
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="pedns-arm")
        self._warned_nic = False

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        if "api-version=" not in url:
            url = f"{url}{'&' if '?' in url else '?'}api-version={NETWORK_API_VERSION}"
        try:
            response = self._client.send_request(HttpRequest("GET", self._client.format_url(url)))
            response.raise_for_status()
            body = response.json()
        except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            raise translate(exc, what) from exc
        return body if isinstance(body, dict) else {}

    def get(self, endpoint_id: ResourceId, *, zone_groups: bool = True) -> PrivateEndpoint:
        path = resource_path(endpoint_id.value)
        if not zone_groups:
            return parse_private_endpoint(self._get_json(path, f"GET {endpoint_id}"))
        groups = self._pool.submit(in_context(self._zone_groups), path, endpoint_id)  # patience too
        try:
            body = self._get_json(path, f"GET {endpoint_id}")
        finally:
            group_body = groups.result()  # wait for it either way; its own errors surface here
        has_zone_group, zone_group_configs = parse_zone_groups(group_body)
        return parse_private_endpoint(body, has_zone_group=has_zone_group, zone_group_configs=zone_group_configs,
                                      zone_group_zone_ids=zone_group_zone_ids(group_body))

    def _zone_groups(self, path: str, endpoint_id: ResourceId) -> dict[str, Any]:
        try:
            return self._get_json(f"{path}/privateDnsZoneGroups", f"GET {endpoint_id} zone groups")
        except NotFound:  # the endpoint is gone (its own GET says so) or has no zone groups
            return {"value": []}

    def platform_names(self, pe: PrivateEndpoint) -> frozenset[str] | None:
        names: set[str] = set()
        for nic_id in pe.network_interface_ids:
            try:
                found = platform_fqdns(self._get_json(resource_path(nic_id), f"GET {nic_id}"))
            except NotFound:
                continue
            except PermanentError as exc:  # 403: the reader role lacks networkInterfaces/read
                if not self._warned_nic:
                    self._warned_nic = True
                    log.warning("cannot read private endpoints' network interfaces (%s): names not bound to "
                                "their target are not cross-checked; grant Microsoft.Network/networkInterfaces/"
                                "read (infra/roles/endpoint-reader.json)", exc)
                return None
            names |= found or set()
        return frozenset(names) or None

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self._client.close()
