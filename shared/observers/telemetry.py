"""What pedns tells Azure Monitor: the one table of its metrics, and the observer that turns each
door's results into them.

`INSTRUMENTS` is the only list of metric names, kinds, units and dimensions: the OpenTelemetry
adapter creates its instruments from it (and drops any dimension not listed), the KQL under
infra/kql/ queries these names, and tests hold the three together. Dimensions are low-cardinality
on purpose (door, action, zone, reason, status, request kind); endpoint ids stay in the log lines
(`log_skips`, the events function's result line), where the workbook reads them.

`Telemetry` is a pure observer (`shared.observers.fanout`): it aggregates one handling's results in memory
and makes one metric call per distinct set of dimensions, so a reconcile of 10,000 endpoints costs
a handful of calls, not 10,000.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..core.ports import Metrics
from ..core.results import Handling

if TYPE_CHECKING:  # pragma: no cover
    from ..core.results import ReconcileReport
    from ..core.results import Change, EndpointResult

log = logging.getLogger("pedns.telemetry")


@dataclass(frozen=True, slots=True)
class Instrument:
    name: str
    kind: Literal["counter", "histogram"]
    unit: str  # UCUM, as OpenTelemetry wants it: "s", or a {annotation} for counts
    description: str
    dimensions: tuple[str, ...]


INSTRUMENTS: dict[str, Instrument] = {i.name: i for i in (
    Instrument("records_changed", "counter", "{record}",
               "record set writes (not dry runs) by action: create, update (the IPs changed), delete, "
               "or claim (an update that only added or dropped a claim in the metadata)",
               ("action", "type", "zone", "door")),
    Instrument("records_failed_over", "counter", "{name}",
               "shared names handed from one holder to another claimant (one per name, both record types "
               "together)",
               ("zone", "door")),
    Instrument("names_skipped", "counter", "{name}",
               "names an endpoint needs but does not get, by reason code (standby and foreign included; "
               "dry runs count: nothing is written either way)",
               ("reason", "zone", "door")),
    Instrument("endpoints_handled", "counter", "{endpoint}",
               "endpoint convergences by outcome (converged, gone, released, not-ready, error)",
               ("status", "door")),
    Instrument("write_conflicts", "counter", "{conflict}",
               "412 Precondition Failed met and retried: another writer changed the record set first",
               ("door",)),
    Instrument("handling_duration", "histogram", "s",
               "one handling by a door, start to end: an event, a replay request, a reconcile, a CLI command "
               "(status ok, error: an endpoint failed, failed: the handling raised)",
               ("door", "status")),
    Instrument("event_age", "histogram", "s",
               "from the event's eventTime (when ARM wrote the endpoint) to the end of its handling",
               ("door",)),
    Instrument("reconcile_duration", "histogram", "s",
               "one reconcile, listing to last write (status ok, error: an endpoint failed, failed: the run raised)",
               ("status",)),
    Instrument("reconcile_drift", "histogram", "{endpoint}",
               "endpoints one reconcile found drifted in the listings and confirmed with ARM", ()),
    Instrument("arm_throttled", "counter", "{response}",
               "429 Too Many Requests answers from ARM (the pipeline retries them after Retry-After)",
               ("request",)),
    Instrument("arm_retries", "counter", "{request}",
               "ARM requests sent again by the pipeline, by the status of the try that failed (error: no answer)",
               ("request", "status")),
    Instrument("events_refused_scope", "counter", "{event}",
               "events and replays refused: their subscription is outside PEDNS_SOURCE_SUBSCRIPTIONS / "
               "PEDNS_SOURCE_MANAGEMENT_GROUPS (bounded by the estate's subscriptions)",
               ("subscription",)),
    Instrument("audit_findings", "counter", "{finding}", "the audit's findings by code", ("code",)),
    Instrument("notifications_sent", "counter", "{event}",
               "CloudEvents delivered to the app teams' topic (shared/observers/notify.py)", ("door",)),
    Instrument("notifications_failed", "counter", "{event}",
               "CloudEvents the topic did not take (the DNS work stands); kind says why", ("door", "kind")),
)}


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
                action = "claim" if change.action == "update" and sorted(change.before) == sorted(change.after) \
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

    def failed(self, error: BaseException, handling: Handling) -> None:
        self.metrics.observe("handling_duration", handling.duration, door=handling.door, status="failed")
        if handling.door == "reconcile":
            self.metrics.observe("reconcile_duration", handling.duration, status="failed")
