"""A `{regionName}` or `{region}` label must be a region of the endpoint's cloud (shared/data/regions.json,
from Microsoft's region lists; see docs/zones.md) or the endpoint's own location.

Why: a Data Explorer test cluster recorded by the Azure CLI's tests is `clikusto000002.eastus.dev.kusto.windows.net`
(Azure/azure-cli `…/network/tests/latest/recordings/test_private_link_resource_kusto_cluster.yaml` @
d58e5e6eb332c71b09b24cc7b81b8614ad70c1dd, the cluster's `uri`; the platform's `requiredZoneNames` there is
`privatelink.eastus.dev.kusto.windows.net`, a zone Microsoft's table does not list). Read against the row's
`{regionName}.kusto.windows.net`, `dev` would be the region and the record would land in a zone nobody has.
"""

from __future__ import annotations

import pytest

from shared.core.catalogue import Catalogue
from shared.core.desired import desire
from shared.core.model import Desired, Reason, RecordKey
from shared.core.regions import CLOUDS, region_code, region_names
from shared.parsing.endpoint import parse_private_endpoint
from shared.settings import Settings
from shared.wiring import catalogue_for
from tests.fixtures import load
from tools import gen_catalogue

SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-spoke-app/providers"
KUSTO = f"{SUB}/Microsoft.Kusto/Clusters/adx1"
PROMETHEUS = f"{SUB}/Microsoft.Monitor/accounts/amw1"


def resolve(target_id: str, group_id: str, fqdn: str, location: str, cloud: str = "AzureCloud") -> RecordKey | None:
    return Catalogue.for_cloud(cloud).resolve(target_id=target_id, group_id=group_id, fqdn=fqdn, location=location)


@pytest.mark.parametrize(
    ("cloud", "fqdn", "zone"),
    [
        ("AzureCloud", "adx1.newzealandnorth.kusto.windows.net", "privatelink.newzealandnorth.kusto.windows.net"),
        ("AzureCloud", "adx1.eastus2euap.kusto.windows.net", "privatelink.eastus2euap.kusto.windows.net"),
        ("AzureChinaCloud", "adx1.chinanorth3.kusto.windows.cn", "privatelink.chinanorth3.kusto.windows.cn"),
    ],
    ids=["commercial-regions-list", "commercial-geo-code-table", "china-regions-list"],
)
def test_a_region_of_the_cloud_stands_for_region_name(cloud: str, fqdn: str, zone: str) -> None:
    # The endpoint lives elsewhere: the label is taken because the cloud has that region.
    assert RecordKey(zone, "adx1") == resolve(KUSTO, "cluster", fqdn, location="westeurope", cloud=cloud)


@pytest.mark.parametrize("label", ["dev", "mars", "westeuropa", "eastus3", "data"])
def test_a_label_that_is_no_region_does_not_stand_for_region_name(label: str) -> None:
    assert None is resolve(KUSTO, "cluster", f"adx1.{label}.kusto.windows.net", location="eastus")


def test_a_region_of_another_cloud_does_not_stand_for_region_name() -> None:
    assert None is resolve(KUSTO, "cluster", "adx1.usgovvirginia.kusto.windows.net", location="westeurope")


def test_the_endpoints_own_location_stands_for_region_name_even_when_the_list_lacks_it() -> None:
    assert RecordKey("privatelink.contosoeast.kusto.windows.net", "adx1") == (
        resolve(KUSTO, "cluster", "adx1.contosoeast.kusto.windows.net", location="Contoso East")
    )


def test_region_is_held_to_the_same_list() -> None:
    assert (RecordKey("privatelink.westeurope.prometheus.monitor.azure.com", "amw1-abcd"), None) == (
        resolve(PROMETHEUS, "prometheusMetrics", "amw1-abcd.westeurope.prometheus.monitor.azure.com", "eastus"),
        resolve(PROMETHEUS, "prometheusMetrics", "amw1-abcd.dev.prometheus.monitor.azure.com", "eastus"),
    )


def test_the_data_explorer_test_clusters_dev_name_is_unmapped_and_says_dev_is_no_region() -> None:
    catalogue = Catalogue.for_cloud()
    fqdn = "clikusto000002.eastus.dev.kusto.windows.net"

    assert (None, f"{fqdn} is under none of the row's public zones for Microsoft.Kusto/Clusters / cluster: "
                  "{regionName}.kusto.windows.net, blob.core.windows.net, queue.core.windows.net, "
                  "table.core.windows.net ({regionName}.kusto.windows.net: 'dev' is no region of AzureCloud "
                  "pedns knows)") == (
        catalogue.resolve(target_id=KUSTO, group_id="cluster", fqdn=fqdn, location="eastus"),
        catalogue.why_unmapped(target_id=KUSTO, group_id="cluster", fqdn=fqdn, location="eastus"),
    )


