"""The metrics after real convergences, read back with the OpenTelemetry SDK's in-memory reader; the
one table of metric names against the code that counts; the distro left alone without a connection
string."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from builders import endpoint, pe_id
from shared.adapters.otel import OtelMetrics
from shared.observers.fanout import Observers
from shared.core.results import Handling
from shared.usecases.reconcile import reconcile
from shared.observers.telemetry import Telemetry
from shared.core.instruments import INSTRUMENTS
from worlds import BLOB, MemoryWorld

ROOT = Path(__file__).resolve().parents[2]


class Readings:
    """The SDK's in-memory reader, as {(name, ((dim, value), ...)): value}: a counter's sum, a
    histogram's (count, sum)."""

    def __init__(self) -> None:
        self.reader = InMemoryMetricReader()
        self.metrics = OtelMetrics(MeterProvider(metric_readers=[self.reader]).get_meter("pedns"))

    def read(self, name: str | None = None) -> dict:
        found = {}
        data = self.reader.get_metrics_data()
        for rm in data.resource_metrics if data else ():
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if name is not None and metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        key = (metric.name, tuple(sorted(point.attributes.items())))
                        found[key] = (point.count, point.sum) if hasattr(point, "bucket_counts") else point.value
        return found


@pytest.fixture
def readings() -> Readings:
    return Readings()


def handled(world: MemoryWorld, readings: Readings, results, door="event", event_time=None):
    now = world.clock
    Observers([Telemetry(readings.metrics)]).converged(
        results, Handling(door, now - 2.0, now, "ev-1" if event_time else "", event_time))


def test_a_shared_name_counts_its_create_the_standby_claim_and_the_fail_over(readings):
    world = MemoryWorld()
    first = endpoint("pe-a", {"shared.blob.core.windows.net": ["10.0.1.4"]})
    second = endpoint("pe-b", {"shared.blob.core.windows.net": ["10.0.2.4"]})

    handled(world, readings, [world.create(first)])
    handled(world, readings, [world.create(second)])
    handled(world, readings, [world.delete(first)])

    assert {
        ("records_changed", (("action", "create"), ("door", "event"), ("type", "A"), ("zone", BLOB))): 1,
        ("records_changed", (("action", "claim"), ("door", "event"), ("type", "A"), ("zone", BLOB))): 1,  # the standby's claim
        ("records_changed", (("action", "update"), ("door", "event"), ("type", "A"), ("zone", BLOB))): 1,  # the fail-over
        ("records_failed_over", (("door", "event"), ("zone", BLOB))): 1,
        ("names_skipped", (("door", "event"), ("reason", "standby"), ("zone", BLOB))): 1,
        ("endpoints_handled", (("door", "event"), ("status", "converged"))): 2,
        ("endpoints_handled", (("door", "event"), ("status", "gone"))): 1,
        ("handling_duration", (("door", "event"), ("status", "ok"))): (3, 6.0),
    } == readings.read()
    assert ("10.0.2.4",) == world.get(world.records()[0].key).ips


def test_a_dry_run_counts_what_it_saw_but_no_write(readings):
    world = MemoryWorld()
    pe = endpoint("pe-d", {"dry.blob.core.windows.net": ["10.0.1.5"], "x.unknown.example": ["10.0.1.6"]})
    world.put(pe)

    handled(world, readings, world.service.replay([pe.id], dry_run=True), door="replay")

    assert {
        ("names_skipped", (("door", "replay"), ("reason", "unmapped"))): 1,  # no zone: the FQDN maps to none
        ("endpoints_handled", (("door", "replay"), ("status", "converged"))): 1,
        ("handling_duration", (("door", "replay"), ("status", "ok"))): (1, 2.0),
    } == readings.read()
    assert [] == world.records()


def test_a_412_met_while_creating_is_counted_as_a_write_conflict(readings):
    world = MemoryWorld()
    holder = endpoint("pe-h", {"race.blob.core.windows.net": ["10.0.1.7"]})
    late = endpoint("pe-l", {"race.blob.core.windows.net": ["10.0.1.8"]})
    world.create(holder)
    world.service.index.store(late.id, set())  # the index says it never claimed a name: create at once

    result = world.create(late)
    handled(world, readings, [result])

    assert (1, 1) == (result.conflicts, readings.read("write_conflicts")[("write_conflicts", (("door", "event"),))])


def test_event_age_is_from_the_events_time_to_the_end_of_its_handling(readings, caplog):
    world = MemoryWorld()
    pe = endpoint("pe-e")
    happened = datetime.fromtimestamp(world.clock - 30.0, tz=timezone.utc)
    caplog.set_level("INFO", logger="pedns.telemetry")

    handled(world, readings, [world.create(pe)], event_time=happened)

    assert {("event_age", (("door", "event"),)): (1, pytest.approx(31.0))} == readings.read("event_age")
    assert ["handled door=event age=31.000s duration=2.000s event=ev-1"] == [
        r.getMessage() for r in caplog.records if r.name == "pedns.telemetry"]


