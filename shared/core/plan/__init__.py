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

from .. import ownership
from ..model import RECORD_TYPES, DesiredRecord, NameState, RecordKey, RecordSet, RecordType, ResourceId, of_type
from ..ownership import Claim
from .decision import Action, Decision, Outcome, Write
from .holders import choose_holder, holder_of, holder_ips, is_handover, served_by
from .policy import Policy, apply_policy

__all__ = ["Action", "Decision", "Outcome", "Policy", "Write", "claim_for", "decide", "merged_claims"]


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
    return apply_policy(_decide(key, current, endpoint_id, desire, policy=policy, now=now, location=location,
                                vnet_hash=vnet_hash, candidates=candidates), policy)


def _decide(
    key: RecordKey,
    current: NameState,
    endpoint_id: ResourceId,
    desire: DesiredRecord | None,
    *,
    policy: Policy,
    now: int,
    location: str,
    vnet_hash: str,
    candidates: Mapping[ResourceId, DesiredRecord | None] | None,
) -> Decision:
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
    old_holder = holder_of(ours, all_claims, policy)
    served = served_by(managed, old_holder)
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
            else:
                writes.append(Write(t, "delete", None, s.etag, s.ips))
        return Decision(key, outcome, tuple(writes), tuple(restored_ips), None, dropped=dropped,
                        restored=bool(restored_ips), foreign=left_alone)

    new_holder = choose_holder(old_holder, all_claims, policy)
    ips = holder_ips(new_holder, old_holder, endpoint_id, desire, served, candidates)
    if ips is None:
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
            else:
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
                    foreign=left_alone, handover=is_handover(old_holder, new_holder))
