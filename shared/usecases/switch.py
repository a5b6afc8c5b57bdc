"""`pedns switch`: move this deployment's shared names to their claimants in one region and pin
them there (`--to-region`), or take the pins away and let the normal order decide again (`--clear`).

1. **Plan** from one listing of the hub (`shared/core/plan/switch.py`, pure): each name of ours is
   a move, a stay (its holder is already in the region) or a gap (no claimant there). Names another
   deployment owns (`PEDNS_OWNER_ID`) are not in the plan at all.
2. **Confirm** each target with ARM, in a dry run too: the claimant the plan names must still exist
   and still want the name (`Claimants`, each endpoint read once); one that does not is passed over
   for the next claimant in the region, and a name left with none is a gap.
3. **Announce** the plan and how long Private DNS's write rate (60 a minute per zone) makes it take,
   before the first write.
4. **Write** each name as its target's own convergence would, with the pin change (`Repin`) in the
   decision: the same rules, the same etag guard and 412 loop (`name.converge_name`), the same pacing
   (the zone store's pipeline), the same upsert-only filter. Names are taken in turn across zones so
   that one zone's pacing does not hold up the others. One name's failure is that name's; the rest go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..core.model import Desired, DesiredRecord, RecordKey, ResourceId
from ..core.ownership import Claim
from ..core.pins import Pin, normal_region
from ..core.plan import Repin
from ..core.plan.holders import choose_holder
from ..core.plan.pins import in_region, pinned_holder
from ..core.plan.switch import (
    SwitchItem,
    clear_plan,
    estimate_seconds,
    in_turn,
    pins_in_force,
    switch_plan,
    writes_by_zone,
)
from ..core.results import EndpointResult, SwitchedName, SwitchReport, SwitchState
from ..core.snapshot import Snapshot
from ..errors import InvalidInput, NotFound, PednsError
from .claimants import Claimants
from .context import Context
from .converge import confirm
from .name import Run, converge_name
from .writes import Writer

log = logging.getLogger("pedns.switch")

#: Told the plan (every name, the gaps, the estimate) before the first write.
Announce = Callable[[SwitchReport], None]
#: Told each name once it is written: (n, total, what happened to it).
Progress = Callable[[int, int, SwitchedName], None]


@dataclass(frozen=True, slots=True)
class _Confirmed:
    item: SwitchItem
    desire: DesiredRecord | None  # the target's want for the name (None: a gap)
    detail: str = ""


def switch(ctx: Context, *, region: str | None, zone: str | None = None, name: str | None = None,
           dry_run: bool = False, announce: Announce | None = None, progress: Progress | None = None) -> SwitchReport:
    """Switch the names to `region` (None: clear their pins), or only say what would happen (`dry_run`)."""
    dry_run = dry_run or ctx.options.dry_run
    snapshot = ctx.snapshot()
    if zone is not None and zone not in snapshot.zones:
        raise InvalidInput(f"--zone {zone}: not a private DNS zone of the hub")
    policy = ctx.options.policy
    states = list(snapshot.records.values())
    if region is None:
        items, repin = clear_plan(states, policy=policy, zone=zone, name=name), Repin(None)
    else:
        region = normal_region(region)
        items, repin = switch_plan(states, region, policy=policy, zone=zone, name=name), Repin(Pin(region, int(ctx.clock())))
    claimants = Claimants(ctx.reader, ctx.desire_of)
    confirmed = [_confirm(item, claimants, region, ctx) for item in items]
    report = SwitchReport("clear" if region is None else "switch", region or "", dry_run)
    report.names = [_planned(c, snapshot, region) for c in confirmed]
    report.writes = writes_by_zone(c.item for c in confirmed if c.desire is not None)
    report.estimate_seconds = estimate_seconds(c.item for c in confirmed if c.desire is not None)
    if announce is not None:
        announce(report)
    if not dry_run:
        _write(ctx, report, confirmed, snapshot, claimants, repin, progress)
    report.pins_in_force = pins_in_force(snapshot.records.values(), policy.owner_id)[0]
    return report


def _confirm(item: SwitchItem, claimants: Claimants, region: str | None, ctx: Context) -> _Confirmed:
    """The item with a target ARM confirms (it exists and wants the name), passing over those that do
    not; a gap when none is left (in the region, for a switch)."""
    if item.kind == "gap":
        return _Confirmed(item, None)
    claims = {c.endpoint_id: c for c in item.claims}
    passed: list[str] = []
    target = item.target
    while target is not None:
        desire = claimants.desire_for(target, item.key)
        if desire is not None:
            if target != item.target:  # passed over the first choice: a hand-over writes every set
                item = replace(item, target=target, kind="stay" if target == item.holder else "move",
                               writes=item.sets)
            return _Confirmed(item, desire, _passed(passed))
        passed.append(str(target))
        del claims[target]
        target = _next(item, claims, region, ctx)
    where = f" in {region}" if region else ""
    return _Confirmed(replace(item, kind="gap", target=None), None,
                      f"no claimant{where} is there and wants the name any more ({', '.join(passed)})")


def _next(item: SwitchItem, claims: dict[ResourceId, Claim], region: str | None, ctx: Context) -> ResourceId | None:
    policy = ctx.options.policy
    if region is None:
        return choose_holder(None, claims, policy) if claims else None
    if not in_region(claims, region):
        return None
    return pinned_holder(item.holder if item.holder in claims else None, claims, policy, Pin(region, 0))


def _passed(passed: list[str]) -> str:
    return f"passed over (gone, or no longer wanting the name): {', '.join(passed)}" if passed else ""


def _planned(c: _Confirmed, snapshot: Snapshot, region: str | None) -> SwitchedName:
    """What the plan says of a name, before anything is written (a dry run's answer)."""
    item = c.item
    before = snapshot.get(item.key).ips
    holder = str(item.holder or "")
    if c.desire is None:
        claimants = tuple((str(cl.endpoint_id), cl.location) for cl in item.claims)
        return SwitchedName(item.key, "gap", holder, "", before, (), claimants, c.detail)
    state: SwitchState
    if item.kind == "move":
        state = "moved"
    elif region is None:
        state = "unpinned"
    else:
        state = "pinned" if item.writes else "unchanged"
    after = c.desire.ips if item.kind == "move" else before
    return SwitchedName(item.key, state, holder, str(item.target), before, after, (), c.detail)


def _write(ctx: Context, report: SwitchReport, confirmed: list[_Confirmed], snapshot: Snapshot,
           claimants: Claimants, repin: Repin, progress: Progress | None) -> None:
    """Write each name that needs it, as its target's convergence with the pin change."""
    runs: dict[ResourceId, Run] = {}
    keys: dict[ResourceId, list[RecordKey]] = {}
    planned = {n.key: n for n in report.names}
    todo = [c for c in confirmed if c.desire is not None and c.item.writes]
    for n, item in enumerate(in_turn(c.item for c in todo), start=1):
        assert item.target is not None
        run = runs.get(item.target) or _run(ctx, item.target, snapshot, claimants, repin)
        runs[item.target] = run
        keys.setdefault(item.target, []).append(item.key)
        planned[item.key] = _one(ctx, run, item.key, planned[item.key])
        if progress is not None:
            progress(n, len(todo), planned[item.key])
    for target, run in runs.items():
        _recheck(ctx, target, run, keys[target], claimants, planned)
    report.names = [planned[n.key] for n in report.names]
    report.results = [r.result for r in runs.values() if r.result.changes]


def _recheck(ctx: Context, target: ResourceId, run: Run, keys: list[RecordKey], claimants: Claimants,
             planned: dict[RecordKey, SwitchedName]) -> None:
    """Never leave a name to a target that changed after it was read: as a convergence does
    (`converge._may_be_stale`), when a write met a 412 (another writer, perhaps the target's own
    delete event, got there first) or was not an update, read the target again; if it changed or is
    gone, converge it as its event would (its claims withdrawn when it is gone: the name fails over,
    the pin stays dormant)."""
    applied = [c for c in run.result.changes if c.applied]
    if not applied or (run.result.conflicts == 0 and all(c.action == "update" for c in applied)):
        return
    seen = claimants.endpoint(target)
    try:
        now = ctx.reader.get(target, zone_groups=False)
    except NotFound:
        now = None
    if (now is None) == (seen is None) and (now is None or seen is None or now == seen.without_zone_groups()):
        return
    log.info("switch: %s changed while switching; converging it again", target)
    assert run.snapshot is not None  # the switch's listing, with its own writes
    again = confirm(ctx, target, claimed=set(keys), snapshot=run.snapshot, listed=now is not None)
    run.result.changes.extend(again.changes)
    for key in keys:
        holder = next((r.holder for r in again.records if r.key == key and r.outcome == "held"), None)
        if holder is None:
            planned[key] = replace(planned[key], state="failed",
                                   detail=f"{target} changed while switching (gone, or no longer wanting the "
                                          f"name): converged again, the name follows the normal order")


def _run(ctx: Context, target: ResourceId, snapshot: Snapshot, claimants: Claimants, repin: Repin) -> Run:
    """The target's convergence, from what ARM showed when it was confirmed (its location and network
    are those a claim records, should the name have lost its claim meanwhile)."""
    result = EndpointResult(str(target), "converged")
    writer = Writer(ctx.store, ctx.options.policy.owner_id, result, dry_run=False)
    pe = claimants.endpoint(target)
    wanted = ctx.desire_of(pe) if pe is not None else Desired(target)
    return Run(target, wanted, result, writer, claimants, False, snapshot, repin=repin)


def _one(ctx: Context, run: Run, key: RecordKey, planned: SwitchedName) -> SwitchedName:
    """Write one name; what happened to it."""
    changes = len(run.result.changes)
    try:
        run.result.conflicts += converge_name(ctx, run, key)
    except PednsError as exc:
        log.error("switch: %s: %s", key, exc)
        return replace(planned, state="failed", detail=str(exc))
    written = [c for c in run.result.changes[changes:] if c.key == key]
    held = next((r for r in run.result.records if r.key == key and r.outcome == "held"), None)
    if held is None:  # another claimant holds it after all (the name changed since the listing)
        holder = next((r.holder for r in run.result.records if r.key == key), "")
        return replace(planned, state="failed", detail=f"{holder or 'another claimant'} holds it now; run the "
                                                       f"switch again")
    state: SwitchState
    if any(c.failover for c in written):
        state = "moved"
    elif written:
        state = "unpinned" if run.repin is not None and run.repin.pin is None else "pinned"
    else:
        state = "unchanged"
    return replace(planned, state=state, after=held.ips)
