"""A connection on a target resource was approved, rejected or removed: converge the endpoints in
scope that point at it (a `Microsoft.Network/privateEndpointConnections` event names the target,
not the endpoint)."""

from __future__ import annotations

import logging

from ..core.model import ResourceId, Unreadable
from ..core.results import EndpointResult
from ..errors import NotReady, PednsError
from .context import Context
from .converge import converge

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)


def converge_target(ctx: Context, target_id: ResourceId, *, dry_run: bool = False) -> list[EndpointResult]:
    """The estate reader finds the endpoints (one query); each is then read from ARM before
    anything is written, since the listing may lag. One endpoint's failure does not stop the
    others; the first failure is raised at the end, so Event Grid delivers again."""
    found: dict[ResourceId, None] = {}
    for item in ctx.estate.endpoints_pointing_at(target_id, ctx.scope.query):
        found.setdefault(item.endpoint_id if isinstance(item, Unreadable) else item.id, None)
    results: list[EndpointResult] = []
    failure: PednsError | None = None
    # Without an index that can answer, one listing of the zones serves them all (asked once).
    first = next(iter(found), None)
    snapshot = ctx.snapshot() if len(found) > 1 and first and ctx.index.lookup(first) is None else None
    for endpoint_id in found:
        try:
            results.append(converge(ctx, endpoint_id, dry_run=dry_run, snapshot=snapshot))
        except NotReady as exc:
            results.append(EndpointResult(str(endpoint_id), "not-ready", message=str(exc), dry_run=dry_run))
        except PednsError as exc:
            log.error("connection change on %s: %s: %s", target_id, endpoint_id, exc)
            results.append(EndpointResult(str(endpoint_id), "error", message=str(exc), dry_run=dry_run))
            failure = failure or exc
    log.info("connection change on %s: %d endpoint(s) point at it", target_id, len(results))
    if failure is not None:
        raise failure
    return results
