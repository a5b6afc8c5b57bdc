"""The ownership rules as named scenarios, each run twice: over the in-memory ports, and end to end
on the ARM emulator through the real Azure SDK clients (azure-mgmt-privatedns, ARM pipeline)."""

from __future__ import annotations

import pytest

from shared.usecases.reconcile import reconcile

from builders import endpoint, pe_id
from shared.core import ownership
from shared.core.desired import DesirePolicy
from shared.errors import InvalidInput, NotReady
from shared.core.model import ConnectionStatus, RecordKey, RecordSet, ResourceId
from shared.core.plan import Policy
from worlds import BLOB

SHARED = "shared.blob.core.windows.net"
KEY = RecordKey(BLOB, "shared")
SHARED_RECORD = "shared.privatelink.blob.core.windows.net"


def reasons(result) -> dict[str, str]:
    return {s.fqdn: s.reason.value for s in result.skipped}


def test_an_endpoint_gets_its_record_and_loses_it_when_deleted(make_world):
    w = make_world()
    pe = endpoint("a")

    w.create(pe)
    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    w.delete(pe)
    assert {} == w.zone()


def test_records_carry_the_ownership_stamp_and_the_configured_ttl(make_world):
    w = make_world(policy=Policy(owner_id="hub-weu", ttl=30))
    pe = endpoint("a")

    w.create(pe)

    [record] = w.records()
    assert ("hub-weu", pe.id, {pe.id}, 30) == (record.metadata[ownership.OWNER_KEY], ownership.holder(record),
                                              set(ownership.claims(record)), record.ttl)


def test_converging_twice_writes_once(make_world):
    w = make_world()
    pe = endpoint("a")
    w.create(pe)
    writes = w.write_count()

    again = w.service.converge(pe.id)

    assert (writes, []) == (w.write_count(), again.changes)


def test_a_duplicate_delete_is_harmless(make_world):
    w = make_world()
    pe = endpoint("a")
    w.create(pe)
    w.delete(pe)

    result = w.service.converge(pe.id)

    assert ("gone", [], {}) == (result.status, result.changes, w.zone())


def test_a_multi_region_cosmos_endpoint_gets_global_and_regional_records(make_world):
    w = make_world()
    pe = endpoint("cosmos", {"acct.documents.azure.com": ["10.0.2.4"], "acct-westeurope.documents.azure.com": ["10.0.2.5"]},
                  group="Sql")

    w.create(pe)

    assert {"acct.privatelink.documents.azure.com": ("10.0.2.4",),
            "acct-westeurope.privatelink.documents.azure.com": ("10.0.2.5",)} == w.zone()


def test_a_region_removed_from_cosmos_removes_only_its_record(make_world):
    w = make_world()
    both = {"acct.documents.azure.com": ["10.0.2.4"], "acct-westeurope.documents.azure.com": ["10.0.2.5"]}
    w.create(endpoint("cosmos", both, group="Sql"))

    w.create(endpoint("cosmos", {"acct.documents.azure.com": ["10.0.2.4"]}, group="Sql"))

    assert {"acct.privatelink.documents.azure.com": ("10.0.2.4",)} == w.zone()


