"""`pedns forwarders`: the conditional forwarders on-premises DNS needs so that its clients resolve
the hub's private zones: one per public zone whose names go into a hub zone (Microsoft's table,
per cloud: `blob.core.windows.net` for `privatelink.blob.core.windows.net`, `westeurope.azmk8s.io`
for `privatelink.westeurope.azmk8s.io`), pointing at the hub's DNS servers. Pure: the plan, and its
text for BIND (`named.conf` zone statements), Unbound (`forward-zone` clauses) and Windows DNS
(`Add-DnsServerConditionalForwarderZone` lines).

Forwarding a public zone sends every name in it to the hub, those of resources without a private
endpoint too. They resolve publicly there, except when public DNS already points them into a
privatelink zone (the resource has an approved endpoint elsewhere, in another estate or tenant) that
the hub zone has no record of: NXDOMAIN, unless the hub zone's link falls back
(`resolutionPolicy: NxDomainRedirect`). The plan warns about each forwarded zone whose hub zone has
a link without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .resolvers import labels, under

FORMATS = ("bind", "unbound", "windows", "json")


@dataclass(frozen=True, slots=True)
class Forwarder:
    zone: str  # the public zone, no trailing dot
    hub_zones: tuple[str, ...]  # the hub zones its names go into


@dataclass(slots=True)
class ForwarderPlan:
    cloud: str
    targets: tuple[str, ...]
    forwarders: list[Forwarder] = field(default_factory=list)
    not_derived: list[tuple[str, str]] = field(default_factory=list)  # (hub zone, public zone template)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"cloud": self.cloud, "targets": list(self.targets),
                "forwarders": [{"zone": f.zone, "hubZones": list(f.hub_zones)} for f in self.forwarders],
                "notDerived": [{"hubZone": z, "template": t} for z, t in self.not_derived],
                "warnings": self.warnings}


def _template_under(template: str, zone: str) -> bool:
    """Whether every name of a template (`{regionName}.batch.azure.com`) lies under `zone`."""
    have, want = labels(template), labels(zone)
    return len(have) > len(want) and have[len(have) - len(want):] == want


def plan(cloud: str, hub_zones: Iterable[str], targets: Sequence[str],
         public_zones_of: Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]],
         strict_links: Mapping[str, int] | None) -> ForwarderPlan:
    """The forwarders for `hub_zones`; `strict_links`: hub zone → its links without the public
    fallback (None: the links could not be read, which the plan says once)."""
    out = ForwarderPlan(cloud, tuple(targets))
    wanted: dict[str, list[str]] = {}
    templates: list[tuple[str, str]] = []
    for zone in sorted(z.lower().rstrip(".") for z in hub_zones):
        filled, open_ = public_zones_of(zone)
        for public in filled:
            wanted.setdefault(public, []).append(zone)
        templates += [(zone, t) for t in open_]
    kept = sorted((p for p in wanted if not any(o != p and under(p, o) for o in wanted)), key=lambda p: labels(p)[::-1])
    for public in kept:
        inside = sorted({z for p, zones in wanted.items() if under(p, public) for z in zones})
        out.forwarders.append(Forwarder(public, tuple(inside)))
    out.not_derived = [(z, t) for z, t in templates if not any(_template_under(t, p) for p in kept)]
    if out.not_derived:
        out.warnings += [f"{t} (for {z}): no label of the hub zone says which; add a forwarder per value you use"
                         for z, t in out.not_derived]
    if strict_links is None:
        out.warnings.append("the hub zones' links could not be read: whether names without a record fall back "
                            "to public DNS is not known")
    else:
        for forwarder in out.forwarders:
            strict = [z for z in forwarder.hub_zones if strict_links.get(z)]
            if strict:
                out.warnings.append(
                    f"{forwarder.zone}: forwards every name in it to the hub, where {', '.join(strict)} answers "
                    f"NXDOMAIN for names it has no record of (a resource with a private endpoint elsewhere, not in "
                    f"this hub); set resolutionPolicy NxDomainRedirect on the hub network's link if such names "
                    f"must resolve publicly")
    return out


def bind(p: ForwarderPlan) -> str:
    servers = "".join(f"{t}; " for t in p.targets)
    lines = [f"// pedns forwarders: conditional forwarders to the hub's DNS for the zones it serves ({p.cloud})"]
    for f in p.forwarders:
        lines += [f'zone "{f.zone}" {{', "\ttype forward;", "\tforward only;", f"\tforwarders {{ {servers}}};", "};"]
    return "\n".join(lines) + "\n"


def unbound(p: ForwarderPlan) -> str:
    lines = [f"# pedns forwarders: conditional forwarders to the hub's DNS for the zones it serves ({p.cloud})"]
    for f in p.forwarders:
        lines += ["forward-zone:", f'\tname: "{f.zone}."', *(f"\tforward-addr: {t}" for t in p.targets)]
    return "\n".join(lines) + "\n"


def windows(p: ForwarderPlan) -> str:
    servers = ",".join(p.targets)
    lines = [f"# pedns forwarders: conditional forwarders to the hub's DNS for the zones it serves ({p.cloud}).",
             "# On a domain controller, add -ReplicationScope Forest (or Domain) to store them in Active Directory."]
    lines += [f'Add-DnsServerConditionalForwarderZone -Name "{f.zone}" -MasterServers {servers}' for f in p.forwarders]
    return "\n".join(lines) + "\n"


RENDER: dict[str, Callable[[ForwarderPlan], str]] = {"bind": bind, "unbound": unbound, "windows": windows}
