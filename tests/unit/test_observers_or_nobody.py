"""`shared.wiring.observers_or_nobody`: the one way each door builds its observers after the DNS work,
and says so on its own logger when it cannot."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

import shared.wiring as wiring
from functions import _runtime
from shared.cli import runtime as cli_runtime
from shared.errors import ConfigError
from shared.settings import Settings
from shared.testing import InMemoryMetrics

LINE = "the observers (metrics, notifications) could not be built; none will be told"


def _unreadable_settings(*require):
    raise ConfigError("invalid settings: PEDNS_TTL: bad")


def _logged(caplog) -> list[tuple[str, str, str]]:
    return [(r.name, r.levelname, r.getMessage()) for r in caplog.records]


def test_without_a_notify_topic_the_metrics_are_the_only_observer():
    observers = wiring.observers_or_nobody(lambda: Settings.from_env({}), InMemoryMetrics(),
                                           log=logging.getLogger("pedns.test"))

    assert ["Telemetry"] == [type(o).__name__ for o in observers.observers]


def test_settings_that_cannot_be_read_leave_nobody_to_tell_and_say_so(caplog):
    observers = wiring.observers_or_nobody(_unreadable_settings, InMemoryMetrics(), log=logging.getLogger("pedns.test"))

    assert ((), [("pedns.test", "ERROR", LINE)]) == (observers.observers, _logged(caplog))


def test_a_notifier_that_cannot_be_built_leaves_nobody_to_tell_and_say_so(monkeypatch, caplog):
    def broken(settings, metrics=None):
        raise ValueError("no credential")

    monkeypatch.setattr(wiring, "notifier_for", broken)

    observers = wiring.observers_or_nobody(lambda: Settings.from_env({}), InMemoryMetrics(),
                                           log=logging.getLogger("pedns.test"))

    assert ((), [("pedns.test", "ERROR", LINE)]) == (observers.observers, _logged(caplog))
    assert "no credential" in caplog.records[0].exc_text


@pytest.fixture
def fresh_runtime():
    _runtime.reset()
    yield
    _runtime.reset()


def test_the_functions_say_so_as_pedns_functions_once_per_worker(fresh_runtime, monkeypatch, caplog):
    monkeypatch.setattr(_runtime, "service", lambda: SimpleNamespace(metrics=InMemoryMetrics()))
    monkeypatch.setattr(_runtime, "settings", _unreadable_settings)

    first, second = _runtime.observers(), _runtime.observers()

    assert ((), True, [("pedns.functions", "ERROR", LINE)]) == (first.observers, first is second, _logged(caplog))


def test_the_cli_says_so_as_pedns_cli(monkeypatch, caplog):
    monkeypatch.setattr(cli_runtime, "read_settings", _unreadable_settings)

    observers = cli_runtime.observers_of(SimpleNamespace(metrics=InMemoryMetrics()))

    assert ((), [("pedns.cli", "ERROR", LINE)]) == (observers.observers, _logged(caplog))
