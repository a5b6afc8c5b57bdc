"""Sovereign clouds: the ARM endpoint and the token audience follow PEDNS_CLOUD."""

from __future__ import annotations

import time

import pytest
from azure.core.credentials import AccessToken

from shared.adapters.arm import ArmEndpointReader
from shared.adapters.privatedns import AzureZoneStore
from shared.errors import NotFound
from shared.core.model import RecordKey, ResourceId
from shared.settings import Settings

pytestmark = pytest.mark.integration


class RecordingCredential:
    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.append(scopes)
        return AccessToken("t", int(time.time()) + 3600)


@pytest.mark.parametrize(
    ("cloud", "endpoint", "scope"),
    [
        ("AzureCloud", "https://management.azure.com", "https://management.azure.com/.default"),
        ("AzureUSGovernment", "https://management.usgovcloudapi.net", "https://management.usgovcloudapi.net/.default"),
        ("AzureChinaCloud", "https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"),
    ],
)
def test_each_cloud_has_its_arm_endpoint_and_audience(cloud, endpoint, scope):
    settings = Settings(PEDNS_CLOUD=cloud)

    assert (endpoint, scope) == (settings.arm_base_url, settings.token_scope)


@pytest.mark.parametrize("cloud", ["AzureUSGovernment", "AzureChinaCloud"])
def test_the_credential_is_asked_for_the_clouds_audience_even_against_the_emulator(emu, cloud):
    settings = Settings.from_env({**emu.env(), "PEDNS_CLOUD": cloud})
    credential = RecordingCredential()

    with pytest.raises(NotFound):
        ArmEndpointReader(credential, settings).get(ResourceId(
            f"/subscriptions/{emu.spoke_subscription}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/x"))
    with pytest.raises(NotFound):
        AzureZoneStore(credential, settings).get(RecordKey("privatelink.blob.core.usgovcloudapi.net", "x"))

    assert {(settings.token_scope,)} == set(credential.scopes)
