"""Private DNS's own limits, per zone and per subscription, and where a request falls under them.

ARM's per-subscription buckets (`_pipeline.ARM_BUCKETS`) are not the only limits: the Private DNS
resource provider enforces its own, much lower ones (azure-docs `includes/azure-dns-limits.md`,
ms.date 10/08/2024, "Private DNS resource record operations", "Private DNS zone operations",
"Virtual network link operations"):

- record sets, per zone: create, update and delete 60 a minute each, get 200, list 100;
- zones: create, update and delete 40 a minute each per subscription, get 200 per zone, list by
  subscription 60, list by resource group 100;
- virtual network links, per zone: create, update and delete 60 a minute each, get 100.

Microsoft documents rates, not the window: `Window` keeps each limit as "at most N in any 60
seconds", which a fixed or a sliding window on Azure's side both accept. Pure apart from the
clock the caller passes in; no SDK.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

__all__ = ["PER_MINUTE", "Window", "dns_limit"]

#: (what, operation) → requests allowed in any 60 seconds.
PER_MINUTE: dict[tuple[str, str], int] = {
    ("record", "create"): 60, ("record", "update"): 60, ("record", "delete"): 60,
    ("record", "get"): 200, ("record", "list"): 100,
    ("zone", "create"): 40, ("zone", "update"): 40, ("zone", "delete"): 40, ("zone", "get"): 200,
    ("zones", "list-subscription"): 60, ("zones", "list-group"): 100,
    ("link", "create"): 60, ("link", "update"): 60, ("link", "delete"): 60, ("link", "get"): 100,
}

_ZONES = "providers/microsoft.network/privatednszones"
_LINKS = "virtualnetworklinks"


def dns_limit(method: str, url: str, headers: Mapping[str, str]) -> tuple[tuple[str, ...], int] | None:
    """The Private DNS limit a request counts against: (the window's key, requests per minute), or
    None for a request Private DNS does not limit (anything outside `privateDnsZones`, a listing
    of a zone's links). A record set PUT with `If-None-Match: *` is a create, any other an update."""
    parts = urlsplit(url)
    segments = [unquote(s).lower() for s in parts.path.split("/") if s]
    path = "/".join(segments)
    at = path.find(_ZONES)
    if not segments or segments[0] != "subscriptions" or at < 0:
        return None
    scope = tuple(path[:at].rstrip("/").split("/"))  # subscriptions/{s}[/resourcegroups/{rg}]
    rest = [s for s in path[at + len(_ZONES):].split("/") if s]  # [zone[, type or links[, name]]]
    method = method.upper()
    subscription = (parts.netloc.lower(), *scope[:2])
    if not rest:
        listing = "list-group" if len(scope) >= 4 else "list-subscription"
        return ((*subscription, "zones", listing), PER_MINUTE["zones", listing]) if method == "GET" else None
    zone = (parts.netloc.lower(), *scope, rest[0])
    operation = _operation(method, headers)
    if len(rest) == 1:  # the zone itself: writes count per subscription, reads per zone
        key = (*zone, "zone", "get") if operation == "get" else (*subscription, "zone", operation)
        return key, PER_MINUTE["zone", operation]
    if rest[1] == _LINKS:
        if len(rest) == 2:
            return None  # a zone's links listed: no published limit
        return (*zone, "link", operation), PER_MINUTE["link", operation]
    if len(rest) == 2:  # …/{type} or …/ALL: a listing of record sets
        return ((*zone, "record", "list"), PER_MINUTE["record", "list"]) if method == "GET" else None
    return (*zone, "record", operation), PER_MINUTE["record", operation]


def _operation(method: str, headers: Mapping[str, str]) -> str:
    if method in ("GET", "HEAD"):
        return "get"
    if method == "DELETE":
        return "delete"
    if method == "PUT" and any(k.lower() == "if-none-match" and v.strip() == "*" for k, v in headers.items()):
        return "create"
    return "update"


class Window:
    """At most N requests per key in any 60 seconds: each request gets a slot, now or later.

    `slot` reserves the earliest time the request may go and returns how long to wait for it, and
    whether it was reserved: with `patience`, a longer wait reserves nothing. `block` holds a key
    back until a time (an answer's Retry-After), for every thread of this process.
    """

    SECONDS = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[tuple[str, ...], deque[float]] = {}
        self._blocked: dict[tuple[str, ...], float] = {}

    def slot(self, key: tuple[str, ...], per_minute: int, now: float, *,
             patience: float | None = None) -> tuple[float, bool]:
        with self._lock:
            slots = self._slots.setdefault(key, deque())
            while slots and slots[0] <= now - self.SECONDS:
                slots.popleft()
            at = max(now, self._blocked.get(key, now))
            if len(slots) >= per_minute:
                at = max(at, slots[-per_minute] + self.SECONDS)
            if patience is not None and at - now > patience:
                return at - now, False
            slots.append(at)
            return at - now, True

    def headroom(self, key: tuple[str, ...], per_minute: int, now: float) -> tuple[int, float]:
        """(requests that may go now without waiting, seconds until the next may go), reserving nothing."""
        with self._lock:
            live = [t for t in self._slots.get(key, ()) if t > now - self.SECONDS]
            at = max(now, self._blocked.get(key, now))
            if len(live) >= per_minute:
                at = max(at, live[-per_minute] + self.SECONDS)
            return (0 if at > now else per_minute - len(live)), at - now

    def block(self, key: tuple[str, ...], until: float) -> None:
        with self._lock:
            self._blocked[key] = max(until, self._blocked.get(key, until))