def test_an_ip_change_is_followed(make_world):
    w = make_world()
    w.create(endpoint("a"))

    w.create(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.9"]}))

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.9",)} == w.zone()


def test_shared_name_fail_over_chain_holder_then_standbys_then_nothing(make_world):
    w = make_world()
    a, b, c = (endpoint(n, {SHARED: [f"10.0.0.{i}"]}) for i, n in enumerate("abc", 1))
    w.create(a)
    rb, rc = w.create(b), w.create(c)
    assert {SHARED: "standby"} == reasons(rb) == reasons(rc)
    assert ("10.0.0.1",) == w.zone()[SHARED_RECORD]

    w.delete(a)  # holder deleted: the oldest standby takes over
    assert (b.id, ("10.0.0.2",)) == (w.holder(KEY), w.zone()[SHARED_RECORD])
    w.delete(b)  # second fail-over
    assert (c.id, ("10.0.0.3",)) == (w.holder(KEY), w.zone()[SHARED_RECORD])
    w.delete(c)  # last claim gone: the record goes
    assert {} == w.zone()


def test_a_standby_deleted_while_pedns_missed_it_is_skipped_at_fail_over(make_world):
    w = make_world()
    a, b, c = (endpoint(n, {SHARED: [f"10.0.0.{i}"]}) for i, n in enumerate("abc", 1))
    for pe in (a, b, c):
        w.create(pe)
    w.remove(b)  # deleted, event lost

    w.delete(a)

    assert (c.id, ("10.0.0.3",), {c.id}) == (w.holder(KEY), w.zone()[SHARED_RECORD], w.claims(KEY))


def test_a_holder_that_loses_approval_fails_over_like_a_deleted_one(make_world):
    w = make_world()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.create(b)

    w.create(endpoint("a", {SHARED: ["10.0.0.1"]}, status=ConnectionStatus.DISCONNECTED))

    assert (b.id, ("10.0.0.2",), {b.id}) == (w.holder(KEY), w.zone()[SHARED_RECORD], w.claims(KEY))


def test_deleting_a_standby_never_touches_the_holders_ips(make_world):
    w = make_world()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.create(b)

    w.delete(b)

    assert (a.id, ("10.0.0.1",), {a.id}) == (w.holder(KEY), w.get(KEY).ips, w.claims(KEY))


def test_a_preferred_region_takes_a_shared_name_from_a_holder_outside_it(make_world):
    w = make_world(policy=Policy(prefer_regions=frozenset({"westeurope"})))
    far = endpoint("far", {SHARED: ["10.0.0.1"]}, location="eastus")
    near = endpoint("near", {SHARED: ["10.0.0.2"]}, location="westeurope")
    w.create(far)

    result = w.create(near)

    assert ({}, near.id, ("10.0.0.2",)) == (reasons(result), w.holder(KEY), w.zone()[SHARED_RECORD])


def test_a_foreign_record_is_left_byte_identical_and_reported(make_world):
    w = make_world()
    seeded = w.seed(RecordSet(KEY, ("192.168.50.5",), 3600, None, {"owner": "network-team"}))
    pe = endpoint("a", {SHARED: ["10.0.0.1"]})

    result = w.create(pe)
    w.delete(pe)

    assert seeded == w.get(KEY)  # etag included: not even rewritten with the same content
    assert {SHARED: "foreign"} == reasons(result)


def test_an_auto_registered_record_is_never_touched_even_in_an_adopt_zone(make_world):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    seeded = w.seed(RecordSet(KEY, ("10.5.0.4",), 10, None, {}, auto_registered=True))

    result = w.create(endpoint("a", {SHARED: ["10.0.0.1"]}))

    assert (seeded, {SHARED: "foreign"}) == (w.get(KEY), reasons(result))


def test_adoption_takes_over_an_unstamped_record_in_a_listed_zone_keeping_its_metadata(make_world):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    w.seed(RecordSet(KEY, ("10.9.9.9",), 3600, None, {"ticket": "CHG-7"}))

    w.create(endpoint("a", {SHARED: ["10.0.0.1"]}))

    record = w.get(KEY)
    assert ("pedns", "CHG-7", ("10.0.0.1",)) == (record.metadata[ownership.OWNER_KEY], record.metadata["ticket"],
                                                record.ips)


def test_a_dry_run_in_an_adopt_zone_says_it_would_adopt_and_warns_of_nothing(make_world, caplog):
    w = make_world(policy=Policy(adopt_zones=frozenset({BLOB})))
    seeded = w.seed(RecordSet(KEY, ("10.9.9.9",), 3600, None, {"ticket": "CHG-7"}))
    pe = endpoint("a", {SHARED: ["10.0.0.1"]})
    w.put(pe)

    with caplog.at_level("INFO", logger="pedns"):
        result = w.service.converge(pe.id, dry_run=True)

    assert (seeded, ["update"]) == (w.get(KEY), [c.action for c in result.changes])
    assert [] == [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(r.getMessage().startswith(f"would adopt A {KEY}") for r in caplog.records)


def test_another_owner_ids_record_is_foreign_to_us(make_world):
    mine = make_world(policy=Policy(owner_id="hub-a"))
    mine.create(endpoint("a", {SHARED: ["10.0.0.1"]}))
    before = mine.get(KEY)
    b = endpoint("b", {SHARED: ["10.0.0.2"]})
    mine.put(b)

    result = mine.other_deployment("hub-b").converge(b.id)

    assert ({SHARED: "foreign"}, before) == (reasons(result), mine.get(KEY))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(ConnectionStatus.PENDING, "pending-approval", id="pending"),
        pytest.param(ConnectionStatus.REJECTED, "rejected", id="rejected"),
        pytest.param(ConnectionStatus.DISCONNECTED, "rejected", id="disconnected"),
    ],
)
def test_unapproved_connections_get_no_record(make_world, status, expected):
    w = make_world()

    result = w.create(endpoint("a", status=status, manual=True))

    assert ({}, {"aacct.blob.core.windows.net": expected}) == (w.zone(), reasons(result))


def test_pending_connections_are_published_when_the_setting_says_so(make_world):
    w = make_world(desire=DesirePolicy(publish_pending=True))

    w.create(endpoint("a", status=ConnectionStatus.PENDING, manual=True))

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()


def test_approval_later_is_picked_up_by_reconcile_and_disconnection_withdraws_the_claim(make_world):
    w = make_world()
    w.create(endpoint("a", status=ConnectionStatus.PENDING, manual=True))
    assert {} == w.zone()

    w.put(endpoint("a", status=ConnectionStatus.APPROVED, manual=True))  # approved on the target: no event here
    reconcile(w.service, subscriptions=[pe_id("a").subscription_id])
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
def test_a_fresh_endpoint_is_not_ready_rather_than_nothing_to_do(make_world, pe):
    w = make_world()
    w.put(pe)
    writes = w.write_count()

    with pytest.raises(NotReady):
        w.service.converge(pe.id)
    assert writes == w.write_count()


