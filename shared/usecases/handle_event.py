"""An Event Grid event, parsed (`shared/parsing/events.py`): the endpoint it names converged, or
the endpoints pointing at the target whose connection changed."""

from __future__ import annotations

import logging

from ..core.results import EndpointResult
from ..errors import NotReady
from ..parsing.events import ResourceEvent
from .admission import check_source
from .approval import converge_target
from .context import Context
from .converge import converge, converge_deleted
from .report import log_skips

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)

#: How long after a target's connection event pedns asks Event Grid to deliver it again while the
#: estate listing shows no endpoint in scope pointing at the target: Resource Graph lags ARM
#: "typically by seconds", "under 1 minute" (Learn, "Choose the right query strategy"), so an
#: endpoint approved right after its creation may not be listed yet. Event Grid's schedule (10 s,
#: 30 s, 1 min, …) gives three more tries within this; older events are acknowledged.
LISTING_LAG_GRACE_SECONDS = 120.0


def handle_event(ctx: Context, event: ResourceEvent, *, dry_run: bool = False) -> list[EndpointResult]:
    """One parsed `ResourceEvent` → the endpoints it converged (none for events that are not ours).

    An endpoint still provisioning raises NotReady (Event Grid delivers again) until the event is
    older than `not_ready_give_up_seconds`; then it is left to the scheduled reconcile."""
    if event.action is None:
        log.debug("event %s ignored: %s", event.id, event.ignore_reason)
        return []
    check_source(ctx, event.subscription_id or event.resource_id.subscription_id, event.tenant_id,
                 what=f"event {event.id}")
    if event.action == "target":
        results = converge_target(ctx, event.resource_id, dry_run=dry_run)
        if not results and _age(ctx, event) < LISTING_LAG_GRACE_SECONDS:
            raise NotReady(f"event {event.id}: the estate listing shows no endpoint in scope pointing at "
                           f"{event.resource_id} yet (Resource Graph lags ARM); Event Grid will deliver it again")
    else:
        try:
            if event.action == "delete":
                results = [converge_deleted(ctx, event.resource_id, dry_run=dry_run)]
            else:
                results = [converge(ctx, event.resource_id, dry_run=dry_run)]
        except NotReady as exc:
            age = _age(ctx, event)
            if age > ctx.options.not_ready_give_up_seconds:
                log.warning("event %s: %s; giving up after %.0f s, the scheduled reconcile will pick it up",
                            event.id, exc, age)
                return [EndpointResult(str(event.resource_id), "not-ready", message=str(exc), dry_run=dry_run)]
            raise
    for result in results:
        log_skips(result, f"event {event.id}")
    return results


def _age(ctx: Context, event: ResourceEvent) -> float:
    """Seconds since ARM wrote what the event tells of (0 when it carries no time)."""
    return ctx.clock() - event.time.timestamp() if event.time else 0.0
