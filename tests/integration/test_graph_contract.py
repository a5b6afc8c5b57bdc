"""pedns's Resource Graph queries are exactly the ones the emulator answers (whitespace aside), so an
edit to either side cannot leave the end-to-end tests answering a query pedns no longer sends."""

from __future__ import annotations

import pytest

import emulator
from emulator._kql import normalise
from shared.adapters import graph
from shared.core.model import ResourceId


@pytest.mark.parametrize("name", ["ENDPOINTS_QUERY", "SUBSCRIPTIONS_QUERY", "ZONES_QUERY", "LINKS_QUERY",
                                  "NETWORKS_QUERY", "ADDRESSES_QUERY"])
def test_each_query_pedns_sends_is_one_the_emulator_answers(name):
    assert normalise(getattr(emulator, name)) == normalise(getattr(graph, name))


def test_the_target_query_matches_for_any_target():
    target = ResourceId("/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/O'Brien")

    sent = graph.TARGET_QUERY.format(target=graph.kql_string(target.key))

    assert normalise(emulator.target_query(target.value)) == normalise(sent)
