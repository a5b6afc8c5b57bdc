"""`pedns events apply FILE…`: Event Grid deliveries from files (dead-lettered blobs, captures),
each event handled as the Event Grid trigger handles it."""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from ..errors import InvalidInput, PednsError
from ..observers.fanout import Observers
from ..outcomes import EXIT_FAILED, EXIT_OK, outcome_of
from ..parsing.events import MAX_DELIVERY_BYTES, ResourceEvent, parse_delivery
from ..parsing.inputs import read_bounded
from ..service import Service
from .runtime import HUB, connect, handling_since, observers_of, read_settings
from .present import event_line, summary, summary_line, text
from .terminal import Progress, print_json

log = logging.getLogger("pedns.cli")

Deliveries = list[tuple[str, list[ResourceEvent]]]


def run(args: argparse.Namespace) -> int:
    deliveries = _read(args.files)
    service = connect(read_settings(*HUB))
    for name, events in deliveries:  # ... and every event's scope: one refusal changes nothing at all
        for event in events:
            refusal = _refusal(service, event)
            if refusal:
                raise InvalidInput(f"{text(name)}: event {text(event.id)}: {refusal}")
    out: list[dict[str, Any]] = []
    failed = 0
    total = sum(len(events) for _, events in deliveries)
    observers = observers_of(service)
    progress = Progress(total)
    for name, events in deliveries:
        for event in events:
            progress.step()
            entries, failures = _handle(service, observers, name, event, dry_run=args.dry_run)
            failed += failures
            out.extend(entries)
            if not args.json:
                progress.clear()
                for line in entries:
                    print(event_line(line))
    progress.done()
    if args.json:  # the shape of `pedns replay --json` and POST /api/replay, a result per endpoint an event named
        print_json({"ok": not failed, "results": out})
    else:
        counts = summary(out, failed=("error", "not-ready"))
        print(summary_line(counts, dry_run=args.dry_run or any(e.get("dryRun") for e in out),
                           what=f"result(s) of {total} event(s)"))
    return EXIT_FAILED if failed else EXIT_OK


def _read(files: list[str]) -> Deliveries:
    """Every file read and validated before anything changes."""
    deliveries = []
    for name in files:
        shown = text(name)
        data = read_bounded(name, what=shown, max_bytes=MAX_DELIVERY_BYTES)
        try:
            deliveries.append((name, parse_delivery(data)))
        except InvalidInput as exc:
            raise InvalidInput(f"{shown}: {exc}") from None
    return deliveries


def _handle(service: Service, observers: Observers, name: str, event: ResourceEvent, *,
            dry_run: bool) -> tuple[list[dict[str, Any]], int]:
    """One event handled: its result lines (one per endpoint it converged) and how many failed."""
    entry: dict[str, Any] = {"file": name, "event": event.id}
    entries = [entry]
    failed = 0
    started = time.time()
    try:
        results = service.handle_event(event, dry_run=dry_run)
    except PednsError as exc:  # the event's status: shared.outcomes
        outcome = outcome_of(exc)
        status = outcome.status
        entry.update(status=status, message=str(exc))
        if outcome.observers_hear_failed:  # as the Event Grid trigger tells them before Event Grid retries
            observers.failed(exc, handling_since(started, event, stands_for="event"))
        if status == "rejected":
            log.error("rejected: %s", exc)
        elif status == "not-ready":
            log.warning("%s", exc)
            failed += 1
        else:
            log.error("event %s: %s", event.id, exc)
            failed += 1
    else:
        if event.action is None:
            entry.update(status="ignored", message=event.ignore_reason)
        elif not results:  # a connection event for a target no endpoint in scope points at
            dry = dry_run or service.options.dry_run
            entry.update(status="dry-run" if dry else "converged", dryRun=dry,
                         message=f"no endpoint points at {event.resource_id}")
        else:
            entries = [{**entry, **result.to_json()} for result in results]
            failed += sum(0 if result.ok else 1 for result in results)
        if event.action is not None:
            observers.converged(results, handling_since(started, event, stands_for="event"))
    return entries, failed


def _refusal(service: Service, event: ResourceEvent) -> str:
    """Why the service would refuse `event` for its source (scope or tenant), or "" if it would not:
    asked before anything changes, without the warning and `events_refused_scope` count of the
    event path (an operator replaying files is not a spoke sending events). An event that is not
    ours is never refused: it is ignored."""
    if event.action is None:
        return ""
    refusal = service.source_refusal(event.subscription_id or event.resource_id.subscription_id, event.tenant_id)
    return f"{text(refusal[1])}; nothing was changed" if refusal else ""
