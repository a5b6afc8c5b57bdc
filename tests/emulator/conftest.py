"""Fixtures: an emulator per test and the real Azure SDK clients pointed at it over HTTPS."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

try:
    import emulator  # noqa: F401
except ImportError:  # pytest run without the repository root on sys.path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from emu_helpers import MANAGEMENT_SCOPE, ZONE, StaticCredential

from emulator import Emulator, Faults


@pytest.fixture
def emu(request):
    """An emulator with its defaults (Resource Graph 2 s behind ARM), or the lag a test's
    `@pytest.mark.graph_lag_ms(…)` asks for."""
    marker = request.node.get_closest_marker("graph_lag_ms")
    with Emulator(faults=Faults(graph_lag_ms=marker.args[0]) if marker else None) as running:
        yield running


@pytest.fixture
def dns(emu: Emulator) -> PrivateDnsManagementClient:
    """The Private DNS SDK client against the hub subscription, without retries (tests see every answer)."""
    return PrivateDnsManagementClient(
        StaticCredential(), emu.hub_subscription, base_url=emu.base_url, connection_verify=emu.ca_path, retry_total=0,
    )


@pytest.fixture
def arm(emu: Emulator) -> ARMPipelineClient:
    return ARMPipelineClient(
        base_url=emu.base_url,
        policies=[RetryPolicy(retry_total=0), BearerTokenCredentialPolicy(StaticCredential(), MANAGEMENT_SCOPE)],
        connection_verify=emu.ca_path,
    )


@pytest.fixture
def zone(emu: Emulator, dns: PrivateDnsManagementClient) -> str:
    dns.private_zones.begin_create_or_update(emu.hub_resource_group, ZONE, {"location": "global"}).result()
    return ZONE


