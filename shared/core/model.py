"""The one vocabulary that moves between pedns's layers.

Plain frozen dataclasses: the pure core builds and compares them, adapters translate
Azure SDK objects into and out of them, and nothing here imports an SDK.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from dataclasses import dataclass, field, replace
from collections.abc import Iterable
from typing import Literal


class Reason(str, enum.Enum):
    """Why an endpoint does not get (or no longer holds) a record. Values appear verbatim in output."""

    UNMAPPED = "unmapped"  # the FQDN matches no catalogue row: never guessed
    FOREIGN = "foreign"  # the name exists and is not ours (no stamp, other owner, auto-registered)
    STANDBY = "standby"  # another endpoint holds the shared name; we are next in line
    PENDING_APPROVAL = "pending-approval"  # connection awaits manual approval
    REJECTED = "rejected"  # connection rejected or disconnected: claim withdrawn
    ZONE_GROUP = "zone-group"  # Azure manages this endpoint's records through a DNS zone group
    ZONE_MISSING = "zone-missing"  # the hub has no such private DNS zone
    INVALID = "invalid"  # the endpoint reports something unusable (a public IP, a bad name)
    NAME_MISMATCH = "name-mismatch"  # the name belongs to another resource than the endpoint's target

    def __str__(self) -> str:  # so f-strings print "standby", not "Reason.STANDBY"
        return self.value


class ConnectionStatus(str, enum.Enum):
    APPROVED = "Approved"
    PENDING = "Pending"
    REJECTED = "Rejected"
    DISCONNECTED = "Disconnected"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, value: str | None) -> "ConnectionStatus":
        for member in cls:
            if value and member.value.lower() == value.lower():
                return member
        return cls.UNKNOWN


_RESOURCE_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/(?P<ns>[^/]+)/(?P<rest>.+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ResourceId:
    """An ARM resource id. Equality and hashing ignore case, as ARM does."""

    value: str

    @property
    def key(self) -> str:
        return self.value.lower().rstrip("/")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ResourceId) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __str__(self) -> str:
        return self.value

    def _match(self) -> re.Match[str] | None:
        return _RESOURCE_ID.match(self.value)

    @property
    def subscription_id(self) -> str:
        m = self._match()
        if m is None:
            parts = self.value.split("/")
            return parts[2] if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""
        return m["sub"]

    @property
    def resource_group(self) -> str:
        m = self._match()
        return m["rg"] if m else ""

    @property
    def resource_type(self) -> str:
        """`Namespace/type[/childtype…]`, as written in the id (compare case-insensitively)."""
        m = self._match()
        if m is None:
            return ""
        segments = m["rest"].split("/")
        return "/".join([m["ns"], *segments[0::2]])

    @property
    def name(self) -> str:
        return self.value.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class DnsConfig:
    """One `customDnsConfigs` entry: the public FQDN of the service and the endpoint's IPs for it.

    An entry that failed validation keeps its place with `problem` set (one line, saying which field
    and what was wrong, the value escaped): its `fqdn` is then the reported text made safe to print,
    its `ips` empty, and it is skipped `invalid` on its own while the endpoint's other names go on.
    """

    fqdn: str
    ips: tuple[str, ...]
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Connection:
    """A private link service connection of the endpoint (auto-approved or manual)."""

    name: str
    target_id: str  # privateLinkServiceId: the service's resource id, or a Private Link Service's
    group_ids: tuple[str, ...]
    status: ConnectionStatus
    manual: bool

    @property
    def target_type(self) -> str:
        return ResourceId(self.target_id).resource_type


@dataclass(frozen=True, slots=True)
class PrivateEndpoint:
    """What pedns needs to know of a private endpoint, read from ARM."""

    id: ResourceId
    location: str
    provisioning_state: str
    connections: tuple[Connection, ...]
    dns_configs: tuple[DnsConfig, ...]
    subnet_id: str = ""
    has_zone_group: bool = False
    zone_group_configs: tuple[DnsConfig, ...] = ()  # the records Azure wrote for its zone groups
    zone_group_zone_ids: tuple[str, ...] = ()  # the private DNS zones its zone groups write into
    network_interface_ids: tuple[str, ...] = ()  # the interfaces Azure made for it (platform-owned)

    @property
    def name(self) -> str:
        return self.id.name

    def without_zone_groups(self) -> "PrivateEndpoint":
        """The endpoint as a read that skips its zone groups sees it (and as Resource Graph lists it)."""
        return replace(self, has_zone_group=False, zone_group_configs=(), zone_group_zone_ids=())

    @property
    def virtual_network_id(self) -> str:
        """The subnet's parent: `…/virtualNetworks/{vnet}`."""
        head, sep, _ = self.subnet_id.rpartition("/subnets/")
        return head if sep else ""


@dataclass(frozen=True, slots=True)
class RecordKey:
    """Where a record lives: a hub zone and a name relative to it. Names compare case-insensitively."""

    zone: str
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", self.zone.lower().rstrip("."))
        object.__setattr__(self, "name", self.name.lower())

    @property
    def fqdn(self) -> str:
        return self.zone if self.name == "@" else f"{self.name}.{self.zone}"

    def __str__(self) -> str:
        return self.fqdn


RecordType = Literal["A", "AAAA"]
#: The record types pedns writes, in the order it writes and reports them.
RECORD_TYPES: tuple[RecordType, ...] = ("A", "AAAA")


def canonical_ip(ip: str) -> str:
    """One spelling per address (IPv6 compressed, lower case), so that what Azure returns and what an
    endpoint reports compare equal however either writes it. Not an address: returned unchanged."""
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return ip


