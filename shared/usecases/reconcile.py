"""The scheduled reconcile: repair whatever events missed, at a cost of pages, not endpoints.

1. **List** every private endpoint in scope through the estate reader (Resource Graph: 1,000 a
   page) and every A record set of the hub zones (one listing per zone). No per-endpoint read.
2. **Plan offline.** For each listed endpoint and each claimant found in the records, decide from
   the two listings alone what converging it would change (`shared/usecases/offline.py`, no I/O). Nothing to
   change: reported as converged, no request made.
3. **Confirm, then converge.** The listing is eventually consistent, so it is never trusted with
   a write: each drifted endpoint (and each claimant the listing no longer shows) is read from ARM
   and converged as an event would converge it (`converge.confirm`), the listing's records standing in for reads and
   a 412 sending it to the live record. Drifted endpoints that share no record name run in
   parallel (`PEDNS_RECONCILE_CONCURRENCY`); the ARM pipeline paces requests to ARM's buckets.
4. **Isolate.** One endpoint's failure (an unparseable body, ARM errors left after retries) is that
   endpoint's `error` in the report; the run goes on.
5. **Within its budget.** With a time budget, the run stops starting endpoints when it is spent
   and reports what is left (`complete: false`, endpoints and record names not yet done); the
   next run starts again from the listings. So that what is left matters least, drifted endpoints
   go most urgent first (`_urgency`): a name that does not resolve privately at all (the service
   answers with its public IP: the private endpoint is useless), then stale IPs (the name answers,
   wrongly), then orphans (a record nobody claims still answers with an IP Azure may hand to
   another endpoint: harmful only once it does). Urgency orders the work within each lane (zone
   and kind of write); a worker takes the most urgent work whose zone has room now (`lanes.py`).

Resource Graph does not index private DNS zone groups, so an endpoint with one is planned as if it
had none. That is only a problem where the plan would write: then the ARM read (which does see the
zone group) decides. An endpoint whose zone group writes into the hub leaves records pedns does not
own, which the plan reports as `foreign` without a read.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from ..errors import InvalidInput, WouldWait
from ..core.model import PrivateEndpoint, RecordKey, ResourceId, Scope, Unreadable
from ..core.results import EndpointResult, ReconcileReport
from ..core.snapshot import Snapshot
from .context import Context
from .converge import confirm, safely
from .lanes import KIND_OF_URGENCY, Lane, Lanes, Work
from .offline import plan_offline
from .report import log_skips

log = logging.getLogger("pedns.reconcile")

Progress = Callable[[int, int, EndpointResult], None]


def reconcile(
    ctx: Context,
    *,
    subscriptions: Iterable[str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    concurrency: int = 8,
    budget: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> ReconcileReport:
    """Converge every endpoint in scope and every claimant found in the hub zones.

    `subscriptions` narrows the run to those subscriptions (each must be in the service's scope):
    only their endpoints are listed, planned and changed. Without it, the service's whole scope.
    `budget`: seconds after which no endpoint is started (those under way finish); None: no limit.
    """
    ends = clock() + budget if budget else None
    dry_run = dry_run or ctx.options.dry_run
    scope, may_change = _limits(ctx, subscriptions)
    report = ReconcileReport()
    listing, unreadable = _listing(ctx, scope)
    report.listed = len(listing) + len(unreadable)
    snapshot = ctx.snapshot()
    claims = snapshot.claims(ctx.options.policy.owner_id)
    if not dry_run:
        ctx.index.rebuild(claims)

    claimants = set(claims) - set(listing) - set(unreadable)
    in_scope = {c for c in claimants if may_change(c)}
    report.out_of_scope = len(claimants) - len(in_scope)
    targets = sorted(set(listing) | set(unreadable) | in_scope, key=lambda e: e.key)

    done: dict[ResourceId, EndpointResult] = {}
    drifted: list[ResourceId] = []
    for endpoint_id in targets:
        planned = _planned(ctx, endpoint_id, listing, unreadable, claims, snapshot, dry_run=dry_run)
        if planned is None:
            drifted.append(endpoint_id)
        else:
            done[endpoint_id] = planned

    finished = _Finished(len(targets), progress)
    for result in done.values():
        finished(result)
    report.confirmed = len(drifted)
    if drifted:
        log.info("reconcile: %d of %d endpoint(s) drifted; confirming them with ARM", len(drifted), len(targets))
    run = _Run(ctx, listing, claims, snapshot, dry_run, ends, clock)
    for result in run.confirm(drifted, concurrency):
        done[ResourceId(result.endpoint)] = result
        finished(result)

    report.endpoints = [done[e] for e in targets if e in done]
    _left(report, [e for e in drifted if e not in done], run.touches, budget)
    return report


def _left(report: ReconcileReport, left: list[ResourceId], touches: Callable[[ResourceId], set[RecordKey]],
          budget: float | None) -> None:
    """The drifted endpoints the budget left for the next run, in the report and the log."""
    if not left:
        return
    report.complete = False
    report.left_endpoints = len(left)
    report.left_records = len(set().union(*(touches(e) for e in left)))
    log.warning("reconcile: the budget of %.0f s is spent; %d endpoint(s) and %d record name(s) are left "
                "for the next run", budget or 0, report.left_endpoints, report.left_records)


class _OutOfTime(Exception):
    """An endpoint's request would wait past the budget for a limit: it is left, not failed."""


@dataclass(frozen=True, slots=True)
class _Run:
    """What confirming the drifted endpoints needs: the listings, and when to stop starting them."""

    ctx: Context
    listing: dict[ResourceId, PrivateEndpoint]
    claims: dict[ResourceId, set[RecordKey]]
    snapshot: Snapshot
    dry_run: bool
    ends: float | None
    clock: Callable[[], float]
    touched: dict[ResourceId, set[RecordKey]] = field(default_factory=dict)

    def confirm(self, drifted: list[ResourceId], concurrency: int) -> Iterator[EndpointResult]:
        """Each drifted endpoint read from ARM and converged, most urgent first within each lane (zone
        and kind of write: `lanes.py`); endpoints that share a record name in one group, groups in
        parallel; none started once the budget is spent."""
        urgency = {e: _urgency(self.ctx, self.listing.get(e), self.snapshot) for e in drifted}
        ordered = sorted(drifted, key=urgency.__getitem__)  # stable
        work = [Work(self._lane(group[0], urgency[group[0]]), group, rank)
                for rank, group in enumerate(_groups(ordered, self.touches))]
        lanes = Lanes(work, self.ctx.capacity)
        results: queue.SimpleQueue[list[EndpointResult] | None] = queue.SimpleQueue()
        workers = max(1, min(concurrency, len(work)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pedns-reconcile") as pool:
            futures = [pool.submit(self._work, lanes, results) for _ in range(workers)]
            running = workers
            while running:
                batch = results.get()
                if batch is None:
                    running -= 1
                else:
                    yield from batch
            for future in futures:
                future.result()  # a worker's own failure (never an endpoint's: `safely` keeps those) is raised

    def _work(self, lanes: Lanes, results: queue.SimpleQueue[list[EndpointResult] | None]) -> None:
        """One worker: groups from the lanes until none is left or the budget is spent."""
        try:
            while (item := lanes.take(self._remaining)) is not None:
                try:
                    done, spent = self._group(item.group)
                finally:
                    lanes.done(item)
                results.put(done)
                if spent:
                    break
        finally:
            results.put(None)

    def _group(self, group: list[ResourceId]) -> tuple[list[EndpointResult], bool]:
        """The group's endpoints in order, and whether the budget is spent: none is started after it,
        and none waits past it for a limit (that endpoint, and the rest of its group, is left for the
        next run, not failed; the worker goes on with work that has room)."""
        results: list[EndpointResult] = []
        for e in group:
            remaining = self._remaining()
            if remaining <= 0:
                return results, True
            try:
                with self.ctx.capacity.patience(None if self.ends is None else remaining):
                    results.append(safely(self.ctx, e, partial(self._confirm, e), dry_run=self.dry_run))
            except _OutOfTime:
                log.info("%s: left for the next run (a limit would make it wait past the budget)", e)
                break
        return results, False

    def _confirm(self, e: ResourceId) -> EndpointResult:
        # read from ARM, decided against the listing, 412 → live record
        try:
            return confirm(self.ctx, e, claimed=self.claims.get(e, set()), snapshot=self.snapshot,
                           listed=e in self.listing, dry_run=self.dry_run)
        except WouldWait as exc:
            raise _OutOfTime() from exc  # not a PednsError: `safely` lets it through

    def _remaining(self) -> float:
        return float("inf") if self.ends is None else self.ends - self.clock()

    def _lane(self, e: ResourceId, urgency: int) -> Lane:
        keys = sorted(self.touches(e), key=lambda k: (k.zone, k.name))
        return (keys[0].zone if keys else "", KIND_OF_URGENCY[urgency])

    def touches(self, e: ResourceId) -> set[RecordKey]:
        """Kept once worked out: the groups, the lanes and what is left each ask (from this thread)."""
        if e not in self.touched:
            self.touched[e] = _touches(self.ctx, self.listing.get(e), self.claims.get(e, set()))
        return self.touched[e]


def _urgency(ctx: Context, pe: PrivateEndpoint | None, snapshot: Snapshot) -> int:
    """0: a name the endpoint wants has no record at all; 1: a name answers with other IPs;
    2: only claims to withdraw or records to delete (an orphan), or nothing the listings show."""
    if pe is None:
        return 2
    wanted = ctx.desire_of(pe).records
    if any(not snapshot.get(r.key) for r in wanted):
        return 0
    if any(sorted(snapshot.get(r.key).ips) != sorted(r.ips) for r in wanted):
        return 1
    return 2


def _limits(ctx: Context, subscriptions: Iterable[str] | None) -> tuple[Scope, Callable[[ResourceId], bool]]:
    """What the run lists, and which claimants it may change: `subscriptions` (each in scope), or
    the whole scope."""
    if subscriptions is None:
        return ctx.scope.query, lambda endpoint_id: ctx.scope.contains(endpoint_id.subscription_id)
    limit = frozenset(s.lower() for s in subscriptions)
    outside = sorted(s for s in limit if not ctx.scope.contains(s))
    if outside:
        raise InvalidInput(f"subscription(s) not in pedns's scope ({ctx.scope.describe()}): {', '.join(outside)}")
    return Scope(subscriptions=limit), lambda endpoint_id: endpoint_id.subscription_id.lower() in limit


def _listing(ctx: Context, scope: Scope) -> tuple[dict[ResourceId, PrivateEndpoint], dict[ResourceId, Unreadable]]:
    """The estate's endpoints in `scope` (a hint: eventually consistent), and the rows it could not read."""
    listing: dict[ResourceId, PrivateEndpoint] = {}
    unreadable: dict[ResourceId, Unreadable] = {}
    for item in ctx.estate.endpoints(scope):
        if isinstance(item, Unreadable):
            unreadable[item.endpoint_id] = item
        else:
            listing[item.id] = item
    return listing, unreadable


def _planned(ctx: Context, endpoint_id: ResourceId, listing: dict[ResourceId, PrivateEndpoint],
             unreadable: dict[ResourceId, Unreadable], claims: dict[ResourceId, set[RecordKey]],
             snapshot: Snapshot, *, dry_run: bool) -> EndpointResult | None:
    """The endpoint's result from the listings alone, or None when it drifted (confirm it with ARM)."""
    if endpoint_id in unreadable:
        message = f"the estate listing shows it in a shape pedns cannot use: {unreadable[endpoint_id].message}"
        log.error("%s: %s", endpoint_id, message)
        return EndpointResult(str(endpoint_id), "error", message=message, dry_run=dry_run)
    pe = listing.get(endpoint_id)
    return plan_offline(ctx, pe, claims.get(endpoint_id, set()), snapshot, dry_run=dry_run) if pe else None


class _Finished:
    """Each finished endpoint: its skips logged, and `progress` told (n of total)."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.n, self.total, self.progress = 0, total, progress

    def __call__(self, result: EndpointResult) -> None:
        self.n += 1
        log_skips(result, "reconcile")
        if self.progress:
            self.progress(self.n, self.total, result)


def _touches(ctx: Context, pe: PrivateEndpoint | None, claimed: set[RecordKey]) -> set[RecordKey]:
    """The record names converging an endpoint may write, as far as the listings tell."""
    wanted = {r.key for r in ctx.desire_of(pe).records} if pe is not None else set()
    return wanted | claimed


def _groups(endpoints: list[ResourceId], touches: Callable[[ResourceId], set[RecordKey]]) -> list[list[ResourceId]]:
    """Endpoints that share a record name, transitively, in one group (in the given order), so two
    workers never race on a name; groups run in parallel."""
    parent = list(range(len(endpoints)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[RecordKey, int] = {}
    for i, endpoint_id in enumerate(endpoints):
        for key in touches(endpoint_id):
            if key in owner:
                parent[root(i)] = root(owner[key])
            else:
                owner[key] = i
    grouped: dict[int, list[ResourceId]] = {}
    for i, endpoint_id in enumerate(endpoints):
        grouped.setdefault(root(i), []).append(endpoint_id)
    return list(grouped.values())
