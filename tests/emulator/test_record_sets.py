"""Record sets through the real azure-mgmt-privatedns client: etags, status codes, names, paging."""

from __future__ import annotations

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from emu_helpers import AUTH, DNS_API, ZONE, raw, status_of, zone_id


def a_set(*ips: str, ttl: int = 10, metadata: dict[str, str] | None = None) -> dict:
    props: dict = {"ttl": ttl, "aRecords": [{"ipv4Address": ip} for ip in ips]}
    if metadata is not None:
        props["metadata"] = metadata
    return {"properties": props}


@pytest.fixture
def put(emu, dns, zone):
    def _put(name: str, *ips: str, **kwargs):
        return dns.record_sets.create_or_update(emu.hub_resource_group, zone, "A", name, a_set(*ips), **kwargs)
    return _put


def test_first_put_answers_201_and_second_answers_200(emu, dns, zone):
    rg = emu.hub_resource_group

    first = dns.record_sets.create_or_update(rg, zone, "A", "acct", a_set("10.0.0.4"), cls=status_of)
    second = dns.record_sets.create_or_update(rg, zone, "A", "acct", a_set("10.0.0.5"), cls=status_of)

    assert (201, 200) == (first, second)


def test_put_answers_the_arm_shape_without_metadata_when_none(emu, zone):
    path = zone_id(emu) + f"/A/acct?api-version={DNS_API}"

    status, _, body = raw(emu, "PUT", path, a_set("10.0.0.4"), AUTH)

    assert {
        "id": zone_id(emu) + "/A/acct",
        "name": "acct",
        "type": "Microsoft.Network/privateDnsZones/A",
        "etag": body["etag"],
        "properties": {"ttl": 10, "fqdn": f"acct.{ZONE}.", "isAutoRegistered": False,
                       "aRecords": [{"ipv4Address": "10.0.0.4"}]},
    } == body


def test_create_only_on_an_existing_record_set_raises_resource_exists(put):
    put("acct", "10.0.0.4")

    with pytest.raises(ResourceExistsError) as caught:
        put("acct", "10.0.0.5", match_condition=MatchConditions.IfMissing)

    assert 412 == caught.value.status_code


def test_create_only_on_an_absent_record_set_succeeds(put):
    created = put("acct", "10.0.0.4", match_condition=MatchConditions.IfMissing)

    assert "acct" == created.name


def test_replace_with_a_stale_etag_raises_resource_modified(put):
    stale = put("acct", "10.0.0.4").etag
    put("acct", "10.0.0.5")

    with pytest.raises(ResourceModifiedError):
        put("acct", "10.0.0.6", etag=stale, match_condition=MatchConditions.IfNotModified)


def test_replace_with_the_current_etag_succeeds_with_a_new_etag(put):
    current = put("acct", "10.0.0.4").etag

    replaced = put("acct", "10.0.0.5", etag=current, match_condition=MatchConditions.IfNotModified)

    assert ([{"ipv4Address": "10.0.0.5"}], True) == (replaced.properties.a_records, replaced.etag != current)


def test_412_body_is_flat_as_azure_records_it(emu, put):
    put("acct", "10.0.0.4")
    path = zone_id(emu) + f"/A/acct?api-version={DNS_API}"

    status, _, body = raw(emu, "PUT", path, a_set("10.0.0.5"), {**AUTH, "If-None-Match": "*"})

    assert (412, "PreconditionFailed") == (status, body["code"])


def test_put_replaces_the_whole_record_set_including_metadata(emu, dns, zone):
    rg = emu.hub_resource_group
    dns.record_sets.create_or_update(rg, zone, "A", "acct", a_set("10.0.0.4", "10.0.0.5", metadata={"owner": "x"}))

    replaced = dns.record_sets.create_or_update(rg, zone, "A", "acct", a_set("10.0.0.6"))

    assert (None, [{"ipv4Address": "10.0.0.6"}]) == (replaced.properties.metadata, replaced.properties.a_records)


def test_patch_replaces_metadata_wholesale_and_keeps_the_records(emu, dns, zone):
    rg = emu.hub_resource_group
    dns.record_sets.create_or_update(rg, zone, "A", "acct", a_set("10.0.0.4", metadata={"a": "1", "b": "2"}))

    patched = dns.record_sets.update(rg, zone, "A", "acct", {"properties": {"metadata": {"c": "3"}}})

    assert ({"c": "3"}, [{"ipv4Address": "10.0.0.4"}]) == (patched.properties.metadata, patched.properties.a_records)


