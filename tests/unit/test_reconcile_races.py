"""The reconcile against event handlers running at the same time: whatever lands between its
confirmation read and its write, the hub ends as ARM says (no stale IP, no resurrected record)."""

from __future__ import annotations

from builders import SPOKE, SuffixResolver, endpoint
from shared.usecases.reconcile import reconcile
from shared.service import Service
from shared.testing import InMemoryClaimIndex, InMemoryEndpointReader
from worlds import MemoryWorld

NAME = "aacct.privatelink.blob.core.windows.net"


class HandlerAfterRead(InMemoryEndpointReader):
    """ARM where, right after the reconcile's first read of the endpoint, it changes and another
    worker's event handler converges it before the reconcile writes."""

    def __init__(self, world: MemoryWorld, change) -> None:
        super().__init__()
        self.world, self.change, self.fired = world, change, False

    def get(self, endpoint_id, *, zone_groups=True):
        try:
            return super().get(endpoint_id, zone_groups=zone_groups)
        finally:  # also after a 404
            if not self.fired:
                self.fired = True
                self.change(self)
                handler = Service(reader=InMemoryEndpointReader(self.live.values()), store=self.world.store,
                                  resolver=SuffixResolver(), index=InMemoryClaimIndex())
                handler.converge(endpoint_id)


def world_with(change, *setup) -> MemoryWorld:
    w = MemoryWorld()
    reader = HandlerAfterRead(w, change)
    w.reader = w.service.reader = w.service.estate = reader
    reader.fired = True  # the setup converges undisturbed
    for pe in setup:
        reader.put(pe)
        Service(reader=reader, store=w.store, resolver=SuffixResolver()).converge(pe.id)
    reader.fired = False
    return w


def test_an_ip_change_handled_meanwhile_is_not_undone_by_the_reconciles_update():
    old = endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.4"]})
    w = world_with(lambda arm: arm.put(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.7"]})), old)
    w.reader.put(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.5"]}))  # the reconcile's drift
    w.reader.fired = False

    reconcile(w.service, subscriptions=[SPOKE])

    assert {NAME: ("10.0.1.7",)} == w.zone()


def test_an_endpoint_deleted_meanwhile_does_not_get_its_record_back():
    pe = endpoint("a")
    w = world_with(lambda arm: arm.remove(pe.id))
    w.reader.put(pe)  # exists, never published: the reconcile will create its record
    w.reader.fired = False

    reconcile(w.service, subscriptions=[SPOKE])

    assert {} == w.zone()


def test_an_endpoint_re_created_meanwhile_keeps_its_record():
    pe = endpoint("a")
    w = world_with(lambda arm: arm.put(pe), pe)
    w.reader.remove(pe.id)  # its delete event was lost: the record is an orphan to the reconcile
    w.reader.fired = False

    reconcile(w.service, subscriptions=[SPOKE])

    assert {NAME: ("10.0.1.4",)} == w.zone()


def test_without_the_index_an_update_after_a_change_handled_meanwhile_is_read_again():
    """An event handler without the claim index lists the hub after reading the endpoint: the
    listing may already hold a newer handler's write, so its update meets no 412 and only a
    re-read of the endpoint can tell that it wrote stale IPs."""
    old = endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.4"]})
    w = world_with(lambda arm: arm.put(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.7"]})), old)
    w.reader.put(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.5"]}))  # this handler's event
    w.reader.fired = False

    Service(reader=w.reader, store=w.store, resolver=SuffixResolver()).converge(old.id)

    assert {NAME: ("10.0.1.7",)} == w.zone()
