"""One reconcile at a time, and its continuation.

A run that the time budget ends early (`complete: false`) asks for its continuation at once, so a
large estate's first fill keeps Private DNS's write rate busy instead of idling until the next
timer (the busiest zone of a 10,000-endpoint estate needs over an hour at 60 writes a minute; a
15-minute timer with a 7-minute budget would more than double that). The functions carry it out
with a queue message that triggers the next run (`functions/reconcile.py`).

Never two runs at once, whatever the number of instances: a run first takes the lease
(`RunLease`: in the claim index's table, with an expiry longer than the host's `functionTimeout`,
so a run the host killed frees it by itself). A run that finds the lease held does nothing: the
holder asks for its own continuation if it needs one, so exactly one chain goes on. The lease is
given back before the continuation is asked for (the functions write the queue message only when
the invocation returns), so the continuation never finds its predecessor still holding it.

A chain ends when a run completes, when a run started no drifted endpoint at all (its listings
took the whole budget: another run would do the same), or after `MAX_CONTINUATIONS` runs in a row
(a safety stop). The timer's next run starts a new chain.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from ..core.ports import Held, RunLease
from ..core.results import ReconcileReport

log = logging.getLogger("pedns.runs")

#: How long a run holds the lease: longer than host.json's functionTimeout (10 minutes), so a live
#: run never loses it and a killed run frees it before the next timer (every 15 minutes).
LEASE_SECONDS = 11 * 60
#: Continuations in a row before the chain stops: 96 runs of 7 minutes are over 11 hours of work.
MAX_CONTINUATIONS = 96


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one turn did: the report (None: another run held the lease), and the continuation to
    ask for (None: none needed, or the chain is at its end)."""

    report: ReconcileReport | None
    held_by: Held | None = None
    continuation: int | None = None  # the next run's generation

    def message(self) -> str | None:
        """The queue message that asks for the continuation, or None."""
        if self.continuation is None or self.report is None:
            return None
        return json.dumps({"generation": self.continuation,
                           "left": {"endpoints": self.report.left_endpoints, "records": self.report.left_records}},
                          separators=(",", ":"))


def in_turn(lease: RunLease, run: Callable[[], ReconcileReport], *, generation: int = 0) -> RunOutcome:
    """`run()` if no other run holds the lease, then the continuation it needs.

    `generation`: 0 for the timer's run, n for the nth continuation in a row.
    """
    holder = uuid.uuid4().hex
    held = lease.acquire(holder, LEASE_SECONDS)
    if held is not None:
        until = datetime.fromtimestamp(held.until, timezone.utc).isoformat(timespec="seconds")
        log.info("reconcile: another run holds the lease (%s, until %s); this one does nothing", held.holder, until)
        return RunOutcome(None, held_by=held)
    try:
        report = run()
    finally:
        lease.release(holder)
    if report.complete:
        return RunOutcome(report)
    if report.left_endpoints >= report.confirmed:
        log.warning("reconcile: the budget was spent before any drifted endpoint was started (the listings took "
                    "it all); no continuation: raise PEDNS_RECONCILE_BUDGET_SECONDS")
        return RunOutcome(report)
    if generation >= MAX_CONTINUATIONS:
        log.warning("reconcile: %d continuations in a row and still incomplete; the chain stops here and the "
                    "next timer starts a new one", generation)
        return RunOutcome(report)
    log.info("reconcile: incomplete (%d endpoint(s) left); continuation %d asked for", report.left_endpoints,
             generation + 1)
    return RunOutcome(report, continuation=generation + 1)
