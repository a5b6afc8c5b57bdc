"""`pedns resolve` end to end over HTTPS: the estate of `resolution_estate` (a hub resolver, two spokes
using it, a spoke with its own DNS, a ruleset diverting blob.core.windows.net, an unlinked zone, a
link with the public fallback, a looping rule); each case's verdict and steps, reads only."""

from __future__ import annotations

import json

import pytest

import emulator
from integration.resolution_estate import ON_PREM, SPOKE_OWN_DNS, seed
from integration.test_cli import pedns

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world():
    with emulator.Emulator(faults=emulator.Faults(graph_lag_ms=0)) as emu:
        estate = seed(emu)
        yield emu, estate, {**emu.env(), "PEDNS_HUB_DNS_SERVERS": estate.settings["PEDNS_HUB_DNS_SERVERS"]}


CASES = [  # (id, name, network attribute, verdict, a step or the why must say)
    ("spoke-by-dns-servers", "published.blob.core.windows.net", "spoke_a", "private", "inbound endpoint"),
    ("spoke-by-ruleset", "published.blob.core.windows.net", "spoke_b", "private", "rule windows-net (windows.net.)"),
    ("diverting-ruleset", "published.blob.core.windows.net", "spoke_c", "forwarded-elsewhere", ON_PREM),
    ("longest-rule-back-to-the-hub", "published.privatelink.blob.core.windows.net", "spoke_c", "private",
     "rule privatelink-blob"),
    ("own-dns", "published.blob.core.windows.net", "spoke_own", "forwarded-elsewhere", SPOKE_OWN_DNS),
    ("fallback-link", "kv.vault.azure.net", "spoke_a", "public", "NxDomainRedirect"),
    ("no-record-no-fallback", "nothere.blob.core.windows.net", "spoke_a", "nxdomain", "no public fallback"),
    ("unlinked-zone", "orders.database.windows.net", "spoke_a", "public", "privatelink.database.windows.net is not linked"),
    ("loop", "app.loop.contoso.com", "spoke_a", "loop", "linked to the same ruleset"),
    ("no-private-zone-known", "www.example.com", "spoke_b", "public", "knows no privatelink zone"),
]


@pytest.mark.parametrize(("name", "where", "verdict", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_resolve_gives_the_verdict_and_the_steps_of_each_path(world, name, where, verdict, says):
    emu, estate, env = world

    result = pedns("resolve", name, "--from", getattr(estate, where), "--json", env=env)

    assert 0 == result.returncode, result.stderr
    doc = json.loads(result.stdout)
    assert verdict == doc["verdict"], doc
    assert any(says in line for line in [*doc["steps"], doc["why"]]), doc
    assert doc["remedy"]


def test_a_private_answer_names_the_ips_the_zone_and_the_holder(world):
    emu, estate, env = world

    doc = json.loads(pedns("resolve", "published.blob.core.windows.net", "--from", estate.spoke_b, "--json", env=env).stdout)

    assert (["10.1.0.4"], estate.zones["privatelink.blob.core.windows.net"]) == (doc["ips"], doc["zone"])
    assert doc["holder"].endswith("/privateEndpoints/pe-published")


def test_resolve_only_reads(world):
    emu, estate, env = world
    emu.clear_requests()

    pedns("resolve", "published.blob.core.windows.net", "--from", estate.spoke_a, env=env)

    assert [] == [(m, p) for m, p, _ in emu.requests if m != "GET" and "resourcegraph" not in p.lower()]
    assert any("dnsforwardingrulesets" in p.lower() for _, p, _ in emu.requests)


def test_the_text_output_numbers_the_steps_and_ends_with_the_verdict_and_remedy(world):
    emu, estate, env = world

    out = pedns("resolve", "nothere.blob.core.windows.net", "--from", estate.spoke_a, env=env).stdout.splitlines()

    assert out[1].startswith("  1. ")
    assert out[-2].startswith("verdict nxdomain: ")
    assert out[-1].startswith("remedy: publish the name")


@pytest.mark.parametrize(("args", "says"), [
    (("not a name", "--from", "{spoke}"), "not a DNS name"),
    (("a.blob.core.windows.net", "--from", "/subscriptions/x/resourceGroups/rg"), "not a virtual network resource id"),
    (("a.blob.core.windows.net",), "the following arguments are required: --from"),
], ids=["bad-name", "bad-network", "no-network"])
def test_bad_input_is_one_line_and_exit_2(world, args, says):
    emu, estate, env = world

    result = pedns("resolve", *[a.format(spoke=estate.spoke_a) for a in args], env=env)

    assert (2, 1) == (result.returncode, len(result.stderr.strip().splitlines())), result.stderr
    assert says in result.stderr


def test_a_network_that_does_not_exist_is_a_path_that_cannot_be_read_exit_1(world):
    emu, estate, env = world
    missing = estate.spoke_a.replace("vnet-spoke-a", "vnet-gone")

    result = pedns("resolve", "published.blob.core.windows.net", "--from", missing, env=env)

    assert (1, "", 1) == (result.returncode, result.stdout, len(result.stderr.strip().splitlines())), result.stderr
    assert "vnet-gone" in result.stderr


def test_rulesets_the_identity_cannot_list_make_the_verdict_unknown_and_exit_1(world):
    emu, estate, env = world
    emu.deny_actions(["Microsoft.Network/dnsForwardingRulesets/forwardingRules/read"])
    try:
        result = pedns("resolve", "published.blob.core.windows.net", "--from", estate.spoke_b, "--json", env=env)
    finally:
        emu.deny_actions([])

    assert 1 == result.returncode, result.stderr
    doc = json.loads(result.stdout)
    assert "unknown" == doc["verdict"]
    assert "forwarding rules" in doc["why"]


def test_docs_troubleshooting_shows_what_pedns_resolve_prints_word_for_word(world):
    from pathlib import Path

    emu, estate, env = world
    doc = (Path(__file__).resolve().parents[2] / "docs" / "troubleshooting.md").read_text()
    blocks = [b.split("```", 1)[0] for b in doc.split("```\n$ pedns resolve ")[1:]]
    networks = {f"$VNET_{n.upper()}": getattr(estate, n) for n in ("spoke_a", "spoke_b", "spoke_c", "spoke_own")}

    assert 7 == len(blocks)
    for block in blocks:
        command, shown = block.split("\n", 1)
        name, _, network = command.split(" ")
        result = pedns("resolve", name, "--from", networks[network], env=env)
        assert shown.rstrip("\n") == result.stdout.rstrip("\n"), name
