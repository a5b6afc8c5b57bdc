"""Which drifted endpoint a reconcile worker takes next: the most urgent one whose zone can take its
write now.

Private DNS limits record writes per zone and per kind: 60 creates, 60 updates and 60 deletes a
minute each (`shared/adapters/_dns_limits.py`). The reconcile's work therefore falls into lanes,
one per (zone, kind of write), each running at its own pace. Taking the work in strict urgency
order would make every worker wait on the most urgent lane's window while every other lane idles:
a drift of creates, updates and deletes in one zone then takes three times what the limits force
(measured: 486 s for a 167 s floor). So a worker takes the most urgent group whose lane has a free
slot now, counting the groups already under way in it as taken; only when no lane has one does it
take the lane whose next slot comes first (and waits for it in the pacer). Where the windows do not
bind (a small drift, the in-memory store) this is plain urgency order.

What a spent budget leaves is still the least urgent of each lane: the lanes do not compete for a
window, so doing a delete while the creates wait for theirs never delays a create.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.model import ResourceId
from ..core.ports import WriteAction, WriteCapacity

#: The write each urgency class makes (`reconcile._urgency`): a missing name is created, a stale one
#: updated, an orphan's record deleted.
KIND_OF_URGENCY: tuple[WriteAction, ...] = ("create", "update", "delete")

Lane = tuple[str, WriteAction]  # (zone, kind of write)


@dataclass(frozen=True, slots=True)
class Work:
    """Endpoints that share a record name (run by one worker, in order), and the lane of the first."""

    lane: Lane
    group: list[ResourceId]
    rank: int  # its place in urgency order


class Lanes:
    """The work of one reconcile, handed to workers one group at a time (thread-safe)."""

    def __init__(self, work: Sequence[Work], capacity: WriteCapacity) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._queues: dict[Lane, deque[Work]] = {}
        for item in sorted(work, key=lambda w: w.rank):
            self._queues.setdefault(item.lane, deque()).append(item)
        self._busy: Counter[Lane] = Counter()

    def take(self) -> Work | None:
        """The next group to run, or None when there is none left."""
        with self._lock:
            heads = sorted((q[0].rank, lane) for lane, q in self._queues.items() if q)
            if not heads:
                return None
            soonest: tuple[float, int, Lane] | None = None
            chosen: Lane | None = None
            for rank, lane in heads:
                room = self._capacity.headroom(*lane)
                if room.free > self._busy[lane]:
                    chosen = lane
                    break
                if soonest is None or room.next_in < soonest[0]:
                    soonest = (room.next_in, rank, lane)
            if chosen is None:
                assert soonest is not None
                chosen = soonest[2]
            self._busy[chosen] += 1
            return self._queues[chosen].popleft()

    def done(self, work: Work) -> None:
        with self._lock:
            self._busy[work.lane] -= 1
