"""Property tests with pins: the random histories of `test_properties.py` (duplicated, reordered and
interleaved deliveries, faults before and after writes, dead letters), with endpoints in two regions
and an operator's `pedns switch --to-region` and `--clear` landing anywhere in them.

Invariants after all deliveries plus at most one reconcile: everything `test_properties` checks (one
holder per name, the holder a live claimant serving its own addresses, every live claim kept, foreign
records byte-identical), and for pins: a name pinned to a region whose live claimants include one
in that region is held there; both record types of a name carry the same pin; after a clear, and
with no switch since, no pin is left.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import SuffixResolver, endpoint, pe_id
from shared.core import ownership
from shared.core.model import ConnectionStatus, PrivateEndpoint, RecordKey, RecordSet
from shared.core.pins import pin_of
from shared.errors import PednsError
from shared.service import Service
from shared.testing import InMemoryClaimIndex, InMemoryZoneStore
from shared.usecases.reconcile import reconcile as run_reconcile
from shared.usecases.switch import switch
from test_properties import ENDPOINTS, FOREIGN, FOREIGN6, MAX_ATTEMPTS, NAMES, ZONE, Arm, Delete, FlakyStore, Put, \
    check_invariant

REGION = {"pe0": "eastus", "pe1": "westus", "pe2": "westus"}


class Switch:
    def __init__(self, region: str | None) -> None:
        self.region = region

    def __repr__(self) -> str:
        return f"Switch({self.region!r})"


def build(op: Put) -> PrivateEndpoint:
    status = ConnectionStatus.APPROVED if op.approved else ConnectionStatus.PENDING
    index = ENDPOINTS.index(op.endpoint)
    ips = ([f"10.0.{index}.{op.ip}"] if op.family != "v6" else []) + (
        [f"fd00:{index}::{op.ip}"] if op.family != "v4" else [])
    return endpoint(op.endpoint, {f"{n}.blob.core.windows.net": ips for n in sorted(op.names)},
                    status=status, manual=not op.approved, location=REGION[op.endpoint])


#: Mostly approved endpoints sharing the first names, so that most switches find names to move.
puts = st.builds(Put, st.sampled_from(ENDPOINTS), st.frozensets(st.sampled_from(NAMES), min_size=1, max_size=3),
                 st.integers(1, 3), st.sampled_from((True, True, True, False)), st.sampled_from(("v4", "dual", "v6")))
ops = st.one_of(puts, puts, st.builds(Delete, st.sampled_from(ENDPOINTS)),
                st.builds(Switch, st.sampled_from(("westus", "westus", "eastus", None))))


class TrackingStore(FlakyStore):
    """Remembers the names that became free of pedns (its last record set there deleted; a foreign one
    may stay): a pin goes with them."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.freed: set[RecordKey] = set()

    def delete(self, key, rtype, *, etag):
        try:
            return super().delete(key, rtype, etag=etag)
        finally:
            if not any(ownership.ownership(r, "pedns") == "ours" for r in InMemoryZoneStore.get(self, key).sets):
                self.freed.add(key)


def check_pins(store, arm, *, cleared: bool, pinned: dict[RecordKey, str]) -> None:
    """`pinned`: the names a switch pinned (and to which region) that have not been free since."""
    live: dict[RecordKey, set[str]] = {}
    for pe in arm.live.values():
        if pe.connections[0].status is ConnectionStatus.APPROVED:
            for config in pe.dns_configs:
                key = SuffixResolver().resolve(target_id="", group_id="blob", fqdn=config.fqdn, location="")
                live.setdefault(key, set()).add(pe.location)
    by_name: dict[RecordKey, list[RecordSet]] = {}
    for r in store.records():
        if ownership.ownership(r, "pedns") == "ours":
            by_name.setdefault(r.key, []).append(r)
    for key, region in pinned.items():
        if key not in store.freed and key in by_name:
            assert {region} == {getattr(pin_of(s), "region", None) for s in by_name[key]}, f"{key} lost its pin"
    for key, sets in by_name.items():
        pins = {pin_of(s) for s in sets}
        assert len(pins) == 1, f"{key}: the record types carry different pins: {pins}"
        [pin] = pins
        if cleared:
            assert pin is None, f"{key} still pinned after a clear: {pin}"
        if pin is None or pin.region not in live.get(key, set()):
            continue
        holder = ownership.holder(sets[0])
        assert REGION[holder.name] == pin.region, f"{key} pinned to {pin.region} but held by {holder}"


