"""App teams' notifications end to end: the service over the ARM emulator through the real SDKs,
the notifier's azure-eventgrid client publishing to the emulator's Event Grid topic over HTTPS, and
the function app's `events` door delivering to it. A failing topic never fails the DNS change."""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path

import pytest

from emulator import EMULATOR_TOKEN, Faults
from shared.core.model import Reason, ResourceId
from shared.adapters.credentials import TOKEN, EmulatorCredential
from shared.adapters.eventgrid import BOUNDS, Bounds, EventGridTopic
from shared.observers.notify import CHANGED, REMEDIES, SKIPPED, Notifier
from shared.wiring import notifier_for
from shared.observers.fanout import Observers
from shared.core.results import Handling
from shared.settings import Settings
from shared.wiring import build_service
from tools.lab import delivery

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "shared" / "data" / "notification.schema.json").read_text())
BLOB = "privatelink.blob.core.windows.net"
KEYVAULT = "/subscriptions/{sub}/resourceGroups/rg-partner/providers/Microsoft.KeyVault/vaults/{name}"


def validate(event):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install '.[infra]')")
    jsonschema.Draft202012Validator(SCHEMA).validate(event)


class Counts:
    def __init__(self) -> None:
        self.counted: list[tuple[str, int, dict]] = []

    def count(self, name, value=1, **dimensions):
        self.counted.append((name, value, dimensions))

    def of(self, name):
        return [(value, dims) for n, value, dims in self.counted if n == name]


def converge_and_tell(emu, endpoint_ids, *, env=None, door="event"):
    """What a door does: converge each endpoint with the service, then tell the observers."""
    settings = Settings.from_env(env or emu.env(notifications=True))
    service = build_service(settings)
    counts = Counts()
    notifier = notifier_for(settings, counts)
    started = time.time()
    results = [service.converge_safely(ResourceId(i)) for i in endpoint_ids]
    Observers([notifier]).converged(results, Handling(door, started, time.time(), "eg-42"))
    return results, counts


def test_a_published_record_and_a_pending_endpoint_arrive_at_the_topic_with_the_documented_schema(emu, lab):
    published = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    pending = lab.endpoint_body("pe-partner-kv", target=KEYVAULT.format(sub=lab.spoke, name="partner-kv"),
                                group="vault", status="Pending", manual=True,
                                dns={"partner-kv.vault.azure.net": ["10.20.1.9"]})
    for body in (published, pending):
        lab.put_endpoint(body)

    _, counts = converge_and_tell(emu, [published["id"], pending["id"]])

    changed, skipped = emu.events("pedns-notify")
    for event in (changed, skipped):
        validate(event)
    assert (CHANGED, published["id"]) == (changed["type"], changed["subject"])
    assert [{"zone": BLOB, "name": "shopdata", "fqdn": "shopdata.blob.core.windows.net", "ips": ["10.20.1.4"],
             "type": "A", "action": "create"}] == changed["data"]["published"]
    assert (SKIPPED, pending["id"], True) == (skipped["type"], skipped["subject"], skipped["data"]["actionRequired"])
    (skip,) = skipped["data"]["skipped"]
    assert ("pending-approval", "partner-kv.vault.azure.net", REMEDIES[Reason.PENDING_APPROVAL]) == (
        skip["reason"], skip["fqdn"], skip["remedy"])
    assert [(2, {"door": "event"})] == counts.of("notifications_sent")
    assert [("pedns-notify", 200)] == emu.topic_requests  # one batch for the door call


def test_a_failing_topic_never_fails_the_dns_change(emu, lab, caplog):
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)
    emu.set_faults(Faults(topic_error_status=503))

    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        (result,), counts = converge_and_tell(emu, [pe["id"]])

    assert time.monotonic() - started < BOUNDS.total_timeout
    assert ("converged", {(BLOB, "shopdata"): ["10.20.1.4"]}) == (result.status, lab.names())
    warnings = [r.getMessage() for r in caplog.records if r.name == "pedns.notify"]
    assert 1 == len(warnings) and "HTTP 503" in warnings[0] and "the DNS work is done and stands" in warnings[0]
    assert [(1, {"door": "event", "kind": "http-503"})] == counts.of("notifications_failed")
    assert ([], [503, 503, 503]) == (emu.events(), [s for _, s in emu.topic_requests])  # 2 retries, then given up


def test_the_emulator_grants_the_sender_role_to_the_token_of_pedns_emulator_credential():
    assert EMULATOR_TOKEN == TOKEN


def test_a_missing_sender_role_is_one_warning_and_one_counted_failure_and_the_dns_change_stands(emu, lab, caplog):
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)
    emu.set_topic_senders([])  # nobody holds EventGrid Data Sender: the role assignment is missing

    with caplog.at_level(logging.WARNING):
        (result,), counts = converge_and_tell(emu, [pe["id"]])

    assert ("converged", {(BLOB, "shopdata"): ["10.20.1.4"]}) == (result.status, lab.names())
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "pedns.notify"]
    assert "not delivered" in warning and "HTTP 401 Unauthorized" in warning, warning
    assert "does not have permission to send data to" in warning  # Azure's words: the role is what is missing
    assert [(1, {"door": "event", "kind": "auth"})] == counts.of("notifications_failed")
    assert ([], [], [("pedns-notify", 401)]) == (counts.of("notifications_sent"), emu.events(), emu.topic_requests)


