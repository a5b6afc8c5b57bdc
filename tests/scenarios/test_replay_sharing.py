"""A replay or release of many ids without the claim index lists the hub once for the whole run,
not once per id (issue 19, item 4): in memory and on the emulator (counted in its request log)."""

from __future__ import annotations

import re

from builders import endpoint
from shared.usecases.replay import replay

SHARED = "shared.blob.core.windows.net"
_RECORD_LISTING = re.compile(r"/privateDnsZones/[^/]+/(A|AAAA|ALL)(\?|$)", re.IGNORECASE)


def counting(w):
    """A function returning how many record-set listings the hub has answered so far."""
    if hasattr(w, "emu"):
        def so_far() -> int:
            return sum(1 for method, path, _ in w.emu.requests if method == "GET" and _RECORD_LISTING.search(path))
        before = so_far()
        return lambda: so_far() - before
    calls = []
    original = w.store.list
    w.store.list = lambda zone: (calls.append(zone), original(zone))[1]
    return lambda: len(calls)


def test_a_replay_of_many_ids_without_the_index_lists_each_zone_once(make_world):
    w = make_world(index=False)
    pes = [endpoint(f"p{i}") for i in range(6)] + [endpoint(f"s{i}", {SHARED: [f"10.0.2.{i + 1}"]}) for i in range(3)]
    for pe in pes:
        w.put(pe)
    listings = counting(w)

    results = replay(w.service, [pe.id for pe in pes])

    per_listing = len(w.zones()) * (2 if hasattr(w, "emu") else 1)  # the emulator lists A and AAAA apart
    assert ["converged"] * len(pes) == [r.status for r in results]
    assert per_listing == listings()
    assert 7 == len(w.zone())  # six names of their own and the shared one, held by s0
    assert {"standby"} == {s.reason.value for r in results[7:] for s in r.skipped}


def test_a_release_of_many_ids_without_the_index_lists_each_zone_once(make_world):
    w = make_world(index=False)
    pes = [endpoint(f"p{i}") for i in range(4)]
    for pe in pes:
        w.create(pe)
    listings = counting(w)

    results = replay(w.service, [pe.id for pe in pes], release_claims=True)

    assert ["released"] * 4 == [r.status for r in results]
    assert (len(w.zones()) * (2 if hasattr(w, "emu") else 1), {}) == (listings(), w.zone())
