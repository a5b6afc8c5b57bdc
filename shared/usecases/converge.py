"""Converge one endpoint: read it from ARM, work out what it needs, decide and write each of its
names, keep the claim index in step, and converge again if the endpoint changed meanwhile.

Level-triggered: an event only names an endpoint. Its current state decides, and each record name
moves one etag-guarded step towards it, so duplicated and reordered events are harmless.

Entry points, one per reason to converge: `converge` (a write event, a replay, an approval),
`converge_deleted` (a delete event), `release` (an operator withdraws every claim) and `confirm`
(the reconcile confirms drift it saw in its listings). `safely` turns a failure into the
endpoint's result instead of raising it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..core.desired import desire, not_ready
from ..core.model import Desired, PrivateEndpoint, RecordKey, ResourceId
from ..core.results import EndpointResult, Status
from ..core.snapshot import Snapshot
from ..errors import NotFound, NotReady, PednsError, TransientError
from .claimants import Claimants
from .context import Context
from .name import Run, converge_name
from .writes import Writer

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)

#: Where a convergence gets a listing of the hub when it needs one.
Listing = Callable[[], Snapshot]

#: Convergences of one endpoint in a row that found it changed meanwhile before giving up for now.
MAX_STALE_RETRIES = 3


def converge(ctx: Context, endpoint_id: ResourceId, *, dry_run: bool = False,
             snapshot: Snapshot | None = None, listing: Listing | None = None) -> EndpointResult:
    """Bring the hub records in line with the endpoint as ARM shows it now (a write event, a
    replay, an approval). `snapshot`: a listing of the hub, taken before the endpoint's read, to
    decide from instead of reading each name. `listing`: where to get a listing of the hub when
    one is needed (no claim index), shared by the endpoints of one run (`shared_listing`).
    Raises NotReady for a half-provisioned endpoint, TransientError/PermanentError for ARM."""
    return _converge(ctx, endpoint_id, _How(dry_run or ctx.options.dry_run, snapshot=snapshot, listing=listing))


def converge_deleted(ctx: Context, endpoint_id: ResourceId, *, dry_run: bool = False) -> EndpointResult:
    """A delete event: read the endpoint alone first (NotFound, most likely), its zone groups only
    if it turns out to exist after all."""
    return _converge(ctx, endpoint_id, _How(dry_run or ctx.options.dry_run, expect_gone=True))


def release(ctx: Context, endpoint_id: ResourceId, *, dry_run: bool = False,
            listing: Listing | None = None) -> EndpointResult:
    """An operator's manual release: withdraw every claim of the endpoint, whatever ARM says."""
    return _converge(ctx, endpoint_id, _How(dry_run or ctx.options.dry_run, release=True, listing=listing))


def shared_listing(ctx: Context) -> Listing:
    """One listing of the hub for every endpoint of a run that needs one (replay, release of many
    ids without a claim index), taken when the first needs it. Each endpoint then decides from a
    listing that may predate the run's own earlier writes: those meet their etag (412) and are
    decided again from the live record, as any write that raced another."""
    taken: list[Snapshot] = []

    def listing() -> Snapshot:
        if not taken:
            taken.append(ctx.snapshot())
        return taken[0]
    return listing


def confirm(ctx: Context, endpoint_id: ResourceId, *, claimed: set[RecordKey], snapshot: Snapshot,
            listed: bool, dry_run: bool = False) -> EndpointResult:
    """The reconcile saw drift: read the endpoint from ARM and converge it, deciding against the
    hub listing (`snapshot`) and the claims it showed (`claimed`); a 412 sends a name to its live
    record. `listed`: the estate listing showed the endpoint (if not, it is most likely gone)."""
    return _converge(ctx, endpoint_id, _How(dry_run or ctx.options.dry_run, claimed=claimed, snapshot=snapshot,
                                            expect_gone=not listed))


