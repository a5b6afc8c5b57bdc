"""Development-only settings stay development-only (shared.settings, shared.adapters.credentials).

`PEDNS_CREDENTIAL=emulator` (a fixed token) and `PEDNS_INDEX_CONNECTION_STRING` (Azurite) are
refused in Azure and with a real ARM endpoint; a `PEDNS_ARM_ENDPOINT` other than the cloud's own ARM
host is accepted only with the emulator credential, so a real token never leaves for another host.
Every refusal is one line naming the setting, listed with every other problem.
"""

from __future__ import annotations

import pytest

from shared.errors import ConfigError
from shared.settings import AZURE_HOST_MARKERS, CLOUDS, Settings

#: What `pedns emulator` prints, minus the CA bundle (which must exist; tests/integration use the real one).
EMULATOR = {"PEDNS_ARM_ENDPOINT": "https://127.0.0.1:8443", "PEDNS_CREDENTIAL": "emulator",
            "PEDNS_DNS_SUBSCRIPTION_ID": "00000000-0000-4000-8000-0000000000a1", "PEDNS_DNS_RESOURCE_GROUP": "rg-hub",
            "PEDNS_SOURCE_SUBSCRIPTIONS": "00000000-0000-4000-8000-0000000000b1"}
AZURITE = "UseDevelopmentStorage=true"
SECRET = "c2VjcmV0LWtleS1vZi1hLXJlYWwtYWNjb3VudA=="


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("invalid settings: ")
    return message


# --- the emulator setup keeps working --------------------------------------------------------------


def test_the_emulator_setup_is_accepted():
    settings = Settings.from_env(EMULATOR)

    assert ("emulator", "https://127.0.0.1:8443") == (settings.credential, settings.arm_base_url)


def test_the_emulator_setup_with_azurite_is_accepted():
    assert AZURITE == Settings.from_env({**EMULATOR, "PEDNS_INDEX_CONNECTION_STRING": AZURITE}).index_connection_string


@pytest.mark.parametrize("endpoint", ["https://localhost:8443", "https://emulator.internal", "https://[::1]:9443/"])
def test_the_emulator_may_run_on_any_https_host_that_is_not_arm(endpoint):
    assert "emulator" == Settings.from_env({**EMULATOR, "PEDNS_ARM_ENDPOINT": endpoint}).credential


def test_a_container_name_alone_is_not_azure():
    """Ordinary containers set CONTAINER_NAME (this test's own machine does): it is no marker."""
    assert "emulator" == Settings.from_env({**EMULATOR, "CONTAINER_NAME": "dev"}).credential


# --- the emulator credential -------------------------------------------------------------------------


def test_the_emulator_credential_with_the_default_endpoint_is_refused():
    assert ("invalid settings: PEDNS_CREDENTIAL: 'emulator' is for the local emulator only, refused with the real "
            "ARM endpoint (https://management.azure.com); set PEDNS_ARM_ENDPOINT to the emulator's") == refusal(
        {"PEDNS_CREDENTIAL": "emulator"})


@pytest.mark.parametrize("cloud", list(CLOUDS))
@pytest.mark.parametrize("endpoint_cloud", list(CLOUDS))
def test_the_emulator_credential_with_any_clouds_arm_endpoint_is_refused(cloud, endpoint_cloud):
    message = refusal({"PEDNS_CREDENTIAL": "emulator", "PEDNS_CLOUD": cloud,
                       "PEDNS_ARM_ENDPOINT": CLOUDS[endpoint_cloud][0] + "/"})

    assert f"PEDNS_CREDENTIAL: 'emulator' is for the local emulator only, refused with the real ARM endpoint " \
           f"({CLOUDS[endpoint_cloud][0]})" in message


@pytest.mark.parametrize("cloud", ["AzureUSGovernment", "AzureChinaCloud"])
def test_the_emulator_credential_with_a_national_clouds_default_endpoint_is_refused(cloud):
    assert f"real ARM endpoint ({CLOUDS[cloud][0]})" in refusal({"PEDNS_CREDENTIAL": "emulator", "PEDNS_CLOUD": cloud})


@pytest.mark.parametrize("marker", AZURE_HOST_MARKERS)
def test_the_emulator_credential_is_refused_in_azure(marker):
    assert (f"invalid settings: PEDNS_CREDENTIAL: 'emulator' is for the local emulator only, refused when running "
            f"in Azure ({marker} is set); use managed-identity") == refusal({**EMULATOR, marker: "x"})


# --- the Azurite connection string ---------------------------------------------------------------


