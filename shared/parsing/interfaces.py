"""A private endpoint's network interface as ARM returns it: the names Azure gave the endpoint. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError

from shared.errors import InvalidInput

from .endpoint import WireModel, normalize_fqdn, one_line

__all__ = ["platform_fqdns"]


class _LinkProperties(WireModel):
    fqdns: list[Any] | None = None  # each name on its own: one that is not a DNS name is left out


class _NicIpConfigProperties(WireModel):
    link: _LinkProperties | None = Field(None, alias="privateLinkConnectionProperties")


class _NicIpConfig(WireModel):
    properties: _NicIpConfigProperties | None = None


class _NicProperties(WireModel):
    ip_configurations: list[_NicIpConfig] | None = Field(None, alias="ipConfigurations")


class _Nic(WireModel):
    properties: _NicProperties | None = None


def platform_fqdns(body: Mapping[str, Any]) -> frozenset[str] | None:
    """The names Azure gave a private endpoint's network interface (`ipConfigurations[].properties.
    privateLinkConnectionProperties.fqdns`, read-only in the network API), lower-cased without the
    trailing dot; None when the interface reports none (then there is nothing to check against)."""
    try:
        nic = _Nic.model_validate(dict(body)) if isinstance(body, Mapping) else None
    except ValidationError as exc:
        raise InvalidInput(f"network interface: {one_line(exc)}") from None
    names = {valid
             for config in ((nic.properties.ip_configurations if nic and nic.properties else None) or [])
             if config.properties and config.properties.link
             for name in config.properties.link.fqdns or []
             if (valid := _valid_or_none(name)) is not None}
    return frozenset(names) or None


def _valid_or_none(name: object) -> str | None:
    try:
        return normalize_fqdn(name)
    except InvalidInput:
        return None
