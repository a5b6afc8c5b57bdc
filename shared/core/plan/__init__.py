"""The pure diff: one record name, its current state, and one endpoint's claim → what to write.

A name is decided as a whole: its A and AAAA record sets carry the same stamp (one holder, one set
of claims), are created, updated, failed over and deleted together, each write guarded by its own
etag. The holder's IPv4 addresses go in the A set and its IPv6 ones in the AAAA set; a type the
holder has no address of is withdrawn (the other stays).

Rules, in order:

1. A name nobody holds (no A, no AAAA) is created for the first endpoint that wants it.
2. A record set that is not ours (no stamp, another owner id, auto-registered) is never changed.
   A name with such a set, of either type, is foreign: pedns adds no claim there and writes no
   type beside it, whichever type the endpoint wanted; it only keeps up (and withdraws) the claims
   already on record sets it owns there. Opt-in adoption takes over unstamped records in listed
   zones (only types the endpoint wants), keeping what they held (TTL and IPs in the stamp; their
   metadata stays), and gives it back when the last claim leaves; records stamped by another pedns
   deployment and auto-registered ones never.
3. On a shared name exactly one claim is served. By default the holder keeps the record. With
   preferred regions or virtual networks configured, a preferred claim displaces a holder that is
   not preferred. Among the others the order is: preferred first, then oldest claim, then endpoint
   id — deterministic, so every worker picks the same winner.
4. When the holder withdraws, the next claim in that order takes over with its own IPs (the
   caller reads that endpoint and passes its desire in `candidates`); the record sets are deleted
   only when no claim remains (and never with `upsert_only`, which leaves them as they are).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .. import ownership
from ..model import RECORD_TYPES, DesiredRecord, NameState, RecordKey, RecordSet, RecordType, ResourceId, of_type
from ..ownership import Claim

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
class Write:
    """One record set write: create (`If-None-Match: *`), or update / delete guarded by `etag`."""

    type: RecordType
    action: Literal["create", "update", "delete"]
    record: RecordSet | None  # what to write (create/update)
    etag: str | None  # the current set's etag (update/delete)
    before: tuple[str, ...] = ()  # the IPs it held


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one name, and what it means for the endpoint being converged."""

    key: RecordKey
    outcome: Outcome
    writes: tuple[Write, ...] = ()
    ips: tuple[str, ...] = ()  # what the name serves afterwards (A then AAAA), of the types pedns writes
    holder: ResourceId | None = None  # who holds the name afterwards
    needs: ResourceId | None = None  # read this claimant's desire and decide again
    adopted: bool = False
    restored: bool = False  # the last claim left an adopted record: it gets back what it held
    dropped: tuple[ResourceId, ...] = field(default=())  # stale claims removed on the way
    foreign: tuple[RecordSet, ...] = ()  # record sets at the name that are not ours: left untouched
    handover: bool = False  # the name goes from its holder to another claimant (a fail-over)

    def written(self, rtype: RecordType = "A") -> RecordSet | None:
        """The record set of that type this decision writes (created or updated), if any."""
        return next((w.record for w in self.writes if w.type == rtype and w.action != "delete"), None)

    @property
    def action(self) -> Action:
        """"none" without writes; the writes' action when they agree, else "update"."""
        actions = {w.action for w in self.writes}
        return "none" if not actions else actions.pop() if len(actions) == 1 else "update"


def claim_for(desire: DesiredRecord, *, now: int, location: str, vnet_hash: str) -> Claim:
    return Claim(desire.endpoint_id, now, location, vnet_hash)


def merged_claims(sets: tuple[RecordSet, ...] | list[RecordSet]) -> dict[ResourceId, Claim]:
    """The claims on a name: those of its record sets together (the oldest of each endpoint's). They
    are the same on both types unless a write between them was interrupted; the next write evens them."""
    merged: dict[ResourceId, Claim] = {}
    for record in sets:
        for endpoint_id, claim in ownership.claims(record).items():
            if endpoint_id not in merged or claim.since < merged[endpoint_id].since:
                merged[endpoint_id] = claim
    return merged


