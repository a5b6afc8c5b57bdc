"""Trust at the edges, as named scenarios in memory and end to end on the emulator: adoption is
reversible, metadata keys count whatever their case, and a holder that is gone never blocks a name."""

from __future__ import annotations

import pytest

from builders import endpoint
from shared.core import ownership
from shared.core.model import RecordKey, RecordSet
from shared.core.plan import Policy
from worlds import BLOB

SHARED = "shared.blob.core.windows.net"
KEY = RecordKey(BLOB, "shared")
LEGACY = RecordSet(KEY, ("10.9.0.10", "10.9.0.11"), 3600, None, {"createdBy": "ticket CHG-1042", "team": "dba"})


def same(a: RecordSet, b: RecordSet) -> tuple:
    return (a.ips, a.ttl, a.metadata) == (b.ips, b.ttl, b.metadata), (a.ips, a.ttl, a.metadata), (b.ips, b.ttl, b.metadata)


def test_an_adopted_record_comes_back_as_it_was_when_its_adopter_is_deleted(make_world):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    before = w.seed(LEGACY)
    pe = endpoint("a", {SHARED: ["10.0.0.1"]})
    w.create(pe)
    adopted = w.get(KEY)

    w.delete(pe)

    assert (("10.0.0.1",), "pedns") == (adopted.ips, ownership.owner_of(adopted))
    assert same(before, w.get(KEY))[0], same(before, w.get(KEY))[1:]


def test_a_release_gives_an_adopted_record_back_too(make_world):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    before = w.seed(LEGACY)
    pe = endpoint("a", {SHARED: ["10.0.0.1"]})
    w.create(pe)

    w.service.release(pe.id)

    assert same(before, w.get(KEY))[0]


def test_a_shared_adopted_name_is_given_back_only_when_the_last_claim_leaves(make_world):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    before = w.seed(LEGACY)
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.create(b)

    w.delete(a)
    failed_over = w.get(KEY)
    w.delete(b)

    assert (("10.0.0.2",), True) == (failed_over.ips, same(before, w.get(KEY))[0])


def test_a_stamp_in_another_case_still_counts_as_a_stamp(make_world):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    other = w.seed(RecordSet(KEY, ("10.9.0.12",), 3600, None, {"PednsOwner": "another-hub"}))

    result = w.create(endpoint("a", {SHARED: ["10.0.0.1"]}))

    assert ({SHARED: "foreign"}, True) == ({s.fqdn: s.reason.value for s in result.skipped}, same(other, w.get(KEY))[0])


def test_our_own_stamp_in_another_case_is_ours(make_world):
    w = make_world()
    pe = endpoint("a", {SHARED: ["10.0.0.1"]})
    w.put(pe)
    claim = ownership.Claim(pe.id, 1, "westeurope", "")
    w.seed(RecordSet(KEY, ("10.0.0.9",), 10, None, {"PEDNSOWNER": "pedns", "PednsHolder": ownership._compact(pe.id),
                                                     ownership.claim_key(pe.id).upper(): claim.encode()}))

    result = w.service.converge(pe.id)

    assert ([("update", ("10.0.0.1",))], ("10.0.0.1",)) == (
        [(c.action, c.after) for c in result.changes], w.get(KEY).ips)


@pytest.mark.parametrize("mode", ["sync", "upsert-only"])
def test_a_holder_that_is_gone_is_dropped_and_the_new_endpoint_takes_the_name_at_once(make_world, mode):
    """pe-up1 is written, then deleted (in upsert-only its record stays, still naming it); pe-up2
    with the same name is published on its own write event, whenever pe-up1's delete arrives."""
    w = make_world(policy=Policy(upsert_only=mode == "upsert-only"))
    up1, up2 = endpoint("up1", {SHARED: ["10.0.0.1"]}), endpoint("up2", {SHARED: ["10.0.0.2"]})
    w.create(up1)
    w.remove(up1)
    if mode == "upsert-only":
        w.service.converge(up1.id)  # the delete event: the record stays, naming up1

    result = w.create(up2)

    assert (("10.0.0.2",), up2.id, ["held"]) == (w.get(KEY).ips, w.holder(KEY), [r.outcome for r in result.records])
    assert {up2.id} == w.claims(KEY)


def test_a_dry_run_says_it_would_drop_a_stale_claim_and_drops_none(make_world, caplog):
    w = make_world(policy=Policy(upsert_only=True))
    up1, up2 = endpoint("up1", {SHARED: ["10.0.0.1"]}), endpoint("up2", {SHARED: ["10.0.0.2"]})
    w.create(up1)
    w.remove(up1)
    w.service.converge(up1.id)  # the delete event: the record stays, naming up1
    w.put(up2)

    with caplog.at_level("INFO", logger="pedns"):
        w.service.converge(up2.id, dry_run=True)

    said = [r.getMessage() for r in caplog.records]
    assert (True, False) == (any(m.startswith("would drop the stale claim") for m in said),
                             any(m.startswith("dropped") for m in said)), said
    assert up1.id == w.holder(KEY)


def test_a_holder_that_exists_keeps_the_name_and_costs_one_read_on_the_standby_path(make_world):
    w = make_world()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)

    result = w.create(b)

    assert (a.id, ["standby"]) == (w.holder(KEY), [r.outcome for r in result.records])
