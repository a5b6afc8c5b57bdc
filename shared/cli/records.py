"""`pedns records [--zone ZONE] [--endpoint ENDPOINT_ID]`: the record sets pedns owns in the hub
zones, with their holder, standby claimants and claims' age, and the foreign ones endpoints want."""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from ..core import ownership
from ..core.desired import valid_dns_name
from ..core.model import Reason, Unreadable
from ..errors import InvalidInput, NotReady
from ..parsing.endpoint import parse_private_endpoint_id
from . import runtime
from .present import record_doc, records_lines, text
from .terminal import print_json

log = logging.getLogger("pedns.cli")


def run(args: argparse.Namespace) -> int:
    """The record sets pedns owns in the hub, from one listing (`Service.snapshot`): IPs, holder,
    standby claimants and the age of their claims, plus the foreign record sets an endpoint in scope
    wants (`wantedBy`: from the estate listing and each endpoint's desire, no per-endpoint read). With
    `--endpoint`, only the names that endpoint claims, plus the foreign ones it wants (from a dry run
    against the same listing)."""
    zone = None
    if args.zone is not None:
        zone = args.zone.strip().lower().rstrip(".")
        if not valid_dns_name(zone):
            raise InvalidInput(f"--zone {text(args.zone)} is not a DNS zone name")
    endpoint_id = parse_private_endpoint_id(args.endpoint, field="--endpoint") if args.endpoint else None
    settings = runtime.settings(*runtime.HUB)
    service = runtime.service(settings)
    snapshot = service.snapshot()
    if zone is not None and zone not in snapshot.zones:
        raise InvalidInput(f"--zone {text(zone)}: not a zone of the hub resource group "
                           f"{text(settings.dns_resource_group)}")
    now = time.time()
    owner = settings.owner_id
    wanted_foreign: set[Any] = set()
    wanted_by: dict[Any, set[str]] = {}
    if endpoint_id is None and not service.scope.query.everything:
        wanted_by = _wanted_by(service, snapshot)
        wanted_foreign = set(wanted_by)
    elif endpoint_id is None:
        log.info("foreign names endpoints want are shown when PEDNS_SOURCE_SUBSCRIPTIONS or "
                 "PEDNS_SOURCE_MANAGEMENT_GROUPS is set, or for one endpoint with --endpoint")
    if endpoint_id is not None:
        try:  # what it wants, from a dry run against the same listing (no GET per record set)
            result = service.converge(endpoint_id, dry_run=True, snapshot=snapshot)
        except NotReady as exc:
            log.warning("%s; the names it wants but others own are not shown", exc)
        else:
            wanted_foreign = {s.key for s in result.skipped if s.reason == Reason.FOREIGN and s.key is not None}
    docs = []
    for key in sorted(snapshot.records, key=lambda k: (k.zone, k.name)):
        if zone is not None and key.zone != zone:
            continue
        for record in snapshot.records[key].sets:  # A, then AAAA
            ours = ownership.ownership(record, owner) == "ours"
            if endpoint_id is None:
                if not ours and key not in wanted_foreign:
                    continue
            elif key not in wanted_foreign and (not ours or endpoint_id not in ownership.claims(record)):
                continue
            doc = record_doc(record, owner_id=owner, now=now)
            if not ours and key in wanted_by:
                doc["wantedBy"] = sorted(wanted_by[key])
            docs.append(doc)
    if args.json:
        print_json(docs)
    else:
        for line in records_lines(docs):
            print(line)
    return runtime.EXIT_OK


def _wanted_by(service: Any, snapshot: Any) -> dict[Any, set[str]]:
    """Record names with a record set pedns does not own → the endpoints in scope that want them:
    one estate listing (Resource Graph pages) and each endpoint's desire, worked out offline."""
    found: dict[Any, set[str]] = {}
    for pe in service.estate.endpoints(service.scope.query):
        if isinstance(pe, Unreadable):
            continue
        for record in service.desire_of(pe).records:
            state = snapshot.records.get(record.key)
            if state is not None and any(ownership.ownership(s, service.options.policy.owner_id) != "ours"
                                         for s in state.sets):
                found.setdefault(record.key, set()).add(str(pe.id))
    return found
