"""Property tests: random histories of endpoint changes, delivered the way Event Grid delivers them.

Histories create, update and delete endpoints (IPv4, dual-stack and IPv6-only, changing from one
to another) that share names, next to records pedns does not own (an A on one name, an AAAA on
another). Deliveries are duplicated, reordered, interleaved with the changes (also in the middle of a
handler, between its read and its write), and hit injected faults — some after the write was
applied, as when a response is lost. A failed delivery is retried, a few times, then dead-lettered.

Invariant after all deliveries plus at most one reconcile: every owned record equals the desired
state (one holder per name for both record types, each type with its holder's addresses of that
family), every foreign record is byte-identical, and no live claim is lost.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import SuffixResolver, endpoint, pe_id
from shared.core import ownership
from shared.errors import PednsError, TransientError
from shared.core.model import RECORD_TYPES, ConnectionStatus, PrivateEndpoint, RecordKey, RecordSet, of_type, sort_ips
from shared.usecases.reconcile import reconcile as run_reconcile
from shared.service import Service
from shared.testing import InMemoryClaimIndex, InMemoryEndpointReader, InMemoryZoneStore

ZONE = "privatelink.blob.core.windows.net"
NAMES = ("n0", "n1", "n2", "n3")
FOREIGN = "n3"  # someone else's A record sits on this name
FOREIGN6 = "n2"  # and someone else's AAAA record on this one
ENDPOINTS = tuple(f"pe{i}" for i in range(3))
MAX_ATTEMPTS = 4


@dataclass(frozen=True)
class Put:
    endpoint: str
    names: frozenset[str]
    ip: int
    approved: bool = True
    family: str = "v4"  # "v4", "dual" or "v6"


@dataclass(frozen=True)
class Delete:
    endpoint: str


def build(op: Put) -> PrivateEndpoint:
    status = ConnectionStatus.APPROVED if op.approved else ConnectionStatus.PENDING
    index = ENDPOINTS.index(op.endpoint)
    ips = ([f"10.0.{index}.{op.ip}"] if op.family != "v6" else []) + (
        [f"fd00:{index}::{op.ip}"] if op.family != "v4" else [])
    return endpoint(op.endpoint, {f"{n}.blob.core.windows.net": ips for n in sorted(op.names)},
                    status=status, manual=not op.approved)


ops = st.one_of(
    st.builds(Put, st.sampled_from(ENDPOINTS), st.frozensets(st.sampled_from(NAMES), min_size=1, max_size=3),
              st.integers(1, 3), st.booleans(), st.sampled_from(("v4", "dual", "v6"))),
    st.builds(Delete, st.sampled_from(ENDPOINTS)),
)


class Arm(InMemoryEndpointReader):
    """ARM with a hook: an operation can land between a handler's read and its write."""

    def __init__(self) -> None:
        super().__init__()
        self.on_read = None

    def get(self, endpoint_id, *, zone_groups=True):
        try:
            return super().get(endpoint_id, zone_groups=zone_groups)
        finally:
            hook, self.on_read = self.on_read, None
            if hook:
                hook()


class FlakyStore(InMemoryZoneStore):
    """Fails some calls: before applying (nothing happened) or after (the response was lost)."""

    def __init__(self, zones, rng: random.Random, rate: float) -> None:
        super().__init__(zones)
        self.rng, self.rate = rng, rate

    def _flaky(self, call, *args, **kwargs):
        roll = self.rng.random()
        if roll < self.rate / 2:
            raise TransientError("injected: HTTP 503")
        result = call(*args, **kwargs)
        if roll < self.rate:
            raise TransientError("injected: connection dropped after the write")
        return result

    def get(self, key, types=RECORD_TYPES):
        return self._flaky(super().get, key, types)

    def create(self, record):
        return self._flaky(super().create, record)

    def replace(self, record, *, etag):
        return self._flaky(super().replace, record, etag=etag)

    def delete(self, key, rtype, *, etag):
        return self._flaky(super().delete, key, rtype, etag=etag)


def check_invariant(store: InMemoryZoneStore, arm: InMemoryEndpointReader, foreign: list[RecordSet], *,
                    strict: bool = True) -> None:
    """`strict`: no record set of pedns's beside a foreign one. Without it (faults: a create whose
    response was lost, retried after a read that shows it with its claim) such a set may stay,
    kept up for its claimants and reported `foreign`; it must still obey the rules below."""
    resolver = SuffixResolver()
    live: dict[RecordKey, dict] = {}
    for pe in arm.live.values():
        if pe.connections[0].status is not ConnectionStatus.APPROVED:
            continue
        for config in pe.dns_configs:
            key = resolver.resolve(target_id="", group_id="blob", fqdn=config.fqdn, location="")
            live.setdefault(key, {})[pe.id] = config.ips
    records: dict[RecordKey, dict[str, RecordSet]] = {}
    for r in store.records():
        records.setdefault(r.key, {})[r.type] = r

    beside: set[RecordKey] = set()
    for theirs in foreign:
        assert theirs == records[theirs.key].pop(theirs.type), "a foreign record changed"
        if strict:  # a name with a foreign record set is never served by pedns (its first claim never came)
            assert {} == records[theirs.key], f"pedns wrote beside the foreign {theirs.type} at {theirs.key}"
        beside.add(theirs.key)
    for key in set(records) | set(live):
        claimants = live.get(key, {})
        sets = records.get(key, {})
        if key in beside:
            if not sets:
                continue
            claimants = {e: ips for e, ips in claimants.items()
                         if any(e in ownership.claims(r) for r in sets.values())}  # newcomers are refused there
        if not claimants:
            assert not sets, f"{key} should be gone: {sets}"
            continue
        assert sets, f"{key} missing; claimants {sorted(map(str, claimants))}"
        holders = {ownership.holder(r) for r in sets.values()}
        assert len(holders) == 1, f"{key}: the record types disagree on the holder: {holders}"
        [holder] = holders
        assert holder in claimants, f"{key} held by {holder}, not a live claimant"
        for rtype in RECORD_TYPES:
            if key in beside and any(f.key == key and f.type == rtype for f in foreign):
                continue  # that type is someone else's
            wanted = of_type(sort_ips(claimants[holder]), rtype)
            served = sets[rtype].ips if rtype in sets else ()
            assert wanted == served, f"{rtype} {key} serves {served}, holder wants {wanted}"
        for rtype, record in sets.items():
            assert set(claimants) == set(ownership.claims(record)), f"{rtype} {key} claims differ"


