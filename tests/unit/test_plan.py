"""plan.decide: one name, one endpoint's claim → one action. Named scenarios, external-dns style."""

from __future__ import annotations

import pytest

from builders import pe_id
from shared.core import ownership
from shared.core.model import DesiredRecord, RecordKey, RecordSet
from shared.core.ownership import Claim
from shared.core.model import NameState
from shared.core.plan import Policy
from shared.core.plan import decide as decide_name


def decide(key, record, *args, **kwargs):
    """`plan.decide` for a name with one A record set (or none): the IPv4 cases below."""
    return decide_name(key, NameState(key, (record,) if record is not None else ()), *args, **kwargs)

KEY = RecordKey("privatelink.blob.core.windows.net", "acct")
A, B, C = pe_id("pe-a"), pe_id("pe-b"), pe_id("pe-c")
POLICY = Policy(owner_id="pedns", ttl=10)


def want(endpoint, *ips: str) -> DesiredRecord:
    return DesiredRecord(KEY, "acct.blob.core.windows.net", tuple(ips), endpoint)


def ours(ips, holder, *claims: Claim, owner: str = "pedns", extra: dict | None = None) -> RecordSet:
    metadata = ownership.stamp(owner, holder, {c.endpoint_id: c for c in claims}, keep=extra)
    return RecordSet(KEY, tuple(ips), 10, "etag-1", metadata)


def claim(endpoint, since: int, location: str = "westeurope", vnet_hash: str = "") -> Claim:
    return Claim(endpoint, since, location, vnet_hash)


def test_a_free_name_is_created_for_the_first_claim():
    d = decide(KEY, None, A, want(A, "10.0.0.4"), policy=POLICY, now=100)

    assert ("create", "held", ("10.0.0.4",)) == (d.action, d.outcome, d.written().ips)
    assert A == ownership.holder(d.written())
    assert {A} == set(ownership.claims(d.written()))


def test_withdrawing_from_a_free_name_does_nothing():
    assert "none" == decide(KEY, None, A, None, policy=POLICY, now=100).action


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(RecordSet(KEY, ("10.9.9.9",), 3600, "e", {}), id="unstamped"),
        pytest.param(ours(["10.9.9.9"], B, claim(B, 1), owner="other-team"), id="other-owner-id"),
        pytest.param(RecordSet(KEY, ("10.9.9.9",), 10, "e", {}, auto_registered=True), id="auto-registered"),
    ],
)
def test_a_foreign_record_is_never_changed_and_reported_foreign(record):
    for desire in (want(A, "10.0.0.4"), None):
        d = decide(KEY, record, A, desire, policy=POLICY, now=100)
        assert "none" == d.action
    assert "foreign" == decide(KEY, record, A, want(A, "10.0.0.4"), policy=POLICY, now=100).outcome


def test_an_unstamped_record_in_an_adopt_zone_is_adopted_with_its_other_metadata_kept():
    record = RecordSet(KEY, ("10.9.9.9",), 3600, "e", {"createdBy": "ticket-42"})
    policy = Policy(adopt_zones=frozenset({KEY.zone}))

    d = decide(KEY, record, A, want(A, "10.0.0.4"), policy=policy, now=100)

    assert ("update", True, ("10.0.0.4",)) == (d.action, d.adopted, d.written().ips)
    assert "ticket-42" == d.written().metadata["createdBy"]
    assert "pedns" == d.written().metadata[ownership.OWNER_KEY]


@pytest.mark.parametrize(
    "record",
    [
        pytest.param(ours(["10.9.9.9"], B, claim(B, 1), owner="other-team"), id="other-owner-id"),
        pytest.param(RecordSet(KEY, ("10.9.9.9",), 10, "e", {}, auto_registered=True), id="auto-registered"),
    ],
)
def test_adoption_never_takes_another_deployments_or_an_auto_registered_record(record):
    policy = Policy(adopt_zones=frozenset({KEY.zone}))

    assert "none" == decide(KEY, record, A, want(A, "10.0.0.4"), policy=policy, now=100).action


def test_the_holder_keeps_a_shared_name_and_the_newcomer_stands_by():
    record = ours(["10.0.0.4"], A, claim(A, 1))

    d = decide(KEY, record, B, want(B, "10.1.0.4"), policy=POLICY, now=100)

    assert ("update", "standby", ("10.0.0.4",)) == (d.action, d.outcome, d.written().ips)
    assert A == d.holder
    assert {A, B} == set(ownership.claims(d.written()))


def test_a_standby_claim_already_recorded_changes_nothing():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2))

    d = decide(KEY, record, B, want(B, "10.1.0.4"), policy=POLICY, now=100)

    assert ("none", "standby") == (d.action, d.outcome)


