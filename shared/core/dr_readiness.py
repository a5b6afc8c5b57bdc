"""DR readiness: which of a deployment's names have no claimant in a region it may switch to
(`PEDNS_DR_REGIONS`), the gaps `pedns switch --to-region` would leave, known before the incident.
Pure: the hub's record sets in, one gap per name and region out, and the audit's
`no-standby-in-region` finding for each (called by `shared/core/findings.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import ownership
from .finding import Finding
from .model import RecordKey, RecordSet
from .pins import normal_region


@dataclass(frozen=True, slots=True)
class RegionGap:
    """A name with no claimant in `region`; `claimants`: (endpoint id, region) of those it has."""

    key: RecordKey
    region: str
    claimants: tuple[tuple[str, str], ...]
    record_type: str = "A"

    @property
    def detail(self) -> str:
        where = ", ".join(f"{e} in {r or 'an unknown region'}" for e, r in self.claimants)
        return f"{self.key.fqdn} has no claimant in {self.region}: a switch to {self.region} leaves it where it is ({where})"

    def to_json(self) -> dict[str, Any]:
        return {"region": self.region, "zone": self.key.zone, "name": self.key.name,
                "claimants": [{"endpoint": e, "region": r} for e, r in self.claimants]}


def region_gaps(records: Iterable[RecordSet], regions: Iterable[str], owner_id: str) -> list[RegionGap]:
    """Each name `owner_id` owns, for each region of `regions` none of its claimants is in."""
    wanted = sorted({normal_region(r) for r in regions if r.strip()})
    by_name: dict[RecordKey, list[RecordSet]] = {}
    for record in records:
        if ownership.ownership(record, owner_id) == "ours":
            by_name.setdefault(record.key, []).append(record)
    gaps = []
    for key in sorted(by_name, key=lambda k: (k.zone, k.name)):
        claims = {e: c for s in by_name[key] for e, c in ownership.claims(s).items()}
        if not claims:
            continue
        where = {normal_region(c.location) for c in claims.values()}
        listed = tuple(sorted((str(e), c.location) for e, c in claims.items()))
        gaps += [RegionGap(key, region, listed, by_name[key][0].type) for region in wanted if region not in where]
    return gaps


def no_standby_in_region(records: Iterable[RecordSet], regions: Iterable[str], owner_id: str,
                         hub_zone_id: Callable[[str], str]) -> list[Finding]:
    """no-standby-in-region: a name of `owner_id`'s with no claimant in a DR region (`PEDNS_DR_REGIONS`;
    none: the check does not run)."""
    return [Finding("no-standby-in-region", f"{hub_zone_id(g.key.zone)}/{g.record_type}/{g.key.name}", g.detail,
                    g.to_json()) for g in region_gaps(records, regions, owner_id)]
