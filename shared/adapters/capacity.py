"""`WriteCapacity` from the pacer: the room this process sees in each hub zone's Private DNS windows
(the reconcile's lanes ask it: `shared/usecases/lanes.py`; other instances' writes are not seen),
and the patience the pacer reads (`patience.py`), so the reconcile never waits past its budget."""

from __future__ import annotations

from contextlib import AbstractContextManager

from ..core.ports import Headroom, WriteAction
from ..settings import Settings
from ._dns_limits import dns_limit
from ._pipeline import Pacer, too_long
from .patience import PATIENCE, patience


class PacedCapacity:
    def __init__(self, pacer: Pacer, settings: Settings) -> None:
        self._pacer = pacer
        self._zones_url = (f"{settings.arm_base_url.rstrip('/')}/subscriptions/{settings.dns_subscription_id}/"
                           f"resourceGroups/{settings.dns_resource_group}/providers/Microsoft.Network/privateDnsZones")
        self._limits: dict[tuple[str, WriteAction], tuple[tuple[str, ...], int]] = {}

    def headroom(self, zone: str, action: WriteAction) -> Headroom:
        key, per_minute = self._limit(zone, action)
        free, wait = self._pacer.headroom(key, per_minute)
        return Headroom(free, wait)

    def patience(self, seconds: float | None) -> AbstractContextManager[None]:
        return patience(seconds)

    def ready(self, zone: str, action: WriteAction) -> None:
        most = PATIENCE.get()
        if most is None:
            return
        key, per_minute = self._limit(zone, action)
        free, wait = self._pacer.headroom(key, per_minute)
        if free == 0 and wait > most:  # worded as the pacer words it (`_pipeline.too_long`)
            raise too_long(wait, f"Private DNS's limit of {per_minute} {action}s a minute ({zone})")

    def _limit(self, zone: str, action: WriteAction) -> tuple[tuple[str, ...], int]:
        """The window a write of this kind to the zone counts against (asked for every lane at each
        take of the reconcile's workers: kept once worked out)."""
        limit = self._limits.get((zone, action))
        if limit is None:
            method = "DELETE" if action == "delete" else "PUT"
            headers = {"If-None-Match": "*"} if action == "create" else {}
            limit = dns_limit(method, f"{self._zones_url}/{zone}/A/headroom", headers)
            assert limit is not None  # a record set write is always limited
            self._limits[zone, action] = limit
        return limit
