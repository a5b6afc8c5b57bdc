"""The reconcile inside its time budget (issue 19, item 3): it starts no endpoint once the budget is
spent, reports what is left, and does the most urgent first: names with no record at all, then
stale IPs, then orphans. In memory and on the emulator, with a clock that ticks per look."""

from __future__ import annotations

from builders import SPOKE, endpoint
from shared.core.model import RecordKey, RecordSet
from shared.core import ownership
from shared.usecases.reconcile import reconcile
from worlds import BLOB


class Ticks:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def drifted_world(make_world):
    """Two endpoints whose names have no record, two with stale IPs, one orphan record."""
    w = make_world()
    for name in ("s1", "s2"):
        w.create(endpoint(name, {f"{name}acct.blob.core.windows.net": ["10.0.1.4"]}))
        w.put(endpoint(name, {f"{name}acct.blob.core.windows.net": ["10.0.1.9"]}))  # moved, event lost
    orphan = endpoint("o1")
    w.create(orphan)
    w.remove(orphan)  # deleted, event lost
    for name in ("m1", "m2"):
        w.put(endpoint(name))  # created, event lost
    return w


def test_a_spent_budget_leaves_the_least_urgent_and_says_so(make_world):
    w = drifted_world(make_world)

    report = reconcile(w.service, subscriptions=[SPOKE], budget=3.5, clock=Ticks(), concurrency=1)

    done = sorted(r.endpoint.rsplit("/", 1)[-1] for r in report.endpoints if r.changes)
    assert ["m1", "m2", "s1"] == done  # missing names first, then stale IPs; the orphan waits
    assert (False, 2, 2) == (report.complete, report.left_endpoints, report.left_records)
    assert {"complete": False, "left": {"endpoints": 2, "records": 2}}.items() <= report.summary().items()
    assert ("10.0.1.4",) == w.zone()["s2acct.privatelink.blob.core.windows.net"]  # left as it was
    assert "o1acct.privatelink.blob.core.windows.net" in w.zone()


def test_the_next_run_finishes_what_was_left(make_world):
    w = drifted_world(make_world)
    reconcile(w.service, subscriptions=[SPOKE], budget=3.5, clock=Ticks(), concurrency=1)

    report = reconcile(w.service, subscriptions=[SPOKE], budget=3.5, clock=Ticks(), concurrency=1)

    assert (True, 0) == (report.complete, report.left_endpoints)
    assert {f"{n}acct.privatelink.blob.core.windows.net" for n in ("m1", "m2", "s1", "s2")} == set(w.zone())
    assert ("10.0.1.9",) == w.zone()["s2acct.privatelink.blob.core.windows.net"]


def test_without_a_budget_everything_is_done_in_one_run(make_world):
    w = drifted_world(make_world)

    report = reconcile(w.service, subscriptions=[SPOKE], clock=Ticks(), concurrency=1)

    assert (True, 0, 0) == (report.complete, report.left_endpoints, report.left_records)
    assert 4 == len(w.zone())


def test_urgency_ranks_a_missing_name_before_a_stale_one_before_an_orphan(make_world):
    from shared.core.snapshot import Snapshot
    from shared.core.model import NameState
    from shared.usecases.reconcile import _urgency

    w = make_world()
    key = RecordKey(BLOB, "aacct")
    stale = RecordSet(key, ("10.0.1.9",), 10, metadata={ownership.OWNER_KEY: "pedns"})
    empty, with_stale = Snapshot({BLOB}, {}), Snapshot({BLOB}, {key: NameState(key, (stale,))})
    pe = endpoint("a")

    assert (0, 1, 2) == (_urgency(w.service, pe, empty), _urgency(w.service, pe, with_stale),
                         _urgency(w.service, None, with_stale))


def test_work_whose_zone_window_is_full_waits_while_other_kinds_of_write_go(make_world):
    """Private DNS limits each kind of write apart: while the zone's creates wait for their window,
    its updates go (shared/usecases/lanes.py). Without that, every worker would wait on the creates."""
    from shared.core.ports import Headroom

    class CreatesFull:
        def headroom(self, zone, action):
            return Headroom(0, 30.0) if action == "create" else Headroom(60)

    w = drifted_world(make_world)
    w.service.capacity = CreatesFull()

    report = reconcile(w.service, subscriptions=[SPOKE], budget=2.5, clock=Ticks(), concurrency=1)

    done = sorted(r.endpoint.rsplit("/", 1)[-1] for r in report.endpoints if r.changes)
    assert ["s1", "s2"] == done
    assert (False, 3) == (report.complete, report.left_endpoints)
