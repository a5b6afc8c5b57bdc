"""The service over the in-memory ports: races and doors that need hooks inside ARM reads.

The ownership scenarios themselves live in tests/scenarios/, run both in memory and on the emulator.
"""

from __future__ import annotations

import pytest

from builders import SuffixResolver, endpoint, pe_id
from shared.core.model import ConnectionStatus
from shared.service import Service
from shared.testing import InMemoryEndpointReader
from worlds import MemoryWorld as World


class DeletedAfterFirstRead(InMemoryEndpointReader):
    """ARM as seen by a slow handler: the endpoint is deleted right after the handler read it."""

    def get(self, endpoint_id, *, zone_groups=True):
        pe = super().get(endpoint_id, zone_groups=zone_groups)
        self.remove(endpoint_id)
        return pe


def test_a_slow_write_handler_does_not_resurrect_an_endpoint_deleted_meanwhile():
    w = World()
    pe = endpoint("a")
    w.service.reader = DeletedAfterFirstRead([pe])  # its delete event found nothing to remove

    w.service.converge(pe.id)

    assert ({}, {}) == (w.zone(), {k: v for k, v in w.service.index.entries.items() if v})


class ApprovedAfterFirstRead(InMemoryEndpointReader):
    """A second worker handled the approval's event between this handler's read and its write."""

    def __init__(self, world, pending, approved):
        super().__init__([pending])
        self.world, self.approved, self.fired = world, approved, False

    def get(self, endpoint_id, *, zone_groups=True):
        pe = super().get(endpoint_id, zone_groups=zone_groups)
        if not self.fired:
            self.fired = True
            self.put(self.approved)
            Service(reader=self, store=self.world.store, resolver=SuffixResolver()).converge(endpoint_id)
        return pe


def test_a_handler_with_a_stale_read_does_not_undo_a_newer_handlers_write():
    w = World()
    approved = endpoint("a")
    w.create(approved)
    pending = endpoint("a", status=ConnectionStatus.REJECTED)
    w.service.reader = ApprovedAfterFirstRead(w, pending, approved)  # reads "rejected", then it is approved

    w.service.converge(approved.id)

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()


def test_a_no_op_converge_does_not_pay_for_a_second_read():
    w = World()
    pe = endpoint("a")
    w.create(pe)
    w.reader.reads.clear()

    w.service.converge(pe.id)

    assert [pe.id] == w.reader.reads


def test_an_unmapped_fqdn_is_logged_with_the_event_id_as_a_warning(caplog):
    from shared.parsing.events import ResourceEvent

    w = World()
    pe = endpoint("a", {"thing.example.invalid": ["10.0.0.1"]})
    w.reader.put(pe)
    event = ResourceEvent("evt-42", "eventgrid", "Microsoft.Resources.ResourceWriteSuccess",
                          "Microsoft.Network/privateEndpoints/write", pe.id, pe.id.subscription_id, "", "", None, "write")

    w.service.handle_event(event)

    [record] = [r for r in caplog.records if "unmapped" in r.getMessage()]
    assert ("WARNING", True) == (record.levelname, "evt-42" in record.getMessage())


