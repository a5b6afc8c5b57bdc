"""`pedns audit`'s resolver checks end to end over HTTPS: on the estate of `resolution_estate`, exactly
one finding of each new check and none of the look-alikes (a disabled rule, a rule at the hub's
servers, a rule for an unrelated or look-alike domain, a spoke ruleset at the hub's inbound endpoint,
an unlinked zone no endpoint needs, a link that falls back, a zone without records), with reads only."""

from __future__ import annotations

import json

import pytest

import emulator
from integration.resolution_estate import INBOUND_IP, seed
from integration.test_cli import pedns

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world():
    with emulator.Emulator(faults=emulator.Faults(graph_lag_ms=0)) as emu:
        yield emu, seed(emu), {**emu.env(), "PEDNS_HUB_DNS_SERVERS": INBOUND_IP}


def test_the_audit_reports_exactly_the_resolver_findings_and_none_of_the_look_alikes(world):
    emu, estate, env = world
    emu.clear_requests()

    result = pedns("audit", "--json", env=env)

    assert 0 == result.returncode, result.stderr
    doc = json.loads(result.stdout)
    blob = estate.zones["privatelink.blob.core.windows.net"]
    assert [
        ("vnet-dns-bypass", estate.spoke_own),
        ("ruleset-diverts-zone", f"{estate.rulesets['rs-divert']}/forwardingRules/blob"),
        ("resolver-zone-not-linked", estate.hub_vnet),
        ("ruleset-loop", f"{estate.rulesets['rs-hub']}/forwardingRules/loop"),
        ("no-public-fallback", blob.lower()),  # hub zone ids are lower case, as zone-not-linked's are
    ] == [(f["code"], f["resource"]) for f in doc["findings"]]
    by_code = {f["code"]: f for f in doc["findings"]}
    assert ["privatelink.blob.core.windows.net"] == by_code["ruleset-diverts-zone"]["zones"]
    assert [estate.spoke_c] == by_code["ruleset-diverts-zone"]["networks"]
    assert ["privatelink.database.windows.net"] == by_code["resolver-zone-not-linked"]["missingZones"]
    assert 1 == len(by_code["no-public-fallback"]["links"])
    assert all(f["remedy"] and f["detail"] for f in doc["findings"])
    assert (3, 1) == (doc["checked"]["rulesets"], doc["checked"]["inboundEndpoints"])
    assert ({"zone-not-linked": "PEDNS_HUB_VNET_IDS is not set"}, {}) == (doc["skipped"], doc["notRun"])
    assert [] == [(m, p) for m, p, _ in emu.requests if m != "GET" and "resourcegraph" not in p.lower()]


def test_without_the_hub_dns_servers_the_diverts_check_is_skipped_and_said(world):
    emu, estate, env = world

    result = pedns("audit", env={**env, "PEDNS_HUB_DNS_SERVERS": ""})

    assert 0 == result.returncode, result.stderr
    assert "skipped ruleset-diverts-zone: PEDNS_HUB_DNS_SERVERS is not set" in result.stdout
    assert "ruleset-loop " in result.stdout  # needs no setting


def test_rules_the_identity_cannot_read_leave_the_resolver_checks_not_run_and_exit_1(world):
    emu, estate, env = world
    emu.deny_actions(["Microsoft.Network/dnsForwardingRulesets/forwardingRules/read"])
    try:
        result = pedns("audit", "--json", env=env)
    finally:
        emu.deny_actions([])

    doc = json.loads(result.stdout)
    assert 1 == result.returncode
    assert {"ruleset-diverts-zone", "resolver-zone-not-linked", "ruleset-loop"} == set(doc["notRun"])
    assert "audit reader role" in doc["notRun"]["ruleset-loop"]
    assert ["vnet-dns-bypass", "no-public-fallback"] == [f["code"] for f in doc["findings"]]
