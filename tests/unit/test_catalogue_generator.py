"""The catalogue's maintenance path: docs excerpt → data (tools/gen_catalogue.py)."""

from __future__ import annotations

import pytest

from tools import gen_catalogue

HEADER = "| Private link resource type | Subresource | Private DNS zone name | Public DNS zone forwarders |\n|---|---|---|---|\n"


def source(commercial: str, footnotes: str = "") -> str:
    """A docs excerpt with `commercial` as the Commercial table and empty Government and China tables."""
    return (
        "source-repo: MicrosoftDocs/azure-docs\nsource-commit: abc123\nms.date: 01/02/2026\n\n"
        "## Commercial\n\n### Some category\n\n> [!div class=\"mx-tdBreakAll\"]\n"
        + "".join(f"> {line}\n" for line in (HEADER + commercial).splitlines())
        + f"\n{footnotes}\n\n## Government\n\n{HEADER}\n## China\n\n{HEADER}"
    )


def rows(commercial: str, footnotes: str = "") -> list[dict]:
    return gen_catalogue.build_catalogue(source(commercial, footnotes))["clouds"]["AzureCloud"]


def test_checked_in_data_and_docs_are_what_the_generator_produces() -> None:
    assert [] == gen_catalogue.stale()


def test_check_mode_exits_zero_when_nothing_is_stale() -> None:
    assert 0 == gen_catalogue.main(["--check"])


