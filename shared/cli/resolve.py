"""`pedns resolve NAME --from NETWORK_ID`: the path a client in that network takes for NAME, each
step, and one verdict with its remedy (reads only). Exit 0 with a verdict, 1 when the path could
not be read (`unknown`, or the network itself), 2 for usage."""

from __future__ import annotations

import argparse
import re

from ..core.model import ResourceId
from ..outcomes import EXIT_FAILED, EXIT_OK
from ..wiring import resolve_for
from .parser import UsageError
from .present_path import resolution_lines
from .runtime import HUB, connect, read_settings
from .terminal import print_json

_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)+$")
_VNET = "microsoft.network/virtualnetworks"


def arguments(args: argparse.Namespace) -> tuple[str, ResourceId]:
    """NAME and NETWORK_ID as the walk needs them; a usage error (exit 2) when they are not."""
    name = args.name.strip().lower().rstrip(".")
    if not _NAME.match(name):
        raise UsageError(f"not a DNS name: {args.name!r} (see 'pedns resolve --help')")
    network = ResourceId(args.network.strip().rstrip("/"))
    if network.resource_type.lower() != _VNET or network.value.count("/") != 8:
        raise UsageError(f"not a virtual network resource id: {args.network!r} "
                         f"(/subscriptions/…/resourceGroups/…/providers/Microsoft.Network/virtualNetworks/NAME)")
    return name, network


def run(args: argparse.Namespace) -> int:
    name, network = arguments(args)
    settings = read_settings(*HUB)
    result = resolve_for(connect(settings), settings, name=name, network_id=network)
    if args.json:
        print_json(result.to_json())
    else:
        for line in resolution_lines(result):
            print(line)
    return EXIT_FAILED if result.verdict == "unknown" else EXIT_OK
