"""`pedns resolve NAME --from NETWORK`: read what the path of one name from one network depends on,
then walk it (`shared/core/walk.py`, pure). Reads only.

What is read: the network (ARM, authoritative: a network that cannot be read fails the command),
the private zones and their links (Resource Graph), the forwarding rulesets with their rules and
links and the inbound endpoints (`ResolverReader`), and the record sets of the one zone that
answers (ARM). A listing that fails is named in the walk's `unread`: the walk answers `unknown`
only if the path reaches it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..core.model import RecordKey, ResourceId, Scope
from ..core.ports import ResolverReader
from ..core.walk import PathView, Resolution, walk
from ..errors import PednsError
from .context import Context

#: Record reads one walk may need (each reaches one zone; a path never reaches more than a few).
MAX_READS = 4


def resolve(ctx: Context, paths: ResolverReader, *, name: str, network_id: ResourceId,
            alias_of: Callable[[str], RecordKey | None], hub_subscription: str, hub_resource_group: str,
            hub_servers: Sequence[str] = (), hub_networks: Sequence[str] = ()) -> Resolution:
    network = paths.network(network_id)
    scope = _scope(ctx.scope.query, hub_subscription, network_id, hub_networks)
    unread: dict[str, str] = {}
    try:
        zones, links = list(ctx.estate.zones(scope)), list(ctx.estate.zone_links(scope))
    except PednsError as exc:
        zones, links, unread["links"] = [], [], str(exc)
    try:
        rulesets = list(paths.rulesets(scope))
    except PednsError as exc:
        rulesets, unread["rulesets"] = [], str(exc)
    try:
        inbound = list(paths.inbound_endpoints(scope))
    except PednsError as exc:
        inbound, unread["inbound"] = [], str(exc)
    view = PathView(name=name.strip().lower().rstrip("."), network=network, alias=alias_of(name), zones=zones,
                    links=links, rulesets=rulesets, inbound=inbound, hub_servers=tuple(hub_servers),
                    hub_networks=tuple(hub_networks),
                    hub_resource_group_id=f"/subscriptions/{hub_subscription}/resourceGroups/{hub_resource_group}",
                    unread=unread)
    result = walk(view)
    for _ in range(MAX_READS):
        if result.needs is None:
            break
        zone_id, relative = result.needs
        try:
            view.records[(zone_id.lower(), relative)] = paths.record_sets(ResourceId(zone_id), relative)
        except PednsError as exc:
            view.records[(zone_id.lower(), relative)] = str(exc)
        result = walk(view)
    return result


def _scope(query: Scope, hub_subscription: str, network_id: ResourceId, hub_networks: Sequence[str]) -> Scope:
    """The scope's subscriptions plus the hub's and the network's, where rulesets and zones may live."""
    if query.everything:
        return query
    extra = {hub_subscription.lower(), network_id.subscription_id.lower(),
             *(ResourceId(n).subscription_id.lower() for n in hub_networks)}
    return Scope(frozenset(query.subscriptions | {s for s in extra if s}), query.management_groups)
