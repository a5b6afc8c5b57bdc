"""One audit finding: a stable code, the resource, one line of explanation and what to do. Every
code with its remedy (the README's table is tested against `REMEDIES`) and the order findings are
sorted in (`CHECKS`). The checks themselves are in `findings.py` and `resolver_findings.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Every finding code, with what to do about it (the README's table is tested against this).
REMEDIES: dict[str, str] = {
    "shadow-zone": "delete the zone (or its links) so the linked networks resolve through the hub; move any "
                   "records it holds into the hub zone first",
    "zone-not-linked": "link the hub zone to the network",
    "vnet-dns-bypass": "point the network's DNS servers at the hub resolvers or forwarders, or back to "
                       "Azure-provided DNS if it is linked to the hub zones",
    "zone-group-elsewhere": "remove the zone group (pedns publishes its names in the hub), or point it at the hub zone",
    "stale-record": "check that nothing uses the name, then delete it (the audit never does)",
    "missing-zone": "create the zone in the hub resource group and link it, or set `PEDNS_CREATE_ZONES`",
    "ruleset-diverts-zone": "point the rule at the hub's DNS servers, narrow it to the names that really live "
                            "elsewhere, or disable it",
    "resolver-zone-not-linked": "link the hub zone to the resolver's virtual network",
    "ruleset-loop": "unlink the ruleset from the inbound endpoint's own virtual network (that network asks Azure "
                    "DNS directly), or remove the rule",
    "no-public-fallback": "if those names should resolve publicly, set the link's `resolutionPolicy` to "
                          "`NxDomainRedirect`; leave it if NXDOMAIN is what you want for names without a record",
    "no-standby-in-region": "create a private endpoint for the resource in that region (pedns adds it as a standby), "
                            "or accept that a switch to that region leaves the name where it is",
}

CHECKS = ("shadow-zone", "zone-not-linked", "vnet-dns-bypass", "zone-group-elsewhere", "stale-record", "missing-zone",
          "ruleset-diverts-zone", "resolver-zone-not-linked", "ruleset-loop", "no-public-fallback", "no-standby-in-region")


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    resource: str
    detail: str
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def remedy(self) -> str:
        return REMEDIES[self.code]

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "resource": self.resource, "detail": self.detail, "remedy": self.remedy,
                **self.extra}
