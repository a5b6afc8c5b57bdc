"""Shared fixtures: the local ARM emulator over HTTPS, a lab seeded through the real SDKs, and the
function app invoked the way the Functions worker invokes it."""

from __future__ import annotations

import pytest

import emulator
from shared.settings import SETTING_NAMES
from tools.lab import Lab

HUB_ZONES = (
    "privatelink.blob.core.windows.net",
    "privatelink.documents.azure.com",
    "privatelink.vaultcore.azure.net",
    "privatelink.database.windows.net",
)


@pytest.fixture
def emu(request):
    """The ARM emulator with its Azure-like defaults: Resource Graph lags 2 s behind ARM. A test that
    writes an endpoint and at once lists it through Resource Graph (a reconcile, an approval, an
    audit) says so with `@pytest.mark.graph_lag_ms(0)`; on Azure it would have to wait."""
    marker = request.node.get_closest_marker("graph_lag_ms")
    with emulator.Emulator(faults=emulator.Faults(graph_lag_ms=marker.args[0]) if marker else None) as server:
        yield server


@pytest.fixture
def lab(emu):
    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
    lab.create_zones(*HUB_ZONES)
    yield lab
    lab.close()


@pytest.fixture
def app_env(emu, lab, monkeypatch):
    """App settings pointing the function app at the emulator (as `pedns emulator` prints them)."""
    from functions import _runtime

    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PEDNS_RECONCILE_SCHEDULE", "0 */15 * * * *")
    _runtime.reset()
    yield emu.env()
    _runtime.reset()


@pytest.fixture(scope="session")
def host():
    import function_app
    from tools.functions_host import FunctionsHost

    return FunctionsHost(function_app.app)