def run_history(history, schedule: random.Random, *, fault_rate: float, reconcile: bool) -> None:
    arm = Arm()
    store = TrackingStore([ZONE], random.Random(schedule.random()), fault_rate)
    foreign = [store.seed(RecordSet(RecordKey(ZONE, FOREIGN), ("192.168.7.7",), 3600, None, {"team": "dba"})),
               store.seed(RecordSet(RecordKey(ZONE, FOREIGN6), ("fd00:7::7",), 3600, None, {}, type="AAAA"))]
    service = Service(reader=arm, store=store, resolver=SuffixResolver(), index=InMemoryClaimIndex())
    pending: list[tuple[str, int]] = []
    todo = list(history)
    todo.insert(schedule.randrange(len(todo) + 1), Switch("westus"))  # every history has one switch at least
    cleared = False
    pinned: dict[RecordKey, str] = {}

    def apply_next() -> None:
        nonlocal cleared
        op = todo.pop(0)
        if isinstance(op, Switch):  # an operator's command: no event, it writes itself
            report = switch(service, region=op.region)
            cleared = op.region is None
            if cleared:
                pinned.clear()
            for name in report.names:
                if op.region is not None and name.state in ("moved", "pinned", "unchanged"):
                    pinned[name.key] = report.region
                    store.freed.discard(name.key)
                elif name.state == "failed":  # a fault: the write may have been applied, or not
                    pinned.pop(name.key, None)
            return
        arm.put(build(op)) if isinstance(op, Put) else arm.remove(pe_id(op.endpoint))
        pending.append((op.endpoint, 0))
        if schedule.random() < 0.3:
            pending.append((op.endpoint, 0))

    def deliver(name: str, attempts: int) -> None:
        try:
            service.converge(pe_id(name))
        except PednsError:
            if attempts + 1 < MAX_ATTEMPTS:
                pending.append((name, attempts + 1))

    while todo or pending:
        if todo and isinstance(todo[0], Switch) and schedule.random() < 0.6:
            while pending:  # most switches come once the deliveries so far are handled; the others anywhere
                deliver(*pending.pop(schedule.randrange(len(pending))))
        if todo and (not pending or schedule.random() < 0.4):
            apply_next()
            continue
        name, attempts = pending.pop(schedule.randrange(len(pending)))
        if todo and schedule.random() < 0.4:
            arm.on_read = apply_next  # the next change (or switch) lands between this handler's read and write
        deliver(name, attempts)
        arm.on_read = None

    store.rate = 0.0
    if reconcile:
        run_reconcile(service, subscriptions=[pe_id("x").subscription_id])
    check_invariant(store, arm, foreign, strict=fault_rate == 0)
    check_pins(store, arm, cleared=cleared and fault_rate == 0, pinned=pinned)


PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(history=st.lists(ops, min_size=1, max_size=25), seed=st.integers(0, 2**32 - 1))
def test_without_faults_pins_hold_and_the_deliveries_alone_converge(history, seed):
    run_history(history, random.Random(seed), fault_rate=0.0, reconcile=False)


@PROFILE
@given(history=st.lists(ops, min_size=1, max_size=25), seed=st.integers(0, 2**32 - 1))
def test_with_faults_and_a_switch_anywhere_one_reconcile_converges(history, seed):
    run_history(history, random.Random(seed), fault_rate=0.3, reconcile=True)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=st.lists(ops, min_size=1, max_size=50), seed=st.integers(0, 2**32 - 1))
def test_deep_profile_with_faults_and_switches(history, seed):
    run_history(history, random.Random(seed), fault_rate=0.3, reconcile=True)
