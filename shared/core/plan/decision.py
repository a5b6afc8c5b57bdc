"""What a plan decides for one name: the writes (one per record type at most) and what they mean."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..model import RecordKey, RecordSet, RecordType, ResourceId
from ..pins import Pin

Action = Literal["create", "update", "delete", "none"]
Outcome = Literal["held", "standby", "foreign", "released", "absent"]


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
    pin: Pin | None = None  # the name's pin afterwards, when it is served (`shared/core/pins.py`)

    def written(self, rtype: RecordType = "A") -> RecordSet | None:
        """The record set of that type this decision writes (created or updated), if any."""
        return next((w.record for w in self.writes if w.type == rtype and w.action != "delete"), None)

    @property
    def action(self) -> Action:
        """"none" without writes; the writes' action when they agree, else "update"."""
        actions = {w.action for w in self.writes}
        return "none" if not actions else actions.pop() if len(actions) == 1 else "update"
