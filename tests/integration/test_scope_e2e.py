"""Management-group scope end to end: the emulator's management groups and Resource Graph, the real
pipeline, the event path's cache refreshed when a subscription is placed under a group later."""

from __future__ import annotations

import logging

import pytest

from shared.errors import InvalidInput
from shared.parsing.events import parse_event
from shared.usecases.scope import EARLY_REFRESH_SECONDS
from shared.settings import Settings
from shared.testing import InMemoryMetrics
from shared.wiring import build_service
from tools.lab import Lab

pytestmark = pytest.mark.integration

NEW_SPOKE = "00000000-0000-4000-8000-0000000000b2"


class Clock:
    now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_subscription_placed_under_the_group_after_start_is_served(emu, caplog):
    emu.add_management_group("corp")
    emu.add_management_group("corp-eu", parent="corp")
    emu.move_subscription(emu.spoke_subscription, "corp-eu")
    env = {**emu.env(), "PEDNS_SOURCE_SUBSCRIPTIONS": "", "PEDNS_SOURCE_MANAGEMENT_GROUPS": "corp"}
    service = build_service(Settings.from_env(env))
    clock = Clock()
    service.scope._clock = clock  # noqa: SLF001 - the scope's refresh timing, without waiting a minute
    service.metrics = metrics = InMemoryMetrics()
    lab = Lab(emu.env(), spoke_subscription=NEW_SPOKE)
    lab.create_zones("privatelink.blob.core.windows.net")
    body = lab.blob_endpoint("pe-new", "newacct", "10.0.7.4")
    lab.put_endpoint(body)
    event = parse_event(lab.event(body["id"]))

    with caplog.at_level(logging.WARNING), pytest.raises(InvalidInput, match="not in scope"):
        service.handle_event(event)
    refused = metrics.total("events_refused_scope")
    emu.move_subscription(NEW_SPOKE, "corp-eu")  # the platform team files the new spoke under the group
    clock.now += EARLY_REFRESH_SECONDS
    [result] = service.handle_event(event)

    assert (1, "converged") == (refused, result.status)
    assert {("privatelink.blob.core.windows.net", "newacct"): ["10.0.7.4"]} == lab.names()
    assert any(NEW_SPOKE in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    graph = [p for m, p, _ in emu.requests if "resourcegraph" in p.lower()]
    assert 2 == len(graph)  # one scope resolution at the first event, one early refresh
