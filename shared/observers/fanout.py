"""What happened, told to whoever listens: metrics (shared/observers/telemetry.py) and the app teams'
notifications (shared/observers/notify.py).

Each door (the Event Grid trigger, the replay endpoint, the reconcile timer, the CLI) hands its
results to `Observers` after the DNS work is done. An observer's failure is logged and counted,
never raised: telling people about a change must not fail or undo the change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..core.ports import Observer
from ..core.results import EndpointResult, Handling, ReconcileReport, SwitchReport

log = logging.getLogger("pedns.observe")

class Observers:
    """Fans out to every observer; one that fails never stops the others nor the caller."""

    def __init__(self, observers: Sequence[Observer] = ()) -> None:
        self.observers = tuple(observers)

    def converged(self, results: Sequence["EndpointResult"], handling: Handling) -> None:
        for observer in self.observers:
            try:
                observer.converged(results, handling)
            except Exception:  # noqa: BLE001 - by design: an observer never fails the DNS work
                log.exception("observer %s failed (the DNS work is done and stands)", type(observer).__name__)

    def reconciled(self, report: "ReconcileReport", handling: Handling) -> None:
        for observer in self.observers:
            try:
                observer.reconciled(report, handling)
            except Exception:  # noqa: BLE001
                log.exception("observer %s failed (the reconcile is done and stands)", type(observer).__name__)

    def failed(self, error: BaseException, handling: Handling) -> None:
        """A handling raised (it is retried, or the run failed): told to the observers that define `failed`."""
        for observer in self.observers:
            hook = getattr(observer, "failed", None)
            if hook is None:
                continue
            try:
                hook(error, handling)
            except Exception:  # noqa: BLE001
                log.exception("observer %s failed while told of a failure", type(observer).__name__)

    def switched(self, report: "SwitchReport", handling: Handling) -> None:
        """A `pedns switch` finished (its endpoints were also passed to `converged`): told to the
        observers that define `switched` (the metrics)."""
        for observer in self.observers:
            hook = getattr(observer, "switched", None)
            if hook is None:
                continue
            try:
                hook(report, handling)
            except Exception:  # noqa: BLE001
                log.exception("observer %s failed (the switch is done and stands)", type(observer).__name__)
