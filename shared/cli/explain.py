"""`pedns explain ENDPOINT…`: the records an endpoint needs and why it does not get others, from
ARM (a dry run plus the current record sets at its names) or from a file in ARM GET shape."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core import ownership
from ..core.desired import desire, not_ready
from ..core.model import RecordKey, ResourceId, by_type
from ..core.results import skip_json
from ..errors import InvalidInput, NotReady, PednsError
from ..parsing.endpoint import parse_private_endpoint, parse_private_endpoint_id
from ..parsing.inputs import load_json, read_bounded
from ..service import Service
from ..settings import Settings
from ..wiring import catalogue_for, options_for
from . import runtime
from .present import explanation_lines, text
from .terminal import print_json

__all__ = ["MAX_ENDPOINT_FILE_BYTES", "explain_file", "explain_live", "run"]

#: The most `pedns explain FILE` reads: an endpoint's ARM GET body is a few KiB.
MAX_ENDPOINT_FILE_BYTES = 1024 * 1024


def run(args: argparse.Namespace) -> int:
    service = None
    settings = runtime.settings()
    docs = []
    for target in args.endpoints:  # everything is read before anything is printed
        if not target.startswith("/subscriptions/") and Path(target).is_file():
            docs.append(explain_file(Path(target), settings))
            continue
        if not target.startswith("/"):
            raise InvalidInput(f"{target}: neither a file nor a private endpoint resource id")
        endpoint_id = parse_private_endpoint_id(target, field="ENDPOINT")
        service = service or runtime.service(runtime.settings(*runtime.HUB))
        docs.append(explain_live(service, endpoint_id))
    if args.json:
        print_json(docs)
    else:
        for doc in docs:
            for line in explanation_lines(doc):
                print(line)
    return runtime.EXIT_OK


def explain_file(path: Path, settings: Settings) -> dict[str, Any]:
    """What an endpoint in ARM GET shape needs, with no Azure access."""
    shown = text(path)
    body = load_json(read_bounded(path, what=shown, max_bytes=MAX_ENDPOINT_FILE_BYTES), what=shown,
                     max_bytes=MAX_ENDPOINT_FILE_BYTES)
    if not isinstance(body, dict):
        raise InvalidInput(f"{shown}: expected a private endpoint object (ARM GET shape)")
    try:
        pe = parse_private_endpoint(body)
    except InvalidInput as exc:
        hint = " (an API example? pass its responses.200.body)" if "responses" in body else ""
        raise InvalidInput(f"{shown}: {exc}{hint}") from None
    doc: dict[str, Any] = {"endpoint": str(pe.id), "source": str(path)}
    reason = not_ready(pe)
    if reason:
        return {**doc, "status": "not-ready", "records": [], "skipped": [], "message": reason}
    wanted = desire(pe, catalogue_for(settings), options_for(settings).desire)
    return {
        **doc,
        "records": [{"zone": r.key.zone, "name": r.key.name, "type": rtype, "fqdn": r.fqdn, "ips": list(ips)}
                    for r in wanted.records for rtype, ips in by_type(r.ips)],
        "skipped": [skip_json(s) for s in wanted.skipped],
    }


def explain_live(service: Service, endpoint_id: ResourceId) -> dict[str, Any]:
    """A dry run for one endpoint plus the current state and owner of every name it touches."""
    try:
        result = service.converge(endpoint_id, dry_run=True)
    except NotReady as exc:
        return {"endpoint": str(endpoint_id), "status": "not-ready", "records": [], "skipped": [], "message": str(exc)}
    doc = result.to_json()
    keys = {(r["zone"], r["name"]) for r in doc["records"]} | {
        (s["zone"], s["name"]) for s in doc["skipped"] if "zone" in s
    } | {(c["zone"], c["name"]) for c in doc["changes"]}
    current = []
    for zone, name in sorted(keys):
        try:
            sets = service.store.get(RecordKey(zone, name)).sets
        except PednsError:
            sets = ()
        if not sets:
            current.append({"zone": zone, "name": name, "exists": False})
        for record in sets:  # each record type at the name (A, AAAA)
            holder = ownership.holder(record)
            current.append({
                "zone": zone, "name": name, "type": record.type, "exists": True, "ips": list(record.ips),
                "owner": ownership.owner_of(record),
                "holder": str(holder) if holder else "",
                "autoRegistered": record.auto_registered,
                "claims": sorted(str(c) for c in ownership.claims(record)),
            })
    doc["current"] = current
    return doc
