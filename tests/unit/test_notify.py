"""App teams' notifications: which convergences become a CloudEvent, what it says, and that a failing
topic is logged and counted but never raised. Results come from the real service over the in-memory ports."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from builders import endpoint, pe_id, storage_id
from shared.core.model import ConnectionStatus, Reason
from shared.observers.notify import ACTION_REQUIRED, CHANGED, REMEDIES, SCHEMA_VERSION, SKIPPED, Notifier, batches
from shared.core.ports import DeliveryFailed
from shared.wiring import notifier_for
from shared.core.results import Handling
from shared.settings import Settings
from worlds import BLOB, MemoryWorld as World

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "shared" / "data" / "notification.schema.json").read_text())
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def validate(event):
    """Validate one event against the published JSON Schema (raises jsonschema.ValidationError)."""
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install '.[infra]')")
    jsonschema.Draft202012Validator(SCHEMA).validate(event)


class Topic:
    """A publisher that keeps every batch, or fails like a dead topic."""

    target = "topic.example"

    def __init__(self, fail: str = "") -> None:
        self.batches: list[list[dict]] = []
        self.fail = fail

    def publish(self, events):
        self.batches.append(list(events))
        if self.fail:
            raise DeliveryFailed("HTTP 503 ServiceUnavailable: down", kind=self.fail)

    @property
    def events(self):
        return [event for batch in self.batches for event in batch]


class Counts:
    def __init__(self) -> None:
        self.counted: list[tuple[str, int, dict]] = []

    def count(self, name, value=1, **dimensions):
        self.counted.append((name, value, dimensions))


def told(results, door="event", *, topic=None, metrics=None, stands_for=None, **kwargs):
    topic = topic if topic is not None else Topic()
    ids = iter(f"id-{i}" for i in range(1000))
    notifier = Notifier(topic, owner_id="pedns", metrics=metrics or Counts(), clock=lambda: 1_700_000_000.5,
                        new_id=lambda: next(ids), **kwargs)
    notifier.converged(results, Handling(door, 0.0, 1.0, event_id="eg-1" if "event" in (door, stands_for) else "",
                                         stands_for=stands_for))
    return topic.events


def shared_pair(world):
    """Two endpoints for one storage account's blob name: `a` holds it, `b` stands by."""
    target = storage_id("shop")
    a = endpoint("a", {"shop.blob.core.windows.net": ["10.0.1.4"]}, target=target)
    b = endpoint("b", {"shop.blob.core.windows.net": ["10.0.2.4"]}, target=target, location="northeurope")
    return a, b


# -- what becomes an event ------------------------------------------------------------------------


def test_a_published_record_is_told_as_changed_with_the_record_and_no_skip():
    w = World()
    result = w.create(endpoint("a"))

    (event,) = told([result])

    assert {
        "specversion": "1.0", "id": "id-0", "type": CHANGED, "source": "/pedns/pedns", "subject": str(pe_id("a")),
        "time": "2023-11-14T22:13:20.500Z", "datacontenttype": "application/json",
    } == {k: v for k, v in event.items() if k != "data"}
    record = {"zone": BLOB, "name": "aacct", "fqdn": "aacct.blob.core.windows.net", "ips": ["10.0.1.4"], "type": "A"}
    assert {
        "schemaVersion": SCHEMA_VERSION, "ownerId": "pedns", "endpoint": str(pe_id("a")),
        "subscriptionId": "11111111-1111-1111-1111-111111111111", "resourceGroup": "rg-app", "endpointName": "a",
        "status": "converged", "door": "event", "eventId": "eg-1",
        "published": [{**record, "action": "create"}], "withdrawn": [], "records": [record], "skipped": [],
        "actionRequired": False,
    } == event["data"]
    validate(event)


def test_a_bad_name_beside_a_published_one_reaches_the_app_team_as_an_invalid_skip_to_act_on():
    """Issue 22: the bad entry is skipped `invalid` and told with the change, escaped."""
    w = World()
    pe = endpoint("a")
    w.put_hostile(pe, {"fqdn": "shop\u001b[31mlogs.blob.core.windows.net", "ipAddresses": ["10.0.1.5"]})

    (event,) = told([w.service.converge(pe.id)])

    [skip] = event["data"]["skipped"]
    assert (CHANGED, "invalid", True) == (event["type"], skip["reason"], event["data"]["actionRequired"])
    assert "customDnsConfigs[1].fqdn is not a valid DNS name" in skip["detail"]
    assert "\x1b" not in skip["fqdn"] + skip["detail"] and "\\x1b" in skip["fqdn"]
    validate(event)


