"""Timer: converge every endpoint of the source subscriptions and every claimant in the zones."""

from __future__ import annotations

import logging

import azure.functions as func

from . import _runtime

log = logging.getLogger("pedns.functions.reconcile")
bp = func.Blueprint()


@bp.function_name("reconcile")
@bp.timer_trigger(schedule="%PEDNS_RECONCILE_SCHEDULE%", arg_name="timer", run_on_startup=False)
def reconcile(timer: func.TimerRequest) -> None:
    settings = _runtime.settings().require("PEDNS_SOURCE_SUBSCRIPTIONS")
    if timer.past_due:
        log.warning("reconcile is running late")

    def progress(n: int, total: int, result) -> None:  # type: ignore[no-untyped-def]
        if n % 50 == 0 or n == total:
            log.info("reconcile: %d/%d endpoints", n, total)

    report = _runtime.service().reconcile(settings.source_subscriptions, progress=progress)
    summary = report.to_json()
    log.info("reconcile done: %s", summary["counts"])
    if not report.ok:
        failed = [r.endpoint for r in report.endpoints if not r.ok]
        raise RuntimeError(f"reconcile: {len(failed)} endpoint(s) failed, first: {failed[0]}")
