"""`pedns emulator`: run the ARM emulator until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import threading
import uuid
from pathlib import Path

from ._faults import Faults
from ._server import DEFAULT_HUB_RESOURCE_GROUP, DEFAULT_HUB_SUBSCRIPTION, DEFAULT_SPOKE_SUBSCRIPTION, Emulator


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
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8443, help="0 picks a free port")
    p.add_argument("--state-dir", default=os.path.join(".pedns", "emulator"), help="where the CA certificate is written")
    p.add_argument("--state-file", default=None, help="JSON file to load state from and save every change to")
    p.add_argument("--hub-subscription", type=_guid, default=DEFAULT_HUB_SUBSCRIPTION)
    p.add_argument("--hub-resource-group", default=DEFAULT_HUB_RESOURCE_GROUP)
    p.add_argument("--spoke-subscription", type=_guid, default=DEFAULT_SPOKE_SUBSCRIPTION)
    d = Faults()
    p.add_argument("--latency-ms", type=int, default=d.latency_ms)
    p.add_argument("--fault-rate", type=float, default=d.fault_rate, help="share of requests answered 500/503 or dropped")
    p.add_argument("--throttle", action="store_true", help="answer 429 when a subscription's token bucket is empty")
    for kind in ("read", "write", "delete"):
        p.add_argument(f"--{kind}-bucket", type=int, default=getattr(d, f"{kind}_bucket"))
        p.add_argument(f"--{kind}-refill", type=float, default=getattr(d, f"{kind}_refill"), help="tokens per second")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--graph-lag-ms", type=int, default=d.graph_lag_ms,
                   help="Resource Graph shows private endpoints as they were this long ago")
    p.add_argument("--graph-quota", type=int, default=d.graph_quota,
                   help="Resource Graph queries per caller per window (429 past it with --throttle)")
    p.add_argument("--graph-window-seconds", type=float, default=d.graph_window_seconds)
    p.add_argument("--operation-delay-ms", type=int, default=d.operation_delay_ms,
                   help="zone, link and endpoint writes' long-running operations stay InProgress this long")
    p.add_argument("--provisioning-delay-ms", type=int, default=d.provisioning_delay_ms,
                   help="a private endpoint PUT reads 'Updating' (no DNS configs yet) this long (0: off)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the emulator; print `export` lines and `ready`; serve until SIGTERM/SIGINT. Returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        faults = Faults(
            latency_ms=args.latency_ms, fault_rate=args.fault_rate, throttle=args.throttle,
            read_bucket=args.read_bucket, read_refill=args.read_refill,
            write_bucket=args.write_bucket, write_refill=args.write_refill,
            delete_bucket=args.delete_bucket, delete_refill=args.delete_refill,
            seed=args.seed,
            graph_lag_ms=args.graph_lag_ms, graph_quota=args.graph_quota,
            graph_window_seconds=args.graph_window_seconds,
            operation_delay_ms=args.operation_delay_ms, provisioning_delay_ms=args.provisioning_delay_ms,
        )
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
        return 1
    stop = threading.Event()
    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    except ValueError:  # not the main thread: the caller stops us some other way
        pass
    try:
        try:
            emulator.start()
        except (OSError, ValueError) as exc:
            print(f"pedns emulator: error: cannot start: {exc}", file=sys.stderr, flush=True)
            return 1
        for name, value in emulator.env().items():
            print(f"export {name}={shlex.quote(value)}")
        print("ready", flush=True)
        while not stop.wait(0.5):
            pass
        return 0
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
