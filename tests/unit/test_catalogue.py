"""Zone catalogue: FQDNs from real endpoint payloads → (zone, record name) (shared.core.catalogue).

Endpoint bodies come from tests/fixtures/endpoints (sources in its README); the other FQDNs follow
the shapes Microsoft documents for each service.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.core.catalogue import Catalogue, CustomRule
from shared.core.regions import region_code
from shared.parsing.custom_zones import load_custom_rules
from shared.errors import ConfigError
from shared.core.model import RecordKey
from shared.settings import Settings
from tests.fixtures import example_body, load

SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-spoke-app/providers"


def target(resource_type: str, name: str = "res1") -> str:
    return f"{SUB}/{resource_type}/{name}"


def resolve(resource_type: str, group_id: str, fqdn: str, location: str = "westeurope",
            cloud: str = "AzureCloud") -> RecordKey | None:
    return Catalogue.for_cloud(cloud).resolve(
        target_id=target(resource_type), group_id=group_id, fqdn=fqdn, location=location
    )


def resolve_endpoint(body: dict, catalogue: Catalogue | None = None) -> dict[str, RecordKey | None]:
    """Every customDnsConfigs FQDN of an endpoint body, resolved for its first connection."""
    catalogue = catalogue or Catalogue.for_cloud()
    props = body["properties"]
    connection = (props["privateLinkServiceConnections"] or props["manualPrivateLinkServiceConnections"])[0]
    return {
        config["fqdn"]: catalogue.resolve(
            target_id=connection["properties"]["privateLinkServiceId"],
            group_id=connection["properties"]["groupIds"][0],
            fqdn=config["fqdn"],
            location=body["location"],
        )
        for config in props["customDnsConfigs"]
    }


# -- real payloads -------------------------------------------------------------------------------


def test_storage_blob_endpoint_gets_its_account_name_in_the_blob_zone() -> None:
    assert {"stappdata.blob.core.windows.net": RecordKey("privatelink.blob.core.windows.net", "stappdata")} == (
        resolve_endpoint(load("endpoints/storage-blob.json"))
    )


def test_cosmos_endpoint_gets_its_global_and_each_regional_name_in_the_documents_zone() -> None:
    assert {
        "cosmos-orders.documents.azure.com": RecordKey("privatelink.documents.azure.com", "cosmos-orders"),
        "cosmos-orders-westeurope.documents.azure.com":
            RecordKey("privatelink.documents.azure.com", "cosmos-orders-westeurope"),
        "cosmos-orders-northeurope.documents.azure.com":
            RecordKey("privatelink.documents.azure.com", "cosmos-orders-northeurope"),
    } == resolve_endpoint(load("endpoints/cosmos-multi-region.json"))


def test_azure_monitor_scope_endpoint_spreads_its_eight_names_over_four_zones() -> None:
    workspace = "5b6c7d8e-9f00-4a1b-8c2d-3e4f5a6b7c8d"

    assert {
        RecordKey("privatelink.monitor.azure.com", "api"),
        RecordKey("privatelink.monitor.azure.com", "global.in.ai"),
        RecordKey("privatelink.monitor.azure.com", "profiler"),
        RecordKey("privatelink.monitor.azure.com", "live"),
        RecordKey("privatelink.monitor.azure.com", "snapshot"),
        RecordKey("privatelink.oms.opinsights.azure.com", workspace),
        RecordKey("privatelink.ods.opinsights.azure.com", workspace),
        RecordKey("privatelink.agentsvc.azure-automation.net", workspace),
    } == set(resolve_endpoint(load("endpoints/ampls.json")).values())


def test_key_vault_vault_name_goes_into_the_vaultcore_zone() -> None:
    assert {"kv-app.vault.azure.net": RecordKey("privatelink.vaultcore.azure.net", "kv-app")} == (
        resolve_endpoint(load("endpoints/keyvault.json"))
    )


def test_sql_server_endpoint_gets_its_server_name_in_the_database_zone() -> None:
    assert {"sql-app.database.windows.net": RecordKey("privatelink.database.windows.net", "sql-app")} == (
        resolve_endpoint(load("endpoints/sql-server.json"))
    )


def test_manual_pending_endpoint_resolves_like_an_approved_one() -> None:
    assert [RecordKey("privatelink.blob.core.windows.net", "stpartner")] == list(
        resolve_endpoint(load("endpoints/storage-blob-manual-pending.json")).values()
    )


def test_bot_service_name_outside_every_bot_zone_is_unmapped() -> None:
    # Recorded by the Azure CLI tests: `testbot000004.Botplinks.botframework.com`, group `bot`.
    assert {"testbot000004.Botplinks.botframework.com": None} == (
        resolve_endpoint(load("endpoints/recorded-bot-pe-get-succeeded.json"))
    )


def test_private_link_service_endpoint_without_custom_rule_is_unmapped() -> None:
    assert {"abc.cosmos.com": None, "abc2.cosmos.com": None} == (
        resolve_endpoint(example_body("endpoints/spec-PrivateEndpointGet.json"))
    )


# -- services with several zones, templates and footnotes ------------------------------------------


def test_acr_data_endpoint_goes_into_the_registry_zone_not_a_regional_one() -> None:
    assert RecordKey("privatelink.azurecr.io", "acrapp.westeurope.data") == (
        resolve("Microsoft.ContainerRegistry/registries", "registry", "acrapp.westeurope.data.azurecr.io")
    )


def test_acr_data_endpoint_of_another_replica_region_keeps_that_region() -> None:
    assert RecordKey("privatelink.azurecr.io", "acrapp.eastus.data") == (
        resolve("Microsoft.ContainerRegistry/registries", "registry", "acrapp.eastus.data.azurecr.io")
    )


def test_acr_login_server_goes_into_the_registry_zone() -> None:
    assert RecordKey("privatelink.azurecr.io", "acrapp") == (
        resolve("Microsoft.ContainerRegistry/registries", "registry", "acrapp.azurecr.io")
    )


def test_sql_managed_instance_zone_carries_the_dns_prefix_of_its_fqdn() -> None:
    assert RecordKey("privatelink.0d1e2f3a4b5c.database.windows.net", "sqlmi-app") == (
        resolve("Microsoft.Sql/managedInstances", "managedInstance", "sqlmi-app.0d1e2f3a4b5c.database.windows.net")
    )


def test_backup_zone_takes_the_region_code_from_the_fqdn_not_the_endpoint_location() -> None:
    assert RecordKey("privatelink.we.backup.windowsazure.com", "2623746152678-ab-pod01-fc1") == resolve(
        "Microsoft.RecoveryServices/vaults", "AzureBackup", "2623746152678-ab-pod01-fc1.we.backup.windowsazure.com",
        location="northeurope",
    )


def test_backup_secondary_name_uses_the_secondary_region_code() -> None:
    assert RecordKey("privatelink.ne.backup.windowsazure.com", "2623746152678-ab-pod01-fc1") == resolve(
        "Microsoft.RecoveryServices/vaults", "AzureBackup_secondary",
        "2623746152678-ab-pod01-fc1.ne.backup.windowsazure.com",
    )


def test_backup_storage_name_goes_into_the_blob_zone() -> None:
    assert RecordKey("privatelink.blob.core.windows.net", "wewelcome0abcd") == (
        resolve("Microsoft.RecoveryServices/vaults", "AzureBackup", "wewelcome0abcd.blob.core.windows.net")
    )


@pytest.mark.parametrize(
    ("location", "code"),
    [("westeurope", "we"), ("West Europe", "we"), ("eastus2", "eus2"), ("usgovvirginia", "ugv"),
     ("chinanorth2", "bjb2"), ("atlantis", None)],
)
def test_region_code_comes_from_microsofts_geo_code_table(location: str, code: str | None) -> None:
    assert code == region_code(location)


def test_zone_variable_missing_from_the_fqdn_comes_from_the_endpoint_location() -> None:
    assert RecordKey("privatelink.westeurope.azurecontainerapps.io", "happy-sea-123") == (
        resolve("Microsoft.App/managedEnvironments", "managedEnvironments", "happy-sea-123.azurecontainerapps.io",
                location="West Europe")
    )


def test_batch_node_management_name_keeps_region_and_service_labels() -> None:
    assert RecordKey("privatelink.batch.azure.com", "batchapp.westeurope.service") == (
        resolve("Microsoft.Batch/batchAccounts", "nodeManagement", "batchapp.westeurope.service.batch.azure.com")
    )


def test_aks_private_fqdn_goes_into_its_subzone() -> None:
    assert RecordKey("3f2a1b0c.privatelink.westeurope.azmk8s.io", "aks-app-dns-1a2b3c4d") == resolve(
        "Microsoft.ContainerService/managedClusters", "management",
        "aks-app-dns-1a2b3c4d.3f2a1b0c.privatelink.westeurope.azmk8s.io",
    )


def test_aks_regional_name_without_subzone_goes_into_the_regional_zone() -> None:
    assert RecordKey("privatelink.westeurope.azmk8s.io", "aks-app-dns-1a2b3c4d") == resolve(
        "Microsoft.ContainerService/managedClusters", "management", "aks-app-dns-1a2b3c4d.westeurope.azmk8s.io"
    )


def test_static_web_app_with_partition_goes_into_the_partition_zone() -> None:
    assert RecordKey("privatelink.3.azurestaticapps.net", "happy-tree-0a1b2c") == (
        resolve("Microsoft.Web/staticSites", "staticSites", "happy-tree-0a1b2c.3.azurestaticapps.net")
    )


def test_static_web_app_without_partition_goes_into_the_plain_zone() -> None:
    assert RecordKey("privatelink.azurestaticapps.net", "happy-tree-0a1b2c") == (
        resolve("Microsoft.Web/staticSites", "staticSites", "happy-tree-0a1b2c.azurestaticapps.net")
    )


def test_app_service_scm_name_goes_into_the_sites_zone() -> None:
    assert RecordKey("privatelink.azurewebsites.net", "app-web.scm") == (
        resolve("Microsoft.Web/sites", "sites", "app-web.scm.azurewebsites.net")
    )


@pytest.mark.parametrize(
    ("fqdn", "zone"),
    [
        ("ai-app.cognitiveservices.azure.com", "privatelink.cognitiveservices.azure.com"),
        ("ai-app.openai.azure.com", "privatelink.openai.azure.com"),
        ("ai-app.services.ai.azure.com", "privatelink.services.ai.azure.com"),
    ],
    ids=["cognitiveservices", "openai", "foundry"],
)
def test_foundry_account_zone_is_chosen_by_fqdn_suffix(fqdn: str, zone: str) -> None:
    assert RecordKey(zone, "ai-app") == resolve("Microsoft.CognitiveServices/accounts", "account", fqdn)


@pytest.mark.parametrize(
    ("fqdn", "key"),
    [
        ("adx-app.westeurope.kusto.windows.net", RecordKey("privatelink.westeurope.kusto.windows.net", "adx-app")),
        ("kstrl0adxapp.blob.core.windows.net", RecordKey("privatelink.blob.core.windows.net", "kstrl0adxapp")),
        ("kstrl0adxapp.queue.core.windows.net", RecordKey("privatelink.queue.core.windows.net", "kstrl0adxapp")),
    ],
    ids=["cluster", "blob", "queue"],
)
def test_data_explorer_zone_is_chosen_by_fqdn_suffix(fqdn: str, key: RecordKey) -> None:
    assert key == resolve("Microsoft.Kusto/Clusters", "cluster", fqdn)


@pytest.mark.parametrize(
    ("fqdn", "key"),
    [
        ("iotc-app.azureiotcentral.com", RecordKey("privatelink.azureiotcentral.com", "iotc-app")),
        ("iotc-0a1b.azure-devices.net", RecordKey("privatelink.azure-devices.net", "iotc-0a1b")),
        ("iotc-0a1b.servicebus.windows.net", RecordKey("privatelink.servicebus.windows.net", "iotc-0a1b")),
        ("iotc-dps.azure-devices-provisioning.net", RecordKey("privatelink.azure-devices-provisioning.net", "iotc-dps")),
    ],
    ids=["app", "hub", "eventhub", "dps"],
)
def test_iot_central_zone_is_chosen_by_fqdn_suffix(fqdn: str, key: RecordKey) -> None:
    assert key == resolve("Microsoft.IoTCentral/IoTApps", "iotApp", fqdn)


def test_redis_enterprise_name_goes_into_the_redis_enterprise_zone() -> None:
    assert RecordKey("privatelink.redisenterprise.cache.azure.net", "redis-app.westeurope") == (
        resolve("Microsoft.Cache/redisEnterprise", "redisEnterprise", "redis-app.westeurope.redisenterprise.cache.azure.net")
    )


def test_azure_managed_redis_name_goes_into_the_managed_redis_zone() -> None:
    assert RecordKey("privatelink.redis.azure.net", "redis-app.westeurope") == (
        resolve("Microsoft.Cache/redisEnterprise", "redisEnterprise", "redis-app.westeurope.redis.azure.net")
    )


def test_storage_table_goes_into_the_storage_table_zone() -> None:
    assert RecordKey("privatelink.table.core.windows.net", "stapp") == (
        resolve("Microsoft.Storage/storageAccounts", "table", "stapp.table.core.windows.net")
    )


def test_cosmos_table_goes_into_the_cosmos_table_zone() -> None:
    assert RecordKey("privatelink.table.cosmos.azure.com", "cosmos-app") == (
        resolve("Microsoft.DocumentDB/databaseAccounts", "Table", "cosmos-app.table.cosmos.azure.com")
    )


def test_storage_table_name_under_a_cosmos_connection_is_unmapped() -> None:
    assert None is resolve("Microsoft.DocumentDB/databaseAccounts", "Table", "stapp.table.core.windows.net")


def test_name_of_another_subresource_is_unmapped() -> None:
    assert None is resolve("Microsoft.Storage/storageAccounts", "blob", "stapp.file.core.windows.net")


def test_name_under_no_forwarder_is_unmapped() -> None:
    assert None is resolve("Microsoft.Storage/storageAccounts", "blob", "stapp.blob.example.com")


def test_unknown_resource_type_is_unmapped() -> None:
    assert None is resolve("Microsoft.Contoso/widgets", "widget", "w1.widgets.contoso.com")


def test_azure_monitor_name_under_a_forwarder_without_zone_is_unmapped() -> None:
    assert None is resolve("Microsoft.Insights/privateLinkScopes", "azuremonitor",
                           "westeurope-5.in.applicationinsights.azure.com")


def test_underscore_in_a_name_is_kept() -> None:
    assert RecordKey("privatelink.monitor.azure.com", "applicationinsights_ingestion") == resolve(
        "Microsoft.Insights/privateLinkScopes", "azuremonitor", "applicationinsights_ingestion.monitor.azure.com"
    )


def test_fqdn_already_under_privatelink_keeps_its_name() -> None:
    assert RecordKey("privatelink.blob.core.windows.net", "stapp") == (
        resolve("Microsoft.Storage/storageAccounts", "blob", "stapp.privatelink.blob.core.windows.net")
    )


def test_lower_cased_resource_type_matches() -> None:
    assert RecordKey("privatelink.monitor.azure.com", "api") == (
        resolve("microsoft.insights/privatelinkscopes", "azuremonitor", "api.monitor.azure.com")
    )


def test_group_id_matches_in_any_case() -> None:
    assert RecordKey("privatelink.documents.azure.com", "cosmos-app") == (
        resolve("Microsoft.DocumentDB/databaseAccounts", "SQL", "cosmos-app.documents.azure.com")
    )


def test_mixed_case_fqdn_gives_a_lower_case_record() -> None:
    assert RecordKey("privatelink.blob.core.windows.net", "stapp") == (
        resolve("Microsoft.Storage/storageAccounts", "blob", "StApp.Blob.Core.Windows.NET.")
    )


def test_malformed_fqdn_is_unmapped() -> None:
    assert None is resolve("Microsoft.Storage/storageAccounts", "blob", "st app..blob.core.windows.net")


# -- other clouds ------------------------------------------------------------------------------------


def test_government_key_vault_goes_into_the_government_vaultcore_zone() -> None:
    assert RecordKey("privatelink.vaultcore.usgovcloudapi.net", "kv-app") == resolve(
        "Microsoft.KeyVault/vaults", "vault", "kv-app.vault.usgovcloudapi.net", location="usgovvirginia",
        cloud="AzureUSGovernment",
    )


def test_government_row_with_namespace_only_matches_any_type_in_it() -> None:
    assert RecordKey("privatelink.azurehdinsight.us", "hdi-app") == resolve(
        "Microsoft.HDInsight/clusters", "gateway", "hdi-app.azurehdinsight.us", location="usgovvirginia",
        cloud="AzureUSGovernment",
    )


def test_government_backup_uses_the_government_region_code() -> None:
    assert RecordKey("privatelink.ugv.backup.windowsazure.us", "123-ab-pod01-fc1") == resolve(
        "Microsoft.RecoveryServices/vaults", "AzureBackup", "123-ab-pod01-fc1.ugv.backup.windowsazure.us",
        location="usgovvirginia", cloud="AzureUSGovernment",
    )


def test_government_acr_data_endpoint_is_not_read_as_a_region_named_data() -> None:
    assert RecordKey("privatelink.azurecr.us", "acrapp.usgovvirginia.data") == resolve(
        "Microsoft.ContainerRegistry/registries", "registry", "acrapp.usgovvirginia.data.azurecr.us",
        location="usgovvirginia", cloud="AzureUSGovernment",
    )


def test_region_newer_than_the_geo_code_table_is_taken_from_the_fqdn() -> None:
    assert RecordKey("privatelink.italynorth.kusto.windows.net", "adx-app") == (
        resolve("Microsoft.Kusto/Clusters", "cluster", "adx-app.italynorth.kusto.windows.net", location="westeurope")
    )


def test_china_blob_goes_into_the_china_blob_zone() -> None:
    assert RecordKey("privatelink.blob.core.chinacloudapi.cn", "stapp") == resolve(
        "Microsoft.Storage/storageAccounts", "blob", "stapp.blob.core.chinacloudapi.cn", location="chinaeast2",
        cloud="AzureChinaCloud",
    )


def test_commercial_name_is_unmapped_in_the_china_cloud() -> None:
    assert None is resolve("Microsoft.Storage/storageAccounts", "blob", "stapp.blob.core.windows.net",
                           location="chinaeast2", cloud="AzureChinaCloud")


def test_cloud_name_matches_in_any_case() -> None:
    assert "AzureUSGovernment" == Catalogue.for_cloud("azureusgovernment").cloud


def test_unknown_cloud_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as excinfo:
        Catalogue.for_cloud("AzureGermanCloud")

    assert "unknown cloud 'AzureGermanCloud': expected one of AzureCloud, AzureUSGovernment, AzureChinaCloud" == (
        str(excinfo.value)
    )


def test_catalogue_without_custom_rules_is_built_once_per_cloud() -> None:
    assert Catalogue.for_cloud("AzureCloud") is Catalogue.for_cloud("AzureCloud")


def test_every_row_belongs_to_the_requested_cloud() -> None:
    assert {"AzureChinaCloud"} == {row.cloud for row in Catalogue.for_cloud("AzureChinaCloud").rows}


def test_docs_version_names_the_docs_commit_and_date() -> None:
    assert "articles/private-link/private-endpoint-dns.md @ MicrosoftDocs/azure-docs 60a891b2d9ec " \
           "(ms.date 08/11/2026)" == Catalogue.for_cloud().docs_version


def test_lookup_names_the_row_that_decided() -> None:
    row, _ = Catalogue.for_cloud().lookup(
        target_id=target("Microsoft.Cache/redisEnterprise"), group_id="redisEnterprise",
        fqdn="redis-app.westeurope.redis.azure.net", location="westeurope",
    )

    assert "Azure Managed Redis" == row.service


# -- custom rules ------------------------------------------------------------------------------------

PLS_ID = f"{SUB}/Microsoft.Network/privateLinkServices/pls-partner"


def test_custom_rules_load_from_inline_json() -> None:
    rules = load_custom_rules(json.dumps([
        {"privateLinkServiceId": PLS_ID, "fqdnSuffix": "api.partner.example", "zone": "privatelink.partner.example",
         "service": "Partner API"},
    ]))

    assert (CustomRule(private_link_service_id=PLS_ID, fqdn_suffix="api.partner.example",
                       zone="privatelink.partner.example", service="Partner API"),) == rules


def test_custom_rules_load_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "zones.json"
    path.write_text(json.dumps([{"resourceType": "Microsoft.Contoso/widgets", "subresource": "widget",
                                 "fqdnSuffix": "widgets.contoso.com", "zone": "privatelink.widgets.contoso.com"}]))

    assert (CustomRule(resource_type="Microsoft.Contoso/widgets", subresource="widget",
                       fqdn_suffix="widgets.contoso.com", zone="privatelink.widgets.contoso.com"),) == (
        load_custom_rules(str(path))
    )


def test_empty_setting_means_no_custom_rules() -> None:
    assert () == load_custom_rules("  ")


def test_custom_rule_by_private_link_service_id_maps_the_spec_endpoint() -> None:
    body = example_body("endpoints/spec-PrivateEndpointGet.json")
    pls = body["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"]
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(private_link_service_id=pls.upper(), fqdn_suffix="cosmos.com", zone="privatelink.cosmos.com"),
    ])

    assert {"abc.cosmos.com": RecordKey("privatelink.cosmos.com", "abc"),
            "abc2.cosmos.com": RecordKey("privatelink.cosmos.com", "abc2")} == resolve_endpoint(body, catalogue)


def test_custom_rule_for_one_private_link_service_ignores_another() -> None:
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(private_link_service_id=PLS_ID, fqdn_suffix="api.partner.example", zone="privatelink.partner.example"),
    ])

    assert None is catalogue.resolve(
        target_id=f"{SUB}/Microsoft.Network/privateLinkServices/pls-other", group_id="",
        fqdn="svc.api.partner.example", location="westeurope",
    )


def test_custom_rule_by_resource_type_maps_a_service_newer_than_the_table() -> None:
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(resource_type="Microsoft.Contoso/widgets", fqdn_suffix="widgets.contoso.com",
                   zone="privatelink.widgets.contoso.com"),
    ])

    assert RecordKey("privatelink.widgets.contoso.com", "w1") == catalogue.resolve(
        target_id=target("microsoft.contoso/widgets"), group_id="widget", fqdn="w1.widgets.contoso.com",
        location="westeurope",
    )


def test_custom_rule_with_a_subresource_ignores_other_subresources() -> None:
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(resource_type="Microsoft.Contoso/widgets", subresource="widget", fqdn_suffix="widgets.contoso.com",
                   zone="privatelink.widgets.contoso.com"),
    ])

    assert None is catalogue.resolve(
        target_id=target("Microsoft.Contoso/widgets"), group_id="gadget", fqdn="w1.widgets.contoso.com",
        location="westeurope",
    )


def test_custom_rule_comes_before_microsofts_row() -> None:
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(resource_type="Microsoft.Storage/storageAccounts", subresource="blob",
                   fqdn_suffix="blob.core.windows.net", zone="privatelink.blob.contoso.internal"),
    ])

    assert RecordKey("privatelink.blob.contoso.internal", "stapp") == catalogue.resolve(
        target_id=target("Microsoft.Storage/storageAccounts"), group_id="blob", fqdn="stapp.blob.core.windows.net",
        location="westeurope",
    )


def test_custom_rules_are_listed_after_microsofts_rows() -> None:
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(private_link_service_id=PLS_ID, fqdn_suffix="api.partner.example", zone="privatelink.partner.example"),
    ])

    assert [(True, "Microsoft.Network/privateLinkServices", ("privatelink.partner.example",))] == [
        (row.custom, row.resource_type, row.zones) for row in catalogue.rows[len(Catalogue.for_cloud().rows):]
    ]


#: A rule binding names (the default spelled out), as one JSON object.
BOUND_RULE = ('{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example", "zone": "privatelink.x.example", '
              '"bindName": true}')


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[1, 2", "PEDNS_CUSTOM_ZONES is not valid JSON: Expecting ',' delimiter (line 1, column 6)"),
        ('[{"zone": NaN}]', "PEDNS_CUSTOM_ZONES is not valid JSON: NaN is not a JSON value"),
        (f'[{BOUND_RULE[:-1]}, "bindName": false}}]', 'PEDNS_CUSTOM_ZONES is not valid JSON: duplicate key "bindName"'),
        ('[{"zone": "privatelink.x.example", "ttl": 1e999}]',
         "PEDNS_CUSTOM_ZONES is not valid JSON: number 1e999 overflows to infinity"),
        ("[" * 100 + "]" * 100, "PEDNS_CUSTOM_ZONES nests deeper than 64 levels (at offset 64)"),
        ('{"zone": "privatelink.x.example"}', "PEDNS_CUSTOM_ZONES: must be a JSON list of rules, got dict"),
        ('["privatelink.x.example"]', "PEDNS_CUSTOM_ZONES rule 1: must be a JSON object, got str"),
        ('[{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example"}]',
         "PEDNS_CUSTOM_ZONES rule 1: field 'zone' is required"),
        ('[{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example", "zone": "privatelink.x.example", '
         '"zones": "y"}]',
         "PEDNS_CUSTOM_ZONES rule 1: unknown field 'zones' (allowed: resourceType, privateLinkServiceId, "
         "subresource, fqdnSuffix, zone, service, bindName)"),
        ('[{"fqdnSuffix": "x.example", "zone": "privatelink.x.example"}]',
         "PEDNS_CUSTOM_ZONES rule 1 (privatelink.x.example): field 'resourceType' or 'privateLinkServiceId' is "
         "required, and only one of them"),
        ('[{"resourceType": "widgets", "fqdnSuffix": "x.example", "zone": "privatelink.x.example"}]',
         "PEDNS_CUSTOM_ZONES rule 1 (privatelink.x.example): field 'resourceType' must look like "
         "'Microsoft.Service/type', got 'widgets'"),
        (f'[{{"privateLinkServiceId": "{SUB}/Microsoft.Storage/storageAccounts/st", "fqdnSuffix": "x.example", '
         f'"zone": "privatelink.x.example"}}]',
         f"PEDNS_CUSTOM_ZONES rule 1 (privatelink.x.example): field 'privateLinkServiceId' must be a Private Link "
         f"Service resource id, got '{SUB}/Microsoft.Storage/storageAccounts/st'"),
        ('[{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example", "zone": "privatelink.x.example"},'
         ' {"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "x.example", "zone": "not a zone"}]',
         "PEDNS_CUSTOM_ZONES rule 2 (not a zone): field 'zone' must be a lower-case DNS name with at least two "
         "labels, got 'not a zone'"),
        ('[{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": 7, "zone": "privatelink.x.example"}]',
         "PEDNS_CUSTOM_ZONES rule 1: field 'fqdnSuffix' must be a string, got int"),
        ("/nonexistent/pedns-zones.json", "PEDNS_CUSTOM_ZONES file '/nonexistent/pedns-zones.json': no such file"),
    ],
    ids=["bad-json", "nan", "duplicate-key", "number-overflowing", "too-deep", "not-a-list", "not-an-object", "missing-zone", "unknown-field", "no-target", "bad-type",
         "not-a-pls-id", "bad-zone", "not-a-string", "missing-file"],
)
def test_invalid_custom_rules_raise_one_line_naming_rule_and_field(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_custom_rules(value)

    assert message == str(excinfo.value)


def test_a_rule_stating_bind_name_twice_in_a_file_is_refused_not_read_as_the_last(tmp_path) -> None:
    path = tmp_path / "zones.json"
    path.write_text(f'[{BOUND_RULE[:-1]}, "bindName": false}}]')
    assert 1 == len(load_custom_rules(f"[{BOUND_RULE}]"))

    with pytest.raises(ConfigError) as excinfo:
        load_custom_rules(str(path))

    assert f'PEDNS_CUSTOM_ZONES file {str(path)!r} is not valid JSON: duplicate key "bindName"' == str(excinfo.value)


@pytest.mark.parametrize(("value", "message"), [
    pytest.param(f'[{BOUND_RULE[:-1]}, "bindName": false}}]', 'duplicate key "bindName"', id="duplicate-key"),
    pytest.param(f'[{BOUND_RULE[:-1]}, "x": -1e999}}]', "number -1e999 overflows to infinity", id="number-overflowing"),
])
def test_the_settings_refuse_inline_custom_zones_that_are_not_strict_json(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        Settings.from_env({"PEDNS_CUSTOM_ZONES": value})

    assert f"invalid settings: PEDNS_CUSTOM_ZONES is not valid JSON: {message}" == str(excinfo.value)


def test_custom_rule_built_in_code_is_validated_too() -> None:
    with pytest.raises(ConfigError) as excinfo:
        CustomRule(resource_type="Microsoft.Contoso/widgets", fqdn_suffix="x.example", zone="bad zone")

    assert "custom zone rule (bad zone): field 'zone' must be a lower-case DNS name with at least two labels, " \
           "got 'bad zone'" == str(excinfo.value)


def test_custom_rule_suffix_and_zone_are_normalised_to_lower_case() -> None:
    rule = CustomRule(resource_type="Microsoft.Contoso/widgets", fqdn_suffix="X.Example.", zone="PrivateLink.X.Example")

    assert ("x.example", "privatelink.x.example") == (rule.fqdn_suffix, rule.zone)
