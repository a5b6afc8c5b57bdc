"""What every door reports of a result (`shared.core.results`): a dry run's status, and the counts."""

from __future__ import annotations

import pytest

from shared.core.model import RecordKey
from shared.core.results import Change, EndpointResult, ReconcileReport

PE = "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/a"
KEY = RecordKey("privatelink.blob.core.windows.net", "acct")


@pytest.mark.parametrize(("status", "dry_run", "reported"), [
    ("converged", True, "dry-run"),
    ("released", True, "dry-run"),
    ("gone", True, "gone"),  # what ARM answered, dry run or not
    ("error", True, "error"),
    ("not-ready", True, "not-ready"),
    ("converged", False, "converged"),
    ("released", False, "released"),
])
def test_a_dry_run_that_would_converge_or_release_reports_dry_run(status, dry_run, reported):
    result = EndpointResult(PE, status, dry_run=dry_run)

    assert (reported, reported) == (result.reported_status, result.to_json()["status"])


def test_the_reconcile_summary_counts_dry_runs_as_dry_run():
    report = ReconcileReport([
        EndpointResult(PE, "converged", dry_run=True, changes=[Change("create", KEY, (), ("10.0.0.4",), False)]),
        EndpointResult(PE, "error", dry_run=True),
    ])

    assert {"dry-run": 1, "error": 1} == report.summary()["statuses"] == report.to_json()["counts"]


def test_a_write_that_only_records_a_claim_is_reported_as_claim_and_counted_apart():
    claim = Change("update", KEY, ("10.0.0.5", "10.0.0.4"), ("10.0.0.4", "10.0.0.5"), True)  # the same IPs
    update = Change("update", KEY, ("10.0.0.4",), ("10.0.0.5",), True)
    report = ReconcileReport([EndpointResult(PE, "converged", changes=[claim, update])])

    assert ["claim", "update"] == [c["action"] for c in report.endpoints[0].to_json()["changes"]]
    assert (1, 1) == (report.summary()["updated"], report.summary()["claimed"])
