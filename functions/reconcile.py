"""Timer: converge every endpoint in scope and every claimant in the zones."""

from __future__ import annotations

import logging
import time

import azure.functions as func

from shared.errors import ConfigError, PednsError
from shared.core.results import EndpointResult, Handling
from shared.outcomes import outcome_of
from shared.usecases.reconcile import reconcile as run_reconcile
from shared.wiring import audit_for

from . import _runtime

log = logging.getLogger("pedns.functions.reconcile")
bp = func.Blueprint()


@bp.function_name("reconcile")
@bp.timer_trigger(schedule="%PEDNS_RECONCILE_SCHEDULE%", arg_name="timer", run_on_startup=False)
def reconcile(timer: func.TimerRequest) -> None:
    settings = _runtime.settings()
    if not (settings.source_subscriptions or settings.source_management_groups):
        raise ConfigError("missing setting(s): PEDNS_SOURCE_SUBSCRIPTIONS or PEDNS_SOURCE_MANAGEMENT_GROUPS")
    if timer.past_due:
        log.warning("reconcile is running late")

    def progress(n: int, total: int, result: EndpointResult) -> None:
        if n % 1000 == 0 or n == total:
            log.info("reconcile: %d/%d endpoints", n, total)

    service = _runtime.service()
    started = time.time()
    try:
        report = run_reconcile(service, progress=progress, concurrency=settings.reconcile_concurrency,
                               budget=settings.reconcile_budget_seconds or None)
    except PednsError as exc:  # the listings failed: nothing was reconciled
        if outcome_of(exc).observers_hear_failed:  # as every door decides it (shared/outcomes.py)
            _runtime.observers().failed(exc, Handling("reconcile", started, time.time()))
        raise
    handling = Handling("reconcile", started, time.time())
    log.info("reconcile done: %s", report.summary())
    observers = _runtime.observers()
    observers.converged(report.endpoints, handling)
    observers.reconciled(report, handling)
    if settings.audit:  # PEDNS_AUDIT: the audit's findings after each reconcile, as log lines and counts
        findings = audit_for(service, settings)
        for finding in findings.findings:
            log.warning("audit: %s %s: %s", finding.code, finding.resource, finding.detail)
        log.info("audit done: %d finding(s), checked %s", len(findings.findings), findings.checked)
    if not report.ok:
        failed = [r.endpoint for r in report.endpoints if not r.ok]
        raise RuntimeError(f"reconcile: {len(failed)} endpoint(s) failed, first: {failed[0]}")

