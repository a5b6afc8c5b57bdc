"""`shared.cli.present`: verbs, tables, ages, record documents and summaries of the CLI."""

from __future__ import annotations

from shared.core import ownership
from shared.core.model import RecordKey, RecordSet, ResourceId
from shared.cli.present import age, change_line, record_doc, records_lines, summary, summary_line, table

SUB = "00000000-0000-4000-8000-0000000000b1"


def pe(name: str) -> ResourceId:
    return ResourceId(f"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/{name}")


def change(applied: bool) -> dict:
    return {"action": "create", "zone": "privatelink.blob.core.windows.net", "name": "acct",
            "before": [], "after": ["10.0.0.4"], "applied": applied}


def test_a_change_reads_would_only_when_it_was_not_applied():
    assert "would create A acct.privatelink.blob.core.windows.net: - -> 10.0.0.4" == change_line(change(False))
    assert "create A acct.privatelink.blob.core.windows.net: - -> 10.0.0.4" == change_line(change(True))


def test_control_characters_from_arm_are_escaped():
    hostile = {**change(True), "name": "evil\x1b[2J"}
    assert "evil\\x1b[2J" in change_line(hostile)


def test_table_aligns_columns_and_does_not_pad_the_last():
    assert ["A    BB", "ccc  d"] == table(("A", "BB"), [("ccc", "d")])


def test_age_uses_the_coarsest_unit():
    assert ["0s", "59s", "1m", "2h", "3d"] == [age(s) for s in (-5, 59, 60, 7200, 3 * 86400 + 5)]


def test_record_doc_of_a_shared_name_has_holder_and_standby_with_ages():
    holder, standby = pe("pe-a"), pe("pe-b")
    claims = {holder: ownership.Claim(holder, 1000, "westeurope"), standby: ownership.Claim(standby, 1500)}
    record = RecordSet(RecordKey("privatelink.blob.core.windows.net", "acct"), ("10.0.0.4",), 10, "e",
                       ownership.stamp("pedns", holder, claims))

    doc = record_doc(record, owner_id="pedns", now=2000)

    assert ("ours", str(holder), 1000) == (doc["status"], doc["holder"]["endpoint"], doc["holder"]["since"])
    assert [{"endpoint": str(standby), "since": 1500, "ageSeconds": 500}] == doc["standby"]
    [_, row] = records_lines([doc])
    assert "rg-app/pe-a (16m)" in row and "rg-app/pe-b (8m)" in row


def test_record_doc_of_a_foreign_record_says_whose_it_is():
    record = RecordSet(RecordKey("privatelink.blob.core.windows.net", "acct"), ("10.9.0.1",), 10, "e",
                       {"pednsowner": "other-hub"})

    doc = record_doc(record, owner_id="pedns", now=0)

    assert ("foreign", "owned by 'other-hub'") == (doc["status"], doc["detail"])
    # `fqdn` is the public name wherever pedns prints one; the hub's name is `recordFqdn`
    assert ("acct.privatelink.blob.core.windows.net", False) == (doc["recordFqdn"], "fqdn" in doc)
    assert "foreign: owned by 'other-hub'" in records_lines([doc])[1]


def test_summary_counts_like_the_reconcile_and_says_would_in_a_dry_run():
    results = [
        {"status": "converged", "changes": [change(False)], "skipped": [{"reason": "standby"}]},
        {"status": "error", "changes": [], "skipped": []},
        {"status": "not-ready"},
    ]
    counts = summary(results)

    assert (3, 1, 1, {"standby": 1}) == (counts["endpoints"], counts["created"], counts["failed"], counts["skipped"])
    assert 2 == summary(results, failed=("error", "not-ready"))["failed"]
    assert ("3 endpoint(s) (1 converged, 1 error, 1 not-ready): 1 would be created, 0 would be updated, "
            "0 would be deleted, 1 failed; skipped: 1 standby") == summary_line(counts, dry_run=True)
    assert "1 created, 0 updated" in summary_line(counts, dry_run=False)


def test_a_skip_without_a_name_reads_no_name_not_an_empty_gap():
    from shared.cli.present import explanation_lines

    doc = {"endpoint": "/x", "records": [], "skipped": [
        {"fqdn": "", "reason": "invalid", "detail": "properties.customDnsConfigs[0].fqdn is empty"}]}

    assert "  skipped (no name): invalid (properties.customDnsConfigs[0].fqdn is empty)" in explanation_lines(doc)


def test_a_write_that_only_records_a_claim_reads_claim_and_is_counted_apart_from_updates():
    claim = {**change(True), "action": "claim", "before": ["10.0.0.4"], "after": ["10.0.0.4"]}

    assert "claim A acct.privatelink.blob.core.windows.net: 10.0.0.4 (unchanged)" == change_line(claim)
    assert "would claim A acct.privatelink.blob.core.windows.net: 10.0.0.4 (unchanged)" == change_line(
        {**claim, "applied": False})
    counts = summary([{"status": "converged", "changes": [claim], "skipped": [{"reason": "standby"}]}])
    assert (0, 1) == (counts["updated"], counts["claimed"])
    assert ("1 endpoint(s) (1 converged): 0 created, 0 updated, 0 deleted, 1 claimed, 0 failed; skipped: 1 standby"
            == summary_line(counts, dry_run=False))
    assert "claimed" not in summary_line(summary([{"status": "converged"}]), dry_run=False)  # only when there were some


def test_an_event_line_shows_each_change_with_its_ips_as_replay_does():
    from shared.cli.present import event_line

    entry = {"file": "d.json", "event": "e1", "status": "converged", "endpoint": "/x",
             "changes": [change(True), {**change(True), "action": "delete", "name": "old", "before": ["10.0.0.9"],
                                        "after": []}]}

    assert ("d.json event e1: converged /x create A acct.privatelink.blob.core.windows.net: - -> 10.0.0.4; "
            "delete A old.privatelink.blob.core.windows.net: 10.0.0.9 -> -") == event_line(entry)


def test_a_remedy_reads_as_plain_text_on_a_terminal_and_verbatim_in_json():
    from shared.cli.present import audit_lines
    from shared.core.findings import REMEDIES, AuditReport, Finding

    report = AuditReport([Finding("missing-zone", "privatelink.blob.core.windows.net", "3 endpoints wait")],
                         {"zones": 1}, {}, {})

    [finding, _] = audit_lines(report)
    assert finding.endswith("what to do: create the zone in the hub resource group and link it, "
                            "or set PEDNS_CREATE_ZONES"), finding
    assert REMEDIES["missing-zone"] == report.to_json()["findings"][0]["remedy"]  # the README's Markdown


def test_an_audit_finding_from_arm_cannot_rewrite_the_terminal():
    from shared.cli.present import audit_lines
    from shared.core.findings import AuditReport, Finding

    report = AuditReport([Finding("stale-record", "zone\x1b[2J", "A x\rforged")], {}, {},
                         {"zone-not-linked": "links\x1b]0;owned\x07"})

    shown = "\n".join(audit_lines(report))
    assert ("zone\\x1b[2J" in shown, "x\\x0dforged" in shown, "\\x1b]0;owned\\x07" in shown) == (True, True, True)
    assert not any(ord(c) < 0x20 and c != "\n" for c in shown)
