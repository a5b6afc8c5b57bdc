"""pedns's Resource Graph reader meets a 429 as Azure documents it: the quota headers
(`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`) and no `Retry-After` (Learn, "Guidance for
throttled requests in Azure Resource Graph"). Its retry must wait for the quota's reset, read from the
headers, instead of backing off blindly into more 429s."""

from __future__ import annotations

import time

import pytest

from emulator import Faults
from shared.adapters.credentials import EmulatorCredential
from shared.adapters.graph import GraphEstateReader
from shared.settings import Settings

pytestmark = pytest.mark.integration

WINDOW = 2.0


def test_a_429_without_retry_after_is_retried_once_when_the_quota_headers_say_it_resets(emu):
    emu.add_management_group("corp")
    emu.move_subscription(emu.spoke_subscription, "corp")
    emu.set_faults(Faults(throttle=True, graph_quota=1, graph_window_seconds=WINDOW))
    settings = Settings.from_env(emu.env())
    other = GraphEstateReader(EmulatorCredential(), settings)  # another instance of pedns: the same caller
    reader = GraphEstateReader(EmulatorCredential(), settings)
    first = other.subscriptions(["corp"])
    started = time.monotonic()

    listed = reader.subscriptions(["corp"])

    waited = time.monotonic() - started
    assert False is emu.faults.graph_retry_after  # the emulator's 429 names no Retry-After, as Azure's
    assert [200, 429, 200] == [status for *_, status in emu.requests]
    assert ({emu.spoke_subscription}, {emu.spoke_subscription}, True) == (first, listed, waited >= WINDOW - 0.5)
