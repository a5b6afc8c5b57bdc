"""What the commands build from the environment: settings, the service, the observers, and the
`Handling` the observers are told about (the CLI is door `cli`)."""

from __future__ import annotations

import logging
import time

from ..core.results import Door, Handling
from ..observers.fanout import Observers
from ..parsing.events import ResourceEvent
from ..service import Service
from ..settings import Settings
from ..wiring import build_service, observers_or_nobody

__all__ = ["HUB", "connect", "handling_since", "observers_of", "read_settings"]

log = logging.getLogger("pedns.cli")

#: The settings every command that talks to the hub needs.
HUB = ("PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP")


def read_settings(*require: str) -> Settings:
    return Settings.from_env(require=require)


def connect(settings: Settings) -> Service:
    """The service against the hub (Azure or the emulator) the settings name."""
    return build_service(settings)


def observers_of(service: Service) -> Observers:
    """Who hears of the changes a command made, after it made them (`shared.observers.fanout`): the metrics
    (exported only with APPLICATIONINSIGHTS_CONNECTION_STRING) and the app teams' notifications
    (with PEDNS_NOTIFY_TOPIC_ENDPOINT). Failing to build them never fails the command."""
    return observers_or_nobody(read_settings, service.metrics, log=log)


def handling_since(started: float, event: ResourceEvent | None = None, *, stands_for: Door) -> Handling:
    """Door `cli`, told as the door the command stands in for (`events apply`: `event`; `replay`,
    `release`: `replay`; `reconcile`: `reconcile`): an app team hears of a dead-lettered event that
    `events apply` handled, skips included, as it would have from the Event Grid trigger."""
    return Handling("cli", started, time.time(), event.id if event else "", event.time if event else None,
                    stands_for=stands_for)
