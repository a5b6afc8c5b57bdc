"""POST /api/replay: converge named endpoints now (function key required)."""

from __future__ import annotations

import json
import logging
import time

import azure.functions as func

from shared.core.results import Handling, results_json
from shared.errors import PednsError
from shared.outcomes import Kind, outcome_of
from shared.parsing.replay import parse_replay_body

from . import _runtime

log = logging.getLogger("pedns.functions.replay")
bp = func.Blueprint()


def _json(body: object, status: int) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, indent=2), status_code=status, mimetype="application/json")


@bp.function_name("replay")
@bp.route(route="replay", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
def replay(req: func.HttpRequest) -> func.HttpResponse:
    started = time.time()
    try:
        settings = _runtime.settings()
        request = parse_replay_body(req.get_body(), max_ids=settings.max_replay_ids)
        results = _runtime.service().replay(request.endpoint_ids, dry_run=request.dry_run, release=request.release)
    except PednsError as exc:  # the answer's status: shared.outcomes
        outcome = outcome_of(exc)
        if outcome.http_status is None:
            raise
        if outcome.kind is Kind.MISCONFIGURED:
            log.error("configuration: %s", exc)
            return _json({"error": f"pedns is misconfigured: {exc}"}, outcome.http_status)
        return _json({"error": str(exc)}, outcome.http_status)
    _runtime.observers().converged(results, Handling("replay", started, time.time()))
    answer = results_json(results)  # the shape `pedns replay --json` prints too
    return _json(answer, 200 if answer["ok"] else 502)