def sort_ips(ips: Iterable[str]) -> tuple[str, ...]:
    """Canonical, without duplicates, IPv4 first, each family in address order."""
    parsed = {ipaddress.ip_address(ip.strip()) for ip in ips}
    return tuple(str(a) for a in sorted(parsed, key=lambda a: (a.version, a)))


def of_type(ips: tuple[str, ...], rtype: RecordType) -> tuple[str, ...]:
    """The addresses of one record type among `ips` (canonical ones)."""
    return tuple(ip for ip in ips if (":" in ip) == (rtype == "AAAA"))


def by_type(ips: tuple[str, ...]) -> list[tuple[RecordType, tuple[str, ...]]]:
    """(type, its addresses) for each record type `ips` has, A first."""
    return [(t, found) for t in RECORD_TYPES if (found := of_type(ips, t))]


@dataclass(frozen=True, slots=True)
class DesiredRecord:
    """The records an endpoint needs at one name: its A and AAAA addresses together in `ips` (sorted by
    `sort_ips`, so equal desires compare equal). A dual-stack endpoint wants both record types."""

    key: RecordKey
    fqdn: str  # the public service name the endpoint reported
    ips: tuple[str, ...]
    endpoint_id: ResourceId

    def ips_of(self, rtype: RecordType) -> tuple[str, ...]:
        return of_type(self.ips, rtype)

    @property
    def types(self) -> tuple[RecordType, ...]:
        return tuple(t for t, _ in by_type(self.ips))


@dataclass(frozen=True, slots=True)
class Skip:
    """A record an endpoint does not get, and why."""

    fqdn: str
    reason: Reason
    detail: str = ""
    key: RecordKey | None = None


@dataclass(frozen=True, slots=True)
class Desired:
    """Everything one endpoint wants: records to hold, and what it was refused with reasons."""

    endpoint_id: ResourceId
    records: tuple[DesiredRecord, ...] = ()
    skipped: tuple[Skip, ...] = ()
    location: str = ""
    virtual_network_id: str = ""


@dataclass(frozen=True, slots=True)
class RecordSet:
    """An A or AAAA record set as it is in a hub zone. `metadata` holds pedns's stamp and claims
    (the same on both types of a name pedns holds); each type has its own etag."""

    key: RecordKey
    ips: tuple[str, ...]
    ttl: int
    etag: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, hash=False, compare=True)
    auto_registered: bool = False
    type: RecordType = "A"


@dataclass(frozen=True, slots=True)
class NameState:
    """The record sets at one name of a hub zone, at most one per type (A, AAAA): empty when the
    name is free. pedns decides a name as a whole: one holder and one set of claims for both types."""

    key: RecordKey
    sets: tuple[RecordSet, ...] = ()

    def __post_init__(self) -> None:
        order = {t: i for i, t in enumerate(RECORD_TYPES)}
        object.__setattr__(self, "sets", tuple(sorted(self.sets, key=lambda s: order.get(s.type, 9))))

    def of(self, rtype: RecordType) -> RecordSet | None:
        return next((s for s in self.sets if s.type == rtype), None)

    @property
    def ips(self) -> tuple[str, ...]:
        """Every address the name serves now, A before AAAA."""
        return tuple(ip for s in self.sets for ip in s.ips)

    def __bool__(self) -> bool:
        return bool(self.sets)

    def with_set(self, rtype: RecordType, record: RecordSet | None) -> "NameState":
        rest = tuple(s for s in self.sets if s.type != rtype)
        return NameState(self.key, rest + ((record,) if record is not None else ()))


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    resource_group: str
    subscription_id: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An endpoint an estate listing returned in a shape pedns cannot use: reported, never acted on."""

    endpoint_id: ResourceId
    message: str


@dataclass(frozen=True, slots=True)
class Scope:
    """Where private endpoints are looked for: subscriptions and management groups (any depth).
    Both empty means everything the identity can read."""

    subscriptions: frozenset[str] = frozenset()
    management_groups: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.subscriptions and not self.management_groups


# -- what the audit reads of the estate (shared/usecases/audit.py) ----------------------------------------


@dataclass(frozen=True, slots=True)
class DnsZone:
    """A private DNS zone anywhere in scope (the hub's or a spoke's)."""

    id: ResourceId
    name: str


@dataclass(frozen=True, slots=True)
class ZoneLink:
    """A virtual network link of a private DNS zone."""

    id: ResourceId  # …/privateDnsZones/{zone}/virtualNetworkLinks/{name}
    virtual_network_id: str
    registration: bool = False
    resolution_policy: str = "Default"  # "NxDomainRedirect": a name with no record falls back to public DNS

    @property
    def zone_id(self) -> str:
        cut = self.id.value.lower().rfind("/virtualnetworklinks/")
        return self.id.value[:cut] if cut >= 0 else ""


@dataclass(frozen=True, slots=True)
class VirtualNetwork:
    """A virtual network and the DNS servers it hands out (empty: Azure's own resolver)."""

    id: ResourceId
    dns_servers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnreadableNetwork:
    """A virtual network whose DNS servers the audit could not read: listed in a shape pedns cannot
    use, or not listed at all although endpoints sit in it. Reported, never judged."""

    id: ResourceId
    message: str


@dataclass(frozen=True, slots=True)
class EndpointAddress:
    """A private IP address of a private endpoint's network interface."""

    endpoint_id: ResourceId
    ip: str
