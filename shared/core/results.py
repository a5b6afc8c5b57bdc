"""What a door reports: per endpoint (`EndpointResult`, its `Change`s and `RecordState`s), per
reconcile (`ReconcileReport`), and how the results came about (`Handling`). Plain values that the
use cases return and the observers (metrics, notifications), the CLI and the functions read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from .model import RecordKey, RecordType, Skip, by_type

Status = Literal["converged", "gone", "released", "not-ready", "error"]
#: A result's status as every door reports it (`EndpointResult.reported_status`): a dry run wrote
#: nothing, so one that would converge or release reads `dry-run`, never `converged`.
ReportedStatus = Literal["converged", "gone", "released", "not-ready", "error", "dry-run"]


@dataclass(frozen=True, slots=True)
class Change:
    action: Literal["create", "update", "delete"]
    key: RecordKey
    before: tuple[str, ...]
    after: tuple[str, ...]
    applied: bool
    type: RecordType = "A"
    failover: bool = False  # the write hands the name from one holder to another

    @property
    def claim_only(self) -> bool:
        """A write of the record set's metadata only (a standby's claim, a stale claim dropped): its
        IPs stay as they were, so it is reported as `claim` and counted apart from updates."""
        return self.action == "update" and sorted(self.before) == sorted(self.after)

    @property
    def reported_action(self) -> Literal["create", "update", "delete", "claim"]:
        return "claim" if self.claim_only else self.action


@dataclass(frozen=True, slots=True)
class RecordState:
    """A record the endpoint holds (or stands by for), as it is after converging."""

    key: RecordKey
    fqdn: str
    ips: tuple[str, ...]  # A then AAAA addresses
    outcome: str
    holder: str = ""

    def by_type(self) -> list[tuple[RecordType, tuple[str, ...]]]:
        """(type, its IPs) for each record type the name has here, A first."""
        return by_type(self.ips)


@dataclass(slots=True)
class EndpointResult:
    endpoint: str
    status: Status
    records: list[RecordState] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    message: str = ""
    dry_run: bool = False
    conflicts: int = 0  # 412s met (and retried) while converging: another writer got there first

    @property
    def ok(self) -> bool:
        return self.status != "error"

    @property
    def reported_status(self) -> ReportedStatus:
        """`status`, except `dry-run` for a dry run that would converge or release the endpoint. A
        failure stays a failure, and `gone` (ARM has no such endpoint) stays what ARM answered."""
        return "dry-run" if self.dry_run and self.status in ("converged", "released") else self.status

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "status": self.reported_status,
            "dryRun": self.dry_run,
            "records": [
                {"zone": r.key.zone, "name": r.key.name, "type": rtype, "fqdn": r.fqdn, "ips": list(ips)}
                for r in self.records if r.outcome == "held" for rtype, ips in r.by_type()
            ],
            "skipped": [skip_json(s) for s in self.skipped],
            "changes": [
                {"action": c.reported_action, "zone": c.key.zone, "name": c.key.name, "type": c.type,
                 "before": list(c.before), "after": list(c.after), "applied": c.applied}
                for c in self.changes
            ],
            **({"message": self.message} if self.message else {}),
        }


def results_json(results: Sequence[EndpointResult]) -> dict[str, Any]:
    """`{"ok", "results"}`: the answer of a door that converges the endpoints it was given, the same
    at each (`POST /api/replay`, `pedns replay --json`, `pedns release --json`)."""
    return {"ok": all(r.ok for r in results), "results": [r.to_json() for r in results]}


def skip_json(skip: Skip) -> dict[str, Any]:
    out: dict[str, Any] = {"fqdn": skip.fqdn, "reason": skip.reason.value}
    if skip.key is not None:
        out["zone"], out["name"] = skip.key.zone, skip.key.name
    if skip.detail:
        out["detail"] = skip.detail
    return out


@dataclass(slots=True)
class ReconcileReport:
    endpoints: list[EndpointResult] = field(default_factory=list)
    listed: int = 0  # endpoints the estate listing returned
    confirmed: int = 0  # endpoints read from ARM because the listings showed drift
    out_of_scope: int = 0  # claimants in the hub zones from subscriptions this run may not change
    complete: bool = True  # False: the time budget was spent before every drifted endpoint was done
    left_endpoints: int = 0  # drifted endpoints not started for want of time
    left_records: int = 0  # the record names those endpoints would have touched

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.endpoints)

    def summary(self) -> dict[str, Any]:
        """Counts a person reads first: endpoints by status, changes by action (claims apart: they
        move no IPs), skips by reason."""
        statuses: dict[str, int] = {}
        changes = {"create": 0, "update": 0, "delete": 0, "claim": 0}
        skipped: dict[str, int] = {}
        for r in self.endpoints:
            statuses[r.reported_status] = statuses.get(r.reported_status, 0) + 1
            for change in r.changes:
                changes[change.reported_action] += 1
            for skip in r.skipped:
                skipped[skip.reason.value] = skipped.get(skip.reason.value, 0) + 1
        return {
            "endpoints": len(self.endpoints), "listed": self.listed, "confirmed": self.confirmed,
            "outOfScope": self.out_of_scope, "statuses": dict(sorted(statuses.items())),
            "created": changes["create"], "updated": changes["update"], "deleted": changes["delete"],
            "claimed": changes["claim"], "skipped": dict(sorted(skipped.items())), "failed": statuses.get("error", 0),
            "complete": self.complete, "left": {"endpoints": self.left_endpoints, "records": self.left_records},
        }

    def to_json(self) -> dict[str, Any]:
        summary = self.summary()
        return {"ok": self.ok, "complete": self.complete, "counts": summary["statuses"], "summary": summary,
                "endpoints": [r.to_json() for r in self.endpoints]}


Door = Literal["event", "replay", "reconcile", "cli"]


@dataclass(frozen=True, slots=True)
class Handling:
    """How the results came about: which door, when it started and ended (clock seconds), and for
    an event its id and Event Grid's `eventTime` (the event's age at handling is end − eventTime)."""

    door: Door
    started: float
    finished: float
    event_id: str = ""
    event_time: datetime | None = None
    #: The door a CLI command stands in for (`events apply`: `event`, `replay` and `release`: `replay`,
    #: `reconcile`: `reconcile`), whose rules decide what is told (`shared.observers.notify`). The
    #: results still come from `door` (`cli`), which the metrics and notifications name.
    stands_for: Door | None = None
    #: Why names moved when an operator moved them (`pedns switch`: `switch`, `--clear`: `clear`);
    #: empty for every other handling. Told in the notifications' `data.reason`.
    reason: str = ""

    @property
    def told_as(self) -> Door:
        """The door whose rules decide what is told: `stands_for`, else `door` itself."""
        return self.stands_for or self.door

    @property
    def duration(self) -> float:
        return max(0.0, self.finished - self.started)


SwitchState = Literal["moved", "pinned", "unchanged", "unpinned", "gap", "failed"]


@dataclass(frozen=True, slots=True)
class SwitchedName:
    """What `pedns switch` did (or would do) to one name: `moved` (another claimant holds it now),
    `pinned` (its holder keeps it, the pin written), `unchanged` (already pinned there), `unpinned`
    (a clear that kept the holder), `gap` (no valid claimant in the region), `failed`."""

    key: RecordKey
    state: SwitchState
    holder: str = ""  # before
    target: str = ""  # afterwards (for a gap: empty)
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    claimants: tuple[tuple[str, str], ...] = ()  # a gap's claimants: (endpoint id, region)
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"zone": self.key.zone, "name": self.key.name, "state": self.state,
                               "holder": self.holder, "target": self.target, "before": list(self.before),
                               "after": list(self.after)}
        if self.claimants:
            out["claimants"] = [{"endpoint": e, "region": r} for e, r in self.claimants]
        if self.detail:
            out["detail"] = self.detail
        return out


@dataclass(slots=True)
class SwitchReport:
    """A `pedns switch --to-region` (`reason` switch) or `--clear` (`reason` clear): each name, the
    time Private DNS's write rate takes, the pins in force afterwards, and the endpoint results the
    observers are told (one per endpoint that holds a name afterwards)."""

    reason: Literal["switch", "clear"]
    region: str = ""
    dry_run: bool = False
    names: list[SwitchedName] = field(default_factory=list)
    estimate_seconds: int = 0
    writes: dict[str, int] = field(default_factory=dict)  # record set writes by zone (before the switch)
    pins_in_force: int = 0
    results: list[EndpointResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(n.state == "failed" for n in self.names)

    def tally(self, state: SwitchState) -> int:
        return sum(1 for n in self.names if n.state == state)

    def to_json(self) -> dict[str, Any]:
        counts = {s: self.tally(s) for s in ("moved", "pinned", "unchanged", "unpinned", "gap", "failed")}
        return {"ok": self.ok, "reason": self.reason, **({"region": self.region} if self.region else {}),
                "dryRun": self.dry_run, "counts": counts, "estimateSeconds": self.estimate_seconds,
                "writes": dict(sorted(self.writes.items())), "pinsInForce": self.pins_in_force,
                "names": [n.to_json() for n in self.names if n.state != "gap"],
                "gaps": [n.to_json() for n in self.names if n.state == "gap"]}