def test_a_zone_group_endpoint_is_left_to_azure_unless_configured(make_world):
    plain = make_world()
    pe = endpoint("a", zone_group=True)

    result = plain.create(pe)

    assert {"aacct.blob.core.windows.net": "zone-group"} == reasons(result)
    assert [] == [r for r in plain.records() if ownership.OWNER_KEY in r.metadata]


def test_a_zone_group_endpoint_is_managed_when_configured_and_its_azure_record_is_foreign(make_world):
    managed = make_world(desire=DesirePolicy(manage_zone_group_endpoints=True), policy=Policy(adopt_zones=frozenset({BLOB})))
    pe = endpoint("a", zone_group=True)

    managed.create(pe)

    assert ["pedns"] == [r.metadata.get(ownership.OWNER_KEY) for r in managed.records()]


def test_a_missing_hub_zone_is_reported_or_created_when_opted_in(make_world):
    reported = make_world(zones=())
    pe = endpoint("a")

    result = reported.create(pe)

    assert {"aacct.blob.core.windows.net": "zone-missing"} == reasons(result)
    created = make_world(zones=(), create_zones=True)
    created.create(endpoint("a"))
    assert ([BLOB], 1) == (created.zones(), len(created.zone()))


def test_an_unmapped_fqdn_is_reported_not_guessed(make_world):
    w = make_world()

    result = w.create(endpoint("a", {"thing.example.invalid": ["10.0.0.1"]}))

    assert ({}, {"thing.example.invalid": "unmapped"}) == (w.zone(), reasons(result))


@pytest.mark.parametrize("ip", ["8.8.8.8", "127.0.0.1", "169.254.1.1", "224.0.0.1", "0.0.0.0"])
def test_a_non_private_ip_is_refused(make_world, ip):
    w = make_world()

    result = w.create(endpoint("a", {"aacct.blob.core.windows.net": [ip]}))

    assert ({}, {"aacct.blob.core.windows.net": "invalid"}) == (w.zone(), reasons(result))


def test_release_withdraws_claims_of_an_endpoint_that_still_exists_in_arm(make_world):
    w = make_world()
    pe = endpoint("a")
    w.create(pe)

    result = w.service.release(pe.id)

    assert ("released", {}) == (result.status, w.zone())


def test_dry_run_reports_changes_and_writes_nothing(make_world):
    w = make_world()
    pe = endpoint("a")
    w.put(pe)
    writes = w.write_count()

    result = w.service.converge(pe.id, dry_run=True)

    assert (["create"], writes, {}) == ([c.action for c in result.changes], w.write_count(), w.zone())


def test_a_delete_without_an_index_finds_the_records_by_scanning(make_world):
    w = make_world(index=False)
    pe = endpoint("a")
    w.create(pe)

    w.delete(pe)

    assert {} == w.zone()


def test_reconcile_repairs_a_missed_delete_and_a_missed_create(make_world):
    w = make_world()
    gone, missed = endpoint("gone"), endpoint("missed")
    w.create(gone)
    w.remove(gone)  # delete event lost
    w.put(missed)  # create event lost

    report = reconcile(w.service, subscriptions=[missed.id.subscription_id])

    assert {"missedacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    assert {"gone", "converged"} == {r.status for r in report.endpoints}


def test_events_from_outside_the_source_subscriptions_are_refused(make_world):
    w = make_world(source_subscriptions=frozenset({"99999999-9999-9999-9999-999999999999"}))
    writes = w.write_count()

    with pytest.raises(InvalidInput, match="PEDNS_SOURCE_SUBSCRIPTIONS"):
        w.service.replay([pe_id("a")])
    assert writes == w.write_count()


def test_a_connection_change_on_the_target_converges_only_the_endpoints_pointing_at_it(make_world):
    w = make_world()
    other = endpoint("other")
    w.create(other)
    w.create(endpoint("a", status=ConnectionStatus.PENDING, manual=True))
    approved = endpoint("a", status=ConnectionStatus.APPROVED, manual=True)
    w.put(approved)

    results = w.service.converge_target(ResourceId(approved.connections[0].target_id))

    assert [approved.id] == [ResourceId(r.endpoint) for r in results]
    assert {"aacct.privatelink.blob.core.windows.net", "otheracct.privatelink.blob.core.windows.net"} == set(w.zone())


def test_dry_run_mode_makes_every_door_report_without_writing(make_world):
    w = make_world(dry_run=True)
    pe = endpoint("a")
    w.put(pe)
    writes = w.write_count()

    converged = w.service.converge(pe.id)
    reconciled = reconcile(w.service, subscriptions=[pe.id.subscription_id])

    assert (["create"], ["create"]) == ([c.action for c in converged.changes],
                                        [c.action for r in reconciled.endpoints for c in r.changes])
    assert (writes, {}) == (w.write_count(), w.zone())
