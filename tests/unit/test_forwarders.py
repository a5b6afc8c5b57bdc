"""`pedns forwarders`' plan and text (`shared/core/forwarders.py`), pure, over the real catalogue."""

from __future__ import annotations

from shared.core.catalogue import Catalogue
from shared.core.forwarders import bind, plan, unbound, windows

CATALOGUE = Catalogue.for_cloud("AzureCloud")


def zones_of(hub_zones, strict=None, targets=("10.0.0.4",), catalogue=CATALOGUE):
    return plan(catalogue.cloud, hub_zones, targets, catalogue.public_zones, strict if strict is not None else {})


def test_each_hub_zone_gets_the_public_zones_of_microsofts_table():
    result = zones_of(["privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net"])

    assert {"blob.core.windows.net", "blob.storage.azure.net", "vault.azure.net", "vaultcore.azure.net"} == {
        f.zone for f in result.forwarders}
    assert [] == result.warnings


def test_a_regional_zone_in_the_hub_gets_its_own_regions_public_zone():
    result = zones_of(["privatelink.westeurope.azmk8s.io", "privatelink.we.backup.windowsazure.com"])

    assert {"westeurope.azmk8s.io", "we.backup.windowsazure.com"} == {f.zone for f in result.forwarders}


def test_a_template_under_a_forwarded_zone_is_covered_and_one_that_is_not_is_a_warning():
    result = zones_of(["privatelink.azurecr.io", "privatelink.batch.azure.com"])

    assert {"azurecr.io", "batch.azure.com"} == {f.zone for f in result.forwarders}  # cover {regionName}.data.azurecr.io
    assert [] == result.not_derived

    odd = plan("AzureCloud", ["privatelink.odd.example"], ("10.0.0.4",),
               lambda zone: ((), ("{region}.odd.example",)), {})
    assert ([], [("privatelink.odd.example", "{region}.odd.example")]) == (odd.forwarders, odd.not_derived)
    assert "add a forwarder per value you use" in odd.warnings[0]


def test_a_zone_under_another_forwarded_zone_is_left_to_it():
    result = plan("AzureCloud", ["privatelink.a.example", "privatelink.b.a.example"], ("10.0.0.4",),
                  lambda zone: ((zone.removeprefix("privatelink."),), ()), {})

    assert [("a.example", ("privatelink.a.example", "privatelink.b.a.example"))] == [
        (f.zone, f.hub_zones) for f in result.forwarders]


def test_the_government_cloud_forwards_its_own_public_zones():
    gov = Catalogue.for_cloud("AzureUSGovernment")

    result = zones_of(["privatelink.blob.core.usgovcloudapi.net"], catalogue=gov)

    assert "blob.core.usgovcloudapi.net" in [f.zone for f in result.forwarders]


def test_a_zone_whose_links_do_not_fall_back_is_a_warning_and_one_that_does_is_not():
    result = zones_of(["privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net"],
                      strict={"privatelink.blob.core.windows.net": 1})

    assert 2 == len(result.warnings)  # blob.core.windows.net and blob.storage.azure.net
    assert all("NxDomainRedirect" in w and "privatelink.blob.core.windows.net" in w for w in result.warnings)


def test_the_three_formats_name_every_zone_and_every_target():
    result = zones_of(["privatelink.blob.core.windows.net"], targets=("10.0.0.4", "fd00::4"))

    assert 'zone "blob.core.windows.net" {\n\ttype forward;\n\tforward only;\n\tforwarders { 10.0.0.4; fd00::4; };\n};' \
        in bind(result)
    assert 'forward-zone:\n\tname: "blob.core.windows.net."\n\tforward-addr: 10.0.0.4\n\tforward-addr: fd00::4' \
        in unbound(result)
    assert 'Add-DnsServerConditionalForwarderZone -Name "blob.core.windows.net" -MasterServers 10.0.0.4,fd00::4' \
        in windows(result)
