"""Private DNS's per-zone limits and the event path's patience, end to end through the real SDK
clients on the emulator (issue 19, item 2). The pacer's clock is a fake, so no test waits a minute."""

from __future__ import annotations

import time

import pytest

from emulator import Faults
from shared.adapters._pipeline import Pacer
from shared.adapters.credentials import make_credential
from shared.adapters.privatedns import AzureZoneStore
from shared.core.model import RecordKey, RecordSet
from builders import FakeClock
from shared.errors import TransientError, WouldWait
from shared.settings import Settings
from tools.lab import delivery

pytestmark = pytest.mark.integration

BLOB = "privatelink.blob.core.windows.net"
VAULT = "privatelink.vaultcore.azure.net"


def test_the_sdk_client_holds_the_sixty_first_create_in_one_zone_for_a_minute_and_not_in_another(lab, emu):
    clock = FakeClock(1_000.0)
    settings = Settings.from_env(emu.env())
    store = AzureZoneStore(make_credential(settings), settings, pacer=Pacer(clock=clock, sleep=clock.sleep))

    for i in range(61):
        store.create(RecordSet(RecordKey(BLOB, f"n{i}"), (f"10.0.{i // 200}.{i % 200 + 1}",), 10))
    for i in range(5):
        store.create(RecordSet(RecordKey(VAULT, f"v{i}"), ("10.1.0.1",), 10))

    assert [60.0] == [round(s) for s in clock.slept]  # the 61st blob create; the vault zone waits for nothing
    assert 61 == len([r for r in lab.records() if r["zone"] == BLOB])


def test_an_event_that_would_wait_out_a_long_retry_after_is_handed_back_to_event_grid_at_once(lab, emu, app_env,
                                                                                              host, monkeypatch):
    from functions import events

    monkeypatch.setattr(events, "EVENT_PATIENCE_SECONDS", 1.0)  # (5 s in production: a shorter test)
    first, second = (lab.blob_endpoint(f"pe-{n}", f"{n}acct", f"10.0.7.{i}") for i, n in enumerate("ab", 4))
    for pe in (first, second):
        lab.put_endpoint(pe)
    emu.set_faults(Faults(throttle=True, write_bucket=1, write_refill=0.5))  # one write, then 2 s for the next
    [ok] = host.deliver(delivery(lab.event(first["id"])))

    started = time.monotonic()
    [throttled] = host.deliver(delivery(lab.event(second["id"])))
    waited = time.monotonic() - started

    assert (True, False, WouldWait) == (ok.ok, throttled.ok, type(throttled.error))
    assert isinstance(throttled.error, TransientError)  # so Event Grid redelivers (shared/outcomes.py)
    assert waited < 1.0, f"the invocation held its worker {waited:.1f} s for a 2 s Retry-After"
    time.sleep(2.1)  # Event Grid's first redelivery comes 10 s later
    [redelivered] = host.deliver(delivery(lab.event(second["id"])))
    assert redelivered.ok and ("privatelink.blob.core.windows.net", "bacct") in lab.names()


def test_the_patience_reaches_the_threads_that_read_a_names_two_record_types(lab, emu):
    """A name's A and AAAA sets are read side by side on pool threads: they run in the caller's context."""
    from shared.adapters.patience import patience

    clock = FakeClock(1_000.0)
    settings = Settings.from_env(emu.env())
    store = AzureZoneStore(make_credential(settings), settings, pacer=Pacer(clock=clock, sleep=clock.sleep))
    for i in range(100):  # 200 record GETs: the zone's minute of gets is used up
        store.get(RecordKey(BLOB, f"x{i}"))

    with patience(5.0), pytest.raises(TransientError, match="200 gets a minute"):
        store.get(RecordKey(BLOB, "one-more"))
    assert [] == clock.slept
