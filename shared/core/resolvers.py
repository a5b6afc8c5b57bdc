"""DNS Private Resolver as pedns sees it: inbound endpoints, forwarding rulesets with their rules
and network links, and the matching rules Azure applies to them. Pure values and functions.

Facts (Learn, "Azure DNS Private Resolver endpoints and rulesets"): a network linked to a ruleset
uses its rules; the rule with the longest matching domain suffix wins; a query no rule matches
goes to Azure DNS (168.63.129.16) from that network; a network has at most one ruleset; a rule
names up to 6 target servers and is `Enabled` or `Disabled`; a rule's domain ends with a dot, and
`.` (the wildcard rule) matches every name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from .model import ResourceId

#: Azure DNS as every virtual network reaches it.
AZURE_DNS = "168.63.129.16"


@dataclass(frozen=True, slots=True)
class InboundEndpoint:
    """An inbound endpoint of a DNS Private Resolver: the addresses other DNS servers forward to,
    in a subnet of the resolver's network (queries it takes are asked from that network)."""

    id: ResourceId  # …/dnsResolvers/{resolver}/inboundEndpoints/{name}
    network_id: str  # the virtual network of its subnet
    ips: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ForwardingRule:
    id: ResourceId  # …/dnsForwardingRulesets/{ruleset}/forwardingRules/{name}
    domain: str  # lower case, with its trailing dot ("." for every name)
    targets: tuple[str, ...]  # target DNS server addresses (port 53 unless the rule says otherwise)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Ruleset:
    """A DNS forwarding ruleset, its rules and the virtual networks linked to it (ids as listed)."""

    id: ResourceId
    location: str
    rules: tuple[ForwardingRule, ...]
    networks: tuple[str, ...]

    def linked_to(self, network_id: str) -> bool:
        key = network_id.lower().rstrip("/")
        return any(n.lower().rstrip("/") == key for n in self.networks)


def canonical_server(text: str) -> str:
    """A DNS server as pedns compares it: an address by its canonical form (`FD00:0::4` is
    `fd00::4`); anything else by its trimmed, lower-case text (never equal to an address)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


def domain(text: str) -> str:
    """A rule's domain as pedns compares it: lower case, one trailing dot (`Contoso.com` → `contoso.com.`)."""
    name = text.strip().lower().rstrip(".")
    return name + "." if name else "."


def labels(name: str) -> tuple[str, ...]:
    """The labels of a DNS name, lower case, without the root (`.` has none)."""
    return tuple(label for label in name.strip().lower().rstrip(".").split(".") if label)


def under(name: str, suffix: str) -> bool:
    """Whether `name` is `suffix` or below it, label by label (`myblob.core.windows.net` is not
    under `blob.core.windows.net`); every name is under `.`."""
    have, want = labels(name), labels(suffix)
    return len(have) >= len(want) and have[len(have) - len(want):] == want


def matching_rule(rules: Iterable[ForwardingRule], name: str) -> ForwardingRule | None:
    """The enabled rule Azure applies to `name`: the longest domain the name is under; none: the
    query goes to Azure DNS. Two rules for one domain cannot exist in a ruleset (the first wins)."""
    best: ForwardingRule | None = None
    for rule in rules:
        if rule.enabled and under(name, rule.domain) and (best is None or len(labels(rule.domain)) > len(labels(best.domain))):
            best = rule
    return best


def ruleset_of(rulesets: Iterable[Ruleset], network_id: str) -> Ruleset | None:
    """The ruleset linked to a network (Azure allows one)."""
    return next((r for r in rulesets if r.linked_to(network_id)), None)


def endpoints_at(inbound: Iterable[InboundEndpoint], servers: Iterable[str]) -> list[InboundEndpoint]:
    """The inbound endpoints holding any of the addresses, each once."""
    wanted = {canonical_server(s) for s in servers}
    return [e for e in inbound if wanted.intersection(canonical_server(ip) for ip in e.ips)]
