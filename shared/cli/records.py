"""`pedns records [--zone ZONE] [--endpoint ENDPOINT_ID]`: the record sets pedns owns in the hub
zones, with their holder, standby claimants and claims' age, and the foreign ones endpoints want."""

from __future__ import annotations

import argparse
import logging
import time

from ..core.desired import valid_dns_name
from ..core.model import RecordKey
from ..errors import InvalidInput, NotReady
from ..outcomes import EXIT_OK
from ..parsing.endpoint import parse_private_endpoint_id
from ..usecases.inspect import foreign_wanted, foreign_wanted_by, shown_records
from .runtime import HUB, connect, read_settings
from .present import record_doc, records_lines, text
from .terminal import print_json

log = logging.getLogger("pedns.cli")


def run(args: argparse.Namespace) -> int:
    """The record sets pedns owns in the hub, from one listing (`Service.snapshot`): IPs, holder,
    standby claimants and the age of their claims, plus the foreign record sets an endpoint in scope
    wants (`wantedBy`: from the estate listing and each endpoint's desire, no per-endpoint read). With
    `--endpoint`, only the names that endpoint claims, plus the foreign ones it wants (from a dry run
    against the same listing; `wantedBy` that endpoint)."""
    zone = _zone(args.zone)
    endpoint_id = parse_private_endpoint_id(args.endpoint, field="--endpoint") if args.endpoint else None
    settings = read_settings(*HUB)
    service = connect(settings)
    snapshot = service.snapshot()
    if zone is not None and zone not in snapshot.zones:
        raise InvalidInput(f"--zone {text(zone)}: not a zone of the hub resource group "
                           f"{text(settings.dns_resource_group)}")
    now = time.time()
    owner = settings.owner_id
    wanted_foreign: set[RecordKey] = set()
    wanted_by: dict[RecordKey, set[str]] = {}
    if endpoint_id is None and not service.scope.query.everything:
        wanted_by = foreign_wanted_by(service.estate.endpoints(service.scope.query), service.desire_of, snapshot,
                                      service.options.policy.owner_id)
        wanted_foreign = set(wanted_by)
    elif endpoint_id is None:
        log.info("foreign names endpoints want are shown when PEDNS_SOURCE_SUBSCRIPTIONS or "
                 "PEDNS_SOURCE_MANAGEMENT_GROUPS is set, or for one endpoint with --endpoint")
    if endpoint_id is not None:
        try:  # what it wants, from a dry run against the same listing (no GET per record set)
            wanted_foreign = foreign_wanted(service, endpoint_id, snapshot)
        except NotReady as exc:
            log.warning("%s; the names it wants but others own are not shown", exc)
        wanted_by = {key: {str(endpoint_id)} for key in wanted_foreign}  # shown as plain `records` shows it
    docs = []
    for record in shown_records(snapshot, owner_id=owner, zone=zone, endpoint_id=endpoint_id,
                                wanted_foreign=wanted_foreign):
        doc = record_doc(record, owner_id=owner, now=now)
        if doc["status"] != "ours" and record.key in wanted_by:
            doc["wantedBy"] = sorted(wanted_by[record.key])
        docs.append(doc)
    if args.json:
        print_json(docs)
    else:
        for line in records_lines(docs):
            print(line)
    return EXIT_OK


def _zone(value: str | None) -> str | None:
    """`--zone` as a zone name (lower case, no trailing dot)."""
    if value is None:
        return None
    zone = value.strip().lower().rstrip(".")
    if not valid_dns_name(zone):
        raise InvalidInput(f"--zone {text(value)} is not a DNS zone name")
    return zone