def test_the_production_name_of_the_same_cluster_resolves() -> None:
    assert RecordKey("privatelink.eastus.kusto.windows.net", "clikusto000002") == (
        resolve(KUSTO, "cluster", "clikusto000002.eastus.kusto.windows.net", location="eastus")
    )


# -- the lists ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_region_with_a_geo_code_in_a_cloud_is_a_region_of_it(cloud: str) -> None:
    # The `{regionCode}` zones and the `{regionName}` zones of one endpoint agree on what a region is.
    home = {name for name in gen_catalogue.build_regions(gen_catalogue.GEO_SOURCE.read_text("utf-8"))["regions"]
            for name in [name["name"]] if gen_catalogue._geo_cloud(name) == cloud}

    assert set() == home - region_names(cloud)


def test_no_region_belongs_to_two_clouds() -> None:
    commercial, government, china = (region_names(cloud) for cloud in CLOUDS)

    assert (set(), set(), set()) == (commercial & government, commercial & china, government & china)


def test_geo_code_regions_go_to_their_cloud_or_to_none() -> None:
    assert [("usgovtexas", "AzureUSGovernment"), ("usdodeast", "AzureUSGovernment"), ("chinaeast", "AzureChinaCloud"),
            ("usseceast", None), ("germanycentral", None), ("jioindiawest", "AzureCloud")] == [
        (name, gen_catalogue._geo_cloud(name))
        for name in ("usgovtexas", "usdodeast", "chinaeast", "usseceast", "germanycentral", "jioindiawest")
    ]


def test_the_lists_rows_become_the_clouds_names_and_the_geo_code_table_fills_in() -> None:
    text = ("<!-- source-repo: r -->\n## AzureCloud\n\n| Region | Programmatic name |\n|---|---|\n"
            "| West Europe | westeurope |\n## AzureChinaCloud\n\n| China East | chinaeast |\n")
    geo = {"regions": [{"name": "westeurope", "displayName": "West Europe", "code": "we"},
                       {"name": "usgovvirginia", "displayName": "USGov Virginia", "code": "ugv"}]}

    assert {"AzureCloud": [{"name": "westeurope", "displayName": "West Europe", "from": "regions-list"}],
            "AzureUSGovernment": [{"name": "usgovvirginia", "displayName": "USGov Virginia", "from": "geo-code-list"}],
            "AzureChinaCloud": [{"name": "chinaeast", "displayName": "China East", "from": "regions-list"}]} == (
        gen_catalogue.build_region_names(text, geo)["clouds"]
    )


def test_a_region_code_still_comes_from_the_geo_code_table() -> None:
    assert ("eus", None) == (region_code("East US"), region_code("newzealandnorth"))


# -- the recorded Data Explorer endpoint, end to end ----------------------------------------------------


def _desire_recorded_kusto(body: dict) -> Desired:
    return desire(parse_private_endpoint(body), catalogue_for(Settings()))


def test_the_recorded_data_explorer_endpoint_spreads_its_names_over_the_four_zones_the_table_names() -> None:
    wanted = _desire_recorded_kusto(load("endpoints/recorded-kusto-pe-get.json"))

    assert ((), {
        ("privatelink.eastus.kusto.windows.net", "clikusto000002", ("10.0.0.4",)),
        ("privatelink.eastus.kusto.windows.net", "ingest-clikusto000002", ("10.0.0.5",)),
        ("privatelink.blob.core.windows.net", "9kkkstrldclikusto00000200", ("10.0.0.6",)),
        ("privatelink.queue.core.windows.net", "9kkkstrldclikusto00000200", ("10.0.0.7",)),
        ("privatelink.table.core.windows.net", "9kkkstrldclikusto00000200", ("10.0.0.8",)),
        ("privatelink.blob.core.windows.net", "m66kstrldclikusto00000201", ("10.0.0.9",)),
        ("privatelink.queue.core.windows.net", "m66kstrldclikusto00000201", ("10.0.0.10",)),
        ("privatelink.table.core.windows.net", "m66kstrldclikusto00000201", ("10.0.0.11",)),
    }) == (wanted.skipped, {(r.key.zone, r.key.name, r.ips) for r in wanted.records})


def test_the_same_endpoint_in_the_test_environment_leaves_its_dev_names_unmapped_and_says_why() -> None:
    body = load("endpoints/recorded-kusto-pe-get.json")
    for config in body["properties"]["customDnsConfigs"]:  # the test environment's names (older recording)
        config["fqdn"] = config["fqdn"].replace(".eastus.kusto.windows.net", ".eastus.dev.kusto.windows.net")

    wanted = _desire_recorded_kusto(body)

    assert ([("clikusto000002.eastus.dev.kusto.windows.net", Reason.UNMAPPED, True),
             ("ingest-clikusto000002.eastus.dev.kusto.windows.net", Reason.UNMAPPED, True)], 6) == (
        [(s.fqdn, s.reason, "'dev' is no region of AzureCloud pedns knows" in s.detail) for s in wanted.skipped],
        len(wanted.records))