def test_a_reconcile_records_its_duration_and_the_drift_it_confirmed(readings):
    world = MemoryWorld(source_subscriptions=frozenset({pe_id("x").subscription_id}))
    world.put(endpoint("pe-1"))
    world.put(endpoint("pe-2"))
    world.create(endpoint("pe-3"))
    telemetry = Observers([Telemetry(readings.metrics)])

    report = reconcile(world.service)
    handling = Handling("reconcile", 100.0, 112.5)
    telemetry.converged(report.endpoints, handling)
    telemetry.reconciled(report, handling)

    assert {
        ("reconcile_duration", (("status", "ok"),)): (1, 12.5),
        ("reconcile_drift", ()): (1, 2),  # pe-1 and pe-2 had no records yet
        ("reconcile_left", ()): (1, 0),  # complete: nothing left
    } == {k: v for k, v in readings.read().items() if k[0].startswith("reconcile_")}
    assert 2 == readings.read("records_changed")[("records_changed", (("action", "create"), ("door", "reconcile"),
                                                                       ("type", "A"), ("zone", BLOB)))]


def test_a_handling_that_raised_is_counted_as_failed(readings):
    telemetry = Observers([Telemetry(readings.metrics)])

    telemetry.failed(RuntimeError("ARM said 500 six times"), Handling("reconcile", 10.0, 14.0))

    assert {
        ("handling_duration", (("door", "reconcile"), ("status", "failed"))): (1, 4.0),
        ("reconcile_duration", (("status", "failed"),)): (1, 4.0),
    } == readings.read()


def test_the_adapter_drops_dimensions_the_table_does_not_list(readings, caplog):
    readings.metrics.count("records_changed", action="create", zone=BLOB, door="cli", endpoint="/subscriptions/x")
    readings.metrics.count("records_changed", action="create", zone=BLOB, door="cli", endpoint="/subscriptions/y")

    assert {("records_changed", (("action", "create"), ("door", "cli"), ("zone", BLOB))): 2} == readings.read()
    assert 1 == sum("dropped" in r.getMessage() for r in caplog.records)


def test_the_service_counts_on_the_otel_adapter_too(readings):
    """The scope refusal is counted by the service itself (service.metrics), not by an observer."""
    from shared.errors import InvalidInput

    world = MemoryWorld(source_subscriptions=frozenset({"99999999-9999-4999-8999-999999999999"}))
    world.service.metrics = readings.metrics
    pe = endpoint("pe-out")
    world.put(pe)

    with pytest.raises(InvalidInput):
        world.service.replay([pe.id])

    assert {("events_refused_scope", (("subscription", pe.id.subscription_id.lower()),)): 1} == readings.read()


# -- the one table ------------------------------------------------------------------------------


def _metric_calls() -> set[tuple[str, str]]:
    """(kind, name) of every `.count("…")` / `.observe("…")` with a literal name in shared/."""
    found = set()
    for path in (ROOT / "shared").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("count", "observe") and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and re.fullmatch(r"[a-z][a-z_]+", node.args[0].value)):  # a metric, not str.count("/")
                found.add(("counter" if node.func.attr == "count" else "histogram", node.args[0].value))
    return found


def test_every_metric_the_code_records_is_in_the_table_with_its_kind_and_every_listed_one_is_recorded():
    in_table = {(i.kind, i.name) for i in INSTRUMENTS.values()}

    assert in_table == _metric_calls()


def test_the_table_keeps_endpoint_ids_out_of_the_dimensions():
    dims = {d for i in INSTRUMENTS.values() for d in i.dimensions}

    assert set() == dims & {"endpoint", "endpoint_id", "fqdn", "event", "event_id", "ip"}


# -- no connection string, no distro ------------------------------------------------------------


_PROBE = """
import json, os, sys
import function_app  # the composition root, as the worker indexes it
from shared.settings import Settings
from shared.wiring import metrics_for, observers_for
from shared.observers.fanout import Handling
metrics = metrics_for()
observers_for(Settings.from_env({}), metrics).converged([], Handling("cli", 0.0, 1.0))
found = sorted({".".join(m.split(".")[:2]) for m in sys.modules if m.startswith(("azure.monitor", "opentelemetry"))})
print(json.dumps({"metrics": type(metrics).__name__, "modules": found}), flush=True)
os._exit(0)  # no exporter shutdown: the connection string below points nowhere
"""


@pytest.mark.parametrize(("connection_string", "expected"), [
    pytest.param("", {"metrics": "LogMetrics", "modules": []}, id="unset"),
    pytest.param("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/;"
                 "LiveEndpoint=http://127.0.0.1:9/",
                 {"metrics": "OtelMetrics", "modules": ["azure.monitor", "opentelemetry", "opentelemetry.metrics",
                                                         "opentelemetry.sdk"]}, id="set"),
])
def test_the_azure_monitor_distro_is_imported_only_with_a_connection_string(connection_string, expected, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path),
           "APPLICATIONINSIGHTS_CONNECTION_STRING": connection_string}
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)

    assert 0 == proc.returncode, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert expected["metrics"] == found["metrics"]
    if expected["modules"]:  # the control: the probe does see the distro when it is loaded
        assert set(expected["modules"]) <= set(found["modules"])
    else:
        assert [] == found["modules"]