def test_converging_again_without_a_change_tells_nothing_from_any_door():
    w = World()
    pe = endpoint("a")
    w.create(pe)
    again = w.service.converge(pe.id)

    assert ([], [], [], []) == (told([again], "event"), told([again], "replay"), told([again], "reconcile"),
                                told([again], "cli"))


def test_a_pending_endpoint_is_told_once_per_event_with_what_to_do():
    w = World()
    result = w.create(endpoint("p", status=ConnectionStatus.PENDING, manual=True))

    (event,) = told([result], "event")

    assert SKIPPED == event["type"]
    (skip,) = event["data"]["skipped"]
    assert {"fqdn": "pacct.blob.core.windows.net", "reason": "pending-approval",
            "detail": "the connection awaits approval on the target resource",
            "remedy": REMEDIES[Reason.PENDING_APPROVAL], "actionRequired": True} == skip
    assert skip["remedy"].startswith("approve it on the target resource")
    assert (True, [], []) == (event["data"]["actionRequired"], event["data"]["published"], event["data"]["records"])
    validate(event)


@pytest.mark.parametrize(("door", "stands_for"), [("reconcile", None), ("cli", "reconcile"), ("cli", None)],
                         ids=["reconcile", "pedns-reconcile", "cli"])
def test_doors_that_repeat_never_repeat_a_skip(door, stands_for):
    w = World()
    result = w.create(endpoint("p", status=ConnectionStatus.PENDING, manual=True))

    assert [] == told([result], door, stands_for=stands_for)


@pytest.mark.parametrize("stands_for", ["event", "replay"], ids=["pedns-events-apply", "pedns-replay"])
def test_a_cli_command_standing_in_for_an_event_or_a_replay_tells_a_skip_as_that_door_does(stands_for):
    w = World()
    result = w.create(endpoint("p", status=ConnectionStatus.PENDING, manual=True))

    (event,) = told([result], "cli", stands_for=stands_for)

    assert (SKIPPED, "cli") == (event["type"], event["data"]["door"])  # told as that door, from the CLI
    assert ("eventId" in event["data"]) == (stands_for == "event")
    validate(event)


def test_a_replay_tells_a_skip_too():
    w = World()
    result = w.create(endpoint("x", {"x.unknown.example.com": ["10.0.1.9"]}))

    (event,) = told([result], "replay")

    assert (SKIPPED, "unmapped", True) == (event["type"], event["data"]["skipped"][0]["reason"],
                                           event["data"]["actionRequired"])
    assert "eventId" not in event["data"]
    validate(event)


def test_a_dry_run_tells_nothing():
    w = World(dry_run=True)
    result = w.create(endpoint("a"))

    assert (True, []) == (bool(result.changes), told([result]))


def test_a_standby_claim_is_no_change_but_a_skip_that_needs_no_action():
    w = World()
    a, b = shared_pair(w)
    w.create(a)
    result = w.create(b)  # writes its claim into the record set: no IP moves

    (event,) = told([result])

    assert (SKIPPED, [], False) == (event["type"], event["data"]["published"], event["data"]["actionRequired"])
    assert ["standby"] == [s["reason"] for s in event["data"]["skipped"]]
    validate(event)


def test_a_deleted_holder_is_told_its_name_was_handed_over_and_the_next_holder_publishes():
    w = World()
    a, b = shared_pair(w)
    w.create(a)
    w.create(b)
    result = w.delete(a)

    (event,) = told([result])

    assert (CHANGED, "gone", [], []) == (event["type"], event["data"]["status"], event["data"]["published"],
                                         event["data"]["records"])
    assert [{"zone": BLOB, "name": "shop", "ips": ["10.0.1.4"], "type": "A", "action": "update"}] == \
        event["data"]["withdrawn"]
    assert ("10.0.2.4",) == w.get(next(iter(w.store.records())).key).ips
    validate(event)


