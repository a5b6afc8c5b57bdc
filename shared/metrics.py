"""Counters the operator can alert on, behind a port so the core never imports a telemetry SDK.

`LogMetrics` (the default) writes each count as one log line with a fixed prefix, which
Application Insights keeps as a trace an alert rule can count (docs/deploy.md has the query).
An OpenTelemetry adapter can implement the same method.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("pedns.metrics")


class Metrics(Protocol):
    def count(self, name: str, value: int = 1, **dimensions: str) -> None:
        """Add `value` to the counter `name` with low-cardinality `dimensions`."""


class LogMetrics:
    def count(self, name: str, value: int = 1, **dimensions: str) -> None:
        dims = " ".join(f"{k}={v}" for k, v in sorted(dimensions.items()))
        log.info("metric %s %d%s", name, value, f" {dims}" if dims else "")
