"""Which record sets at a name pedns manages, and which it leaves alone.

A record set that is not ours (no stamp, another owner id, auto-registered) is never changed. Opt-in
adoption takes over unstamped records in listed zones (only types the endpoint wants), keeping what
they held (TTL and IPs in the stamp; their metadata stays), to give it back when the last claim
leaves; records stamped by another pedns deployment and auto-registered ones never.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import ownership
from ..model import DesiredRecord, NameState, RecordKey, RecordSet, RecordType
from .policy import Policy


@dataclass(frozen=True, slots=True)
class ManagedSets:
    """A name's record sets as pedns sees them."""

    ours: tuple[RecordSet, ...]  # stamped with our owner id
    foreign: tuple[RecordSet, ...]  # everything else
    adopting: bool  # this decision takes the foreign sets over
    managed: dict[RecordType, RecordSet]  # the sets pedns writes, by type (ours, and those it adopts)
    keep: dict[RecordType, dict[str, str]]  # metadata a write keeps, by type (and the adoption note)

    @property
    def blocked(self) -> frozenset[RecordType]:
        """Types pedns writes nothing of: a foreign set is there (and not adopted)."""
        return frozenset() if self.adopting else frozenset(s.type for s in self.foreign)

    @property
    def left_alone(self) -> tuple[RecordSet, ...]:
        """The record sets at the name that are not ours and stay untouched."""
        return () if self.adopting else self.foreign


def adoptable(key: RecordKey, foreign: Sequence[RecordSet], desire: DesiredRecord | None, policy: Policy) -> bool:
    """Whether this endpoint adopts the foreign sets at the name: in a zone listed for adoption, every
    one of them unstamped, not auto-registered, small enough to remember and of a type it wants."""
    return bool(foreign) and desire is not None and key.zone in policy.adopt_zones and all(
        not s.auto_registered and not ownership.is_stamped(s) and ownership.adoption_note(s) is not None
        and s.type in desire.types for s in foreign)


def managed_sets(key: RecordKey, current: NameState, desire: DesiredRecord | None, policy: Policy) -> ManagedSets:
    ours = tuple(s for s in current.sets if ownership.ownership(s, policy.owner_id) == "ours")
    foreign = tuple(s for s in current.sets if ownership.ownership(s, policy.owner_id) == "foreign")
    adopting = adoptable(key, foreign, desire, policy)
    managed: dict[RecordType, RecordSet] = {s.type: s for s in ours}
    keep: dict[RecordType, dict[str, str]] = {s.type: s.metadata for s in ours}
    if adopting:
        for s in foreign:
            managed[s.type] = s
            keep[s.type] = {**s.metadata, ownership.ADOPTED_KEY: ownership.adoption_note(s) or ""}
    return ManagedSets(ours, foreign, adopting, managed, keep)
