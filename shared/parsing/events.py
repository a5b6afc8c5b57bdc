"""Event Grid deliveries → `ResourceEvent`s: which private endpoint changed, and whether pedns acts.

Pure and SDK-free: pydantic models of the wire (envelopes and resource-event data kept apart,
wire names via aliases) stay private; `ResourceEvent` is what leaves.

Accepted: the Event Grid schema and CloudEvents 1.0 (told apart per event by `specversion`),
each as one object or an array. An event tells pedns only *which* endpoint to look at; the
handler reads the endpoint from ARM and converges, so duplicates and reordering are harmless.

What is handled (decided on BOTH the event type and `data.operationName`, case-insensitively):

====================================================  ==================================================  =========
event type                                            operation                                           action
====================================================  ==================================================  =========
Microsoft.Resources.ResourceWriteSuccess              Microsoft.Network/privateEndpoints/write            write
Microsoft.Resources.ResourceDeleteSuccess             Microsoft.Network/privateEndpoints/delete           delete
Microsoft.Resources.ResourceWriteSuccess              …/privateEndpoints/privateDnsZoneGroups/write       write (parent PE)
Microsoft.Resources.ResourceDeleteSuccess             …/privateEndpoints/privateDnsZoneGroups/delete      write (parent PE)
Microsoft.Resources.ResourceWriteSuccess              <target type>/privateEndpointConnections/write      target
Microsoft.Resources.ResourceDeleteSuccess             <target type>/privateEndpointConnections/delete     target
====================================================  ==================================================  =========

A connection is approved, rejected or removed on the *target* resource (a storage account, a
vault, a Private Link Service…), not on the endpoint, so the endpoint itself emits no event. For
those, `resource_id` is the target's id and `action` is "target": the handler converges every
endpoint of the source subscriptions whose connection points at that target, so a manual approval
is published in seconds rather than at the next reconcile.

A DNS zone group decides whether Azure or pedns owns an endpoint's records, and adding or removing
one is not a write of the endpoint itself; so a zone-group change is a "write" of the parent
endpoint: the handler re-reads it (with its zone groups) and converges — steps aside when a group
appeared, takes over when the last one went. (If the endpoint itself is gone, the read says 404
and the handler converges to "gone", as for a delete.)

Everything else — other operations, mismatched pairs, Action/Failure/Cancel events, the
subscription validation handshake, other publishers' events — comes back with `action=None` and an
`ignore_reason`: acknowledged, not an error (Event Grid would retry an error).

Malformed input raises `InvalidInput` with a one-line message naming the event id when known.
`data.authorization`, `data.claims` and `data.httpRequest` are informational: never required,
never interpreted (published samples carry objects, JSON-encoded strings and placeholders).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.parsing.endpoint import one_line, parse_private_endpoint_id, parse_zone_group_parent, show
from shared.errors import InvalidInput
from shared.parsing.inputs import finite_only, load_json
from shared.core.arm_names import GUID, RESOURCE_GROUP
from shared.core.model import ResourceId

__all__ = [
    "Action",
    "ResourceEvent",
    "parse_event",
    "parse_delivery",
    "WRITE_SUCCESS",
    "DELETE_SUCCESS",
    "VALIDATION_EVENT",
    "MAX_DELIVERY_BYTES",
]

Action = Literal["write", "delete", "target"]

WRITE_SUCCESS = "Microsoft.Resources.ResourceWriteSuccess"
DELETE_SUCCESS = "Microsoft.Resources.ResourceDeleteSuccess"
VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent"
_RESOURCE_EVENT_PREFIX = "microsoft.resources.resource"

PE_WRITE = "Microsoft.Network/privateEndpoints/write"
PE_DELETE = "Microsoft.Network/privateEndpoints/delete"
ZONE_GROUP_WRITE = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write"
ZONE_GROUP_DELETE = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/delete"

# (event type, operation) → (action, is the resource a zone group of the endpoint?)
_HANDLED: dict[tuple[str, str], tuple[Action, bool]] = {
    (WRITE_SUCCESS.lower(), PE_WRITE.lower()): ("write", False),
    (DELETE_SUCCESS.lower(), PE_DELETE.lower()): ("delete", False),
    (WRITE_SUCCESS.lower(), ZONE_GROUP_WRITE.lower()): ("write", True),
    (DELETE_SUCCESS.lower(), ZONE_GROUP_DELETE.lower()): ("write", True),
}
_OURS = {op for _, op in _HANDLED}
_CONNECTION_OP_SUFFIXES = {"/privateendpointconnections/write": WRITE_SUCCESS.lower(),
                           "/privateendpointconnections/delete": DELETE_SUCCESS.lower()}

# A private endpoint connection on a target resource: ARM's naming rules, ASCII only (see endpoint.py).
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.\-()]{0,127}"
_CONNECTION_RE = re.compile(
    rf"(?P<target>/subscriptions/{GUID}/resourceGroups/{RESOURCE_GROUP}"
    rf"/providers/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+(?:/{_SEGMENT}/{_SEGMENT})+?)"
    rf"/privateEndpointConnections/{_SEGMENT}\Z",
    re.IGNORECASE | re.ASCII,
)

MAX_DELIVERY_BYTES = 1_048_576  # Event Grid's own limit for one event is 1 MB


@dataclass(frozen=True, slots=True)
class ResourceEvent:
    """One delivered event, reduced to what pedns needs. `action is None`: not ours, ignore."""

    id: str
    schema: Literal["eventgrid", "cloudevents"]
    event_type: str  # e.g. Microsoft.Resources.ResourceWriteSuccess
    operation_name: str  # data.operationName, e.g. Microsoft.Network/privateEndpoints/write
    resource_id: ResourceId  # the private endpoint (handled); data.resourceUri or subject as sent (ignored)
    subscription_id: str
    tenant_id: str
    correlation_id: str
    time: datetime | None
    action: Action | None  # None = not ours: acknowledge and ignore
    ignore_reason: str = ""  # why action is None (for the debug log)


# --- the wire (private) ----------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _EventGridEnvelope(_Wire):
    id: str = Field(min_length=1)
    event_type: str = Field(alias="eventType", min_length=1)
    subject: str | None = None
    topic: str | None = None
    event_time: str | None = Field(None, alias="eventTime")
    data: Any = None


class _CloudEventEnvelope(_Wire):
    specversion: Literal["1.0"]
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str | None = None
    time: str | None = None
    data: Any = None


class _ResourceEventData(_Wire):
    """`Resource{Write,Delete,Action}{Success,Failure,Cancel}EventData`."""

    resource_uri: str | None = Field(None, alias="resourceUri")
    operation_name: str | None = Field(None, alias="operationName")
    subscription_id: str | None = Field(None, alias="subscriptionId")
    tenant_id: str | None = Field(None, alias="tenantId")
    correlation_id: str | None = Field(None, alias="correlationId")
    resource_provider: str | None = Field(None, alias="resourceProvider")
    status: str | None = None
    # Informational only: objects in most samples, JSON-encoded strings or placeholders in others.
    authorization: Any = None
    claims: Any = None
    http_request: Any = Field(None, alias="httpRequest")


# --- helpers -----------------------------------------------------------------------------------


def _label(event_id: object) -> str:
    if isinstance(event_id, str) and event_id:
        text = event_id if len(event_id) <= 80 else event_id[:77] + "…"
        if text.isprintable() and text.isascii() and " " not in text:
            return f"event {text}"
        return f"event {show(text)}"
    if event_id is None or event_id == "":
        return "event (no id)"
    return f"event {show(event_id)}"


def _parse_time(value: str | None, *, field: str) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    # Event Grid writes 7 fractional digits ("2018-07-19T18:38:04.6117357Z"); fromisoformat
    # (3.11) accepts any number and keeps microseconds.
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise InvalidInput(f"{field} is not an ISO 8601 time: {show(value)}") from None
    return parsed


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


# --- the public functions ---------------------------------------------------------------------


def parse_event(obj: Mapping[str, Any]) -> ResourceEvent:
    """One event of either schema (CloudEvents when it has `specversion`).

    Returns the event with `action` "write"/"delete" for a private endpoint change pedns handles,
    or `action=None` and an `ignore_reason` for anything else well-formed. Raises `InvalidInput`
    (one line, naming the event id) for a malformed event or a handled event whose resource is not
    a private endpoint id.
    """
    if not isinstance(obj, Mapping):
        raise InvalidInput(f"event is not a JSON object: {type(obj).__name__}")
    raw = dict(obj)
    label = _label(raw.get("id"))
    finite_only(raw, what=f"event {label}")  # the worker's decoding lets 1e999 through as infinity
    env = _envelope(raw, label)

    def ignored(reason: str, *, operation: str = "", resource: str = "", sub: str = "",
                tenant: str = "", correlation: str = "") -> ResourceEvent:
        return env.event(operation_name=operation, resource_id=ResourceId(resource), subscription_id=sub,
                         tenant_id=tenant, correlation_id=correlation, action=None, ignore_reason=reason)

    event_type = env.event_type
    if _same(event_type, VALIDATION_EVENT):
        return ignored("subscription validation event: the handshake is answered by the trigger",
                       resource=env.subject or "")
    if not event_type.lower().startswith(_RESOURCE_EVENT_PREFIX):
        return ignored(f"event type {event_type} is not handled", resource=env.subject or "")

    body = _resource_data(label, env.data)  # a Resource* event from ARM: its data must have the published shape
    operation = body.operation_name or ""
    resource = body.resource_uri or env.subject or ""
    field = "data.resourceUri" if body.resource_uri else "subject"
    context = dict(operation=operation, resource=resource, sub=body.subscription_id or "",
                   tenant=body.tenant_id or "", correlation=body.correlation_id or "")
    if event_type.lower() not in (WRITE_SUCCESS.lower(), DELETE_SUCCESS.lower()):
        return ignored(f"event type {event_type} is not handled", **context)
    if not operation:
        raise InvalidInput(f"{label}: data.operationName is missing")
    handled = _HANDLED.get((event_type.lower(), operation.lower()))
    if handled is None and _is_target_connection(event_type, operation):
        return _target_event(label, resource, body, field=field, operation_name=operation, id=env.event_id,
                             schema=env.schema, event_type=env.event_type, time=env.time)
    if handled is None:
        if operation.lower() in _OURS:
            return ignored(f"event type {event_type} does not match operation {operation}", **context)
        return ignored(f"operation {operation} is not a private endpoint write or delete", **context)
    action, is_zone_group = handled
    pe_id = _endpoint_of(label, resource, field=field, zone_group=is_zone_group)
    subscription = pe_id.subscription_id
    if body.subscription_id is not None and not _same(body.subscription_id, subscription):
        raise InvalidInput(
            f"{label}: data.subscriptionId {show(body.subscription_id)} does not match "
            f"the subscription of {field} {show(resource)}"
        )
    return env.event(operation_name=operation, resource_id=pe_id, subscription_id=subscription,
                     tenant_id=body.tenant_id or "", correlation_id=body.correlation_id or "", action=action)


@dataclass(frozen=True, slots=True)
class _Envelope:
    """What both schemas carry, under one set of names."""

    schema: Literal["eventgrid", "cloudevents"]
    event_id: str
    event_type: str
    subject: str | None
    data: Any
    time: datetime | None

    def event(self, **fields: Any) -> ResourceEvent:
        """The `ResourceEvent` of this envelope, with the rest of its fields."""
        return ResourceEvent(id=self.event_id, schema=self.schema, event_type=self.event_type, time=self.time,
                             **fields)


def _envelope(raw: dict[str, Any], label: str) -> _Envelope:
    try:
        if "specversion" in raw:
            ce = _CloudEventEnvelope.model_validate(raw)
            return _Envelope("cloudevents", ce.id, ce.type, ce.subject, ce.data, _parse_time(ce.time, field="time"))
        eg = _EventGridEnvelope.model_validate(raw)
        return _Envelope("eventgrid", eg.id, eg.event_type, eg.subject, eg.data,
                         _parse_time(eg.event_time, field="eventTime"))
    except ValidationError as exc:
        raise InvalidInput(f"{label}: {one_line(exc, whole='event')}") from None
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc}") from None


def _resource_data(label: str, data: Any) -> _ResourceEventData:
    if data is None:
        raise InvalidInput(f"{label}: data is missing")
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{label}: data is not a JSON object: {show(data)}")
    try:
        return _ResourceEventData.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(f"{label}: {one_line(exc, 'data.', whole='event')}") from None


def _endpoint_of(label: str, resource: str, *, field: str, zone_group: bool) -> ResourceId:
    """The private endpoint a handled event is about (a zone group's parent, for a zone group)."""
    if not resource:
        raise InvalidInput(f"{label}: data.resourceUri is missing")
    if zone_group:
        pe_id = parse_zone_group_parent(resource)
        if pe_id is None:
            raise InvalidInput(f"{label}: {field} is not a private endpoint zone group id: {show(resource)}")
        return pe_id
    try:
        return parse_private_endpoint_id(resource, field=field)
    except InvalidInput as exc:
        raise InvalidInput(f"{label}: {exc}") from None


def _is_target_connection(event_type: str, operation: str) -> bool:
    op = operation.lower()
    if op.startswith("microsoft.network/privateendpoints/"):
        return False
    return any(op.endswith(suffix) and event_type.lower() == kind for suffix, kind in _CONNECTION_OP_SUFFIXES.items())


def _target_event(label: str, resource: str, body: Any, *, field: str, **fields: Any) -> ResourceEvent:
    """A connection changed on a target resource: the event names the target, not an endpoint."""
    match = _CONNECTION_RE.match(resource)
    if match is None:
        raise InvalidInput(f"{label}: {field} is not a private endpoint connection id: {show(resource)}")
    target = ResourceId(match["target"])
    if body.subscription_id is not None and not _same(body.subscription_id, target.subscription_id):
        raise InvalidInput(
            f"{label}: data.subscriptionId {show(body.subscription_id)} does not match "
            f"the subscription of {field} {show(resource)}"
        )
    return ResourceEvent(resource_id=target, subscription_id=target.subscription_id, tenant_id=body.tenant_id or "",
                         correlation_id=body.correlation_id or "", action="target", **fields)


def parse_delivery(body: bytes | str | Any, *, max_bytes: int = MAX_DELIVERY_BYTES) -> list[ResourceEvent]:
    """A whole POST body or file: Event Grid schema or CloudEvents 1.0, one object or an array.

    `body` is raw bytes/str (read as bounded, strict UTF-8 JSON by `shared.parsing.inputs.load_json`)
    or an already-decoded JSON value. Every event is parsed; the first malformed one raises
    `InvalidInput` (one line), so a delivery is accepted or rejected as a whole.
    """
    if isinstance(body, (bytes, bytearray, memoryview, str)):
        value = load_json(body, what="delivery", max_bytes=max_bytes)
    else:
        value = body

    if isinstance(value, Mapping):
        items: list[Any] = [value]
    elif isinstance(value, list):
        items = value
    else:
        raise InvalidInput(f"delivery is not a JSON object or array: {type(value).__name__}")
    events = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InvalidInput(f"delivery item {index} is not a JSON object: {type(item).__name__}")
        events.append(parse_event(item))
    return events

