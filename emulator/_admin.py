"""The emulator's admin routes under `/_emulator/`: the fault settings, the denied actions, the request
log, the events topics took, who may publish to them (`topic-senders`), the state, and seeding auto-registered record sets (`autoregistered/…`). They need no
auth or api-version and are not logged in `requests`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ._arm import Arm
from ._eventgrid import EventGrid
from ._faults import Faults, Injector
from ._frontdoor import FrontDoor
from ._http import ArmError, Request, Response
from ._permissions import Permissions

ADMIN_PREFIX = "/_emulator/"
_AUTOREGISTERED = ADMIN_PREFIX + "autoregistered/"


class Admin:
    """Answers `/_emulator/…` from the emulator's parts."""

    def __init__(self, injector: Injector, door: FrontDoor, eventgrid: EventGrid, arm: Arm,
                 snapshot: Callable[[], dict[str, dict[str, dict[str, Any]]]], *,
                 permissions: Permissions | None = None) -> None:
        self._injector = injector
        self._permissions = permissions or Permissions()
        self._door = door
        self._eventgrid = eventgrid
        self._arm = arm
        self._snapshot = snapshot

    def handle(self, req: Request) -> Response:
        path = req.path.lower().rstrip("/")
        if path == "/_emulator/faults":
            if req.method == "GET":
                return Response(200, self._injector.faults.to_dict())
            if req.method == "POST":
                try:
                    data = json.loads(req.body or b"{}")
                    if not isinstance(data, dict):
                        raise ValueError("expected a JSON object")
                    faults = Faults.from_dict(data)
                except (ValueError, TypeError) as exc:
                    return ArmError(400, "BadRequest", str(exc)).response()
                self._injector.set(faults)
                return Response(200, faults.to_dict())
        elif path == "/_emulator/denied-actions":
            if req.method == "GET":
                return Response(200, {"value": self._permissions.denied})
            if req.method == "PUT":
                try:
                    data = json.loads(req.body or b"{}")
                    actions = data.get("value") if isinstance(data, dict) else None
                    if not isinstance(actions, list):
                        raise ValueError('expected {"value": [actions]}')
                    self._permissions.deny(actions)
                except (ValueError, TypeError) as exc:
                    return ArmError(400, "BadRequest", str(exc)).response()
                return Response(200, {"value": self._permissions.denied})
        elif path == "/_emulator/requests":
            if req.method == "GET":
                return Response(200, {"value": [{"method": m, "path": p, "status": s} for m, p, s in self._door.requests]})
            if req.method == "DELETE":
                self._door.clear_requests()
                return Response(204)
        elif path == "/_emulator/events":
            if req.method == "GET":
                return Response(200, {"value": self._eventgrid.events(req.query.get("topic") or None)})
            if req.method == "DELETE":
                self._eventgrid.clear()
                return Response(204)
        elif path == "/_emulator/topic-senders":
            if req.method == "GET":
                return Response(200, {"value": self._eventgrid.senders})
            if req.method == "PUT":
                try:
                    data = json.loads(req.body or b"{}")
                    if not isinstance(data, dict) or set(data) != {"value"} or not isinstance(data["value"], list):
                        raise ValueError('expected {"value": [bearer tokens]}')
                    self._eventgrid.set_senders(data["value"])
                except (ValueError, TypeError) as exc:
                    return ArmError(400, "BadRequest", str(exc)).response()
                return Response(200, {"value": self._eventgrid.senders})
        elif path == "/_emulator/state":
            if req.method == "GET":
                return Response(200, self._snapshot())
        elif req.path.lower().startswith(_AUTOREGISTERED):
            if req.method == "PUT":
                inner = Request("PUT", req.path[len(_AUTOREGISTERED) - 1:], req.query or {"api-version": "admin"},
                                req.headers, req.body, req.origin)
                return self._arm.handle(inner, admin=True)
        else:
            return ArmError(404, "NotFound", f"No admin route '{unquote(req.path)}'.").response()
        return ArmError(405, "MethodNotAllowed", f"'{req.method}' is not allowed on '{unquote(req.path)}'.").response()
