"""pedns's not-ready path against a real provisioning transition: the emulator answers a private
endpoint PUT `Updating` with no customDnsConfigs (as Azure does, recording
`test_abs_privatendpoint_with_default`) and reads it as given only later."""

from __future__ import annotations

import json
import time

import pytest

from emulator import Faults
from tools.lab import delivery

pytestmark = pytest.mark.integration

DELAY_MS = 600


def test_an_event_for_an_endpoint_still_provisioning_fails_and_its_redelivery_publishes(emu, lab, app_env, host):
    emu.set_faults(Faults(provisioning_delay_ms=DELAY_MS))
    pe = lab.blob_endpoint("pe-fresh", "freshdata", "10.0.7.4")
    put = lab.put_endpoint(pe)
    event = lab.event(pe["id"], "write")

    [first] = host.deliver(delivery(event))
    names_meanwhile = lab.names()
    time.sleep(DELAY_MS / 1000 + 0.1)
    [again] = host.deliver(delivery(event))

    assert ("Updating", []) == (put["properties"]["provisioningState"], put["properties"]["customDnsConfigs"])
    assert (False, "provisioningState is Updating") == (first.ok, str(first.error).rsplit(": ", 1)[-1])
    assert {} == names_meanwhile
    assert again.ok, again.error
    assert {("privatelink.blob.core.windows.net", "freshdata"): ["10.0.7.4"]} == lab.names()


def test_replay_reports_not_ready_while_provisioning_and_publishes_after(emu, lab, app_env, host):
    emu.set_faults(Faults(provisioning_delay_ms=DELAY_MS))
    pe = lab.blob_endpoint("pe-replayed", "replayfresh", "10.0.7.5")
    lab.put_endpoint(pe)

    early = json.loads(host.http("replay", body={"privateEndpointIds": [pe["id"]]}).get_body())
    time.sleep(DELAY_MS / 1000 + 0.1)
    late = json.loads(host.http("replay", body={"privateEndpointIds": [pe["id"]]}).get_body())

    assert "not-ready" == early["results"][0]["status"]
    assert "converged" == late["results"][0]["status"]
    assert {("privatelink.blob.core.windows.net", "replayfresh"): ["10.0.7.5"]} == lab.names()
