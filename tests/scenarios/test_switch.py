"""`pedns switch`: a regional switch-over and back, each scenario run twice: over the in-memory ports,
and end to end on the ARM emulator through the real Azure SDK clients (HTTPS, etags, pacing).

The estate of the issue's "Done when": 50 shared names over three zones, primaries in eastus and
standbys in westus, a few names without a standby (the DR gaps)."""

from __future__ import annotations

import pytest

from builders import SPOKE, endpoint
from shared.core.model import RecordKey
from shared.core.pins import pin_of
from shared.core.plan import Policy
from shared.usecases.reconcile import reconcile
from shared.usecases.switch import switch
from worlds import BLOB, COSMOS

VAULT = "privatelink.vaultcore.azure.net"
ZONES = (BLOB, COSMOS, VAULT)
SUFFIX = {BLOB: "blob.core.windows.net", COSMOS: "documents.azure.com", VAULT: "vault.azure.net"}
NAMES = 50
GAPS = frozenset({7, 19, 31, 43})  # no standby in westus


def key(i: int) -> RecordKey:
    return RecordKey(ZONES[i % 3], f"app{i}")


def primary(i: int):
    return endpoint(f"p{i}", {f"app{i}.{SUFFIX[ZONES[i % 3]]}": [f"10.1.{i // 200}.{i % 200 + 4}"]},
                    location="eastus", vnet="vnet-east")


def standby(i: int):
    return endpoint(f"s{i}", {f"app{i}.{SUFFIX[ZONES[i % 3]]}": [f"10.2.{i // 200}.{i % 200 + 4}"]},
                    location="westus", vnet="vnet-west")


#: As a DR estate is usually set up: the primaries' region preferred, so that without the pin any
#: write event of a primary would take its name back at once.
PREFER_EAST = Policy(prefer_regions=frozenset({"eastus"}))


def estate(make_world, **options):
    w = make_world(zones=ZONES, **{"policy": PREFER_EAST, **options})
    for i in range(NAMES):
        w.create(primary(i))
    for i in range(NAMES):
        if i not in GAPS:
            w.create(standby(i))
    return w


def served(w) -> dict[RecordKey, tuple[str, ...]]:
    return {r.key: r.ips for r in w.records() if r.type == "A"}


def on_primaries(w, names) -> bool:
    zone = served(w)
    return all(zone[key(i)] == primary(i).dns_configs[0].ips for i in names)


def on_standbys(w, names) -> bool:
    zone = served(w)
    return all(zone[key(i)] == standby(i).dns_configs[0].ips for i in names)


WITH_STANDBY = [i for i in range(NAMES) if i not in GAPS]


def test_the_dry_run_lists_the_moves_and_the_gaps_and_writes_nothing(make_world):
    w = estate(make_world)
    writes = w.write_count()

    report = switch(w.service, region="westus", dry_run=True)

    assert {key(i) for i in WITH_STANDBY} == {n.key for n in report.names if n.state == "moved"}
    assert {key(i) for i in GAPS} == {n.key for n in report.names if n.state == "gap"}
    gap = next(n for n in report.names if n.key == key(7))
    assert ((str(primary(7).id), "eastus"),) == gap.claimants
    assert (writes, True) == (w.write_count(), on_primaries(w, range(NAMES)))
    assert ({BLOB: 17, COSMOS: 13, VAULT: 16}, 17) == (report.writes, report.estimate_seconds)  # 1 s a write


def test_the_switch_moves_exactly_the_names_with_a_standby_and_pins_them(make_world):
    w = estate(make_world)

    report = switch(w.service, region="westus")

    assert {key(i) for i in WITH_STANDBY} == {n.key for n in report.names if n.state == "moved"}
    assert on_standbys(w, WITH_STANDBY) and on_primaries(w, GAPS)
    assert all(pin_of(w.get(key(i))).region == "westus" for i in WITH_STANDBY)
    assert all(pin_of(w.get(key(i))) is None for i in GAPS)
    assert (len(WITH_STANDBY), True) == (report.pins_in_force, report.ok)


def test_a_write_event_for_a_primary_during_and_after_the_switch_does_not_move_a_name_back(make_world):
    w = estate(make_world)
    during = []

    def mid_switch(n, total, name):
        if n in (5, 20):  # a switched name and one the switch has not reached yet
            done = next(i for i in WITH_STANDBY if key(i) == name.key)
            later = WITH_STANDBY[-1]
            during.append(w.service.converge(primary(done).id))
            during.append(w.service.converge(primary(later).id))

    report = switch(w.service, region="westus", progress=mid_switch)
    after = [w.service.converge(primary(i).id) for i in WITH_STANDBY]

    assert report.ok and on_standbys(w, WITH_STANDBY)
    assert [] == [c for r in during[::2] + after for c in r.changes if c.before != c.after]
    assert all(r.records and r.records[0].outcome == "standby" for r in during[::2] + after)


