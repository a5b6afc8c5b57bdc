"""The estate-scale reconcile and approval events, each run in memory and end to end on the emulator
(Resource Graph answering from the same state as ARM): cost in pages rather than endpoints, the
confirm-before-write rule against a lagging listing, and one bad endpoint isolated from the rest."""

from __future__ import annotations


from builders import SPOKE, SPOKE2, endpoint, pe_id
from shared.core.model import ConnectionStatus, RecordKey, RecordSet, ResourceId
from shared.usecases.reconcile import reconcile
from worlds import BLOB

SHARED = "shared.blob.core.windows.net"


def statuses(report) -> dict[str, str]:
    return {ResourceId(r.endpoint).name: r.status for r in report.endpoints}


def test_a_converged_reconcile_reads_no_endpoint_one_by_one_and_writes_nothing(make_world):
    w = make_world()
    for name in ("a", "b", "c"):
        w.create(endpoint(name))
    w.create(endpoint("holder", {SHARED: ["10.0.1.5"]}))
    w.create(endpoint("standby", {SHARED: ["10.0.1.6"]}))
    w.seed(RecordSet(RecordKey(BLOB, "manual"), ("10.0.2.2",), 3600, None, {"team": "dba"}))
    w.create(endpoint("wants-manual", {"manual.blob.core.windows.net": ["10.0.1.7"]}))
    w.create(endpoint("pending", status=ConnectionStatus.PENDING, manual=True))
    reads, writes = w.endpoint_reads(), w.write_count()

    report = reconcile(w.service, subscriptions=[SPOKE])

    assert (reads, writes) == (w.endpoint_reads(), w.write_count())
    assert (0, 7) == (report.confirmed, report.listed)
    assert {"converged"} == set(statuses(report).values())
    assert {"standby": 1, "foreign": 1, "pending-approval": 1} == report.summary()["skipped"]


def test_drift_is_confirmed_with_arm_and_written_once(make_world):
    w = make_world()
    w.create(endpoint("kept"))
    stale = endpoint("stale")
    w.create(stale)
    w.put(endpoint("stale", {"staleacct.blob.core.windows.net": ["10.0.1.9"]}))  # event lost
    w.put(endpoint("missed"))  # event lost
    gone = endpoint("gone")
    w.create(gone)
    w.remove(gone)  # delete event lost
    reads, writes = w.endpoint_reads(), w.write_count()

    report = reconcile(w.service, subscriptions=[SPOKE])

    assert {"staleacct.privatelink.blob.core.windows.net": ("10.0.1.9",),
            "missedacct.privatelink.blob.core.windows.net": ("10.0.1.4",),
            "keptacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    # one confirmation read each, and a re-read after the create and the delete (the race guard; an
    # update decided from the listing is guarded by its etag instead)
    assert (3, 5, 3) == (report.confirmed, w.endpoint_reads() - reads, w.write_count() - writes)
    assert {"created": 1, "updated": 1, "deleted": 1, "failed": 0} == {
        k: report.summary()[k] for k in ("created", "updated", "deleted", "failed")}


def test_a_lagging_listing_never_writes_an_endpoints_old_state(make_world):
    w = make_world()
    w.create(endpoint("a"))
    w.lag_listing()  # the listing still shows 10.0.1.4
    w.create(endpoint("a", {"aacct.blob.core.windows.net": ["10.0.1.9"]}))  # its event was handled
    writes = w.write_count()

    report = reconcile(w.service, subscriptions=[SPOKE])

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.9",)} == w.zone()
    assert (1, writes) == (report.confirmed, w.write_count())


def test_a_lagging_listing_never_withdraws_an_endpoint_it_does_not_show_yet(make_world):
    w = make_world()
    w.lag_listing()
    w.create(endpoint("new"))  # created and published after the listing's view

    report = reconcile(w.service, subscriptions=[SPOKE])

    assert {"newacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    assert ({"new": "converged"}, 1) == (statuses(report), report.confirmed)


def test_one_unreadable_endpoint_is_reported_and_the_others_still_converge(make_world):
    w = make_world()
    w.put(endpoint("missed"))
    poison = w.poison("poison")

    report = reconcile(w.service, subscriptions=[SPOKE])

    assert {"missed": "converged", "poison": "error"} == statuses(report)
    assert {"missedacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    assert (False, 1, 1) == (report.ok, report.summary()["failed"], report.summary()["created"])
    assert "privateLinkServiceConnections" in next(r.message for r in report.endpoints if ResourceId(r.endpoint) == poison)


def test_a_reconcile_of_one_subscription_changes_nothing_in_another(make_world):
    w = make_world()
    here, there = endpoint("here", sub=SPOKE2), endpoint("there")
    w.create(here)
    w.create(there)
    w.remove(here)  # both delete events lost
    w.remove(there)

    report = reconcile(w.service, subscriptions=[SPOKE2])

    assert {"thereacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    assert ({"here": "gone"}, 1) == (statuses(report), report.out_of_scope)


def test_an_approval_converges_the_endpoints_pointing_at_the_target_from_one_listing(make_world):
    w = make_world()
    for name in ("x", "y", "z"):
        w.create(endpoint(name))
    w.create(endpoint("a", status=ConnectionStatus.PENDING, manual=True))
    approved = endpoint("a", status=ConnectionStatus.APPROVED, manual=True)
    w.put(approved)
    reads = w.endpoint_reads()

    results = w.service.converge_target(ResourceId(approved.connections[0].target_id))

    assert [approved.id] == [ResourceId(r.endpoint) for r in results]
    assert "aacct.privatelink.blob.core.windows.net" in w.zone()
    assert w.endpoint_reads() - reads <= 2  # the confirmation, and the re-read after writing


def test_an_approval_does_not_stop_at_an_endpoint_that_fails(make_world):
    w = make_world()
    target = "/subscriptions/%s/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/shared" % SPOKE
    w.put(endpoint("ok", target=target))
    w.put(endpoint("half", target=target, state="Updating"))

    results = w.service.converge_target(ResourceId(target))

    assert {"half": "not-ready", "ok": "converged"} == {ResourceId(r.endpoint).name: r.status for r in results}
    assert "okacct.privatelink.blob.core.windows.net" in w.zone()


def test_the_report_counts_changes_skips_and_failures(make_world):
    w = make_world()
    w.put(endpoint("one"))
    w.put(endpoint("two", {"two.unknown.example.com": ["10.0.1.8"]}))

    doc = reconcile(w.service, subscriptions=[SPOKE], dry_run=True).to_json()

    assert {"endpoints": 2, "created": 1, "updated": 0, "deleted": 0, "failed": 0, "skipped": {"unmapped": 1}} == {
        k: doc["summary"][k] for k in ("endpoints", "created", "updated", "deleted", "failed", "skipped")}
    assert {} == w.zone()
    assert pe_id("one") in {ResourceId(e["endpoint"]) for e in doc["endpoints"]}
