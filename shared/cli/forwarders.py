"""`pedns forwarders [--format bind|unbound|windows|json] [--target IP]…`: the conditional forwarders
on-premises DNS needs for every zone the hub serves, pointing at the hub's DNS (reads only). The
configuration goes to stdout (so `> forwarders.conf` is the whole file); warnings to stderr, or in
the JSON document's `warnings`."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from ..core.forwarders import RENDER
from ..outcomes import EXIT_OK
from ..wiring import forwarders_for
from .parser import UsageError
from .present import text
from .runtime import HUB, connect, read_settings
from .terminal import print_json


def targets(given: list[str], configured: tuple[str, ...]) -> tuple[str, ...]:
    """The servers to forward to: `--target` (each an IP address), else PEDNS_HUB_DNS_SERVERS."""
    out = []
    for value in given or configured:
        try:
            out.append(str(ipaddress.ip_address(value.strip())))
        except ValueError:
            raise UsageError(f"--target: not an IP address: {value!r}") from None
    if not out:
        raise UsageError("no DNS server to forward to: give --target IP or set PEDNS_HUB_DNS_SERVERS")
    return tuple(dict.fromkeys(out))


def run(args: argparse.Namespace) -> int:
    settings = read_settings(*HUB)
    servers = targets(args.target, tuple(settings.hub_dns_servers))
    result = forwarders_for(connect(settings), settings, targets=servers)
    if args.json or args.format == "json":
        print_json(result.to_json())
        return EXIT_OK
    sys.stdout.write(RENDER[args.format](result))
    for warning in result.warnings:
        print(f"warning: {text(warning, None)}", file=sys.stderr)
    return EXIT_OK
