"""Speed and cost of pedns, measured (never asserted in tests). Run: make bench.

Latency is against the in-process emulator on loopback, so it shows pedns's own overhead and its
number of round trips; against Azure each ARM round trip adds tens of milliseconds. The ARM
request counts are the cost figure that carries over to Azure (ARM throttles per subscription).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from builders import endpoint
from shared.core.desired import desire
from shared.core.model import NameState
from shared.core.plan import Policy, decide
from shared.wiring import catalogue_for
from shared.settings import Settings
from conftest import MEASURED
from tools.lab import delivery


def test_cold_start_import_of_the_function_app(benchmark):
    def cold() -> None:
        subprocess.run([sys.executable, "-c", "import function_app"], check=True)

    benchmark.pedantic(cold, rounds=5, iterations=1)


#: Write events per run, all into one zone: under Private DNS's own limits (60 creates a minute per
#: zone; without the index, 2 of its 100 listings a minute per event) pedns's pacer would hold the
#: next event back past the event path's patience, and Event Grid would redeliver it (issue 19).
EVENTS = 40


def test_write_event_end_to_end_against_the_emulator(benchmark, lab, index_mode, host, emu):
    host.timer("reconcile")  # builds the (empty) index, when there is one
    bodies = []
    for i in range(200):
        body = lab.endpoint_body(f"pe-{i}", target=lab.storage_id(f"acct{i}"), group="blob",
                                 dns={f"acct{i}.blob.core.windows.net": [f"10.1.{i // 250}.{i % 250 + 4}"]})
        lab.put_endpoint(body)
        bodies.append(body)
    events = iter(delivery(lab.event(b["id"])) for b in bodies)
    emu.clear_requests()

    def one() -> None:
        [result] = host.deliver(next(events))
        assert result.ok

    benchmark.pedantic(one, rounds=EVENTS, iterations=1)
    MEASURED.append(f"[{index_mode}] new endpoint, one FQDN: {len(emu.requests) / EVENTS:.1f} ARM requests per "
                    "write event")


@pytest.mark.parametrize("case", ["duplicate-write", "delete"])
def test_arm_requests_per_event(benchmark, lab, index_mode, host, emu, case):
    body = lab.endpoint_body("pe-x", target=lab.storage_id("x"), group="blob",
                             dns={"x.blob.core.windows.net": ["10.1.0.4"]})
    lab.put_endpoint(body)
    host.deliver(delivery(lab.event(body["id"])))
    host.timer("reconcile")
    if case == "delete":
        lab.delete_endpoint(body["id"])
    emu.clear_requests()

    def one() -> None:
        host.deliver(delivery(lab.event(body["id"], "delete" if case == "delete" else "write")))

    benchmark.pedantic(one, rounds=1, iterations=1)
    calls = [f"{m} {p.split('/providers/')[-1].split('?')[0]}" for m, p, _ in emu.requests]
    MEASURED.append(f"[{index_mode}] {case}: {len(calls)} ARM requests: {'; '.join(calls)}")


def test_pure_desire_and_plan_per_endpoint(benchmark):
    catalogue = catalogue_for(Settings())
    pe = endpoint("a", {"aacct.blob.core.windows.net": ["10.0.0.4", "fd00::4"]})  # its target is account aacct
    assert desire(pe, catalogue).records, "the endpoint must want a record, or only desire is measured"

    def one() -> None:
        wanted = desire(pe, catalogue)
        for record in wanted.records:
            decide(record.key, NameState(record.key), pe.id, record, policy=Policy(), now=1)

    benchmark(one)


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoints it has just written
@pytest.mark.parametrize("listing", ["per type", "all types"])
def test_reconcile_of_a_converged_estate(benchmark, lab, index_mode, host, emu, monkeypatch, listing):
    """The scheduled reconcile when nothing drifted: what it costs in ARM requests per endpoint, with
    each zone listed per type (A, AAAA) or in one listing of all types (PEDNS_LIST_ALL_RECORD_TYPES,
    the emulator granting `…/ALL/read`)."""
    from functions import _runtime
    from shared.adapters.privatedns import forget_list_all_refusals

    monkeypatch.setenv("PEDNS_LIST_ALL_RECORD_TYPES", "true" if listing == "all types" else "false")
    _runtime.reset()
    forget_list_all_refusals()
    for i in range(100):
        lab.put_endpoint(lab.blob_endpoint(f"pe-r{i}", f"recon{i}", f"10.2.0.{i + 4}"))
    host.timer("reconcile")  # converges everything (and builds the index)
    emu.clear_requests()

    benchmark.pedantic(lambda: host.timer("reconcile"), rounds=1, iterations=1)

    gets = sum(1 for m, _, _ in emu.requests if m == "GET")
    listings = sum(1 for m, p, _ in emu.requests if m == "GET" and p.rsplit("/", 1)[-1].upper() in ("A", "AAAA", "ALL"))
    MEASURED.append(f"[{index_mode}, {listing}] reconcile of 100 converged endpoints: {len(emu.requests)} ARM requests "
                    f"({gets} GETs, {listings} record listings)")


@pytest.mark.graph_lag_ms(0)  # reconciles and approves at once what it has just written
def test_approval_event_on_a_target_two_endpoints_point_at(benchmark, lab, index_mode, host, emu):
    """A connection change on a target: one Resource Graph query finds the endpoints, each is confirmed."""
    for i in range(50):
        lab.put_endpoint(lab.blob_endpoint(f"pe-o{i}", f"other{i}", f"10.3.0.{i + 4}"))
    target = lab.storage_id("approved")
    for i in range(2):
        body = lab.endpoint_body(f"pe-a{i}", target=target, group="blob", manual=True, status="Pending",
                                 dns={"approved.blob.core.windows.net": [f"10.3.1.{i + 4}"]})
        lab.put_endpoint(body)
    host.timer("reconcile")  # converges everything (and builds the index)
    for i in range(2):
        body = lab.endpoint_body(f"pe-a{i}", target=target, group="blob", manual=True, status="Approved",
                                 dns={"approved.blob.core.windows.net": [f"10.3.1.{i + 4}"]})
        lab.put_endpoint(body)
    emu.clear_requests()

    benchmark.pedantic(lambda: host.deliver(delivery(lab.connection_event(target, "pe-a0"))), rounds=1, iterations=1)

    calls = [f"{m} {p.split('/providers/')[-1].split('?')[0]}" for m, p, _ in emu.requests]
    MEASURED.append(f"[{index_mode}] approval, 2 endpoints on the target among 52: {len(calls)} ARM requests: "
                    f"{'; '.join(calls)}")


def test_replay_of_150_ids(benchmark, lab, index_mode, host, emu):
    """`pedns replay` of many ids (the use case the CLI calls): without the index, one listing of
    the hub for the whole run (issue 19: it was one per id, 1,650 requests for 150 ids)."""
    from functions import _runtime
    from shared.core.model import ResourceId
    from shared.usecases.replay import replay

    ids = []
    for i in range(150):
        pe = lab.blob_endpoint(f"pe-rp{i}", f"replay{i}", f"10.3.{i // 200}.{i % 200 + 4}")
        lab.put_endpoint(pe)
        ids.append(ResourceId(pe["id"]))
    emu.clear_requests()

    benchmark.pedantic(lambda: replay(_runtime.service(), ids), rounds=1, iterations=1)

    listings = sum(1 for m, p, _ in emu.requests if m == "GET" and p.split("?")[0].rsplit("/", 1)[-1] in ("A", "AAAA"))
    MEASURED.append(f"[{index_mode}] replay of 150 new endpoints: {len(emu.requests)} ARM requests "
                    f"({listings} record listings)")
