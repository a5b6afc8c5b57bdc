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


# --- settings that cannot work are refused at once (issue 22) -----------------------------------------

SUB = "00000000-0000-4000-8000-0000000000a1"
VNET = f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub"


@pytest.mark.parametrize("value", ["x", "0000000000004000800000000000000a", f"{{{SUB}}}", f"urn:uuid:{SUB}", SUB + "0"],
                         ids=["word", "no-hyphens", "braces", "urn", "too-long"])
def test_a_dns_subscription_that_is_not_a_guid_is_refused(value):
    """The repro: `PEDNS_DNS_SUBSCRIPTION_ID=x` was accepted and failed later with HTTP 400. The other
    spellings uuid.UUID accepts never match an id ARM sends."""
    assert (f"invalid settings: PEDNS_DNS_SUBSCRIPTION_ID: {value!r} is not a subscription id (a GUID: "
            "8-4-4-4-12 hexadecimal digits)") == refusal({**EMULATOR, "PEDNS_DNS_SUBSCRIPTION_ID": value})


@pytest.mark.parametrize("name", ["PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_SOURCE_SUBSCRIPTIONS", "PEDNS_TENANT_ID"])
def test_every_setting_holding_a_subscription_or_tenant_id_must_be_a_guid(name):
    assert f"{name}: 'contoso' is not a " in refusal({**EMULATOR, name: "contoso"})


def test_a_subscription_or_tenant_id_in_capitals_is_accepted():
    settings = Settings.from_env({**EMULATOR, "PEDNS_DNS_SUBSCRIPTION_ID": SUB.upper(), "PEDNS_TENANT_ID": SUB.upper(),
                                  "PEDNS_SOURCE_SUBSCRIPTIONS": f"{SUB.upper()}, {SUB}"})

    assert (SUB.upper(), SUB.upper(), (SUB, SUB)) == (
        settings.dns_subscription_id, settings.tenant_id, settings.source_subscriptions)


@pytest.mark.parametrize("value", ["rg/../x", "rg/x", "rg?api-version=1", "rg%2Fx", "rg#x", "rg x", "rg.", "r" * 91,
                                   "rg-\u00e9t\u00e9", "rg-\u212a"],
                         ids=["dot-dot", "slash", "query", "percent", "fragment", "space", "trailing-dot", "91-chars",
                              "non-ascii", "kelvin-sign"])
def test_a_dns_resource_group_outside_arms_rules_is_refused(value):
    """The repro: `PEDNS_DNS_RESOURCE_GROUP='rg/../x'` went into the URL as it was."""
    assert (f"invalid settings: PEDNS_DNS_RESOURCE_GROUP: {value!r} is not a resource group name (1-90 of ASCII "
            "letters, digits and '_-.()', not ending in '.')") == refusal({**EMULATOR, "PEDNS_DNS_RESOURCE_GROUP": value})


@pytest.mark.parametrize("value", ["rg-hub", "RG_Hub.dns(1)", "r", "r" * 90, "-.()_x"])
def test_a_dns_resource_group_within_arms_rules_is_accepted(value):
    assert value == Settings.from_env({**EMULATOR, "PEDNS_DNS_RESOURCE_GROUP": value}).dns_resource_group


@pytest.mark.parametrize("name", ["PEDNS_HUB_VNET_IDS", "PEDNS_PREFER_VNETS"])
@pytest.mark.parametrize("value", ["vnet-hub", VNET.replace(SUB, "x"), VNET.replace("rg-net", "rg/.."),
                                   VNET.replace("virtualNetworks", "subnets")],
                         ids=["a-name", "subscription-not-a-guid", "bad-resource-group", "not-a-network"])
def test_a_virtual_network_setting_that_is_not_a_network_id_is_refused(name, value):
    assert f"{name}: {value!r} is not a virtual network resource id" in refusal({**EMULATOR, name: f"{VNET},{value}"})


def test_virtual_network_ids_are_accepted_in_any_case_with_a_trailing_slash():
    value = f"{VNET}/,{VNET.lower()}"

    assert (f"{VNET}/", VNET.lower()) == Settings.from_env({**EMULATOR, "PEDNS_HUB_VNET_IDS": value}).hub_vnet_ids


@pytest.mark.parametrize("value, problem", [
    ('[{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example"}]',
     "PEDNS_CUSTOM_ZONES rule 1: field 'zone' is required"),
    ('{"zone": "privatelink.x.example"}', "PEDNS_CUSTOM_ZONES: must be a JSON list of rules, got dict"),
    ("[1, 2", "PEDNS_CUSTOM_ZONES is not valid JSON: Expecting ',' delimiter (line 1, column 6)"),
    ("/nonexistent/pedns-zones.json", "PEDNS_CUSTOM_ZONES file '/nonexistent/pedns-zones.json': no such file"),
], ids=["bad-rule", "not-a-list", "bad-json", "missing-file"])
def test_a_bad_custom_zones_is_listed_with_every_other_invalid_setting(value, problem):
    """The repro: a bad rule was reported alone, once the catalogue was built, after the settings had
    passed. Now it is one more entry of the one list, and the CLI exits 2."""
    from shared.outcomes import EXIT_USAGE, outcome_of

    with pytest.raises(ConfigError) as caught:
        Settings.from_env({**EMULATOR, "PEDNS_DNS_SUBSCRIPTION_ID": "x", "PEDNS_CUSTOM_ZONES": value, "PEDNS_TTL": "soon"})

    message = str(caught.value)
    assert message.startswith("invalid settings: ") and "\n" not in message
    assert ["PEDNS_DNS_SUBSCRIPTION_ID: 'x' is not a subscription id (a GUID: 8-4-4-4-12 hexadecimal digits)",
            "PEDNS_TTL: Input should be a valid integer, unable to parse string as an integer",
            problem] == message.removeprefix("invalid settings: ").split("; ")
    assert EXIT_USAGE == outcome_of(caught.value).exit_code


def test_valid_custom_zones_are_accepted(tmp_path):
    rules = '[{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example", "zone": "privatelink.x.example"}]'
    path = tmp_path / "zones.json"
    path.write_text(rules)

    assert (rules, str(path)) == (Settings.from_env({**EMULATOR, "PEDNS_CUSTOM_ZONES": rules}).custom_zones,
                                  Settings.from_env({**EMULATOR, "PEDNS_CUSTOM_ZONES": str(path)}).custom_zones)


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
