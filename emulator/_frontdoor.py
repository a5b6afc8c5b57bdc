"""ARM's front door, before a request reaches its route: authentication (any bearer token will do),
the api-version's presence, throttling per subscription and kind of request, then Private DNS's own
limits (per zone, subscription or resource group; `_dnslimits`), Resource Graph's own quota per caller,
latency and injected faults — and the request log (`requests`)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from urllib.parse import unquote

from ._dnslimits import Exists, classify
from ._dnslimits import throttled as dns_throttled
from ._faults import REMAINING_HEADERS, Injector, kind_of
from ._graph import Graph, throttled
from ._http import ArmError, Request, Response
from ._server import Dropped

#: Status logged for a request answered by closing the connection.
DROPPED = 0

#: Resource Graph's quota headers, on every answer past the quota check.
QUOTA_REMAINING = "x-ms-user-quota-remaining"
QUOTA_RESETS_AFTER = "x-ms-user-quota-resets-after"


def _hms(seconds: float) -> str:
    whole = max(0, math.ceil(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class FrontDoor:
    """Checks, throttles, delays or fails, and logs every ARM request (Resource Graph and management
    groups included) before `route` answers it."""

    def __init__(self, injector: Injector, graph: Graph, route: Callable[[Request], Response], *,
                 exists: Exists = lambda collection, lid: False) -> None:
        """`exists(collection, lid)` tells a create from an update for Private DNS's limits."""
        self._injector = injector
        self._graph = graph
        self._route = route
        self._exists = exists
        self._log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, percent-decoded path, status) of every request served (0: dropped)."""
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def serve(self, req: Request) -> Response:
        """Answer and log the request; `Dropped` (logged as `DROPPED`) closes the connection."""
        try:
            response = self._front_door(req)
        except Dropped:
            self._record(req, DROPPED)
            raise
        self._record(req, response.status)
        return response

    def _record(self, req: Request, status: int) -> None:
        with self._log_lock:
            self._log.append((req.method, unquote(req.path), status))

    def _front_door(self, req: Request) -> Response:
        auth = req.header("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return ArmError(
                401, "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing or is not a bearer token.",
                headers={"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                             'error="invalid_token", error_description="The authentication failed"'},
            ).response()
        if not req.query.get("api-version"):
            return ArmError(400, "MissingApiVersionParameter",
                            "The api-version query parameter (?api-version=) is required for all requests.").response()
        if Graph.is_graph_path(req.path):
            return self._graph_front_door(req, token.strip())
        kind = kind_of(req.method)
        segments = [s for s in req.path.split("/") if s]
        subscription = segments[1].lower() if len(segments) > 1 and segments[0].lower() == "subscriptions" else "-"
        granted, remaining, retry_after = self._injector.take(subscription, kind)
        if not granted:
            return ArmError(
                429, "SubscriptionRequestsThrottled",
                f"Number of '{kind}' requests for subscription '{subscription}' exceeded the limit. "
                f"Please try again after '{retry_after}' seconds.",
                headers={"Retry-After": str(retry_after), REMAINING_HEADERS[kind]: "0"},
            ).response()
        if self._injector.faults.throttle:  # the resource provider's own limits, behind ARM's
            refused = self._private_dns_limit(req)
            if refused is not None:
                refused.headers[REMAINING_HEADERS[kind]] = str(remaining)
                return refused
        response = self._with_faults(lambda: self._route(req))
        response.headers.setdefault(REMAINING_HEADERS[kind], str(remaining))
        return response

    def _private_dns_limit(self, req: Request) -> Response | None:
        """Private DNS's 429 when the request's bucket is empty (None: granted, or no limit applies)."""
        operation = classify(req, self._exists)
        if operation is None:
            return None
        granted, retry_after = self._injector.take_limit(operation.key, operation.per_minute)
        return None if granted else dns_throttled(operation, retry_after)

    def _with_faults(self, handle: Callable[[], Response]) -> Response:
        """Latency, then the drawn fault: 500, 503, a connection dropped before `handle` runs, or
        one dropped after it ran (its change applied, its answer lost)."""
        delay = self._injector.latency()
        if delay:
            time.sleep(delay)
        fault = self._injector.draw()
        if fault == "drop_before":
            raise Dropped()
        if fault == "500":
            return ArmError(500, "InternalServerError", "Encountered internal server error (injected by the emulator).").response()
        if fault == "503":
            return ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable (injected by the emulator).").response()
        response = handle()
        if fault == "drop_after":
            raise Dropped()
        return response

    def _graph_front_door(self, req: Request, caller: str) -> Response:
        """Resource Graph's own quota per caller (the bearer token) instead of the subscription
        buckets; latency and faults as for ARM. Every answer past the quota check carries the
        quota headers."""
        early = self._graph.precheck(req)
        if early is not None:
            return early
        granted, remaining, resets_after = self._injector.take_graph(caller)
        quota = {QUOTA_REMAINING: str(remaining), QUOTA_RESETS_AFTER: _hms(resets_after)}
        if not granted:
            response = throttled(resets_after, retry_after=self._injector.graph_retry_after())
            response.headers.update(quota)
            return response
        response = self._with_faults(lambda: self._graph.handle(req))
        response.headers.update(quota)
        return response
