"""Decide and write one record name for the endpoint being converged, with its 412 loop.

Each name is decided from its record sets as they are now (`shared/core/plan`), written with
etag preconditions, and decided again from a fresh read whenever another writer got there first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..core import ownership
from ..core.model import Desired, DesiredRecord, NameState, RecordKey, ResourceId
from ..core.plan import Decision, Repin, decide, holder_to_verify
from ..core.results import EndpointResult
from ..core.snapshot import Snapshot
from ..errors import Conflict, NotFound, TransientError
from .claimants import Claimants
from .context import Context
from .report import report, zone_missing
from .writes import Writer

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)

#: 412s (or failed optimistic creates) on one name before giving up for now (Event Grid retries).
MAX_CONFLICTS = 8


@dataclass(slots=True)
class Run:
    """One convergence of one endpoint: what it wants, what it reports, and what it read once."""

    endpoint_id: ResourceId
    wanted: Desired
    result: EndpointResult
    writer: Writer
    claimants: Claimants
    dry_run: bool
    snapshot: Snapshot | None = None  # a listing to decide from instead of reading each name
    want: dict[RecordKey, DesiredRecord] = field(default_factory=dict)
    repin: Repin | None = None  # an operator's switch or clear of the names' pin (`shared/usecases/switch.py`)

    def __post_init__(self) -> None:
        self.want = {record.key: record for record in self.wanted.records}



def converge_name(ctx: Context, run: Run, key: RecordKey, *, optimistic: bool = False) -> int:
    """Converge one name; returns how many 412s (or failed optimistic creates) it met.

    `optimistic`: the index says the endpoint never claimed the name, so it is assumed free and
    created with `If-None-Match: *` without a read; a 412 sends us to read it and decide again."""
    want = run.want.get(key)
    candidates: dict[ResourceId, DesiredRecord | None] = {}
    conflicts = 0
    while True:
        first = conflicts == 0
        try:
            current = _current(ctx, run, key, first=first, optimistic=optimistic)
        except NotFound:
            if want is None:
                return conflicts
            if ctx.options.create_zones and not run.dry_run:
                log.info("creating private DNS zone %s for %s", key.zone, run.endpoint_id)
                ctx.store.create_zone(key.zone, link_vnet_ids=ctx.options.hub_vnet_ids)
                if run.snapshot is not None:
                    run.snapshot.zones.add(key.zone)
                continue
            zone_missing(run.result, want)
            return conflicts
        decision = decide_live(ctx, run, key, current, candidates)
        try:
            written = run.writer.apply(decision, current, optimistic=optimistic and first and not run.dry_run)
        except (Conflict, NotFound) as exc:
            # NotFound: an optimistic create into a zone that does not exist; read to find out.
            if isinstance(exc, NotFound) and not (optimistic and first):
                raise
            conflicts += 1
            if conflicts >= MAX_CONFLICTS:
                raise TransientError(f"{key}: still changing after {conflicts} attempts") from None
            if not (optimistic and conflicts == 1):
                log.info("%s changed while converging %s; re-reading", key, run.endpoint_id)
            continue
        if run.snapshot is not None and decision.action != "none" and not run.dry_run:
            run.snapshot.put(key, written)
        report(decision, run.endpoint_id, want, run.result)
        return conflicts


def _current(ctx: Context, run: Run, key: RecordKey, *, first: bool, optimistic: bool) -> NameState:
    """The name as the first decision sees it: a listing saves a GET, and so does assuming a new
    name is free; after a 412, the live record."""
    if first and run.snapshot is not None:
        return run.snapshot.get(key)
    if first and optimistic:
        return NameState(key)
    if first and key in run.want:
        # A name the endpoint wants, read live (an event redelivered after its intent was stored):
        # if the zone could not take a create within the patience, hand back before spending reads
        # (200 a minute per zone) that the retries of a burst would otherwise exhaust.
        ctx.capacity.ready(key.zone, "create")
    return ctx.store.get(key)


def decide_live(ctx: Context, run: Run, key: RecordKey, current: NameState,
                candidates: dict[ResourceId, DesiredRecord | None]) -> Decision:
    """`decide`, reading the claimants a fail-over needs (their desires now, or that they are gone)
    and deciding again until the decision needs nothing more."""
    while True:
        decision = decide(
            key, current, run.endpoint_id, run.want.get(key), policy=ctx.options.policy, now=int(ctx.clock()),
            location=run.wanted.location, vnet_hash=ownership.network_hash(run.wanted.virtual_network_id), candidates=candidates,
            repin=run.repin,
        )
        if decision.needs is None:
            holder = holder_to_verify(decision, candidates)
            if holder is None or not run.claimants.gone(holder, key):
                return decision
            # Never stand by for a holder that is gone (its delete not handled yet, or an
            # upsert-only delete that kept the record): drop it and decide again.
            log.info("%s: the holder %s is gone; dropping its claim", key, holder)
            candidates[holder] = None
            continue
        if decision.needs in candidates:  # cannot happen with a consistent plan; never loop
            raise TransientError(f"{key}: no progress choosing a holder")
        candidates[decision.needs] = run.claimants.desire_for(decision.needs, key)
