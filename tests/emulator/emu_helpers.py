"""Helpers shared by the emulator tests: constants, the test credential, request shortcuts."""

from __future__ import annotations

import http.client
import json
import ssl
import time
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient

from emulator import Emulator

MANAGEMENT_SCOPE = "https://management.azure.com/.default"
NETWORK_API = "2024-05-01"
DNS_API = "2024-06-01"
ZONE = "privatelink.blob.core.windows.net"


class StaticCredential:
    """A credential that always hands out the same far-future token (the emulator accepts any)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("t", int(time.time()) + 3600)


def status_of(pipeline_response: Any, *_: Any) -> int:
    """`cls=` hook for SDK calls: return the HTTP status instead of the model."""
    return pipeline_response.http_response.status_code


def pe_path(emu: Emulator, name: str, rg: str = "rg-spoke") -> str:
    return f"/subscriptions/{emu.spoke_subscription}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}"


def zone_id(emu: Emulator, zone: str = ZONE) -> str:
    return f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}/providers/Microsoft.Network/privateDnsZones/{zone}"


def pe_body(*configs: tuple[str, list[str]], location: str = "westeurope") -> dict[str, Any]:
    return {
        "location": location,
        "properties": {"customDnsConfigs": [{"fqdn": fqdn, "ipAddresses": ips} for fqdn, ips in configs]},
    }


def send(arm: ARMPipelineClient, method: str, url: str, body: Any = None, *, api: str = NETWORK_API):
    """Send through the ARM pipeline; returns (status, parsed JSON or None)."""
    if "api-version=" not in url:
        url = f"{url}{'&' if '?' in url else '?'}api-version={api}"
    url = arm.format_url(url) if url.startswith("/") else url
    response = arm.send_request(HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url))
    text = response.text()
    return response.status_code, (json.loads(text) if text else None)


def raw(emu: Emulator, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None):
    """One HTTPS request without any SDK policy; returns (status, headers, parsed JSON or None)."""
    context = ssl.create_default_context(cafile=emu.ca_path)
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=context, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        conn.request(method, path, body=payload, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, (json.loads(data) if data else None)
    finally:
        conn.close()


AUTH = {"Authorization": "Bearer t"}


# ---------------------------------------------------------------- Resource Graph and management groups

GRAPH_API = "2022-10-01"
GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
MG_API = "2023-04-01"
MG_PREFIX = "/providers/Microsoft.Management/managementGroups/"


def graph(emu: Emulator, query: str, *, subscriptions: list[str] | None = None,
          management_groups: list[str] | None = None, options: dict[str, Any] | None = None,
          api: str = GRAPH_API, token: str = "t"):
    """POST one Resource Graph query over HTTPS; returns (status, headers, parsed JSON or None)."""
    body: dict[str, Any] = {"query": query}
    if subscriptions is not None:
        body["subscriptions"] = subscriptions
    if management_groups is not None:
        body["managementGroups"] = management_groups
    if options is not None:
        body["options"] = options
    return raw(emu, "POST", f"{GRAPH_PATH}?api-version={api}", body, {"Authorization": f"Bearer {token}"})


def mg_path(group: str, *rest: str, api: str | None = MG_API) -> str:
    path = MG_PREFIX + "/".join([group, *rest])
    return f"{path}?api-version={api}" if api else path


def seed_endpoint(emu: Emulator, subscription: str, name: str, *, rg: str = "rg-spoke",
                  targets: tuple[str, ...] = (), manual: tuple[str, ...] = (), **props: Any) -> str:
    """PUT a private endpoint in-process (`Emulator.apply`) with connections to the target ids; returns its id."""
    path = f"/subscriptions/{subscription}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}"

    def connections(ids: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"name": f"c{i}", "properties": {"privateLinkServiceId": t, "groupIds": ["blob"]}} for i, t in enumerate(ids)]

    body = {"location": "westeurope", "properties": {
        "privateLinkServiceConnections": connections(targets),
        "manualPrivateLinkServiceConnections": connections(manual),
        **props,
    }}
    status, answer = emu.apply("PUT", path, body)
    assert status in (200, 201), answer
    return path