def test_the_holders_ip_change_is_followed():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2))

    d = decide(KEY, record, A, want(A, "10.0.0.5", "10.0.0.6"), policy=POLICY, now=100)

    assert ("update", ("10.0.0.5", "10.0.0.6")) == (d.action, d.written().ips)


def test_converging_the_holder_again_is_a_no_op():
    record = ours(["10.0.0.4"], A, claim(A, 1))

    assert "none" == decide(KEY, record, A, want(A, "10.0.0.4"), policy=POLICY, now=100).action


def test_when_the_holder_withdraws_the_oldest_standby_is_asked_for():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(C, 3), claim(B, 2))

    d = decide(KEY, record, A, None, policy=POLICY, now=100)

    assert (B, "none") == (d.needs, d.action)


def test_when_the_holder_withdraws_the_standby_takes_over_with_its_own_ips():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2))

    d = decide(KEY, record, A, None, policy=POLICY, now=100, candidates={B: want(B, "10.1.0.4")})

    assert ("update", "released", B, ("10.1.0.4",)) == (d.action, d.outcome, d.holder, d.written().ips)
    assert {B} == set(ownership.claims(d.written()))


def test_a_standby_that_no_longer_wants_the_name_is_dropped_and_the_next_one_asked_for():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2), claim(C, 3))

    d = decide(KEY, record, A, None, policy=POLICY, now=100, candidates={B: None})

    assert C == d.needs


def test_the_last_claim_withdrawing_deletes_the_record():
    record = ours(["10.0.0.4"], A, claim(A, 1))

    d = decide(KEY, record, A, None, policy=POLICY, now=100)

    assert ("delete", "released") == (d.action, d.outcome)


def test_a_standby_withdrawing_leaves_the_holders_ips_alone():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2))

    d = decide(KEY, record, B, None, policy=POLICY, now=100)

    assert ("update", ("10.0.0.4",), A) == (d.action, d.written().ips, d.holder)
    assert {A} == set(ownership.claims(d.written()))


def test_a_preferred_region_displaces_a_holder_outside_it():
    record = ours(["10.0.0.4"], A, claim(A, 1, "eastus"))
    policy = Policy(prefer_regions=frozenset({"westeurope"}))

    d = decide(KEY, record, B, want(B, "10.1.0.4"), policy=policy, now=100, location="westeurope")

    assert ("update", "held", ("10.1.0.4",)) == (d.action, d.outcome, d.written().ips)


def test_a_preferred_holder_is_not_displaced_by_another_preferred_claim():
    record = ours(["10.0.0.4"], A, claim(A, 5, "westeurope"))
    policy = Policy(prefer_regions=frozenset({"westeurope"}))

    d = decide(KEY, record, B, want(B, "10.1.0.4"), policy=policy, now=100, location="westeurope")

    assert (A, "standby") == (d.holder, d.outcome)


def test_a_preferred_virtual_network_wins_a_free_choice():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2, vnet_hash="cafe0001"), claim(C, 3, vnet_hash="beef0002"))
    policy = Policy(prefer_vnet_hashes=frozenset({"beef0002"}))

    d = decide(KEY, record, A, None, policy=policy, now=100)

    assert C == d.needs


def test_other_metadata_on_our_record_is_preserved():
    record = ours(["10.0.0.4"], A, claim(A, 1), extra={"costCenter": "net-42"})

    d = decide(KEY, record, A, want(A, "10.0.0.9"), policy=POLICY, now=100)

    assert "net-42" == d.written().metadata["costCenter"]


def test_a_ttl_change_in_the_settings_rewrites_our_record():
    record = ours(["10.0.0.4"], A, claim(A, 1))

    d = decide(KEY, record, A, want(A, "10.0.0.4"), policy=Policy(ttl=300), now=100)

    assert ("update", 300) == (d.action, d.written().ttl)


def test_claims_round_trip_through_metadata_and_stay_under_arm_value_limits():
    long_id = pe_id("p" * 80, rg="r" * 90)
    record = ours(["10.0.0.4"], long_id, claim(long_id, 1_700_000_000, "australiasoutheast", "0123abcd"))

    assert {long_id} == set(ownership.claims(record))
    assert long_id == ownership.holder(record)
    assert all(len(v) <= 256 and len(k) <= 64 for k, v in record.metadata.items())


def test_upsert_only_leaves_the_record_when_the_last_claim_goes():
    record = ours(["10.0.0.4"], A, claim(A, 1))

    d = decide(KEY, record, A, None, policy=Policy(upsert_only=True), now=100)

    assert ("none", "released") == (d.action, d.outcome)


def test_upsert_only_still_fails_over_to_a_standby():
    record = ours(["10.0.0.4"], A, claim(A, 1), claim(B, 2))

    d = decide(KEY, record, A, None, policy=Policy(upsert_only=True), now=100, candidates={B: want(B, "10.1.0.4")})

    assert ("update", ("10.1.0.4",)) == (d.action, d.written().ips)
