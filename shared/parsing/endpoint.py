"""A private endpoint as ARM returns it (GET, network API 2024-05-01 to 2025-09-01 shape) → `PrivateEndpoint`.

Pure: pydantic models of the wire shape stay private; what leaves is the domain type. Only
syntax is checked here (ids, DNS names, IP addresses); whether an IP is acceptable (private
ranges, configured prefixes) is decided by `desired`.

Validated per name, not per endpoint: the envelope (the id, the provisioning state, the
connections, the shape of the arrays) must be right or the body is refused with `InvalidInput`;
each `customDnsConfigs` entry, zone-group record set and interface FQDN is then checked on its own.
A bad entry becomes a `DnsConfig` with its `problem` set (skipped `invalid` by `desired`), so one
bad name never costs the endpoint's other names, nor another endpoint reading this one as a peer.

IPv6: a dual-stack endpoint (`ipVersionType` DualStack) lists its IPv4 and IPv6 addresses in the
same `customDnsConfigs[].ipAddresses` array, IPv4 first; an IPv6-only one lists IPv6 addresses
only (recorded by Azure CLI's `test_network_private_endpoint_ip_version_type`, api-version
2025-05-01). Both families are kept, in canonical form (IPv6 compressed, lower case); malformed
addresses of either family are rejected.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.core.arm_names import GUID, RESOURCE_GROUP
from shared.errors import InvalidInput
from shared.core.model import Connection, ConnectionStatus, DnsConfig, PrivateEndpoint, ResourceId, sort_ips

from .inputs import terminal_text

__all__ = [
    "parse_private_endpoint",
    "parse_private_endpoint_id",
    "normalize_fqdn",
    "dns_config",
]

# ARM naming rules (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules),
# ASCII only: the subscription id and resource group as `shared/core/arm_names.py` defines them; a
# private endpoint is 1-80 of alphanumerics and `_.-`, starting alphanumeric, ending alphanumeric or `_`.
# re.ASCII matters: with IGNORECASE alone, `[a-z]` would also match U+212A KELVIN SIGN and friends.
_NAME = r"[a-z0-9](?:[a-z0-9_.\-]{0,78}[a-z0-9_])?"
_PE_ID = (
    rf"/subscriptions/(?P<sub>{GUID})/resourceGroups/(?P<rg>{RESOURCE_GROUP})"
    rf"/providers/Microsoft\.Network/privateEndpoints/(?P<name>{_NAME})"
)
_PE_ID_RE = re.compile(rf"{_PE_ID}\Z", re.IGNORECASE | re.ASCII)
_ZONE_GROUP_ID_RE = re.compile(
    rf"(?P<pe>{_PE_ID})/privateDnsZoneGroups/(?P<group>{_NAME})\Z", re.IGNORECASE | re.ASCII
)

_NIC_ID_RE = re.compile(
    rf"/subscriptions/{GUID}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft\.Network/networkInterfaces/{_NAME}\Z",
    re.IGNORECASE | re.ASCII,
)

_LABEL_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?\Z", re.ASCII)

_MAX_SHOWN = 160


def show(value: object) -> str:
    """A value for a one-line message: repr (escapes newlines and control characters), capped."""
    text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 4] + "…" + text[-3:]
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _canonical(match: re.Match[str]) -> str:
    return (
        f"/subscriptions/{match['sub']}/resourceGroups/{match['rg']}"
        f"/providers/Microsoft.Network/privateEndpoints/{match['name']}"
    )


def parse_private_endpoint_id(value: object, *, field: str = "id") -> ResourceId:
    """A private endpoint id, exactly `/subscriptions/{guid}/resourceGroups/{rg}/providers/
    Microsoft.Network/privateEndpoints/{name}` (segment names in any case, returned canonical).

    Anything else — other types, child resources, `..`, `//`, `%`, `?`, `#`, whitespace, control or
    non-ASCII characters, a trailing slash — raises `InvalidInput` naming `field`.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{field} is not a string: {show(value)}")
    match = _PE_ID_RE.match(value)
    if match is None:
        raise InvalidInput(f"{field} is not a private endpoint id: {show(value)}")
    return ResourceId(_canonical(match))


