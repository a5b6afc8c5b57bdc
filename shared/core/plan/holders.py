"""Who holds a shared name: exactly one claim is served, the others stand by.

By default the holder keeps the name. With preferred regions or virtual networks configured, a
preferred claim displaces a holder that is not preferred. Among the others the order is: preferred
first, then oldest claim, then endpoint id — deterministic, so every worker picks the same winner.
When the holder withdraws, the next claim in that order takes over with its own addresses (a
hand-over, or fail-over): the caller reads that endpoint and passes its desire in `candidates`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import ownership
from ..model import RECORD_TYPES, DesiredRecord, RecordSet, RecordType, ResourceId
from ..ownership import Claim
from .decision import Decision
from .policy import Policy


def preferred(claim: Claim, policy: Policy) -> bool:
    """The claim lives in a preferred region or virtual network."""
    return claim.location.lower() in policy.prefer_regions or (
        bool(claim.vnet_hash) and claim.vnet_hash in policy.prefer_vnet_hashes
    )


def rank(claim: Claim, policy: Policy) -> tuple[bool, int, str]:
    """The order among claims (lowest first): preferred, then oldest claim, then endpoint id."""
    return (not preferred(claim, policy), claim.since, claim.endpoint_id.key)


def holder_of(sets: Sequence[RecordSet], claims: Mapping[ResourceId, Claim], policy: Policy) -> ResourceId | None:
    """The holder pedns's record sets name. Sets that disagree (an interrupted write): the holder a
    fail-over would pick among theirs (the first named when none of them has a claim)."""
    named = list(dict.fromkeys(h for h in (ownership.holder(s) for s in sets) if h is not None))
    if len(named) <= 1:
        return named[0] if named else None
    claimed = [claims[h] for h in named if h in claims]
    return min(claimed, key=lambda c: rank(c, policy)).endpoint_id if claimed else named[0]


def choose_holder(old: ResourceId | None, claims: Mapping[ResourceId, Claim], policy: Policy) -> ResourceId:
    """Who holds the name among `claims` (not empty): the holder keeps it, unless it has no claim left
    or a preferred claim displaces it while it is not preferred; else the first claim in rank order."""
    best = min(claims.values(), key=lambda c: rank(c, policy))
    if old is not None and old in claims:
        if not preferred(best, policy) or preferred(claims[old], policy):
            return old
    return best.endpoint_id


def served_by(managed: Mapping[RecordType, RecordSet], holder: ResourceId | None) -> tuple[str, ...]:
    """What the name serves for its holder, A then AAAA (a set another holder's write left behind
    does not count)."""
    return tuple(ip for t in RECORD_TYPES if t in managed and ownership.holder(managed[t]) == holder
                 for ip in managed[t].ips)


def holder_ips(
    new: ResourceId,
    old: ResourceId | None,
    endpoint_id: ResourceId,
    desire: DesiredRecord | None,
    served: tuple[str, ...],
    candidates: Mapping[ResourceId, DesiredRecord | None],
) -> tuple[str, ...] | None:
    """The addresses the name serves for its new holder: this endpoint's own when it holds; what the
    name serves now when the holder stays and another endpoint converges; on a hand-over, the new
    holder's desire read by the caller; None while that desire is not known yet (read it first)."""
    if new == endpoint_id:
        assert desire is not None
        return desire.ips
    if new == old and endpoint_id != old:
        return served
    wanted = candidates[new] if new in candidates else None
    return wanted.ips if wanted is not None else None


def is_handover(old: ResourceId | None, new: ResourceId | None) -> bool:
    """The name goes from its holder to another claimant (a fail-over, or a change of preference)."""
    return old is not None and new != old


def holder_to_verify(decision: Decision, candidates: Mapping[ResourceId, DesiredRecord | None]) -> ResourceId | None:
    """Never stand by for a holder that is gone: the holder the caller must check is still there
    (and still wants the name) before telling the endpoint `standby`; None when no check is needed.

    Only a standby decision that names its holder asks for the check, and only once per holder: one
    already in `candidates` was read (its desire is known). A decision that `needs` a claimant's
    desire first asks for that read instead. When the holder is gone, the caller marks it so
    (`candidates[holder] = None`) and decides again: its claim is dropped and the name handed on.
    (Whether to read at all, e.g. not in an offline plan, stays the caller's choice.)
    """
    if decision.needs is not None or decision.outcome != "standby":
        return None
    holder = decision.holder
    return None if holder is None or holder in candidates else holder
