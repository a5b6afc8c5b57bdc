"""A burst of events under ARM's real failure modes ends in exactly the desired hub records.

The emulator injects 5xx answers and dropped connections (some after the write was applied) and
throttles with token buckets answering 429 + Retry-After. Four workers — two function instances
with their own SDK clients, two concurrent invocations each — take a duplicated, shuffled queue of
write and delete events; a failed invocation goes back on the queue, as Event Grid redelivers.
"""

from __future__ import annotations

import random
import threading

import pytest

from emulator import Faults
from shared.core import ownership
from shared.errors import PednsError
from shared.parsing.events import parse_event
from shared.core.model import RecordKey, RecordSet
from shared.settings import Settings
from shared.wiring import build_service

pytestmark = pytest.mark.integration

ZONE = "privatelink.blob.core.windows.net"


def test_a_burst_with_faults_throttling_duplicates_and_concurrent_workers_converges_exactly(lab, emu):
    rng = random.Random(20261126)
    lab.put_record(ZONE, "manual", ["192.168.1.1"], metadata={"owner": "dba"})
    foreign_before = [r for r in lab.records() if r["name"] == "manual"]

    endpoints = []
    for i in range(24):
        account = f"acct{i}" if i < 16 else f"shared{i % 4}"  # 8 endpoints on 4 shared names
        ip = f"10.0.{i}.4"
        body = lab.endpoint_body(f"pe-{i}", target=lab.storage_id(account), group="blob",
                                 dns={f"{account}.blob.core.windows.net": [ip]})
        endpoints.append((body, account, ip))
    endpoints.append((lab.endpoint_body("pe-manual", target=lab.storage_id("manual"),
                                        group="blob", dns={"manual.blob.core.windows.net": ["10.0.99.4"]}),
                      "manual", "10.0.99.4"))
    for body, _, _ in endpoints:
        lab.put_endpoint(body)
    deleted = {endpoints[i][0]["id"] for i in (0, 3, 16, 17, 20)}  # includes both claimants of shared0
    for endpoint_id in deleted:
        lab.delete_endpoint(endpoint_id)

    events = [lab.event(body["id"]) for body, _, _ in endpoints]
    events += [lab.event(endpoint_id, "delete") for endpoint_id in deleted]
    queue = events + rng.sample(events, len(events) // 2)  # duplicates
    rng.shuffle(queue)  # any order: a delete may overtake its write

    emu.set_faults(Faults(latency_ms=2, fault_rate=0.08, throttle=True, seed=7,
                          read_bucket=15, read_refill=30.0, write_bucket=4, write_refill=8.0,
                          delete_bucket=2, delete_refill=4.0))
    settings = Settings.from_env({**emu.env(), "PEDNS_ARM_RETRY_TOTAL": "8"})
    emu.clear_requests()
    lock = threading.Lock()
    attempts: dict[str, int] = {}
    failures: list[str] = []

    # Two function instances, each with its own clients, and each running two invocations at once on
    # the worker's thread pool, sharing that instance's service as functions/_runtime.py does.
    instances = [build_service(settings), build_service(settings)]

    def worker(service) -> None:
        while True:
            with lock:
                if not queue:
                    return
                event = queue.pop()
            try:
                service.handle_event(parse_event(event))
            except PednsError as exc:
                with lock:
                    attempts[event["id"]] = attempts.get(event["id"], 0) + 1
                    if attempts[event["id"]] < 20:
                        queue.insert(0, event)  # Event Grid redelivers later
                    else:
                        failures.append(f"{event['id']}: {exc}")

    threads = [threading.Thread(target=worker, args=(instances[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    emu.set_faults(Faults())
    statuses = {status for _, _, status in emu.requests}

    assert [] == failures
    hub_zones = f"/subscriptions/{emu.hub_subscription}/resourcegroups/{emu.hub_resource_group}/providers/microsoft.network/privatednszones/"
    assert [] == [(m, p) for m, p, _ in emu.requests if m != "GET" and not p.lower().startswith(hub_zones)]
    assert (True, True) == (429 in statuses, bool(statuses & {0, 500, 503})), f"faults not met: {statuses}"
    live = [(body["id"], account, ip) for body, account, ip in endpoints if body["id"] not in deleted]
    expected: dict[str, set[str]] = {}
    for _, account, ip in live:
        if account != "manual":
            expected.setdefault(account, set()).add(ip)
    records = {r["name"]: r for r in lab.records()}
    assert foreign_before == [records.pop("manual")]
    assert set(expected) == set(records)
    for name, record in records.items():
        rs = RecordSet(RecordKey(ZONE, name), tuple(record["ips"]), record["ttl"], None, record["metadata"])
        claimants = {str(eid) for eid in ownership.claims(rs)}
        assert claimants == {eid for eid, account, _ in live if account == name}, name
        assert 1 == len(record["ips"]) and record["ips"][0] in expected[name], name
