"""The one table of pedns's metrics: names, kinds, units and dimensions.

`INSTRUMENTS` is the only list: the telemetry observer (`shared/observers/telemetry.py`) counts
into these names, the OpenTelemetry adapter creates its instruments from it (and drops any
dimension not listed), the KQL under infra/kql/ queries these names, and tests hold the three
together. Dimensions are low-cardinality on purpose (door, action, zone, reason, status, request
kind); endpoint ids stay in the log lines (`log_skips`, the events function's result line), where
the workbook reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
    Instrument("reconcile_left", "histogram", "{endpoint}",
               "drifted endpoints one reconcile left for the next run because its time budget "
               "(PEDNS_RECONCILE_BUDGET_SECONDS) was spent; 0 when it was complete", ()),
    Instrument("arm_throttled", "counter", "{response}",
               "429 Too Many Requests answers from ARM (the pipeline retries them after Retry-After)",
               ("request",)),
    Instrument("paced_waits", "counter", "{request}",
               "requests the client held back to stay within a limit: ARM's subscription bucket (arm) or "
               "Private DNS's per-zone and per-subscription limits (private-dns)",
               ("limit",)),
    Instrument("handed_back", "counter", "{event}",
               "events handed back to Event Grid because a limit would make them wait longer than the event "
               "path may (a slot under Private DNS's or ARM's limits, or a 429's Retry-After): redelivered later",
               ("door",)),
    Instrument("arm_retries", "counter", "{request}",
               "ARM requests sent again by the pipeline, by the status of the try that failed (error: no answer)",
               ("request", "status")),
    Instrument("events_refused_scope", "counter", "{event}",
               "events and replays refused: their subscription is outside PEDNS_SOURCE_SUBSCRIPTIONS / "
               "PEDNS_SOURCE_MANAGEMENT_GROUPS (bounded by the estate's subscriptions)",
               ("subscription",)),
    Instrument("audit_findings", "counter", "{finding}", "the audit's findings by code", ("code",)),
    Instrument("names_switched", "counter", "{name}",
               "shared names an operator's `pedns switch` handed to another claimant: to the region asked for "
               "(reason switch) or back where the normal order says (reason clear); dry runs count nothing",
               ("reason", "zone")),
    Instrument("switch_gaps", "histogram", "{name}",
               "names one `pedns switch --to-region` (dry runs included) found with no valid claimant in the region: "
               "the DR gaps", ("region",)),
    Instrument("pins_in_force", "histogram", "{name}",
               "names held in a region by a pin that is in force (a claimant there claims the name), after each "
               "`pedns switch` and each audit", ()),
    Instrument("notifications_sent", "counter", "{event}",
               "CloudEvents delivered to the app teams' topic (shared/observers/notify.py)", ("door",)),
    Instrument("notifications_failed", "counter", "{event}",
               "CloudEvents the topic did not take (the DNS work stands); kind says why", ("door", "kind")),
)}
