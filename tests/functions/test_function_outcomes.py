"""The functions act on `shared.outcomes`: the Event Grid trigger acknowledges or raises (so Event Grid
redelivers) and tells the observers `failed`; the replay endpoint answers with the outcome's status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from functions import _runtime
from shared.core.ports import LocalLease
from shared.errors import (Conflict, ConfigError, InvalidInput, NotReady, OutOfScope, PednsError, PermanentError,
                           TransientError)
from shared.settings import Settings

EVENT = json.loads((Path(__file__).parents[1] / "fixtures/events/eventgrid-pe-write-success.json").read_text())
ENDPOINT = EVENT[0]["subject"]


class Raising:
    """A service whose every door raises `exc`."""

    def __init__(self, exc: PednsError) -> None:
        self.exc = exc

    def handle_event(self, event, **kwargs):
        raise self.exc

    def replay(self, endpoint_ids, **kwargs):
        raise self.exc


class Told:
    """Observers that note which failures they were told of, and at which door."""

    def __init__(self) -> None:
        self.failures: list[tuple[BaseException, str]] = []

    def failed(self, exc, handling) -> None:
        self.failures.append((exc, handling.door))


@pytest.fixture
def raising(monkeypatch):
    """Make the service raise the given exception; returns what the observers were told."""
    told = Told()
    monkeypatch.setattr(_runtime, "observers", lambda: told)
    monkeypatch.setattr(_runtime, "settings", lambda: Settings.from_env({}))

    def make(exc: PednsError) -> Told:
        monkeypatch.setattr(_runtime, "service", lambda: Raising(exc))
        return told

    return make


#: exception → (delivered: acknowledged, observers told `failed`, "rejected" logged)
EVENTS = [
    pytest.param(OutOfScope("event e: out of scope"), (True, False, False), id="out-of-scope"),
    pytest.param(InvalidInput("event e: bad"), (True, False, True), id="invalid-input"),
    pytest.param(ConfigError("PEDNS_TTL: bad"), (False, False, False), id="config"),
    pytest.param(NotReady("still Updating"), (False, True, False), id="not-ready"),
    pytest.param(TransientError("429"), (False, True, False), id="transient"),
    pytest.param(PermanentError("403"), (False, True, False), id="permanent"),
    pytest.param(Conflict("412"), (False, False, False), id="conflict"),
]


@pytest.mark.parametrize(("exc", "expected"), EVENTS)
def test_the_event_trigger_acknowledges_or_raises_for_event_grid_to_redeliver(exc, expected, raising, host, caplog):
    told = raising(exc)

    [result] = host.deliver(EVENT)

    rejected = [r.getMessage() for r in caplog.records if r.name == "pedns.functions.events"]
    assert expected == (result.ok, [(exc, "event")] == told.failures, [f"rejected: {exc}"] == rejected)
    assert result.ok or result.error is exc


#: exception → the replay endpoint's HTTP status and error (None: raised to the host, which answers 500)
REPLAY = [
    pytest.param(OutOfScope("x: out of scope"), (400, "x: out of scope"), id="out-of-scope"),
    pytest.param(InvalidInput("bad id"), (400, "bad id"), id="invalid-input"),
    pytest.param(ConfigError("PEDNS_TTL: bad"), (500, "pedns is misconfigured: PEDNS_TTL: bad"), id="config"),
    pytest.param(NotReady("still Updating"), None, id="not-ready"),
    pytest.param(TransientError("429"), None, id="transient"),
    pytest.param(Conflict("412"), None, id="conflict"),
]


@pytest.mark.parametrize(("exc", "expected"), REPLAY)
def test_the_replay_endpoint_answers_with_the_outcomes_status(exc, expected, raising, host):
    raising(exc)

    if expected is None:
        with pytest.raises(type(exc)):
            host.http("replay", body={"privateEndpointIds": [ENDPOINT]})
        return
    response = host.http("replay", body={"privateEndpointIds": [ENDPOINT]})

    assert expected == (response.status_code, json.loads(response.get_body())["error"])


@pytest.mark.parametrize(("exc", "expected"), EVENTS)
def test_the_reconcile_timer_tells_the_observers_of_a_failed_listing_as_the_event_trigger_does(
        exc, expected, raising, host, monkeypatch):
    """Once it told them `failed` for every error, a configuration error or a 412 included."""
    from functions import reconcile as timer

    told = raising(exc)
    monkeypatch.setattr(_runtime, "settings", lambda: Settings.from_env(
        {"PEDNS_SOURCE_SUBSCRIPTIONS": "11111111-2222-3333-4444-555555555555"}))

    def listing_fails(*args, **kwargs):
        raise exc

    monkeypatch.setattr(timer, "run_reconcile", listing_fails)

    with pytest.raises(type(exc)):
        host.timer("reconcile")

    _, observers_told, _ = expected
    assert observers_told == ([(exc, "reconcile")] == told.failures)


def test_the_reconcile_timer_runs_within_the_budget_the_settings_give(raising, host, monkeypatch):
    from functions import reconcile as timer
    from shared.core.results import ReconcileReport

    raising(PermanentError("unused"))
    monkeypatch.setattr(_runtime, "settings", lambda: Settings.from_env(
        {"PEDNS_SOURCE_SUBSCRIPTIONS": "11111111-2222-3333-4444-555555555555", "PEDNS_RECONCILE_BUDGET_SECONDS": "90"}))
    seen = {}

    def run(service, **kwargs):
        seen.update(kwargs)
        return ReconcileReport()

    class Quiet:
        def converged(self, results, handling): ...
        def reconciled(self, report, handling): ...

    monkeypatch.setattr(timer, "run_reconcile", run)
    monkeypatch.setattr(_runtime, "observers", Quiet)
    host.timer("reconcile")

    assert 90 == seen["budget"]


def failed_report(*, complete: bool):
    from shared.core.results import EndpointResult, ReconcileReport

    report = ReconcileReport()
    report.endpoints = [EndpointResult("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/"
                                       "privateEndpoints/pe", "error", message="403")]
    report.confirmed = 3
    if not complete:
        report.complete, report.left_endpoints, report.left_records = False, 2, 2
    return report


@pytest.fixture
def reconciling(raising, monkeypatch):
    """The reconcile doors with a given report and quiet observers."""
    from functions import reconcile as door

    raising(PermanentError("unused"))
    monkeypatch.setattr(_runtime, "settings", lambda: Settings.from_env(
        {"PEDNS_SOURCE_SUBSCRIPTIONS": "11111111-2222-3333-4444-555555555555"}))
    lease = LocalLease()
    monkeypatch.setattr(_runtime, "lease", lambda: lease)

    class Quiet:
        def converged(self, results, handling): ...
        def reconciled(self, report, handling): ...

    monkeypatch.setattr(_runtime, "observers", Quiet)

    def use(report):
        monkeypatch.setattr(door, "run_reconcile", lambda service, **kwargs: report)

    return use


def test_the_timer_fails_for_failed_endpoints_only_once_the_run_is_complete(reconciling, host):
    """An incomplete run's failures are retried by its continuation; raising would lose the queue message."""
    reconciling(failed_report(complete=False))
    outputs = host.timer("reconcile")
    assert 1 == json.loads(outputs["continuation"].value)["generation"]

    reconciling(failed_report(complete=True))
    with pytest.raises(RuntimeError, match="1 endpoint"):
        host.timer("reconcile")


def test_the_continuation_never_raises_for_failed_endpoints_since_the_queue_would_run_it_again(
        reconciling, host, caplog):
    reconciling(failed_report(complete=True))

    outputs = host.queue("reconcile_continue", '{"generation": 4}')

    assert outputs["continuation"].value is None
    assert any(r.levelname == "ERROR" and "1 endpoint(s) failed" in r.getMessage() for r in caplog.records)
    reconciling(failed_report(complete=False))
    assert 5 == json.loads(host.queue("reconcile_continue", '{"generation": 4}')["continuation"].value)["generation"]
