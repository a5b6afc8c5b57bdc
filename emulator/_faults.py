"""Fault injection, ARM-style throttling, Private DNS's own request limits and Resource Graph's
per-caller quota.

All are decided per request, under a lock, from a seeded RNG and an injectable clock, so a run with
the same seed and the same request sequence sees the same faults.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Kind = Literal["read", "write", "delete"]
Fault = Literal["500", "503", "drop_before", "drop_after"]

#: What a drawn fault does: answer 500, answer 503, close the connection before applying the
#: request, or apply it and then close the connection (the client never hears of its success).
FAULT_KINDS: tuple[Fault, ...] = ("500", "503", "drop_before", "drop_after")

#: ARM's response headers that tell how many requests of a kind remain.
REMAINING_HEADERS: dict[Kind, str] = {
    "read": "x-ms-ratelimit-remaining-subscription-reads",
    "write": "x-ms-ratelimit-remaining-subscription-writes",
    "delete": "x-ms-ratelimit-remaining-subscription-deletes",
}


@dataclass
class Faults:
    """What the emulator does wrong on purpose. The default does nothing wrong."""

    latency_ms: int = 0
    fault_rate: float = 0.0
    throttle: bool = False
    read_bucket: int = 250
    read_refill: float = 25.0
    write_bucket: int = 200
    write_refill: float = 10.0
    delete_bucket: int = 200
    delete_refill: float = 10.0
    seed: int | None = None
    #: Resource Graph answers as the endpoints were this long ago: it is eventually consistent,
    #: "typically by seconds" (Learn, "Choose the right query strategy for Azure Resource Graph").
    #: 0 makes it immediately consistent, which Azure never promises; a test that needs it says so.
    graph_lag_ms: int = 2000
    #: Resource Graph queries per caller (bearer token) per window; 429 past it when `throttle` is on.
    graph_quota: int = 15
    graph_window_seconds: float = 5.0
    #: Resource Graph's 429 also carries `Retry-After`. Azure documents only the quota headers
    #: (`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`), so by default it does not.
    graph_retry_after: bool = False
    #: Zone, link and private endpoint writes report their long-running operation `InProgress`
    #: this long (0: their first status poll already shows the outcome).
    operation_delay_ms: int = 0
    #: A private endpoint PUT reads `Updating` (no customDnsConfigs, connections filled in by the
    #: platform) this long before it reads as given (0: off, the body reads back as given at once).
    provisioning_delay_ms: int = 0
    #: Every Event Grid publish (after its auth and content-type checks) answers this HTTP status
    #: (0: off), so a test can show that a failing notification topic never fails the DNS work.
    topic_error_status: int = 0
    #: Every Event Grid publish (after its auth and content-type checks) is answered this late (0: at
    #: once): a topic that hangs, for the publisher's read timeout.
    topic_delay_ms: int = 0

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        for kind in ("read", "write", "delete"):
            if getattr(self, f"{kind}_bucket") < 1:
                raise ValueError(f"{kind}_bucket must be >= 1")
            if getattr(self, f"{kind}_refill") <= 0:
                raise ValueError(f"{kind}_refill must be > 0")
        if self.graph_lag_ms < 0:
            raise ValueError("graph_lag_ms must be >= 0")
        if self.graph_quota < 1:
            raise ValueError("graph_quota must be >= 1")
        if not self.graph_window_seconds > 0:
            raise ValueError("graph_window_seconds must be > 0")
        if self.operation_delay_ms < 0:
            raise ValueError("operation_delay_ms must be >= 0")
        if self.provisioning_delay_ms < 0:
            raise ValueError("provisioning_delay_ms must be >= 0")
        if self.topic_error_status and not 400 <= self.topic_error_status <= 599:
            raise ValueError("topic_error_status must be 0 (off) or an HTTP error status (400-599)")
        if self.topic_delay_ms < 0:
            raise ValueError("topic_delay_ms must be >= 0")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        """Build from a JSON object; unknown fields are an error (a typo must not pass silently)."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kind_of(method: str) -> Kind:
    if method == "DELETE":
        return "delete"
    if method in ("PUT", "PATCH", "POST"):
        return "write"
    return "read"


