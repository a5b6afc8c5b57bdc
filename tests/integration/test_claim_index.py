"""The claim index in Azurite's Table service: the adapter on its own, then a delete event through
the function app that, with the index built, touches only the endpoint and its own record sets."""

from __future__ import annotations

import logging
import threading
import uuid

import pytest
from azure.data.tables import TableClient, TableServiceClient

from shared.adapters.tables import CLIENT_KWARGS, ENDPOINTS, TableClaimIndex, row_key
from shared.core.model import RecordKey, ResourceId
from tools.lab import delivery

pytestmark = [pytest.mark.azurite, pytest.mark.integration]

BLOB = "privatelink.blob.core.windows.net"
SUB = "11111111-1111-1111-1111-111111111111"


def pe(name: str) -> ResourceId:
    return ResourceId(f"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/{name}")


def key(name: str) -> RecordKey:
    return RecordKey(BLOB, name)


@pytest.fixture
def table_name() -> str:
    return "t" + uuid.uuid4().hex[:16]  # a fresh table per test: no test sees another's entries


@pytest.fixture
def table(azurite, table_name):
    with TableClient.from_connection_string(azurite.connection_string(), table_name, **CLIENT_KWARGS) as client:
        yield client


@pytest.fixture
def index(table):
    return TableClaimIndex(table)


@pytest.fixture
def built(index):
    index.rebuild({})
    return index


# -- the adapter -------------------------------------------------------------------------------

def test_a_stored_endpoint_is_looked_up_with_its_keys(built):
    built.store(pe("a"), {key("a"), key("a-westeurope")})

    assert {key("a"), key("a-westeurope")} == built.lookup(pe("a"))


def test_storing_again_replaces_the_keys(built):
    built.store(pe("a"), {key("a"), key("old")})

    built.store(pe("a"), {key("a")})

    assert {key("a")} == built.lookup(pe("a"))


def test_the_index_cannot_answer_before_it_is_built(index):
    index.store(pe("a"), {key("a")})

    assert None is index.lookup(pe("a"))


def test_once_built_an_unknown_endpoint_claims_nothing(built):
    assert set() == built.lookup(pe("never-seen"))


def test_a_forgotten_endpoint_claims_nothing(built):
    built.store(pe("a"), {key("a")})

    built.forget(pe("a"))

    assert set() == built.lookup(pe("a"))


def test_forgetting_an_unknown_endpoint_is_harmless(built, caplog):
    with caplog.at_level(logging.WARNING, logger="pedns"):
        built.forget(pe("never-seen"))

    assert [] == caplog.records


def test_storing_no_keys_leaves_no_entity(built, table):
    built.store(pe("a"), {key("a")})

    built.store(pe("a"), set())

    assert ([], set()) == (list(table.query_entities("PartitionKey eq @pk", parameters={"pk": ENDPOINTS})),
                           built.lookup(pe("a")))


def test_an_id_in_another_case_finds_the_same_entry(built):
    built.store(pe("PE-Mixed"), {key("a")})

    assert {key("a")} == built.lookup(pe("pe-mixed"))


def test_the_entity_holds_the_id_and_the_keys_as_json_under_the_hashed_row_key(built, table):
    built.store(pe("a"), {key("b"), key("a")})

    entity = table.get_entity(ENDPOINTS, row_key(pe("a")))

    assert (str(pe("a")), '["privatelink.blob.core.windows.net|a","privatelink.blob.core.windows.net|b"]', True) == (
        entity["EndpointId"], entity["Keys"], "UpdatedAt" in entity)


def test_the_table_is_created_on_first_use(azurite, index, table_name):
    index.store(pe("a"), {key("a")})

    with TableServiceClient.from_connection_string(azurite.connection_string()) as service:
        names = {t.name for t in service.list_tables()}
    assert table_name in names


def test_rebuild_merges_the_scan_with_what_handlers_stored(index):
    index.store(pe("a"), {key("intent")})

    index.rebuild({pe("a"): {key("scanned")}, pe("b"): {key("b")}})

    assert ({key("intent"), key("scanned")}, {key("b")}) == (index.lookup(pe("a")), index.lookup(pe("b")))


