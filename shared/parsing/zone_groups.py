"""A private endpoint's DNS zone groups as ARM lists them (`GET {peId}/privateDnsZoneGroups`). Pure.

An endpoint with a zone group may report no `customDnsConfigs` at all; the names and addresses Azure
wrote for it are in the groups' `recordSets`, each checked on its own like a `customDnsConfigs` entry
(`endpoint.dns_config`): a bad one is kept with its problem, never fails the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError

from shared.core.model import RECORD_TYPES, DnsConfig, sort_ips
from shared.errors import InvalidInput

from .endpoint import WireModel, dns_config, one_line, show

__all__ = ["parse_zone_group_list", "parse_zone_groups", "zone_group_dns_configs", "zone_group_zone_ids"]


class _ZoneConfigProperties(WireModel):
    zone_id: str | None = Field(None, alias="privateDnsZoneId")
    record_sets: list[Any] | None = Field(None, alias="recordSets")  # each record set on its own


class _ZoneConfig(WireModel):
    properties: _ZoneConfigProperties | None = None


class _ZoneGroupProperties(WireModel):
    configs: list[_ZoneConfig] | None = Field(None, alias="privateDnsZoneConfigs")


class _ZoneGroup(WireModel):
    properties: _ZoneGroupProperties | None = None


class _ZoneGroupList(WireModel):
    value: list[_ZoneGroup]


def parse_zone_groups(body: Mapping[str, Any]) -> tuple[bool, tuple[DnsConfig, ...]]:
    """`GET {peId}/privateDnsZoneGroups` → (has any zone group, the A records Azure wrote for them).

    An endpoint with a zone group may report no `customDnsConfigs` at all; its names (already under
    the privatelink zone, e.g. `acct.privatelink.blob.core.windows.net`) and IPs are in the groups'
    `recordSets`. pedns uses them only when told to manage zone-group endpoints.
    """
    groups = _zone_groups(body)
    return groups is not None, _record_sets(groups or [])


def zone_group_zone_ids(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The private DNS zone ids the endpoint's zone groups write into (the audit's question)."""
    return tuple(config.properties.zone_id
                 for group in _zone_groups(body) or []
                 for config in ((group.properties.configs if group.properties else None) or [])
                 if config.properties and config.properties.zone_id)


def parse_zone_group_list(body: Mapping[str, Any]) -> bool:
    """Whether the endpoint has any DNS zone group (then Azure manages its A records and pedns keeps out)."""
    return parse_zone_groups(body)[0]


def zone_group_dns_configs(body: Mapping[str, Any]) -> tuple[DnsConfig, ...]:
    """The A records Azure wrote for the endpoint's zone groups, as `DnsConfig`s."""
    return parse_zone_groups(body)[1]


def _record_sets(groups: list[_ZoneGroup]) -> tuple[DnsConfig, ...]:
    """The zone groups' A and AAAA record sets, merged per name; a bad one kept with its problem."""
    configs: dict[str, set[str]] = {}
    refused: list[DnsConfig] = []
    for g, group in enumerate(groups):
        for c, config in enumerate((group.properties.configs if group.properties else None) or ()):
            for r, record in enumerate((config.properties.record_sets if config.properties else None) or ()):
                field = f"zone group list: value[{g}].properties.privateDnsZoneConfigs[{c}].properties.recordSets[{r}]"
                rtype = record.get("recordType") if isinstance(record, Mapping) else None
                if isinstance(rtype, str) and rtype.upper() not in RECORD_TYPES:
                    continue  # a CNAME or another type Azure wrote: not pedns's to mirror
                found = dns_config(record, field=field)
                if found is not None and rtype is not None and not isinstance(rtype, str):
                    found = DnsConfig(found.fqdn, (), f"{field}.recordType is not a string: {show(rtype)}")
                if found is None:
                    continue
                if found.problem:
                    refused.append(found)
                else:
                    configs.setdefault(found.fqdn, set()).update(found.ips)
    return tuple(DnsConfig(fqdn, sort_ips(ips)) for fqdn, ips in configs.items()) + tuple(refused)


def _zone_groups(body: Mapping[str, Any]) -> list[_ZoneGroup] | None:
    if not isinstance(body, Mapping):
        raise InvalidInput(f"zone group list is not a JSON object: {type(body).__name__}")
    try:
        wire = _ZoneGroupList.model_validate(dict(body))
    except ValidationError as exc:
        raise InvalidInput(f"zone group list: {one_line(exc)}") from None
    return wire.value or None
