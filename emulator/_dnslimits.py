"""Private DNS's own request limits, which the resource provider applies behind ARM's per-subscription
buckets: record set operations per zone, zone operations per subscription (get per zone, list by
resource group per resource group) and virtual network link operations per zone.

The rates are Microsoft's (azure-docs `includes/dns-limits.md`, ms.date 10/08/2024, the "Private DNS"
tables of "Azure subscription and service limits"). Microsoft documents a rate a minute, not the
window or the burst: here each is a token bucket as deep as the per-minute rate, refilled at a
sixtieth of it a second. `classify` names the operation a request is; the front door takes a token
for it (only with `throttle` on) and answers `throttled` when there is none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from ._http import ArmError, Request, Response
from ._records import RECORD_PROPERTIES

#: Requests a minute, by (family, operation), as Microsoft publishes them.
RATES: dict[tuple[str, str], int] = {
    ("recordSets", "create"): 60,
    ("recordSets", "update"): 60,
    ("recordSets", "delete"): 60,
    ("recordSets", "get"): 200,
    ("recordSets", "list"): 100,
    ("zones", "create"): 40,  # per subscription
    ("zones", "update"): 40,  # per subscription
    ("zones", "delete"): 40,  # per subscription
    ("zones", "get"): 200,  # per zone
    ("zones", "listBySubscription"): 60,
    ("zones", "listByResourceGroup"): 100,  # per resource group
    ("virtualNetworkLinks", "create"): 60,
    ("virtualNetworkLinks", "update"): 60,
    ("virtualNetworkLinks", "delete"): 60,
    ("virtualNetworkLinks", "get"): 100,
    ("virtualNetworkLinks", "list"): 20,  # Microsoft's table calls it "list by virtual network"
}

#: Answers a refused request carries (recorded for Azure's public DNS zones; see `throttled`).
THROTTLED_CODE = "ResourceRequestsThrottled"

#: Is there a resource with this lower-cased id in this store collection ("zones", "links", "recordSets")?
Exists = Callable[[str, str], bool]

_ZONES = "privatednszones"
_LINKS = "virtualnetworklinks"


@dataclass(frozen=True)
class Operation:
    """One request as Private DNS counts it: which limit, in which bucket, and ARM's action name."""

    family: str
    operation: str
    scope: tuple[str, ...]  # the bucket's scope: a zone, a subscription or a resource group (lower-cased)
    action: str  # as ARM names it in a throttling message, e.g. Microsoft.Network/privateDnsZones/A/write

    @property
    def per_minute(self) -> int:
        return RATES[(self.family, self.operation)]

    @property
    def key(self) -> tuple[str, ...]:
        return (self.family, self.operation, *self.scope)


def _creates(req: Request, collection: str, lid: str, exists: Exists) -> bool:
    """A PUT creates when it says so (`If-None-Match: *`) or when nothing is there yet."""
    none_match = [t.strip() for t in (req.header("If-None-Match") or "").split(",")]
    return "*" in none_match or not exists(collection, lid)


def _write(req: Request, collection: str, lid: str, exists: Exists) -> str | None:
    """The operation a PUT, PATCH or DELETE is (None: another method)."""
    if req.method == "PUT":
        return "create" if _creates(req, collection, lid, exists) else "update"
    return {"PATCH": "update", "DELETE": "delete"}.get(req.method)


def classify(req: Request, exists: Exists) -> Operation | None:
    """The Private DNS operation `req` is, or None when no Private DNS limit applies (another
    resource type, a method or route the emulator does not serve, an operation status poll)."""
    segs = [unquote(s).lower() for s in req.path.split("/") if s]
    if len(segs) < 5 or segs[0] != "subscriptions":
        return None
    sub = segs[1]
    action = "Microsoft.Network/privateDnsZones"
    if segs[2:] == ["providers", "microsoft.network", _ZONES]:
        return Operation("zones", "listBySubscription", (sub,), f"{action}/read") if req.method == "GET" else None
    if len(segs) < 7 or segs[2] != "resourcegroups" or segs[4:7] != ["providers", "microsoft.network", _ZONES]:
        return None
    rg, tail = segs[3], segs[7:]
    if not tail:
        return Operation("zones", "listByResourceGroup", (sub, rg), f"{action}/read") if req.method == "GET" else None
    zone = tail[0].rstrip(".")
    zone_lid = f"/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.network/{_ZONES}/{zone}"
    per_zone = (sub, rg, zone)
    if len(tail) == 1:
        if req.method == "GET":
            return Operation("zones", "get", per_zone, f"{action}/read")
        operation = _write(req, "zones", zone_lid, exists)
        verb = "delete" if operation == "delete" else "write"
        return Operation("zones", operation, (sub,), f"{action}/{verb}") if operation else None
    child, names = tail[1], tail[2:]
    if child == _LINKS:
        action += "/virtualNetworkLinks"
        if not names:
            return Operation("virtualNetworkLinks", "list", per_zone, f"{action}/read") if req.method == "GET" else None
        if len(names) != 1:
            return None
        if req.method == "GET":
            return Operation("virtualNetworkLinks", "get", per_zone, f"{action}/read")
        operation = _write(req, "links", f"{zone_lid}/{_LINKS}/{names[0]}", exists)
        verb = "delete" if operation == "delete" else "write"
        return Operation("virtualNetworkLinks", operation, per_zone, f"{action}/{verb}") if operation else None
    rtype = child.upper()
    if rtype != "ALL" and rtype not in RECORD_PROPERTIES:
        return None
    action += f"/{rtype}"
    if not names:
        return Operation("recordSets", "list", per_zone, f"{action}/read") if req.method == "GET" else None
    if len(names) != 1 or rtype == "ALL":
        return None
    if req.method == "GET":
        return Operation("recordSets", "get", per_zone, f"{action}/read")
    operation = _write(req, "recordSets", f"{zone_lid}/{child}/{names[0].rstrip('.')}", exists)
    verb = "delete" if operation == "delete" else "write"
    return Operation("recordSets", operation, per_zone, f"{action}/{verb}") if operation else None


def throttled(operation: Operation, retry_after: int) -> Response:
    """The 429 for an empty bucket, in the shape Azure's DNS resource provider answers a public zone's
    (terraform-provider-azurerm#14213: `ResourceRequestsThrottled`, "Number of requests for action
    'Microsoft.Network/dnsZones/CNAME/read' exceeded the limit of '500' for time interval '00:05:00'.
    Please try again after '307' seconds."); for private zones the code and message are assumed."""
    return ArmError(
        429, THROTTLED_CODE,
        f"Number of requests for action '{operation.action}' exceeded the limit of '{operation.per_minute}' "
        f"for time interval '00:01:00'. Please try again after '{retry_after}' seconds.",
        headers={"Retry-After": str(retry_after)},
    ).response()
