"""infra/spoke/rollout.sh deploys the spoke to every subscription under a management group (or in a
list) that the hub accepts, with a stand-in `az` on PATH that records its calls.

The stand-in answers `az rest` and `az functionapp config appsettings list` from JSON bodies shaped
like Azure's, and applies the script's own `--query` with jmespath and `--output tsv` the way the
Azure CLI prints it, so the queries the script sends are exercised, not just matched as text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from infra_templates import INFRA

pytestmark = [
    pytest.mark.infra,
    pytest.mark.skipif(shutil.which("bash") is None, reason="rollout.sh needs bash"),
]

SCRIPT = INFRA / "spoke" / "rollout.sh"
SUB_A = "2b2b2b2b-0000-4000-8000-000000000001"
SUB_B = "3c3c3c3c-0000-4000-8000-000000000002"
SUB_C = "4d4d4d4d-0000-4000-8000-000000000003"
SUB_HUB = "1a1a1a1a-0000-4000-8000-00000000c0de"

MG_API = "/providers/Microsoft.Management/managementGroups/{}/descendants?api-version=2020-05-01"
PAGE_1 = MG_API.format("mg-landingzones")
PAGE_2 = ("https://management.azure.com/providers/Microsoft.Management/managementGroups/mg-landingzones/"
          "descendants?api-version=2020-05-01&$skiptoken=page2")
CORP = MG_API.format("mg-corp")


def _group(name, parent):
    return {"id": f"/providers/Microsoft.Management/managementGroups/{name}",
            "type": "Microsoft.Management/managementGroups", "name": name,
            "properties": {"displayName": name, "parent": {"id": f"/providers/Microsoft.Management/managementGroups/{parent}"}}}


def _subscription(sub, parent):
    return {"id": f"/subscriptions/{sub}", "type": "Microsoft.Management/managementGroups/subscriptions", "name": sub,
            "properties": {"displayName": f"sub-{sub[:4]}",
                           "parent": {"id": f"/providers/Microsoft.Management/managementGroups/{parent}"}}}


# mg-landingzones holds A and B and the nested group mg-corp, which holds C; the listing takes two pages.
PAGES = {
    PAGE_1: {"value": [_group("mg-corp", "mg-landingzones"), _subscription(SUB_A, "mg-landingzones"),
                       _subscription(SUB_B, "mg-landingzones")],
             "nextLink": PAGE_2},
    PAGE_2: {"value": [_subscription(SUB_C, "mg-corp")]},
    CORP: {"value": [_subscription(SUB_C, "mg-corp")], "nextLink": None},
}


def app_settings(subscriptions="", groups=None):
    settings = [
        {"name": "PEDNS_DNS_RESOURCE_GROUP", "slotSetting": False, "value": "rg-connectivity-dns"},
        {"name": "PEDNS_SOURCE_SUBSCRIPTIONS", "slotSetting": False, "value": subscriptions},
        {"name": "PEDNS_TTL", "slotSetting": False, "value": "10"},
    ]
    if groups is not None:
        settings.append({"name": "PEDNS_SOURCE_MANAGEMENT_GROUPS", "slotSetting": False, "value": groups})
    return settings


# The hub of most tests accepts all three (listed in another case and order, with spaces).
ALL_THREE = app_settings(f"{SUB_C.upper()}, {SUB_A};{SUB_B}")

FAKE_AZ = textwrap.dedent(f"""\
    #!{sys.executable}
    import collections, json, os, sys
    import jmespath

    args = sys.argv[1:]
    with open(os.environ["AZ_LOG"], "a") as log:
        log.write(" ".join(args) + "\\n")
    with open(os.environ["AZ_STATE"]) as f:
        state = json.load(f)

    def opt(*names):
        for name in names:
            if name in args:
                return args[args.index(name) + 1]
        return None

    def cell(value):  # knack's tsv: a list prints its length, a dict nothing, None "None"
        if isinstance(value, list):
            return str(len(value))
        if isinstance(value, dict):
            return ""
        return value if isinstance(value, str) else str(value)

    def row(value):
        if isinstance(value, collections.OrderedDict):
            values = list(value.values())
        elif isinstance(value, dict):
            values = [v for _, v in sorted(value.items())]
        elif isinstance(value, list):
            values = value
        else:
            values = [value]
        return "\\t".join(cell(v) for v in values) + "\\n"

    def answer(body):
        query = opt("--query")
        if query:
            body = jmespath.search(query, body, jmespath.Options(dict_cls=collections.OrderedDict))
        if opt("--output", "-o") == "tsv":
            if body is not None:
                sys.stdout.write("".join(row(r) for r in body) if isinstance(body, list) else row(body))
        else:
            sys.stdout.write(json.dumps(body, indent=2) + "\\n")

    def fail(message):
        sys.stderr.write("ERROR: " + message + "\\n")
        sys.exit(1)

    if args[0] == "rest":
        url = opt("--url")
        if url in state.get("fail_urls", []) or url not in state["pages"]:
            fail("(AuthorizationFailed) The client does not have authorization to perform action "
                 "'Microsoft.Management/managementGroups/descendants/read' over scope '" + url + "'.")
        answer(state["pages"][url])
    elif args[:2] == ["provider", "show"]:
        if opt("--subscription") != state.get("hub_function_sub"):
            fail("provider show for an unexpected subscription: " + str(opt("--subscription")))
        answer({{"namespace": opt("--namespace"), "registrationState": state.get("eventgrid", "Registered")}})
    elif args[:3] == ["eventgrid", "system-topic", "list"]:
        sub = opt("--subscription")
        if sub in state.get("fail_topics", []):
            fail("(AuthorizationFailed) The client does not have authorization to perform action "
                 "'Microsoft.EventGrid/systemTopics/read'.")
        answer(state.get("topics", {{}}).get(sub, []))
    elif args[:4] == ["functionapp", "config", "appsettings", "list"]:
        if state.get("settings") is None:
            fail("(AuthorizationFailed) The client does not have authorization to perform action "
                 "'Microsoft.Web/sites/config/list/action'.")
        answer(state["settings"])
    elif args[:2] == ["deployment", "sub"] and opt("--subscription") in state.get("fail_deploy", []):
        fail("deployment failed")
    elif args[:2] == ["deployment", "sub"] and opt("--subscription") in state.get("fail_always", {{}}):
        fail(state["fail_always"][opt("--subscription")])
    elif args[:2] == ["deployment", "sub"] and opt("--subscription") in state.get("fail_once", {{}}):
        marker = os.environ["AZ_STATE"] + ".failed." + opt("--subscription")
        if not os.path.exists(marker):
            open(marker, "w").close()
            fail(state["fail_once"][opt("--subscription")])
    """)


@pytest.fixture
def az(tmp_path):
    pytest.importorskip("jmespath", reason="the stand-in az applies --query with jmespath (pip install '.[infra]')")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "az"
    fake.write_text(FAKE_AZ)
    fake.chmod(0o755)
    log = tmp_path / "az.log"
    state_file = tmp_path / "az.json"

    def run(*args, settings=ALL_THREE, fail_deploy=(), fail_urls=(), eventgrid="Registered", topics=None,
            fail_topics=(), fail_once=None, fail_always=None):
        log.write_text("")
        state_file.write_text(json.dumps({"pages": PAGES, "settings": settings, "fail_deploy": list(fail_deploy),
                                          "fail_urls": list(fail_urls), "eventgrid": eventgrid,
                                          "hub_function_sub": SUB_HUB, "topics": topics or {},
                                          "fail_topics": list(fail_topics), "fail_once": fail_once or {},
                                          "fail_always": fail_always or {}}))
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "AZ_LOG": str(log),
               "AZ_STATE": str(state_file)}
        proc = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)
        calls = log.read_text().splitlines()
        deployed = [line.split("--subscription ")[1].split()[0] for line in calls if line.startswith("deployment sub")]
        run.calls = calls
        return proc, deployed

    return run


#: The example parameters: functionAppId is in SUB_HUB.
COMMON = ("--parameters", str(INFRA / "examples" / "spoke.parameters.json"), "--location", "westeurope")
HUB = ("--hub-app", "pedns-func-abc123xyz", "--hub-resource-group", "rg-pedns")
MG = ("--management-group", "mg-landingzones")


def refusal(sub):
    return (f"refused: {sub} (not in the hub's scope: add it to PEDNS_SOURCE_SUBSCRIPTIONS "
            "or place it under one of PEDNS_SOURCE_MANAGEMENT_GROUPS)")


def rest_calls(calls):
    return [line for line in calls if line.startswith("rest ")]


# -- what it deploys ------------------------------------------------------------------------------

def test_deploys_to_every_subscription_under_the_management_group_across_pages(az):
    proc, deployed = az(*MG, *HUB, *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert "deployed: 3, failed: 0, refused: 0" in proc.stdout


def test_excluded_subscriptions_are_skipped(az):
    proc, deployed = az(*MG, *HUB, "--exclude", SUB_B.upper(), *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_C]) == sorted(deployed)


def test_a_failing_subscription_does_not_stop_the_others_but_fails_the_run(az):
    proc, deployed = az(*MG, *HUB, *COMMON, fail_deploy=[SUB_A])

    assert 1 == proc.returncode
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert f"failed: {SUB_A}" in proc.stderr


#: What ARM answers while a role definition created in the same deployment replicates.
ROLE_NOT_YET = ("InvalidTemplateDeployment: ... (RoleDefinitionDoesNotExist) The specified role definition with "
                "ID '0e0e0e0e' does not exist.")


@pytest.mark.parametrize("message", [ROLE_NOT_YET, "(PrincipalNotFound) Principal 5e5e5e5e does not exist in the directory."],
                         ids=["role-definition", "principal"])
def test_a_subscription_failing_while_its_new_role_replicates_is_deployed_once_more(az, message):
    proc, deployed = az(*MG, *HUB, *COMMON, "--retry-wait", "0", fail_once={SUB_A: message})

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert "deployed: 3, failed: 0, refused: 0" in proc.stdout
    assert f"{SUB_A}: a role or identity created moments ago is not visible everywhere yet" in proc.stderr


def test_any_other_failure_is_not_retried(az):
    proc, deployed = az(*MG, *HUB, *COMMON, "--retry-wait", "0", fail_once={SUB_A: "(QuotaExceeded) no"})

    assert 1 == proc.returncode
    assert 1 == deployed.count(SUB_A)
    assert f"failed: {SUB_A}" in proc.stderr


def test_a_retry_that_fails_again_fails_the_subscription_and_is_the_only_retry(az):
    proc, deployed = az(*MG, *HUB, *COMMON, "--retry-wait", "0", fail_always={SUB_A: ROLE_NOT_YET})

    assert 1 == proc.returncode
    assert 2 == deployed.count(SUB_A)
    assert f"failed: {SUB_A}" in proc.stderr


def test_the_retry_wait_must_be_a_number_of_seconds(az):
    proc, deployed = az(*MG, *HUB, *COMMON, "--retry-wait", "soon")

    assert (2, []) == (proc.returncode, deployed)
    assert "--retry-wait takes a number of seconds: soon" in proc.stderr


def test_subscriptions_can_come_from_a_file(az, tmp_path):
    subs = tmp_path / "subs.txt"
    subs.write_text(f"# landing zones\n{SUB_C}\n\n{SUB_A.upper()}  # corp\n")

    proc, deployed = az("--subscriptions", str(subs), *HUB, *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_C]) == sorted(deployed)
    assert [] == rest_calls(az.calls)  # the hub lists subscriptions only: no management group to read


def test_dry_run_prints_the_deployments_and_runs_none(az):
    proc, deployed = az(*MG, *HUB, "--dry-run", *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert [] == deployed
    assert 3 == proc.stdout.count("az deployment sub create")
    assert "spoke/main.bicep" in proc.stdout


@pytest.mark.parametrize("location", ["westeurope", "West Europe"])
def test_each_deployment_is_named_for_its_location_so_another_location_is_another_deployment(az, location):
    """A subscription deployment's location is fixed per name: a rerun elsewhere under the same name
    fails with InvalidDeploymentLocation."""
    proc, deployed = az(*MG, *HUB, "--parameters", COMMON[1], "--location", location)

    assert 0 == proc.returncode, proc.stderr
    names = {line.split("--name ")[1].split()[0] for line in az.calls if line.startswith("deployment sub")}
    assert {"pedns-spoke-westeurope"} == names


def test_what_if_runs_what_if_instead_of_create(az):
    proc, deployed = az(*MG, *HUB, "--what-if", *COMMON)

    assert 0 == proc.returncode, proc.stderr
    assert 3 == len(deployed)
    assert all(" what-if " in line for line in az.calls if line.startswith("deployment sub"))


# -- the hub's scope ------------------------------------------------------------------------------

def test_a_subscription_outside_the_hubs_scope_is_refused_not_deployed_and_fails_the_run(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=app_settings(SUB_A, groups=""))

    assert 1 == proc.returncode
    assert [SUB_A] == deployed
    assert refusal(SUB_B) in proc.stderr
    assert refusal(SUB_C) in proc.stderr
    assert "deployed: 1, failed: 0, refused: 2" in proc.stdout


def test_a_subscription_under_one_of_the_hubs_management_groups_is_accepted(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=app_settings(SUB_A.upper(), groups="mg-corp"))

    assert 1 == proc.returncode  # B is in neither
    assert sorted([SUB_A, SUB_C]) == sorted(deployed)  # C is below mg-corp
    assert refusal(SUB_B) in proc.stderr
    assert SUB_C not in proc.stderr


def test_a_hub_scoped_to_the_rolled_out_group_accepts_all_of_it_reading_each_page_once(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=app_settings("", groups="mg-landingzones"))

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert 2 == len(rest_calls(az.calls))  # two pages, each read once although both lists need them


def test_one_az_rest_call_per_page(az):
    proc, _ = az(*MG, *HUB, *COMMON, settings=app_settings(SUB_A, groups="mg-corp"))

    urls = [line.split("--url ")[1].split()[0] for line in rest_calls(az.calls)]
    assert [PAGE_1, PAGE_2, CORP] == urls


def test_a_hub_with_both_settings_empty_accepts_any_subscription(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=app_settings(""))

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert "any subscription" in proc.stdout


def test_accept_any_deploys_everything_without_reading_the_hub(az):
    proc, deployed = az(*MG, "--accept-any", *COMMON, settings=None)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert [] == [line for line in az.calls if line.startswith("functionapp")]


def test_the_hub_settings_are_read_from_the_given_app_and_subscription(az):
    proc, _ = az(*MG, *HUB, "--hub-subscription", SUB_HUB, *COMMON)

    (call,) = [line for line in az.calls if line.startswith("functionapp config appsettings list")]
    assert 0 == proc.returncode, proc.stderr
    assert f"--name pedns-func-abc123xyz --resource-group rg-pedns --subscription {SUB_HUB} " in call


def test_dry_run_also_reports_refusals(az):
    proc, deployed = az(*MG, *HUB, "--dry-run", *COMMON, settings=app_settings(SUB_A))

    assert 1 == proc.returncode
    assert [] == deployed
    assert 1 == proc.stdout.count("az deployment sub create")
    assert refusal(SUB_B) in proc.stderr


# -- enumeration failures stop the run before anything is deployed --------------------------------

def test_a_failing_descendants_page_fails_the_run_before_deploying(az):
    proc, deployed = az(*MG, *HUB, *COMMON, fail_urls=[PAGE_2])

    assert 1 == proc.returncode
    assert [] == deployed
    (line,) = proc.stderr.strip().splitlines()
    assert "mg-landingzones" in line and "page 2" in line and "AuthorizationFailed" in line
    assert "deployed:" not in proc.stdout


def test_a_failing_page_of_the_hubs_management_group_fails_the_run_before_deploying(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=app_settings(SUB_A, groups="mg-corp"), fail_urls=[CORP])

    assert 1 == proc.returncode
    assert [] == deployed
    assert "management group 'mg-corp'" in proc.stderr


def test_unreadable_hub_settings_fail_the_run_before_deploying(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=None)

    assert 1 == proc.returncode
    assert [] == deployed
    (line,) = proc.stderr.strip().splitlines()
    assert "pedns-func-abc123xyz" in line and "Microsoft.Web/sites/config/list/action" in line


# -- usage ----------------------------------------------------------------------------------------

def test_missing_arguments_are_refused(az):
    proc, deployed = az("--location", "westeurope")

    assert 2 == proc.returncode
    assert [] == deployed


@pytest.mark.parametrize(
    "hub",
    [(), ("--hub-app", "pedns-func-abc123xyz"), ("--hub-resource-group", "rg-pedns"), (*HUB, "--accept-any")],
    ids=["none", "app-only", "group-only", "both-ways"],
)
def test_the_hubs_scope_must_be_given_one_way(az, hub):
    proc, deployed = az(*MG, *hub, *COMMON)

    assert 2 == proc.returncode
    assert [] == deployed
    assert [] == az.calls


def test_a_management_group_must_be_given_by_its_id(az):
    proc, deployed = az("--management-group", "../subscriptions/x", *HUB, *COMMON)

    assert 2 == proc.returncode
    assert [] == az.calls


def test_a_hub_setting_that_is_no_management_group_id_fails_the_run_before_deploying(az):
    proc, deployed = az(*MG, *HUB, *COMMON, settings=app_settings(SUB_A, groups="mg-corp,Landing Zones/Corp"))

    assert 1 == proc.returncode
    assert [] == deployed
    assert "PEDNS_SOURCE_MANAGEMENT_GROUPS" in proc.stderr


# -- prerequisites and an existing system topic ----------------------------------------------------

def system_topic(name, rg, identity="SystemAssigned", topic_type="Microsoft.Resources.Subscriptions"):
    return {"name": name, "resourceGroup": rg, "topicType": topic_type,
            "identity": {"type": identity} if identity else None}


def deploy_line(calls, sub):
    (line,) = [c for c in calls if c.startswith("deployment sub") and f"--subscription {sub} " in c]
    return line


def test_event_grid_must_be_registered_in_the_hub_functions_subscription_before_anything_is_deployed(az):
    proc, deployed = az(*MG, *HUB, *COMMON, eventgrid="NotRegistered")

    assert 1 == proc.returncode
    assert [] == deployed
    (line,) = proc.stderr.strip().splitlines()
    assert SUB_HUB in line and f"az provider register --namespace Microsoft.EventGrid --subscription {SUB_HUB}" in line


def test_the_event_grid_registration_is_read_from_the_function_apps_subscription(az):
    proc, _ = az(*MG, "--accept-any", *COMMON)

    (call,) = [c for c in az.calls if c.startswith("provider show")]
    assert 0 == proc.returncode, proc.stderr
    assert f"--namespace Microsoft.EventGrid --subscription {SUB_HUB} " in call


def test_an_existing_subscription_topic_is_reused_and_the_others_get_their_own(az):
    topics = {SUB_B: [system_topic("other-tool", "rg-audit", "SystemAssigned, UserAssigned"),
                      system_topic("blobs", "rg-x", topic_type="Microsoft.Storage.StorageAccounts")]}

    proc, deployed = az(*MG, *HUB, *COMMON, topics=topics)

    assert 0 == proc.returncode, proc.stderr
    assert sorted([SUB_A, SUB_B, SUB_C]) == sorted(deployed)
    assert ("--parameters useExistingSystemTopic=true systemTopicName=other-tool eventResourceGroupName=rg-audit"
            in deploy_line(az.calls, SUB_B))
    assert "useExistingSystemTopic" not in deploy_line(az.calls, SUB_A)
    assert f"reuse {SUB_B}: system topic 'other-tool' in resource group 'rg-audit'" in proc.stdout


def test_an_existing_topic_without_a_system_identity_fails_that_subscription_with_the_fix(az):
    topics = {SUB_C: [system_topic("legacy", "rg-legacy", "UserAssigned")]}

    proc, deployed = az(*MG, *HUB, *COMMON, topics=topics)

    assert 1 == proc.returncode
    assert sorted([SUB_A, SUB_B]) == sorted(deployed)
    assert "'legacy'" in proc.stderr and "system-assigned identity" in proc.stderr
    assert f"failed: {SUB_C}" in proc.stderr


def test_a_subscription_whose_topics_cannot_be_listed_fails_and_is_not_deployed_blindly(az):
    proc, deployed = az(*MG, *HUB, *COMMON, fail_topics=[SUB_A])

    assert 1 == proc.returncode
    assert sorted([SUB_B, SUB_C]) == sorted(deployed)
    assert f"failed: {SUB_A}" in proc.stderr


def test_dry_run_shows_the_reuse_parameters(az):
    proc, deployed = az(*MG, *HUB, "--dry-run", *COMMON, topics={SUB_A: [system_topic("t", "rg-t")]})

    assert (0, []) == (proc.returncode, deployed)
    assert "useExistingSystemTopic=true systemTopicName=t eventResourceGroupName=rg-t" in proc.stdout


# -- bash 3.2 (macOS) ------------------------------------------------------------------------------

#: Constructs newer than bash 3.2, the /bin/bash macOS ships, each with the version that added it.
BASH_4_CONSTRUCTS = {
    r"\bmapfile\b|\breadarray\b": "mapfile (4.0)",
    r"\$\{[#!]?\w+(\[[^]]*\])?(,,?|\^\^?)[^}]*\}": "case modification ${x,,} / ${x^^} (4.0)",
    r"\b(declare|local|typeset)\s+-\w*[An]": "associative arrays / namerefs (4.0 / 4.3)",
    r"\|&|&>>": "|& and &>> (4.0)",
    r"\bcoproc\b": "coproc (4.0)",
    r";;&|;&": "case fall-through (4.0)",
    r"\$\{\w+(\[[^]]*\])?@[QEPAaKkUuL]\}": "${x@Q} transformations (4.4)",
    r"\bshopt\s+-s\s+(globstar|lastpipe|autocd|dirspell|checkjobs)": "shopt options (4.x)",
    r"\bwait\s+-n\b": "wait -n (4.3)",
    r"\[\[\s+-v\s": "[[ -v (4.2)",
    r"\$\{\w+\[-\d+\]\}": "negative array index (4.3)",
    r"\{\w+\}[<>]": "{fd}> descriptor allocation (4.1)",
    r"\$(EPOCHSECONDS|EPOCHREALTIME|BASHPID)\b": "$EPOCHSECONDS / $BASHPID (4.0+)",
    r"\bread\b[^\n|;]*\s-\w*[iN]\b": "read -i / -N (4.0)",
    r"printf\s+[^\n]*%\(": "printf %(...)T (4.2)",
}


def script_code():
    """rollout.sh without its comments (a comment may name what it avoids)."""
    return "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("pattern", list(BASH_4_CONSTRUCTS), ids=list(BASH_4_CONSTRUCTS.values()))
def test_the_script_uses_nothing_newer_than_bash_3_2(pattern):
    assert [] == re.findall(pattern, script_code())


def test_a_regex_test_takes_its_pattern_from_a_variable():
    """Inline after =~, characters special to the shell (the parentheses of a management group id)
    depend on the parser's quoting rules; "storing the regular expression in a shell variable is often
    a useful way to avoid problems with quoting characters that are special to the shell" (bash manual,
    Conditional Constructs)."""
    assert [] == [m for m in re.findall(r"=~\s*(\S+)", script_code()) if not m.startswith("$")]


def test_arrays_expanded_bare_are_never_empty_there():
    """Before bash 4.4, "${a[@]}" of an empty array is an unbound variable under `set -u`: an array
    that may be empty is expanded as ${a[@]:-} or ${a[@]+"${a[@]}"}, or only after a length check."""
    bare = set(re.findall(r'(?<![+])"\$\{(\w+)\[@\]\}"', script_code()))

    assert set() == bare - {"subscriptions", "hub_args", "cmd", "failed", "refused"}
