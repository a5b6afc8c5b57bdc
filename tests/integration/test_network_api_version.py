"""pedns reads private endpoints at the newest stable network api-version, one that carries
`ipVersionType`, and the emulator serves Azure CLI's recorded dual-stack endpoint at that version and
at the one it was recorded with (2025-05-01)."""

from __future__ import annotations

import pytest
from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient

from emulator._provider import NETWORK_API_VERSIONS
from fixtures import load
from shared.adapters.arm import NETWORK_API_VERSION, ArmEndpointReader
from shared.adapters.credentials import EmulatorCredential
from shared.core.model import ResourceId
from shared.settings import Settings

pytestmark = pytest.mark.integration

#: The first network api-version whose PrivateEndpointProperties has `ipVersionType` (azure-rest-api-specs
#: `specification/network/resource-manager/Microsoft.Network/stable/2025-03-01/privateEndpoint.json`;
#: `…/Microsoft.Network/Network/stable/2025-01-01/privateEndpoint.json` has none).
IP_VERSION_TYPE_SINCE = "2025-03-01"
#: What Azure CLI's recording read it with (tests/fixtures/README.md, `recorded-dualstack-pe-get.json`).
RECORDED_VERSION = "2025-05-01"


def test_pedns_reads_at_the_newest_network_version_the_emulator_serves_which_carries_ip_version_type():
    assert (NETWORK_API_VERSION, True) == (max(NETWORK_API_VERSIONS), NETWORK_API_VERSION >= IP_VERSION_TYPE_SINCE)
    assert RECORDED_VERSION in NETWORK_API_VERSIONS


def get(emu, path: str, version: str) -> tuple[int, dict]:
    client = ARMPipelineClient(base_url=emu.base_url, policies=[], connection_verify=emu.ca_path)
    request = HttpRequest("GET", f"{emu.base_url}{path}", params={"api-version": version},
                          headers={"Authorization": "Bearer t"})
    response = client.send_request(request)
    return response.status_code, response.json()


@pytest.mark.parametrize("version", [RECORDED_VERSION, NETWORK_API_VERSION])
def test_the_recorded_dual_stack_endpoint_reads_back_as_recorded(emu, version):
    recorded = load("endpoints/recorded-dualstack-pe-get.json")
    status, _ = emu.apply("PUT", recorded["id"], recorded, api_version=RECORDED_VERSION)

    answer, served = get(emu, recorded["id"], version)

    assert (201, 200) == (status, answer)
    assert ({k: v for k, v in recorded.items() if k != "etag"}, "DualStack") == (
        {k: v for k, v in served.items() if k != "etag"}, served["properties"]["ipVersionType"])


def test_pedns_reads_the_recorded_dual_stack_endpoint_through_the_emulator(emu):
    recorded = load("endpoints/recorded-dualstack-pe-get.json")
    emu.apply("PUT", recorded["id"], recorded, api_version=RECORDED_VERSION)
    emu.clear_requests()
    reader = ArmEndpointReader(EmulatorCredential(), Settings.from_env(emu.env()))

    pe = reader.get(ResourceId(recorded["id"]))

    assert [("saplr000002.blob.core.windows.net", ("10.0.1.5", "fd00:db8:0:1::5"))] == [
        (c.fqdn, tuple(c.ips)) for c in pe.dns_configs]
    assert {200} == {status for _, _, status in emu.requests}  # the emulator took pedns's api-version


def test_a_network_version_the_emulator_does_not_serve_is_refused_as_arm_refuses_it(emu):
    recorded = load("endpoints/recorded-dualstack-pe-get.json")
    emu.apply("PUT", recorded["id"], recorded, api_version=RECORDED_VERSION)

    status, body = get(emu, recorded["id"], "2025-11-01")

    assert (400, "NoRegisteredProviderFound") == (status, body["error"]["code"])
    assert NETWORK_API_VERSION in body["error"]["message"]