def test_a_deleted_endpoint_is_told_its_record_was_withdrawn():
    w = World()
    pe = endpoint("a")
    w.create(pe)
    result = w.delete(pe)

    (event,) = told([result])

    assert [{"zone": BLOB, "name": "aacct", "ips": ["10.0.1.4"], "type": "A", "action": "delete"}] == \
        event["data"]["withdrawn"]
    validate(event)


def test_a_failed_convergence_tells_nothing():
    w = World()
    result = w.create(endpoint("a"))
    result.status = "error"

    assert [] == told([result])


# -- delivery -------------------------------------------------------------------------------------


def test_one_door_call_is_one_batch_of_the_notable_results_and_is_counted_as_sent():
    w = World()
    a, quiet, p = endpoint("a"), endpoint("q"), endpoint("p", status=ConnectionStatus.PENDING, manual=True)
    w.create(quiet)
    results = [w.create(a), w.service.converge(quiet.id), w.create(p)]
    topic, counts = Topic(), Counts()

    told(results, topic=topic, metrics=counts)

    assert [[CHANGED, SKIPPED]] == [[e["type"] for e in batch] for batch in topic.batches]
    assert [("notifications_sent", 2, {"door": "event"})] == counts.counted


def test_a_failing_topic_is_one_warning_and_a_failure_count_never_an_exception(caplog):
    w = World()
    results = [w.create(endpoint("a")), w.create(endpoint("b"))]
    counts = Counts()

    with caplog.at_level(logging.WARNING, logger="pedns.notify"):
        told(results, topic=Topic(fail="http-503"), metrics=counts)

    (line,) = [r.getMessage() for r in caplog.records]
    assert "2 event(s) from event not delivered to topic.example: HTTP 503" in line and "\n" not in line
    assert [("notifications_failed", 2, {"door": "event", "kind": "http-503"})] == counts.counted
    assert 2 == len(w.records())  # the DNS work stands


def test_after_a_failed_batch_the_rest_of_the_door_call_is_given_up_and_counted():
    w = World()
    results = [w.create(endpoint(name)) for name in "abcd"]
    topic, counts = Topic(fail="connection"), Counts()

    told(results, topic=topic, metrics=counts, max_batch_bytes=2_000)

    assert 1 == len(topic.batches)  # one attempt, not one per batch
    assert [("notifications_failed", 4, {"door": "event", "kind": "connection"})] == counts.counted


def test_batches_keep_order_and_stay_under_the_size_limit():
    events = [{"id": str(i), "data": "x" * 100} for i in range(50)]

    found = list(batches(events, max_bytes=1_000))

    assert events == [e for batch in found for e in batch]
    assert all(len(json.dumps(b, separators=(",", ":"))) <= 1_000 for b in found)
    assert len(found) > 1


def test_an_event_too_large_to_send_is_counted_and_the_others_still_go():
    w = World()
    results = [w.create(endpoint("a")), w.create(endpoint("b"))]
    topic, counts = Topic(), Counts()

    told(results, topic=topic, metrics=counts, max_batch_bytes=200)

    assert [] == topic.batches
    assert [("notifications_failed", 1, {"door": "event", "kind": "too-large"})] * 2 == counts.counted


def test_a_bug_in_the_publisher_is_counted_and_raised_for_the_observers_to_log():
    class Broken(Topic):
        def publish(self, events):
            raise KeyError("bug")

    w = World()
    counts = Counts()

    with pytest.raises(KeyError):
        told([w.create(endpoint("a"))], topic=Broken(), metrics=counts)
    assert [("notifications_failed", 1, {"door": "event", "kind": "bug"})] == counts.counted


# -- the remedies and the schema ------------------------------------------------------------------


def test_every_reason_has_a_remedy_and_they_are_the_readmes():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Why an endpoint gets no record", 1)[1]
    table = section.split("\n|", 1)[1].split("\n\n", 1)[0]  # the first table after the heading
    rows = [line for line in ("|" + table).splitlines() if line.startswith("| `")]
    documented = {row.strip("|").split("|")[0].strip().strip("`"): row.strip("|").split("|")[2].strip()
                  for row in rows}

    assert {r.value: text for r, text in REMEDIES.items()} == documented
    assert set(Reason) == set(REMEDIES)
    assert Reason.STANDBY not in ACTION_REQUIRED and Reason.PENDING_APPROVAL in ACTION_REQUIRED