def test_a_concurrent_reconcile_keeps_the_pins(make_world):
    w = estate(make_world)
    reports = []

    def mid_switch(n, total, name):
        if n == total // 2:
            reports.append(reconcile(w.service, subscriptions=[SPOKE]))

    switch(w.service, region="westus", progress=mid_switch)
    reports.append(reconcile(w.service, subscriptions=[SPOKE]))

    assert on_standbys(w, WITH_STANDBY) and on_primaries(w, GAPS)
    assert [] == [c for rep in reports for r in rep.endpoints for c in r.changes]


def test_clear_moves_the_names_back_and_removes_every_pin(make_world):
    w = estate(make_world)
    switch(w.service, region="westus")

    report = switch(w.service, region=None)

    assert {key(i) for i in WITH_STANDBY} == {n.key for n in report.names if n.state == "moved"}
    assert on_primaries(w, range(NAMES))
    assert all(pin_of(r) is None for r in w.records())
    assert 0 == report.pins_in_force


def test_switching_twice_writes_nothing_the_second_time(make_world):
    w = estate(make_world)
    switch(w.service, region="westus")
    writes = w.write_count()

    again = switch(w.service, region="West US")  # spelled as the portal shows it

    assert (writes, len(WITH_STANDBY)) == (w.write_count(), again.tally("unchanged"))


# -- the semantics of a pinned name (README, "Regional switch-over") --------------------------------

SHOP = RecordKey(BLOB, "shop")


def shop(name, ip, location):
    return endpoint(name, {"shop.blob.core.windows.net": [ip]}, location=location, vnet=f"vnet-{location}")


def pinned_shop(make_world, **options):
    """pe-east holds shop; pe-west stands by; the name switched (and pinned) to westus."""
    w = make_world(**options)
    east, west = shop("pe-east", "10.1.0.4", "eastus"), shop("pe-west", "10.2.0.4", "westus")
    w.create(east)
    w.create(west)
    assert switch(w.service, region="westus").ok
    assert ("10.2.0.4",) == w.get(SHOP).ips
    return w, east, west


def test_a_pinned_holder_deleted_hands_the_name_to_another_claimant_in_its_region(make_world):
    w, east, west = pinned_shop(make_world)
    west2 = shop("pe-west2", "10.2.0.5", "westus")
    w.create(west2)  # a newer claimant in the pinned region: stands by while pe-west holds it
    assert ("10.2.0.4",) == w.get(SHOP).ips

    w.delete(west)

    assert (("10.2.0.5",), "westus") == (w.get(SHOP).ips, pin_of(w.get(SHOP)).region)


def test_a_pinned_holder_deleted_with_none_left_in_its_region_fails_over_and_the_pin_stays_dormant(make_world):
    w, east, west = pinned_shop(make_world)

    w.delete(west)

    assert (("10.1.0.4",), east.id) == (w.get(SHOP).ips, w.holder(SHOP))
    assert "westus" == pin_of(w.get(SHOP)).region  # kept, not in force: nobody claims the name there


def test_a_new_claimant_in_the_pinned_region_takes_back_a_name_whose_pin_was_dormant(make_world):
    w, east, west = pinned_shop(make_world)
    w.delete(west)

    w.create(shop("pe-west3", "10.2.0.9", "westus"))

    assert ("10.2.0.9",) == w.get(SHOP).ips


def test_an_endpoint_that_loses_the_names_ips_gives_it_up_and_the_pin_stays(make_world):
    w, east, west = pinned_shop(make_world)

    w.create(endpoint("pe-west", {"other.blob.core.windows.net": ["10.2.0.4"]}, location="westus",
                      vnet="vnet-westus"))  # the name is gone from its customDnsConfigs

    assert (("10.1.0.4",), "westus") == (w.get(SHOP).ips, pin_of(w.get(SHOP)).region)
    assert west.id not in w.claims(SHOP)


def test_a_switch_passes_over_a_claimant_that_is_gone_and_calls_the_name_a_gap(make_world):
    w = make_world()
    east, west = shop("pe-east", "10.1.0.4", "eastus"), shop("pe-west", "10.2.0.4", "westus")
    w.create(east)
    w.create(west)
    w.remove(west)  # deleted while pedns missed the event: its claim is still in the metadata

    report = switch(w.service, region="westus")

    [name] = report.names
    assert ("gap", ("10.1.0.4",)) == (name.state, w.get(SHOP).ips)
    assert str(west.id) in name.detail


