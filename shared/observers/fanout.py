"""What happened, told to whoever listens: metrics (shared/observers/telemetry.py) and the app teams'
notifications (shared/observers/notify.py).

Each door (the Event Grid trigger, the replay endpoint, the reconcile timer, the CLI) hands its
results to `Observers` after the DNS work is done. An observer's failure is logged and counted,
never raised: telling people about a change must not fail or undo the change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from ..usecases.reconcile import ReconcileReport
    from ..service import EndpointResult

log = logging.getLogger("pedns.observe")

Door = Literal["event", "replay", "reconcile", "cli"]


@dataclass(frozen=True, slots=True)
class Handling:
    """How the results came about: which door, when it started and ended (clock seconds), and for
    an event its id and Event Grid's `eventTime` (the event's age at handling is end − eventTime)."""

    door: Door
    started: float
    finished: float
    event_id: str = ""
    event_time: datetime | None = None

    @property
    def duration(self) -> float:
        return max(0.0, self.finished - self.started)


class Observer(Protocol):
    def converged(self, results: Sequence["EndpointResult"], handling: Handling) -> None:
        """Endpoints a door converged (dry runs included: `result.dry_run` says so)."""

    def reconciled(self, report: "ReconcileReport", handling: Handling) -> None:
        """A whole reconcile finished (its endpoints were also passed to `converged`)."""

    # Optional, called only on observers that define it (the metrics observer does):
    # def failed(self, error: BaseException, handling: Handling) -> None:
    #     """The door's handling raised: Event Grid will deliver again, or the reconcile run failed."""


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