def parse_zone_group_parent(value: str) -> ResourceId | None:
    """`{peId}/privateDnsZoneGroups/{name}` → the private endpoint's id; None if not of that form."""
    match = _ZONE_GROUP_ID_RE.match(value)
    if match is None:
        return None
    return ResourceId(_canonical(match))


def normalize_fqdn(value: object, *, field: str = "fqdn") -> str:
    """A public service name, lower-cased without the trailing dot; `InvalidInput` unless it is a
    DNS name of at least two labels (letters, digits, `-`, and `_` as in
    `applicationinsights_ingestion.monitor.azure.com`; no wildcards)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} is not a string: {show(value)}")
    name = value.lower()
    if name.endswith("."):
        name = name[:-1]
    labels = name.split(".")
    if (
        not name
        or len(name) > 253
        or len(labels) < 2
        or not all(_LABEL_RE.match(label) for label in labels)
        or not labels[-1][0].isalpha()
    ):
        raise InvalidInput(f"{field} is not a valid DNS name: {show(value)}")
    return name


def _addresses(values: object, *, field: str) -> tuple[str, ...]:
    """IPv4 and IPv6 addresses, unique, canonical, IPv4 first and each family in numeric order.

    An IPv6 zone id (`fd00::1%eth0`, which Python's `ipaddress` accepts) is refused: it names an
    interface of the host that wrote it and means nothing in a DNS record."""
    if values is None:
        return ()
    if not isinstance(values, list):
        raise InvalidInput(f"{field} is not a list: {show(values)}")
    kept: list[str] = []
    for index, raw in enumerate(values):
        if not isinstance(raw, str):
            raise InvalidInput(f"{field}[{index}] is not a string: {show(raw)}")
        if "%" in raw:
            raise InvalidInput(f"{field}[{index}] has an IPv6 zone id: {show(raw)}")
        try:
            ipaddress.ip_address(raw)
        except ValueError:
            raise InvalidInput(f"{field}[{index}] is not a valid IP address: {show(raw)}") from None
        kept.append(raw)
    return sort_ips(kept)


def _shown_name(value: object) -> str:
    """The name a refused entry reported, as safe text for a skip (escaped, capped, lower case)."""
    return terminal_text(value, limit=_MAX_SHOWN).lower() if isinstance(value, str) else ""


def dns_config(raw: object, *, field: str) -> DnsConfig | None:
    """One `customDnsConfigs` entry on its own: a valid `DnsConfig`, one with its `problem` set, or
    None for an entry that names nothing (no `fqdn` at all, as a fresh endpoint may report)."""
    if not isinstance(raw, Mapping):
        return DnsConfig("", (), f"{field} is not a JSON object: {show(raw)}")
    fqdn = raw.get("fqdn")
    if fqdn is None:
        return None
    if fqdn == "":
        return DnsConfig("", (), f"{field}.fqdn is empty")
    try:
        name = normalize_fqdn(fqdn, field=f"{field}.fqdn")
    except InvalidInput as exc:
        return DnsConfig(_shown_name(fqdn), (), str(exc))
    try:
        ips = _addresses(raw.get("ipAddresses"), field=f"{field}.ipAddresses")
    except InvalidInput as exc:  # a good name with a bad address: the name is refused, by its name
        return DnsConfig(name, (), str(exc))
    return DnsConfig(name, ips)


# --- the wire shape (private) ---------------------------------------------------------------


class WireModel(BaseModel):
    """The base of the wire-shape models of ARM bodies: strict types, unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _SubResource(WireModel):
    id: str | None = None


class _ConnectionState(WireModel):
    status: str | None = None


class _ConnectionProperties(WireModel):
    private_link_service_id: str | None = Field(None, alias="privateLinkServiceId")
    group_ids: list[str] | None = Field(None, alias="groupIds")
    state: _ConnectionState | None = Field(None, alias="privateLinkServiceConnectionState")


class _Connection(WireModel):
    name: str | None = None
    properties: _ConnectionProperties | None = None


class _Properties(WireModel):
    provisioning_state: str | None = Field(None, alias="provisioningState")
    connections: list[_Connection] | None = Field(None, alias="privateLinkServiceConnections")
    manual_connections: list[_Connection] | None = Field(
        None, alias="manualPrivateLinkServiceConnections"
    )
    custom_dns_configs: list[Any] | None = Field(None, alias="customDnsConfigs")  # each entry on its own
    subnet: _SubResource | None = None
    network_interfaces: list[Any] | None = Field(None, alias="networkInterfaces")


class _PrivateEndpointBody(WireModel):
    id: Any = None
    location: str | None = None
    properties: _Properties | None = None


def one_line(exc: ValidationError, prefix: str = "", *, whole: str = "body") -> str:
    """A pydantic error as one line: where, what, the offending value (shown safely), how many more."""
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    where = f"{prefix}{where}" if where else (prefix.rstrip(".") or whole)
    more = exc.error_count() - 1
    text = f"{where}: {first['msg']}"
    if first["type"] not in ("missing", "literal_error") and "input" in first:
        text += f", got {show(first['input'])}"
    return text + (f" (+{more} more)" if more else "")


def _connection(wire: _Connection, *, manual: bool) -> Connection:
    props = wire.properties or _ConnectionProperties()
    return Connection(
        name=wire.name or "",
        target_id=props.private_link_service_id or "",
        group_ids=tuple(props.group_ids or ()),
        status=ConnectionStatus.parse(props.state.status if props.state else None),
        manual=manual,
    )


def parse_private_endpoint(
    body: Mapping[str, Any],
    *,
    has_zone_group: bool = False,
    zone_group_configs: tuple[DnsConfig, ...] = (),
    zone_group_zone_ids: tuple[str, ...] = (),
) -> PrivateEndpoint:
    """The parts of an ARM private endpoint body pedns needs.

    Missing optional arrays are empty. A `customDnsConfigs` entry with no fqdn is dropped (there
    is no name to write); its fqdn is lower-cased without the trailing dot; its IPs are the
    IPv4 and IPv6 addresses, unique, IPv4 first, in numeric order. An entry with an empty or
    invalid fqdn, or a bad address, is kept with its `problem` (see the module's docstring).
    `InvalidInput` (one line) for a body that is not an object, has no private endpoint id, or
    whose envelope has the wrong shape.
    """
    if not isinstance(body, Mapping):
        raise InvalidInput(f"private endpoint body is not a JSON object: {type(body).__name__}")
    if body.get("id") is None:
        raise InvalidInput("private endpoint body: id is missing")
    try:
        pe_id = parse_private_endpoint_id(body["id"], field="id")
    except InvalidInput as exc:
        raise InvalidInput(f"private endpoint body: {exc}") from None
    where = f"private endpoint {pe_id}"
    try:
        wire = _PrivateEndpointBody.model_validate(dict(body))
    except ValidationError as exc:
        raise InvalidInput(f"{where}: {one_line(exc)}") from None

    props = wire.properties or _Properties()
    configs = [config for index, raw in enumerate(props.custom_dns_configs or ())
               if (config := dns_config(raw, field=f"properties.customDnsConfigs[{index}]")) is not None]

    connections = tuple(_connection(c, manual=False) for c in props.connections or ()) + tuple(
        _connection(c, manual=True) for c in props.manual_connections or ()
    )
    return PrivateEndpoint(
        id=pe_id,
        location=wire.location or "",
        provisioning_state=props.provisioning_state or "",
        connections=connections,
        dns_configs=tuple(configs),
        subnet_id=(props.subnet.id if props.subnet else None) or "",
        # Only well-formed interface ids: pedns GETs them with its own token.
        network_interface_ids=tuple(n["id"] for n in props.network_interfaces or ()
                                    if isinstance(n, Mapping) and isinstance(n.get("id"), str)
                                    and _NIC_ID_RE.match(n["id"])),
        has_zone_group=has_zone_group,
        zone_group_configs=zone_group_configs,
        zone_group_zone_ids=zone_group_zone_ids,
    )
