"""Long-running operations as Azure records them: zone and link writes (Private DNS) and private
endpoint writes (the network resource provider) answer at once and finish later, behind an
operation status URL that the SDKs' pollers read.

Private DNS (azure-cli recordings `test_PutZone_ZoneExistsIfNoneMatchFailure_ExpectError`,
`test_PutLink_LinkExistsIfNoneMatchFailure_ExpectError`): the PUT answers 202 `{}` with
`Azure-AsyncOperation: …/providers/Microsoft.Network/privateDnsOperationStatuses/{id}` and
`Location: …/privateDnsOperationResults/{id}`; polling the status answers 202
`{"status": "InProgress"}` (with both headers again), then 200 `{"status": "Succeeded"}` or 200
`{"error": {"code", "message"}, "status": "Failed"}`. The id is base64 of
`FrontEndAsyncOperation;<operation>;<guid>_<guid>` as in the recordings.

Network (recording `test_abs_privatendpoint_with_default`): the PUT answers 201 with
`Azure-AsyncOperation: /subscriptions/{s}/providers/Microsoft.Network/locations/{location}/operations/{id}`;
polling answers 200 `{"status": "InProgress"}`, then 200 `{"status": "Succeeded"}`.

A Private DNS operation is in progress for `delay()` seconds after it started, a private endpoint's
for its provisioning delay (0: the first poll already shows the outcome). The outcome is decided when the operation starts: the resource handlers apply the
change (or refuse it) at once, under the store's lock, and the operation only reports it.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from ._http import ArmError, Request, Response

#: Operations kept for polling; the oldest are forgotten past this (a poll then answers 404).
MAX_OPERATIONS = 10_000

PRIVATE_DNS_STATUSES = "privatednsoperationstatuses"
PRIVATE_DNS_RESULTS = "privatednsoperationresults"


@dataclass
class Operation:
    started: float
    delay: float
    error: tuple[str, str] | None  # (code, message) of a failed operation
    status_url: str
    result_url: str | None


class Operations:
    """The operations started by resource handlers, and the routes that report them."""

    def __init__(self, delay: Callable[[], float], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._delay = delay
        self._clock = clock
        self._lock = threading.Lock()
        self._ops: dict[str, Operation] = {}

    def _remember(self, op_id: str, op: Operation) -> None:
        with self._lock:
            self._ops[op_id] = op
            while len(self._ops) > MAX_OPERATIONS:
                del self._ops[next(iter(self._ops))]

    def private_dns(self, req: Request, sub: str, rg: str, operation: str,
                    error: tuple[str, str] | None = None) -> Response:
        """Start a Private DNS operation (`operation` as the recordings name it, e.g.
        `UpsertPrivateDnsZone`) and answer its PUT: 202 `{}` with the two polling headers."""
        raw = f"FrontEndAsyncOperation;{operation};{uuid.uuid4()}_{uuid.uuid4()}"
        op_id = base64.b64encode(raw.encode()).decode()
        version = quote(req.query.get("api-version", ""), safe="")
        base = f"{req.origin}/subscriptions/{sub}/resourceGroups/{quote(rg, safe='')}/providers/Microsoft.Network"
        op = Operation(self._clock(), self._delay(), error,
                       f"{base}/privateDnsOperationStatuses/{quote(op_id, safe='')}?api-version={version}",
                       f"{base}/privateDnsOperationResults/{quote(op_id, safe='')}?api-version={version}")
        self._remember(op_id, op)
        return Response(202, {}, self._headers(op))

    def network(self, req: Request, sub: str, location: str, delay: float) -> dict[str, str]:
        """Start a network resource provider operation that runs `delay` seconds (a private endpoint's
        provisioning); the headers for its 201/200 answer."""
        op_id = str(uuid.uuid4())
        version = quote(req.query.get("api-version", ""), safe="")
        url = (f"{req.origin}/subscriptions/{sub}/providers/Microsoft.Network/locations/"
               f"{quote(location.lower().replace(' ', ''), safe='')}/operations/{op_id}?api-version={version}")
        self._remember(op_id, Operation(self._clock(), delay, None, url, None))
        return {"Azure-AsyncOperation": url, "Azure-AsyncNotification": "Enabled"}

    def in_progress(self, started: float, delay: float) -> bool:
        return self._clock() - started < delay

    @staticmethod
    def _headers(op: Operation) -> dict[str, str]:
        headers = {"Azure-AsyncOperation": op.status_url}
        if op.result_url:
            headers["Location"] = op.result_url
        return headers

    # ------------------------------------------------------------------ the polling routes

    @staticmethod
    def route_of(path_segments: list[str]) -> tuple[str, str] | None:
        """(kind, operation id) when the unquoted path segments name an operation route (the
        provider and type segments compare case-insensitively, the id as given)."""
        s = [p.lower() for p in path_segments]
        if (len(s) == 8 and s[0] == "subscriptions" and s[2] == "resourcegroups" and s[4] == "providers"
                and s[5] == "microsoft.network" and s[6] in (PRIVATE_DNS_STATUSES, PRIVATE_DNS_RESULTS)):
            return s[6], path_segments[7]
        if (len(s) == 8 and s[0] == "subscriptions" and s[2] == "providers" and s[3] == "microsoft.network"
                and s[4] == "locations" and s[6] == "operations"):
            return "network", path_segments[7]
        return None

    def handle(self, req: Request, kind: str, op_id: str) -> Response:
        if req.method != "GET":
            return ArmError(405, "MethodNotAllowed", f"The requested method '{req.method}' is not allowed.").response()
        with self._lock:
            op = self._ops.get(op_id)
        if op is None:
            return ArmError(404, "OperationNotFound", f"The operation '{op_id}' was not found.").response()
        running = self.in_progress(op.started, op.delay)
        if kind == "network":
            return Response(200, {"status": "InProgress" if running else "Succeeded"})
        if kind == PRIVATE_DNS_STATUSES:
            if running:
                return Response(202, {"status": "InProgress"}, self._headers(op))
            if op.error is not None:
                code, message = op.error
                return Response(200, {"error": {"code": code, "message": message}, "status": "Failed"})
            return Response(200, {"status": "Succeeded"})
        # The Location URL (privateDnsOperationResults): not recorded beyond its existence. The
        # emulator answers 202 while running, 204 when done, and the operation's error (412 for
        # PreconditionFailed, else 400) when it failed.
        if running:
            return Response(202, None, self._headers(op))
        if op.error is not None:
            code, message = op.error
            return ArmError(412 if code == "PreconditionFailed" else 400, code, message).response()
        return Response(204)