def test_the_pin_outranks_preferred_regions_and_clear_gives_them_back_the_name(make_world):
    w, east, west = pinned_shop(make_world, policy=Policy(prefer_regions=frozenset({"eastus"})))
    assert ("10.2.0.4",) == w.get(SHOP).ips
    w.service.converge(east.id)  # the preferred endpoint converges: the pin keeps the name in westus
    assert ("10.2.0.4",) == w.get(SHOP).ips

    switch(w.service, region=None)

    assert ("10.1.0.4",) == w.get(SHOP).ips


def test_upsert_only_switches_and_clears_with_updates_only(make_world):
    w = make_world(policy=Policy(upsert_only=True))
    east = endpoint("pe-east", {"shop.blob.core.windows.net": ["10.1.0.4", "fd00::4"]}, location="eastus")
    west = shop("pe-west", "10.2.0.4", "westus")  # IPv4 only: the AAAA set would be deleted in sync mode
    w.create(east)
    w.create(west)

    moved = switch(w.service, region="westus")
    cleared = switch(w.service, region=None)

    actions = {c.action for r in moved.results + cleared.results for c in r.changes}
    assert {"update"} == actions
    assert (("10.1.0.4",), ("fd00::4",)) == (w.get(SHOP).ips, w.get(SHOP, "AAAA").ips)


def test_a_switch_touches_only_its_own_owners_names(make_world):
    w = make_world()
    east, west = shop("pe-east", "10.1.0.4", "eastus"), shop("pe-west", "10.2.0.4", "westus")
    w.create(east)
    w.create(west)
    theirs = endpoint("pe-theirs", {"theirs.blob.core.windows.net": ["10.3.0.4"]}, location="eastus")
    theirs_dr = endpoint("pe-theirs-dr", {"theirs.blob.core.windows.net": ["10.3.0.5"]}, location="westus")
    other = w.other_deployment("hub-b")
    w.put(theirs)
    w.put(theirs_dr)
    other.converge(theirs.id)
    other.converge(theirs_dr.id)
    before = w.get(RecordKey(BLOB, "theirs"))

    report = switch(w.service, region="westus")

    assert [SHOP] == [n.key for n in report.names]
    assert before == w.get(RecordKey(BLOB, "theirs"))  # byte for byte, etag included


def test_clear_without_preferences_moves_the_name_back_to_the_oldest_claim(make_world):
    w, east, west = pinned_shop(make_world)  # no PEDNS_PREFER_REGIONS: only the claims' age ranks them

    report = switch(w.service, region=None)

    assert (["moved"], ("10.1.0.4",), None) == ([n.state for n in report.names], w.get(SHOP).ips,
                                                pin_of(w.get(SHOP)))


@pytest.mark.parametrize("region", [None, "westus"])
def test_a_dry_run_of_either_kind_writes_nothing(make_world, region):
    w, east, west = pinned_shop(make_world)
    writes = w.write_count()

    switch(w.service, region=region, dry_run=True)

    assert writes == w.write_count()


def test_a_target_deleted_between_the_switchs_read_and_its_write_does_not_get_the_name(make_world):
    """The etag guard: the standby's delete event is handled after the switch read it but before it
    wrote; the switch's write meets the 412, and the name ends on the endpoint that is still there."""
    w = make_world()
    east, west = shop("pe-east", "10.1.0.4", "eastus"), shop("pe-west", "10.2.0.4", "westus")
    w.create(east)
    w.create(west)

    def meanwhile(report):
        w.delete(west)  # another worker handles its delete event

    report = switch(w.service, region="westus", announce=meanwhile)

    assert (("10.1.0.4",), {east.id}) == (w.get(SHOP).ips, w.claims(SHOP))
    assert "failed" == report.names[0].state and not report.ok
    assert report.results[0].conflicts >= 1


def test_a_switch_passes_over_a_gone_claimant_to_the_next_one_in_the_region(make_world):
    w = make_world()
    east, west, west2 = (shop("pe-east", "10.1.0.4", "eastus"), shop("pe-west", "10.2.0.4", "westus"),
                         shop("pe-west2", "10.2.0.5", "westus"))
    for pe in (east, west, west2):
        w.create(pe)
    w.remove(west)  # the first choice in westus (the older claim) is gone; its event not handled yet

    report = switch(w.service, region="westus")

    [name] = report.names
    assert ("moved", str(west2.id), ("10.2.0.5",)) == (name.state, name.target, w.get(SHOP).ips)
    assert str(west.id) in name.detail
