"""Counters and histograms the operator charts and alerts on, behind a port so the core never
imports a telemetry SDK.

Two implementations: `shared.adapters.otel.OtelMetrics` (OpenTelemetry instruments, exported to
Application Insights by the Azure Monitor distro when `APPLICATIONINSIGHTS_CONNECTION_STRING` is
set: `wiring.metrics_for`), and `LogMetrics`, the fallback without a connection string (the CLI,
tests, a local `func start`): each count is one log line with a fixed prefix, each histogram value
a debug line. Which names exist, with which dimensions, is `shared.observers.telemetry.INSTRUMENTS`.
"""

from __future__ import annotations

import logging

log = logging.getLogger("pedns.metrics")


def _dims(dimensions: dict[str, str]) -> str:
    return "".join(f" {k}={v}" for k, v in sorted(dimensions.items()))


class LogMetrics:
    def count(self, name: str, value: int = 1, **dimensions: str) -> None:
        log.info("metric %s %d%s", name, value, _dims(dimensions))

    def observe(self, name: str, value: float, **dimensions: str) -> None:
        log.debug("metric %s %.3f%s", name, value, _dims(dimensions))