def run_history(history, schedule: random.Random, *, fault_rate: float, reconcile: bool) -> None:
    arm = Arm()
    store = FlakyStore([ZONE], random.Random(schedule.random()), fault_rate)
    foreign = [store.seed(RecordSet(RecordKey(ZONE, FOREIGN), ("192.168.7.7",), 3600, None, {"team": "dba"})),
               store.seed(RecordSet(RecordKey(ZONE, FOREIGN6), ("fd00:7::7",), 3600, None, {}, type="AAAA"))]
    service = Service(reader=arm, store=store, resolver=SuffixResolver(), index=InMemoryClaimIndex())

    pending: list[tuple[str, int]] = []  # (endpoint name, attempts so far)
    todo = list(history)

    def apply_next() -> None:
        op = todo.pop(0)
        if isinstance(op, Put):
            arm.put(build(op))
        else:
            arm.remove(pe_id(op.endpoint))
        pending.append((op.endpoint, 0))
        if schedule.random() < 0.3:  # a duplicate delivery
            pending.append((op.endpoint, 0))

    while todo or pending:
        choice = schedule.random()
        if todo and (not pending or choice < 0.4):
            apply_next()
            continue
        name, attempts = pending.pop(schedule.randrange(len(pending)))  # any order
        if todo and schedule.random() < 0.4:
            # The next change lands between this handler's read and its write, and sometimes a
            # second worker handles that change's event right away, before this handler writes.
            concurrent = schedule.random() < 0.5

            def interleave(concurrent: bool = concurrent) -> None:
                apply_next()
                if concurrent:
                    other, _ = pending.pop()
                    try:
                        service.converge(pe_id(other))
                    except PednsError:
                        pending.append((other, 1))

            arm.on_read = interleave
        try:
            service.converge(pe_id(name))
        except PednsError:
            if attempts + 1 < MAX_ATTEMPTS:
                pending.append((name, attempts + 1))  # Event Grid redelivers; finally dead-letters
        arm.on_read = None

    store.rate = 0.0
    if reconcile:
        run_reconcile(service, subscriptions=[pe_id("x").subscription_id])
    check_invariant(store, arm, foreign, strict=fault_rate == 0)


PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(history=st.lists(ops, min_size=1, max_size=25), seed=st.integers(0, 2**32 - 1))
def test_without_faults_the_deliveries_alone_converge(history, seed):
    run_history(history, random.Random(seed), fault_rate=0.0, reconcile=False)


@PROFILE
@given(history=st.lists(ops, min_size=1, max_size=25), seed=st.integers(0, 2**32 - 1))
def test_with_faults_and_dead_letters_one_reconcile_converges(history, seed):
    run_history(history, random.Random(seed), fault_rate=0.3, reconcile=True)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=st.lists(ops, min_size=1, max_size=60), seed=st.integers(0, 2**32 - 1))
def test_deep_profile_with_faults(history, seed):
    run_history(history, random.Random(seed), fault_rate=0.3, reconcile=True)


@pytest.mark.parametrize("seed", range(12))
def test_concurrent_workers_converge_on_shared_names(seed):
    """Four workers (function instances) take a shuffled, duplicated queue of events at once."""
    rng = random.Random(seed)
    arm = InMemoryEndpointReader()
    store = InMemoryZoneStore([ZONE])
    foreign = [store.seed(RecordSet(RecordKey(ZONE, FOREIGN), ("192.168.7.7",), 3600, None, {})),
               store.seed(RecordSet(RecordKey(ZONE, FOREIGN6), ("fd00:7::7",), 3600, None, {}, type="AAAA"))]
    history = [Put(rng.choice(ENDPOINTS), frozenset(rng.sample(NAMES, rng.randint(1, 3))), rng.randint(1, 3),
                   family=rng.choice(("v4", "dual", "v6"))) for _ in range(20)]
    for op in history:
        arm.put(build(op))
    for name in rng.sample(ENDPOINTS, 2):
        arm.remove(pe_id(name))
    queue = [op.endpoint for op in history] * 2 + list(ENDPOINTS)
    rng.shuffle(queue)
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        service = Service(reader=arm, store=store, resolver=SuffixResolver(), index=None)
        while True:
            with lock:
                if not queue:
                    return
                name = queue.pop()
            try:
                service.converge(pe_id(name))
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert [] == errors
    check_invariant(store, arm, foreign, strict=False)  # workers race each other's creates
