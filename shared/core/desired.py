"""A private endpoint → the A and AAAA records it needs in the hub, and the ones it is refused. Pure."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .catalogue import name_matches
from .ports import Resolver
from .model import (
    Connection,
    ConnectionStatus,
    Desired,
    DnsConfig,
    DesiredRecord,
    PrivateEndpoint,
    Reason,
    RecordKey,
    ResourceId,
    Skip,
    sort_ips,
)

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class DesirePolicy:
    publish_pending: bool = False
    manage_zone_group_endpoints: bool = False
    allowed_ip_ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("172.16.0.0/12"),
        ipaddress.ip_network("192.168.0.0/16"),
        ipaddress.ip_network("100.64.0.0/10"),
        ipaddress.ip_network("fd00::/8"),  # IPv6 unique local addresses (RFC 4193), as Azure subnets use
    )

    @classmethod
    def from_ranges(cls, ranges: Sequence[str], **kwargs: bool) -> "DesirePolicy":
        return cls(allowed_ip_ranges=tuple(ipaddress.ip_network(r, strict=False) for r in ranges), **kwargs)


def not_ready(pe: PrivateEndpoint) -> str | None:
    """Why a read of a fresh endpoint cannot be trusted yet, or None when it can.

    Right after creation ARM shows `Updating` with empty `customDnsConfigs`; the configs appear
    once it is `Succeeded`. Empty configs on an approved connection are transient too.
    """
    state = pe.provisioning_state.lower()
    if state in ("updating", "creating", "provisioning"):
        return f"provisioningState is {pe.provisioning_state}"
    if state == "succeeded" and not pe.dns_configs and not pe.has_zone_group and any(
        c.status is ConnectionStatus.APPROVED and not _to_private_link_service(c) for c in pe.connections
    ):  # (an endpoint with a zone group may report no customDnsConfigs at all; see below for PLS)
        return "connection is approved but customDnsConfigs is still empty"
    return None


def _to_private_link_service(connection: Connection) -> bool:
    """An endpoint to a Private Link Service reports FQDNs only if the service publishes `fqdns`;
    without them its customDnsConfigs stay empty for good, which is not a transient state."""
    return connection.target_type.lower() == "microsoft.network/privatelinkservices"


def valid_dns_name(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def desire(pe: PrivateEndpoint, resolver: Resolver, policy: DesirePolicy = DesirePolicy(), *,
           platform_names: frozenset[str] | None = None) -> Desired:
    """What `pe` should hold. Every FQDN it reports ends up in `records` or, with a reason, in `skipped`.

    `platform_names`: the names Azure gave the endpoint's network interface, when known; a reported
    FQDN not among them is `name-mismatch` (the endpoint reports a name the platform did not give it).
    """
    nothing = Desired(pe.id, location=pe.location, virtual_network_id=pe.virtual_network_id)
    if pe.provisioning_state.lower() == "deleting":
        return nothing  # going away: withdraw quietly, as for a delete
    dns_configs = pe.dns_configs or (pe.zone_group_configs if policy.manage_zone_group_endpoints else ())
    refusal = _endpoint_refusal(pe, dns_configs, policy)
    if refusal is not None:  # every name the endpoint reports is refused with the endpoint
        reason, detail = refusal
        fqdns = [c.fqdn for c in (pe.dns_configs or pe.zone_group_configs)]
        return replace(nothing, skipped=tuple(Skip(f, reason, detail) for f in fqdns) or (Skip("", reason, detail),))

    connection = pe.connections[0]  # an endpoint has exactly one connection
    merged: dict[RecordKey, tuple[str, set[str]]] = {}
    skipped: list[Skip] = []
    # An entry the parser refused is skipped on its own; a name with one bad entry is refused whole
    # (its other entries are not published with half its addresses).
    refused = {config.fqdn for config in dns_configs if config.problem}
    for config in dns_configs:
        fqdn = config.fqdn.lower().rstrip(".")
        if config.problem:
            skipped.append(Skip(fqdn, Reason.INVALID, config.problem))
            continue
        if config.fqdn in refused:
            continue
        placed = _place(fqdn, config.ips, connection, pe.location, resolver, policy, platform_names)
        if isinstance(placed, Skip):
            skipped.append(placed)
        else:
            merged.setdefault(placed, (fqdn, set()))[1].update(config.ips)

    records = tuple(
        DesiredRecord(key, fqdn, sort_ips(ips), pe.id)
        for key, (fqdn, ips) in sorted(merged.items(), key=lambda item: (item[0].zone, item[0].name))
    )
    return replace(nothing, records=records, skipped=tuple(skipped))


def _endpoint_refusal(pe: PrivateEndpoint, dns_configs: Sequence[DnsConfig],
                      policy: DesirePolicy) -> tuple[Reason, str] | None:
    """Why the endpoint as a whole gets no record (its state, its zone group, its connection), or None."""
    if pe.provisioning_state.lower() == "failed":
        return Reason.INVALID, f"provisioningState is {pe.provisioning_state}"
    if pe.has_zone_group and not policy.manage_zone_group_endpoints:
        return Reason.ZONE_GROUP, "the endpoint has a private DNS zone group: Azure manages its records"
    if not pe.connections:
        return Reason.INVALID, "the endpoint has no private link service connection"
    connection = pe.connections[0]
    status = connection.status
    if not dns_configs and _to_private_link_service(connection) and status is ConnectionStatus.APPROVED:
        return Reason.UNMAPPED, ("the Private Link Service publishes no FQDN: set its 'fqdns' property "
                                 "so endpoints report one, then add a custom zone rule for it")
    if status is ConnectionStatus.PENDING and not policy.publish_pending:
        return Reason.PENDING_APPROVAL, "the connection awaits approval on the target resource"
    if status in (ConnectionStatus.REJECTED, ConnectionStatus.DISCONNECTED, ConnectionStatus.UNKNOWN):
        return Reason.REJECTED, f"the connection is {status.value}"
    return None


def _place(fqdn: str, ips: Sequence[str], connection: Connection, location: str, resolver: Resolver,
           policy: DesirePolicy, platform_names: frozenset[str] | None) -> RecordKey | Skip:
    """Where one reported name goes in the hub, or why it goes nowhere."""
    if not valid_dns_name(fqdn):
        return Skip(fqdn, Reason.INVALID, "not a valid DNS name")
    bad = [ip for ip in ips if not _allowed(ip, policy)]  # IPv4 and IPv6 alike
    if bad or not ips:
        detail = f"IP address(es) outside the allowed private ranges: {', '.join(bad)}" if bad else "no IP address"
        return Skip(fqdn, Reason.INVALID, detail)
    group_id = connection.group_ids[0] if connection.group_ids else ""
    key = resolver.resolve(target_id=connection.target_id, group_id=group_id, fqdn=fqdn, location=location)
    if key is None:
        return Skip(fqdn, Reason.UNMAPPED, resolver.why_unmapped(target_id=connection.target_id, group_id=group_id,
                                                                 fqdn=fqdn, location=location))
    if platform_names is not None and fqdn not in platform_names:
        return Skip(fqdn, Reason.NAME_MISMATCH, f"{fqdn} is not among the names Azure gave the endpoint's network "
                                                "interface: never published", key)
    bound = resolver.binding(target_id=connection.target_id, group_id=group_id)
    target_name = ResourceId(connection.target_id).name
    if bound is not None and not name_matches(bound, target_name, key.name):
        return Skip(fqdn, Reason.NAME_MISMATCH, f"{fqdn} is not a name of the endpoint's target {target_name!r} "
                                                f"({connection.target_type or 'unknown type'}): never published", key)
    return key


def _allowed(ip: str, policy: DesirePolicy) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.is_loopback or address.is_link_local or address.is_multicast or address.is_unspecified \
            or address.is_reserved or getattr(address, "ipv4_mapped", None) is not None \
            or getattr(address, "scope_id", None):  # `fd00::1%eth0`: a zone id means nothing in DNS
        return False
    return any(address in network for network in policy.allowed_ip_ranges)
