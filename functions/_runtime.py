"""The service the functions share: built once per worker on first use, from app settings.

Built lazily so a configuration error is reported (every problem at once) by the invocation
that hits it instead of failing the indexing of every function.
"""

from __future__ import annotations

import logging
import threading

from shared.service import Service
from shared.settings import Settings

log = logging.getLogger("pedns.functions")
_lock = threading.Lock()
#: What the function app cannot run without (the reconcile timer also needs PEDNS_SOURCE_SUBSCRIPTIONS).
REQUIRED = ("PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP")
_service: Service | None = None
_settings: Settings | None = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings.from_env(require=REQUIRED)
    return _settings


def service() -> Service:
    global _service
    with _lock:
        if _service is None:
            from shared.wiring import build_service

            _service = build_service(settings())
        return _service


def reset() -> None:
    """Forget the cached settings and service (tests change app settings between cases)."""
    global _service, _settings
    with _lock:
        _service, _settings = None, None
