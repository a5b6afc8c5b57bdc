"""`pedns`'s command line: the commands, their arguments and the global flags."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from ..errors import InvalidInput

__all__ = ["GLOBAL_FLAGS", "UsageError", "build_parser"]


class UsageError(InvalidInput):
    """The command line is wrong (unknown flag, missing argument): input pedns will not act on."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")



def _seconds(value: str) -> float:
    """A positive number of seconds, for argparse (its error names the option)."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds < 10**7:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {value!r}")
    return seconds

def _global_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """`--json`, `-v`, `-q`: on the top parser with their defaults, and on every subcommand with no
    default at all (`SUPPRESS`), so `pedns --json zones` and `pedns zones --json` both work and a
    subcommand does not reset what was given before it."""
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout; logs go to stderr",
                        **default)
    parser.add_argument("-v", "--verbose", action="count", help="pedns's debug logs (-vv adds azure-core's HTTP traces)",
                        **(default or {"default": 0}))
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only", **default)


#: The global flags, as they may precede the subcommand.
GLOBAL_FLAGS = frozenset({"--json", "-v", "-vv", "-vvv", "--verbose", "-q", "--quiet"})

_DRY_RUN = "show what would change; write nothing"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_flags(common, suppress=True)

    p = _Parser(prog="pedns", description="Event-driven DNS records for Azure Private Endpoints.")
    _global_flags(p, suppress=False)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    sub.add_parser("emulator", help="run the local ARM emulator (HTTPS); prints export lines, then 'ready' "
                                    "(see 'pedns emulator --help')")
    _events(sub, common)
    _endpoints(sub, common)
    _hub(sub, common)
    return p


def _events(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ev = sub.add_parser("events", parents=[common], help="process Event Grid deliveries")
    ev_sub = ev.add_subparsers(dest="events_command", required=True, parser_class=_Parser, metavar="SUBCOMMAND")
    apply_ = ev_sub.add_parser("apply", parents=[common],
                               help="process deliveries from files (Event Grid or CloudEvents JSON, e.g. dead-lettered blobs)")
    apply_.add_argument("files", nargs="+", metavar="FILE",
                        help="a delivery file: a JSON array of events, or one event (at most 1 MiB)")
    apply_.add_argument("--dry-run", action="store_true", help=_DRY_RUN)


def _endpoints(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """The commands about named endpoints, and the reconcile of all of them."""
    ex = sub.add_parser("explain", parents=[common],
                        help="the records an endpoint needs, and why it does not get others")
    ex.add_argument("endpoints", nargs="+", metavar="ENDPOINT",
                    help="a private endpoint resource id (read from ARM) or a path to its ARM GET JSON")

    rc = sub.add_parser("reconcile", parents=[common], help="converge every endpoint in scope")
    rc.add_argument("--dry-run", action="store_true", help=_DRY_RUN)
    rc.add_argument("--subscription", action="append", default=[], metavar="ID",
                    help="only this subscription's endpoints are listed and changed (repeatable; must be in scope)")
    rc.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                    help="start no endpoint after this many seconds and report what is left (default: no limit; "
                         "the timer uses PEDNS_RECONCILE_BUDGET_SECONDS)")

    rp = sub.add_parser("replay", parents=[common], help="converge the named endpoints now")
    rp.add_argument("endpoints", nargs="+", metavar="ENDPOINT_ID", help="a private endpoint resource id")
    rp.add_argument("--dry-run", action="store_true", help=_DRY_RUN)

    rl = sub.add_parser("release", parents=[common],
                        help="withdraw an endpoint's claims whatever ARM says (e.g. deleted while pedns was down)")
    rl.add_argument("endpoints", nargs="+", metavar="ENDPOINT_ID",
                    help="a private endpoint resource id (it need not exist in ARM any more)")
    rl.add_argument("--dry-run", action="store_true", help=_DRY_RUN)


def _hub(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """The commands that read the hub and the catalogue."""
    sub.add_parser("audit", parents=[common],
                   help="find what breaks private name resolution that no A record can fix (reads only)")

    rs = sub.add_parser("records", parents=[common],
                        help="the record sets pedns owns in the hub zones: IPs, holder, standby claimants, claim age")
    rs.add_argument("--zone", metavar="ZONE", help="only this hub zone (e.g. privatelink.blob.core.windows.net)")
    rs.add_argument("--endpoint", metavar="ENDPOINT_ID",
                    help="only the names this private endpoint claims, plus the foreign ones it wants")

    sw = sub.add_parser("switch", parents=[common],
                        help="move shared names to their claimants in a region and pin them there, or clear the pins")
    to = sw.add_mutually_exclusive_group(required=True)
    to.add_argument("--to-region", metavar="REGION",
                    help="the region whose claimants take the names (e.g. westus2; case and spaces do not matter)")
    to.add_argument("--clear", action="store_true",
                    help="remove the pins: the names follow the normal order again (preferred regions, oldest claim)")
    sw.add_argument("--zone", metavar="ZONE", help="only this hub zone's names")
    sw.add_argument("--name", metavar="NAME", help="only this record name (relative to its zone; with --zone, or in any zone)")
    sw.add_argument("--dry-run", action="store_true",
                    help="list the names it would move and those with no claimant in the region (the DR gaps); write nothing")

    rv = sub.add_parser("resolve", parents=[common],
                        help="the path a client in a virtual network takes for a name, and why it ends where it does "
                             "(reads only)")
    rv.add_argument("name", metavar="NAME", help="the public name a client asks for (e.g. acct.blob.core.windows.net)")
    rv.add_argument("--from", dest="network", required=True, metavar="NETWORK_ID",
                    help="the resource id of the client's virtual network")

    fw = sub.add_parser("forwarders", parents=[common],
                        help="the conditional forwarders on-premises DNS needs for the zones the hub serves")
    fw.add_argument("--format", choices=["bind", "unbound", "windows", "json"], default="bind",
                    help="default: bind (named.conf zone statements)")
    fw.add_argument("--target", action="append", default=[], metavar="IP",
                    help="a hub DNS server to forward to (repeatable; default: PEDNS_HUB_DNS_SERVERS)")

    zn = sub.add_parser("zones", parents=[common], help="list the zone catalogue")
    zn.add_argument("filter", nargs="?", metavar="FILTER",
                    help="only rows whose service, resource type, subresource or a zone contains FILTER (any case)")
    zn.add_argument("--cloud", choices=["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"],
                    help="default: PEDNS_CLOUD, else AzureCloud")
