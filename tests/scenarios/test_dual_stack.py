"""Dual-stack and IPv6-only private endpoints: AAAA records under the same ownership rules as A.

Each scenario runs twice: over the in-memory ports, and end to end on the ARM emulator through
azure-mgmt-privatedns (AAAA record sets with their own etags)."""

from __future__ import annotations

from builders import endpoint
from shared.core import ownership
from shared.core.model import RecordKey, RecordSet
from shared.usecases.reconcile import reconcile
from worlds import BLOB

FQDN = "dual.blob.core.windows.net"
KEY = RecordKey(BLOB, "dual")
NAME = "dual.privatelink.blob.core.windows.net"


def dual(name: str, v4: str | None = "10.0.1.4", v6: str | None = "fd00:1::4", **kwargs):
    return endpoint(name, {FQDN: [ip for ip in (v4, v6) if ip]}, **kwargs)


def stamp(record: RecordSet) -> tuple:
    return (ownership.owner_of(record), ownership.holder(record), ownership.claims(record))


def reasons(result) -> dict[str, str]:
    return {s.fqdn: s.reason.value for s in result.skipped}


def test_a_dual_stack_endpoint_gets_an_a_and_an_aaaa_set_with_one_stamp_and_loses_both(make_world):
    w = make_world()
    pe = dual("a")

    result = w.create(pe)

    assert ({NAME: ("10.0.1.4",)}, {NAME: ("fd00:1::4",)}) == (w.zone(), w.zone6())
    a, aaaa = w.get(KEY, "A"), w.get(KEY, "AAAA")
    assert stamp(a) == stamp(aaaa) and pe.id == ownership.holder(aaaa)
    assert a.etag != aaaa.etag  # two record sets, each guarded by its own etag
    assert [("A", ["10.0.1.4"]), ("AAAA", ["fd00:1::4"])] == [
        (r["type"], r["ips"]) for r in result.to_json()["records"]]
    assert {("create", "A"), ("create", "AAAA")} == {(c.action, c.type) for c in result.changes}

    w.delete(pe)
    assert ({}, {}) == (w.zone(), w.zone6())


def test_converging_a_dual_stack_endpoint_again_writes_nothing(make_world):
    w = make_world()
    pe = dual("a")
    w.create(pe)
    writes = w.write_count()

    again = w.service.converge(pe.id)

    assert (writes, []) == (w.write_count(), again.changes)


def test_an_endpoint_that_loses_ipv6_withdraws_its_aaaa_and_keeps_its_a(make_world):
    w = make_world()
    w.create(dual("a"))
    a_before = w.get(KEY, "A")

    result = w.create(dual("a", v6=None))

    assert [("delete", "AAAA")] == [(c.action, c.type) for c in result.changes]
    assert ({NAME: ("10.0.1.4",)}, {}) == (w.zone(), w.zone6())
    assert a_before.etag == w.get(KEY, "A").etag  # untouched


def test_an_endpoint_that_gains_ipv6_gets_an_aaaa_set_beside_its_a(make_world):
    w = make_world()
    w.create(dual("a", v6=None))

    result = w.create(dual("a"))

    assert [("create", "AAAA")] == [(c.action, c.type) for c in result.changes]
    assert stamp(w.get(KEY, "A")) == stamp(w.get(KEY, "AAAA"))


def test_an_ipv6_only_endpoint_gets_an_aaaa_set_and_no_a(make_world):
    w = make_world()
    pe = dual("a", v4=None, v6="fd00:1::9")

    result = w.create(pe)

    assert ({}, {NAME: ("fd00:1::9",)}, {}) == (w.zone(), w.zone6(), reasons(result))
    assert [{"zone": BLOB, "name": "dual", "type": "AAAA", "fqdn": FQDN, "ips": ["fd00:1::9"]}] == \
        result.to_json()["records"]
    w.delete(pe)
    assert {} == w.zone6()


def test_an_ipv6_address_outside_the_allowed_ranges_is_invalid_and_nothing_is_written(make_world):
    w = make_world()

    result = w.create(dual("a", v6="2001:db8::4"))  # documentation range: not a ULA

    assert ({FQDN: "invalid"}, {}, {}) == (reasons(result), w.zone(), w.zone6())
    assert "2001:db8::4" in result.skipped[0].detail


def test_two_dual_stack_endpoints_share_a_name_and_fail_over_together(make_world):
    w = make_world()
    primary, dr = dual("primary"), dual("dr", v4="10.0.2.4", v6="fd00:2::4")
    w.create(primary)

    standby = w.create(dr)

    assert {FQDN: "standby"} == reasons(standby)
    assert {primary.id, dr.id} == w.claims(KEY, "A") == w.claims(KEY, "AAAA")
    assert ({NAME: ("10.0.1.4",)}, {NAME: ("fd00:1::4",)}) == (w.zone(), w.zone6())

    w.delete(primary)

    assert ({NAME: ("10.0.2.4",)}, {NAME: ("fd00:2::4",)}) == (w.zone(), w.zone6())
    assert dr.id == w.holder(KEY, "A") == w.holder(KEY, "AAAA")
    assert {dr.id} == w.claims(KEY, "A") == w.claims(KEY, "AAAA")
    w.delete(dr)
    assert ({}, {}) == (w.zone(), w.zone6())


def test_a_fail_over_to_an_ipv4_only_standby_withdraws_the_aaaa(make_world):
    w = make_world()
    holder, standby = dual("holder"), dual("standby", v4="10.0.2.4", v6=None)
    w.create(holder)
    w.create(standby)

    w.delete(holder)

    assert ({NAME: ("10.0.2.4",)}, {}) == (w.zone(), w.zone6())
    assert standby.id == w.holder(KEY, "A")


