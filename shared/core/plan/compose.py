"""`decide`: one name, its current record sets and one endpoint's claim → what to write. The rules
(`rules.py`, `holders.py`) applied in order, then the policy's filter (`policy.py`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..model import DesiredRecord, NameState, RecordKey, ResourceId
from ..ownership import Claim
from ..pins import merged_pin
from .claims import claim_for, merged_claims, updated_claims
from .decision import Decision
from .holders import holder_ips, holder_of, served_by
from .managed import managed_sets
from .pins import Repin, pin_after, pinned_holder
from .policy import Policy, apply_policy
from .rules import await_holder, foreign_name, free_name, release, serve


def decide(
    key: RecordKey,
    current: NameState,
    endpoint_id: ResourceId,
    desire: DesiredRecord | None,
    *,
    policy: Policy,
    now: int,
    location: str = "",
    vnet_hash: str = "",
    candidates: Mapping[ResourceId, DesiredRecord | None] | None = None,
    repin: Repin | None = None,
) -> Decision:
    """Decide one name for one endpoint. `desire` None means the endpoint withdraws its claim.

    `candidates` carries what other claimants want now (None: they no longer want this name),
    filled in by the caller when a previous decision asked for it through `needs`. `repin`: an
    operator's switch or clear of the name's pin (`pins.py`); without it the name keeps its pin.
    """
    claim = claim_for(desire, now=now, location=location, vnet_hash=vnet_hash) if desire is not None else None
    return apply_policy(_rules(key, current, endpoint_id, desire, claim, policy, candidates or {}, repin), policy)


def _rules(key: RecordKey, current: NameState, endpoint_id: ResourceId, desire: DesiredRecord | None,
           claim: Claim | None, policy: Policy, candidates: Mapping[ResourceId, DesiredRecord | None],
           repin: Repin | None) -> Decision:
    if not current.sets:
        return free_name(key, endpoint_id, desire, claim, policy)
    sets = managed_sets(key, current, desire, policy)
    claims = merged_claims(sets.ours)
    foreign = foreign_name(key, endpoint_id, desire, sets, claims)
    if foreign is not None:
        return foreign
    old_holder = holder_of(sets.ours, claims, policy)
    served = served_by(sets.managed, old_holder)
    claims, dropped = updated_claims(claims, endpoint_id, claim, candidates)
    if not claims:
        return release(key, desire, sets, dropped)
    pin = pin_after(merged_pin(sets.ours), repin)
    holder = pinned_holder(old_holder, claims, policy, pin, rerank=repin is not None and repin.pin is None)
    ips = holder_ips(holder, old_holder, endpoint_id, desire, served, candidates)
    if ips is None:
        return await_holder(key, desire, holder, sets)
    return serve(key, endpoint_id, desire, sets, claims, holder, ips, old_holder=old_holder, dropped=dropped,
                 policy=policy, pin=pin)
