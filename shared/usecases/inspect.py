"""What an endpoint needs and what the hub holds, for an operator (`pedns explain`, `pedns records`).

Reads only: the live explanation is the service's own dry run. The explanations are the documents
`pedns explain --json` prints: an endpoint result's `to_json()`, plus (`current`) what each name it
touches holds now and who owns it.

Imports only the core and the errors; the caller passes in the service (`DryRun`) and the values
the settings give (catalogue, desire policy, owner id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from ..core import ownership
from ..core.pins import pin_of
from ..core.plan.pins import in_force
from ..core.desired import DesirePolicy, desire, not_ready
from ..core.model import Desired, PrivateEndpoint, Reason, RecordKey, RecordSet, ResourceId, Unreadable, by_type
from ..core.ports import Resolver, ZoneStore
from ..core.results import EndpointResult, skip_json
from ..core.snapshot import Snapshot
from ..errors import NotReady, PednsError

__all__ = ["DryRun", "current_records", "explain_desire", "explain_endpoint", "foreign_wanted", "foreign_wanted_by",
           "shown_records"]


class DryRun(Protocol):
    """What these views need of the service (`shared.service.Service` is one): a dry run of one
    endpoint, against the live records or a snapshot of them, and the hub's zone store."""

    store: ZoneStore

    def converge(self, endpoint_id: ResourceId, *, dry_run: bool = False,
                 snapshot: Snapshot | None = None) -> EndpointResult: ...


# -- pedns explain ------------------------------------------------------------------------------


def explain_desire(pe: PrivateEndpoint, resolver: Resolver, policy: DesirePolicy, *, source: str) -> dict[str, Any]:
    """What `pe` (read from `source`, not from ARM) needs, with no Azure access: its records, or why
    it gets none yet (`not-ready`), and the names it is refused with their reasons."""
    doc: dict[str, Any] = {"endpoint": str(pe.id), "source": source}
    reason = not_ready(pe)
    if reason:
        return {**doc, "status": "not-ready", "records": [], "skipped": [], "message": reason}
    wanted = desire(pe, resolver, policy)
    return {
        **doc,
        "records": [{"zone": r.key.zone, "name": r.key.name, "type": rtype, "fqdn": r.fqdn, "ips": list(ips)}
                    for r in wanted.records for rtype, ips in by_type(r.ips)],
        "skipped": [skip_json(s) for s in wanted.skipped],
    }


def explain_endpoint(service: DryRun, endpoint_id: ResourceId) -> dict[str, Any]:
    """A dry run for one endpoint plus the current state and owner of every name it touches."""
    try:
        result = service.converge(endpoint_id, dry_run=True)
    except NotReady as exc:
        return {"endpoint": str(endpoint_id), "status": "not-ready", "records": [], "skipped": [], "message": str(exc)}
    doc = result.to_json()
    keys = {(r["zone"], r["name"]) for r in doc["records"]} | {
        (s["zone"], s["name"]) for s in doc["skipped"] if "zone" in s
    } | {(c["zone"], c["name"]) for c in doc["changes"]}
    doc["current"] = current_records(service.store, [RecordKey(zone, name) for zone, name in sorted(keys)])
    return doc


def current_records(store: ZoneStore, keys: Iterable[RecordKey]) -> list[dict[str, Any]]:
    """What each name holds now, one entry per record type (A, AAAA), `exists: false` for a name with
    none (or one that cannot be read): IPs, the owner's stamp, the holder, every claimant, and the
    pin when `pedns switch` pinned the name."""
    current: list[dict[str, Any]] = []
    for key in keys:
        try:
            sets = store.get(key).sets
        except PednsError:
            sets = ()
        if not sets:
            current.append({"zone": key.zone, "name": key.name, "exists": False})
        for record in sets:
            holder = ownership.holder(record)
            current.append({
                "zone": key.zone, "name": key.name, "type": record.type, "exists": True, "ips": list(record.ips),
                "owner": ownership.owner_of(record),
                "holder": str(holder) if holder else "",
                "autoRegistered": record.auto_registered,
                "claims": sorted(str(c) for c in ownership.claims(record)),
            })
            pin = pin_of(record)
            if pin is not None:  # `pedns switch` pinned the name to a region
                current[-1]["pin"] = {"region": pin.region, "since": pin.since,
                                      "inForce": in_force(pin, ownership.claims(record))}
    return current


# -- pedns records ------------------------------------------------------------------------------


def foreign_wanted_by(endpoints: Iterable[PrivateEndpoint | Unreadable],
                      desire_of: Callable[[PrivateEndpoint], Desired],
                      snapshot: Snapshot, owner_id: str) -> dict[RecordKey, set[str]]:
    """Record names with a record set pedns does not own → the endpoints (of the estate listing
    `endpoints`) that want them, from each endpoint's desire worked out offline; an endpoint the
    listing could not read wants nothing here."""
    found: dict[RecordKey, set[str]] = {}
    for pe in endpoints:
        if isinstance(pe, Unreadable):
            continue
        for record in desire_of(pe).records:
            state = snapshot.records.get(record.key)
            if state is not None and any(ownership.ownership(s, owner_id) != "ours" for s in state.sets):
                found.setdefault(record.key, set()).add(str(pe.id))
    return found


def foreign_wanted(service: DryRun, endpoint_id: ResourceId, snapshot: Snapshot) -> set[RecordKey]:
    """The names one endpoint wants that others own, from a dry run against `snapshot` (no read per
    record set). Raises `NotReady` while the endpoint is still being provisioned."""
    result = service.converge(endpoint_id, dry_run=True, snapshot=snapshot)
    return {s.key for s in result.skipped if s.reason == Reason.FOREIGN and s.key is not None}


def shown_records(snapshot: Snapshot, *, owner_id: str, zone: str | None = None,
                  endpoint_id: ResourceId | None = None,
                  wanted_foreign: Iterable[RecordKey] = ()) -> Iterator[RecordSet]:
    """The record sets `pedns records` shows, by zone and name (A, then AAAA): those `owner_id` owns
    and the foreign ones in `wanted_foreign`; with `endpoint_id`, only those it claims plus the
    foreign ones in `wanted_foreign`; with `zone`, only that zone's."""
    wanted = set(wanted_foreign)
    for key in sorted(snapshot.records, key=lambda k: (k.zone, k.name)):
        if zone is not None and key.zone != zone:
            continue
        for record in snapshot.records[key].sets:
            ours = ownership.ownership(record, owner_id) == "ours"
            if endpoint_id is None:
                if not ours and key not in wanted:
                    continue
            elif key not in wanted and (not ours or endpoint_id not in ownership.claims(record)):
                continue
            yield record
