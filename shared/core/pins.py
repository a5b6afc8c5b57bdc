"""A pin: an operator's `pedns switch --to-region` kept in the record set's own metadata. Pure.

    pednspin = <region>|<since>      the name is held in <region> while a claimant there is valid

It sits beside the stamp (`shared/core/ownership.py`), under the same etag as the IPs and the
claims, so it survives restarts and every worker reads the same one; it is never an app setting.
The pin names a region, not an endpoint: a pinned holder that goes hands the name to another
claimant in that region when there is one (the pin follows its region), and to the normal order
otherwise; the pin then stays, dormant, and is in force again as soon as a claimant in its region
claims the name (`shared/core/plan/pins.py` decides; README, "Regional switch-over").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import RecordSet

PIN_KEY = "pednspin"


def normal_region(region: str) -> str:
    """A region as claims record it: lower case, no spaces (`West US 2` → `westus2`), as
    `PEDNS_PREFER_REGIONS` is compared."""
    return region.strip().lower().replace(" ", "")


@dataclass(frozen=True, slots=True)
class Pin:
    """The region a name is pinned to, and when the switch pinned it (epoch seconds)."""

    region: str
    since: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "region", normal_region(self.region))

    def encode(self) -> str:
        return f"{self.region}|{self.since}"

    @classmethod
    def decode(cls, value: str) -> "Pin | None":
        """None for a value that is not a pin (a person's edit, a truncated write): no pin at all."""
        region, sep, since = value.partition("|")
        if not sep or not normal_region(region).isalnum():
            return None
        try:
            return cls(region, int(since))
        except ValueError:
            return None


def pin_of(record: RecordSet) -> Pin | None:
    """The pin a record set carries (keys read without case, as every pedns key)."""
    for key, value in record.metadata.items():
        if key.lower() == PIN_KEY:
            return Pin.decode(value)
    return None


def merged_pin(sets: Iterable[RecordSet]) -> Pin | None:
    """The pin of a name's record sets together. They carry the same one unless a write between them
    was interrupted: then the latest switch counts (the next write evens them)."""
    found = [p for p in (pin_of(s) for s in sets) if p is not None]
    return max(found, key=lambda p: (p.since, p.region)) if found else None
