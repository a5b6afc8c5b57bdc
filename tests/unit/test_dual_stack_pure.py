"""IPv6 in the pure core: which addresses an endpoint may publish, and how a name's A and AAAA record
sets are decided together (plan.decide over a `NameState`)."""

from __future__ import annotations

import pytest

from builders import SuffixResolver, endpoint, pe_id
from shared.core import ownership
from shared.core.desired import DesirePolicy, desire
from shared.core.model import NameState, RecordKey, RecordSet, sort_ips
from shared.core.ownership import Claim
from shared.core.plan import Policy, decide
from shared.core.model import DesiredRecord

FQDN = "acct.blob.core.windows.net"
KEY = RecordKey("privatelink.blob.core.windows.net", "acct")
A, B = pe_id("pe-a"), pe_id("pe-b")
POLICY = Policy()


def wanted(*ips: str):
    return desire(endpoint("a", {FQDN: list(ips)}), SuffixResolver())


@pytest.mark.parametrize("ip", ["fd00:1::4", "fdff:ffff::1", "FD12:3456::0:7"])
def test_unique_local_ipv6_addresses_are_published_by_default(ip):
    result = wanted("10.0.1.4", ip)

    assert ((), sort_ips(["10.0.1.4", ip])) == (result.skipped, result.records[0].ips)


@pytest.mark.parametrize("ip", [
    pytest.param("fe80::1", id="link-local"),
    pytest.param("::1", id="loopback"),
    pytest.param("ff02::1", id="multicast"),
    pytest.param("::", id="unspecified"),
    pytest.param("2001:db8::1", id="documentation"),
    pytest.param("2603:1020::4", id="global unicast"),
    pytest.param("::ffff:10.0.1.4", id="ipv4-mapped"),
    pytest.param("fc00::1", id="ula-fc00-half-not-in-the-default"),
    pytest.param("fd00::1%eth0", id="zone-id"),  # the parser refuses it first; core holds the rule too
])
def test_other_ipv6_addresses_make_the_name_invalid(ip):
    result = wanted("10.0.1.4", ip)

    assert ((), ["invalid"]) == (result.records, [s.reason.value for s in result.skipped])
    assert ip in result.skipped[0].detail


def test_the_allowed_ranges_setting_governs_ipv6_too():
    policy = DesirePolicy.from_ranges(["10.0.0.0/8", "2603:1020::/32"])
    pe = endpoint("a", {FQDN: ["10.0.1.4", "2603:1020::4"]})

    assert ("10.0.1.4", "2603:1020::4") == desire(pe, SuffixResolver(), policy).records[0].ips
    assert ["invalid"] == [s.reason.value for s in desire(endpoint("a", {FQDN: ["fd00::4"]}), SuffixResolver(),
                                                           policy).skipped]
    policy = DesirePolicy.from_ranges(["10.0.0.0/8", "fe80::/10"])  # never, whatever the setting says
    assert ["invalid"] == [s.reason.value for s in desire(endpoint("a", {FQDN: ["fe80::4"]}), SuffixResolver(),
                                                           policy).skipped]


def test_an_endpoints_desire_spells_each_address_once_canonically():
    assert ("10.0.1.4", "fd00:1::4") == wanted("FD00:1:0::4", "10.0.1.4", "fd00:1::4").records[0].ips


# -- plan.decide over both types ----------------------------------------------------------------


def want(endpoint_id, *ips):
    return DesiredRecord(KEY, FQDN, sort_ips(ips), endpoint_id)


def ours(rtype, ips, holder, *claims, etag="e"):
    metadata = ownership.stamp("pedns", holder, {c.endpoint_id: c for c in claims})
    return RecordSet(KEY, tuple(ips), 10, f"{etag}-{rtype}", metadata, type=rtype)


