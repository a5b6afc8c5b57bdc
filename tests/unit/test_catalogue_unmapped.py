"""An `unmapped` name says what did not match (shared.core.catalogue `why_unmapped`, shared.core.desired).

The detail tells a missing row (nothing is known for the target's type and subresource) from a row the
name is under none of the public zones of, so an operator knows whether to add a custom rule or to
look at the name.
"""

from __future__ import annotations

import pytest

from builders import endpoint
from shared.core.catalogue import Catalogue, CustomRule
from shared.core.desired import desire
from shared.core.model import Reason

SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-spoke-app/providers"


def target(resource_type: str, name: str = "res1") -> str:
    return f"{SUB}/{resource_type}/{name}"


def why(resource_type: str, group_id: str, fqdn: str, *, location: str = "westeurope", cloud: str = "AzureCloud",
        catalogue: Catalogue | None = None) -> str:
    catalogue = catalogue or Catalogue.for_cloud(cloud)
    assert None is catalogue.resolve(target_id=target(resource_type), group_id=group_id, fqdn=fqdn, location=location)
    return catalogue.why_unmapped(target_id=target(resource_type), group_id=group_id, fqdn=fqdn, location=location)


def test_a_name_under_none_of_its_rows_public_zones_names_them() -> None:
    assert ("md-impexp-x.z25.queue.storage.azure.net is under none of the row's public zones for "
            "Microsoft.Compute/diskAccesses / disks: blob.core.windows.net, {dnsZone}.blob.storage.azure.net") == (
        why("Microsoft.Compute/diskAccesses", "disks", "md-impexp-x.z25.queue.storage.azure.net")
    )


def test_a_name_matching_two_rows_names_the_public_zones_of_both() -> None:
    assert ("cache1.westeurope.redis.cache.azure.net is under none of the rows' public zones for "
            "Microsoft.Cache/redisEnterprise / redisEnterprise: redisenterprise.cache.azure.net, "
            "{region}.redisenterprise.cache.azure.net, redis.azure.net, {region}.redis.azure.net") == (
        why("Microsoft.Cache/redisEnterprise", "redisEnterprise", "cache1.westeurope.redis.cache.azure.net")
    )


def test_a_type_without_a_row_says_no_zone_is_known() -> None:
    assert ("no zone is known for Microsoft.Contoso/widgets / widget: Microsoft's table (AzureCloud) has no row "
            "for it and no custom zone rule applies") == (
        why("Microsoft.Contoso/widgets", "widget", "w1.widgets.contoso.com")
    )


def test_a_subresource_without_a_row_names_the_subresources_its_type_has() -> None:
    assert ("no zone is known for Microsoft.KeyVault/vaults / vaults: Microsoft's table (AzureCloud) has no row "
            "for it (it has rows for subresources vault) and no custom zone rule applies") == (
        why("Microsoft.KeyVault/vaults", "vaults", "kv-app.vault.azure.net")
    )


def test_a_name_under_a_forwarder_the_table_gives_no_zone_says_so() -> None:
    assert ("ci1.westeurope.instances.ml.azure.ms is under instances.ml.azure.ms, a public zone the row for "
            "Microsoft.MachineLearningServices/workspaces / amlworkspace lists without a private DNS zone for it") == (
        why("Microsoft.MachineLearningServices/workspaces", "amlworkspace", "ci1.westeurope.instances.ml.azure.ms")
    )


def test_a_custom_rule_counts_as_a_row_of_its_own() -> None:
    catalogue = Catalogue.for_cloud(custom_rules=[
        CustomRule(resource_type="Microsoft.Contoso/widgets", fqdn_suffix="widgets.contoso.com",
                   zone="privatelink.widgets.contoso.com"),
    ])

    assert ("w1.gadgets.contoso.com is under none of the row's public zones for Microsoft.Contoso/widgets / widget: "
            "widgets.contoso.com") == (
        why("Microsoft.Contoso/widgets", "widget", "w1.gadgets.contoso.com", catalogue=catalogue)
    )


@pytest.mark.parametrize(
    ("resource_type", "group_id", "fqdn"),
    [
        ("Microsoft.Compute/diskAccesses", "disks", "md-impexp-x.z25.queue.storage.azure.net"),
        ("Microsoft.Kusto/Clusters", "cluster", "adx1.westeurope.kusto.contoso.com"),
        ("Microsoft.BotService/botServices", "bot", "testbot000004.botplinks.botframework.com"),
    ],
    ids=["disk-access", "data-explorer", "bot-service"],
)
def test_a_name_whose_row_exists_never_says_no_zone_is_known(resource_type: str, group_id: str, fqdn: str) -> None:
    assert "no zone is known" not in why(resource_type, group_id, fqdn)


def test_the_unmapped_skip_carries_the_catalogues_sentence() -> None:
    catalogue = Catalogue.for_cloud()
    fqdn = "md-impexp-x.z25.queue.storage.azure.net"
    pe = endpoint("a", {fqdn: ["10.0.1.4"]}, target=target("Microsoft.Compute/diskAccesses", "da1"), group="disks")

    [skip] = desire(pe, catalogue).skipped

    assert (Reason.UNMAPPED, catalogue.why_unmapped(target_id=target("Microsoft.Compute/diskAccesses", "da1"),
                                                    group_id="disks", fqdn=fqdn, location="westeurope")) == (
        skip.reason, skip.detail)
    assert skip.detail.startswith(f"{fqdn} is under none of the row's public zones")