def test_the_connection_string_with_the_real_arm_endpoint_is_refused():
    assert ("invalid settings: PEDNS_INDEX_CONNECTION_STRING: development only (Azurite), refused with the real "
            "ARM endpoint (https://management.azure.com); use PEDNS_INDEX_TABLE_ENDPOINT with managed identity") == refusal(
        {"PEDNS_INDEX_CONNECTION_STRING": AZURITE})


@pytest.mark.parametrize("marker", ["WEBSITE_INSTANCE_ID", "WEBSITE_SKU", "LEGION_SERVICE_HOST"])
def test_the_connection_string_is_refused_in_azure_without_showing_it(marker):
    value = f"AccountName=devstoreaccount1;AccountKey={SECRET};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1"

    message = refusal({**EMULATOR, "PEDNS_INDEX_CONNECTION_STRING": value, marker: "x"})

    assert f"PEDNS_INDEX_CONNECTION_STRING: development only (Azurite), refused when running in Azure ({marker}" in message
    assert SECRET not in message


# --- PEDNS_ARM_ENDPOINT --------------------------------------------------------------------------


@pytest.mark.parametrize("credential", ["auto", "managed-identity", "default"])
@pytest.mark.parametrize("endpoint", ["https://attacker.example", "https://127.0.0.1:8443",
                                      "https://management.azure.com.attacker.example"])
def test_another_host_is_refused_for_every_real_credential(credential, endpoint):
    message = refusal({"PEDNS_CREDENTIAL": credential, "PEDNS_ARM_ENDPOINT": endpoint})

    assert "PEDNS_ARM_ENDPOINT: " in message and "is not the ARM endpoint of AzureCloud (management.azure.com)" in message
    assert "only with PEDNS_CREDENTIAL=emulator" in message


@pytest.mark.parametrize("cloud", list(CLOUDS))
def test_the_clouds_own_arm_host_is_accepted_with_a_real_credential(cloud):
    endpoint = CLOUDS[cloud][0] + "/"

    settings = Settings.from_env({"PEDNS_CLOUD": cloud, "PEDNS_ARM_ENDPOINT": endpoint,
                                  "PEDNS_CREDENTIAL": "managed-identity"})

    assert CLOUDS[cloud][0] == settings.arm_base_url


def test_another_clouds_arm_host_is_refused():
    assert "'management.usgovcloudapi.net' is not the ARM endpoint of AzureCloud" in refusal(
        {"PEDNS_ARM_ENDPOINT": "https://management.usgovcloudapi.net"})


@pytest.mark.parametrize("endpoint", ["https://management.azure.com:8443", "https://management.azure.com/api",
                                      "https://user@management.azure.com", "https://management.azure.com/?x=1"])
def test_the_arm_host_with_a_port_path_user_or_query_is_refused(endpoint):
    assert "PEDNS_ARM_ENDPOINT: must be just https://management.azure.com" in refusal({"PEDNS_ARM_ENDPOINT": endpoint})


def test_a_malformed_endpoint_names_the_setting():
    assert "PEDNS_ARM_ENDPOINT: not a valid URL" in refusal({"PEDNS_ARM_ENDPOINT": "https://[::1"})


# --- one message for everything ------------------------------------------------------------------


def test_every_problem_is_listed_in_one_line():
    message = refusal({"PEDNS_CREDENTIAL": "emulator", "PEDNS_INDEX_CONNECTION_STRING": AZURITE, "PEDNS_TTL": "soon",
                       "WEBSITE_SITE_NAME": "pedns-hub"})

    assert all(name in message for name in ("PEDNS_TTL", "PEDNS_CREDENTIAL", "PEDNS_INDEX_CONNECTION_STRING"))


# --- the credential adapter checks again -----------------------------------------------------------


def test_the_emulator_credential_is_not_built_for_settings_that_skipped_from_env():
    from shared.adapters.credentials import make_credential

    with pytest.raises(ConfigError, match="PEDNS_CREDENTIAL: 'emulator' is for the local emulator only"):
        make_credential(Settings(PEDNS_CREDENTIAL="emulator"))


def test_the_emulator_credential_is_not_built_in_azure(monkeypatch):
    from shared.adapters.credentials import make_credential

    monkeypatch.setenv("WEBSITE_INSTANCE_ID", "0123abcd")

    with pytest.raises(ConfigError, match="WEBSITE_INSTANCE_ID is set"):
        make_credential(Settings(PEDNS_CREDENTIAL="emulator", PEDNS_ARM_ENDPOINT="https://127.0.0.1:8443"))


def test_the_emulator_credential_is_built_for_the_emulator():
    from shared.adapters.credentials import EmulatorCredential, make_credential

    assert isinstance(make_credential(Settings.from_env(EMULATOR)), EmulatorCredential)
