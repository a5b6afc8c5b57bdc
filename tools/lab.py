"""A hub and spokes on the local ARM emulator, driven through the real Azure SDK clients.

Used by `make demo` and the integration tests: it seeds what the network team and the
application teams would create in Azure, and builds the Event Grid deliveries Azure would send.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.privatedns import models as m

from emulator._cli import endpoint_body
from shared.adapters._pipeline import arm_policies, client_kwargs
from shared.adapters.credentials import make_credential
from shared.settings import Settings

NETWORK_API = "2024-05-01"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


class Lab:
    def __init__(self, env: dict[str, str], *, spoke_subscription: str) -> None:
        self.settings = Settings.from_env(env)
        self.spoke = spoke_subscription
        credential = make_credential(self.settings)
        self.dns = PrivateDnsManagementClient(credential, self.settings.dns_subscription_id,
                                              **client_kwargs(self.settings))
        kwargs = client_kwargs(self.settings)
        self.arm = ARMPipelineClient(base_url=self.settings.arm_base_url,
                                     policies=arm_policies(credential, self.settings),
                                     connection_verify=kwargs.get("connection_verify", True))
        self.rg = self.settings.dns_resource_group

    # -- the hub (network team) ----------------------------------------------------------------

    def create_zones(self, *zones: str) -> None:
        for zone in zones:
            self.dns.private_zones.begin_create_or_update(self.rg, zone, m.PrivateZone(location="global")).result()

    def put_record(self, zone: str, name: str, ips: list[str], *, metadata: dict[str, str] | None = None,
                   ttl: int = 3600, rtype: str = "A") -> None:
        """An A (or AAAA) record someone else made (a manual record, another tool's)."""
        props = m.RecordSetProperties(ttl=ttl, metadata=metadata or {})
        if rtype == "AAAA":
            props.aaaa_records = [m.AaaaRecord(ipv6_address=ip) for ip in ips]
        else:
            props.a_records = [m.ARecord(ipv4_address=ip) for ip in ips]
        self.dns.record_sets.create_or_update(self.rg, zone, rtype, name, m.RecordSet(properties=props))

    def records(self, rtype: str = "A") -> list[dict[str, Any]]:
        """Every A (or AAAA) record set in every hub zone: zone, name, IPs, metadata."""
        out = []
        for zone in sorted(z.name for z in self.dns.private_zones.list_by_resource_group(self.rg)):
            for rs in self.dns.record_sets.list_by_type(self.rg, zone, rtype):
                props = rs.properties
                ips = ([a.ipv4_address for a in (props.a_records or [])] if rtype == "A"
                       else [a.ipv6_address for a in (props.aaaa_records or [])])
                out.append({
                    "zone": zone, "name": rs.name, "etag": rs.etag, "ips": sorted(ips),
                    "metadata": dict(props.metadata or {}), "ttl": props.ttl,
                })
        return out

    # -- a spoke (application team) -----------------------------------------------------------

    def endpoint_id(self, name: str, rg: str = "rg-app") -> str:
        return f"/subscriptions/{self.spoke}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}"

    def endpoint_body(
        self,
        name: str,
        *,
        target: str,
        group: str,
        dns: dict[str, list[str]],
        status: str = "Approved",
        manual: bool = False,
        location: str = "westeurope",
        state: str = "Succeeded",
        rg: str = "rg-app",
        vnet: str = "vnet-spoke",
    ) -> dict[str, Any]:
        """A private endpoint in ARM GET shape (network API 2024-05-01); built as `pedns emulator --demo` builds its own."""
        return endpoint_body(self.spoke, name, target=target, group=group, dns=dns, status=status, manual=manual,
                             location=location, state=state, rg=rg, vnet=vnet)

    def storage_id(self, account: str) -> str:
        return f"/subscriptions/{self.spoke}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/{account}"

    def blob_endpoint(self, name: str, account: str, ip: str, **kwargs: Any) -> dict[str, Any]:
        """An endpoint for a storage account's blob service, in ARM GET shape."""
        return self.endpoint_body(name, target=self.storage_id(account), group="blob",
                                  dns={f"{account}.blob.core.windows.net": [ip]}, **kwargs)

    def names(self) -> dict[tuple[str, str], list[str]]:
        """(zone, name) → IPs of every A record set in the hub."""
        return {(r["zone"], r["name"]): r["ips"] for r in self.records()}

    def _send(self, method: str, path: str, body: Any = None) -> Any:
        request = HttpRequest(method, self.arm.format_url(f"{quote(path)}?api-version={NETWORK_API}"),
                              json=body if body is not None else None)
        response = self.arm.send_request(request)
        response.raise_for_status()
        return response.json() if response.content else None

    def put_endpoint(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._send("PUT", body["id"], body)

    def delete_endpoint(self, endpoint_id: str) -> None:
        self._send("DELETE", endpoint_id)

    def put_zone_group(self, endpoint_id: str, zones: list[str]) -> None:
        configs = [{"name": z.replace(".", "-"), "properties": {
            "privateDnsZoneId": f"/subscriptions/{self.settings.dns_subscription_id}/resourceGroups/{self.rg}"
                                f"/providers/Microsoft.Network/privateDnsZones/{z}"}} for z in zones]
        self._send("PUT", f"{endpoint_id}/privateDnsZoneGroups/default",
                   {"properties": {"privateDnsZoneConfigs": configs}})

    # -- what Event Grid would deliver ----------------------------------------------------------

    def event(self, endpoint_id: str, action: str = "write", *, event_id: str | None = None,
              time: datetime | None = None) -> dict[str, Any]:
        """A `Microsoft.Resources.ResourceWriteSuccess`/`ResourceDeleteSuccess` event (Event Grid schema)."""
        kind = {"write": "ResourceWriteSuccess", "delete": "ResourceDeleteSuccess"}[action]
        correlation = str(uuid.uuid4())
        return {
            "subject": endpoint_id,
            "eventType": f"Microsoft.Resources.{kind}",
            "eventTime": (time or datetime.now(timezone.utc)).isoformat().replace("+00:00", "Z"),
            "id": event_id or str(uuid.uuid4()),
            "data": {
                "authorization": {"scope": endpoint_id, "action": f"Microsoft.Network/privateEndpoints/{action}",
                                  "evidence": {"role": "Network Contributor"}},
                "claims": {"appid": str(uuid.uuid4())},
                "correlationId": correlation,
                "httpRequest": {"clientRequestId": str(uuid.uuid4()), "clientIpAddress": "203.0.113.7",
                                "method": "PUT" if action == "write" else "DELETE", "url": ""},
                "resourceProvider": "Microsoft.Network",
                "resourceUri": endpoint_id,
                "operationName": f"Microsoft.Network/privateEndpoints/{action}",
                "status": "Succeeded",
                "subscriptionId": self.spoke,
                "tenantId": TENANT,
            },
            "dataVersion": "2",
            "metadataVersion": "1",
            "topic": f"/subscriptions/{self.spoke}",
        }

    def connection_event(self, target_id: str, connection: str, action: str = "write") -> dict[str, Any]:
        """What the *target's* subscription emits when a connection is approved/rejected (write) or removed."""
        event = self.event(self.endpoint_id("unused"), action)
        provider = target_id.split("/providers/", 1)[1].split("/")[0]
        resource_type = "/".join(target_id.split("/providers/", 1)[1].split("/")[:2])
        event["subject"] = event["data"]["resourceUri"] = f"{target_id}/privateEndpointConnections/{connection}"
        event["data"]["operationName"] = f"{resource_type}/privateEndpointConnections/{action}"
        event["data"]["resourceProvider"] = provider
        event["data"]["authorization"]["scope"] = event["subject"]
        event["data"]["authorization"]["action"] = event["data"]["operationName"]
        event["data"]["subscriptionId"] = target_id.split("/")[2]
        event["topic"] = f"/subscriptions/{target_id.split('/')[2]}"
        return event

    def close(self) -> None:
        self.dns.close()
        self.arm.close()


def delivery(*events: dict[str, Any]) -> bytes:
    """An Event Grid POST body: a JSON array of events."""
    return json.dumps(list(events)).encode()
