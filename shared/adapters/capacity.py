"""`WriteCapacity` from the pacer: the room this process sees in each hub zone's Private DNS windows
(the reconcile's lanes ask it: `shared/usecases/lanes.py`). Other instances' writes are not seen."""

from __future__ import annotations

from ..core.ports import Headroom, WriteAction
from ..settings import Settings
from ._dns_limits import dns_limit
from ._pipeline import Pacer


class PacedCapacity:
    def __init__(self, pacer: Pacer, settings: Settings) -> None:
        self._pacer = pacer
        self._zones_url = (f"{settings.arm_base_url.rstrip('/')}/subscriptions/{settings.dns_subscription_id}/"
                           f"resourceGroups/{settings.dns_resource_group}/providers/Microsoft.Network/privateDnsZones")

    def headroom(self, zone: str, action: WriteAction) -> Headroom:
        method = "DELETE" if action == "delete" else "PUT"
        headers = {"If-None-Match": "*"} if action == "create" else {}
        limit = dns_limit(method, f"{self._zones_url}/{zone}/A/headroom", headers)
        assert limit is not None  # a record set write is always limited
        free, wait = self._pacer.headroom(*limit)
        return Headroom(free, wait)
