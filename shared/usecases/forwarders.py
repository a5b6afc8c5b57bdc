"""`pedns forwarders`: the conditional forwarders on-premises DNS needs for every zone the hub serves
(`shared/core/forwarders.py` decides; this reads the hub's zones and their links). Reads only."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.forwarders import ForwarderPlan, plan
from ..core.model import Scope
from ..errors import PednsError
from .context import Context


def forwarders(ctx: Context, *, cloud: str, targets: Sequence[str], hub_subscription: str, hub_resource_group: str,
               public_zones_of: Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]) -> ForwarderPlan:
    zones = ctx.store.list_zones()
    prefix = f"/subscriptions/{hub_subscription}/resourceGroups/{hub_resource_group}/providers/" \
             f"Microsoft.Network/privateDnsZones/".lower()
    strict: dict[str, int] = {}
    try:
        for link in ctx.estate.zone_links(Scope(frozenset({hub_subscription.lower()}))):
            zone_id = link.zone_id.lower()
            if zone_id.startswith(prefix) and link.resolution_policy.lower() != "nxdomainredirect":
                zone = zone_id[len(prefix):]
                strict[zone] = strict.get(zone, 0) + 1
    except PednsError:
        return plan(cloud, zones, targets, public_zones_of, None)  # the plan says the links could not be read
    return plan(cloud, zones, targets, public_zones_of, strict)
