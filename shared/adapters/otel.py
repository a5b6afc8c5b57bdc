"""pedns's metrics as OpenTelemetry instruments, exported to Application Insights by the Azure
Monitor OpenTelemetry distro (azure-monitor-opentelemetry).

Imported only when `APPLICATIONINSIGHTS_CONNECTION_STRING` is set (`wiring.metrics_for`): without
it nothing of OpenTelemetry or the distro is loaded (the CLI, the tests, a local `func start`).

In the function app the Python worker configures the distro itself when the app setting
`PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY` is `true` (with host.json `"telemetryMode":
"OpenTelemetry"`: Learn, "Use OpenTelemetry with Azure Functions"); `azure_monitor_metrics` then
only takes the meter from the global provider it set. Anywhere else (the CLI with a connection
string, a worker without that setting) it calls `configure_azure_monitor()` once, as the same page
shows for function_app.py. The exporter authenticates as `APPLICATIONINSIGHTS_AUTHENTICATION_STRING`
says (`ClientId=…;Authorization=AAD`: the app's managed identity), so no key is involved.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from opentelemetry import metrics as otel_metrics

from ..core.instruments import INSTRUMENTS

log = logging.getLogger("pedns.metrics")

METER_NAME = "pedns"
_configure_lock = threading.Lock()


class OtelMetrics:
    """`Metrics` on an OpenTelemetry meter: one counter or histogram per name, created on first use
    with the unit and description of `shared.observers.telemetry.INSTRUMENTS`; dimensions the table does not
    list for that name are dropped (their cardinality is nobody's to decide here)."""

    def __init__(self, meter: Any | None = None) -> None:
        self._meter = meter if meter is not None else otel_metrics.get_meter(METER_NAME)
        self._instruments: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._unknown: set[str] = set()

    def count(self, name: str, value: int = 1, **dimensions: str) -> None:
        self._instrument(name, "counter").add(value, attributes=self._attributes(name, dimensions))

    def observe(self, name: str, value: float, **dimensions: str) -> None:
        self._instrument(name, "histogram").record(value, attributes=self._attributes(name, dimensions))

    def _instrument(self, name: str, kind: str) -> Any:
        instrument = self._instruments.get(name)
        if instrument is not None:
            return instrument
        with self._lock:
            if name not in self._instruments:
                spec = INSTRUMENTS.get(name)
                if spec is None or spec.kind != kind:
                    self._warn(name, f"is not a {kind} of shared.observers.telemetry.INSTRUMENTS")
                unit, description = (spec.unit, spec.description) if spec else ("", "")
                create = self._meter.create_counter if kind == "counter" else self._meter.create_histogram
                self._instruments[name] = create(name, unit=unit, description=description)
            return self._instruments[name]

    def _attributes(self, name: str, dimensions: dict[str, str]) -> dict[str, str]:
        spec = INSTRUMENTS.get(name)
        if spec is None:
            return {k: str(v) for k, v in dimensions.items()}
        dropped = set(dimensions) - set(spec.dimensions)
        if dropped:
            self._warn(f"{name}:{','.join(sorted(dropped))}", f"dimension(s) {sorted(dropped)} of {name} dropped")
        return {k: str(v) for k, v in dimensions.items() if k in spec.dimensions}

    def _warn(self, key: str, message: str) -> None:
        if key not in self._unknown:
            self._unknown.add(key)
            log.warning("metric %s %s", key.split(":", 1)[0], message)


def azure_monitor_metrics() -> OtelMetrics:
    """The metrics of this process, exported by the Azure Monitor distro (configured here unless the
    Functions worker did it). Needs APPLICATIONINSIGHTS_CONNECTION_STRING (the caller checks)."""
    # The SDK and the distro are optional: imported only when Application Insights is configured.
    from opentelemetry.sdk.metrics import MeterProvider

    with _configure_lock:
        if not isinstance(otel_metrics.get_meter_provider(), MeterProvider):
            from azure.monitor.opentelemetry import configure_azure_monitor  # optional, as above

            configure_azure_monitor()
            log.info("Azure Monitor OpenTelemetry configured (metrics, traces, logs)")
    return OtelMetrics()
