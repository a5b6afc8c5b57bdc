"""The pin (pure): its metadata value, how a decision honours and carries it, and the switch plan."""

from __future__ import annotations

import pytest

from builders import pe_id
from shared.core import ownership
from shared.core.model import DesiredRecord, NameState, RecordKey, RecordSet
from shared.core.ownership import Claim
from shared.core.pins import PIN_KEY, Pin, merged_pin, pin_of
from shared.core.plan import Policy, Repin, decide
from shared.core.plan.pins import in_force, pinned_holder
from shared.core.plan.switch import clear_plan, estimate_seconds, in_turn, pins_in_force, switch_plan, writes_by_zone
from shared.core.regions import unknown_region

ZONE = "privatelink.blob.core.windows.net"
KEY = RecordKey(ZONE, "shop")
EAST, WEST, WEST2 = pe_id("pe-east"), pe_id("pe-west"), pe_id("pe-west2")
CLAIMS = {EAST: Claim(EAST, 100, "eastus"), WEST: Claim(WEST, 200, "westus"), WEST2: Claim(WEST2, 300, "westus")}


def record(holder, claims, *, pin=None, owner="pedns", ips=("10.1.0.4",), rtype="A", key=KEY) -> RecordSet:
    metadata = ownership.stamp(owner, holder, claims, pin=pin)
    return RecordSet(key, ips, 10, "etag-1", metadata, type=rtype)


@pytest.mark.parametrize("value, expected", [
    ("westus|1700000000", Pin("westus", 1700000000)),
    ("West US 2|5", Pin("westus2", 5)),
    ("westus", None), ("westus|soon", None), ("west-us|5", None), ("", None),
], ids=["plain", "spaces-and-case", "no-since", "bad-since", "not-a-region-name", "empty"])
def test_a_pin_value_is_read_or_ignored_whole(value, expected):
    assert expected == Pin.decode(value)


def test_the_pin_key_is_read_without_case_and_is_a_pedns_key():
    rec = RecordSet(KEY, ("10.0.0.4",), 10, "e", {"PednsPin": "westus|7", "team": "dba"})

    assert (Pin("westus", 7), {"team": "dba"}, True) == (pin_of(rec), ownership.unstamped(rec.metadata),
                                                         ownership.is_stamped(rec))


def test_the_stamp_writes_the_pin_only_when_there_is_one():
    assert PIN_KEY not in ownership.stamp("pedns", EAST, CLAIMS)
    assert "westus|9" == ownership.stamp("pedns", EAST, CLAIMS, pin=Pin("westus", 9))[PIN_KEY]


def test_two_sets_that_disagree_after_an_interrupted_write_take_the_latest_pin():
    a = record(WEST, CLAIMS, pin=Pin("westus", 5))
    aaaa = record(WEST, CLAIMS, pin=Pin("eastus", 9), rtype="AAAA", ips=("fd00::4",))

    assert Pin("eastus", 9) == merged_pin([a, aaaa])


@pytest.mark.parametrize("old, pin, rerank, expected", [
    (EAST, Pin("westus", 0), False, WEST),  # in force, the holder elsewhere: the oldest claim in the region
    (WEST2, Pin("westus", 0), False, WEST2),  # in force, the holder in the region keeps it
    (EAST, Pin("northeurope", 0), False, EAST),  # dormant: the normal order (the holder keeps it)
    (WEST2, None, True, EAST),  # a clear: ranked afresh, the oldest claim
    (WEST2, None, False, WEST2),  # no pin, no clear: the holder keeps it as ever
], ids=["move", "stay-in-region", "dormant", "clear", "no-pin"])
def test_the_pinned_holder(old, pin, rerank, expected):
    assert expected == pinned_holder(old, CLAIMS, Policy(), pin, rerank=rerank)


def test_a_pin_outranks_preferred_regions_and_a_dormant_one_does_not():
    prefer_east = Policy(prefer_regions=frozenset({"eastus"}))

    assert WEST == pinned_holder(WEST, CLAIMS, prefer_east, Pin("westus", 0))
    assert EAST == pinned_holder(WEST, {EAST: CLAIMS[EAST]}, prefer_east, Pin("westus", 0))
    assert (True, False) == (in_force(Pin("westus", 0), CLAIMS), in_force(Pin("westus", 0), {EAST: CLAIMS[EAST]}))


def desire(endpoint_id, ips=("10.1.0.4",)) -> DesiredRecord:
    return DesiredRecord(KEY, "shop.blob.core.windows.net", ips, endpoint_id)


def test_a_decision_for_another_claimant_keeps_the_pin_and_writes_nothing():
    pinned = record(WEST, CLAIMS, pin=Pin("westus", 5), ips=("10.2.0.4",))

    decision = decide(KEY, NameState(KEY, (pinned,)), EAST, desire(EAST), policy=Policy(), now=1000,
                      location="eastus")

    assert ("standby", WEST, (), Pin("westus", 5)) == (decision.outcome, decision.holder, decision.writes,
                                                        decision.pin)


def test_a_switch_to_the_region_it_is_pinned_to_keeps_the_pin_as_it_is():
    pinned = record(WEST, CLAIMS, pin=Pin("westus", 5), ips=("10.2.0.4",))

    decision = decide(KEY, NameState(KEY, (pinned,)), WEST, desire(WEST, ("10.2.0.4",)), policy=Policy(), now=1000,
                      repin=Repin(Pin("westus", 999)))

    assert ((), Pin("westus", 5)) == (decision.writes, decision.pin)


