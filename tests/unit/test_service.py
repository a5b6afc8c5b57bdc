"""The service over the in-memory ports: each behaviour of the ownership issue as a named scenario."""

from __future__ import annotations

import pytest

from builders import SuffixResolver, endpoint, pe_id
from shared import ownership
from shared.desired import DesirePolicy
from shared.errors import NotReady
from shared.model import ConnectionStatus, Reason, RecordKey, RecordSet
from shared.plan import Policy
from shared.service import Service, ServiceOptions
from shared.testing import InMemoryClaimIndex, InMemoryEndpointReader, InMemoryZoneStore

BLOB = "privatelink.blob.core.windows.net"
COSMOS = "privatelink.documents.azure.com"
SHARED = "shared.blob.core.windows.net"
KEY = RecordKey(BLOB, "shared")


class World:
    def __init__(self, *, zones=(BLOB, COSMOS), index=True, **options) -> None:
        self.store = InMemoryZoneStore(zones)
        self.reader = InMemoryEndpointReader()
        self.clock = 1_000
        policy = options.pop("policy", Policy())
        desire = options.pop("desire", DesirePolicy())
        self.service = Service(
            reader=self.reader, store=self.store, resolver=SuffixResolver(),
            index=InMemoryClaimIndex() if index else None,
            options=ServiceOptions(policy=policy, desire=desire, **options),
            clock=self.tick,
        )

    def tick(self) -> float:
        self.clock += 1
        return self.clock

    def create(self, pe):
        self.reader.put(pe)
        return self.service.converge(pe.id)

    def delete(self, pe):
        self.reader.remove(pe.id)
        return self.service.converge(pe.id)

    def zone(self) -> dict[str, tuple[str, ...]]:
        return {r.key.fqdn: r.ips for r in self.store.records()}

    def holder(self, key=KEY):
        return ownership.holder(self.store.get(key))


def reasons(result) -> dict[str, str]:
    return {s.fqdn: s.reason.value for s in result.skipped}


def test_an_endpoint_gets_its_record_and_loses_it_when_deleted():
    w = World()
    pe = endpoint("a")

    w.create(pe)
    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    w.delete(pe)
    assert {} == w.zone()


def test_converging_twice_writes_once():
    w = World()
    pe = endpoint("a")
    w.create(pe)
    writes = len(w.store.writes)

    again = w.service.converge(pe.id)

    assert (writes, []) == (len(w.store.writes), again.changes)


def test_a_duplicate_delete_is_harmless():
    w = World()
    pe = endpoint("a")
    w.create(pe)
    w.delete(pe)

    result = w.service.converge(pe.id)

    assert ("gone", [], {}) == (result.status, result.changes, w.zone())


def test_a_multi_region_cosmos_endpoint_gets_global_and_regional_records():
    w = World()
    pe = endpoint("cosmos", {"acct.documents.azure.com": ["10.0.2.4"], "acct-westeurope.documents.azure.com": ["10.0.2.5"]},
                  group="Sql")

    w.create(pe)

    assert {"acct.privatelink.documents.azure.com": ("10.0.2.4",),
            "acct-westeurope.privatelink.documents.azure.com": ("10.0.2.5",)} == w.zone()


def test_a_region_removed_from_cosmos_removes_only_its_record():
    w = World()
    both = {"acct.documents.azure.com": ["10.0.2.4"], "acct-westeurope.documents.azure.com": ["10.0.2.5"]}
    w.create(endpoint("cosmos", both, group="Sql"))

    w.create(endpoint("cosmos", {"acct.documents.azure.com": ["10.0.2.4"]}, group="Sql"))

    assert {"acct.privatelink.documents.azure.com": ("10.0.2.4",)} == w.zone()