@pytest.mark.parametrize(
    ("path", "value"),
    [(("type",), "pedns.endpoint.converged"), (("specversion",), "0.3"), (("source",), "pedns"),
     (("data", "schemaVersion"), "2.0"), (("data", "skipped", 0, "reason"), "unknown-reason"),
     (("data", "skipped", 0, "remedy"), ""), (("data", "door"), "timer"), (("data", "records", 0, "type"), "CNAME")],
    ids=lambda v: ".".join(map(str, v)) if isinstance(v, tuple) else str(v),
)
def test_the_schema_refuses_an_event_with_one_field_changed(path, value):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install '.[infra]')")
    w = World()
    a, b = shared_pair(w)
    w.create(a)
    (event,) = told([w.create(b)], "event")
    event["data"]["records"] = [{"zone": BLOB, "name": "shop", "ips": ["10.0.2.4"], "type": "A"}]
    validate(event)
    target = event
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value

    with pytest.raises(jsonschema.ValidationError):
        validate(event)


@pytest.mark.parametrize("required", ["endpoint", "published", "skipped", "actionRequired"])
def test_the_schema_refuses_data_without_a_required_field(required):
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install '.[infra]')")
    (event,) = told([World().create(endpoint("a"))])
    del event["data"][required]

    with pytest.raises(jsonschema.ValidationError):
        validate(event)


def test_the_time_is_rfc3339_utc_with_milliseconds():
    (event,) = told([World().create(endpoint("a"))])

    assert RFC3339_UTC.match(event["time"])


def test_the_documented_example_events_are_valid():
    doc = (ROOT / "docs" / "notifications.md").read_text()
    examples = [json.loads(block.split("```", 1)[0]) for block in doc.split("```json")[1:]]
    events = [e for e in examples if isinstance(e, dict) and e.get("specversion") == "1.0"]

    assert 2 <= len(events)
    assert {CHANGED, SKIPPED} == {e["type"] for e in events}
    for event in events:
        validate(event)


# -- wiring ---------------------------------------------------------------------------------------


def test_without_a_topic_there_is_no_notifier():
    assert None is notifier_for(Settings.from_env({}))


def test_with_a_topic_the_notifier_publishes_there_with_the_owner_id_as_source():
    settings = Settings.from_env({"PEDNS_NOTIFY_TOPIC_ENDPOINT": "https://127.0.0.1:1/eventgrid/topics/t/api/events",
                                  "PEDNS_CREDENTIAL": "emulator", "PEDNS_ARM_ENDPOINT": "https://127.0.0.1:1",
                                  "PEDNS_OWNER_ID": "hub-a"})
    counts = Counts()

    notifier = notifier_for(settings, counts)

    assert ("127.0.0.1:1", "hub-a", counts) == (notifier.publisher.target, notifier.owner_id, notifier.metrics)


def test_a_plain_http_topic_is_refused():
    from shared.errors import ConfigError

    with pytest.raises(ConfigError, match="PEDNS_NOTIFY_TOPIC_ENDPOINT: must be an https:// URL"):
        Settings.from_env({"PEDNS_NOTIFY_TOPIC_ENDPOINT": "http://topic.example/api/events"})


def test_a_dual_stack_endpoint_is_told_per_record_type_and_losing_ipv6_withdraws_the_aaaa_only():
    w = World()
    fqdn = "dual.blob.core.windows.net"
    created = w.create(endpoint("a", {fqdn: ["10.0.1.4", "fd00:1::4"]}))
    lost = w.create(endpoint("a", {fqdn: ["10.0.1.4"]}))

    first, second = told([created]), told([lost])

    a = {"zone": BLOB, "name": "dual", "fqdn": fqdn, "ips": ["10.0.1.4"], "type": "A"}
    aaaa = {"zone": BLOB, "name": "dual", "fqdn": fqdn, "ips": ["fd00:1::4"], "type": "AAAA"}
    assert ([{**a, "action": "create"}, {**aaaa, "action": "create"}], [a, aaaa]) == (
        first[0]["data"]["published"], first[0]["data"]["records"])
    assert ([], [{**aaaa, "action": "delete"}], [a]) == (
        second[0]["data"]["published"], second[0]["data"]["withdrawn"], second[0]["data"]["records"])
    validate(first[0])
    validate(second[0])
