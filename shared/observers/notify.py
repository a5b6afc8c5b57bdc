"""Notifications for app teams: what a convergence did to an endpoint's names, and what to do when
it did not publish one, as one CloudEvent per endpoint on an Event Grid topic.

The mapping (endpoint result → CloudEvent) is pure; delivery goes through the `Publisher` port,
whose Event Grid adapter is `shared/adapters/eventgrid.py`. The schema is documented in
docs/notifications.md and `shared/data/notification.schema.json`.

When an endpoint result becomes an event (the rest is noise to an app team):
- an applied change moved one of its names' IPs (published, handed over, withdrawn):
  `pedns.endpoint.changed`, from every door;
- no such change, but names were skipped: `pedns.endpoint.skipped`, only from an Event Grid event
  or a replay (something just happened to the endpoint, or someone asked), and from the CLI commands
  that stand in for them (`pedns events apply`, `pedns replay`, `pedns release`: `Handling.stands_for`).
  The reconcile (every 15 minutes, or `pedns reconcile`) never repeats a skip, so a pending endpoint
  is told once per event;
- never for a dry run, a failed or not-ready convergence, or a write that only recorded a claim.

Delivery never fails the DNS work: a failure is one warning line and `notifications_failed` in the
metrics; the first failed batch of a door call gives up the rest (a dead topic costs one bounded
attempt, not one per batch).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from ..core.model import Reason, RecordKey, ResourceId
from ..core.ports import DeliveryFailed, Metrics, Publisher
from ..core.results import EndpointResult, Handling, ReconcileReport, skip_json
from .metrics import LogMetrics

log = logging.getLogger("pedns.notify")

#: The data's schema version: a minor step adds optional fields, a major step changes or removes one.
SCHEMA_VERSION = "1.0"
#: The minor step that added `reason` (`pedns switch`): an event carrying it says 1.1, every other
#: event stays exactly as it was (1.0).
REASON_SCHEMA_VERSION = "1.1"
CHANGED = "pedns.endpoint.changed"
SKIPPED = "pedns.endpoint.skipped"
EVENT_TYPES = (CHANGED, SKIPPED)

#: Doors whose skip-only results are told: something just happened to the endpoint, or someone asked.
SKIP_DOORS = frozenset({"event", "replay"})

#: What to do per reason: the README's reason table ("what to do"), verbatim (a test compares them).
REMEDIES: dict[Reason, str] = {
    Reason.UNMAPPED: "add a custom rule (`PEDNS_CUSTOM_ZONES`) or wait for a catalogue update",
    Reason.FOREIGN: "remove the manual record, or adopt it (`PEDNS_ADOPT_ZONES`)",
    Reason.STANDBY: "nothing: this endpoint takes over if the holder goes",
    Reason.PENDING_APPROVAL: "approve it on the target resource; the target's connection event publishes it within "
                             "seconds, the reconcile at the latest (or set `PEDNS_PUBLISH_PENDING`)",
    Reason.REJECTED: "nothing, if the connection is no longer wanted; else request a new connection and have the "
                     "target resource's owner approve it",
    Reason.ZONE_GROUP: "remove the zone group, or set `PEDNS_MANAGE_ZONE_GROUP_ENDPOINTS`",
    Reason.ZONE_MISSING: "create it, or set `PEDNS_CREATE_ZONES`",
    Reason.INVALID: "fix the endpoint, or widen `PEDNS_ALLOWED_IP_RANGES`",
    Reason.NAME_MISMATCH: "point the endpoint at the resource that owns the name; for a custom rule, see `bindName`",
}

#: Reasons someone has to act on; the others are information (`actionRequired: false`).
ACTION_REQUIRED = frozenset({Reason.UNMAPPED, Reason.FOREIGN, Reason.PENDING_APPROVAL, Reason.ZONE_MISSING,
                             Reason.INVALID, Reason.NAME_MISMATCH})

#: Event Grid takes at most 1 MB per publish request (Learn, "Azure Event Grid quotas and limits");
#: batches stay well below it, measured as compact JSON.
MAX_BATCH_BYTES = 900_000


# -- the pure mapping -----------------------------------------------------------------------------


def event_type(result: "EndpointResult", door: str) -> str | None:
    """The CloudEvents type this result is told as, or None when it is not worth an event."""
    if result.dry_run or result.status in ("error", "not-ready"):
        return None
    if any(_moved(change) for change in result.changes):
        return CHANGED
    if result.skipped and door in SKIP_DOORS:
        return SKIPPED
    return None


def _moved(change: Any) -> bool:
    """An applied change that moved IPs (a write that only records a claim moves none)."""
    return bool(change.applied) and sorted(change.before) != sorted(change.after)


def _record(key: RecordKey, ips: Sequence[str], *, rtype: str, fqdn: str = "", action: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"zone": key.zone, "name": key.name}
    if fqdn:
        out["fqdn"] = fqdn
    out["ips"] = list(ips)
    out["type"] = rtype
    if action:
        out["action"] = action
    return out


def event_data(result: "EndpointResult", handling: Handling, *, owner_id: str) -> dict[str, Any]:
    """The `data` of a notification (schema `SCHEMA_VERSION`)."""
    endpoint = ResourceId(result.endpoint)
    held = {r.key: r for r in result.records if r.outcome == "held"}
    fqdns = {**{s.key: s.fqdn for s in result.skipped if s.key is not None and s.fqdn},
             **{k: r.fqdn for k, r in held.items()}}
    published: list[dict[str, Any]] = []
    withdrawn: list[dict[str, Any]] = []
    for change in result.changes:
        if not _moved(change):
            continue
        record = dict(rtype=change.type, fqdn=fqdns.get(change.key, ""), action=change.action)
        if change.key in held and change.action != "delete":
            published.append(_record(change.key, change.after, **record))
        else:  # deleted (the name, or one type of it), or handed to the next claim: its IPs no longer answer
            withdrawn.append(_record(change.key, change.before, **record))
    skipped = []
    for skip in result.skipped:
        item = skip_json(skip)
        item["remedy"] = REMEDIES[skip.reason]
        item["actionRequired"] = skip.reason in ACTION_REQUIRED
        skipped.append(item)
    data: dict[str, Any] = {
        "schemaVersion": REASON_SCHEMA_VERSION if handling.reason else SCHEMA_VERSION,
        "ownerId": owner_id,
        "endpoint": result.endpoint,
        "subscriptionId": endpoint.subscription_id.lower(),
        "resourceGroup": endpoint.resource_group,
        "endpointName": endpoint.name,
        "status": result.status,
        "door": handling.door,
    }
    if handling.event_id:
        data["eventId"] = handling.event_id
    if handling.reason:
        data["reason"] = handling.reason
    data.update(
        published=published,
        withdrawn=withdrawn,
        records=[_record(k, ips, rtype=rtype, fqdn=r.fqdn) for k, r in held.items() for rtype, ips in r.by_type()],
        skipped=skipped,
        actionRequired=any(s["actionRequired"] for s in skipped),
    )
    return data


def source_of(owner_id: str) -> str:
    """The CloudEvents `source` of one pedns deployment (its owner id)."""
    return f"/pedns/{owner_id}"


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_cloud_event(result: "EndpointResult", handling: Handling, *, owner_id: str, now: float,
                   event_id: str) -> dict[str, Any] | None:
    """One endpoint result as a CloudEvents 1.0 JSON object, or None when it is not worth telling."""
    kind = event_type(result, handling.told_as)  # `pedns events apply` as an event, `pedns replay` a replay
    if kind is None:
        return None
    return {
        "specversion": "1.0",
        "id": event_id,
        "type": kind,
        "source": source_of(owner_id),
        "subject": result.endpoint,
        "time": _rfc3339(now),
        "datacontenttype": "application/json",
        "data": event_data(result, handling, owner_id=owner_id),
    }


def _size(event: dict[str, Any]) -> int:
    return len(json.dumps(event, separators=(",", ":")).encode())


def batches(events: Sequence[dict[str, Any]], max_bytes: int = MAX_BATCH_BYTES) -> Iterator[list[dict[str, Any]]]:
    """The events in order, in batches whose JSON array stays under `max_bytes` (an event larger
    than that alone is a batch of its own, which the topic will refuse)."""
    batch: list[dict[str, Any]] = []
    size = 2  # the array's brackets
    for event in events:
        grow = _size(event) + (1 if batch else 0)
        if batch and size + grow > max_bytes:
            yield batch
            batch, size, grow = [], 2, grow - 1
        batch.append(event)
        size += grow
    if batch:
        yield batch


# -- the observer ---------------------------------------------------------------------------------


class Notifier:
    """The `Observer` that tells app teams: one CloudEvent per notable endpoint result, sent in
    batches per door call. Never raises for a delivery failure."""

    def __init__(self, publisher: Publisher, *, owner_id: str, metrics: Metrics | None = None,
                 clock: Callable[[], float] = time.time, new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
                 max_batch_bytes: int = MAX_BATCH_BYTES) -> None:
        self.publisher = publisher
        self.owner_id = owner_id
        self.metrics: Metrics = metrics or LogMetrics()
        self.clock = clock
        self.new_id = new_id
        self.max_batch_bytes = max_batch_bytes

    def events(self, results: Sequence["EndpointResult"], handling: Handling) -> list[dict[str, Any]]:
        now = self.clock()
        found = (to_cloud_event(r, handling, owner_id=self.owner_id, now=now, event_id=self.new_id()) for r in results)
        return [event for event in found if event is not None]

    def converged(self, results: Sequence["EndpointResult"], handling: Handling) -> None:
        events = self.events(results, handling)
        if not events:
            return
        pending = list(batches(events, self.max_batch_bytes))
        while pending:
            batch = pending.pop(0)
            try:
                if _size_of_batch(batch) > self.max_batch_bytes:
                    raise DeliveryFailed(f"an event of {_size_of_batch(batch)} bytes is too large to send",
                                         kind="too-large")
                self.publisher.publish(batch)
            except DeliveryFailed as exc:
                lost = len(batch) + (sum(len(b) for b in pending) if exc.kind != "too-large" else 0)
                if exc.kind != "too-large":
                    pending = []  # a failing topic gets one bounded attempt per door call
                log.warning("notifications: %d event(s) from %s not delivered to %s: %s "
                            "(the DNS work is done and stands)", lost, handling.door, self.publisher.target, exc)
                self.metrics.count("notifications_failed", lost, door=handling.door, kind=exc.kind)
            except Exception:
                lost = len(batch) + sum(len(b) for b in pending)
                self.metrics.count("notifications_failed", lost, door=handling.door, kind="bug")
                raise  # shared.observers.fanout logs it with its traceback; the DNS work stands
            else:
                self.metrics.count("notifications_sent", len(batch), door=handling.door)

    def reconciled(self, report: "ReconcileReport", handling: Handling) -> None:
        """Nothing more: the reconcile's endpoints already came through `converged`."""


def _size_of_batch(batch: Sequence[dict[str, Any]]) -> int:
    return 2 + sum(_size(e) for e in batch) + max(len(batch) - 1, 0)
