"""Every row of Microsoft's table, in every cloud, resolves the way the table says (shared.core.catalogue).

Generated from the packaged data, so a new row in the docs is covered as soon as the data is
regenerated. For each zone the probe is the zone's public name (`pedns-probe.blob.core.windows.net`)
and the zone's own name (an FQDN already under `privatelink.`); for each forwarder, a name under it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared.core.catalogue import Catalogue

DATA = json.loads((Path(__file__).resolve().parents[2] / "shared" / "data" / "catalogue.json").read_text("utf-8"))

#: Values a probe uses for template variables, per cloud. The location is the endpoint's.
SAMPLES = {
    "AzureCloud": {"location": "westeurope", "regionCode": "we"},
    "AzureUSGovernment": {"location": "usgovvirginia", "regionCode": "ugv"},
    "AzureChinaCloud": {"location": "chinaeast2", "regionCode": "sha2"},
}
OTHER_VARS = {"dnsPrefix": "a1b2c3d4e5f6", "partitionId": "3", "subzone": "sub1"}
PROBE = "pedns-probe"


def fill(template: str, cloud: str) -> str:
    values = {"regionName": SAMPLES[cloud]["location"], "region": SAMPLES[cloud]["location"],
              "regionCode": SAMPLES[cloud]["regionCode"], **OTHER_VARS}
    # Variables that belong to the record name ({cachename}, {workspaceName}) become a plain label.
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "name1"), template).lower()


def public_form(zone: str) -> str:
    return ".".join(label for label in zone.split(".") if not label.startswith("privatelink"))


def target_id(resource_type: str) -> str:
    namespace, _, rest = resource_type.partition("/")
    types = rest.split("/") if rest else ["resources"]
    path = "/".join(f"{t}/{PROBE}" for t in types)
    return f"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/{namespace}/{path}"


def _id(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9.{}_-]+", "_", part) for part in parts if part)


ZONE_CASES = [
    pytest.param(cloud, row, zone, id=_id(cloud, row["resourceType"], row["subresource"], zone))
    for cloud, rows in DATA["clouds"].items() for row in rows for zone in row["zones"]
]
FORWARDER_CASES = [
    pytest.param(cloud, row, forwarder, id=_id(cloud, row["resourceType"], row["subresource"], forwarder))
    for cloud, rows in DATA["clouds"].items() for row in rows for forwarder in row["forwarders"]
    if forwarder not in row["unmappedForwarders"] and not forwarder.startswith("privatelink.")
]
UNMAPPED_CASES = [
    pytest.param(cloud, row, forwarder, id=_id(cloud, row["resourceType"], row["subresource"], forwarder))
    for cloud, rows in DATA["clouds"].items() for row in rows for forwarder in row["unmappedForwarders"]
]


def resolve(cloud: str, row: dict, fqdn: str):
    return Catalogue.for_cloud(cloud).resolve(
        target_id=target_id(row["resourceType"]), group_id=row["subresource"], fqdn=fqdn,
        location=SAMPLES[cloud]["location"],
    )


@pytest.mark.parametrize(("cloud", "row", "zone"), ZONE_CASES)
def test_public_name_under_each_zone_becomes_its_privatelink_name(cloud: str, row: dict, zone: str) -> None:
    key = resolve(cloud, row, f"{PROBE}.{fill(public_form(zone), cloud)}")

    assert f"{PROBE}.{fill(zone, cloud)}" == (key.fqdn if key else None)


@pytest.mark.parametrize(("cloud", "row", "zone"), ZONE_CASES)
def test_public_name_under_each_zone_lands_in_a_zone_the_table_names(cloud: str, row: dict, zone: str) -> None:
    key = resolve(cloud, row, f"{PROBE}.{fill(public_form(zone), cloud)}")

    assert (key.zone if key else None) in {fill(z, cloud) for z in row["zones"]}


@pytest.mark.parametrize(("cloud", "row", "zone"), ZONE_CASES)
def test_name_already_under_each_zone_keeps_its_name(cloud: str, row: dict, zone: str) -> None:
    fqdn = f"{PROBE}.{fill(zone, cloud)}"

    key = resolve(cloud, row, fqdn)

    assert fqdn == (key.fqdn if key else None)


@pytest.mark.parametrize(("cloud", "row", "forwarder"), FORWARDER_CASES)
def test_name_under_each_mapped_forwarder_lands_in_a_zone_the_table_names(
    cloud: str, row: dict, forwarder: str
) -> None:
    key = resolve(cloud, row, f"{PROBE}.{fill(forwarder, cloud)}")

    assert (key.zone if key else None) in {fill(z, cloud) for z in row["zones"]}


@pytest.mark.parametrize(("cloud", "row", "forwarder"), UNMAPPED_CASES)
def test_name_under_a_forwarder_without_zone_is_unmapped(cloud: str, row: dict, forwarder: str) -> None:
    assert None is resolve(cloud, row, f"{PROBE}.{fill(forwarder, cloud)}")


@pytest.mark.parametrize("cloud", list(DATA["clouds"]))
def test_catalogue_rows_are_the_data_rows(cloud: str) -> None:
    rows = Catalogue.for_cloud(cloud).rows

    assert [(r["resourceType"], r["subresource"], tuple(r["zones"])) for r in DATA["clouds"][cloud]] == [
        (row.resource_type, row.subresource, row.zones) for row in rows
    ]
