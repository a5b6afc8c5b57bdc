"""The service the functions share: built once per worker on first use, from app settings.

Built lazily so a configuration error is reported (every problem at once) by the invocation
that hits it instead of failing the indexing of every function. The observers (metrics, the app
teams' notifications) are built once too, beside the service and on its `Metrics`.
"""

from __future__ import annotations

import logging
import threading

from shared.core.ports import RunLease
from shared.observers.fanout import Observers
from shared.service import Service
from shared.settings import Settings
from shared.wiring import build_service, lease_for, observers_or_nobody

log = logging.getLogger("pedns.functions")
_lock = threading.Lock()
#: What the function app cannot run without (the reconcile timer also needs PEDNS_SOURCE_SUBSCRIPTIONS).
REQUIRED = ("PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP")
_service: Service | None = None
_settings: Settings | None = None
_observers: Observers | None = None
_lease: RunLease | None = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings.from_env(require=REQUIRED)
    return _settings


def service() -> Service:
    global _service
    with _lock:
        if _service is None:
            _service = build_service(settings())
        return _service


def observers() -> Observers:
    """Who hears of each door's results. Asked after the DNS work, so it never fails it: if they
    cannot be built, that is logged and nobody is told (the next worker tries again)."""
    global _observers
    metrics = service().metrics
    with _lock:
        if _observers is None:
            _observers = observers_or_nobody(settings, metrics, log=log)
        return _observers


def lease() -> RunLease:
    """The reconcile's lease (one run at a time across instances: shared/usecases/runs.py)."""
    global _lease
    with _lock:
        if _lease is None:
            _lease = lease_for(settings())
        return _lease


def reset() -> None:
    """Forget the cached settings, service, observers and lease (tests change app settings between cases)."""
    global _service, _settings, _observers, _lease
    with _lock:
        _service, _settings, _observers, _lease = None, None, None, None