def test_patch_of_an_absent_record_set_raises_not_found(emu, dns, zone):
    with pytest.raises(ResourceNotFoundError):
        dns.record_sets.update(emu.hub_resource_group, zone, "A", "ghost", {"properties": {"ttl": 30}})


def test_delete_of_an_absent_record_set_is_no_error_and_answers_204(emu, dns, zone):
    status = dns.record_sets.delete(emu.hub_resource_group, zone, "A", "ghost", cls=status_of)

    assert 204 == status


def test_delete_of_an_existing_record_set_answers_200_and_removes_it(emu, dns, put):
    put("acct", "10.0.0.4")

    status = dns.record_sets.delete(emu.hub_resource_group, ZONE, "A", "acct", cls=status_of)

    with pytest.raises(ResourceNotFoundError):
        dns.record_sets.get(emu.hub_resource_group, ZONE, "A", "acct")
    assert 200 == status


def test_delete_with_a_stale_etag_raises_resource_modified_and_keeps_the_record(emu, dns, put):
    stale = put("acct", "10.0.0.4").etag
    put("acct", "10.0.0.5")

    with pytest.raises(ResourceModifiedError):
        dns.record_sets.delete(emu.hub_resource_group, ZONE, "A", "acct", etag=stale,
                               match_condition=MatchConditions.IfNotModified)

    assert "acct" == dns.record_sets.get(emu.hub_resource_group, ZONE, "A", "acct").name


def test_delete_of_an_absent_record_set_with_an_etag_fails_the_precondition(emu, dns, zone):
    with pytest.raises(ResourceModifiedError) as caught:
        dns.record_sets.delete(emu.hub_resource_group, zone, "A", "ghost", etag="0e5a1b6c-0000-4000-8000-000000000000",
                               match_condition=MatchConditions.IfNotModified)

    assert 412 == caught.value.status_code


def test_names_are_case_insensitive_and_answered_lower_case(emu, dns, put):
    created = put("recordA", "10.0.0.4")

    fetched = dns.record_sets.get(emu.hub_resource_group, ZONE.upper(), "a", "RECORDA")

    assert ("recorda", "recorda", created.etag) == (created.name, fetched.name, fetched.etag)


def test_apex_record_set_has_the_zone_as_fqdn(put):
    apex = put("@", "10.0.0.4")

    assert f"{ZONE}." == apex.properties.fqdn


def test_list_by_type_with_top_pages_through_every_record_set(emu, dns, put):
    for i in range(5):
        put(f"r{i}", f"10.0.0.{i + 1}")
    emu.clear_requests()

    names = [r.name for r in dns.record_sets.list_by_type(emu.hub_resource_group, ZONE, "A", top=2)]

    assert (["r0", "r1", "r2", "r3", "r4"], 3) == (names, len(emu.requests))


def test_list_without_top_answers_pages_of_100(emu, dns, put):
    for i in range(101):
        put(f"r{i:03}", "10.0.0.4")
    path = zone_id(emu) + f"/A?api-version={DNS_API}"

    _, _, body = raw(emu, "GET", path, headers=AUTH)

    assert (100, True) == (len(body["value"]), "$skiptoken=" in body["nextLink"])


def test_list_all_includes_the_soa_record_set(emu, dns, put):
    put("acct", "10.0.0.4")

    listed = {(r.name, r.type) for r in dns.record_sets.list(emu.hub_resource_group, ZONE)}

    assert {("@", "Microsoft.Network/privateDnsZones/SOA"), ("acct", "Microsoft.Network/privateDnsZones/A")} == listed


def test_record_set_in_a_missing_zone_is_parent_resource_not_found(emu, dns):
    with pytest.raises(ResourceNotFoundError) as caught:
        dns.record_sets.create_or_update(emu.hub_resource_group, "privatelink.nope.net", "A", "x", a_set("10.0.0.4"))

    assert "ParentResourceNotFound" == caught.value.error.code


def test_get_of_an_absent_record_set_raises_resource_not_found(emu, dns, zone):
    with pytest.raises(ResourceNotFoundError) as caught:
        dns.record_sets.get(emu.hub_resource_group, zone, "A", "ghost")

    assert "ResourceNotFound" == caught.value.error.code


