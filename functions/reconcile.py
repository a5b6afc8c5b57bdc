"""Timer and continuation: converge every endpoint in scope and every claimant in the zones.

The timer starts a run every `PEDNS_RECONCILE_SCHEDULE`; a run its time budget ends early asks for
its continuation with a message on the `pedns-reconcile` queue, which starts the next run at once
(`shared/usecases/runs.py`: one run at a time, whatever the number of instances).
"""

from __future__ import annotations

import logging
import time

import azure.functions as func

from shared.errors import ConfigError, InvalidInput, PednsError
from shared.core.results import EndpointResult, Handling, ReconcileReport
from shared.outcomes import outcome_of
from shared.parsing.continuation import parse_continuation
from shared.usecases.reconcile import reconcile as run_reconcile
from shared.usecases.runs import in_turn
from shared.wiring import audit_for

from . import _runtime

log = logging.getLogger("pedns.functions.reconcile")
bp = func.Blueprint()

#: The continuation queue, in the storage account of AzureWebJobsStorage (infra/modules/storage.bicep).
QUEUE = "pedns-reconcile"


@bp.function_name("reconcile")
@bp.timer_trigger(schedule="%PEDNS_RECONCILE_SCHEDULE%", arg_name="timer", run_on_startup=False)
@bp.queue_output(arg_name="continuation", queue_name=QUEUE, connection="AzureWebJobsStorage")
def reconcile(timer: func.TimerRequest, continuation: func.Out[str]) -> None:
    if timer.past_due:
        log.warning("reconcile is running late")
    report = _turn(0, continuation)
    if report is not None and report.complete and not report.ok:  # incomplete: the continuation retries them
        failed = [r.endpoint for r in report.endpoints if not r.ok]
        raise RuntimeError(f"reconcile: {len(failed)} endpoint(s) failed, first: {failed[0]}")


@bp.function_name("reconcile_continue")
@bp.queue_trigger(arg_name="message", queue_name=QUEUE, connection="AzureWebJobsStorage")
@bp.queue_output(arg_name="continuation", queue_name=QUEUE, connection="AzureWebJobsStorage")
def reconcile_continue(message: func.QueueMessage, continuation: func.Out[str]) -> None:
    """Never raises for failed endpoints: the queue would run the whole continuation again at once
    (up to maxDequeueCount times); they are in the log, the metrics and the next run."""
    try:
        generation = parse_continuation(message.get_body())
    except InvalidInput as exc:
        log.error("rejected: %s", exc)  # acknowledged: a message pedns cannot read changes nothing
        return
    report = _turn(generation, continuation)
    if report is not None and not report.ok:
        failed = [r.endpoint for r in report.endpoints if not r.ok]
        log.error("reconcile: %d endpoint(s) failed, first: %s", len(failed), failed[0])


def _turn(generation: int, continuation: func.Out[str]) -> ReconcileReport | None:
    """One run if no other holds the lease; its continuation asked for through the queue."""
    settings = _runtime.settings()
    if not (settings.source_subscriptions or settings.source_management_groups):
        raise ConfigError("missing setting(s): PEDNS_SOURCE_SUBSCRIPTIONS or PEDNS_SOURCE_MANAGEMENT_GROUPS")
    outcome = in_turn(_runtime.lease(), _run, generation=generation)
    message = outcome.message()
    if message is not None:
        continuation.set(message)  # written by the host once the invocation returns, after the lease is given back
    return outcome.report


def _run() -> ReconcileReport:
    settings = _runtime.settings()

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
    return report
