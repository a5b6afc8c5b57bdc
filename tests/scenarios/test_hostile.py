"""Validation per name, isolation per endpoint (issue 22): one bad entry costs its own name, with a
reason, and never the endpoint's other names nor another team's endpoint. Each scenario runs in
memory and end to end on the ARM emulator (the hostile body is PUT raw and read back through ARM)."""

from __future__ import annotations

import pytest

from builders import endpoint
from shared.core.model import Reason, RecordKey
from shared.errors import NotReady
from worlds import BLOB

SHARED = "shared.blob.core.windows.net"
KEY = RecordKey(BLOB, "shared")
SHARED_RECORD = "shared.privatelink.blob.core.windows.net"

HOSTILE = {
    "escape": {"fqdn": "shop\u001b[31mlogs.blob.core.windows.net", "ipAddresses": ["10.0.1.5"]},
    "wildcard": {"fqdn": "*.blob.core.windows.net", "ipAddresses": ["10.0.1.5"]},
    "punctuation": {"fqdn": "bad_name!.blob.core.windows.net", "ipAddresses": ["10.0.1.5"]},
    "empty": {"fqdn": "", "ipAddresses": ["10.0.1.5"]},
    "zone-id": {"fqdn": "zoned.blob.core.windows.net", "ipAddresses": ["fd00::1%eth0"]},
    "ip-garbage": {"fqdn": "garbage.blob.core.windows.net", "ipAddresses": ["10.0.1.256"]},
    "not-an-object": "x",
}


def invalid(result) -> list[str]:
    return [s.detail for s in result.skipped if s.reason is Reason.INVALID]


@pytest.mark.parametrize("entry", list(HOSTILE.values()), ids=list(HOSTILE))
def test_one_bad_entry_is_skipped_invalid_and_the_good_name_converges(make_world, entry):
    w = make_world()
    pe = endpoint("a")
    w.put_hostile(pe, entry)

    result = w.service.converge(pe.id)

    assert {"aacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
    assert ({}, "converged") == (w.zone6(), result.status)
    [detail] = invalid(result)
    assert "customDnsConfigs[1]" in detail and "\x1b" not in detail, detail


def test_an_empty_fqdn_is_invalid_never_not_ready(make_world):
    """Issue 22, repro 6: `"fqdn": ""` read as "customDnsConfigs is still empty" (NotReady, retried an hour)."""
    w = make_world()
    pe = endpoint("a", {})
    w.put_hostile(pe, {"fqdn": "", "ipAddresses": ["10.0.1.4"]})

    try:
        result = w.service.converge(pe.id)
    except NotReady as exc:  # the old answer
        pytest.fail(f"an empty fqdn read as not ready: {exc}")

    assert (["properties.customDnsConfigs[0].fqdn is empty"], {}) == (invalid(result), w.zone())


def test_an_ipv6_zone_id_is_refused_and_nothing_is_published_for_that_name(make_world):
    """Issue 22, repro 3: `fd00::1%eth0` was published as an AAAA record."""
    w = make_world()
    pe = endpoint("a", {})
    w.put_hostile(pe, {"fqdn": "aacct.blob.core.windows.net", "ipAddresses": ["10.0.1.4", "fd00::1%eth0"]})

    result = w.service.converge(pe.id)

    assert ({}, {}) == (w.zone(), w.zone6())
    assert ["has an IPv6 zone id"] == [d[d.index("has"):d.index(":")] for d in invalid(result)]


def test_a_holders_bad_entry_for_another_name_keeps_it_holder_and_the_newcomer_stands_by(make_world):
    """Issue 22, repro 2: the holder's malformed body made its standby's replay fail (exit 1) and its
    event be dropped. The holder still validly claims the name: the newcomer is standby."""
    w = make_world()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.put_hostile(a, {"fqdn": "bad_name!.blob.core.windows.net", "ipAddresses": ["10.30.1.4"]})

    result = w.create(b)

    assert {SHARED: "standby"} == {s.fqdn: s.reason.value for s in result.skipped}
    assert (a.id, {a.id, b.id}, ("10.0.0.1",)) == (w.holder(KEY), w.claims(KEY), w.zone()[SHARED_RECORD])


def test_a_holder_whose_entry_for_the_name_went_bad_no_longer_claims_it_and_the_standby_takes_over(make_world):
    w = make_world()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.create(b)
    w.put_hostile(endpoint("a", {}), {"fqdn": SHARED, "ipAddresses": ["10.0.0.1%eth0"]})

    result = w.service.converge(b.id)

    assert ("converged", b.id, ("10.0.0.2",)) == (result.status, w.holder(KEY), w.zone()[SHARED_RECORD])


def test_a_holder_whose_envelope_cannot_be_read_claims_nothing_and_the_standby_takes_over(make_world):
    w = make_world()
    a, b = endpoint("a", {SHARED: ["10.0.0.1"]}), endpoint("b", {SHARED: ["10.0.0.2"]})
    w.create(a)
    w.create(b)
    w.break_envelope(a)

    result = w.service.converge(b.id)

    assert ("converged", b.id, ("10.0.0.2",)) == (result.status, w.holder(KEY), w.zone()[SHARED_RECORD])


def test_a_name_reported_twice_with_one_bad_entry_is_refused_whole_not_published_with_half_its_addresses(make_world):
    w = make_world()
    pe = endpoint("a")  # aacct.blob.core.windows.net → 10.0.1.4
    w.put_hostile(pe, {"fqdn": "aacct.blob.core.windows.net", "ipAddresses": ["10.0.1.5", "10.0.1.256"]})

    result = w.service.converge(pe.id)

    assert ({}, ["aacct.blob.core.windows.net"]) == (w.zone(), [s.fqdn for s in result.skipped])