def test_a_topic_that_does_not_answer_costs_one_read_timeout_and_is_not_tried_again(emu, lab):
    """The bounds reach the pipeline: the read timeout ends the publish, and a POST that timed out is
    not sent again (it may have been taken)."""
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)
    settings = Settings.from_env(emu.env(notifications=True))
    service = build_service(settings)
    counts = Counts()
    bounds = Bounds(read_timeout=0.3, total_timeout=5)
    notifier = Notifier(EventGridTopic(EmulatorCredential(), settings, bounds=bounds), owner_id="pedns", metrics=counts)
    emu.set_faults(Faults(topic_delay_ms=1500))

    started = time.monotonic()
    result = service.converge_safely(ResourceId(pe["id"]))
    converged = time.monotonic()
    Observers([notifier]).converged([result], Handling("event", started, converged, "eg-1"))
    elapsed = time.monotonic() - converged

    assert 0.3 <= elapsed < 1.2  # one read timeout, well before the topic would have answered
    assert [(1, {"door": "event", "kind": "timeout"})] == counts.of("notifications_failed")
    deadline = time.monotonic() + 5
    while not emu.topic_requests and time.monotonic() < deadline:  # the topic logs a request once answered
        time.sleep(0.05)
    time.sleep(0.3)
    assert [("pedns-notify", 200)] == emu.topic_requests  # one attempt only


def test_an_unreachable_topic_costs_seconds_and_never_fails_the_dns_change(emu, lab):
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**emu.env(), "PEDNS_NOTIFY_TOPIC_ENDPOINT": f"https://127.0.0.1:{port}/api/events"}

    started = time.monotonic()
    (result,), counts = converge_and_tell(emu, [pe["id"]], env=env)

    assert time.monotonic() - started < 15
    assert ("converged", {(BLOB, "shopdata"): ["10.20.1.4"]}) == (result.status, lab.names())
    assert [(1, {"door": "event", "kind": "connection"})] == counts.of("notifications_failed")


def test_a_reconcile_that_finds_nothing_changed_tells_nothing(emu, lab):
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)
    converge_and_tell(emu, [pe["id"]])
    emu.clear_events()

    converge_and_tell(emu, [pe["id"]], door="reconcile")

    assert [] == emu.events()


# -- through the function app's Event Grid door ---------------------------------------------------


@pytest.fixture
def notify_env(app_env, emu, monkeypatch):
    from functions import _runtime

    monkeypatch.setenv("PEDNS_NOTIFY_TOPIC_ENDPOINT", emu.topic_endpoint())
    _runtime.reset()
    yield
    _runtime.reset()


def test_an_event_delivered_to_the_function_is_told_to_the_topic_with_its_event_id(lab, emu, notify_env, host):
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)

    [ok] = host.deliver(delivery(lab.event(pe["id"], "write", event_id="eg-write-1")))

    assert ok.ok, ok.error
    (event,) = emu.events()
    validate(event)
    assert (CHANGED, "event", "eg-write-1") == (event["type"], event["data"]["door"], event["data"]["eventId"])


def test_a_failing_topic_does_not_fail_the_function_invocation(lab, emu, notify_env, host, caplog):
    pe = lab.blob_endpoint("pe-shop", "shopdata", "10.20.1.4")
    lab.put_endpoint(pe)
    emu.set_faults(Faults(topic_error_status=500))

    with caplog.at_level(logging.WARNING, logger="pedns.notify"):
        [ok] = host.deliver(delivery(lab.event(pe["id"], "write")))

    assert ok.ok, ok.error  # Event Grid will not redeliver: the DNS change is done
    assert {(BLOB, "shopdata"): ["10.20.1.4"]} == lab.names()
    assert any("not delivered" in r.getMessage() for r in caplog.records)


# -- through the CLI commands that stand in for those doors ---------------------------------------


def _pedns(*args, env):
    import os
    import subprocess
    import sys

    from shared.settings import SETTING_NAMES

    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], capture_output=True, text=True,
                          env={**clean, **env}, timeout=60)


def test_pedns_events_apply_and_replay_tell_a_skip_as_the_doors_they_stand_in_for(emu, lab, tmp_path):
    """A dead letter replayed with `pedns events apply` is told, skips included, as the trigger would
    have told it; so is `pedns replay`. `pedns reconcile` repeats no skip, as the timer does not."""
    pending = lab.endpoint_body("pe-partner-kv", target=KEYVAULT.format(sub=lab.spoke, name="partner-kv"),
                                group="vault", status="Pending", manual=True,
                                dns={"partner-kv.vault.azure.net": ["10.20.1.9"]})
    lab.put_endpoint(pending)
    path = tmp_path / "deadletter.json"
    path.write_bytes(delivery(lab.event(pending["id"], event_id="eg-dead-1")))
    env = emu.env(notifications=True)

    applied = _pedns("events", "apply", str(path), env=env)
    replayed = _pedns("replay", pending["id"], env=env)
    reconciled = _pedns("reconcile", env=env)

    assert (0, 0, 0) == (applied.returncode, replayed.returncode, reconciled.returncode), applied.stderr
    told = emu.events("pedns-notify")
    for event in told:
        validate(event)
    assert [(SKIPPED, "cli", "eg-dead-1"), (SKIPPED, "cli", None)] == [
        (e["type"], e["data"]["door"], e["data"].get("eventId")) for e in told]
