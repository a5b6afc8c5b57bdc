"""The metrics end to end: the function app on the ARM emulator (real SDK clients and pipeline, ARM
throttling on), with APPLICATIONINSIGHTS_CONNECTION_STRING set and an OpenTelemetry meter provider
already in place, as the Functions worker leaves it when it has configured the Azure Monitor distro
(PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY). The SDK's in-memory reader stands in for the exporter."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone

import pytest
from opentelemetry import metrics as otel_metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from emulator import Faults
from tools.lab import delivery

pytestmark = pytest.mark.integration

BLOB = "privatelink.blob.core.windows.net"


@pytest.fixture(scope="module")
def reader() -> InMemoryMetricReader:
    """The process's global meter provider (it can be set once): the worker's, in Azure."""
    reader = InMemoryMetricReader()
    otel_metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    if not isinstance(otel_metrics.get_meter_provider(), MeterProvider):  # pragma: no cover
        pytest.skip("another test set the global meter provider first")
    return reader


def readings(reader: InMemoryMetricReader) -> dict:
    found = {}
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else ():
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                for point in metric.data.data_points:
                    key = (metric.name, tuple(sorted(point.attributes.items())))
                    found[key] = (point.count, point.sum) if hasattr(point, "bucket_counts") else point.value
    return found


def delta(before: dict, after: dict) -> dict:
    out = {}
    for key, value in after.items():
        old = before.get(key)
        if isinstance(value, tuple):
            old = old or (0, 0.0)
            value = (value[0] - old[0], value[1] - old[1])
            if value[0]:
                out[key] = value
        elif value - (old or 0):
            out[key] = value - (old or 0)
    return out


@pytest.mark.graph_lag_ms(0)  # reconciles at once after deleting an endpoint
def test_events_a_fail_over_and_a_reconcile_show_in_the_metrics(reader, lab, emu, app_env, host, monkeypatch):
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING",
                       "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/")
    from functions import _runtime

    _runtime.reset()
    primary = lab.blob_endpoint("pe-primary", "sharedacct", "10.0.5.4")
    standby = lab.blob_endpoint("pe-dr", "sharedacct", "10.0.5.5")
    for pe in (primary, standby):
        lab.put_endpoint(pe)
    emu.set_faults(Faults(throttle=True, write_bucket=1, write_refill=1.0, graph_lag_ms=0))  # one hub write a second
    happened = datetime.now(timezone.utc) - timedelta(seconds=5)
    before = readings(reader)

    for pe in (primary, standby):
        [result] = host.deliver(delivery(lab.event(pe["id"], time=happened)))
        assert result.ok
    lab.delete_endpoint(primary["id"])
    [result] = host.deliver(delivery(lab.event(primary["id"], "delete", time=happened)))
    assert result.ok
    host.timer("reconcile")

    got = delta(before, readings(reader))
    assert {(BLOB, "sharedacct"): ["10.0.5.5"]} == lab.names()
    assert {
        ("records_changed", (("action", "create"), ("door", "event"), ("type", "A"), ("zone", BLOB))): 1,
        ("records_changed", (("action", "claim"), ("door", "event"), ("type", "A"), ("zone", BLOB))): 1,
        ("records_changed", (("action", "update"), ("door", "event"), ("type", "A"), ("zone", BLOB))): 1,
        ("records_failed_over", (("door", "event"), ("zone", BLOB))): 1,
        ("names_skipped", (("door", "event"), ("reason", "standby"), ("zone", BLOB))): 1,
        ("endpoints_handled", (("door", "event"), ("status", "converged"))): 2,
        ("endpoints_handled", (("door", "event"), ("status", "gone"))): 1,
        ("endpoints_handled", (("door", "reconcile"), ("status", "converged"))): 1,
        ("reconcile_drift", ()): (1, 0),
        ("reconcile_left", ()): (1, 0),
    } == {k: v for k, v in got.items() if not k[0].startswith(("arm_", "paced_", "handling_", "event_", "reconcile_dur"))}
    assert 3 == got[("handling_duration", (("door", "event"), ("status", "ok")))][0]
    assert 1 == got[("reconcile_duration", (("status", "ok"),))][0]
    count, total = got[("event_age", (("door", "event"),))]
    assert 3 == count and 15.0 <= total < 3 * 60.0
    throttled = got.get(("arm_throttled", (("request", "write"),)), 0)
    retried = got.get(("arm_retries", (("request", "write"), ("status", "429"))), 0)
    assert (True, throttled) == (throttled >= 1, retried)  # every 429 was retried, and counted once
    assert "azure.monitor.opentelemetry" not in sys.modules  # the worker's provider was used, not configured again


def test_the_replay_endpoint_tells_the_metrics_too(reader, lab, app_env, host, monkeypatch):
    monkeypatch.setenv("APPLICATIONINSIGHTS_CONNECTION_STRING",
                       "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/")
    from functions import _runtime

    _runtime.reset()
    pe = lab.blob_endpoint("pe-replayed", "replayedacct", "10.0.6.4")
    lab.put_endpoint(pe)
    before = readings(reader)

    host.http("replay", body={"privateEndpointIds": [pe["id"]]})
    host.http("replay", body={"privateEndpointIds": [pe["id"]], "dryRun": True})

    got = delta(before, readings(reader))
    assert {
        ("records_changed", (("action", "create"), ("door", "replay"), ("type", "A"), ("zone", BLOB))): 1,
        ("endpoints_handled", (("door", "replay"), ("status", "converged"))): 2,
        ("handling_duration", (("door", "replay"), ("status", "ok"))): 2,
    } == {k: (v[0] if isinstance(v, tuple) else v) for k, v in got.items()}


def _pedns(*args: str, env: dict[str, str]):
    import os
    import subprocess

    from shared.settings import SETTING_NAMES

    clean = {k: v for k, v in os.environ.items()
             if k not in SETTING_NAMES and k != "APPLICATIONINSIGHTS_CONNECTION_STRING"}
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], capture_output=True, text=True,
                          env={**clean, **env}, timeout=60)


def test_the_cli_counts_what_it_changed_as_log_lines_without_application_insights(emu, lab):
    first = lab.blob_endpoint("pe-cli-1", "cliacct", "10.0.6.5")
    second = lab.blob_endpoint("pe-cli-2", "cliacct2", "10.0.6.6")
    for pe in (first, second):
        lab.put_endpoint(pe)

    quiet = _pedns("replay", first["id"], env=emu.env())
    verbose = _pedns("-v", "replay", second["id"], env=emu.env())

    assert (0, 0) == (quiet.returncode, verbose.returncode), quiet.stderr + verbose.stderr
    assert "metric " not in quiet.stderr  # metric lines are for -v
    assert f"metric records_changed 1 action=create door=cli type=A zone={BLOB}" in verbose.stderr
    assert "metric endpoints_handled 1 door=cli status=converged" in verbose.stderr


@pytest.mark.graph_lag_ms(0)  # reconciles at once the endpoint it has just written
def test_a_cli_reconcile_counts_its_endpoints_and_its_drift(emu, lab):
    lab.put_endpoint(lab.blob_endpoint("pe-rc", "rcacct", "10.0.6.7"))

    proc = _pedns("-v", "reconcile", env=emu.env())

    assert 0 == proc.returncode, proc.stderr
    assert f"metric records_changed 1 action=create door=cli type=A zone={BLOB}" in proc.stderr
    assert "metric reconcile_drift 1.000" in proc.stderr  # histogram values are debug lines, shown by -v
