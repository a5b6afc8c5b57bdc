"""Every scenario runs twice: over the in-memory ports, and end to end on the ARM emulator."""

from __future__ import annotations

import pytest

from worlds import EmulatorWorld, MemoryWorld


@pytest.fixture(params=["memory", pytest.param("emulator", marks=pytest.mark.integration)])
def make_world(request):
    if request.param == "memory":
        return MemoryWorld
    emu = request.getfixturevalue("emu")
    return lambda **options: EmulatorWorld(emu, **options)
