"""The README says what the code does: every setting, reason code and command, and no others."""

from __future__ import annotations

import re
from pathlib import Path

from shared.cli import _parser
from shared.core.model import Reason
from shared.settings import SETTING_NAMES, Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def table_after(heading: str) -> list[list[str]]:
    section = README.split(heading, 1)[1]
    rows = []
    for line in section.splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[1:]


def test_the_settings_table_lists_exactly_the_settings_the_code_reads():
    documented = [row[0].strip("`") for row in table_after("## Settings")]

    assert sorted(SETTING_NAMES) == sorted(documented)


def test_the_settings_table_states_the_real_defaults():
    defaults = {row[0].strip("`"): row[1] for row in table_after("## Settings")}
    fields = {str(f.alias): f.default for f in Settings.model_fields.values()}
    for name, default in fields.items():
        if isinstance(default, (int, str)) and not isinstance(default, bool) and default != "":
            assert f"`{default}`" == defaults[name], name
        if isinstance(default, bool):
            assert f"`{str(default).lower()}`" == defaults[name], name


def test_the_reason_table_lists_exactly_the_reason_codes():
    documented = [row[0].strip("`") for row in table_after("### Why an endpoint gets no record")]

    assert sorted(r.value for r in Reason) == sorted(documented)


def test_the_cli_table_lists_exactly_the_commands():
    parser = _parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    documented = {re.match(r"`pedns (\w+)", row[0]).group(1) for row in table_after("## The CLI")}

    assert set(commands) == documented


def test_the_custom_rule_example_loads_and_resolves_as_the_readme_says():
    from shared.core.catalogue import Catalogue
    from shared.parsing.custom_zones import load_custom_rules

    example = README.split("### Custom zone rules", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    rules = load_custom_rules(example)
    catalogue = Catalogue.for_cloud("AzureCloud", custom_rules=rules)

    key = catalogue.resolve(target_id=rules[0].private_link_service_id, group_id="", fqdn="orders.svc.partner.example",
                            location="westeurope")
    assert ("privatelink.svc.partner.example", "orders") == (key.zone, key.name)


def test_the_audit_table_lists_exactly_the_finding_codes_with_their_remedies():
    from shared.core.findings import REMEDIES

    rows = table_after("## The audit")
    documented = {row[0].strip("`"): row[2] for row in rows}

    assert REMEDIES == documented


def test_the_resolve_table_lists_exactly_the_verdicts_with_their_remedies():
    from shared.core.walk import REMEDIES, VERDICTS

    rows = table_after("## The resolution path")
    documented = {row[0].strip("`"): row[2] for row in rows}

    assert (list(VERDICTS), REMEDIES) == (list(documented), documented)


def test_the_emulator_readme_documents_every_resource_graph_query_it_answers_word_for_word():
    """emulator/README.md once listed three queries while the emulator answered seven."""
    from emulator import _kql

    emulator_readme = (Path(__file__).resolve().parents[2] / "emulator" / "README.md").read_text()
    queries = [_kql.ENDPOINTS_QUERY, _kql.TARGET_QUERY_TEMPLATE,
               _kql.SUBSCRIPTIONS_QUERY, _kql.ZONES_QUERY, _kql.LINKS_QUERY, _kql.NETWORKS_QUERY, _kql.ADDRESSES_QUERY,
               _kql.RULESETS_QUERY, _kql.INBOUND_QUERY]

    assert len(queries) == len(_kql._TEMPLATES) == len(re.findall(r"^Q\d, `", emulator_readme, re.MULTILINE))
    for query in queries:
        assert f"```\n{query}\n```" in emulator_readme, query.splitlines()[1]


def test_make_help_names_every_make_target_the_readme_uses():
    import subprocess

    root = Path(__file__).resolve().parents[2]
    helped = subprocess.run(["make", "-s", "help"], cwd=root, capture_output=True, text=True, check=True).stdout
    used = set(re.findall(r"`make ([a-z][a-z-]*)", README))

    assert used and used <= set(re.findall(r"^make ([a-z][a-z-]*)", helped, re.MULTILINE))
