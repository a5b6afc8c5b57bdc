"""One reconcile at a time, and the continuation of a run its budget ended (shared/usecases/runs.py)."""

from __future__ import annotations

import json

import pytest

from shared.core.ports import Held, LocalLease
from shared.core.results import ReconcileReport
from shared.errors import InvalidInput
from shared.parsing.continuation import parse_continuation
from shared.usecases.runs import LEASE_SECONDS, MAX_CONTINUATIONS, in_turn


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def report(*, left: int = 0, confirmed: int = 10, records: int = 0) -> ReconcileReport:
    r = ReconcileReport()
    r.confirmed = confirmed
    if left:
        r.complete, r.left_endpoints, r.left_records = False, left, records
    return r


def test_a_complete_run_asks_for_no_continuation():
    outcome = in_turn(LocalLease(), lambda: report())

    assert (True, None, None) == (outcome.report.complete, outcome.continuation, outcome.message())


def test_an_incomplete_run_asks_for_the_next_generation_in_a_message_the_trigger_reads_back():
    outcome = in_turn(LocalLease(), lambda: report(left=4, records=5), generation=2)

    assert 3 == outcome.continuation
    assert {"generation": 3, "left": {"endpoints": 4, "records": 5}} == json.loads(outcome.message())
    assert 3 == parse_continuation(outcome.message())


def test_a_run_that_finds_the_lease_held_does_nothing_and_asks_for_nothing():
    lease = LocalLease(Clock())
    assert lease.acquire("other", 60) is None
    ran = []

    outcome = in_turn(lease, lambda: ran.append(1) or report(left=3))

    assert ([], None, None, "other") == (ran, outcome.report, outcome.continuation, outcome.held_by.holder)


def test_an_expired_lease_is_taken_over():
    clock = Clock()
    lease = LocalLease(clock)
    lease.acquire("killed-run", 60)
    clock.now += 61

    outcome = in_turn(lease, lambda: report())

    assert outcome.report is not None


def test_the_lease_is_given_back_before_the_continuation_is_asked_for_and_when_the_run_fails():
    """The continuation's message is written when the invocation returns: by then the lease is free,
    or the continuation would find its predecessor holding it and the chain would end."""
    lease = LocalLease()
    in_turn(lease, lambda: report(left=2))
    assert lease.acquire("continuation", 60) is None
    lease.release("continuation")

    def fails() -> ReconcileReport:
        raise RuntimeError("listing failed")

    with pytest.raises(RuntimeError):
        in_turn(lease, fails)
    assert lease.acquire("next", 60) is None


def test_the_lease_outlasts_the_hosts_function_timeout():
    import re
    from pathlib import Path

    host = json.loads((Path(__file__).parents[2] / "host.json").read_text())
    h, m, s = map(int, re.fullmatch(r"(\d+):(\d+):(\d+)", host["functionTimeout"]).groups())
    assert LEASE_SECONDS > h * 3600 + m * 60 + s
    assert LEASE_SECONDS < 15 * 60  # and a killed run frees it before the next timer (every 15 minutes)


def test_the_chain_stops_after_max_continuations():
    outcome = in_turn(LocalLease(), lambda: report(left=1), generation=MAX_CONTINUATIONS)

    assert (None, False) == (outcome.continuation, outcome.report.complete)


def test_a_run_whose_listings_took_the_whole_budget_asks_for_no_continuation(caplog):
    """Another run would do the same: the chain would spin without progress."""
    outcome = in_turn(LocalLease(), lambda: report(left=10, confirmed=10))

    assert outcome.continuation is None
    assert any("PEDNS_RECONCILE_BUDGET_SECONDS" in r.getMessage() for r in caplog.records)
    assert 1 == in_turn(LocalLease(), lambda: report(left=9, confirmed=10)).continuation


@pytest.mark.parametrize("body", [b"", b"[]", b"{}", b'{"generation": 0}', b'{"generation": "1"}',
                                  b'{"generation": true}', b'{"generation": 1, "generation": 2}', b"x" * 5000])
def test_a_bad_continuation_message_is_one_line_of_invalid_input(body):
    with pytest.raises(InvalidInput) as raised:
        parse_continuation(body)
    assert "\n" not in str(raised.value) and str(raised.value).startswith("continuation message")


def test_local_lease_gives_back_only_its_own():
    lease = LocalLease()
    lease.acquire("a", 60)
    lease.release("b")

    held = lease.acquire("b", 60)
    assert isinstance(held, Held) and "a" == held.holder