def test_a_clear_writes_the_sets_without_the_pin():
    pinned = record(WEST, CLAIMS, pin=Pin("westus", 5), ips=("10.2.0.4",))

    decision = decide(KEY, NameState(KEY, (pinned,)), EAST, desire(EAST), policy=Policy(), now=1000,
                      repin=Repin(None))

    written = decision.written()
    assert (EAST, None, ("10.1.0.4",)) == (ownership.holder(written), pin_of(written), written.ips)


def test_upsert_only_keeps_a_pinned_release_as_it_is():
    pinned = record(WEST, {WEST: CLAIMS[WEST]}, pin=Pin("westus", 5), ips=("10.2.0.4",))

    decision = decide(KEY, NameState(KEY, (pinned,)), WEST, None, policy=Policy(upsert_only=True), now=1000)

    assert ("released", ()) == (decision.outcome, decision.writes)


# -- the plan -------------------------------------------------------------------------------------


def state(name, holder, claims, **kw) -> NameState:
    key = RecordKey(kw.pop("zone", ZONE), name)
    return NameState(key, (record(holder, claims, key=key, **kw),))


def test_the_plan_moves_stays_and_gaps_and_leaves_other_owners_out():
    names = [
        state("move", EAST, CLAIMS),
        state("stay", WEST, CLAIMS),
        state("pinned", WEST, CLAIMS, pin=Pin("westus", 1)),
        state("gap", EAST, {EAST: CLAIMS[EAST]}),
        state("theirs", EAST, CLAIMS, owner="hub-b"),
    ]

    plan = {i.key.name: (i.kind, i.target, i.writes) for i in switch_plan(names, "West US", policy=Policy())}

    assert {"move": ("move", WEST, 1), "stay": ("stay", WEST, 1), "pinned": ("stay", WEST, 0),
            "gap": ("gap", None, 0)} == plan


def test_clear_plans_only_pinned_names_ranked_afresh():
    names = [state("pinned", WEST, CLAIMS, pin=Pin("westus", 1)), state("plain", WEST, CLAIMS)]

    [item] = clear_plan(names, policy=Policy())

    assert ("pinned", "move", EAST) == (item.key.name, item.kind, item.target)


def test_the_estimate_is_the_busiest_zones_writes_at_60_a_minute_and_zones_take_turns():
    other = "privatelink.vaultcore.azure.net"
    names = [state(f"n{i}", EAST, CLAIMS) for i in range(90)] + [state(f"v{i}", EAST, CLAIMS, zone=other)
                                                                  for i in range(3)]
    plan = switch_plan(names, "westus", policy=Policy())

    assert ({ZONE: 90, other: 3}, 90) == (writes_by_zone(plan), estimate_seconds(plan))
    assert [ZONE, other, ZONE, other] == [i.key.zone for i in in_turn(plan)[:4]]


def test_pins_in_force_and_dormant_are_counted_apart():
    names = [state("live", WEST, CLAIMS, pin=Pin("westus", 1)),
             state("dormant", EAST, {EAST: CLAIMS[EAST]}, pin=Pin("westus", 1)), state("plain", EAST, CLAIMS)]

    assert (1, 1) == pins_in_force(names, "pedns")


@pytest.mark.parametrize("region, expected", [
    ("westus2", None), ("West US 2", None), (" WESTUS2 ", None),
    ("west-us", "'west-us' is not a region of AzureCloud (did you mean westus or westus3 or westus2?)"),
    ("mars", "'mars' is not a region of AzureCloud"),
])
def test_a_region_is_checked_against_the_clouds_in_any_case_and_spacing(region, expected):
    assert expected == unknown_region(region, "AzureCloud")


def test_a_hand_over_that_deletes_one_type_writes_the_pin_on_the_surviving_set_first():
    """Found by the property tests: A deleted, then the AAAA update interrupted, lost the pin for good."""
    claims = {WEST: CLAIMS[WEST], EAST: CLAIMS[EAST]}
    a = record(WEST, claims, pin=Pin("westus", 5), ips=("10.2.0.4",))
    aaaa = record(WEST, claims, pin=Pin("westus", 5), ips=("fd00::24",), rtype="AAAA")
    east_v6 = DesiredRecord(KEY, "shop.blob.core.windows.net", ("fd00::14",), EAST)

    decision = decide(KEY, NameState(KEY, (a, aaaa)), WEST, None, policy=Policy(), now=1000,
                      candidates={EAST: east_v6})

    assert [("AAAA", "update"), ("A", "delete")] == [(w.type, w.action) for w in decision.writes]
    assert Pin("westus", 5) == pin_of(decision.written("AAAA"))


def test_a_switch_writes_the_pin_again_where_an_interrupted_write_left_one_set_without_it():
    claims = {WEST: CLAIMS[WEST], EAST: CLAIMS[EAST]}
    a = record(WEST, claims, pin=Pin("westus", 5))
    aaaa = record(WEST, claims, ips=("fd00::24",), rtype="AAAA")

    [item] = switch_plan([NameState(KEY, (a, aaaa))], "westus", policy=Policy())

    assert ("stay", 2) == (item.kind, item.writes)
