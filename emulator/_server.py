"""The HTTPS server and the `Emulator` handle: TLS from a throwaway trustme CA, ARM's front door
checks (auth, api-version, throttling, Resource Graph's quota), injected faults, the request log,
Event Grid's publish API for notification topics and the admin routes."""

from __future__ import annotations

import email.message
import json
import logging
import math
import shutil
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import trustme

from ._arm import Arm
from ._eventgrid import EventGrid
from ._faults import REMAINING_HEADERS, Faults, Injector, kind_of
from ._graph import Graph, throttled
from ._http import ArmError, Request, Response
from ._management import GROUP_PREFIX, TENANT_ID, ManagementGroups
from ._operations import Operations
from ._store import Store

log = logging.getLogger(__name__)

DEFAULT_HUB_SUBSCRIPTION = "00000000-0000-4000-8000-0000000000a1"
DEFAULT_SPOKE_SUBSCRIPTION = "00000000-0000-4000-8000-0000000000b1"
DEFAULT_HUB_RESOURCE_GROUP = "rg-hub-dns"
#: The notification topic `pedns emulator` advertises (any name under /eventgrid/topics/ works).
DEFAULT_TOPIC = "pedns-notify"

ADMIN_PREFIX = "/_emulator/"
_AUTOREGISTERED = ADMIN_PREFIX + "autoregistered/"

#: Status logged for a request answered by closing the connection.
DROPPED = 0

#: Resource Graph's quota headers, on every answer past the quota check.
QUOTA_REMAINING = "x-ms-user-quota-remaining"
QUOTA_RESETS_AFTER = "x-ms-user-quota-resets-after"

#: The api-version `Emulator.apply` sends when none is given, by the path's provider.
_DEFAULT_API_VERSIONS = {"microsoft.management": "2023-04-01", "microsoft.resourcegraph": "2022-10-01"}
_DEFAULT_API_VERSION = "2024-05-01"
_DNS_API_VERSION = "2024-06-01"


def _hms(seconds: float) -> str:
    whole = max(0, math.ceil(seconds))
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