def test_events_from_another_tenant_are_refused():
    from shared.errors import InvalidInput
    from shared.parsing.events import ResourceEvent

    w = World(tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47")
    pe = endpoint("a")
    w.reader.put(pe)
    event = ResourceEvent("evt-7", "eventgrid", "Microsoft.Resources.ResourceWriteSuccess",
                          "Microsoft.Network/privateEndpoints/write", pe.id, pe.id.subscription_id,
                          "00000000-0000-0000-0000-00000000dead", "", None, "write")

    with pytest.raises(InvalidInput, match="PEDNS_TENANT_ID"):
        w.service.handle_event(event)
    assert [] == w.store.writes


def test_a_replay_with_one_id_outside_the_allowlist_changes_nothing():
    from shared.errors import InvalidInput

    w = World(source_subscriptions=frozenset({pe_id("a").subscription_id}))
    w.reader.put(endpoint("a"))
    outsider = pe_id("b", sub="99999999-9999-9999-9999-999999999999")

    with pytest.raises(InvalidInput):
        w.service.replay([pe_id("a"), outsider])
    assert [] == w.store.writes


def test_a_write_decided_from_a_stale_listing_is_refused_and_redone_from_the_live_record():

    from shared.core.model import RecordKey

    w = World()
    a = endpoint("a", {"shared.blob.core.windows.net": ["10.0.0.1"]})
    b = endpoint("b", {"shared.blob.core.windows.net": ["10.0.0.2"]})
    w.create(a)
    snapshot = w.service.snapshot()
    w.create(b)  # after the listing: b now stands by on the record
    key = RecordKey("privatelink.blob.core.windows.net", "shared")
    assert snapshot.records[key].of("A").etag != w.store.get(key).of("A").etag

    w.reader.remove(a.id)
    w.service.converge(a.id, snapshot=snapshot)  # the listing knows nothing of b

    assert (b.id, ("10.0.0.2",)) == (w.holder(key), w.store.get(key).ips)  # NameState: both types


def _zone_group_endpoint():
    """An endpoint whose DNS lives in its zone group: no customDnsConfigs, records in recordSets."""
    from dataclasses import replace

    from shared.core.model import DnsConfig

    pe = endpoint("a", {})
    return replace(pe, has_zone_group=True,
                   zone_group_configs=(DnsConfig("aacct.privatelink.blob.core.windows.net", ("10.0.1.4",)),))


def test_a_zone_group_endpoint_without_custom_dns_configs_is_reported_not_retried():
    w = World()

    result = w.create(_zone_group_endpoint())

    assert ("converged", {"aacct.privatelink.blob.core.windows.net": "zone-group"}, {}) == (
        result.status, {s.fqdn: s.reason.value for s in result.skipped}, w.zone())


def test_a_managed_zone_group_endpoint_takes_its_names_and_ips_from_the_zone_group():
    from shared.core.desired import DesirePolicy

    w = World(desire=DesirePolicy(manage_zone_group_endpoints=True))

    w.create(_zone_group_endpoint())

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()


def test_an_endpoint_to_a_private_link_service_without_fqdns_is_reported_not_retried():
    w = World()
    pls = "/subscriptions/33333333-3333-3333-3333-333333333333/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/partner"

    result = w.create(endpoint("a", {}, target=pls, group=""))

    assert ("converged", ["unmapped"], {}) == (result.status, [s.reason.value for s in result.skipped], w.zone())
    assert "fqdns" in result.skipped[0].detail


@pytest.mark.parametrize(("state", "reasons"), [("Deleting", []), ("Failed", ["invalid"])])
def test_an_endpoint_being_deleted_withdraws_quietly_and_a_failed_one_is_reported(state, reasons):
    w = World()
    w.create(endpoint("a"))

    result = w.create(endpoint("a", state=state))

    assert (reasons, {}) == ([s.reason.value for s in result.skipped], w.zone())


def test_a_duplicate_event_writes_nothing_to_the_claim_index():
    from shared.testing import InMemoryClaimIndex

    class CountingIndex(InMemoryClaimIndex):
        def __init__(self):
            super().__init__()
            self.stores = 0

        def store(self, endpoint_id, keys):
            self.stores += 1
            super().store(endpoint_id, keys)

    w = World()
    w.service.index = index = CountingIndex()
    pe = endpoint("a")
    w.create(pe)
    first = index.stores

    w.service.converge(pe.id)

    # the new endpoint: one write (its intent is already its final state); the duplicate: none
    assert (1, 1) == (first, index.stores)


def test_a_fail_over_reads_the_next_claimant_once_for_all_the_names_they_share():
    names = {f"n{i}.blob.core.windows.net": ["10.0.1.4"] for i in range(8)}
    w = World()
    holder, standby = endpoint("holder", names), endpoint("standby", {k: ["10.0.2.4"] for k in names})
    w.create(holder)
    w.create(standby)
    w.reader.reads.clear()

    w.delete(holder)

    assert ({standby.id: 1}, {("10.0.2.4",)}) == (
        {e: w.reader.reads.count(e) for e in set(w.reader.reads) if e != holder.id}, set(w.zone().values()))