class _Bucket:
    def __init__(self, size: int, refill: float, now: float) -> None:
        self.size = size
        self.refill = refill
        self.tokens = float(size)
        self.stamp = now

    def take(self, now: float) -> tuple[bool, float]:
        """Take one token. Returns (granted, seconds until one is available when refused)."""
        self.tokens = min(self.size, self.tokens + (now - self.stamp) * self.refill)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True, 0.0
        return False, (1.0 - self.tokens) / self.refill


class _Window:
    """A fixed quota window, as Resource Graph's: it starts with the first query after the last one ended."""

    def __init__(self, now: float) -> None:
        self.start = now
        self.used = 0


class Injector:
    """Decides, per request, latency, throttling and faults according to the current `Faults`."""

    def __init__(self, faults: Faults | None = None, *, clock=time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.set(faults or Faults())

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)
            self._buckets: dict[tuple[str, Kind], _Bucket] = {}
            self._limits: dict[tuple[str, ...], _Bucket] = {}
            self._windows: dict[str, _Window] = {}

    def take(self, subscription: str, kind: Kind) -> tuple[bool, int, int]:
        """Take a token for the subscription and kind.

        Returns (granted, tokens remaining, Retry-After seconds). Tokens are counted even when
        throttling is off, so the remaining-requests headers are always present, as on ARM.
        """
        with self._lock:
            f = self._faults
            key = (subscription.lower(), kind)
            bucket = self._buckets.get(key)
            now = self._clock()
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(getattr(f, f"{kind}_bucket"), getattr(f, f"{kind}_refill"), now)
            granted, wait = bucket.take(now)
            if not f.throttle and not granted:
                bucket.tokens = 0.0
                granted = True
            return granted, int(bucket.tokens), max(1, math.ceil(wait))

    def take_limit(self, key: tuple[str, ...], per_minute: int) -> tuple[bool, int]:
        """Take a token from a resource provider's own bucket (`key`: the scope and operation),
        `per_minute` deep and refilled at `per_minute` / 60 a second. Returns (granted, Retry-After
        seconds). Called only with `throttle` on: without it nothing is counted."""
        with self._lock:
            now = self._clock()
            bucket = self._limits.get(key)
            if bucket is None:
                bucket = self._limits[key] = _Bucket(per_minute, per_minute / 60.0, now)
            granted, wait = bucket.take(now)
            return granted, max(1, math.ceil(wait - 1e-9))  # whole seconds, not one more for float fuzz

    def take_graph(self, caller: str) -> tuple[bool, int, float]:
        """Count one Resource Graph query for the caller (the bearer token).

        Returns (granted, queries remaining in the window, seconds until the window resets). As
        with the ARM buckets, queries are counted even when throttling is off, so the quota headers
        are always present; only `throttle` turns an exhausted quota into a refusal. A refused
        query does not count.
        """
        with self._lock:
            f = self._faults
            now = self._clock()
            window = self._windows.get(caller)
            if window is None or now - window.start >= f.graph_window_seconds:
                window = self._windows[caller] = _Window(now)
            # The window's length minus the time spent in it: `start + window - now` can round
            # above the window (123.002 + 5.0 - 123.002 == 5.000000000000014, a 6 s header).
            resets_after = max(0.0, f.graph_window_seconds - (now - window.start))
            if window.used >= f.graph_quota and f.throttle:
                return False, 0, resets_after
            window.used += 1
            return True, max(0, f.graph_quota - window.used), resets_after

    def draw(self) -> Fault | None:
        """Draw whether this request fails, and how."""
        with self._lock:
            rate = self._faults.fault_rate
            if rate <= 0.0:
                return None
            if self._rng.random() >= rate:
                return None
            return self._rng.choice(FAULT_KINDS)

    def latency(self) -> float:
        return self._faults.latency_ms / 1000.0

    def graph_retry_after(self) -> bool:
        return self._faults.graph_retry_after

    def graph_lag(self) -> float:
        return self._faults.graph_lag_ms / 1000.0

    def operation_delay(self) -> float:
        return self._faults.operation_delay_ms / 1000.0

    def provisioning_delay(self) -> float:
        return self._faults.provisioning_delay_ms / 1000.0

    def topic_error_status(self) -> int:
        return self._faults.topic_error_status

    def topic_delay(self) -> float:
        return self._faults.topic_delay_ms / 1000.0
