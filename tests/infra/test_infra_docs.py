"""docs/deploy.md and the templates' own usage lines say what the templates need: commands that can
be run again elsewhere, and the deployer's rights for every scope a deployment writes into."""

from __future__ import annotations

import re
import shlex

import pytest

from infra_templates import INFRA, REPO, bicep_files, rel

pytestmark = pytest.mark.infra

DEPLOY_MD = REPO / "docs" / "deploy.md"


def commands(text: str, comment: str = "") -> list[str]:
    """Every `az deployment sub|mg create` command that starts a line in `text`, continuation lines joined."""
    lines = [line.removeprefix(comment).strip() if comment else line for line in text.splitlines()]
    joined = re.sub(r"\\\s*\n\s*", " ", "\n".join(lines))
    return [m.group(1) for m in re.finditer(r"(?m)^\s*(az deployment (?:sub|mg) create[^\n]*)", joined)]


def option(words: list[str], *names: str) -> str | None:
    for i, word in enumerate(words):
        if word in names:
            return words[i + 1]
    return None


def sources():
    yield "docs/deploy.md", commands(DEPLOY_MD.read_text())
    for path in bicep_files():
        yield rel(path), commands(path.read_text(), "//")


@pytest.mark.parametrize(("source", "found"), list(sources()), ids=[s for s, _ in sources()])
def test_every_subscription_or_group_deployment_is_named_for_its_region(source, found):
    """The location of a subscription or management group deployment is fixed per name
    (InvalidDeploymentLocation): a name without the region cannot be run again in another."""
    for command in found:
        words = shlex.split(command.split("#", 1)[0].replace("<", "").replace(">", ""))
        location, name = option(words, "-l", "--location"), option(words, "-n", "--name")

        assert name is not None and location is not None, command
        assert name.endswith(f"-{location}"), command


def test_there_are_such_commands_to_check():
    assert 3 <= len(commands(DEPLOY_MD.read_text()))
    assert 3 <= sum(len(found) for source, found in sources() if source != "docs/deploy.md")


def test_the_docs_do_not_say_the_hub_deploys_no_event_grid_resource():
    """With notifications on (the default) the hub deploys an Event Grid topic, which registers
    Microsoft.EventGrid in its subscription; only notifications=false leaves that to the deployer."""
    from infra_templates import parse, resources

    hub = parse("hub/main.bicep")
    assert True is hub["parameters"]["notifications"]["default"]
    assert resources(parse("modules/notifications.bicep"), "Microsoft.EventGrid/topics")
    texts = {name: (REPO / name).read_text() for name in ("docs/deploy.md", "infra/README.md", "infra/spoke/rollout.sh")}

    unqualified = [
        (name, flat[max(0, m.start() - 80):m.end()])
        for name, text in texts.items()
        for flat in [" ".join(text.replace("#", " ").split())]
        for m in re.finditer(r"deploys no Event Grid resource", flat)
        if "notifications=false" not in flat[max(0, m.start() - 80):m.start()]
    ]
    assert [] == unqualified
    assert "with `notifications` on (the default), the hub deploys" in " ".join(texts["docs/deploy.md"].split())


# -- the deployer's rights ---------------------------------------------------------------------------

def rights_rows() -> list[list[str]]:
    """The rows (step, where, rights) of deploy.md's table of the deployer's rights."""
    section = DEPLOY_MD.read_text().split("Rights of whoever deploys", 1)[1]
    table = section[section.index("| step |"):].split("\n\n", 1)[0]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table.splitlines()[2:]]


def test_user_access_administrator_is_never_offered_without_the_right_to_deploy():
    """User Access Administrator holds */read, Microsoft.Authorization/* and Microsoft.Support/*
    (built-in roles reference): paired with nothing, it cannot run the deployment that writes a role."""
    alone = [row[:2] for row in rights_rows()
             if "User Access Administrator" in row[2] and "Microsoft.Resources/deployments" not in row[2]
             and not re.search(r"(?<!Private DNS Zone )(?<!Network )\bContributor\b", row[2])]

    assert [] == alone


def test_every_row_that_defines_a_role_names_role_definitions_and_deployments():
    rows = [row[:2] for row in rights_rows() if "roleDefinitions/write" in row[2]
            and "Microsoft.Resources/deployments" not in row[2]]

    assert [] == rows


@pytest.mark.parametrize("template", ["mg/endpoint-reader-role.bicep", "mg/audit-reader-role.bicep",
                                      "hub/audit-reader-role.bicep"])
def test_every_template_deployed_on_its_own_has_a_rights_row(template):
    assert (INFRA / template).exists()
    assert [template] == [template for row in rights_rows() if f"`{template}`" in row[0]]


def test_the_docs_name_every_record_type_the_dns_role_writes():
    import json

    written = {a.split("/")[2] for a in json.loads((INFRA / "roles" / "dns-records.json").read_text())["actions"]
               if a.endswith("/write")}
    intro = DEPLOY_MD.read_text().split("```", 1)[0]

    assert {"A", "AAAA"} == written
    assert "writes A and AAAA record sets" in " ".join(intro.split())


# -- what the first deployment must confirm -----------------------------------------------------------

def first_deployment_items() -> list[str]:
    section = DEPLOY_MD.read_text().split("## What the first real deployment must confirm", 1)[1].split("\n## ", 1)[0]
    return [" ".join(item.split()) for item in re.split(r"\n(?=\d+\. )", section) if re.match(r"\d+\. ", item)]


def test_every_point_the_first_deployment_must_confirm_comes_with_its_command():
    commands_in = {item[:60]: re.findall(r"`((?:az|nslookup|/bin/bash|for) [^`]+)`", item) for item in first_deployment_items()}

    assert 10 <= len(commands_in)
    assert [] == [item for item, found in commands_in.items() if not found]


@pytest.mark.parametrize("design_out", [
    "RoleDefinitionDoesNotExist", "skipQueryValidation", "disableLocalAuth", "existingZoneLinks",
    "pedns-spoke-<region>", "Microsoft.EventGrid", "zone creator", "audit reader", "bash 3.2", "nslookup",
])
def test_the_first_deployment_confirms_what_the_offline_checks_rest_on(design_out):
    assert any(design_out in item for item in first_deployment_items())
