"""Whether an endpoint or an event is pedns's to serve: its subscription must be in the source
scope (`shared/usecases/scope.py`) and its tenant `PEDNS_TENANT_ID` when one is set. A refusal
changes nothing; a refusal for scope is a warning and a count, so a spoke wired to send events
that the hub does not accept never goes unnoticed."""

from __future__ import annotations

import logging

from ..errors import InvalidInput, OutOfScope
from .context import Context

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)


def source_refusal(ctx: Context, subscription_id: str, tenant_id: str = "") -> tuple[str, str] | None:
    """(kind, why) when an endpoint of that subscription / tenant is not pedns's to serve: kind
    "scope" or "tenant"; None when it is. Asks, changes and counts nothing."""
    if not ctx.scope.contains(subscription_id):
        return "scope", (f"subscription {subscription_id} is not in scope "
                         f"(PEDNS_SOURCE_SUBSCRIPTIONS / PEDNS_SOURCE_MANAGEMENT_GROUPS)")
    if ctx.options.tenant_id and tenant_id and tenant_id.lower() != ctx.options.tenant_id.lower():
        return "tenant", f"tenant {tenant_id} is not PEDNS_TENANT_ID"
    return None


def check_source(ctx: Context, subscription_id: str, tenant_id: str = "", *, what: str) -> None:
    """Refuse endpoints outside the configured scope (`OutOfScope`, logged and counted as
    `events_refused_scope`) or tenant (`InvalidInput`)."""
    refusal = source_refusal(ctx, subscription_id, tenant_id)
    if refusal is None:
        return
    kind, why = refusal
    if kind == "scope":
        log.warning("%s refused: subscription %s is not in pedns's scope (%s): add it to "
                    "PEDNS_SOURCE_SUBSCRIPTIONS or place it under one of PEDNS_SOURCE_MANAGEMENT_GROUPS",
                    what, subscription_id, ctx.scope.describe())
        ctx.metrics.count("events_refused_scope", subscription=subscription_id.lower())
        raise OutOfScope(f"{what}: {why}")
    raise InvalidInput(f"{what}: {why}")
