"""The switch plan: which of a deployment's names a `pedns switch` moves, which only get the pin,
and which have no claimant in the region (the DR gaps); and how long Private DNS's write rate makes
it take. Pure: the hub's record sets (one listing) in, the plan out.

The plan is read from the claims in the record sets' metadata. Whether the claimant it names is
still there and still wants the name is ARM's to say: the use case (`shared/usecases/switch.py`)
reads it before writing, in a dry run too, and a claimant found gone leaves the name a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from .. import ownership
from ..model import NameState, RecordKey, RecordSet, ResourceId
from ..ownership import Claim
from ..pins import Pin, merged_pin, normal_region, pin_of
from .claims import merged_claims
from .holders import choose_holder, holder_of
from .pins import in_region, pinned_holder
from .policy import Policy

#: Private DNS's record set writes a minute per zone (create, update and delete each; azure-docs
#: `includes/azure-dns-limits.md`), which the pipeline paces to (`shared/adapters/_dns_limits.py`).
WRITES_PER_MINUTE = 60

Kind = Literal["move", "stay", "gap"]


@dataclass(frozen=True, slots=True)
class SwitchItem:
    """One name of the plan. `move`: another claimant takes it (`target`); `stay`: its holder keeps
    it (the pin is written, or already there: `writes` 0); `gap`: no claimant in the region."""

    key: RecordKey
    kind: Kind
    holder: ResourceId | None  # who holds it now
    target: ResourceId | None  # who holds it afterwards (first choice; ARM confirms it)
    claims: tuple[Claim, ...]  # every claimant, oldest first (a gap lists them with their regions)
    pin: Pin | None  # the pin it carries now
    writes: int  # record set writes it needs (one per type pedns owns there)
    sets: int = 1  # record sets pedns owns at the name (what a hand-over writes)


def _ours(state: NameState, owner_id: str) -> tuple[RecordSet, ...]:
    return tuple(s for s in state.sets if ownership.ownership(s, owner_id) == "ours")


def _named(states: Iterable[NameState], owner_id: str, zone: str | None,
           name: str | None) -> Iterable[tuple[NameState, tuple[RecordSet, ...], dict[ResourceId, Claim]]]:
    """This deployment's names (never another owner's), in the zone or with the name asked for."""
    for state in sorted(states, key=lambda s: (s.key.zone, s.key.name)):
        if (zone is not None and state.key.zone != zone) or (name is not None and state.key.name != name):
            continue
        ours = _ours(state, owner_id)
        claims = merged_claims(ours)
        if ours and claims:
            yield state, ours, claims


def _oldest_first(claims: Mapping[ResourceId, Claim]) -> tuple[Claim, ...]:
    return tuple(sorted(claims.values(), key=lambda c: (c.since, c.endpoint_id.key)))


def switch_plan(states: Iterable[NameState], region: str, *, policy: Policy, zone: str | None = None,
                name: str | None = None) -> list[SwitchItem]:
    """`pedns switch --to-region REGION`: every name of ours, as a move, a stay or a gap."""
    region = normal_region(region)
    items = []
    for state, ours, claims in _named(states, policy.owner_id, zone, name):
        holder = holder_of(ours, claims, policy)
        pin = merged_pin(ours)
        if not in_region(claims, region):
            items.append(SwitchItem(state.key, "gap", holder, None, _oldest_first(claims), pin, 0, len(ours)))
            continue
        target = pinned_holder(holder, claims, policy, Pin(region, 0))
        kind: Kind = "stay" if target == holder else "move"
        unchanged = kind == "stay" and all((p := pin_of(s)) is not None and p.region == region for s in ours)
        items.append(SwitchItem(state.key, kind, holder, target, _oldest_first(claims), pin,
                                0 if unchanged else len(ours), len(ours)))
    return items


def clear_plan(states: Iterable[NameState], *, policy: Policy, zone: str | None = None,
               name: str | None = None) -> list[SwitchItem]:
    """`pedns switch --clear`: every pinned name of ours, ranked afresh (preferred regions, then the
    oldest claim): a move where that order names another holder, a stay where it keeps the holder."""
    items = []
    for state, ours, claims in _named(states, policy.owner_id, zone, name):
        pin = merged_pin(ours)
        if pin is None:
            continue
        holder = holder_of(ours, claims, policy)
        target = choose_holder(None, claims, policy)
        items.append(SwitchItem(state.key, "stay" if target == holder else "move", holder, target,
                                _oldest_first(claims), pin, len(ours), len(ours)))
    return items


def writes_by_zone(items: Iterable[SwitchItem]) -> dict[str, int]:
    """Record set writes the plan needs, by zone (Private DNS limits them per zone)."""
    zones: dict[str, int] = {}
    for item in items:
        if item.writes:
            zones[item.key.zone] = zones.get(item.key.zone, 0) + item.writes
    return zones


def estimate_seconds(items: Iterable[SwitchItem], per_minute: int = WRITES_PER_MINUTE) -> int:
    """How long the writes take at Private DNS's rate, zones side by side (the use case takes the
    names in turn across zones): the busiest zone's writes at `per_minute`."""
    busiest = max(writes_by_zone(items).values(), default=0)
    return -(-busiest * 60 // per_minute)


def in_turn(items: Iterable[SwitchItem]) -> list[SwitchItem]:
    """The items to write, one zone after another in turn (zone A's first, zone B's first, …), so
    that each zone's writes are paced while the others' go on."""
    by_zone: dict[str, list[SwitchItem]] = {}
    for item in items:
        by_zone.setdefault(item.key.zone, []).append(item)
    queues = [by_zone[z] for z in sorted(by_zone)]
    ordered: list[SwitchItem] = []
    for i in range(max((len(q) for q in queues), default=0)):
        ordered.extend(q[i] for q in queues if i < len(q))
    return ordered


def pins_in_force(states: Iterable[NameState], owner_id: str) -> tuple[int, int]:
    """(pins in force, dormant pins) among a deployment's names: in force while a claimant in the
    pin's region claims the name."""
    live = dormant = 0
    for state in states:
        ours = _ours(state, owner_id)
        pin = merged_pin(ours)
        if pin is None:
            continue
        if in_region(merged_claims(ours), pin.region):
            live += 1
        else:
            dormant += 1
    return live, dormant
