"""Names of storage's Azure DNS zone endpoints (`<name>.z<nn>.blob.storage.azure.net`) that Microsoft's
table does not list, mapped where a source confirms the zone and record name (tools/catalogue/supplements.json,
sources in docs/zones.md "Beyond Microsoft's table"): Disk Access export endpoints and storage accounts'
blob endpoints go into `privatelink.blob.core.windows.net` under the name's first label.
"""

from __future__ import annotations

import pytest

from builders import endpoint
from shared.core.catalogue import Catalogue
from shared.core.desired import desire
from shared.core.model import Reason, RecordKey
from shared.parsing.endpoint import parse_private_endpoint
from shared.settings import Settings
from shared.wiring import catalogue_for
from tests.fixtures import load

SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-spoke-app/providers"
DISK_ACCESS = f"{SUB}/Microsoft.Compute/diskAccesses/da1"
BLOB = "privatelink.blob.core.windows.net"


def storage(account: str) -> str:
    return f"{SUB}/Microsoft.Storage/storageAccounts/{account}"


def resolve(target_id: str, group_id: str, fqdn: str, cloud: str = "AzureCloud") -> RecordKey | None:
    return Catalogue.for_cloud(cloud).resolve(target_id=target_id, group_id=group_id, fqdn=fqdn, location="westus")


def test_the_recorded_disk_access_endpoint_is_published_in_the_blob_zone_under_its_account_name() -> None:
    # Azure CLI recording: the endpoint reports md-impexp-lhfjcqhmxvzh.z40.blob.storage.azure.net (10.0.0.4).
    pe = parse_private_endpoint(load("endpoints/recorded-disk-access-pe-get.json"))

    wanted = desire(pe, catalogue_for(Settings()))

    assert ((), [(RecordKey(BLOB, "md-impexp-lhfjcqhmxvzh"), ("10.0.0.4",))]) == (
        wanted.skipped, [(record.key, record.ips) for record in wanted.records])


@pytest.mark.parametrize("label", ["z00", "z5", "z25", "z99"])
def test_a_disk_access_name_under_any_dns_zone_label_goes_into_the_blob_zone(label: str) -> None:
    assert RecordKey(BLOB, "md-impexp-x") == resolve(DISK_ACCESS, "disks", f"md-impexp-x.{label}.blob.storage.azure.net")


@pytest.mark.parametrize("label", ["z100", "zz", "x25", "25", "z2a"])
def test_a_label_that_is_no_dns_zone_label_is_unmapped_and_said_so(label: str) -> None:
    fqdn = f"md-impexp-x.{label}.blob.storage.azure.net"
    catalogue = Catalogue.for_cloud()

    assert (None, f"{fqdn} is under none of the row's public zones for Microsoft.Compute/diskAccesses / disks: "
                  "blob.core.windows.net, {dnsZone}.blob.storage.azure.net ({dnsZone}.blob.storage.azure.net: "
                  f"'{label}' is no Azure DNS zone label, z00 to z99)") == (
        resolve(DISK_ACCESS, "disks", fqdn),
        catalogue.why_unmapped(target_id=DISK_ACCESS, group_id="disks", fqdn=fqdn, location="westus"),
    )


def test_a_storage_account_with_dns_zone_endpoints_gets_its_blob_name_in_the_blob_zone() -> None:
    pe = endpoint("a", {"march2023dnspartition.z20.blob.storage.azure.net": ["10.0.1.4"]},
                  target=storage("march2023dnspartition"), group="blob")

    wanted = desire(pe, Catalogue.for_cloud())

    assert ((), [RecordKey(BLOB, "march2023dnspartition")]) == (
        wanted.skipped, [record.key for record in wanted.records])


def test_a_dns_zone_endpoint_name_of_another_account_is_still_refused() -> None:
    pe = endpoint("a", {"victim.z20.blob.storage.azure.net": ["10.0.1.4"]}, target=storage("mine"), group="blob")

    assert [Reason.NAME_MISMATCH] == [skip.reason for skip in desire(pe, Catalogue.for_cloud()).skipped]


@pytest.mark.parametrize(("group_id", "service"), [("dfs", "dfs"), ("file", "file"), ("queue", "queue"),
                                                   ("table", "table"), ("web", "web"), ("blob_secondary", "blob")])
def test_other_storage_services_of_such_accounts_stay_unmapped_without_a_source(group_id: str, service: str) -> None:
    assert None is resolve(storage("acct1"), group_id, f"acct1.z20.{service}.storage.azure.net")


def test_the_dns_zone_rules_belong_to_the_commercial_cloud_only() -> None:
    assert None is resolve(DISK_ACCESS, "disks", "md-impexp-x.z25.blob.storage.azure.net", cloud="AzureUSGovernment")


def test_every_supplement_rule_is_marked_and_noted_in_its_row() -> None:
    rows = [row for row in Catalogue.for_cloud().rows if "pedns supplement" in row.notes]

    assert {("Microsoft.Compute/diskAccesses", "disks"), ("Microsoft.Storage/storageAccounts", "blob")} == {
        (row.resource_type, row.subresource) for row in rows}