@pytest.mark.parametrize("cloud", ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"])
def test_every_cloud_section_of_the_docs_yields_rows(cloud: str) -> None:
    data = gen_catalogue.build_catalogue(gen_catalogue.SOURCE.read_text(encoding="utf-8"))

    assert [] != data["clouds"][cloud]


def test_source_commit_and_date_are_carried_into_the_data() -> None:
    assert {"document": "articles/private-link/private-endpoint-dns.md", "repo": "MicrosoftDocs/azure-docs",
            "commit": "abc123", "msDate": "01/02/2026"} == gen_catalogue.build_catalogue(source(""))["source"]


def test_a_row_with_several_subresources_becomes_one_row_per_subresource() -> None:
    table = "| Storage account (Microsoft.Storage/storageAccounts) | blob </br> blob_secondary | privatelink.blob.core.windows.net | blob.core.windows.net |\n"

    assert ["blob", "blob_secondary"] == [row["subresource"] for row in rows(table)]


def test_a_row_with_several_resource_types_becomes_one_row_per_type() -> None:
    table = "| Azure Virtual Desktop (Microsoft.DesktopVirtualization/workspaces and Microsoft.DesktopVirtualization/hostpools) | feed | privatelink.wvd.azure.cn | wvd.azure.cn |\n"

    assert ["Microsoft.DesktopVirtualization/workspaces", "Microsoft.DesktopVirtualization/hostpools"] == [
        row["resourceType"] for row in rows(table)
    ]


def test_service_name_drops_the_trailing_slash() -> None:
    table = "| Azure Automation / (Microsoft.Automation/automationAccounts) | Webhook | privatelink.azure-automation.us | azure-automation.us |\n"

    assert "Azure Automation" == rows(table)[0]["service"]


def test_a_service_listed_in_two_categories_appears_once() -> None:
    line = "| Azure Service Bus (Microsoft.ServiceBus/namespaces) | namespace | privatelink.servicebus.windows.net | servicebus.windows.net |\n"

    assert 1 == len(rows(line + line))


def test_zone_whose_footnote_forbids_an_additional_zone_sends_records_to_the_first_zone() -> None:
    table = "| Azure Container Registry (Microsoft.ContainerRegistry/registries) | registry | privatelink.azurecr.io </br> {regionName}.data.privatelink.azurecr.io<sup>1</sup> | azurecr.io </br> {regionName}.data.azurecr.io |\n"
    footnote = "<sup>1</sup>If you are using Azure Private DNS Zones, do not deploy this as an additional zone."

    assert {"suffix": "{regionName}.data.azurecr.io", "zone": "privatelink.azurecr.io"} in rows(table, footnote)[0]["rules"]


def test_informational_footnote_keeps_the_zone_and_becomes_a_note() -> None:
    table = "| Azure IoT Hub (Microsoft.Devices/IotHubs) | iotHub | privatelink.azure-devices.net<br/>privatelink.servicebus.windows.net<sup>2</sup> | azure-devices.net<br/>servicebus.windows.net |\n"
    footnote = "<sup>2</sup>To use with the IoT Hub built-in Event Hubs-compatible endpoint."

    assert "privatelink.servicebus.windows.net: To use with the IoT Hub built-in Event Hubs-compatible endpoint." == (
        rows(table, footnote)[0]["notes"]
    )


def test_forwarder_outside_every_zone_of_a_multi_zone_row_stays_unmapped() -> None:
    table = "| Azure Monitor (Microsoft.Insights/privateLinkScopes) | azuremonitor | privatelink.monitor.azure.com<br/> privatelink.blob.core.windows.net | monitor.azure.com<br/> blob.core.windows.net <br/> services.visualstudio.com |\n"

    assert ["services.visualstudio.com"] == rows(table)[0]["unmappedForwarders"]


def test_forwarder_of_a_single_zone_row_maps_to_that_zone() -> None:
    table = "| Azure Key Vault (Microsoft.KeyVault/vaults) | vault | privatelink.vaultcore.azure.net | vault.azure.net <br> vaultcore.azure.net |\n"

    assert {"suffix": "vault.azure.net", "zone": "privatelink.vaultcore.azure.net"} in rows(table)[0]["rules"]


def test_record_name_variable_is_dropped_from_a_forwarder_suffix() -> None:
    table = "| Azure Cache for Redis Enterprise (Microsoft.Cache/RedisEnterprise) | redisEnterprise | privatelink.redisenterprise.cache.azure.net | {cachename}.{region}.redisenterprise.cache.azure.net |\n"

    assert {"suffix": "{region}.redisenterprise.cache.azure.net", "zone": "privatelink.redisenterprise.cache.azure.net"} in (
        rows(table)[0]["rules"]
    )


def test_namespace_only_resource_type_is_noted() -> None:
    table = "| Azure HDInsight (Microsoft.HDInsight) | gateway | privatelink.azurehdinsight.us | azurehdinsight.us |\n"

    assert "the table names only the namespace: any resource type in it matches" == rows(table)[0]["notes"]


def test_missing_cloud_section_is_an_error() -> None:
    with pytest.raises(ValueError) as excinfo:
        gen_catalogue.parse_source("## Commercial\n\n## Government\n")

    assert "no section for ['AzureChinaCloud'] in private-endpoint-dns.md" == str(excinfo.value)


def test_region_codes_come_from_the_geo_code_table() -> None:
    data = gen_catalogue.build_regions('<GeoCodeRegionNameMap GeoCode="eus2" RegionName="East US 2" />')

    assert [{"name": "eastus2", "displayName": "East US 2", "code": "eus2"}] == data["regions"]


SUPPLEMENT = {"cloud": "AzureCloud", "resourceType": "Microsoft.Compute/diskAccesses", "subresource": "disks",
              "suffix": "{dnsZone}.blob.storage.azure.net", "zone": "privatelink.blob.core.windows.net",
              "example": "", "sources": ["s"]}
DISK_ROW = ("| Azure Managed Disks (Microsoft.Compute/diskAccesses) | disks | privatelink.blob.core.windows.net | "
            "blob.core.windows.net |\n")


def test_a_supplement_rule_is_appended_to_its_row_marked_and_noted() -> None:
    catalogue = gen_catalogue.add_supplements(gen_catalogue.build_catalogue(source(DISK_ROW)), {"rules": [SUPPLEMENT]})
    [row] = catalogue["clouds"]["AzureCloud"]

    assert ({"suffix": "{dnsZone}.blob.storage.azure.net", "zone": "privatelink.blob.core.windows.net",
             "supplement": True}, "{dnsZone}.blob.storage.azure.net: not in the table; records go into "
            "privatelink.blob.core.windows.net (a pedns supplement; sources in docs/zones.md)") == (
        row["rules"][-1], row["notes"])


def test_a_supplement_for_a_row_the_table_lacks_is_an_error() -> None:
    with pytest.raises(ValueError) as excinfo:
        gen_catalogue.add_supplements(gen_catalogue.build_catalogue(source("")), {"rules": [SUPPLEMENT]})

    assert "supplement for Microsoft.Compute/diskAccesses / disks: no such row in AzureCloud" == str(excinfo.value)