# -- ARM throttling and retries, counted by the pipeline ----------------------------------------


class _Answer:
    """Just enough of an azure-core transport response for the retry policy."""

    def __init__(self, request, status: int) -> None:
        from azure.core.utils import CaseInsensitiveDict

        self.request, self.status_code, self.reason = request, status, "scripted"
        self.headers = CaseInsensitiveDict({"Retry-After": "0"})
        self.content_type = None

    def text(self, encoding=None) -> str:
        return ""

    def body(self) -> bytes:
        return b""


def _scripted_transport(script: list):
    from azure.core.exceptions import ServiceRequestError
    from azure.core.pipeline.transport import HttpTransport

    class Scripted(HttpTransport):
        def send(self, request, **kwargs):
            step = script.pop(0)
            if step == "drop":
                raise ServiceRequestError("connection refused")
            return _Answer(request, step)

        def open(self) -> None:
            pass

        def close(self) -> None:
            pass

        def __enter__(self):
            return self

        def __exit__(self, *args) -> None:
            pass

    return Scripted()


@pytest.mark.parametrize(("method", "url", "kind"), [
    pytest.param("GET", "https://management.azure.com/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/"
                        "privateEndpoints/pe?api-version=2024-05-01", "read", id="subscription-read"),
    pytest.param("GET", "https://management.azure.com/providers/Microsoft.Management/managementGroups"
                        "?api-version=2021-04-01", "tenant", id="tenant"),
])
def test_the_pipeline_counts_each_429_and_each_retry_by_what_the_failed_try_met(method, url, kind):
    from azure.core.pipeline import Pipeline
    from azure.core.pipeline.policies import RetryPolicy
    from azure.core.rest import HttpRequest

    from shared.adapters._pipeline import Pacer, PacingPolicy
    from shared.testing import InMemoryMetrics

    metrics = InMemoryMetrics()
    script = [429, 503, "drop", 200]
    pipeline = Pipeline(_scripted_transport(script),
                        policies=[RetryPolicy(retry_total=5, retry_backoff_factor=0), PacingPolicy(Pacer(metrics=metrics))])

    response = pipeline.run(HttpRequest(method, url))

    assert (200, []) == (response.http_response.status_code, script)
    assert {
        ("arm_throttled", (("request", kind),)): 1,
        ("arm_retries", (("request", kind), ("status", "429"))): 1,
        ("arm_retries", (("request", kind), ("status", "503"))): 1,
        ("arm_retries", (("request", kind), ("status", "error"))): 1,  # the dropped connection had no answer
    } == metrics.counts


def test_a_pacer_without_metrics_counts_nothing_and_still_paces():
    from azure.core.pipeline import Pipeline
    from azure.core.pipeline.policies import RetryPolicy
    from azure.core.rest import HttpRequest

    from shared.adapters._pipeline import Pacer, PacingPolicy

    taken = []
    pacer = Pacer()
    pacer.take = lambda *where: taken.append(where)  # noqa: E731 - record, do not sleep
    pipeline = Pipeline(_scripted_transport([429, 200]),
                        policies=[RetryPolicy(retry_total=2, retry_backoff_factor=0), PacingPolicy(pacer)])

    pipeline.run(HttpRequest("DELETE", "https://management.azure.com/subscriptions/s1/x?api-version=1"))

    assert [("management.azure.com", "s1", "delete")] * 2 == taken


def test_a_dual_stack_fail_over_counts_each_record_type_written_and_the_name_once(readings):
    from shared.core.results import Handling
    from shared.observers.telemetry import Telemetry

    w = MemoryWorld()
    fqdn = {"dual.blob.core.windows.net"}
    holder = endpoint("holder", {name: ["10.0.1.4", "fd00:1::4"] for name in fqdn})
    standby = endpoint("standby", {name: ["10.0.2.4", "fd00:2::4"] for name in fqdn})
    w.create(holder)
    w.create(standby)
    w.remove(holder)
    result = w.service.converge(holder.id)

    Telemetry(readings.metrics).converged([result], Handling("event", 0.0, 1.0))

    found = readings.read()
    assert {("A", 1), ("AAAA", 1)} == {(dict(dims)["type"], n) for (name, dims), n in found.items()
                                       if name == "records_changed" and dict(dims)["action"] == "update"}
    assert 1 == found[("records_failed_over", (("door", "event"), ("zone", BLOB)))]


def test_an_event_handed_back_for_a_limit_is_counted_apart_from_an_outage(readings):
    """A burst shows on the workbook as hand-backs, not only as failed handlings."""
    from shared.errors import TransientError, WouldWait

    telemetry = Observers([Telemetry(readings.metrics)])

    telemetry.failed(WouldWait("Private DNS's limit of 60 creates a minute (zone): would wait 40 s"),
                     Handling("event", 10.0, 10.5))
    telemetry.failed(TransientError("ARM said 503 four times"), Handling("event", 10.0, 12.0))

    assert {("handed_back", (("door", "event"),)): 1} == readings.read("handed_back")
    assert [2] == [count for count, _ in readings.read("handling_duration").values()]  # both failed