def test_an_ip_change_is_followed():
    w = World()
    w.create(endpoint("a"))

    w.create(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.9"]}))

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.9",)} == w.zone()


def test_shared_name_fail_over_chain_holder_then_standbys_then_nothing():
    w = World()
    a = endpoint("a", {SHARED: ["10.0.0.1"]})
    b = endpoint("b", {SHARED: ["10.0.0.2"]})
    c = endpoint("c", {SHARED: ["10.0.0.3"]})
    w.create(a)
    rb, rc = w.create(b), w.create(c)
    assert {SHARED: "standby"} == reasons(rb) == reasons(rc)
    assert ("10.0.0.1",) == w.zone()["shared.privatelink.blob.core.windows.net"]

    w.delete(a)  # holder deleted: the oldest standby takes over
    assert (b.id, ("10.0.0.2",)) == (w.holder(), w.zone()["shared.privatelink.blob.core.windows.net"])
    w.delete(b)  # second fail-over
    assert (c.id, ("10.0.0.3",)) == (w.holder(), w.zone()["shared.privatelink.blob.core.windows.net"])
    w.delete(c)  # last claim gone: the record goes
    assert {} == w.zone()


def test_a_standby_deleted_while_pedns_missed_it_is_skipped_at_fail_over():
    w = World()
    a, b, c = (endpoint(n, {SHARED: [f"10.0.0.{i}"]}) for i, n in enumerate("abc", 1))
    for pe in (a, b, c):
        w.create(pe)
    w.reader.remove(b.id)  # deleted, event lost

    w.delete(a)

    assert (c.id, ("10.0.0.3",)) == (w.holder(), w.zone()["shared.privatelink.blob.core.windows.net"])
    assert {c.id} == set(ownership.claims(w.store.get(KEY)))


def test_deleting_a_standby_never_touches_the_holders_ips():
    w = World()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.create(b)

    w.delete(b)

    assert (a.id, ("10.0.0.1",), {a.id}) == (w.holder(), w.store.get(KEY).ips, set(ownership.claims(w.store.get(KEY))))


def test_a_foreign_record_is_left_byte_identical_and_reported():
    w = World()
    seeded = w.store.seed(RecordSet(KEY, ("192.168.50.5",), 3600, None, {"owner": "network-team"}))
    pe = endpoint("a", {SHARED: ["10.0.0.1"]})

    result = w.create(pe)
    w.delete(pe)

    assert seeded == w.store.get(KEY)
    assert {SHARED: "foreign"} == reasons(result)


def test_an_auto_registered_record_is_never_touched_even_in_an_adopt_zone():
    w = World(policy=Policy(adopt_zones=frozenset({BLOB})))
    seeded = w.store.seed(RecordSet(KEY, ("10.5.0.4",), 10, None, {}, auto_registered=True))

    result = w.create(endpoint("a", {SHARED: ["10.0.0.1"]}))

    assert (seeded, {SHARED: "foreign"}) == (w.store.get(KEY), reasons(result))


def test_adoption_takes_over_an_unstamped_record_in_a_listed_zone():
    w = World(policy=Policy(adopt_zones=frozenset({BLOB})))
    w.store.seed(RecordSet(KEY, ("10.9.9.9",), 3600, None, {}))

    w.create(endpoint("a", {SHARED: ["10.0.0.1"]}))

    assert ("pedns", ("10.0.0.1",)) == (w.store.get(KEY).metadata[ownership.OWNER_KEY], w.store.get(KEY).ips)


def test_another_owner_ids_record_is_foreign_to_us():
    mine, theirs = World(policy=Policy(owner_id="hub-a")), None
    mine.create(endpoint("a", {SHARED: ["10.0.0.1"]}))
    theirs = Service(reader=mine.reader, store=mine.store, resolver=SuffixResolver(),
                     options=ServiceOptions(policy=Policy(owner_id="hub-b")))
    b = endpoint("b", {SHARED: ["10.0.0.2"]})
    mine.reader.put(b)

    result = theirs.converge(b.id)

    assert ({SHARED: "foreign"}, ("10.0.0.1",)) == (reasons(result), mine.store.get(KEY).ips)


@pytest.mark.parametrize(
    ("status", "publish_pending", "expected"),
    [
        pytest.param(ConnectionStatus.PENDING, False, "pending-approval", id="pending"),
        pytest.param(ConnectionStatus.REJECTED, False, "rejected", id="rejected"),
        pytest.param(ConnectionStatus.DISCONNECTED, False, "rejected", id="disconnected"),
    ],
)
def test_unapproved_connections_get_no_record(status, publish_pending, expected):
    w = World(desire=DesirePolicy(publish_pending=publish_pending))

    result = w.create(endpoint("a", status=status, manual=True))

    assert ({}, {"aacct.blob.core.windows.net": expected}) == (w.zone(), reasons(result))


def test_pending_connections_are_published_when_the_setting_says_so():
    w = World(desire=DesirePolicy(publish_pending=True))

    w.create(endpoint("a", status=ConnectionStatus.PENDING, manual=True))

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()


def test_approval_later_is_picked_up_and_disconnection_withdraws_the_claim():
    w = World()
    w.create(endpoint("a", status=ConnectionStatus.PENDING, manual=True))
    assert {} == w.zone()

    w.create(endpoint("a", status=ConnectionStatus.APPROVED, manual=True))
    assert 1 == len(w.zone())
    w.create(endpoint("a", status=ConnectionStatus.DISCONNECTED, manual=True))
    assert {} == w.zone()


@pytest.mark.parametrize(
    "pe",
    [
        pytest.param(endpoint("a", {}, state="Updating"), id="updating"),
        pytest.param(endpoint("a", {}), id="approved-but-no-configs-yet"),
    ],
)
def test_a_fresh_endpoint_is_not_ready_rather_than_nothing_to_do(pe):
    w = World()
    w.reader.put(pe)

    with pytest.raises(NotReady):
        w.service.converge(pe.id)
    assert [] == w.store.writes


def test_a_zone_group_endpoint_is_left_to_azure_unless_configured():
    plain, managed = World(), World(desire=DesirePolicy(manage_zone_group_endpoints=True))
    pe = endpoint("a", zone_group=True)

    result = plain.create(pe)
    managed.create(pe)

    assert ({}, {"aacct.blob.core.windows.net": "zone-group"}) == (plain.zone(), reasons(result))
    assert 1 == len(managed.zone())


def test_a_missing_hub_zone_is_reported_or_created_when_opted_in():
    reported, created = World(zones=()), World(zones=(), create_zones=True)
    pe = endpoint("a")

    result = reported.create(pe)
    created.create(pe)

    assert {"aacct.blob.core.windows.net": "zone-missing"} == reasons(result)
    assert [BLOB] == created.store.list_zones()
    assert 1 == len(created.zone())


def test_an_unmapped_fqdn_is_reported_not_guessed():
    w = World()

    result = w.create(endpoint("a", {"thing.example.invalid": ["10.0.0.1"]}))

    assert ({}, {"thing.example.invalid": "unmapped"}) == (w.zone(), reasons(result))


@pytest.mark.parametrize("ip", ["8.8.8.8", "127.0.0.1", "169.254.1.1", "224.0.0.1", "0.0.0.0"])
def test_a_non_private_ip_is_refused(ip):
    w = World()

    result = w.create(endpoint("a", {"aacct.blob.core.windows.net": [ip]}))

    assert ({}, {"aacct.blob.core.windows.net": "invalid"}) == (w.zone(), reasons(result))


def test_release_withdraws_claims_of_an_endpoint_that_still_exists_in_arm():
    w = World()
    pe = endpoint("a")
    w.create(pe)

    result = w.service.converge(pe.id, release=True)

    assert ("released", {}) == (result.status, w.zone())


def test_dry_run_reports_changes_and_writes_nothing():
    w = World()
    pe = endpoint("a")
    w.reader.put(pe)

    result = w.service.converge(pe.id, dry_run=True)

    assert (["create"], [], {}) == ([c.action for c in result.changes], w.store.writes, w.zone())


def test_a_delete_without_an_index_finds_the_records_by_scanning():
    w = World(index=False)
    pe = endpoint("a")
    w.create(pe)

    w.delete(pe)

    assert {} == w.zone()


def test_reconcile_repairs_a_missed_delete_and_a_missed_create():
    w = World()
    gone, missed = endpoint("gone"), endpoint("missed")
    w.create(gone)
    w.reader.remove(gone.id)  # delete event lost
    w.reader.put(missed)  # create event lost

    report = w.service.reconcile([missed.id.subscription_id])

    assert {"missedacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    assert {"gone", "converged"} == {r.status for r in report.endpoints}


def test_events_from_outside_the_source_subscriptions_are_refused():
    from shared.errors import InvalidInput

    w = World(source_subscriptions=frozenset({"99999999-9999-9999-9999-999999999999"}))

    with pytest.raises(InvalidInput, match="PEDNS_SOURCE_SUBSCRIPTIONS"):
        w.service.replay([pe_id("a")])
    assert [] == w.store.writes


def test_skipped_reasons_are_the_documented_codes():
    assert {"unmapped", "foreign", "standby", "pending-approval", "zone-group", "zone-missing"} <= {r.value for r in Reason}


class DeletedAfterFirstRead(InMemoryEndpointReader):
    """ARM as seen by a slow handler: the endpoint is deleted right after the handler read it."""

    def get(self, endpoint_id):
        pe = super().get(endpoint_id)
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

    def get(self, endpoint_id):
        pe = super().get(endpoint_id)
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