def test_a_fail_over_to_a_dual_stack_standby_adds_the_aaaa(make_world):
    w = make_world()
    holder, standby = dual("holder", v6=None), dual("standby", v4="10.0.2.4", v6="fd00:2::4")
    w.create(holder)
    assert {FQDN: "standby"} == reasons(w.create(standby))
    assert {} == w.zone6()  # the name serves its holder's addresses only

    w.delete(holder)

    assert ({NAME: ("10.0.2.4",)}, {NAME: ("fd00:2::4",)}) == (w.zone(), w.zone6())
    assert stamp(w.get(KEY, "A")) == stamp(w.get(KEY, "AAAA"))


def test_a_foreign_aaaa_next_to_an_owned_a_is_left_alone_and_reported(make_world):
    w = make_world()
    pe = dual("a", v6=None)
    w.create(pe)
    owned = w.get(KEY, "A")
    foreign = w.seed(RecordSet(KEY, ("fd00:9::9",), 3600, None, {"createdBy": "hand"}, type="AAAA"))

    again = w.service.converge(pe.id)

    assert {FQDN: "foreign"} == reasons(again)
    assert "AAAA record set is not created by pedns" in again.skipped[0].detail
    assert ([], owned.etag) == (again.changes, w.get(KEY, "A").etag)  # its own A is kept as it was
    assert [("A", ["10.0.1.4"])] == [(r["type"], r["ips"]) for r in again.to_json()["records"]]

    w.delete(pe)  # the A goes with its last claim; the foreign AAAA stays byte for byte
    assert ({}, foreign) == (w.zone(), w.get(KEY, "AAAA"))


def test_a_foreign_aaaa_makes_the_name_foreign_even_for_an_ipv4_only_endpoint(make_world):
    w = make_world()
    foreign = w.seed(RecordSet(KEY, ("fd00:9::9",), 3600, None, {}, type="AAAA"))

    result = w.create(dual("a", v6=None))

    assert ({FQDN: "foreign"}, {}, foreign) == (reasons(result), w.zone(), w.get(KEY, "AAAA"))


def test_a_foreign_a_makes_the_name_foreign_for_a_dual_stack_endpoint(make_world):
    w = make_world()
    foreign = w.seed(RecordSet(KEY, ("10.9.9.9",), 3600, None, {}))

    result = w.create(dual("a"))

    assert ({FQDN: "foreign"}, {}, foreign) == (reasons(result), w.zone6(), w.get(KEY, "A"))


def test_a_second_dual_stack_endpoint_joining_after_a_foreign_aaaa_appeared_gets_no_claim(make_world):
    w = make_world()
    first = dual("first", v6=None)
    w.create(first)
    w.seed(RecordSet(KEY, ("fd00:9::9",), 3600, None, {}, type="AAAA"))

    late = w.create(dual("late", v4="10.0.2.4", v6="fd00:2::4"))

    assert {FQDN: "foreign"} == reasons(late)
    assert {first.id} == w.claims(KEY, "A")


def test_a_reconcile_of_a_converged_dual_stack_estate_writes_and_confirms_nothing(make_world):
    w = make_world()
    w.create(dual("a"))
    w.create(dual("b", v4="10.0.2.4", v6="fd00:2::4"))
    w.create(endpoint("six", {"six.blob.core.windows.net": ["fd00:3::4"]}))
    writes = w.write_count()

    report = reconcile(w.service)

    assert (0, writes) == (report.confirmed, w.write_count())
    assert {"converged": 3} == report.summary()["statuses"]


def test_an_optimistic_create_beside_a_foreign_aaaa_is_taken_back(make_world):
    w = make_world()
    w.create(endpoint("a", {"other.blob.core.windows.net": ["10.0.1.7"]}))  # the index knows its names now
    foreign = w.seed(RecordSet(KEY, ("fd00:9::9",), 3600, None, {}, type="AAAA"))

    # A name new to the endpoint is created without reading it first (If-None-Match: *)...
    result = w.create(endpoint("a", {"other.blob.core.windows.net": ["10.0.1.7"], FQDN: ["10.0.1.4"]}))

    # ...and taken back when a record set of the other type turns out to be someone else's.
    assert ({FQDN: "foreign"}, foreign) == (reasons(result), w.get(KEY, "AAAA"))
    assert ({"other.privatelink.blob.core.windows.net": ("10.0.1.7",)}) == w.zone()
    assert [("create", "A"), ("delete", "A")] == [(c.action, c.type) for c in result.changes if c.key == KEY]


def test_a_holders_aaaa_replaced_by_someone_else_is_left_to_them_and_its_a_kept_up(make_world):
    w = make_world()
    pe = dual("a")
    w.create(pe)
    theirs = w.seed(RecordSet(KEY, ("fd00:9::9",), 600, None, {"createdBy": "hand"}, type="AAAA"))

    again = w.create(dual("a", v4="10.0.1.5"))  # its IPv4 address changed meanwhile

    assert ({NAME: ("10.0.1.5",)}, theirs) == (w.zone(), w.get(KEY, "AAAA"))
    assert {FQDN: "foreign"} == reasons(again)


def test_an_endpoint_that_loses_ipv4_withdraws_its_a_and_keeps_its_aaaa(make_world):
    w = make_world()
    w.create(dual("a"))

    result = w.create(dual("a", v4=None))

    assert [("delete", "A")] == [(c.action, c.type) for c in result.changes]
    assert ({}, {NAME: ("fd00:1::4",)}) == (w.zone(), w.zone6())
