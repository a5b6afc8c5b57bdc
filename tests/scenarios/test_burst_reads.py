"""An event redelivered during a burst (issue 19): its first attempt stored the claim as intent, so
the name is read live, and two reads a try would exhaust the zone's 200 GETs a minute while the
creates wait. When the zone could not take a create within the patience, the event is handed back
before any read (`WriteCapacity.ready`, called by `shared/usecases/name.py`)."""

from __future__ import annotations

import pytest

from builders import endpoint
from shared.core.model import RecordKey
from shared.core.ports import Unlimited
from shared.errors import TransientError, WouldWait
from worlds import BLOB


class CreatesFull(Unlimited):
    """The zone's create window is full beyond the patience; anything else has room."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def ready(self, zone, action):
        self.asked.append((zone, action))
        if action == "create":
            raise WouldWait(f"{zone}: the next create slot is 40 s away")


def redelivered(make_world):
    """An endpoint whose first attempt stored its intent in the index, then failed before writing."""
    w = make_world()
    pe = endpoint("burst")
    w.put(pe)
    key = RecordKey(BLOB, "burstacct")
    w.service.index.store(pe.id, {key})
    return w, pe, key


def test_a_redelivered_event_is_handed_back_before_reading_when_the_zone_cannot_take_a_create(make_world):
    w, pe, key = redelivered(make_world)
    w.service.capacity = capacity = CreatesFull()
    reads: list[RecordKey] = []
    store_get = w.service.store.get
    w.service.store.get = lambda k, *a, **kw: reads.append(k) or store_get(k, *a, **kw)

    with pytest.raises(WouldWait) as raised:
        w.service.converge(pe.id)

    assert isinstance(raised.value, TransientError)  # so Event Grid redelivers (shared/outcomes.py)
    assert ([], [(BLOB, "create")], {}) == (reads, capacity.asked, w.zone())


def test_with_room_the_redelivered_event_reads_the_name_and_creates_it(make_world):
    w, pe, key = redelivered(make_world)

    result = w.service.converge(pe.id)

    assert "converged" == result.status
    assert {"burstacct.privatelink.blob.core.windows.net": ("10.0.1.4",)} == w.zone()
