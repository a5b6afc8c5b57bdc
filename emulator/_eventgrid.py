"""Event Grid's publish API for custom topics (CloudEvents 1.0 input schema), as azure-eventgrid's
`EventGridPublisherClient` calls it: `POST {topic endpoint}?api-version=2018-01-01`, a bearer token,
`Content-Type: application/cloudevents-batch+json; charset=utf-8` and a JSON array of events.

Topics live at `/eventgrid/topics/{topic}/api/events` (any name; a real topic's endpoint is
`https://{topic}.{region}-1.eventgrid.azure.net/api/events`). What arrived is kept, as received,
for `GET /_emulator/events`. Only the bearer tokens the emulator was told hold EventGrid Data Sender
(`senders`; by default `EMULATOR_TOKEN`, the one pedns's emulator credential presents) may publish;
any other answers 401 as Azure does to a principal without the role.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from ._http import Request, Response

PREFIX = "/eventgrid/"
#: The data-plane api-version of custom topics and domains (the SDK's default for them).
API_VERSIONS = ("2018-01-01",)
#: Event Grid takes at most 1 MB per publish request, and per event (Learn, "Azure Event Grid quotas
#: and limits"; "Event Grid event schema": larger → 413 Payload Too Large).
MAX_BODY_BYTES = 1024 * 1024
#: CloudEvents 1.0 required context attributes (CloudEvents spec, "Required Attributes").
REQUIRED = ("id", "source", "specversion", "type")
_BATCH = "application/cloudevents-batch+json"
_SINGLE = "application/cloudevents+json"
_CODES = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 413: "RequestEntityTooLarge",
          429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}
#: The bearer token of pedns's emulator credential (`shared.adapters.credentials.TOKEN`; the emulator
#: does not import pedns): the one principal that holds EventGrid Data Sender unless told otherwise.
EMULATOR_TOKEN = "pedns-emulator-token-8c1f"
_TOPIC = re.compile(r"^/eventgrid/topics/(?P<topic>[A-Za-z0-9-]{3,50})/api/events/?$")


def _error(status: int, code: str, message: str, detail: str | None = None) -> Response:
    """Event Grid's error shape: `{"error": {"code", "message", "details": [{"code", "message"}]}}`."""
    return Response(status, {"error": {"code": code, "message": message,
                                       "details": [{"code": detail or code, "message": message}]}})