def test_a_free_name_gets_both_types_with_the_same_stamp():
    d = decide(KEY, NameState(KEY), A, want(A, "10.0.0.4", "fd00::4"), policy=POLICY, now=1)

    assert [("A", "create"), ("AAAA", "create")] == [(w.type, w.action) for w in d.writes]
    assert d.written("A").metadata == d.written("AAAA").metadata
    assert ("fd00::4",) == d.written("AAAA").ips


def test_each_write_is_guarded_by_its_own_types_etag():
    claim = Claim(A, 1)
    current = NameState(KEY, (ours("A", ["10.0.0.4"], A, claim), ours("AAAA", ["fd00::4"], A, claim)))

    d = decide(KEY, current, A, want(A, "10.0.0.5", "fd00::5"), policy=POLICY, now=2)

    assert [("A", "update", "e-A"), ("AAAA", "update", "e-AAAA")] == [(w.type, w.action, w.etag) for w in d.writes]


def test_record_sets_whose_holders_disagree_follow_the_holder_a_fail_over_would_pick():
    # An interrupted write left the A with a newer claimant as holder; the AAAA names the older one.
    old, new = Claim(A, 1), Claim(B, 5)
    current = NameState(KEY, (ours("A", ["10.0.0.9"], B, new), ours("AAAA", ["fd00::4"], A, old)))

    d = decide(KEY, current, B, want(B, "10.0.0.9"), policy=POLICY, now=6)

    assert ("standby", A) == (d.outcome, d.holder)
    assert [("A", "delete")] == [(w.type, w.action) for w in d.writes if w.action == "delete"]
    aaaa = d.written("AAAA")
    assert {A, B} == set(ownership.claims(aaaa)) and A == ownership.holder(aaaa)


def test_adoption_takes_only_the_types_the_endpoint_wants():
    policy = Policy(adopt_zones=frozenset({KEY.zone}))
    theirs = RecordSet(KEY, ("fd00::9",), 300, "t", {"createdBy": "hand"}, type="AAAA")

    ipv4_only = decide(KEY, NameState(KEY, (theirs,)), A, want(A, "10.0.0.4"), policy=policy, now=1)
    dual = decide(KEY, NameState(KEY, (theirs,)), A, want(A, "10.0.0.4", "fd00::4"), policy=policy, now=1)

    assert ("foreign", ()) == (ipv4_only.outcome, ipv4_only.writes)
    assert [("A", "create"), ("AAAA", "update")] == [(w.type, w.action) for w in dual.writes]
    assert ("300|fd00::9", "hand") == (dual.written("AAAA").metadata[ownership.ADOPTED_KEY],
                                       dual.written("AAAA").metadata["createdBy"])


def test_upsert_only_keeps_an_aaaa_the_new_holder_has_no_address_for():
    claims = (Claim(A, 1), Claim(B, 2))
    current = NameState(KEY, (ours("A", ["10.0.0.4"], A, *claims), ours("AAAA", ["fd00::4"], A, *claims)))

    d = decide(KEY, current, A, None, policy=Policy(upsert_only=True), now=3,
               candidates={B: want(B, "10.0.0.5")})

    assert [("A", "update")] == [(w.type, w.action) for w in d.writes]


def test_an_unstamped_set_is_never_adopted_only_to_be_deleted():
    # The name's A is ours, held by B (IPv4 only); a hand-made AAAA sits beside it in an adopt zone.
    policy = Policy(adopt_zones=frozenset({KEY.zone}))
    held = ours("A", ["10.0.0.9"], B, Claim(B, 1))
    theirs = RecordSet(KEY, ("fd00::9",), 300, "t", {"createdBy": "hand"}, type="AAAA")

    d = decide(KEY, NameState(KEY, (held, theirs)), A, want(A, "10.0.0.4", "fd00::4"), policy=policy, now=2)

    assert "standby" == d.outcome
    assert [] == [w for w in d.writes if w.type == "AAAA"]  # B serves no IPv6: the hand-made AAAA stays
