"""Name binding end to end: an endpoint to storage account `contoso` reporting a name that merely
starts or ends with `contoso` (another team's account) publishes nothing, through the function app,
the real SDK clients and the emulator."""

from __future__ import annotations

import json

import pytest

from tools.lab import delivery

pytestmark = pytest.mark.integration

BLOB = "privatelink.blob.core.windows.net"


@pytest.mark.parametrize("other", ["contosoprod", "xcontoso"])
def test_an_endpoint_to_contoso_reporting_a_longer_accounts_name_writes_nothing(lab, app_env, host, emu, other):
    owner = lab.blob_endpoint("pe-owner", other, "10.0.9.4")  # the other team's account, already published
    lab.put_endpoint(owner)
    [ok] = host.deliver(delivery(lab.event(owner["id"])))
    assert ok.ok, ok.error
    before = lab.records()
    pe = lab.endpoint_body("pe-contoso", target=lab.storage_id("contoso"), group="blob",
                           dns={f"{other}.blob.core.windows.net": ["10.66.6.6"]})
    lab.put_endpoint(pe)
    emu.clear_requests()

    [ok] = host.deliver(delivery(lab.event(pe["id"])))
    response = host.http("replay", body={"privateEndpointIds": [pe["id"]]})

    assert ok.ok, ok.error
    [result] = json.loads(response.get_body())["results"]
    assert ([], [(f"{other}.blob.core.windows.net", "name-mismatch")]) == (
        result["records"], [(s["fqdn"], s["reason"]) for s in result["skipped"]])
    assert ({(BLOB, other): ["10.0.9.4"]}, before) == (lab.names(), lab.records())
    assert [] == [(m, p) for m, p, _ in emu.requests if m != "GET"]


def test_an_endpoint_to_contoso_publishes_its_own_name(lab, app_env, host):
    pe = lab.blob_endpoint("pe-contoso", "contoso", "10.0.9.5")
    lab.put_endpoint(pe)

    [ok] = host.deliver(delivery(lab.event(pe["id"])))

    assert (True, {(BLOB, "contoso"): ["10.0.9.5"]}) == (ok.ok, lab.names())
