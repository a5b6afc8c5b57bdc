"""Time compressed for the estate benchmarks: one clock, `scale` times faster than the machine's,
shared by the emulator's limits, pedns's pacer and the reconcile's budget.

An hour of Private DNS's 60 writes a minute per zone passes in six minutes at scale 10. What the
compression distorts, and the reports say: the work itself (Python, TLS, the emulator) takes its
real time, which the virtual clock sees `scale` times longer; so request-bound phases read slower
than on Azure, never faster, and the emulator's latency is divided by `scale` to stay what it says.
azure-core's own retry sleeps (a 429's Retry-After) are real seconds: `scale` times longer in
virtual time, again erring slow.
"""

from __future__ import annotations

import threading
import time


class VirtualTime:
    def __init__(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("scale must be > 0")
        self.scale = scale
        self._real0 = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> float:
        """Virtual seconds since this clock was made."""
        return (time.monotonic() - self._real0) * self.scale

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.scale)

    def real(self, virtual_seconds: float) -> float:
        return virtual_seconds / self.scale
