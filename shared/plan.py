"""The pure diff: one record name, its current state, and one endpoint's claim → what to write.

Rules, in order:

1. A name nobody holds is created for the first endpoint that wants it.
2. A record set that is not ours (no stamp, another owner id, auto-registered) is never changed;
   the endpoint's claim is reported `foreign`. Opt-in adoption takes over unstamped records in
   listed zones, keeping what they held (TTL and IPs in the stamp; their metadata stays), and gives
   it back when the last claim leaves; records stamped by another pedns deployment and
   auto-registered ones never.
3. On a shared name exactly one claim is served. By default the holder keeps the record. With
   preferred regions or virtual networks configured, a preferred claim displaces a holder that is
   not preferred. Among the others the order is: preferred first, then oldest claim, then endpoint
   id — deterministic, so every worker picks the same winner.
4. When the holder withdraws, the next claim in that order takes over with its own IPs (the
   caller reads that endpoint and passes its desire in `candidates`); the record is deleted only
   when no claim remains (and never with `upsert_only`, which leaves it as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from . import ownership
from .model import DesiredRecord, RecordKey, RecordSet, ResourceId
from .ownership import Claim

Action = Literal["create", "update", "delete", "none"]
Outcome = Literal["held", "standby", "foreign", "released", "absent"]


@dataclass(frozen=True, slots=True)
class Policy:
    owner_id: str = "pedns"
    ttl: int = 10
    adopt_zones: frozenset[str] = frozenset()
    prefer_regions: frozenset[str] = frozenset()
    prefer_vnet_hashes: frozenset[str] = frozenset()
    upsert_only: bool = False  # never delete a record set (a cautious rollout): the last claim leaves it be

    def preferred(self, claim: Claim) -> bool:
        return claim.location.lower() in self.prefer_regions or (
            bool(claim.vnet_hash) and claim.vnet_hash in self.prefer_vnet_hashes
        )

    def rank(self, claim: Claim) -> tuple[bool, int, str]:
        return (not self.preferred(claim), claim.since, claim.endpoint_id.key)


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one record set, and what it means for the endpoint being converged."""

    key: RecordKey
    action: Action
    outcome: Outcome
    record: RecordSet | None = None  # the state to write (create/update)
    holder: ResourceId | None = None  # who holds the name afterwards
    needs: ResourceId | None = None  # read this claimant's desire and decide again
    adopted: bool = False
    restored: bool = False  # the last claim left an adopted record: it gets back what it held
    dropped: tuple[ResourceId, ...] = field(default=())  # stale claims removed on the way


def claim_for(desire: DesiredRecord, *, now: int, location: str, vnet_hash: str) -> Claim:
    return Claim(desire.endpoint_id, now, location, vnet_hash)


def decide(
    key: RecordKey,
    current: RecordSet | None,
    endpoint_id: ResourceId,
    desire: DesiredRecord | None,
    *,
    policy: Policy,
    now: int,
    location: str = "",
    vnet_hash: str = "",
    candidates: Mapping[ResourceId, DesiredRecord | None] | None = None,
) -> Decision:
    """Decide one name for one endpoint. `desire` None means the endpoint withdraws its claim.

    `candidates` carries what other claimants want now (None: they no longer want this name),
    filled in by the caller when a previous decision asked for it through `needs`.
    """
    candidates = candidates or {}
    state = ownership.ownership(current, policy.owner_id)

    if state == "free":
        if desire is None:
            return Decision(key, "none", "absent")
        claim = claim_for(desire, now=now, location=location, vnet_hash=vnet_hash)
        record = RecordSet(key, desire.ips, policy.ttl, None,
                           ownership.stamp(policy.owner_id, endpoint_id, {endpoint_id: claim}))
        return Decision(key, "create", "held", record, endpoint_id)

    assert current is not None
    if state == "foreign":
        adoptable = (
            desire is not None
            and key.zone in policy.adopt_zones
            and not current.auto_registered
            and not ownership.is_stamped(current)
        )
        note = ownership.adoption_note(current) if adoptable else None
        if note is None:  # not adoptable, or too large to keep for restoring: leave it be
            return Decision(key, "none", "foreign" if desire is not None else "absent")
        assert desire is not None
        claim = claim_for(desire, now=now, location=location, vnet_hash=vnet_hash)
        metadata = ownership.stamp(policy.owner_id, endpoint_id, {endpoint_id: claim},
                                   keep={**current.metadata, ownership.ADOPTED_KEY: note})
        record = RecordSet(key, desire.ips, policy.ttl, current.etag, metadata)
        return Decision(key, "update", "held", record, endpoint_id, adopted=True)

    # Ours: update this endpoint's claim, drop claimants known to be gone, pick the holder.
    all_claims = ownership.claims(current)
    old_holder = ownership.holder(current)
    if desire is not None:
        all_claims[endpoint_id] = all_claims.get(endpoint_id) or claim_for(
            desire, now=now, location=location, vnet_hash=vnet_hash
        )
    else:
        all_claims.pop(endpoint_id, None)
    dropped = tuple(eid for eid, want in candidates.items() if want is None and eid in all_claims)
    for eid in dropped:
        del all_claims[eid]

    if not all_claims:
        outcome: Outcome = "released" if desire is None else "absent"
        before = ownership.adopted(current)
        if before is not None:  # an adopted record goes back to what it was, byte for byte
            ttl, ips = before
            restored = RecordSet(key, ips, ttl, current.etag, ownership.unstamped(current.metadata))
            return Decision(key, "update", outcome, restored, None, dropped=dropped, restored=True)
        return Decision(key, "none" if policy.upsert_only else "delete", outcome, None, None, dropped=dropped)

    new_holder = _choose_holder(old_holder, all_claims, policy)
    if new_holder == endpoint_id:
        assert desire is not None
        ips = desire.ips
    elif new_holder == old_holder and endpoint_id != old_holder:
        ips = current.ips
    elif new_holder in candidates and candidates[new_holder] is not None:
        ips = candidates[new_holder].ips  # type: ignore[union-attr]
    else:
        # Fail-over (or a change of preference) to a claimant whose IPs we do not know yet.
        return Decision(key, "none", "released" if desire is None else "standby", needs=new_holder)

    metadata = ownership.stamp(policy.owner_id, new_holder, all_claims, keep=current.metadata)
    outcome = "released" if desire is None else ("held" if new_holder == endpoint_id else "standby")
    record = RecordSet(key, ips, policy.ttl, current.etag, metadata)
    unchanged = (ips, policy.ttl, metadata) == (current.ips, current.ttl, current.metadata)
    return Decision(key, "none" if unchanged else "update", outcome, record, new_holder, dropped=dropped)


def _choose_holder(old: ResourceId | None, all_claims: dict[ResourceId, Claim], policy: Policy) -> ResourceId:
    best = min(all_claims.values(), key=policy.rank)
    if old is not None and old in all_claims:
        if not policy.preferred(best) or policy.preferred(all_claims[old]):
            return old
    return best.endpoint_id
