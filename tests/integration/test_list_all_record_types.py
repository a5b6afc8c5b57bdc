"""Listing a zone's record sets of every type in one request (`PEDNS_LIST_ALL_RECORD_TYPES`, issue 19
item 5), through pedns's own adapter and the function app on the emulator over HTTPS, counted in its
request log: one listing per zone with the permission; without it one 403, then per type for the rest
of the process with one warning; without the setting, per type as before."""

from __future__ import annotations

import logging
import re

import pytest

from shared.adapters import privatedns
from shared.adapters.credentials import make_credential
from shared.adapters.privatedns import LIST_ALL_ACTION, AzureZoneStore, forget_list_all_refusals
from shared.errors import NotFound
from shared.settings import Settings
from tests.conftest import HUB_ZONES

pytestmark = pytest.mark.integration

BLOB, COSMOS = HUB_ZONES[0], HUB_ZONES[1]
_LISTING = re.compile(r"/privateDnsZones/[^/]+/(A|AAAA|ALL)$", re.IGNORECASE)


def listings(emu) -> list[str]:
    """The record listings the hub answered, oldest first, as "TYPE STATUS"."""
    return [f"{found.group(1).upper()} {status}" for method, path, status in emu.requests
            if method == "GET" and (found := _LISTING.search(path))]


def store_for(emu, *, list_all: bool = True) -> AzureZoneStore:
    settings = Settings.from_env({**emu.env(), "PEDNS_LIST_ALL_RECORD_TYPES": "true" if list_all else "false"})
    return AzureZoneStore(make_credential(settings), settings)


def by_key(records) -> list:
    return sorted(records, key=lambda r: (r.key.name, r.type))


@pytest.fixture(autouse=True)
def new_process():
    """Each test starts as a new process would: no refusal of the `ALL` listing remembered."""
    forget_list_all_refusals()
    yield
    forget_list_all_refusals()


@pytest.fixture
def converged(lab, app_env, host, emu, monkeypatch):
    """Three endpoints published; returns a function that runs a reconcile with the setting on or off
    and answers the hub's record listings and writes during it."""
    from functions import _runtime
    from tools.lab import delivery

    for i in range(3):
        pe = lab.blob_endpoint(f"pe-l{i}", f"listall{i}", f"10.0.3.{i + 4}")
        lab.put_endpoint(pe)
        host.deliver(delivery(lab.event(pe["id"])))

    def reconcile(*, list_all: bool) -> tuple[list[str], int]:
        monkeypatch.setenv("PEDNS_LIST_ALL_RECORD_TYPES", "true" if list_all else "false")
        _runtime.reset()
        emu.clear_requests()
        host.timer("reconcile")
        writes = sum(1 for method, _, _ in emu.requests if method in ("PUT", "PATCH", "DELETE"))
        return listings(emu), writes

    return reconcile


def test_with_the_setting_and_the_permission_a_converged_reconcile_lists_each_zone_once(converged):
    assert (["ALL 200"] * len(HUB_ZONES), 0) == converged(list_all=True)


def test_without_the_setting_a_converged_reconcile_lists_each_zone_per_type_as_before(converged):
    assert (["A 200", "AAAA 200"] * len(HUB_ZONES), 0) == converged(list_all=False)


def test_without_the_permission_a_reconcile_meets_one_403_then_lists_per_type_and_the_next_never_tries_all(
        converged, emu, caplog):
    emu.deny_actions([LIST_ALL_ACTION])

    with caplog.at_level(logging.WARNING, logger="pedns.adapters.privatedns"):
        first = converged(list_all=True)
        second = converged(list_all=True)  # a new service, the same process

    assert (["ALL 403"] + ["A 200", "AAAA 200"] * len(HUB_ZONES), 0) == first
    assert (["A 200", "AAAA 200"] * len(HUB_ZONES), 0) == second
    [warning] = [r for r in caplog.records if r.name == "pedns.adapters.privatedns"]
    assert LIST_ALL_ACTION in warning.getMessage() and "PEDNS_LIST_ALL_RECORD_TYPES" in warning.getMessage()


