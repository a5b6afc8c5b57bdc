"""`pedns emulator`: run the ARM emulator until SIGTERM/SIGINT.

`--demo` seeds the hub and spoke of `make demo` (`tools/demo.py` builds its endpoints from here):
plain in-process requests for the zones, the manual record and the endpoints, then pedns itself
(`shared`, imported only with `--demo`, so the emulator stays standalone) publishes all endpoints
but one, whose event was "missed" — `pedns reconcile --dry-run` finds it. `ready` waits out Resource
Graph's lag, so the seeded estate is listed as one that was there before. `--env-file FILE` writes
the export lines to FILE (mode 0600) for `source FILE`, and removes it when the emulator stops.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

from ._faults import Faults
from ._emulator import DEFAULT_HUB_RESOURCE_GROUP, DEFAULT_HUB_SUBSCRIPTION, DEFAULT_SPOKE_SUBSCRIPTION, Emulator


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def _guid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a subscription id (a GUID)") from None


def _port(value: str) -> int:
    port = int(value)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535)")
    return port


def _parser() -> _Parser:
    p = _Parser(prog="pedns emulator", description="Local Azure Resource Manager emulator over HTTPS (development only).")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDRESS", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=8443, metavar="PORT",
                   help="port to listen on (default: %(default)s; 0 picks a free port)")
    p.add_argument("--state-dir", default=os.path.join(".pedns", "emulator"), metavar="DIR",
                   help="where the CA is kept (ca.pem, ca-key.pem): reused by every emulator started from it")
    p.add_argument("--state-file", default=None, metavar="FILE",
                   help="JSON file to load state from and save every change to")
    p.add_argument("--hub-subscription", type=_guid, default=DEFAULT_HUB_SUBSCRIPTION, metavar="ID",
                   help="the hub's subscription id, exported as PEDNS_DNS_SUBSCRIPTION_ID (default: %(default)s)")
    p.add_argument("--hub-resource-group", default=DEFAULT_HUB_RESOURCE_GROUP, metavar="NAME",
                   help="the hub's resource group, exported as PEDNS_DNS_RESOURCE_GROUP (default: %(default)s)")
    p.add_argument("--spoke-subscription", type=_guid, default=DEFAULT_SPOKE_SUBSCRIPTION, metavar="ID",
                   help="the spoke's subscription id, exported as PEDNS_SOURCE_SUBSCRIPTIONS (default: %(default)s)")
    d = Faults()
    p.add_argument("--latency-ms", type=int, default=d.latency_ms, metavar="N",
                   help="N ms added to every request (default: %(default)s)")
    p.add_argument("--fault-rate", type=float, default=d.fault_rate, metavar="P",
                   help="share P (0 to 1) of requests answered 500/503 or dropped")
    p.add_argument("--throttle", action="store_true",
                   help="answer 429 when a subscription's token bucket, or one of Private DNS's own per-zone or "
                        "per-subscription limits, is empty")
    for kind in ("read", "write", "delete"):
        p.add_argument(f"--{kind}-bucket", type=int, default=getattr(d, f"{kind}_bucket"), metavar="N",
                       help=f"{kind} tokens per subscription with --throttle (default: %(default)s)")
        p.add_argument(f"--{kind}-refill", type=float, default=getattr(d, f"{kind}_refill"), metavar="N",
                       help=f"{kind} tokens refilled per second (default: %(default)s)")
    p.add_argument("--seed", type=int, default=None, metavar="S", help="makes the faults deterministic")
    p.add_argument("--graph-lag-ms", type=int, default=d.graph_lag_ms, metavar="N",
                   help=f"Resource Graph shows private endpoints as they were this long ago (default {d.graph_lag_ms}; "
                        "0: immediately consistent, which Azure is not)")
    p.add_argument("--graph-quota", type=int, default=d.graph_quota, metavar="Q",
                   help="Resource Graph queries per caller per window (429 past it with --throttle)")
    p.add_argument("--graph-window-seconds", type=float, default=d.graph_window_seconds, metavar="W",
                   help="the window of --graph-quota (default: %(default)s)")
    p.add_argument("--graph-retry-after", action="store_true",
                   help="Resource Graph's 429 also carries Retry-After (Azure documents only the quota headers)")
    p.add_argument("--operation-delay-ms", type=int, default=d.operation_delay_ms, metavar="N",
                   help="zone, link and endpoint writes' long-running operations stay InProgress this long")
    p.add_argument("--provisioning-delay-ms", type=int, default=d.provisioning_delay_ms, metavar="N",
                   help="a private endpoint PUT reads 'Updating' (no DNS configs yet) this long (0: off)")
    p.add_argument("--topic-error-status", type=int, default=d.topic_error_status, metavar="S",
                   help="every Event Grid publish to a notification topic answers this HTTP status (0: off)")
    p.add_argument("--topic-delay-ms", type=int, default=d.topic_delay_ms, metavar="N",
                   help="every Event Grid publish to a notification topic is answered this late (0: at once)")
    p.add_argument("--demo", action="store_true",
                   help="seed the demo's hub (zones, a manual record) and spoke (seven endpoints), published by pedns "
                        "except one (a missed event: 'pedns reconcile --dry-run' finds it)")
    p.add_argument("--env-file", metavar="FILE", default=None,
                   help="also write the export lines to FILE (mode 0600; 'source FILE' in another terminal), "
                        "removed when the emulator stops")
    return p


# -- the demo's hub and spoke ----------------------------------------------------------------------

#: The hub zones of the demo.
DEMO_ZONES = (
    "privatelink.blob.core.windows.net",
    "privatelink.vaultcore.azure.net",
    "privatelink.database.windows.net",
    "privatelink.documents.azure.com",
)
#: A record the network team made by hand (pedns never touches it).
DEMO_MANUAL_RECORD = ("privatelink.database.windows.net", "legacy-sql", ["10.9.0.10"], {"createdBy": "ticket CHG-1042"})
#: The endpoint `--demo` leaves unpublished, as if its event had been lost.
DEMO_MISSED = "pe-shop-sql"


def endpoint_id(spoke: str, name: str, rg: str = "rg-app") -> str:
    return f"/subscriptions/{spoke}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}"


def endpoint_body(
    spoke: str,
    name: str,
    *,
    target: str,
    group: str,
    dns: dict[str, list[str]],
    status: str = "Approved",
    manual: bool = False,
    location: str = "westeurope",
    state: str = "Succeeded",
    rg: str = "rg-app",
    vnet: str = "vnet-spoke",
) -> dict[str, Any]:
    """A private endpoint in ARM GET shape (network API 2024-05-01) in subscription `spoke`."""
    pe_id = endpoint_id(spoke, name, rg)
    connection = {
        "name": f"{name}-conn",
        "id": f"{pe_id}/{'manualPrivateLinkServiceConnections' if manual else 'privateLinkServiceConnections'}/{name}-conn",
        "type": "Microsoft.Network/privateEndpoints/privateLinkServiceConnections",
        "properties": {
            "provisioningState": "Succeeded",
            "privateLinkServiceId": target,
            "groupIds": [group],
            "privateLinkServiceConnectionState": {
                "status": status,
                "description": "Auto-Approved" if status == "Approved" and not manual else "",
                "actionsRequired": "None",
            },
            **({"requestMessage": "please approve"} if manual else {}),
        },
    }
    return {
        "name": name,
        "id": pe_id,
        "type": "Microsoft.Network/privateEndpoints",
        "location": location,
        "properties": {
            "provisioningState": state,
            "resourceGuid": str(uuid.uuid5(uuid.NAMESPACE_URL, pe_id)),
            "privateLinkServiceConnections": [] if manual else [connection],
            "manualPrivateLinkServiceConnections": [connection] if manual else [],
            "subnet": {"id": f"/subscriptions/{spoke}/resourceGroups/rg-net/providers/Microsoft.Network/"
                              f"virtualNetworks/{vnet}/subnets/snet-pe"},
            "ipConfigurations": [],
            "networkInterfaces": [{"id": f"/subscriptions/{spoke}/resourceGroups/{rg}/providers/"
                                         f"Microsoft.Network/networkInterfaces/{name}.nic.{uuid.uuid4()}"}],
            "customDnsConfigs": [{"fqdn": f, "ipAddresses": ips} for f, ips in dns.items()],
        },
    }


def _rid(sub: str, provider: str, name: str, rg: str = "rg-shop") -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{name}"


def demo_endpoints(spoke: str) -> list[dict[str, Any]]:
    """The demo's spoke: Storage with a DR endpoint on the same name, Key Vault, SQL, a multi-region
    Cosmos DB account, a Key Vault endpoint awaiting manual approval, and a dual-stack Storage
    endpoint (in this order)."""
    storage = _rid(spoke, "Microsoft.Storage/storageAccounts", "shopdata")
    return [
        endpoint_body(spoke, "pe-shopdata-blob", target=storage, group="blob",
                      dns={"shopdata.blob.core.windows.net": ["10.20.1.4"]}),
        endpoint_body(spoke, "pe-shopdata-blob-dr", target=storage, group="blob", location="northeurope",
                      dns={"shopdata.blob.core.windows.net": ["10.30.1.4"]}, vnet="vnet-spoke-dr"),
        endpoint_body(spoke, "pe-shop-kv", target=_rid(spoke, "Microsoft.KeyVault/vaults", "shop-kv"), group="vault",
                      dns={"shop-kv.vault.azure.net": ["10.20.1.5"]}),
        endpoint_body(spoke, "pe-shop-sql", target=_rid(spoke, "Microsoft.Sql/servers", "shop-sql"), group="sqlServer",
                      dns={"shop-sql.database.windows.net": ["10.20.1.6"]}),
        endpoint_body(spoke, "pe-orders-cosmos", target=_rid(spoke, "Microsoft.DocumentDB/databaseAccounts", "orders"),
                      group="Sql", dns={"orders.documents.azure.com": ["10.20.1.7"],
                                        "orders-westeurope.documents.azure.com": ["10.20.1.8"]}),
        endpoint_body(spoke, "pe-partner-kv", target=_rid(spoke, "Microsoft.KeyVault/vaults", "partner-kv", "rg-partner"),
                      group="vault", status="Pending", manual=True,
                      dns={"partner-kv.vault.azure.net": ["10.20.1.9"]}),
        # Dual-stack (ipVersionType DualStack): IPv4 and IPv6 in one ipAddresses array, IPv4 first.
        endpoint_body(spoke, "pe-shoplogs-blob", target=_rid(spoke, "Microsoft.Storage/storageAccounts", "shoplogs"),
                      group="blob", dns={"shoplogs.blob.core.windows.net": ["10.20.1.10", "fd00:20:1::a"]}),
    ]


def _apply(emu: Emulator, method: str, path: str, body: Any) -> None:
    status, answer = emu.apply(method, path, body)
    if status not in (200, 201, 202):
        raise ValueError(f"cannot seed {path}: {status} {answer}")


def seed_demo(emu: Emulator) -> list[str]:
    """Seed the demo's hub and spoke into a started emulator and publish every endpoint but
    `DEMO_MISSED` with pedns (needs `shared`: imported here only). Returns the endpoint ids."""
    hub = f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}/providers/" \
          "Microsoft.Network/privateDnsZones"
    for zone in DEMO_ZONES:
        _apply(emu, "PUT", f"{hub}/{zone}", {"location": "global"})
    zone, name, ips, metadata = DEMO_MANUAL_RECORD
    _apply(emu, "PUT", f"{hub}/{zone}/A/{name}",
           {"properties": {"ttl": 3600, "metadata": metadata, "aRecords": [{"ipv4Address": ip} for ip in ips]}})
    bodies = demo_endpoints(emu.spoke_subscription)
    # The spoke network the endpoints sit in (their subnet's), so `pedns audit` can judge it.
    vnets = {body["properties"]["subnet"]["id"].rsplit("/subnets/", 1)[0] for body in bodies}
    for vnet in sorted(vnets):
        _apply(emu, "PUT", vnet, {"location": "westeurope",
                                  "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}}})
    for body in bodies:
        _apply(emu, "PUT", body["id"], body)
    try:  # pedns (`shared`) is optional here: the emulator stays standalone, only --demo publishes with it
        from shared.errors import ConfigError
        from shared.core.model import ResourceId
        from shared.settings import Settings
        from shared.wiring import build_service
    except ImportError as exc:
        raise ValueError(f"--demo publishes with pedns, which is not installed here ({exc})") from None
    try:
        service = build_service(Settings.from_env(emu.env()))
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    quiet = logging.getLogger("pedns")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # the standby of the shared name is the demo's point, not a warning here
    try:
        for body in bodies:
            if body["name"] != DEMO_MISSED:
                service.converge_safely(ResourceId(body["id"]))
    finally:
        quiet.setLevel(level)
    return [body["id"] for body in bodies]


def _write_env_file(path: str, lines: list[str]) -> None:
    """The export lines in a new file only its owner can read (replacing a stale one)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("".join(line + "\n" for line in lines))


