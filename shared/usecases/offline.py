"""The reconcile's offline plan: what converging an endpoint would report, decided from the two
listings alone (the estate's endpoints and the hub's record sets), with no I/O.

The listings are eventually consistent, so only "nothing to do" is trusted: any change (a write,
a fail-over, a zone to create) is drift, and the endpoint is then confirmed with ARM before
anything is written (`shared/usecases/converge.py`, `confirm`).
"""

from __future__ import annotations

from ..core.desired import not_ready
from ..core.model import Desired, DesiredRecord, PrivateEndpoint, RecordKey
from ..core.ownership import network_hash
from ..core.plan import decide
from ..core.results import EndpointResult
from ..core.snapshot import Snapshot
from ..errors import NotFound
from .context import Context
from .report import report, zone_missing


def plan_offline(ctx: Context, pe: PrivateEndpoint, claimed: set[RecordKey], snapshot: Snapshot, *,
                 dry_run: bool = False) -> EndpointResult | None:
    """What converging `pe` would report, or None when it would change something (drift)."""
    reason = not_ready(pe)
    if reason:
        return None if claimed else EndpointResult(str(pe.id), "not-ready", message=reason, dry_run=dry_run)
    wanted = ctx.desire_of(pe)
    want = {record.key: record for record in wanted.records}
    result = EndpointResult(str(pe.id), "converged", dry_run=dry_run, skipped=list(wanted.skipped))
    for key in sorted(set(want) | claimed, key=lambda k: (k.zone, k.name)):
        if not _settled(ctx, wanted, key, want.get(key), snapshot, result):
            return None
    return result


def _settled(ctx: Context, wanted: Desired, key: RecordKey, want: DesiredRecord | None, snapshot: Snapshot,
             result: EndpointResult) -> bool:
    """Whether the listing shows `key` as converging would leave it (then reported into `result`)."""
    try:
        current = snapshot.get(key)
    except NotFound:
        if want is None:
            return True
        if ctx.options.create_zones:
            return False  # the zone would be created: a change
        zone_missing(result, want)
        return True
    decision = decide(
        key, current, wanted.endpoint_id, want, policy=ctx.options.policy, now=int(ctx.clock()),
        location=wanted.location, vnet_hash=network_hash(wanted.virtual_network_id), candidates={},
    )
    if decision.needs is not None or decision.action != "none":
        return False  # a fail-over, or a write
    report(decision, wanted.endpoint_id, want, result)
    return True