def test_the_listing_of_all_types_yields_exactly_the_a_and_aaaa_sets_the_listings_by_type_do(emu, lab, monkeypatch):
    """The same RecordSets (etag, metadata, TTL, isAutoRegistered, IPs) whichever way the zone is
    listed; the SOA and the other types' sets are left out; pages are followed (here 2 sets a page)."""
    lab.put_record(BLOB, "web", ["10.0.0.4"], metadata={"pednsowner": "x", "pednsclaims": "y"})
    lab.put_record(BLOB, "web", ["fd00::4"], rtype="AAAA", ttl=30)
    lab.put_record(BLOB, "six", ["fd00::6", "fd00::5"], rtype="AAAA")
    emu.add_autoregistered_record(BLOB, "vm1", ["10.0.0.9"])
    for rtype, props in (("TXT", {"txtRecords": [{"value": ["v"]}]}), ("CNAME", {"cnameRecord": {"cname": "x.example"}})):
        status, _ = emu.apply("PUT", f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}"
                                     f"/providers/Microsoft.Network/privateDnsZones/{BLOB}/{rtype}/other",
                              {"properties": {"ttl": 10, **props}})
        assert 201 == status
    monkeypatch.setattr(privatedns, "LIST_PAGE_SIZE", 2)
    emu.clear_requests()

    every = by_key(store_for(emu).list(BLOB))
    pages_of_all = len(emu.requests)
    per_type = by_key(store_for(emu, list_all=False).list(BLOB))

    assert per_type == every
    assert ([("six", "AAAA"), ("vm1", "A"), ("web", "A"), ("web", "AAAA")], True, {"pednsowner": "x", "pednsclaims": "y"}) == (
        [(r.key.name, r.type) for r in every], every[1].auto_registered, dict(every[2].metadata))
    assert (4, 30, ("fd00::5", "fd00::6")) == (pages_of_all, every[3].ttl, every[0].ips)  # 7 sets with the SOA


def test_without_the_permission_the_first_listing_falls_back_and_every_later_one_in_the_process_goes_per_type(
        emu, lab, caplog):
    lab.put_record(BLOB, "web", ["10.0.0.4"])
    lab.put_record(COSMOS, "db", ["fd00::4"], rtype="AAAA")
    emu.deny_actions([LIST_ALL_ACTION])
    emu.clear_requests()

    with caplog.at_level(logging.WARNING, logger="pedns.adapters.privatedns"):
        blob = [(r.key.name, r.type) for r in store_for(emu).list(BLOB)]
        after_fallback = listings(emu)
        emu.clear_requests()
        cosmos = [(r.key.name, r.type) for r in store_for(emu).list(COSMOS)]  # another client, the same process
        again = [(r.key.name, r.type) for r in store_for(emu).list(BLOB)]

    assert ([("web", "A")], [("db", "AAAA")], [("web", "A")]) == (blob, cosmos, again)
    assert ["ALL 403", "A 200", "AAAA 200"] == after_fallback
    assert ["A 200", "AAAA 200"] * 2 == listings(emu)
    assert 1 == len([r for r in caplog.records if r.levelno == logging.WARNING and LIST_ALL_ACTION in r.getMessage()])


def test_a_listing_of_all_types_that_fails_otherwise_is_an_error_and_no_refusal_is_remembered(emu, lab):
    with pytest.raises(NotFound):
        list(store_for(emu).list("privatelink.missing.windows.net"))
    emu.clear_requests()

    list(store_for(emu).list(BLOB))

    assert ["ALL 200"] == listings(emu)


def test_granted_later_the_listing_of_all_types_is_used_only_by_a_new_process(emu, lab):
    """The refusal is remembered for the process: a grant afterwards takes effect after a restart."""
    emu.deny_actions([LIST_ALL_ACTION])
    list(store_for(emu).list(BLOB))
    emu.deny_actions([])
    emu.clear_requests()

    list(store_for(emu).list(BLOB))
    forget_list_all_refusals()  # a new process
    list(store_for(emu).list(BLOB))

    assert ["A 200", "AAAA 200", "ALL 200"] == listings(emu)
