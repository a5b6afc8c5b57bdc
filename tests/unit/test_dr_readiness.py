"""DR readiness: `PEDNS_DR_REGIONS` and the audit's `no-standby-in-region`, before anyone needs the switch."""

from __future__ import annotations

import pytest

from builders import endpoint, pe_id
from shared.core import ownership
from shared.core.dr_readiness import region_gaps
from shared.core.model import RecordKey, RecordSet
from shared.core.ownership import Claim
from shared.errors import ConfigError
from shared.settings import Settings
from shared.usecases.audit import audit
from test_audit import BLOB, HUB, run, view
from test_telemetry import Readings
from worlds import MemoryWorld

EAST, WEST = pe_id("pe-east"), pe_id("pe-west")


def record(name, claims, owner="pedns") -> RecordSet:
    metadata = ownership.stamp(owner, claims[0].endpoint_id, {c.endpoint_id: c for c in claims})
    return RecordSet(RecordKey(BLOB, name), ("10.1.0.4",), 10, "e", metadata)


RECORDS = [
    record("both", [Claim(EAST, 1, "eastus"), Claim(WEST, 2, "westus")]),
    record("east-only", [Claim(EAST, 1, "eastus")]),
    record("theirs", [Claim(EAST, 1, "eastus")], owner="hub-b"),
]


def test_a_gap_is_a_name_of_ours_with_no_claimant_in_the_region_whatever_the_spelling():
    [gap] = region_gaps(RECORDS, ["West US"], "pedns")

    assert ("east-only", "westus", ((str(EAST), "eastus"),)) == (gap.key.name, gap.region, gap.claimants)


def test_the_audit_reports_no_standby_in_region_with_the_names_claimants():
    report = run(view(hub_records=RECORDS, addresses={"10.1.0.4"}), dr_regions=["westus"])

    [finding] = report.findings
    assert ("no-standby-in-region", "westus", [{"endpoint": str(EAST), "region": "eastus"}]) == (
        finding.code, finding.extra["region"], finding.extra["claimants"])
    assert finding.resource.endswith(f"/privatednszones/{BLOB}/A/east-only")
    assert "a switch to westus leaves it where it is" in finding.detail


def test_without_dr_regions_the_check_does_not_run_and_the_report_is_as_before():
    report = run(view(hub_records=RECORDS, addresses={"10.1.0.4"}))

    assert ([], {"zone-not-linked", "vnet-dns-bypass"}) == (report.findings, set(report.skipped))


@pytest.mark.parametrize("value, expected", [("West US 2, eastus", ("westus2", "eastus")), ("", ())])
def test_the_setting_is_normalised(value, expected):
    assert expected == Settings.from_env({"PEDNS_DR_REGIONS": value}).dr_regions


def test_an_unknown_region_in_the_setting_is_refused_with_the_nearest_names():
    with pytest.raises(ConfigError, match=r"PEDNS_DR_REGIONS.*'west-us' is not a region of AzureCloud \(did you mean"):
        Settings.from_env({"PEDNS_DR_REGIONS": "west-us"})


def test_the_audit_use_case_reads_the_hub_and_observes_the_pins_in_force():
    from shared.usecases.switch import switch

    w, readings = MemoryWorld(), Readings()
    w.service.metrics = readings.metrics
    for name, ip, region in (("pe-east", "10.1.0.4", "eastus"), ("pe-west", "10.2.0.4", "westus"),
                             ("pe-solo", "10.1.0.5", "eastus")):
        w.create(endpoint(name, {f"{'solo' if name == 'pe-solo' else 'shop'}.blob.core.windows.net": [ip]},
                          location=region))
    switch(w.service, region="westus")

    report = audit(w.service, hub_subscription=HUB, hub_resource_group="rg-hub-dns", catalogue_zones=[BLOB],
                   dr_regions=["westus"])

    assert [("no-standby-in-region", "solo")] == [(f.code, f.extra["name"]) for f in report.findings
                                                   if f.code == "no-standby-in-region"]
    assert {("pins_in_force", ()): (1, 1)} == readings.read("pins_in_force")