def safely(ctx: Context, endpoint_id: ResourceId, attempt: Callable[[], EndpointResult], *,
           dry_run: bool = False) -> EndpointResult:
    """`attempt()`, with a failure reported as this endpoint's result instead of raised."""
    try:
        return attempt()
    except NotReady as exc:
        return EndpointResult(str(endpoint_id), "not-ready", message=str(exc),
                              dry_run=dry_run or ctx.options.dry_run)
    except PednsError as exc:
        log.error("%s: %s", endpoint_id, exc)
        return EndpointResult(str(endpoint_id), "error", message=str(exc), dry_run=dry_run or ctx.options.dry_run)


@dataclass(frozen=True, slots=True)
class _How:
    dry_run: bool
    release: bool = False
    claimed: set[RecordKey] | None = None  # the claims a listing showed (the reconcile; a re-read)
    snapshot: Snapshot | None = None
    expect_gone: bool = False
    depth: int = 0  # convergences again because the endpoint changed meanwhile
    listing: Listing | None = None  # where a listing comes from when one is needed (default: a new one)


@dataclass(slots=True)
class _Claims:
    """Which names the convergence visits, and what the claim index holds for the endpoint."""

    known: set[RecordKey]  # the names the endpoint claims now, as the index or a listing says
    keys: set[RecordKey]  # the names to visit: wanted or claimed
    indexed: set[RecordKey] | None  # the index's entry (None: unknown)
    optimistic: frozenset[RecordKey]  # names assumed free, created without a read
    snapshot: Snapshot | None
    listed_before_read: bool  # the snapshot was taken before the endpoint's read (the reconcile's)


def _converge(ctx: Context, endpoint_id: ResourceId, how: _How) -> EndpointResult:
    pe = None if how.release else _read(ctx, endpoint_id, expect_gone=how.expect_gone)
    wanted = _wanted(ctx, endpoint_id, pe)
    claims = _claims(ctx, endpoint_id, wanted, how)
    status: Status = "converged" if pe is not None else ("released" if how.release else "gone")
    result = EndpointResult(str(pe.id if pe else endpoint_id), status, dry_run=how.dry_run,
                            skipped=list(wanted.skipped))
    writer = Writer(ctx.store, ctx.options.policy.owner_id, result, dry_run=how.dry_run)
    run = Run(endpoint_id, wanted, result, writer, Claimants(ctx.reader, ctx.desire_of), how.dry_run,
              claims.snapshot)
    for key in sorted(claims.keys, key=lambda k: (k.zone, k.name)):
        result.conflicts += converge_name(ctx, run, key, optimistic=key in claims.optimistic)
    if how.dry_run:
        return result
    kept = {r.key for r in result.records if r.outcome in ("held", "standby")}
    if kept != claims.indexed:
        ctx.index.store(endpoint_id, kept)
    if how.release or not _may_be_stale(result, listed_before_read=claims.listed_before_read) \
            or not _changed(ctx, endpoint_id, pe):
        return result
    # The endpoint changed (or went) between our read and our writes. Its own event may already
    # have been handled by another worker, which our writes just overwrote with stale state:
    # converge again on what ARM says now.
    if how.depth >= MAX_STALE_RETRIES:
        raise TransientError(f"{endpoint_id} keeps changing while converging")
    log.info("%s changed while converging; converging again", endpoint_id)
    again = _converge(ctx, endpoint_id, _How(False, claimed=kept | claims.known, depth=how.depth + 1))
    again.changes[:0] = result.changes  # what was written first happened too
    again.conflicts += result.conflicts
    return again


def _read(ctx: Context, endpoint_id: ResourceId, *, expect_gone: bool) -> PrivateEndpoint | None:
    """The endpoint as ARM shows it now (None: gone)."""
    try:
        if expect_gone:
            ctx.reader.get(endpoint_id, zone_groups=False)  # NotFound, most likely
        return ctx.reader.get(endpoint_id)
    except NotFound:
        return None