class _Dropped(Exception):
    """Answer by closing the connection without a response."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "pedns-emulator"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall

    server: _Server

    def setup(self) -> None:
        # The TLS handshake runs here, in the request thread, so a slow client cannot stall accept().
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s " + format, self.client_address[0], *args)

    def do_GET(self) -> None:
        self._dispatch()

    do_PUT = do_PATCH = do_DELETE = do_POST = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        split = urlsplit(self.path)
        query: dict[str, str] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key.lower(), value)
        host = self.headers.get("Host") or self.server.emulator._authority
        req = Request(self.command, split.path, query, self.headers, body, f"https://{host}")
        try:
            response = self.server.emulator._serve(req)
        except _Dropped:
            self.close_connection = True
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-ms-request-id", self.headers.get("x-ms-client-request-id") or "emulator")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, context: ssl.SSLContext,
                 emulator: Emulator) -> None:
        self.address_family = family
        self.emulator = emulator
        super().__init__(address, _Handler)
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up, fail TLS, or time out; none of that is the emulator's error.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class Emulator:
    """A local stand-in for Azure Resource Manager over real HTTPS.

    Use as a context manager or call `start()` / `stop()`. The SDKs need `base_url`, the CA in
    `ca_path` (as `connection_verify`) and any credential that returns a token.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_dir: str | Path | None = None,
        state_file: str | Path | None = None,
        hub_subscription: str = DEFAULT_HUB_SUBSCRIPTION,
        hub_resource_group: str = DEFAULT_HUB_RESOURCE_GROUP,
        spoke_subscription: str = DEFAULT_SPOKE_SUBSCRIPTION,
        faults: Faults | None = None,
    ) -> None:
        self._host = host
        self._port = port
        self._state_dir_arg = Path(state_dir) if state_dir is not None else None
        self._store = Store(state_file)
        self._injector = Injector(faults)
        self._graph = Graph(self._store, lag=self._injector.graph_lag)
        self._operations = Operations(self._injector.operation_delay)
        self._arm = Arm(self._store, on_endpoint=self._graph.record, operations=self._operations,
                        provisioning_delay=self._injector.provisioning_delay)
        self._management = ManagementGroups(self._store, self._arm.changed)
        self._eventgrid = EventGrid(self._injector.topic_error_status)
        self._hub_subscription = hub_subscription.lower()
        self._hub_resource_group = hub_resource_group
        self._spoke_subscription = spoke_subscription.lower()
        self._log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._temp_dir: str | None = None
        self._ca_path: Path | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        if self._state_dir_arg is None:
            self._temp_dir = tempfile.mkdtemp(prefix="pedns-emulator-")
            state_dir = Path(self._temp_dir)
        else:
            state_dir = self._state_dir_arg
            state_dir.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA(organization_name="pedns emulator")
        names = ["127.0.0.1", "localhost", "::1"]
        if self._host not in names and self._host not in ("0.0.0.0", "::", ""):
            names.append(self._host)
        cert = ca.issue_cert(*names)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        ca_path = (state_dir / "ca.pem").resolve()
        tmp = ca_path.with_suffix(".pem.tmp")
        ca.cert_pem.write_to_path(str(tmp))
        tmp.replace(ca_path)
        self._ca_path = ca_path
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        self._server = _Server((self._host, self._port), family, context, self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="pedns-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ what clients need

    def _require_started(self) -> _Server:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return self._server

    @property
    def port(self) -> int:
        return self._require_started().server_address[1]

    @property
    def _authority(self) -> str:
        host = self._host
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"https://{self._authority}"

    @property
    def ca_path(self) -> str:
        self._require_started()
        assert self._ca_path is not None
        return str(self._ca_path)

    @property
    def hub_subscription(self) -> str:
        return self._hub_subscription

    @property
    def hub_resource_group(self) -> str:
        return self._hub_resource_group

    @property
    def spoke_subscription(self) -> str:
        return self._spoke_subscription

    @property
    def tenant_id(self) -> str:
        """The emulated tenant; also the name of the tenant root management group."""
        return TENANT_ID

    def topic_endpoint(self, topic: str = DEFAULT_TOPIC) -> str:
        """The endpoint of an Event Grid topic on this emulator (what `PEDNS_NOTIFY_TOPIC_ENDPOINT` takes)."""
        return f"{self.base_url}/eventgrid/topics/{topic}/api/events"

    def env(self, *, notifications: bool = False) -> dict[str, str]:
        """The PEDNS_* settings that point pedns at this emulator; with `notifications`, also at its
        Event Grid topic (`PEDNS_NOTIFY_TOPIC_ENDPOINT`, as `pedns emulator` prints it)."""
        env = {
            "PEDNS_ARM_ENDPOINT": self.base_url,
            "PEDNS_CA_BUNDLE": self.ca_path,
            "PEDNS_DNS_SUBSCRIPTION_ID": self.hub_subscription,
            "PEDNS_DNS_RESOURCE_GROUP": self.hub_resource_group,
            "PEDNS_SOURCE_SUBSCRIPTIONS": self.spoke_subscription,
            "PEDNS_CREDENTIAL": "emulator",
        }
        if notifications:
            env["PEDNS_NOTIFY_TOPIC_ENDPOINT"] = self.topic_endpoint()
        return env

    # ------------------------------------------------------------------ test hooks

    @property
    def faults(self) -> Faults:
        return self._injector.faults

    def set_faults(self, faults: Faults) -> None:
        """Change fault injection now (also resets the RNG to the new seed and refills the buckets)."""
        self._injector.set(faults)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every ARM request (Resource Graph and management groups
        included) since start or `clear_requests()`.

        The path is percent-decoded, without the query; status 0 means the connection was dropped.
        """
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def events(self, topic: str | None = None) -> list[Any]:
        """The events Event Grid topics took (one topic's, or every topic's), each as received, oldest first."""
        return self._eventgrid.events(topic)

    def clear_events(self) -> None:
        self._eventgrid.clear()

    @property
    def topic_requests(self) -> list[tuple[str, int]]:
        """(topic, status) of every Event Grid publish request, refused ones included (not in `requests`)."""
        return self._eventgrid.requests

    def add_autoregistered_record(
        self,
        zone: str,
        name: str,
        ips: list[str],
        *,
        subscription: str | None = None,
        resource_group: str | None = None,
        ttl: int = 10,
    ) -> dict[str, Any]:
        """Seed an A record set as a VM registration would (`isAutoRegistered: true`).

        Such record sets refuse PUT, PATCH and DELETE through the ARM routes, so a client that
        touches one gets an error and shows up in `requests`.
        """
        sub = (subscription or self.hub_subscription).lower()
        rg = resource_group or self.hub_resource_group
        path = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{zone}/A/{name}"
        body = json.dumps({"properties": {"ttl": ttl, "aRecords": [{"ipv4Address": ip} for ip in ips]}}).encode()
        req = Request("PUT", quote(path), {"api-version": "2024-06-01"}, {}, body, self.base_url)
        response = self._arm.handle(req, admin=True)
        if response.status not in (200, 201):
            raise ValueError(f"cannot seed {zone}/{name}: {response.status} {response.body}")
        return response.body

    def apply(self, method: str, path: str, body: Any = None, *, api_version: str | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """Run one request through the emulator's router in-process: no HTTPS, auth, throttling,
        quota, latency or faults, and not recorded in `requests`. For fast seeding (benchmarks).

        `path` is plain (not percent-encoded) and may carry a query string; `body` is JSON-able (or
        bytes). Without `api_version` (or one in the path) a version the route accepts is sent.
        Returns (status, parsed body or None).
        """
        path, _, query_string = path.partition("?")
        query: dict[str, str] = {}
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            query.setdefault(key.lower(), value)
        if "api-version" not in query:
            segments = [s.lower() for s in path.split("/") if s]
            provider = segments[1] if len(segments) > 1 and segments[0] == "providers" else ""
            default = _DNS_API_VERSION if "privatednszones" in segments else _DEFAULT_API_VERSION
            query["api-version"] = api_version or _DEFAULT_API_VERSIONS.get(provider, default)
        message = email.message.Message()
        for name, value in (headers or {}).items():
            message[name] = value
        payload = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
        origin = self.base_url if self._server is not None else "https://127.0.0.1"
        response = self._handle(Request(method.upper(), quote(path, safe="/"), query, message, payload, origin))
        return response.status, response.body

    def add_management_group(self, group_id: str, parent: str | None = None, *,
                             display_name: str | None = None) -> dict[str, Any]:
        """Create (or update) a management group under `parent` (a group id or full resource id;
        default the tenant root group), through the same handler as the HTTPS route."""
        props: dict[str, Any] = {}
        if display_name is not None:
            props["displayName"] = display_name
        if parent is not None:
            parent_id = parent if parent.startswith("/") else GROUP_PREFIX + parent
            props["details"] = {"parent": {"id": parent_id}}
        status, answer = self.apply("PUT", GROUP_PREFIX + group_id, {"properties": props})
        if status != 200:
            raise ValueError(f"cannot create management group {group_id}: {status} {answer}")
        return answer

    def move_subscription(self, subscription_id: str, group_id: str) -> dict[str, Any]:
        """Place a subscription under a management group (leaving the one it was in)."""
        status, answer = self.apply("PUT", f"{GROUP_PREFIX}{group_id}/subscriptions/{subscription_id}")
        if status != 200:
            raise ValueError(f"cannot move subscription {subscription_id} to {group_id}: {status} {answer}")
        return answer

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """A deep copy of the state: {collection: {lower-cased resource id: resource}}."""
        self._arm.settle()
        return self._store.snapshot()

    # ------------------------------------------------------------------ request handling

    def _record(self, req: Request, status: int) -> None:
        with self._log_lock:
            self._log.append((req.method, unquote(req.path), status))

    def _handle(self, req: Request) -> Response:
        """Route an authenticated request to management groups, Resource Graph, a long-running
        operation's status or the ARM resources. Endpoints whose provisioning time is up finish
        first, so every reader sees the same moment."""
        self._arm.settle()
        raw_segments = [unquote(s) for s in req.path.split("/") if s]
        operation = Operations.route_of(raw_segments)
        segments = [s.lower() for s in raw_segments]
        if operation is not None:
            return self._operations.handle(req, *operation)
        if segments[:2] == ["providers", "microsoft.management"]:
            return self._management.handle(req)
        if segments[:2] == ["providers", "microsoft.resourcegraph"]:
            return self._graph.handle(req)
        return self._arm.handle(req)

    def _serve(self, req: Request) -> Response:
        if req.path.lower().startswith(ADMIN_PREFIX):
            return self._admin(req)
        if EventGrid.is_topic_path(req.path):
            return self._eventgrid.handle(req)  # its own auth and errors; not ARM, not in `requests`
        try:
            response = self._front_door(req)
        except _Dropped:
            self._record(req, DROPPED)
            raise
        self._record(req, response.status)
        return response

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
        response = self._with_faults(lambda: self._handle(req))
        response.headers.setdefault(REMAINING_HEADERS[kind], str(remaining))
        return response

    def _with_faults(self, handle: Callable[[], Response]) -> Response:
        """Latency, then the drawn fault: 500, 503, a connection dropped before `handle` runs, or
        one dropped after it ran (its change applied, its answer lost)."""
        delay = self._injector.latency()
        if delay:
            time.sleep(delay)
        fault = self._injector.draw()
        if fault == "drop_before":
            raise _Dropped()
        if fault == "500":
            return ArmError(500, "InternalServerError", "Encountered internal server error (injected by the emulator).").response()
        if fault == "503":
            return ArmError(503, "ServiceUnavailable", "The service is temporarily unavailable (injected by the emulator).").response()
        response = handle()
        if fault == "drop_after":
            raise _Dropped()
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
            response = throttled(resets_after)
            response.headers.update(quota)
            return response
        response = self._with_faults(lambda: self._graph.handle(req))
        response.headers.update(quota)
        return response

    def _admin(self, req: Request) -> Response:
        path = req.path.lower().rstrip("/")
        if path == "/_emulator/faults":
            if req.method == "GET":
                return Response(200, self.faults.to_dict())
            if req.method == "POST":
                try:
                    data = json.loads(req.body or b"{}")
                    if not isinstance(data, dict):
                        raise ValueError("expected a JSON object")
                    faults = Faults.from_dict(data)
                except (ValueError, TypeError) as exc:
                    return ArmError(400, "BadRequest", str(exc)).response()
                self.set_faults(faults)
                return Response(200, faults.to_dict())
        elif path == "/_emulator/requests":
            if req.method == "GET":
                return Response(200, {"value": [{"method": m, "path": p, "status": s} for m, p, s in self.requests]})
            if req.method == "DELETE":
                self.clear_requests()
                return Response(204)
        elif path == "/_emulator/events":
            if req.method == "GET":
                return Response(200, {"value": self.events(req.query.get("topic") or None)})
            if req.method == "DELETE":
                self.clear_events()
                return Response(204)
        elif path == "/_emulator/state":
            if req.method == "GET":
                return Response(200, self.snapshot())
        elif req.path.lower().startswith(_AUTOREGISTERED):
            if req.method == "PUT":
                inner = Request("PUT", req.path[len(_AUTOREGISTERED) - 1:], req.query or {"api-version": "admin"},
                                req.headers, req.body, req.origin)
                return self._arm.handle(inner, admin=True)
        else:
            return ArmError(404, "NotFound", f"No admin route '{unquote(req.path)}'.").response()
        return ArmError(405, "MethodNotAllowed", f"'{req.method}' is not allowed on '{unquote(req.path)}'.").response()
