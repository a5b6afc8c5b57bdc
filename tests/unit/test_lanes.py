"""The reconcile's lanes (shared/usecases/lanes.py): the most urgent work whose zone can take its
write now; plain urgency order where no window binds."""

from __future__ import annotations

import threading

from shared.core.model import ResourceId
from shared.core.ports import Headroom, Unlimited
from shared.usecases.lanes import Lanes, Work

BLOB, VAULT = "privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net"


def work(rank: int, zone: str, kind: str) -> Work:
    return Work((zone, kind), [ResourceId(f"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/"
                                          f"privateEndpoints/pe{rank}")], rank)


class Rooms:
    """A capacity with a fixed room per lane (unlisted lanes: all the room in the world)."""

    def __init__(self, rooms: dict[tuple[str, str], Headroom]) -> None:
        self.rooms = rooms

    def headroom(self, zone, action):
        return self.rooms.get((zone, action), Headroom(1000))


def drain(lanes: Lanes) -> list[int]:
    taken = []
    while (item := lanes.take()) is not None:
        taken.append(item.rank)
        lanes.done(item)
    return taken


def test_without_limits_the_work_goes_in_urgency_order():
    items = [work(3, BLOB, "delete"), work(0, BLOB, "create"), work(2, VAULT, "update"), work(1, BLOB, "create")]

    assert [0, 1, 2, 3] == drain(Lanes(items, Unlimited()))


def test_a_full_window_lets_less_urgent_work_in_another_lane_go_first():
    items = [work(0, BLOB, "create"), work(1, BLOB, "create"), work(2, BLOB, "update"), work(3, BLOB, "delete")]
    lanes = Lanes(items, Rooms({(BLOB, "create"): Headroom(0, 30.0)}))

    assert [2, 3, 0, 1] == drain(lanes)  # the creates wait for their window; when no lane has room, soonest first


def test_when_no_lane_has_room_the_one_whose_next_slot_comes_first_is_taken():
    items = [work(0, BLOB, "create"), work(1, VAULT, "create")]
    lanes = Lanes(items, Rooms({(BLOB, "create"): Headroom(0, 50.0), (VAULT, "create"): Headroom(0, 5.0)}))

    assert [1, 0] == drain(lanes)


def test_groups_under_way_count_against_their_lanes_room():
    """One free slot and one group already running in the lane: the next worker takes another lane."""
    items = [work(0, BLOB, "create"), work(1, BLOB, "create"), work(2, VAULT, "create")]
    lanes = Lanes(items, Rooms({(BLOB, "create"): Headroom(1)}))

    first = lanes.take()
    second = lanes.take()
    assert (0, 2) == (first.rank, second.rank)
    lanes.done(first)
    assert 1 == lanes.take().rank


def test_each_group_is_handed_out_once_across_threads():
    items = [work(i, (BLOB, VAULT)[i % 2], ("create", "update", "delete")[i % 3]) for i in range(300)]
    lanes = Lanes(items, Unlimited())
    taken: list[int] = []
    lock = threading.Lock()

    def worker():
        while (item := lanes.take()) is not None:
            with lock:
                taken.append(item.rank)
            lanes.done(item)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert list(range(300)) == sorted(taken)
