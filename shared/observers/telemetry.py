"""What pedns tells Azure Monitor: the observer that turns each door's results into the metrics of
the one table, `shared/core/instruments.py`.

`Telemetry` is a pure observer (`shared.observers.fanout`): it aggregates one handling's results in memory
and makes one metric call per distinct set of dimensions, so a reconcile of 10,000 endpoints costs
a handful of calls, not 10,000.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.ports import Metrics
from ..core.results import Handling
from ..errors import WouldWait

if TYPE_CHECKING:  # pragma: no cover
    from ..core.results import ReconcileReport, SwitchReport
    from ..core.results import Change, EndpointResult

log = logging.getLogger("pedns.telemetry")


def failed_over(change: "Change") -> bool:
    """Whether an applied change handed a shared name from one holder to another (the service marks
    the writes of such a decision: the holder found gone and replaced counts as well)."""
    return change.applied and change.failover


class Telemetry:
    """The metrics observer: `converged` and `reconciled` per the `Observer` protocol, and `failed`
    for a handling that raised."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def converged(self, results: Sequence["EndpointResult"], handling: Handling) -> None:
        door = handling.door
        changes: Counter[tuple[str, str, str]] = Counter()
        failovers: Counter[str] = Counter()
        skips: Counter[tuple[str, str]] = Counter()
        statuses: Counter[str] = Counter()
        conflicts = 0
        for result in results:
            statuses[result.status] += 1
            conflicts += result.conflicts
            handed = set()
            for change in result.changes:
                if not change.applied:  # a dry run changes nothing
                    continue
                action: str = "claim" if change.action == "update" and sorted(change.before) == sorted(change.after) \
                    else change.action
                changes[(action, change.type, change.key.zone)] += 1
                if failed_over(change) and change.key not in handed:  # once per name, whatever its types
                    handed.add(change.key)
                    failovers[change.key.zone] += 1
            for skip in result.skipped:
                skips[(skip.reason.value, skip.key.zone if skip.key else "")] += 1
        m = self.metrics
        for (action, rtype, zone), n in sorted(changes.items()):
            m.count("records_changed", n, action=action, type=rtype, zone=zone, door=door)
        for zone, n in sorted(failovers.items()):
            m.count("records_failed_over", n, zone=zone, door=door)
        for (reason, zone), n in sorted(skips.items()):
            m.count("names_skipped", n, reason=reason, door=door, **({"zone": zone} if zone else {}))
        for status, n in sorted(statuses.items()):
            m.count("endpoints_handled", n, status=status, door=door)
        if conflicts:
            m.count("write_conflicts", conflicts, door=door)
        m.observe("handling_duration", handling.duration, door=door,
                  status="ok" if all(r.ok for r in results) else "error")
        if handling.event_time is not None:
            age = max(0.0, handling.finished - handling.event_time.timestamp())
            m.observe("event_age", age, door=door)
            # One line per event with its age: Application Insights keeps a histogram as count, sum,
            # min and max per export interval, so the workbook's percentiles come from these lines.
            log.info("handled door=%s age=%.3fs duration=%.3fs event=%s", door, age, handling.duration,
                     handling.event_id)

    def reconciled(self, report: "ReconcileReport", handling: Handling) -> None:
        self.metrics.observe("reconcile_duration", handling.duration, status="ok" if report.ok else "error")
        self.metrics.observe("reconcile_drift", report.confirmed)
        self.metrics.observe("reconcile_left", report.left_endpoints)  # 0 when the run was complete

    def switched(self, report: "SwitchReport", handling: Handling) -> None:
        """A `pedns switch`: the names it moved (not in a dry run), its DR gaps, the pins in force."""
        if not report.dry_run:
            moved = Counter(n.key.zone for n in report.names if n.state == "moved")
            for zone, n in sorted(moved.items()):
                self.metrics.count("names_switched", n, reason=report.reason, zone=zone)
        if report.region:
            self.metrics.observe("switch_gaps", report.tally("gap"), region=report.region)
        self.metrics.observe("pins_in_force", report.pins_in_force)

    def failed(self, error: BaseException, handling: Handling) -> None:
        self.metrics.observe("handling_duration", handling.duration, door=handling.door, status="failed")
        if isinstance(error, WouldWait):  # not an outage: a limit's slot further away than the patience
            self.metrics.count("handed_back", door=handling.door)
        if handling.door == "reconcile":
            self.metrics.observe("reconcile_duration", handling.duration, status="failed")