def _holder_of(sets: list[RecordSet], all_claims: dict[ResourceId, Claim], policy: Policy) -> ResourceId | None:
    holders = list(dict.fromkeys(h for h in (ownership.holder(s) for s in sets) if h is not None))
    if len(holders) <= 1:
        return holders[0] if holders else None
    # Sets that disagree (an interrupted write): the holder a fail-over would pick among them.
    claimed = [all_claims[h] for h in holders if h in all_claims]
    return min(claimed, key=policy.rank).endpoint_id if claimed else holders[0]


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
) -> Decision:
    """Decide one name for one endpoint. `desire` None means the endpoint withdraws its claim.

    `candidates` carries what other claimants want now (None: they no longer want this name),
    filled in by the caller when a previous decision asked for it through `needs`.
    """
    candidates = candidates or {}
    owner = policy.owner_id

    if not current.sets:
        if desire is None:
            return Decision(key, "absent")
        claim = claim_for(desire, now=now, location=location, vnet_hash=vnet_hash)
        metadata = ownership.stamp(owner, endpoint_id, {endpoint_id: claim})
        writes = tuple(Write(t, "create", RecordSet(key, desire.ips_of(t), policy.ttl, None, metadata, type=t), None)
                       for t in desire.types)
        return Decision(key, "held", writes, desire.ips, endpoint_id)

    ours = [s for s in current.sets if ownership.ownership(s, owner) == "ours"]
    foreign = [s for s in current.sets if ownership.ownership(s, owner) == "foreign"]
    all_claims = merged_claims(ours)
    adopting = bool(foreign) and desire is not None and key.zone in policy.adopt_zones and all(
        not s.auto_registered and not ownership.is_stamped(s) and ownership.adoption_note(s) is not None
        and s.type in desire.types for s in foreign)
    if foreign and not adopting:
        if not ours or (desire is not None and endpoint_id not in all_claims):
            # Not ours to serve: no claim is added beside a record set someone else owns.
            return Decision(key, "foreign" if desire is not None else "absent", foreign=tuple(foreign))
        # Keep up the claims already on our own sets (and let them go), never touching the others.
    managed: dict[RecordType, RecordSet] = {s.type: s for s in ours}
    keep: dict[RecordType, dict[str, str]] = {s.type: s.metadata for s in ours}
    if adopting:
        for s in foreign:
            managed[s.type] = s
            keep[s.type] = {**s.metadata, ownership.ADOPTED_KEY: ownership.adoption_note(s) or ""}
    blocked = frozenset() if adopting else frozenset(s.type for s in foreign)
    left_alone = () if adopting else tuple(foreign)

    # Update this endpoint's claim, drop claimants known to be gone, pick the holder.
    old_holder = _holder_of(ours, all_claims, policy)
    # What the name serves for its holder (a set another holder's write left behind does not count).
    served = tuple(ip for t in RECORD_TYPES if t in managed and ownership.holder(managed[t]) == old_holder
                   for ip in managed[t].ips)
    if desire is not None:
        all_claims[endpoint_id] = all_claims.get(endpoint_id) or claim_for(
            desire, now=now, location=location, vnet_hash=vnet_hash)
    else:
        all_claims.pop(endpoint_id, None)
    dropped = tuple(eid for eid, want in candidates.items() if want is None and eid in all_claims)
    for eid in dropped:
        del all_claims[eid]

    if not all_claims:
        outcome: Outcome = "released" if desire is None else "absent"
        writes: list[Write] = []
        restored_ips: list[str] = []
        for t, s in managed.items():
            before = ownership.adopted(s)
            if before is not None:  # an adopted record goes back to what it was, byte for byte
                ttl, ips = before
                writes.append(Write(t, "update", RecordSet(key, ips, ttl, s.etag, ownership.unstamped(s.metadata),
                                                           type=t), s.etag, s.ips))
                restored_ips.extend(ips)
            elif not policy.upsert_only:
                writes.append(Write(t, "delete", None, s.etag, s.ips))
        return Decision(key, outcome, tuple(writes), tuple(restored_ips), None, dropped=dropped,
                        restored=bool(restored_ips), foreign=left_alone)

    new_holder = _choose_holder(old_holder, all_claims, policy)
    if new_holder == endpoint_id:
        assert desire is not None
        ips = desire.ips
    elif new_holder == old_holder and endpoint_id != old_holder:
        ips = served
    elif new_holder in candidates and candidates[new_holder] is not None:
        ips = candidates[new_holder].ips  # type: ignore[union-attr]
    else:
        # Fail-over (or a change of preference) to a claimant whose IPs we do not know yet.
        return Decision(key, "released" if desire is None else "standby", needs=new_holder, foreign=left_alone)

    writes = []
    for t in RECORD_TYPES:
        if t in blocked:
            continue
        cur = managed.get(t)
        wanted = of_type(ips, t)
        if not wanted:  # the holder has no address of this type: the set goes (or back to its owner)
            if cur is None or (adopting and cur in foreign):
                continue  # (a set this decision would adopt but not serve is left as it is)
            before = ownership.adopted(cur)
            if before is not None:
                writes.append(Write(t, "update", RecordSet(key, before[1], before[0], cur.etag,
                                                           ownership.unstamped(cur.metadata), type=t), cur.etag, cur.ips))
            elif not policy.upsert_only:
                writes.append(Write(t, "delete", None, cur.etag, cur.ips))
            continue
        metadata = ownership.stamp(owner, new_holder, all_claims, keep=keep.get(t))
        record = RecordSet(key, wanted, policy.ttl, cur.etag if cur else None, metadata, type=t)
        if cur is None:
            writes.append(Write(t, "create", record, None))
        elif (wanted, policy.ttl, metadata) != (cur.ips, cur.ttl, cur.metadata):
            writes.append(Write(t, "update", record, cur.etag, cur.ips))
    outcome = "released" if desire is None else ("held" if new_holder == endpoint_id else "standby")
    after = tuple(ip for t in RECORD_TYPES if t not in blocked for ip in of_type(ips, t))
    return Decision(key, outcome, tuple(writes), after, new_holder, dropped=dropped, adopted=adopting,
                    foreign=left_alone, handover=old_holder is not None and new_holder != old_holder)


def _choose_holder(old: ResourceId | None, all_claims: dict[ResourceId, Claim], policy: Policy) -> ResourceId:
    best = min(all_claims.values(), key=policy.rank)
    if old is not None and old in all_claims:
        if not policy.preferred(best) or policy.preferred(all_claims[old]):
            return old
    return best.endpoint_id
