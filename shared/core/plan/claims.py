"""The claims on a name: which endpoints want it, since when, and from where (for preferences)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import ownership
from ..model import DesiredRecord, RecordSet, ResourceId
from ..ownership import Claim


def claim_for(desire: DesiredRecord, *, now: int, location: str, vnet_hash: str) -> Claim:
    return Claim(desire.endpoint_id, now, location, vnet_hash)


def merged_claims(sets: Sequence[RecordSet]) -> dict[ResourceId, Claim]:
    """The claims on a name: those of its record sets together (the oldest of each endpoint's). They
    are the same on both types unless a write between them was interrupted; the next write evens them."""
    merged: dict[ResourceId, Claim] = {}
    for record in sets:
        for endpoint_id, claim in ownership.claims(record).items():
            if endpoint_id not in merged or claim.since < merged[endpoint_id].since:
                merged[endpoint_id] = claim
    return merged


def updated_claims(
    claims: Mapping[ResourceId, Claim],
    endpoint_id: ResourceId,
    claim: Claim | None,
    candidates: Mapping[ResourceId, DesiredRecord | None],
) -> tuple[dict[ResourceId, Claim], tuple[ResourceId, ...]]:
    """The claims after this endpoint's turn, and the ones dropped on the way. The endpoint keeps its
    claim (and its age) while it wants the name (`claim`) and withdraws it otherwise (None); claimants
    the caller found gone (None in `candidates`) are dropped."""
    after = dict(claims)
    if claim is not None:
        after[endpoint_id] = after.get(endpoint_id) or claim
    else:
        after.pop(endpoint_id, None)
    dropped = tuple(eid for eid, want in candidates.items() if want is None and eid in after)
    for eid in dropped:
        del after[eid]
    return after, dropped
