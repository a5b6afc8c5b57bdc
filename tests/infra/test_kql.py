"""The KQL of the workbook and the alerts (infra/kql/): its shape, the metric names and dimensions it
queries against shared/core/instruments.py, and its log-line patterns against the lines the code writes."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from infra_templates import INFRA, bicep_files, parse, rel, walk

pytestmark = pytest.mark.infra

KQL = INFRA / "kql"
TABLES = {"customMetrics", "traces", "requests", "exceptions", "dependencies", "customEvents"}
#: What the workbook must chart (or an alert watch): the issue's list.
MUST_SHOW = {"records_changed", "records_failed_over", "names_skipped", "handling_duration", "reconcile_drift",
             "reconcile_duration", "arm_throttled", "arm_retries", "events_refused_scope"}


def kql_files() -> list[Path]:
    return sorted(KQL.glob("*.kql"))


def code_of(path: Path) -> str:
    """The query without its // comment lines."""
    return "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("//"))


def strings(query: str) -> list[str]:
    """The string literals: "…", '…' (backslash escapes) and @"…" (verbatim)."""
    return [m.group(2) if m.group(2) is not None else m.group(3) or m.group(4) or ""
            for m in re.finditer(r'(@"([^"]*)")|"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'', query)]


def without_strings(query: str) -> str:
    return re.sub(r'@"[^"]*"|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', query)


def metric_names(query: str) -> set[str]:
    names = set(re.findall(r'\bname\s*(?:==|!=)\s*"([^"]+)"', query))
    for group in re.findall(r'\bname\s+in\s*\(([^)]*)\)', query):
        names |= set(re.findall(r'"([^"]+)"', group))
    return names


def dimensions(query: str) -> set[str]:
    return set(re.findall(r'customDimensions\.([A-Za-z_]+)', query)) | set(
        re.findall(r'customDimensions\[\s*"([^"]+)"\s*\]', query))


def loaded_paths() -> dict[str, set[str]]:
    """infra-relative .kql path → the .bicep files that load it with loadTextContent."""
    found: dict[str, set[str]] = {}
    for path in bicep_files():
        for value in walk(parse(rel(path))):
            if isinstance(value, dict) and value.get("type") == "load_text_content":
                target = (path.parent / value["parameters"]["file_path"]).resolve()
                found.setdefault(target.relative_to(INFRA.resolve()).as_posix(), set()).add(rel(path))
    return found


def test_there_are_queries():
    assert len(kql_files()) >= 10


def test_every_query_is_loaded_by_a_template_and_every_loaded_file_exists():
    loaded = loaded_paths()

    assert sorted(f"kql/{p.name}" for p in kql_files()) == sorted(p for p in loaded if p.endswith(".kql"))
    assert [] == [p for p in loaded if not (INFRA / p).is_file()]


@pytest.mark.parametrize("path", kql_files(), ids=lambda p: p.name)
def test_the_query_has_a_sound_shape(path):
    text = path.read_text()
    query = code_of(path)
    bare = without_strings(query)
    lines = [line for line in query.splitlines() if line.strip()]

    assert text.lstrip().startswith("//"), "say what the query is for in a comment first"
    assert lines[0].strip() in TABLES, f"starts from {lines[0]!r}, not a known table"
    assert all(line.startswith(("|", " ")) for line in lines[1:]), "one pipe per step (continuations indented)"
    for opening, closing in ("()", "[]", "{}"):
        depth = 0
        for char in bare:
            depth += (char == opening) - (char == closing)
            assert depth >= 0, f"unbalanced {closing}"
        assert 0 == depth, f"unbalanced {opening}"
    assert 0 == bare.count('"') % 2 and "'" not in bare.replace("''", ""), "an unterminated string"
    assert "render" not in bare.split(), "the workbook item sets the visualization"
    assert re.search(r"\|\s*(summarize|project|take|order by)\b", bare), "ends in a shape a chart or alert can use"


@pytest.mark.parametrize("path", [p for p in kql_files() if code_of(p).lstrip().startswith("customMetrics")],
                         ids=lambda p: p.name)
def test_metric_queries_name_metrics_and_dimensions_of_the_telemetry_table(path):
    from shared.core.instruments import INSTRUMENTS

    query = code_of(path)
    names = metric_names(query)
    allowed = {d for n in names if n in INSTRUMENTS for d in INSTRUMENTS[n].dimensions}

    assert names, "a customMetrics query filters on name"
    assert set() == names - set(INSTRUMENTS)
    assert set() == dimensions(query) - allowed


def test_the_workbook_and_the_alerts_show_every_metric_the_issue_asks_for():
    queried = set().union(*(metric_names(code_of(p)) for p in kql_files()))

    assert set() == MUST_SHOW - queried


def test_reason_codes_in_the_queries_are_real_reason_codes():
    from shared.core.model import Reason

    quoted = set().union(*(set(re.findall(r'reason\s+in\s*\(([^)]*)\)', code_of(p))) for p in kql_files()))
    used = {v for group in quoted for v in re.findall(r'"([^"]+)"', group)}

    assert used and set() == used - {r.value for r in Reason}


# -- the log lines the trace queries read -------------------------------------------------------


def _extracts(name: str) -> list[str]:
    return re.findall(r'extract\(@"((?:[^"])*)"', code_of(KQL / name))


def test_the_skip_query_reads_endpoint_fqdn_and_reason_from_the_line_the_service_logs(caplog):
    from shared.core.model import Reason, RecordKey, Skip
    from shared.usecases.report import log_skips
    from shared.core.results import EndpointResult

    endpoint = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/" \
               "Microsoft.Network/privateEndpoints/pe-1"
    result = EndpointResult(endpoint, "converged", skipped=[
        Skip("db.postgres.example", Reason.UNMAPPED, "no catalogue row"),
        Skip("x.blob.core.windows.net", Reason.ZONE_MISSING, "the hub has no zone",
             RecordKey("privatelink.blob.core.windows.net", "x")),
    ])
    caplog.set_level(logging.INFO, logger="pedns.service")
    log_skips(result, "event 5b0c: with: colons")

    lines = [r.getMessage() for r in caplog.records if " not published: " in r.getMessage()]
    endpoint_re, fqdn_re, reason_re = (re.compile(p) for p in _extracts("top-skip-reasons.kql"))
    read = [(endpoint_re.search(m)[1], fqdn_re.search(m)[1], reason_re.search(m)[1]) for m in lines]
    assert [(endpoint, "db.postgres.example", "unmapped"),
            (endpoint, "x.blob.core.windows.net", "zone-missing")] == read


def test_the_event_age_query_reads_the_age_from_the_line_the_telemetry_logs(caplog):
    from datetime import datetime, timezone

    from shared.core.results import Handling
    from shared.observers.telemetry import Telemetry
    from shared.testing import InMemoryMetrics

    caplog.set_level(logging.INFO, logger="pedns.telemetry")
    handled = Handling("event", 1_000.0, 1_002.5, "ev-9", datetime.fromtimestamp(990.0, tz=timezone.utc))
    Telemetry(InMemoryMetrics()).converged([], handled)

    [line] = [r.getMessage() for r in caplog.records if r.name == "pedns.telemetry"]
    [age_re] = [re.compile(p) for p in _extracts("event-age.kql")]
    assert line.startswith(re.search(r'startswith "([^"]+)"', code_of(KQL / "event-age.kql"))[1])
    assert 12.5 == float(age_re.search(line)[1])


# -- the alert rules ----------------------------------------------------------------------------


def _rules() -> list[dict]:
    template = parse("modules/alerts.bicep")
    return template["variables"]["rules"]["value"]


def test_each_alert_measures_and_splits_by_columns_its_query_summarizes():
    checked = []
    for rule in _rules():
        query = code_of(INFRA / "modules" / rule["query"]["function"]["parameters"]["file_path"])
        last = [line for line in query.splitlines() if "summarize" in line][-1]
        checked.append((rule["name"], bool(re.search(rf'\b{rule["measure"]}\s*=', last)),
                        bool(re.search(rf'\bby\s+{rule["dimension"]}\s*$', last.strip()))))

    assert [(name, True, True) for name, _, _ in checked] == checked
    assert {"skips-spike", "reconcile-failures", "scope-refusals"} == {name for name, _, _ in checked}


def test_the_dead_letter_alert_watches_the_system_topics_dead_letter_metric():
    template = parse("modules/deadletter-alert.bicep")
    [criterion] = template["resources"]["deadLetters"]["config"]["properties"]["criteria"]["allOf"]

    assert ("Microsoft.EventGrid/systemTopics", "DeadLetteredCount", "Total") == (
        criterion["metricNamespace"], criterion["metricName"], criterion["timeAggregation"])


def test_each_spoke_deploys_the_dead_letter_alert_on_pednss_own_event_subscriptions():
    spoke = parse("spoke/main.bicep")
    module = spoke["modules"]["deadLetters"]
    params = module["config"]["config"]["params"]

    assert ("../modules/deadletter-alert.bicep", "deadLetterAlert") == (module["detail"]["path"],
                                                                        module["config"]["condition"])
    assert ("events", "names") == (params["eventSubscriptionNames"]["operator"]["operands"]["operand_1"],
                                   params["eventSubscriptionNames"]["operator"]["operands"]["operand_2"]
                                   ["operator"]["operands"]["operand_2"])
    assert "alertActionGroupId" == params["actionGroupId"]
    assert "names" in parse("modules/event-subscription.bicep")["outputs"]
