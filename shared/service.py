"""read → desire → plan → apply: the one path every door (Event Grid, replay, reconcile, CLI) uses.

Level-triggered: an event only names an endpoint. `converge` reads its current state, works out
what it should hold, and moves each record name one etag-guarded step towards that, so
duplicated and reordered events are harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .core import ownership
from .core.desired import DesirePolicy, desire, not_ready
from .core.results import Change, EndpointResult, RecordState, Status
from .core.snapshot import Snapshot
from .errors import Conflict, InvalidInput, NotFound, NotReady, OutOfScope, PednsError, TransientError
from .parsing.events import ResourceEvent
from .observers.metrics import LogMetrics
from .core.model import (
    RECORD_TYPES,
    Desired,
    DesiredRecord,
    NameState,
    PrivateEndpoint,
    Reason,
    RecordKey,
    RecordSet,
    ResourceId,
    Skip,
    Unreadable,
)
from .core.plan import Decision, Policy, decide
from .core.ports import ClaimIndex, EndpointReader, EstateReader, Metrics, NoIndex, Resolver, ZoneStore
from .usecases.scope import SourceScope

log = logging.getLogger("pedns.service")



class Drift(Exception):
    """Raised inside an offline plan: the listing says this endpoint needs a change (confirm it first)."""


MAX_CONFLICTS = 8
MAX_STALE_RETRIES = 3


_NEEDS_ATTENTION = (Reason.UNMAPPED, Reason.INVALID, Reason.ZONE_MISSING, Reason.NAME_MISMATCH)


def log_skips(result: "EndpointResult", context: str) -> None:
    """Permanent outcomes are not retried, so they are logged where an operator looks: with the
    event id (or the door) and the endpoint. Standby and foreign were logged when decided."""
    for skip in result.skipped:
        if skip.reason in (Reason.STANDBY, Reason.FOREIGN):
            continue
        level = logging.WARNING if skip.reason in _NEEDS_ATTENTION else logging.INFO
        log.log(level, "%s: %s: %s not published: %s%s", context, result.endpoint, skip.fqdn or "(endpoint)",
                skip.reason.value, f" ({skip.detail})" if skip.detail else "")


def _foreign_detail(record: RecordSet, typed: bool) -> str:
    """Why a record set is not pedns's; `typed` names its type (where A alone would mislead)."""
    detail = ownership.foreign_detail(record)
    return f"the {record.type} record set is {detail}" if typed else detail


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    policy: Policy = Policy()
    desire: DesirePolicy = DesirePolicy()
    create_zones: bool = False
    hub_vnet_ids: tuple[str, ...] = ()
    source_subscriptions: frozenset[str] = frozenset()  # when no SourceScope is given to the Service
    tenant_id: str = ""
    not_ready_give_up_seconds: int = 3600
    dry_run: bool = False  # PEDNS_MODE=dry-run: every door only reports what it would do


