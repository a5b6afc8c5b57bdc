"""The hub as one listing: every A and AAAA record set of every hub zone, by name."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound
from . import ownership
from .model import NameState, RecordKey, ResourceId


@dataclass(slots=True)
class Snapshot:
    """Every A and AAAA record set of every hub zone, by name, as one listing saw them (etags included)."""

    zones: set[str]
    records: dict[RecordKey, NameState]

    def get(self, key: RecordKey) -> NameState:
        if key.zone not in self.zones:
            raise NotFound(f"private DNS zone {key.zone} does not exist")
        return self.records.get(key) or NameState(key)

    def put(self, key: RecordKey, state: NameState) -> None:
        if state.sets:
            self.records[key] = state
        else:
            self.records.pop(key, None)

    def claims(self, owner_id: str) -> dict[ResourceId, set[RecordKey]]:
        found: dict[ResourceId, set[RecordKey]] = {}
        for state in self.records.values():
            for record in state.sets:
                if ownership.ownership(record, owner_id) == "ours":
                    for claimant in ownership.claims(record):
                        found.setdefault(claimant, set()).add(record.key)
        return found