def _wanted(ctx: Context, endpoint_id: ResourceId, pe: PrivateEndpoint | None) -> Desired:
    """What the endpoint needs (nothing when it is gone or released). Raises NotReady."""
    if pe is None:
        return Desired(endpoint_id)
    reason = not_ready(pe)
    if reason:
        raise NotReady(f"{endpoint_id}: {reason}")
    return _verified(ctx, pe, ctx.desire_of(pe))


def _verified(ctx: Context, pe: PrivateEndpoint, wanted: Desired) -> Desired:
    """For names no catalogue row binds to the target (Azure Monitor's, a Private Link Service's,
    ...), check them against the names Azure gave the endpoint's network interface. One more
    read, for those endpoints only; none when the interface cannot be read."""
    if not wanted.records or not pe.dns_configs or not pe.network_interface_ids or not pe.connections:
        return wanted
    connection = pe.connections[0]
    group = connection.group_ids[0] if connection.group_ids else ""
    if ctx.resolver.binding(target_id=connection.target_id, group_id=group) is not None:
        return wanted
    names = ctx.reader.platform_names(pe)
    return wanted if names is None else desire(pe, ctx.resolver, ctx.options.desire, platform_names=names)


def _claims(ctx: Context, endpoint_id: ResourceId, wanted: Desired, how: _How) -> _Claims:
    """The names to visit, and the claim index's intent: stored before any write, so the index
    never misses a claim. Without an index, one listing of the zones finds the claims and is
    decided from too."""
    want = {record.key for record in wanted.records}
    snapshot = how.snapshot
    # What the index holds (None: unknown, e.g. it answered nothing or a reconcile passed `claimed`);
    # writes it already reflects are skipped.
    indexed = ctx.index.lookup(endpoint_id) if how.claimed is None else None
    if how.claimed is not None:
        known = how.claimed
    elif indexed is not None:
        known = indexed
    else:
        snapshot = snapshot or (how.listing or ctx.snapshot)()
        known = snapshot.claims(ctx.options.policy.owner_id).get(endpoint_id, set())
    keys = want | known
    if not how.dry_run and keys and not (indexed is not None and keys <= indexed):
        ctx.index.store(endpoint_id, keys)  # intent first
        indexed = keys
    # A name the index says this endpoint never claimed is usually free: create it at once with
    # If-None-Match: * instead of reading it first; a 412 sends us to read it and decide again.
    optimistic = frozenset() if how.dry_run or how.claimed is not None or snapshot is not None else frozenset(
        want - known)
    return _Claims(known, keys, indexed, optimistic, snapshot, listed_before_read=how.snapshot is not None)


def _may_be_stale(result: EndpointResult, *, listed_before_read: bool) -> bool:
    """Whether writes may have undone a newer handler's work, so the endpoint must be read again.

    A handler that changed the endpoint's records after our read wrote them after our record
    listing too, when that listing was taken before our read (the reconcile's): our update then
    met its etag as a 412. Without a 412, only a create (the name was free, so no etag guarded
    it against an endpoint deleted meanwhile) or a delete (against one re-created meanwhile)
    needs the re-read. Records read after the endpoint, as an event handler reads them, may
    already carry the newer handler's write: then every write needs it.
    """
    applied = [c for c in result.changes if c.applied]
    if not applied:
        return False
    return not listed_before_read or result.conflicts > 0 or any(c.action != "update" for c in applied)


def _changed(ctx: Context, endpoint_id: ResourceId, seen: PrivateEndpoint | None) -> bool:
    """Whether the endpoint differs from `seen` now. Its zone groups are not re-read: a zone group
    added meanwhile sends its own event (a zone-group write converges its endpoint)."""
    try:
        now = ctx.reader.get(endpoint_id, zone_groups=False)
    except NotFound:
        return seen is not None
    return seen is None or now != seen.without_zone_groups()