def test_a_second_rebuild_keeps_what_the_first_found(index):
    index.rebuild({pe("a"): {key("a")}})

    index.rebuild({pe("b"): {key("b")}})

    assert ({key("a")}, {key("b")}) == (index.lookup(pe("a")), index.lookup(pe("b")))


class HandlerWritesDuringRebuild:
    """The table as a rebuild sees it while a handler stores new intent right after the rebuild read."""

    def __init__(self, table: TableClient, handler: TableClaimIndex, endpoint: ResourceId, keys: set[RecordKey]):
        self._table, self._handler, self._write = table, handler, (endpoint, keys)

    def query_entities(self, *args, **kwargs):
        entities = list(self._table.query_entities(*args, **kwargs))
        self._handler.store(*self._write)
        return entities

    def __getattr__(self, name):
        return getattr(self._table, name)


def test_rebuild_keeps_intent_a_handler_stored_after_the_rebuild_read_the_table(index, table):
    index.store(pe("a"), {key("old")})
    racing = TableClaimIndex(HandlerWritesDuringRebuild(table, index, pe("a"), {key("old"), key("new")}))

    racing.rebuild({pe("a"): {key("scanned")}})

    assert {key("old"), key("new"), key("scanned")} == racing.lookup(pe("a"))


def test_rebuild_keeps_an_entry_a_handler_created_after_the_rebuild_read_the_table(index, table):
    racing = TableClaimIndex(HandlerWritesDuringRebuild(table, index, pe("a"), {key("new")}))

    racing.rebuild({pe("a"): {key("scanned")}})

    assert {key("new"), key("scanned")} == racing.lookup(pe("a"))


@pytest.fixture
def unreachable(azurite):
    dead = azurite.connection_string(port=azurite.free_port())  # nothing listens there
    with TableClient.from_connection_string(dead, "pednsindex", **{**CLIENT_KWARGS, "retry_total": 0}) as client:
        yield TableClaimIndex(client)


def test_an_unreachable_table_cannot_answer_and_says_so(unreachable, caplog):
    with caplog.at_level(logging.WARNING, logger="pedns"):
        found = unreachable.lookup(pe("a"))

    assert (None, True) == (found, any("claim index" in r.getMessage() for r in caplog.records))


def test_storing_into_an_unreachable_table_does_not_raise(unreachable, caplog):
    with caplog.at_level(logging.WARNING, logger="pedns"):
        unreachable.store(pe("a"), {key("a")})
        unreachable.rebuild({pe("a"): {key("a")}})

    assert 2 == len([r for r in caplog.records if r.levelno == logging.WARNING])


def test_a_deleted_table_is_no_longer_trusted(built, table):
    built.store(pe("a"), {key("a")})
    assert {key("a")} == built.lookup(pe("a"))

    table.delete_table()

    assert None is built.lookup(pe("a"))


def test_a_table_recreated_by_a_store_is_not_trusted_until_rebuilt(built, table):
    built.store(pe("a"), {key("a")})
    assert {key("a")} == built.lookup(pe("a"))
    table.delete_table()

    built.store(pe("b"), {key("b")})

    assert None is built.lookup(pe("a"))


