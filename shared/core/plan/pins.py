"""Who holds a pinned name: the pin (`shared/core/pins.py`) narrows the holder's choice to the
claimants in its region while there are any; without one, the choice is `holders.choose_holder`'s.

- A pin in force (a claimant in its region): the holder keeps the name if it is in that region;
  otherwise the first claimant there in rank order (preferred, oldest claim, endpoint id) takes it.
  It outranks `PEDNS_PREFER_REGIONS`: an operator's switch is the later, more specific decision.
- A dormant pin (no claimant in its region: the pinned holder was deleted, or lost the name's IPs):
  the normal order decides, so the name is always served; the pin stays, and is in force again as
  soon as a claimant in its region claims the name.
- A clear (`Repin(None)`): the pin goes and the name is ranked afresh (`choose_holder` with no
  holder to keep): preferred regions first, then the oldest claim. That is what moves names back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import ResourceId
from ..ownership import Claim
from ..pins import Pin, normal_region
from .holders import choose_holder
from .policy import Policy


@dataclass(frozen=True, slots=True)
class Repin:
    """An operator's change of a name's pin: `pin` set (`pedns switch --to-region`), or None (`--clear`)."""

    pin: Pin | None


def in_region(claims: Mapping[ResourceId, Claim], region: str) -> dict[ResourceId, Claim]:
    """The claims whose endpoint lives in `region` (as the claim recorded its location)."""
    wanted = normal_region(region)
    return {e: c for e, c in claims.items() if normal_region(c.location) == wanted}


def in_force(pin: Pin | None, claims: Mapping[ResourceId, Claim]) -> bool:
    """A pin holds the name while a claimant in its region claims it."""
    return pin is not None and bool(in_region(claims, pin.region))


def pinned_holder(old: ResourceId | None, claims: Mapping[ResourceId, Claim], policy: Policy, pin: Pin | None, *,
                  rerank: bool = False) -> ResourceId:
    """Who holds the name among `claims` (not empty) under `pin`; `rerank`: a clear, the holder is
    not kept for being the holder."""
    if pin is not None:
        here = in_region(claims, pin.region)
        if here:
            return choose_holder(old if old in here else None, here, policy)
    return choose_holder(None if rerank else old, claims, policy)


def pin_after(current: Pin | None, repin: Repin | None) -> Pin | None:
    """The name's pin after this decision: the operator's change, or the one it carries. A switch to
    the region the name is already pinned to keeps that pin as it is (so it writes nothing)."""
    if repin is None or (repin.pin is not None and current is not None and current.region == repin.pin.region):
        return current
    return repin.pin
