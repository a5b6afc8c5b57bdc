"""`pedns switch` as an operator runs it: a subprocess over HTTPS against the emulator, with the app
teams' topic listening. A DR drill: the dry run (moves, gaps, time), the switch, the pins in
`records` and `explain`, the notifications with their reason, the clear; and bad input refused."""

from __future__ import annotations

import json

import pytest

from test_cli_hub import BLOB, pedns

pytestmark = pytest.mark.integration


def _estate(lab, emu):
    """Two names with a primary in eastus and a standby in westus; one name with no standby there."""
    bodies = {
        "east-a": lab.blob_endpoint("pe-east-a", "shopa", "10.1.0.4", location="eastus"),
        "west-a": lab.blob_endpoint("pe-west-a", "shopa", "10.2.0.4", location="westus"),
        "east-b": lab.blob_endpoint("pe-east-b", "shopb", "10.1.0.5", location="eastus"),
        "west-b": lab.blob_endpoint("pe-west-b", "shopb", "10.2.0.5", location="westus"),
        "east-c": lab.blob_endpoint("pe-east-c", "solo", "10.1.0.6", location="eastus"),
    }
    for body in bodies.values():
        lab.put_endpoint(body)
    assert 0 == pedns("replay", "-q", *(b["id"] for b in bodies.values()), env=emu.env()).returncode
    return bodies


def test_a_dr_drill_dry_run_switch_and_clear(lab, emu):
    bodies = _estate(lab, emu)
    env = {**emu.env(), "PEDNS_NOTIFY_TOPIC_ENDPOINT": emu.topic_endpoint()}
    before = lab.names()

    dry = pedns("switch", "--to-region", "West US", "--dry-run", env=env)

    assert 0 == dry.returncode, dry.stderr
    assert before == lab.names()
    lines = dry.stdout.splitlines()
    assert lines[0] == "switch to westus: 2 name(s) would move, 0 would only get the pin, 0 already pinned there, " \
                       "1 DR gap(s)"
    assert "DR GAPS: 1 name(s) have no claimant in westus" in lines[1]
    assert lines[2].startswith(f"  gap solo.{BLOB}: 10.1.0.6 claimants: rg-app/pe-east-c (eastus)")
    assert lines[3] == f"time: 2 record set write(s) in 1 zone(s); the busiest, {BLOB}, has 2: about 2 s at " \
                       f"Private DNS's 60 writes a minute per zone"
    assert f"would move shopa.{BLOB}: rg-app/pe-east-a (10.1.0.4) -> rg-app/pe-west-a (10.2.0.4)" in lines
    assert [] == emu.events("pedns-notify")  # a dry run tells nobody

    switched = pedns("switch", "--to-region", "westus", "--json", env=env)

    assert 0 == switched.returncode, switched.stderr
    doc = json.loads(switched.stdout)
    assert ({"moved": 2, "gap": 1, "pinsInForce": 2}, ["solo"]) == (
        {"moved": doc["counts"]["moved"], "gap": doc["counts"]["gap"], "pinsInForce": doc["pinsInForce"]},
        [g["name"] for g in doc["gaps"]])
    assert {(BLOB, "shopa"): ["10.2.0.4"], (BLOB, "shopb"): ["10.2.0.5"], (BLOB, "solo"): ["10.1.0.6"]} == lab.names()
    events = emu.events("pedns-notify")
    assert sorted([bodies["west-a"]["id"], bodies["west-b"]["id"]]) == sorted(e["subject"] for e in events)
    assert {("pedns.endpoint.changed", "switch", "1.1")} == {
        (e["type"], e["data"]["reason"], e["data"]["schemaVersion"]) for e in events}

    records = json.loads(pedns("records", "--json", env=emu.env()).stdout)
    pins = {d["name"]: d.get("pin") for d in records}
    assert {"region": "westus", "inForce": True} == {k: pins["shopa"][k] for k in ("region", "inForce")}
    assert pins["solo"] is None
    assert "PIN" in pedns("records", env=emu.env()).stdout.splitlines()[0]
    explained = json.loads(pedns("explain", "--json", bodies["east-a"]["id"], env=emu.env()).stdout)
    assert ["westus"] == [c["pin"]["region"] for c in explained[0]["current"] if c.get("exists")]

    cleared = pedns("switch", "--clear", env=env)

    assert 0 == cleared.returncode, cleared.stderr
    assert {(BLOB, "shopa"): ["10.1.0.4"], (BLOB, "shopb"): ["10.1.0.5"], (BLOB, "solo"): ["10.1.0.6"]} == lab.names()
    assert cleared.stdout.splitlines()[-1] == "2 moved, 0 pinned, 0 unpinned, 0 unchanged, 0 gap(s), 0 failed; " \
                                              "0 pin(s) in force"
    assert {"clear"} == {e["data"]["reason"] for e in emu.events("pedns-notify")[2:]}


@pytest.mark.parametrize("args, message", [
    (["--to-region", "west-us"], "--to-region 'west-us' is not a region of AzureCloud (did you mean westus"),
    (["--to-region", "westus", "--clear"], "argument --clear: not allowed with argument --to-region"),
    ([], "one of the arguments --to-region --clear is required"),
    (["--clear", "--zone", "not a zone"], "--zone not a zone is not a DNS zone name"),
    (["--clear", "--name", "a b"], "--name a b is not a record name"),
], ids=["unknown-region", "clear-and-region", "neither", "bad-zone", "bad-name"])
def test_bad_input_is_one_line_exit_2_and_nothing_is_read_or_written(lab, emu, args, message):
    emu.clear_requests()

    result = pedns("switch", *args, env=emu.env())

    assert (2, "", []) == (result.returncode, result.stdout, emu.requests)
    assert 1 == len(result.stderr.splitlines()) and message in result.stderr, result.stderr


def test_a_zone_the_hub_does_not_have_is_refused_before_any_write(lab, emu):
    _estate(lab, emu)
    before = lab.names()

    result = pedns("switch", "--to-region", "westus", "--zone", "privatelink.nowhere.example", env=emu.env())

    assert (2, before) == (result.returncode, lab.names())
    assert "not a private DNS zone of the hub" in result.stderr