@pytest.mark.parametrize(
    "properties",
    [
        {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.300"}]},
        {"ttl": 10, "aRecords": [{"ipv4Address": "fe80::1"}]},
        {"aRecords": [{"ipv4Address": "10.0.0.4"}]},
        {"ttl": "ten", "aRecords": [{"ipv4Address": "10.0.0.4"}]},
        {"ttl": 10, "metadata": {"n": 1}},
        {"ttl": 10, "cnameRecord": {"cname": "x.example.com"}},
    ],
    ids=["ipv4-out-of-range", "ipv6-in-a-record", "missing-ttl", "ttl-not-int", "metadata-not-string", "wrong-type"],
)
def test_invalid_record_set_is_bad_request(emu, dns, zone, properties):
    with pytest.raises(HttpResponseError) as caught:
        dns.record_sets.create_or_update(emu.hub_resource_group, zone, "A", "x", {"properties": properties})

    assert (400, "BadRequest") == (caught.value.status_code, caught.value.error.code)


def test_seeded_auto_registered_record_reads_as_auto_registered(emu, dns, zone):
    emu.add_autoregistered_record(zone, "vm1", ["10.1.0.4"])

    record = dns.record_sets.get(emu.hub_resource_group, zone, "A", "vm1")

    assert (True, [{"ipv4Address": "10.1.0.4"}]) == (record.properties.is_auto_registered, record.properties.a_records)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_auto_registered_record_refuses_changes_through_arm(emu, zone, method):
    emu.add_autoregistered_record(zone, "vm1", ["10.1.0.4"])
    path = zone_id(emu) + f"/A/vm1?api-version={DNS_API}"

    status, _, _ = raw(emu, method, path, a_set("10.9.9.9") if method != "DELETE" else None, AUTH)

    assert 400 == status


def test_admin_route_seeds_an_auto_registered_record(emu, dns, zone):
    path = "/_emulator/autoregistered" + zone_id(emu) + "/A/vm2"

    status, _, body = raw(emu, "PUT", path, a_set("10.1.0.5"))

    assert (201, True) == (status, body["properties"]["isAutoRegistered"])


def test_user_put_cannot_mark_a_record_set_auto_registered(emu, zone):
    path = zone_id(emu) + f"/A/sneaky?api-version={DNS_API}"
    body = {"properties": {"ttl": 10, "isAutoRegistered": True, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}

    _, _, answered = raw(emu, "PUT", path, body, AUTH)

    assert False is answered["properties"]["isAutoRegistered"]


# -- AAAA record sets behave like A ones, each with its own etag ----------------------------------


def aaaa_set(*ips: str, ttl: int = 10) -> dict:
    return {"properties": {"ttl": ttl, "aaaaRecords": [{"ipv6Address": ip} for ip in ips]}}


@pytest.fixture
def put6(emu, dns, zone):
    def _put(name: str, *ips: str, **kwargs):
        return dns.record_sets.create_or_update(emu.hub_resource_group, zone, "AAAA", name, aaaa_set(*ips), **kwargs)
    return _put


def test_an_aaaa_set_beside_an_a_set_of_the_same_name_has_its_own_etag(put, put6):
    a = put("acct", "10.0.0.4")
    aaaa = put6("acct", "fd00::4", match_condition=MatchConditions.IfMissing)

    assert a.etag != aaaa.etag
    with pytest.raises(ResourceExistsError):
        put6("acct", "fd00::5", match_condition=MatchConditions.IfMissing)
    with pytest.raises(ResourceModifiedError):
        put6("acct", "fd00::5", etag=a.etag, match_condition=MatchConditions.IfNotModified)  # A's etag: not AAAA's
    replaced = put6("acct", "fd00::5", etag=aaaa.etag, match_condition=MatchConditions.IfNotModified)
    assert [{"ipv6Address": "fd00::5"}] == [r.as_dict() for r in replaced.properties.aaaa_records]


@pytest.mark.parametrize("address", ["fd00::1%eth0", "fe80::1%1", "::ffff:10.0.0.4%2", "fd00::1%", "fd00::1%eth0%1"])
def test_an_aaaa_set_with_a_zone_id_is_bad_request_and_not_stored(emu, dns, zone, address):
    with pytest.raises(HttpResponseError) as caught:
        dns.record_sets.create_or_update(emu.hub_resource_group, zone, "AAAA", "scoped", aaaa_set("fd00::4", address))

    assert (400, "BadRequest", f"The IP address '{address}' is not a valid IPv6 address.") == (
        caught.value.status_code, caught.value.error.code, caught.value.error.message)
    with pytest.raises(ResourceNotFoundError):
        dns.record_sets.get(emu.hub_resource_group, zone, "AAAA", "scoped")


def test_a_patch_adding_a_zone_id_is_bad_request_and_keeps_the_set(emu, zone, put6):
    put6("acct", "fd00::4")
    path = zone_id(emu) + f"/AAAA/acct?api-version={DNS_API}"

    status, _, body = raw(emu, "PATCH", path, aaaa_set("fd00::1%eth0"), AUTH)

    assert (400, {"error": {"code": "BadRequest", "message": "The IP address 'fd00::1%eth0' is not a valid IPv6 address."}}) == (
        status, body)
    assert [{"ipv6Address": "fd00::4"}] == raw(emu, "GET", path, None, AUTH)[2]["properties"]["aaaaRecords"]


def test_an_a_set_with_a_zone_id_is_bad_request(emu, dns, zone):
    with pytest.raises(HttpResponseError) as caught:
        dns.record_sets.create_or_update(emu.hub_resource_group, zone, "A", "scoped", a_set("10.0.0.4%eth0"))

    assert (400, "BadRequest") == (caught.value.status_code, caught.value.error.code)


def test_deleting_the_aaaa_set_with_a_stale_etag_fails_and_keeps_it(emu, dns, put6):
    stale = put6("acct", "fd00::4").etag
    put6("acct", "fd00::5")

    with pytest.raises(ResourceModifiedError):
        dns.record_sets.delete(emu.hub_resource_group, ZONE, "AAAA", "acct", etag=stale,
                               match_condition=MatchConditions.IfNotModified)

    assert ["fd00::5"] == [r.ipv6_address for r in dns.record_sets.get(emu.hub_resource_group, ZONE, "AAAA",
                                                                         "acct").properties.aaaa_records]


def test_aaaa_list_pages_through_every_set_and_only_aaaa(emu, dns, put, put6):
    put("r0", "10.0.0.1")
    for i in range(5):
        put6(f"r{i}", f"fd00::{i + 1}")
    emu.clear_requests()

    names = [r.name for r in dns.record_sets.list_by_type(emu.hub_resource_group, ZONE, "AAAA", top=2)]

    assert (["r0", "r1", "r2", "r3", "r4"], 3) == (names, len(emu.requests))


def test_an_ipv4_address_in_an_aaaa_set_is_bad_request(emu, dns, zone):
    with pytest.raises(HttpResponseError) as caught:
        dns.record_sets.create_or_update(emu.hub_resource_group, zone, "AAAA", "acct", aaaa_set("10.0.0.4"))

    assert 400 == caught.value.status_code


# -- the listing of every type (`ALL`) and its own permission ---------------------------------------

LIST_ALL = "Microsoft.Network/privateDnsZones/ALL/read"


def test_list_all_pages_through_every_type_the_zone_holds_with_its_soa(emu, dns, put, put6):
    """As the spec's RecordSetALLList example: one listing of A, CNAME, MX, … record sets, paged like
    the lists by type (here 2 a page, so 5 sets take 3 pages)."""
    put("r0", "10.0.0.1")
    put6("r0", "fd00::1")
    dns.record_sets.create_or_update(emu.hub_resource_group, ZONE, "TXT", "r1",
                                     {"properties": {"ttl": 10, "txtRecords": [{"value": ["v"]}]}})
    put("r2", "10.0.0.2")
    emu.clear_requests()

    listed = [(r.name, r.type.rsplit("/", 1)[-1]) for r in dns.record_sets.list(emu.hub_resource_group, ZONE, top=2)]

    assert [("@", "SOA"), ("r0", "A"), ("r0", "AAAA"), ("r1", "TXT"), ("r2", "A")] == listed
    assert 3 == len(emu.requests)


def test_a_listing_of_all_types_answers_the_same_record_sets_as_the_lists_by_type(emu, zone, put6):
    """isAutoRegistered, metadata and the etag come through the listing of every type unchanged."""
    raw(emu, "PUT", zone_id(emu) + f"/A/meta?api-version={DNS_API}",
        {"properties": {"ttl": 10, "metadata": {"pednsowner": "x"}, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}, AUTH)
    put6("meta", "fd00::4")
    emu.add_autoregistered_record(ZONE, "vm1", ["10.0.0.9"])

    _, _, every = raw(emu, "GET", zone_id(emu) + f"/ALL?api-version={DNS_API}", headers=AUTH)
    by_type = [item for rtype in ("A", "AAAA")
               for item in raw(emu, "GET", zone_id(emu) + f"/{rtype}?api-version={DNS_API}", headers=AUTH)[2]["value"]]

    assert sorted(by_type, key=lambda r: r["id"]) == sorted(
        (r for r in every["value"] if not r["type"].endswith("/SOA")), key=lambda r: r["id"])
    assert {("meta", "A"): {"pednsowner": "x"}, ("vm1", "A"): None, ("meta", "AAAA"): None} == {
        (r["name"], r["type"].rsplit("/", 1)[-1]): r["properties"].get("metadata") for r in by_type}
    assert [True] == [r["properties"]["isAutoRegistered"] for r in every["value"] if r["name"] == "vm1"]


def test_a_denied_listing_of_all_types_answers_arms_authorization_failed(emu, zone, put):
    put("acct", "10.0.0.4")
    emu.deny_actions([LIST_ALL])
    path = zone_id(emu) + "/ALL"

    status, _, body = raw(emu, "GET", path + f"?api-version={DNS_API}", headers=AUTH)

    assert (403, {"error": {"code": "AuthorizationFailed", "message": (
        "The client '00000000-0000-4000-8000-0000000000c0' with object id '00000000-0000-4000-8000-0000000000c0' "
        f"does not have authorization to perform action '{LIST_ALL}' over scope '{path}' or the scope is invalid. "
        "If access was recently granted, please refresh your credentials.")}}) == (status, body)
    assert 1 == len(raw(emu, "GET", zone_id(emu) + f"/A?api-version={DNS_API}", headers=AUTH)[2]["value"])


def test_the_sdk_listing_of_all_types_raises_authorization_failed_when_denied_and_lists_once_granted(emu, dns, put):
    """azure-mgmt-privatedns 2.0.0 sends `…/aLL`: ARM's paths (and the emulator's) are case-insensitive."""
    put("acct", "10.0.0.4")
    emu.deny_actions([LIST_ALL.lower()])

    with pytest.raises(HttpResponseError) as caught:
        list(dns.record_sets.list(emu.hub_resource_group, ZONE))
    emu.deny_actions([])

    assert (403, "AuthorizationFailed") == (caught.value.status_code, caught.value.error.code)
    assert 2 == len(list(dns.record_sets.list(emu.hub_resource_group, ZONE)))
    assert [403, 200] == [status for _, path, status in emu.requests if path.lower().endswith("/all")]


def test_admin_route_denies_and_grants_the_listing_of_all_types(emu, zone):
    status, _, body = raw(emu, "PUT", "/_emulator/denied-actions", {"value": [LIST_ALL]})

    assert (200, [LIST_ALL], [LIST_ALL]) == (status, body["value"], emu.denied_actions)
    assert 403 == raw(emu, "GET", zone_id(emu) + f"/ALL?api-version={DNS_API}", headers=AUTH)[0]
    assert (200, {"value": [LIST_ALL]}) == raw(emu, "GET", "/_emulator/denied-actions")[::2]
    raw(emu, "PUT", "/_emulator/denied-actions", {"value": []})
    assert 200 == raw(emu, "GET", zone_id(emu) + f"/ALL?api-version={DNS_API}", headers=AUTH)[0]


@pytest.mark.parametrize("body", [{"value": ["Microsoft.Network/privateDnsZones/A/read"]}, {"value": LIST_ALL}, ["x"]],
                         ids=["an-action-not-checked", "not-a-list", "not-an-object"])
def test_admin_route_refuses_to_deny_what_the_emulator_does_not_check(emu, body):
    emu.deny_actions([LIST_ALL])

    status, _, answer = raw(emu, "PUT", "/_emulator/denied-actions", body)

    assert (400, "BadRequest", [LIST_ALL]) == (status, answer["error"]["code"], emu.denied_actions)
    with pytest.raises(ValueError, match="checks only"):
        emu.deny_actions(["Microsoft.Network/privateDnsZones/A/read"])
