"""The reconcile's continuation and its lease, for real: the lease in Azurite's Table service, the
chain through the function app's timer and queue trigger against the ARM emulator over HTTPS.

Only the reconcile's clock is replaced (a counter: each endpoint started costs one "second"), so a
run's budget ends after a known number of endpoints whatever the machine's speed."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import uuid
from functools import partial

import pytest
from azure.data.tables import TableClient

from shared.adapters.run_lease import LEASE, TableRunLease
from shared.adapters.tables import CLIENT_KWARGS, META
from shared.usecases.reconcile import reconcile as real_reconcile

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def table(azurite):
    name = "t" + uuid.uuid4().hex[:16]
    with TableClient.from_connection_string(azurite.connection_string(), name, **CLIENT_KWARGS) as client:
        yield client


def test_the_table_lease_is_held_by_one_holder_until_given_back_or_expired(table):
    clock = Clock()
    a, b = TableRunLease(table, clock=clock), TableRunLease(table, clock=clock)  # two instances

    assert a.acquire("run-a", 600) is None  # creates the table on first use
    held = b.acquire("run-b", 600)
    assert ("run-a", clock.now + 600) == (held.holder, held.until)

    a.release("run-b")  # not run-b's to give back through a's name: nothing happens
    assert b.acquire("run-b", 600) is not None
    a.release("run-a")
    assert b.acquire("run-b", 600) is None

    clock.now += 601  # run-b was killed by the host: its lease expires by itself
    assert a.acquire("run-c", 600) is None
    assert "run-c" == table.get_entity(META, LEASE)["Holder"]


def test_two_instances_racing_for_a_free_or_expired_lease_never_both_win(table):
    clock = Clock()
    TableRunLease(table, clock=clock).acquire("old", 10)
    clock.now += 11  # expired: both see it free and write with its etag; only one write can win
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    class Racing(TableRunLease):
        reads = 0

        def _get(self):
            entity = super()._get()
            self.reads += 1
            if self.reads == 1:
                barrier.wait(timeout=10)  # both have read before either writes
            return entity

    def take(name: str) -> None:
        results[name] = Racing(table, clock=clock).acquire(name, 600)

    threads = [threading.Thread(target=take, args=(n,)) for n in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winners = [n for n, held in results.items() if held is None]
    assert 1 == len(winners), results
    assert winners[0] == table.get_entity(META, LEASE)["Holder"]


def test_an_unreachable_table_lets_the_run_go_on_without_the_lease(azurite, caplog):
    with TableClient.from_connection_string(azurite.connection_string(azurite.free_port()), "tnone",
                                            **{**CLIENT_KWARGS, "retry_total": 0, "connection_timeout": 1}) as client:
        with caplog.at_level(logging.WARNING):
            assert TableRunLease(client).acquire("run", 600) is None
    assert any("running without it" in r.getMessage() for r in caplog.records)


# -- the chain through the function app ------------------------------------------------------------


@pytest.fixture
def with_lease(app_env, azurite, monkeypatch):
    from functions import _runtime

    monkeypatch.setenv("PEDNS_INDEX_CONNECTION_STRING", azurite.connection_string())
    monkeypatch.setenv("PEDNS_INDEX_TABLE_NAME", "t" + uuid.uuid4().hex[:16])
    monkeypatch.setenv("PEDNS_RECONCILE_BUDGET_SECONDS", "3")
    monkeypatch.setenv("PEDNS_RECONCILE_CONCURRENCY", "2")
    _runtime.reset()
    return app_env


def counting_clock(monkeypatch):
    """Each call of the reconcile's clock is one second later: a budget of 3 starts 2 endpoints."""
    from functions import reconcile as door

    ticks = itertools.count()
    monkeypatch.setattr(door, "run_reconcile", partial(real_reconcile, clock=lambda: float(next(ticks))))


@pytest.mark.graph_lag_ms(0)  # the endpoints are listed at once
def test_a_budget_ended_run_continues_through_the_queue_until_every_record_is_exact(lab, host, with_lease,
                                                                                     monkeypatch):
    endpoints = [lab.blob_endpoint(f"pe{n}", f"acct{n}", f"10.0.7.{n + 4}") for n in range(7)]
    for pe in endpoints:
        lab.put_endpoint(pe)  # no event: every record is missing, as on a first fill
    counting_clock(monkeypatch)

    messages = [host.timer("reconcile")["continuation"].value]
    while messages[-1] is not None:
        assert len(messages) < 10, messages
        messages.append(host.queue("reconcile_continue", messages[-1])["continuation"].value)

    generations = [json.loads(m)["generation"] for m in messages[:-1]]
    assert [1, 2, 3] == generations  # 7 endpoints, 2 a run: the timer's run and three continuations
    assert [5, 3, 1] == [json.loads(m)["left"]["endpoints"] for m in messages[:-1]]
    assert {("privatelink.blob.core.windows.net", f"acct{n}"): [f"10.0.7.{n + 4}"] for n in range(7)} == lab.names()


@pytest.mark.graph_lag_ms(0)
def test_a_continuation_that_finds_another_run_holding_the_lease_does_nothing(lab, host, with_lease, monkeypatch):
    from functions import _runtime

    lab.put_endpoint(lab.blob_endpoint("pe0", "acct0", "10.0.7.4"))
    assert _runtime.lease().acquire("a-timer-run-elsewhere", 600) is None

    outputs = host.queue("reconcile_continue", json.dumps({"generation": 1}))

    assert (None, {}) == (outputs["continuation"].value, lab.names())


def test_a_continuation_message_pedns_cannot_read_is_rejected_and_changes_nothing(lab, host, with_lease, caplog):
    lab.put_endpoint(lab.blob_endpoint("pe0", "acct0", "10.0.7.4"))

    outputs = host.queue("reconcile_continue", b'{"generation": "one"}')

    assert (None, {}) == (outputs["continuation"].value, lab.names())
    assert ["rejected: continuation message: generation: Input should be a valid integer, got 'one'"] == [
        r.getMessage() for r in caplog.records if r.name == "pedns.functions.reconcile"]