def test_concurrent_stores_for_different_endpoints_all_land(built):
    threads = [threading.Thread(target=built.store, args=(pe(f"pe{n}"), {key(f"n{n}")})) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [{key(f"n{n}")} for n in range(8)] == [built.lookup(pe(f"pe{n}")) for n in range(8)]


# -- end to end: the function app with and without the index -------------------------------------


@pytest.fixture
def with_index(app_env, azurite, table_name, monkeypatch):
    from functions import _runtime

    monkeypatch.setenv("PEDNS_INDEX_CONNECTION_STRING", azurite.connection_string())
    monkeypatch.setenv("PEDNS_INDEX_TABLE_NAME", table_name)
    _runtime.reset()
    return app_env


def delete_after_reconcile(lab, emu, host):
    """An endpoint written (event), reconciled (timer), then deleted; returns the delete's requests."""
    pe = lab.blob_endpoint("pe-idx", "idxacct", "10.0.1.4")
    lab.put_endpoint(pe)
    assert all(r.ok for r in host.deliver(delivery(lab.event(pe["id"], "write"))))
    host.timer("reconcile")
    lab.delete_endpoint(pe["id"])
    emu.clear_requests()

    [ok] = host.deliver(delivery(lab.event(pe["id"], "delete")))

    assert ok.ok, ok.error
    return pe["id"], emu.requests


def is_list(path: str) -> bool:
    segments = path.rstrip("/").split("/")
    return segments[-1].lower() in ("privatednszones", "a", "all", "recordsets")


def test_with_the_index_a_delete_touches_only_the_endpoint_and_its_own_record_sets(lab, emu, host, with_index):
    endpoint_id, requests = delete_after_reconcile(lab, emu, host)

    name = (f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}"
            f"/providers/Microsoft.Network/privateDnsZones/{BLOB}/{{}}/idxacct")
    record_sets = {name.format(t).lower() for t in ("A", "AAAA")}  # the name as a whole: both types
    assert ({endpoint_id.lower(), *record_sets}, [], []) == (
        {p.lower() for _, p, _ in requests}, [p for _, p, _ in requests if is_list(p)], lab.records())


def test_without_the_index_the_same_delete_works_by_listing_the_zones(lab, emu, host, app_env):
    _, requests = delete_after_reconcile(lab, emu, host)

    assert (True, []) == (any(is_list(p) for _, p, _ in requests), lab.records())


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Switchable:
    """The real table client, with a switch that makes every call fail as a dead endpoint does."""

    def __init__(self, table: TableClient) -> None:
        self._table, self.down, self.calls = table, False, 0

    def __getattr__(self, name):
        attr = getattr(self._table, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls += 1
            if self.down:
                from azure.core.exceptions import ServiceRequestError

                raise ServiceRequestError("connection refused (switched off by the test)")
            return attr(*args, **kwargs)

        return call


def test_after_a_failure_the_index_is_not_asked_again_until_the_breaker_closes(table, caplog):
    from shared.adapters.tables import BREAKER_SECONDS

    clock, flaky = Clock(), Switchable(table)
    index = TableClaimIndex(flaky, clock=clock)
    index.rebuild({})
    flaky.down = True
    with caplog.at_level(logging.WARNING, logger="pedns"):
        first = index.lookup(pe("a"))
        calls = flaky.calls
        during = [index.lookup(pe(str(i))) for i in range(20)]
    flaky.down = False
    clock.now += BREAKER_SECONDS

    assert (None, [None] * 20, calls) == (first, during, flaky.calls)
    assert 1 == len([r for r in caplog.records if r.levelno == logging.WARNING])
    assert set() == index.lookup(pe("a"))  # closed again: answered from the table


def test_a_write_lost_while_the_table_was_down_makes_every_worker_scan_until_the_next_rebuild(table):
    from shared.adapters.tables import BREAKER_SECONDS

    clock, flaky = Clock(), Switchable(table)
    index, other_worker = TableClaimIndex(flaky, clock=clock), TableClaimIndex(table)
    index.rebuild({})
    flaky.down = True
    index.store(pe("a"), {key("a")})  # the intent never reaches the table
    flaky.down = False
    clock.now += BREAKER_SECONDS

    assert (None, None) == (index.lookup(pe("a")), other_worker.lookup(pe("a")))
    index.rebuild({pe("a"): {key("a")}})
    assert ({key("a")}, {key("a")}) == (index.lookup(pe("a")), other_worker.lookup(pe("a")))


def test_without_the_index_a_delete_decides_from_its_listing_without_reading_each_record(lab, emu, host, app_env):
    _, requests = delete_after_reconcile(lab, emu, host)

    record_gets = [p for m, p, _ in requests if m == "GET" and "/A/" in p]
    assert ([], 1) == (record_gets, sum(1 for m, _, _ in requests if m == "DELETE"))
