"""The zone catalogue comes from the 08/11/2026 version of Microsoft's table (MicrosoftDocs/azure-docs
`articles/private-link/private-endpoint-dns.md` @ 60a891b2d9ec7dfb277dc12a08c10bcefbaaf51f), and the rows
that version added resolve instead of being reported `unmapped`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.core.catalogue import Catalogue
from shared.core.model import RecordKey

ROOT = Path(__file__).resolve().parents[2]
SUB = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg"


def test_the_excerpt_and_the_data_are_the_08_11_2026_version():
    excerpt = (ROOT / "tools" / "catalogue" / "private-endpoint-dns.md").read_text()

    assert "source-commit: 60a891b2d9ec7dfb277dc12a08c10bcefbaaf51f" in excerpt
    assert "ms.date: 08/11/2026" in excerpt
    assert "60a891b2d9ec" in Catalogue.for_cloud().docs_version and "08/11/2026" in Catalogue.for_cloud().docs_version


def test_the_generated_files_match_the_excerpt():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_catalogue.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)

    assert 0 == proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("cloud", "resource_type", "group", "fqdn", "location", "expected"),
    [
        ("AzureCloud", "Microsoft.DocumentDB/databaseAccounts", "SqlDedicated", "orders.sqlx.cosmos.azure.com",
         "westeurope", RecordKey("privatelink.sqlx.cosmos.azure.com", "orders")),
        ("AzureUSGovernment", "Microsoft.PowerBI/privateLinkServicesForPowerBI", "tenant",
         "tenant1-api.analysis.usgovcloudapi.net", "usgovvirginia",
         RecordKey("privatelink.analysis.usgovcloudapi.net", "tenant1-api")),
        ("AzureUSGovernment", "Microsoft.ContainerService/managedClusters", "management",
         "aks-1a2b3c4d.usgovvirginia.azmk8s.io", "usgovvirginia",
         RecordKey("privatelink.usgovvirginia.azmk8s.io", "aks-1a2b3c4d")),
        ("AzureUSGovernment", "Microsoft.ApiManagement/service", "Gateway", "apim-gov.azure-api.us", "usgovvirginia",
         RecordKey("privatelink.azure-api.us", "apim-gov")),
    ],
    ids=["cosmos-sqldedicated", "gov-power-bi", "gov-aks-management", "gov-apim-gateway"],
)
def test_rows_added_in_the_08_11_2026_version_resolve(cloud, resource_type, group, fqdn, location, expected):
    resolved = Catalogue.for_cloud(cloud).resolve(target_id=f"{SUB}/providers/{resource_type}/res1", group_id=group,
                                                  fqdn=fqdn, location=location)

    assert expected == resolved
