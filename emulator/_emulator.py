"""The `Emulator` handle: one emulator's parts (store, ARM routes, management groups, Resource Graph,
long-running operations, Event Grid topics, front door, admin routes) behind the API that tests,
demos and `pedns emulator` use — start and stop the HTTPS server, what clients need to reach it,
and the test hooks (faults, the request log, events, seeding, the state)."""

from __future__ import annotations

import email.message
import json
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from ._admin import ADMIN_PREFIX, Admin
from ._arm import Arm
from ._eventgrid import EMULATOR_TOKEN, EventGrid
from ._faults import Faults, Injector
from ._frontdoor import FrontDoor
from ._graph import Graph
from ._http import Request, Response
from ._management import GROUP_PREFIX, TENANT_ID, ManagementGroups
from ._operations import Operations
from ._permissions import Permissions
from ._server import HttpsServer, tls
from ._store import Store

DEFAULT_HUB_SUBSCRIPTION = "00000000-0000-4000-8000-0000000000a1"
DEFAULT_SPOKE_SUBSCRIPTION = "00000000-0000-4000-8000-0000000000b1"
DEFAULT_HUB_RESOURCE_GROUP = "rg-hub-dns"
#: The notification topic `pedns emulator` advertises (any name under /eventgrid/topics/ works).
DEFAULT_TOPIC = "pedns-notify"

#: The api-version `Emulator.apply` sends when none is given, by the path's provider.
_DEFAULT_API_VERSIONS = {"microsoft.management": "2023-04-01", "microsoft.resourcegraph": "2022-10-01"}
_DEFAULT_API_VERSION = "2024-05-01"
_DNS_API_VERSION = "2024-06-01"


class Emulator:
    """A local stand-in for Azure Resource Manager over real HTTPS.

    Use as a context manager or call `start()` / `stop()`. The SDKs need `base_url`, the CA in
    `ca_path` (as `connection_verify`) and any credential that returns a token. Event Grid topics
    take publishes only from `topic_senders` (bearer tokens; by default `EMULATOR_TOKEN`, pedns's
    emulator credential's), as only principals with EventGrid Data Sender may publish on Azure.
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
        topic_senders: Iterable[str] = (EMULATOR_TOKEN,),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`clock` (seconds, monotonic) drives the throttling buckets and the Resource Graph quota
        windows; a test passes one it controls to see a bucket empty and refill without waiting."""
        self._host = host
        self._port = port
        self._state_dir_arg = Path(state_dir) if state_dir is not None else None
        self._store = Store(state_file)
        self._injector = Injector(faults, clock=clock)
        self._graph = Graph(self._store, lag=self._injector.graph_lag)
        self._operations = Operations(self._injector.operation_delay)
        self._permissions = Permissions()
        self._arm = Arm(self._store, on_endpoint=self._graph.record, operations=self._operations,
                        provisioning_delay=self._injector.provisioning_delay, permissions=self._permissions)
        self._management = ManagementGroups(self._store, self._arm.changed)
        self._eventgrid = EventGrid(
            self._injector.topic_error_status, self._injector.topic_delay, senders=topic_senders,
            topic_id=lambda topic: f"/subscriptions/{self._hub_subscription}/resourceGroups/{self._hub_resource_group}"
                                   f"/providers/Microsoft.EventGrid/topics/{topic}")
        self._door = FrontDoor(self._injector, self._graph, self._handle, exists=self._exists)
        self._admin = Admin(self._injector, self._door, self._eventgrid, self._arm, self.snapshot,
                            permissions=self._permissions)
        self._hub_subscription = hub_subscription.lower()
        self._hub_resource_group = hub_resource_group
        self._arm.groups.ensure(self._hub_subscription, hub_resource_group)  # the hub pedns is pointed at exists
        self._spoke_subscription = spoke_subscription.lower()
        self._server: HttpsServer | None = None
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
        context, self._ca_path = tls(self._host, state_dir)
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        self._server = HttpsServer((self._host, self._port), family, context, self._serve,
                                   lambda: self._authority)
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

    def _require_started(self) -> HttpsServer:
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
    def denied_actions(self) -> list[str]:
        """The actions the caller is denied (403 `AuthorizationFailed`); none by default."""
        return self._permissions.denied

    def deny_actions(self, actions: list[str]) -> None:
        """Deny exactly these actions from now on (`[]` grants everything again). Only the actions the
        emulator checks may be named (`Microsoft.Network/privateDnsZones/ALL/read`); any other is a
        ValueError."""
        self._permissions.deny(actions)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every ARM request (Resource Graph and management groups
        included) since start or `clear_requests()`.

        The path is percent-decoded, without the query; status 0 means the connection was dropped.
        """
        return self._door.requests

    def clear_requests(self) -> None:
        self._door.clear_requests()

    def events(self, topic: str | None = None) -> list[Any]:
        """The events Event Grid topics took (one topic's, or every topic's), each as received, oldest first."""
        return self._eventgrid.events(topic)

    def clear_events(self) -> None:
        self._eventgrid.clear()

    @property
    def topic_senders(self) -> list[str]:
        """The bearer tokens whose principals hold EventGrid Data Sender on every topic (sorted)."""
        return self._eventgrid.senders

    def set_topic_senders(self, tokens: Iterable[str]) -> None:
        """Say who holds EventGrid Data Sender from now on (replacing who did): a publish with any other
        token answers 401 `Unauthorized`, as Azure does (an empty list: nobody may publish)."""
        self._eventgrid.set_senders(tokens)

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

    def _exists(self, collection: str, lid: str) -> bool:
        with self._store.lock:
            return lid in self._store.data[collection]

    def _serve(self, req: Request) -> Response:
        if req.path.lower().startswith(ADMIN_PREFIX):
            return self._admin.handle(req)
        if EventGrid.is_topic_path(req.path):
            return self._eventgrid.handle(req)  # its own auth and errors; not ARM, not in `requests`
        return self._door.serve(req)