def _faults(args: argparse.Namespace) -> Faults:
    return Faults(
        latency_ms=args.latency_ms, fault_rate=args.fault_rate, throttle=args.throttle,
        read_bucket=args.read_bucket, read_refill=args.read_refill,
        write_bucket=args.write_bucket, write_refill=args.write_refill,
        delete_bucket=args.delete_bucket, delete_refill=args.delete_refill,
        seed=args.seed,
        graph_lag_ms=args.graph_lag_ms, graph_quota=args.graph_quota,
        graph_window_seconds=args.graph_window_seconds, graph_retry_after=args.graph_retry_after,
        operation_delay_ms=args.operation_delay_ms, provisioning_delay_ms=args.provisioning_delay_ms,
        topic_error_status=args.topic_error_status, topic_delay_ms=args.topic_delay_ms,
    )


def _run(emulator: Emulator, args: argparse.Namespace, stop: threading.Event) -> int:
    """Start the emulator (seeding the demo with `--demo`), print the `export` lines (and write
    `--env-file`) and `ready`, then serve until `stop` is set; the env file goes when it returns.
    The caller stops the emulator."""
    env_file = ""
    try:
        try:
            emulator.start()
        except (OSError, ValueError) as exc:
            print(f"pedns emulator: error: cannot start: {exc}", file=sys.stderr, flush=True)
            return 1
        if args.demo:
            try:
                seed_demo(emulator)
            except (OSError, ValueError) as exc:
                print(f"pedns emulator: error: cannot seed the demo: {exc}", file=sys.stderr, flush=True)
                return 1
            # The demo's estate was there before you came: `ready` once Resource Graph lists it too.
            if stop.wait(emulator.faults.graph_lag_ms / 1000.0):
                return 0
        lines = [f"export {name}={shlex.quote(value)}" for name, value in emulator.env(notifications=True).items()]
        if args.env_file:
            try:
                _write_env_file(args.env_file, lines)
            except OSError as exc:
                print(f"pedns emulator: error: cannot write {args.env_file}: {exc.strerror or exc}",
                      file=sys.stderr, flush=True)
                return 1
            env_file = args.env_file
        for line in lines:
            print(line)
        print("ready", flush=True)
        while not stop.wait(0.5):
            pass
        return 0
    finally:
        if env_file:
            try:
                os.unlink(env_file)
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    """Run the emulator; print `export` lines and `ready`; serve until SIGTERM/SIGINT. Returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        faults = _faults(args)
    except _Usage as exc:
        print(f"pedns emulator: error: {exc}", file=sys.stderr, flush=True)
        return 2
    except ValueError as exc:
        print(f"pedns emulator: error: {exc}", file=sys.stderr, flush=True)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)

    try:
        emulator = Emulator(
            host=args.host, port=args.port, state_dir=Path(args.state_dir).resolve(), state_file=args.state_file,
            hub_subscription=args.hub_subscription, hub_resource_group=args.hub_resource_group,
            spoke_subscription=args.spoke_subscription, faults=faults,
        )
    except (OSError, ValueError) as exc:  # an unreadable or foreign state file
        print(f"pedns emulator: error: cannot load state: {exc}", file=sys.stderr, flush=True)
        return 2  # unusable input, like a bad flag
    stop = threading.Event()
    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    except ValueError:  # not the main thread: the caller stops us some other way
        pass
    try:
        return _run(emulator, args, stop)
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