class Service:
    def __init__(
        self,
        *,
        reader: EndpointReader,
        store: ZoneStore,
        resolver: Resolver,
        index: ClaimIndex | None = None,
        options: ServiceOptions = ServiceOptions(),
        clock: Callable[[], float] = time.time,
        estate: EstateReader | None = None,
        scope: SourceScope | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.reader = reader
        self.store = store
        self.resolver = resolver
        self.index: ClaimIndex = index or NoIndex()
        self.options = options
        self.clock = clock
        # The in-memory reader of shared.testing is an estate reader too.
        self.estate: EstateReader = estate if estate is not None else reader  # type: ignore[assignment]
        self.scope = scope or SourceScope(options.source_subscriptions)
        self.metrics: Metrics = metrics or LogMetrics()

    # -- what an endpoint needs ----------------------------------------------------------------

    def desire_of(self, pe: PrivateEndpoint) -> Desired:
        return desire(pe, self.resolver, self.options.desire)

    def _verified(self, pe: PrivateEndpoint, wanted: Desired) -> Desired:
        """For names no catalogue row binds to the target (Azure Monitor's, a Private Link Service's,
        ...), check them against the names Azure gave the endpoint's network interface. One more
        read, for those endpoints only; none when the interface cannot be read."""
        if not wanted.records or not pe.dns_configs or not pe.network_interface_ids or not pe.connections:
            return wanted
        connection = pe.connections[0]
        group = connection.group_ids[0] if connection.group_ids else ""
        if self.resolver.binding(target_id=connection.target_id, group_id=group) is not None:
            return wanted
        names = self.reader.platform_names(pe)
        return wanted if names is None else desire(pe, self.resolver, self.options.desire, platform_names=names)

    def _vnet_hash(self, desired: Desired) -> str:
        return ownership.short_hash(desired.virtual_network_id, 8) if desired.virtual_network_id else ""

    # -- converge one endpoint -----------------------------------------------------------------

    def converge(
        self,
        endpoint_id: ResourceId,
        *,
        dry_run: bool = False,
        release: bool = False,
        endpoint: PrivateEndpoint | None = None,
        claimed: set[RecordKey] | None = None,
        snapshot: Snapshot | None = None,
        expect_gone: bool = False,
        _depth: int = 0,
    ) -> EndpointResult:
        """Bring the hub records in line with the endpoint as ARM shows it now.

        `release` withdraws every claim whatever ARM says (an operator's manual release).
        `expect_gone` (a delete event): read the endpoint alone first, its zone groups only if it
        turns out to exist after all. Raises NotReady for a half-provisioned endpoint,
        TransientError/PermanentError for ARM.
        """
        dry_run = dry_run or self.options.dry_run
        pe: PrivateEndpoint | None = None
        if not release:
            if endpoint is not None:
                pe = endpoint
            else:
                try:
                    if expect_gone:
                        self.reader.get(endpoint_id, zone_groups=False)  # NotFound, most likely
                    pe = self.reader.get(endpoint_id)
                except NotFound:
                    pe = None
        if pe is not None:
            reason = not_ready(pe)
            if reason:
                raise NotReady(f"{endpoint_id}: {reason}")
            wanted = self._verified(pe, self.desire_of(pe))
        else:
            wanted = Desired(endpoint_id)

        want = {record.key: record for record in wanted.records}
        # What the index holds for this endpoint (None: unknown, e.g. it answered nothing or a
        # reconcile passed `claimed`); writes it already reflects are skipped.
        indexed = self.index.lookup(endpoint_id) if claimed is None else None
        if claimed is not None:
            known = claimed
        elif indexed is not None:
            known = indexed
        else:  # no index: find the claims in one listing of the zones, and decide from it too
            snapshot = snapshot or self.snapshot()
            known = snapshot.claims(self.options.policy.owner_id).get(endpoint_id, set())
        keys = set(want) | known
        if not dry_run and keys and not (indexed is not None and keys <= indexed):
            self.index.store(endpoint_id, keys)  # intent first: the index never misses a claim
            indexed = keys
        # A name the index says this endpoint never claimed is usually free: create it at once with
        # If-None-Match: * instead of reading it first; a 412 sends us to read it and decide again.
        optimistic = frozenset() if dry_run or claimed is not None or snapshot is not None else frozenset(
            set(want) - known)

        status: Status = "converged" if pe is not None else ("released" if release else "gone")
        result = EndpointResult(str(pe.id if pe else endpoint_id), status, dry_run=dry_run,
                                skipped=list(wanted.skipped))
        listed_before_read = snapshot is not None and endpoint is None
        peers: dict[ResourceId, PrivateEndpoint | None] = {}  # claimants read once per convergence
        conflicts = 0
        for key in sorted(keys, key=lambda k: (k.zone, k.name)):
            conflicts += self._converge_key(key, endpoint_id, want.get(key), wanted, result, dry_run, snapshot,
                                            peers=peers, optimistic=key in optimistic)
        result.conflicts = conflicts

        if not dry_run:
            kept = {r.key for r in result.records if r.outcome in ("held", "standby")}
            if kept != indexed:
                self.index.store(endpoint_id, kept)
            if not release and self._may_be_stale(result, conflicts, listed_before_read) \
                    and self._changed(endpoint_id, pe):
                # The endpoint changed (or went) between our read and our writes. Its own event
                # may already have been handled by another worker, which our writes just
                # overwrote with stale state: converge again on what ARM says now.
                if _depth >= MAX_STALE_RETRIES:
                    raise TransientError(f"{endpoint_id} keeps changing while converging")
                log.info("%s changed while converging; converging again", endpoint_id)
                again = self.converge(endpoint_id, claimed=kept | known, _depth=_depth + 1)
                again.changes[:0] = result.changes  # what was written first happened too
                again.conflicts += result.conflicts
                return again
        return result

    def plan(self, pe: PrivateEndpoint, claimed: set[RecordKey], snapshot: Snapshot, *,
             dry_run: bool = False) -> EndpointResult | None:
        """What converging `pe` would report, decided from a listing alone (no I/O), or None when
        it would change something (drift: confirm the endpoint with ARM before writing).

        `pe` comes from an eventually consistent listing, so only "nothing to do" is trusted.
        """
        reason = not_ready(pe)
        if reason:
            return None if claimed else EndpointResult(str(pe.id), "not-ready", message=reason, dry_run=dry_run)
        wanted = self.desire_of(pe)
        want = {record.key: record for record in wanted.records}
        result = EndpointResult(str(pe.id), "converged", dry_run=dry_run, skipped=list(wanted.skipped))
        try:
            for key in sorted(set(want) | claimed, key=lambda k: (k.zone, k.name)):
                self._converge_key(key, pe.id, want.get(key), wanted, result, True, snapshot, offline=True)
        except Drift:
            return None
        return result

    @staticmethod
    def _may_be_stale(result: EndpointResult, conflicts: int, listed_before_read: bool) -> bool:
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
        return not listed_before_read or conflicts > 0 or any(c.action != "update" for c in applied)

    def _changed(self, endpoint_id: ResourceId, seen: PrivateEndpoint | None) -> bool:
        """Whether the endpoint differs from `seen` now. Its zone groups are not re-read: a zone group
        added meanwhile sends its own event (a zone-group write converges its endpoint)."""
        try:
            now = self.reader.get(endpoint_id, zone_groups=False)
        except NotFound:
            return seen is not None
        return seen is None or now != seen.without_zone_groups()

    def _converge_key(
        self,
        key: RecordKey,
        endpoint_id: ResourceId,
        want: DesiredRecord | None,
        wanted: Desired,
        result: EndpointResult,
        dry_run: bool,
        snapshot: Snapshot | None = None,
        *,
        peers: dict[ResourceId, PrivateEndpoint | None] | None = None,
        optimistic: bool = False,
        offline: bool = False,
    ) -> int:
        """Converge one name; returns how many 412s (or failed optimistic creates) it met."""
        candidates: dict[ResourceId, DesiredRecord | None] = {}
        conflicts = 0
        while True:
            try:
                # A snapshot (a listing) saves a GET, and so does assuming a new name is free; a 412
                # sends us to the live record.
                if conflicts == 0 and snapshot is not None:
                    current = snapshot.get(key)
                elif conflicts == 0 and optimistic:
                    current = NameState(key)
                else:
                    current = self.store.get(key)
            except NotFound:
                if want is None:
                    return conflicts
                if self.options.create_zones and not dry_run:
                    log.info("creating private DNS zone %s for %s", key.zone, endpoint_id)
                    self.store.create_zone(key.zone, link_vnet_ids=self.options.hub_vnet_ids)
                    if snapshot is not None:
                        snapshot.zones.add(key.zone)
                    continue
                if self.options.create_zones and offline:
                    raise Drift(key) from None
                self._skip(result, want, Reason.ZONE_MISSING, f"the hub has no private DNS zone {key.zone}")
                return conflicts
            while True:  # a fail-over may need the next claimants' desires: read them, decide again
                decision = decide(
                    key, current, endpoint_id, want, policy=self.options.policy, now=int(self.clock()),
                    location=wanted.location, vnet_hash=self._vnet_hash(wanted), candidates=candidates,
                )
                if decision.needs is None:
                    holder = decision.holder
                    if (decision.outcome != "standby" or offline or holder is None or holder in candidates
                            or not self._gone(holder, key, peers)):
                        break
                    # Never stand by for a holder that is gone (its delete not handled yet, or an
                    # upsert-only delete that kept the record): drop it and decide again.
                    log.info("%s: the holder %s is gone; dropping its claim", key, holder)
                    candidates[holder] = None
                    continue
                if offline:
                    raise Drift(key)  # a fail-over is a change
                if decision.needs in candidates:  # cannot happen with a consistent plan; never loop
                    raise TransientError(f"{key}: no progress choosing a holder")
                candidates[decision.needs] = self._desire_for(decision.needs, key, peers)
            if offline and decision.action != "none":
                raise Drift(key)
            try:
                written = self._apply(decision, current, dry_run, result,
                                      optimistic=optimistic and conflicts == 0 and not dry_run)
            except (Conflict, NotFound) as exc:
                # NotFound: an optimistic create into a zone that does not exist; read to find out.
                if isinstance(exc, NotFound) and not (optimistic and conflicts == 0):
                    raise
                conflicts += 1
                if conflicts >= MAX_CONFLICTS:
                    raise TransientError(f"{key}: still changing after {conflicts} attempts") from None
                if not (optimistic and conflicts == 1):
                    log.info("%s changed while converging %s; re-reading", key, endpoint_id)
                continue
            if snapshot is not None and decision.action != "none" and not dry_run:
                snapshot.put(key, written)
            self._report(decision, endpoint_id, want, result)
            return conflicts

    def _peer(self, other: ResourceId, peers: dict[ResourceId, PrivateEndpoint | None] | None) -> PrivateEndpoint | None:
        """Another claimant as ARM shows it (None: gone), read once per convergence."""
        peers = {} if peers is None else peers
        if other not in peers:
            try:
                peers[other] = self.reader.get(other)
            except NotFound:
                peers[other] = None
        return peers[other]

    def _desire_for(self, other: ResourceId, key: RecordKey,
                    peers: dict[ResourceId, PrivateEndpoint | None] | None = None) -> DesiredRecord | None:
        """What another claimant wants for `key` now (None: gone, withdrawn, or not ready)."""
        pe = self._peer(other, peers)
        if pe is None or not_ready(pe):
            return None
        return next((r for r in self.desire_of(pe).records if r.key == key), None)

    def _gone(self, holder: ResourceId, key: RecordKey, peers: dict[ResourceId, PrivateEndpoint | None] | None) -> bool:
        """Whether a holder no longer exists or no longer wants `key` (one that is still being
        provisioned keeps its name)."""
        pe = self._peer(holder, peers)
        if pe is None:
            return True
        return not not_ready(pe) and not any(r.key == key for r in self.desire_of(pe).records)

    def _apply(self, decision: Decision, current: NameState, dry_run: bool, result: EndpointResult, *,
               optimistic: bool = False) -> NameState:
        """Write the decision, each record set with its own precondition; the name as it is now stored.

        A 412 on one type (after another was written) raises `Conflict`: the caller reads the name
        again and decides anew, and what was already written then needs no write. `optimistic`: the
        name was assumed free without a read; see `_after_optimistic`."""
        progress = [current]  # the name as written so far, for `_after_optimistic` when a write fails
        try:
            state = self._write(decision, dry_run, result, progress)
        except Conflict:
            if optimistic:
                self._after_optimistic(decision.key, progress[0], result)
            raise
        if optimistic:
            self._after_optimistic(decision.key, state, result)
        return state

    def _write(self, decision: Decision, dry_run: bool, result: EndpointResult, progress: list[NameState]) -> NameState:
        state = progress[0]
        for write in decision.writes:
            after = write.record.ips if write.record is not None and write.action != "delete" else ()
            if not dry_run:
                if write.action == "create":
                    assert write.record is not None
                    state = state.with_set(write.type, self.store.create(write.record))
                elif write.action == "update":
                    assert write.record is not None and write.etag
                    state = state.with_set(write.type, self.store.replace(write.record, etag=write.etag))
                else:
                    assert write.etag
                    self.store.delete(decision.key, write.type, etag=write.etag)
                    state = state.with_set(write.type, None)
                progress[0] = state
            result.changes.append(Change(write.action, decision.key, write.before, after, not dry_run, write.type,
                                         decision.handover and write.action != "delete"))
            if decision.adopted and write.action == "update":
                log.warning("adopted %s %s (was %s) for %s", write.type, decision.key,
                            ", ".join(write.before) or "empty", result.endpoint)
        if decision.restored:
            log.warning("restored %s to what it held before pedns adopted it (%s)", decision.key,
                        ", ".join(decision.ips))
        for dropped in decision.dropped:
            log.info("dropped the stale claim of %s on %s", dropped, decision.key)
        return state

    def _after_optimistic(self, key: RecordKey, created: NameState, result: EndpointResult) -> None:
        """After creating a name's record sets without reading it first, make sure no record set of
        another type was there (a create's `If-None-Match: *` guards its own type only). One that is
        not ours makes the name foreign, so what was just created is taken back; one of ours (an
        IPv6-only holder's AAAA, say) means the name was not free after all. Either way raises
        `Conflict`: the caller reads the name and decides again."""
        others = tuple(t for t in RECORD_TYPES if created.of(t) is None)
        beside = self.store.get(key, others) if others else NameState(key)
        if not beside.sets:
            return
        if any(ownership.ownership(s, self.options.policy.owner_id) == "foreign" for s in beside.sets):
            for record in created.sets:
                if record.etag:
                    self.store.delete(key, record.type, etag=record.etag)
                    result.changes.append(Change("delete", key, record.ips, (), True, record.type))
            if created.sets:
                log.warning("%s: a record set not created by pedns is there too; took back the %s just created",
                            key, "/".join(s.type for s in created.sets))
        raise Conflict(f"{key}: not free after all")

    def _report(self, decision: Decision, endpoint_id: ResourceId, want: DesiredRecord | None,
                result: EndpointResult) -> None:
        key = decision.key
        if decision.outcome == "held":
            result.records.append(RecordState(key, want.fqdn if want else key.fqdn, decision.ips, "held",
                                              str(endpoint_id)))
        elif decision.outcome == "standby" and want is not None:
            holder = str(decision.holder)
            result.records.append(RecordState(key, want.fqdn, want.ips, "standby", holder))
            self._skip(result, want, Reason.STANDBY, f"{holder} holds the name")
            level = logging.WARNING if decision.action != "none" and not result.dry_run else logging.DEBUG
            log.log(level, "shared name %s: %s holds it, %s stands by", key, holder, endpoint_id)
        if decision.foreign and want is not None:
            # Foreign outright, or beside the record sets this endpoint's claim is already on.
            typed = len(decision.foreign) > 1 or decision.outcome != "foreign" or want.types != ("A",)
            detail = "; ".join(_foreign_detail(s, typed) for s in decision.foreign)
            self._skip(result, want, Reason.FOREIGN, detail)
            log.log(logging.DEBUG if result.dry_run else logging.WARNING,
                    "%s wants %s but %s: left untouched", endpoint_id, key, detail)

    @staticmethod
    def _skip(result: EndpointResult, want: DesiredRecord, reason: Reason, detail: str) -> None:
        result.skipped.append(Skip(want.fqdn, reason, detail, want.key))

    # -- the hub as one listing ----------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """List every A and AAAA record set of every hub zone (their claims are the claim index's truth)."""
        zones = self.store.list_zones()
        sets: dict[RecordKey, list[RecordSet]] = {}
        for zone in zones:
            for record in self.store.list(zone):
                sets.setdefault(record.key, []).append(record)
        return Snapshot(set(zones), {key: NameState(key, tuple(found)) for key, found in sets.items()})

    # -- doors ---------------------------------------------------------------------------------

    def source_refusal(self, subscription_id: str, tenant_id: str = "") -> tuple[str, str] | None:
        """(kind, why) when an endpoint of that subscription / tenant is not pedns's to serve: kind
        "scope" or "tenant"; None when it is. Asks, changes and counts nothing."""
        if not self.scope.contains(subscription_id):
            return "scope", (f"subscription {subscription_id} is not in scope "
                             f"(PEDNS_SOURCE_SUBSCRIPTIONS / PEDNS_SOURCE_MANAGEMENT_GROUPS)")
        if self.options.tenant_id and tenant_id and tenant_id.lower() != self.options.tenant_id.lower():
            return "tenant", f"tenant {tenant_id} is not PEDNS_TENANT_ID"
        return None

    def check_source(self, subscription_id: str, tenant_id: str = "", *, what: str) -> None:
        """Refuse endpoints outside the configured scope or tenant. A refusal for scope is a warning
        naming the subscription and a count of `events_refused_scope`: a spoke wired to send events
        that the hub does not accept must not go unnoticed."""
        refusal = self.source_refusal(subscription_id, tenant_id)
        if refusal is None:
            return
        kind, why = refusal
        if kind == "scope":
            log.warning("%s refused: subscription %s is not in pedns's scope (%s): add it to "
                        "PEDNS_SOURCE_SUBSCRIPTIONS or place it under one of PEDNS_SOURCE_MANAGEMENT_GROUPS",
                        what, subscription_id, self.scope.describe())
            self.metrics.count("events_refused_scope", subscription=subscription_id.lower())
            raise OutOfScope(f"{what}: {why}")
        raise InvalidInput(f"{what}: {why}")

    def handle_event(self, event: ResourceEvent, *, dry_run: bool = False) -> list[EndpointResult]:
        """One parsed `ResourceEvent` → the endpoints it converged (none for events that are not ours)."""
        if event.action is None:
            log.debug("event %s ignored: %s", event.id, event.ignore_reason)
            return []
        self.check_source(event.subscription_id or event.resource_id.subscription_id, event.tenant_id,
                          what=f"event {event.id}")
        if event.action == "target":
            results = self.converge_target(event.resource_id, dry_run=dry_run)
        else:
            try:
                results = [self.converge(event.resource_id, dry_run=dry_run, expect_gone=event.action == "delete")]
            except NotReady as exc:
                age = self.clock() - event.time.timestamp() if event.time else 0.0
                if age > self.options.not_ready_give_up_seconds:
                    log.warning("event %s: %s; giving up after %.0f s, the scheduled reconcile will pick it up",
                                event.id, exc, age)
                    return [EndpointResult(str(event.resource_id), "not-ready", message=str(exc), dry_run=dry_run)]
                raise
        for result in results:
            log_skips(result, f"event {event.id}")
        return results

    def converge_target(self, target_id: ResourceId, *, dry_run: bool = False) -> list[EndpointResult]:
        """A connection was approved, rejected or removed on `target_id`: converge the endpoints in
        scope that point at it. The estate reader finds them (one query); each is then read from
        ARM before anything is written, since the listing may lag. One endpoint's failure does not
        stop the others; the first failure is raised at the end, so Event Grid delivers again."""
        found: dict[ResourceId, None] = {}
        for item in self.estate.endpoints_pointing_at(target_id, self.scope.query):
            found.setdefault(item.endpoint_id if isinstance(item, Unreadable) else item.id, None)
        results: list[EndpointResult] = []
        failure: PednsError | None = None
        # Without an index that can answer, one listing of the zones serves them all (asked once).
        first = next(iter(found), None)
        snapshot = self.snapshot() if len(found) > 1 and first and self.index.lookup(first) is None else None
        for endpoint_id in found:
            try:
                results.append(self.converge(endpoint_id, dry_run=dry_run, snapshot=snapshot))
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

    def replay(self, endpoint_ids: Iterable[ResourceId], *, dry_run: bool = False, release: bool = False,
               progress: Callable[[EndpointResult], None] | None = None) -> list[EndpointResult]:
        """Converge (or `release`) the named endpoints, each on its own; `progress` hears of each result."""
        ids = list(endpoint_ids)
        for endpoint_id in ids:  # refuse the whole request before changing anything
            self.check_source(endpoint_id.subscription_id, what=str(endpoint_id))
        results = []
        for endpoint_id in ids:
            results.append(self.converge_safely(endpoint_id, dry_run=dry_run, release=release))
            log_skips(results[-1], "replay")
            if progress is not None:
                progress(results[-1])
        return results

    def converge_safely(self, endpoint_id: ResourceId, **kwargs: Any) -> EndpointResult:
        """`converge`, with a failure reported as this endpoint's result instead of raised."""
        try:
            return self.converge(endpoint_id, **kwargs)
        except NotReady as exc:
            return EndpointResult(str(endpoint_id), "not-ready", message=str(exc),
                                  dry_run=kwargs.get("dry_run", False) or self.options.dry_run)
        except PednsError as exc:
            log.error("%s: %s", endpoint_id, exc)
            return EndpointResult(str(endpoint_id), "error", message=str(exc),
                                  dry_run=kwargs.get("dry_run", False) or self.options.dry_run)
