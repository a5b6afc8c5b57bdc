"""What a `pedns switch` tells: the app teams (`pedns.endpoint.changed` with `data.reason`) and the
metrics (names switched, DR gaps, pins in force)."""

from __future__ import annotations

from builders import endpoint
from shared.core.results import Handling
from shared.observers.fanout import Observers
from shared.observers.notify import CHANGED
from shared.observers.telemetry import Telemetry
from shared.usecases.switch import switch
from shared.observers.notify import Notifier
from test_notify import Counts, Topic, validate
from test_telemetry import Readings
from worlds import BLOB, MemoryWorld


def told(results, door="cli", reason=""):
    topic = Topic()
    Notifier(topic, owner_id="pedns", metrics=Counts(), clock=lambda: 1_700_000_000.5).converged(
        results, Handling(door, 0.0, 1.0, reason=reason))
    return topic.events


def estate() -> MemoryWorld:
    w = MemoryWorld()
    for name, account, ip, region in (("pe-east", "shop", "10.1.0.4", "eastus"), ("pe-west", "shop", "10.2.0.4", "westus"),
                                      ("pe-solo", "solo", "10.1.0.5", "eastus")):
        w.create(endpoint(name, {f"{account}.blob.core.windows.net": [ip]}, location=region))
    return w


def test_a_moved_name_is_told_to_its_new_holder_as_changed_with_the_reason():
    w = estate()
    report = switch(w.service, region="westus")

    [event] = told(report.results, "cli", reason="switch")

    validate(event)
    assert (CHANGED, "switch", "1.1") == (event["type"], event["data"]["reason"], event["data"]["schemaVersion"])
    assert [("shop", ["10.2.0.4"], "update")] == [(p["name"], p["ips"], p["action"]) for p in event["data"]["published"]]


def test_other_changes_carry_no_reason():
    w = MemoryWorld()

    [event] = told([w.create(endpoint("pe-a"))], "event")

    assert "reason" not in event["data"]


def test_the_metrics_count_the_names_switched_the_gaps_and_the_pins_in_force():
    w, readings = estate(), Readings()
    observers = Observers([Telemetry(readings.metrics)])

    dry = switch(w.service, region="westus", dry_run=True)
    observers.switched(dry, Handling("cli", 0.0, 1.0, reason="switch"))
    report = switch(w.service, region="westus")
    observers.switched(report, Handling("cli", 0.0, 1.0, reason="switch"))
    cleared = switch(w.service, region=None)
    observers.switched(cleared, Handling("cli", 0.0, 1.0, reason="clear"))

    assert {
        ("names_switched", (("reason", "switch"), ("zone", BLOB))): 1,  # not the dry run
        ("names_switched", (("reason", "clear"), ("zone", BLOB))): 1,
    } == readings.read("names_switched")
    assert {("switch_gaps", (("region", "westus"),)): (2, 2)} == readings.read("switch_gaps")  # dry run included
    assert {("pins_in_force", ()): (3, 1)} == readings.read("pins_in_force")  # 0, 1, then 0 after the clear