class EventGrid:
    """Custom topics that accept CloudEvents, keep them and can be told to fail (`topic_error_status`)
    or to answer late (`topic_delay_ms`)."""

    def __init__(self, error_status: Callable[[], int], delay: Callable[[], float] = lambda: 0.0, *,
                 senders: Iterable[str] = (EMULATOR_TOKEN,),
                 topic_id: Callable[[str], str] = lambda topic: f"/providers/Microsoft.EventGrid/topics/{topic}") -> None:
        self._error_status = error_status
        self._delay = delay
        self._topic_id = topic_id
        self._senders = frozenset(senders)
        self._lock = threading.Lock()
        self._events: list[tuple[str, Any]] = []
        self._requests: list[tuple[str, int]] = []

    @staticmethod
    def is_topic_path(path: str) -> bool:
        return unquote(path).lower().startswith(PREFIX)

    # -- who holds EventGrid Data Sender ----------------------------------------------------------

    @property
    def senders(self) -> list[str]:
        """The bearer tokens that may publish to every topic, sorted."""
        with self._lock:
            return sorted(self._senders)

    def set_senders(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        if not all(isinstance(t, str) and t.strip() for t in tokens):
            raise ValueError("a sender is a non-empty bearer token string")
        with self._lock:
            self._senders = frozenset(tokens)

    # -- what arrived ------------------------------------------------------------------------------

    def events(self, topic: str | None = None) -> list[Any]:
        """Every event a topic took, as received, oldest first (all topics without `topic`)."""
        with self._lock:
            return [event for name, event in self._events if topic is None or name == topic.lower()]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[tuple[str, int]]:
        """(topic, status) of every publish request, refused ones included."""
        with self._lock:
            return list(self._requests)

    # -- the publish API ---------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        match = _TOPIC.match(unquote(req.path))
        topic = match["topic"].lower() if match else ""
        response = self._publish(req, match["topic"]) if match else _error(
            404, "NotFound", f"No Event Grid topic at '{unquote(req.path)}' (the emulator's topics are "
                             "/eventgrid/topics/{topic}/api/events).")
        with self._lock:
            self._requests.append((topic, response.status))
        return response

    def _publish(self, req: Request, name: str) -> Response:
        topic = name.lower()
        if req.method != "POST":
            return _error(405, "MethodNotAllowed", f"'{req.method}' is not allowed on a topic; publish with POST.")
        auth = req.header("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if req.header("aeg-sas-key") or req.header("aeg-sas-token"):
            return _error(401, "Unauthorized", "Local (key and SAS) authentication is disabled for this topic; "
                                               "use a Microsoft Entra ID token.")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "Unauthorized", "The request has no bearer token.")
        with self._lock:
            sender = token.strip() in self._senders
        if not sender:
            return self._not_a_sender(name)
        version = req.query.get("api-version", "")
        if version not in API_VERSIONS:
            return _error(400, "BadRequest", f"The api-version '{version}' is not supported; the emulator's topics "
                                             f"take {', '.join(API_VERSIONS)}.", "InvalidApiVersion")
        if len(req.body) > MAX_BODY_BYTES:
            return _error(413, "RequestEntityTooLarge", f"The request is {len(req.body)} bytes; the maximum is "
                                                        f"{MAX_BODY_BYTES} bytes.")
        content_type = (req.header("Content-Type") or "").split(";", 1)[0].strip().lower()
        if content_type not in (_BATCH, _SINGLE):
            return _error(400, "BadRequest", f"Content type '{content_type or '(none)'}' is not accepted by a topic "
                                             f"with the CloudEvents 1.0 input schema; send {_BATCH} (a JSON array) "
                                             f"or {_SINGLE} (one event).", "InvalidContentType")
        delay = self._delay()
        if delay:
            time.sleep(delay)  # this request's thread only: other requests are answered meanwhile
        forced = self._error_status()
        if forced:
            code = _CODES.get(forced, "InternalServerError" if forced >= 500 else "BadRequest")
            return _error(forced, code, f"Injected by the emulator (topic_error_status={forced}).")
        try:
            body = json.loads(req.body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, "BadRequest", f"The request body is not valid JSON: {exc}.", "InputJsonInvalid")
        events = body if content_type == _BATCH else [body]
        if content_type == _BATCH and not isinstance(body, list):
            return _error(400, "BadRequest", f"{_BATCH} needs a JSON array of events.", "InputJsonInvalid")
        if not events:
            return _error(400, "BadRequest", "The request holds no event.", "InputJsonInvalid")
        for index, event in enumerate(events):
            problem = _invalid(event)
            if problem:
                return _error(400, "BadRequest", f"Event {index}: {problem}.", "InputJsonInvalid")
        with self._lock:
            self._events.extend((topic, event) for event in events)
        return Response(200)

    def _not_a_sender(self, name: str) -> Response:
        """Azure's answer to a token whose principal lacks EventGrid Data Sender on the topic, as
        recorded (azure-sdk-for-python, eventgrid `test_eg_publisher_client.pyTestEventGridPublisherClient
        test_send_token_credential.json`): 401, no `WWW-Authenticate`, the same message at the top and in
        `details`, naming the topic's resource id and the request id (also `x-ms-request-id`)."""
        request_id = str(uuid.uuid4())
        now = datetime.now(timezone.utc)
        stamp = f"{now.month}/{now.day}/{now.year} {(now.hour % 12) or 12}:{now:%M:%S} {'AM' if now.hour < 12 else 'PM'}"
        message = (f"The principal associated with access token presented with the incoming request does not have "
                   f"permission to send data to {self._topic_id(name)}. Report '{request_id}:2:{stamp} (UTC)' "
                   f"to our forums for assistance or raise a support ticket.")
        response = _error(401, "Unauthorized", message)
        response.headers["x-ms-request-id"] = request_id
        return response


def _invalid(event: Any) -> str:
    """Why a CloudEvents 1.0 JSON event is unusable ("" when it is not)."""
    if not isinstance(event, dict):
        return "not a JSON object"
    for name in REQUIRED:
        value = event.get(name)
        if not isinstance(value, str) or not value:
            return f"the required attribute '{name}' is missing or not a non-empty string"
    if event["specversion"] != "1.0":
        return f"specversion '{event['specversion']}' is not 1.0"
    if "data" in event and "data_base64" in event:
        return "'data' and 'data_base64' are both present"
    return ""
