"""Event Grid trigger: a private endpoint was written or deleted in a spoke subscription."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import azure.functions as func

from shared.core.results import Handling
from shared.errors import PednsError
from shared.outcomes import Kind, outcome_of
from shared.parsing.events import parse_event
from shared.wiring import EVENT_PATIENCE_SECONDS, patience

from . import _runtime

log = logging.getLogger("pedns.functions.events")
bp = func.Blueprint()


def to_wire(event: Any) -> dict[str, Any]:
    """The worker's decoded event (Event Grid schema or CloudEvents 1.0) back in its wire shape."""
    data = event.get_json()
    if hasattr(event, "specversion") or hasattr(event, "source"):
        return {
            "specversion": getattr(event, "specversion", "1.0"), "id": event.id, "source": event.source,
            "type": event.type, "subject": event.subject,
            "time": event.time.isoformat() if event.time else None, "data": data,
        }
    return {
        "id": event.id, "eventType": event.event_type, "subject": event.subject, "topic": event.topic,
        "eventTime": event.event_time.isoformat() if event.event_time else None,
        "dataVersion": event.data_version, "data": data,
    }


@bp.function_name("events")
@bp.event_grid_trigger(arg_name="event")
def events(event: func.EventGridEvent) -> None:
    """Invalid input is logged and acknowledged (a retry cannot fix it); ARM trouble and
    not-yet-provisioned endpoints raise, so Event Grid redelivers and finally dead-letters
    (`shared.outcomes`). The observers (metrics, notifications) hear of it after the DNS work."""
    started = time.time()
    try:
        parsed = parse_event(to_wire(event))
        with patience(EVENT_PATIENCE_SECONDS):  # a long wait under a limit: Event Grid redelivers later
            results = _runtime.service().handle_event(parsed)
    except PednsError as exc:
        outcome = outcome_of(exc)
        if outcome.observers_hear_failed:
            _runtime.observers().failed(exc, Handling("event", started, time.time(), parsed.id, parsed.time))
        if outcome.retry:
            raise
        if outcome.kind is Kind.REJECTED:
            log.error("rejected: %s", exc)
        return  # acknowledged (out of scope: the service already logged a warning naming the subscription)
    handling = Handling("event", started, time.time(), parsed.id, parsed.time)
    for result in results:
        log.info("event %s: %s", parsed.id, json.dumps(result.to_json(), separators=(",", ":")))
    if parsed.action is not None:  # not an ignored event (not ours)
        _runtime.observers().converged(results, handling)
