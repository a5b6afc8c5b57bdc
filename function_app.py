"""Composition root of the Function App (Python v2 programming model)."""

import azure.functions as func

from functions.events import bp as events_bp
from functions.reconcile import bp as reconcile_bp
from functions.replay import bp as replay_bp

app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
app.register_functions(events_bp)
app.register_functions(replay_bp)
app.register_functions(reconcile_bp)
