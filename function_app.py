"""Composition root of the Function App (Python v2 programming model).

Telemetry: with the app setting PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY=true (the hub Bicep sets
it, with host.json "telemetryMode": "OpenTelemetry"), the Python worker configures the Azure Monitor
OpenTelemetry distro before it loads this file, and pedns's metrics use that meter provider
(`shared.wiring.metrics_for`, at the first invocation). The worker then exports Python's log records
itself, so host.json's logLevel no longer filters them: the Azure SDK's per-request lines are kept
to warnings here, as host.json kept them.
"""

import logging

import azure.functions as func

from functions.events import bp as events_bp
from functions.reconcile import bp as reconcile_bp
from functions.replay import bp as replay_bp

for _name in ("azure", "urllib3"):
    logging.getLogger(_name).setLevel(logging.WARNING)

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(events_bp)
app.register_functions(replay_bp)
app.register_functions(reconcile_bp)
