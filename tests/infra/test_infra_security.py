"""The security facts of the templates, read from the parsed Bicep: what events reach the function,
which identity may do what where, and that no key or broad role slips in."""

from __future__ import annotations

import json
import re

import pytest

from infra_templates import (
    resolve,
    INFRA, bicep_files, evaluate, function_call, parse, rel, resources, role_file, unwrap, walk,
)

pytestmark = pytest.mark.infra

ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions"

#: Built-in roles pedns must never get (Owner, Contributor, User Access Administrator,
#: Role Based Access Control Administrator, Network Contributor, Private DNS Zone Contributor, Reader).
FORBIDDEN_ROLE_GUIDS = {
    "8e3af657-a8ff-44bc-a02c-2c9f5ebfb35a",
    "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7",
}

MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
EVENTGRID_DATA_SENDER = "d5a91429-5739-47e2-a06b-3470a27159e7"
QUEUE_DATA_MESSAGE_SENDER = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a"
QUEUE_DATA_CONTRIBUTOR = "974c5e8b-45b9-4653-ba55-5f855dd0fb88"

#: Every role assignment in infra/: (file, symbolic name) -> (role, scope). A scope of None means
#: the deployment's own scope (the module's resource group, or the spoke subscription).
EXPECTED_ASSIGNMENTS = {
    ("modules/monitoring.bicep", "publisher"): (MONITORING_METRICS_PUBLISHER, "insights"),
    ("modules/storage.bicep", "hostBlobAccess"): (BLOB_DATA_OWNER, "account"),
    ("modules/storage.bicep", "indexTableAccess"): (TABLE_DATA_CONTRIBUTOR, "account"),
    ("modules/storage.bicep", "continuationQueueAccess"): (QUEUE_DATA_CONTRIBUTOR, "queues"),
    ("modules/deadletter-access.bicep", "deadLetterWriter"): (BLOB_DATA_CONTRIBUTOR, "container"),
    ("modules/dns-access.bicep", "recordsAssignment"): ("custom:dns-records.json", None),
    ("modules/dns-access.bicep", "zonesAssignment"): ("custom:dns-zones.json", None),
    ("modules/dns-access.bicep", "listAllAssignment"): ("custom:dns-list-all.json", None),
    ("modules/vnet-join-access.bicep", "joinAssignment"): ("custom:vnet-join.json", "vnet"),
    ("spoke/main.bicep", "readerAssignment"): ("custom:endpoint-reader.json", None),
    ("mg/endpoint-reader-role.bicep", "readerAssignment"): ("custom:endpoint-reader.json", None),
    ("mg/audit-reader-role.bicep", "auditAssignment"): ("custom:audit-reader.json", None),
    ("hub/audit-reader-role.bicep", "auditAssignment"): ("custom:audit-reader.json", None),
    ("modules/notifications.bicep", "sender"): (EVENTGRID_DATA_SENDER, "topic"),
    ("modules/notification-queue-access.bicep", "queueSender"): (QUEUE_DATA_MESSAGE_SENDER, "queue"),
}

DNS_RECORD_ACTIONS = {
    "Microsoft.Network/privateDnsZones/read",
    "Microsoft.Network/privateDnsZones/A/read",
    "Microsoft.Network/privateDnsZones/A/write",
    "Microsoft.Network/privateDnsZones/A/delete",
    "Microsoft.Network/privateDnsZones/AAAA/read",  # dual-stack endpoints (issue 14): AAAA and nothing more
    "Microsoft.Network/privateDnsZones/AAAA/write",
    "Microsoft.Network/privateDnsZones/AAAA/delete",
}
#: Only with the hub's listAllRecordTypes (PEDNS_LIST_ALL_RECORD_TYPES): one listing of every type per zone.
DNS_LIST_ALL_ACTIONS = {"Microsoft.Network/privateDnsZones/ALL/read"}
DNS_ZONE_CREATION_ACTIONS = {
    "Microsoft.Network/privateDnsZones/write",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/read",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
    "Microsoft.Network/privateDnsOperationResults/read",
    "Microsoft.Network/privateDnsOperationStatuses/read",
}
VNET_JOIN_ACTIONS = {"Microsoft.Network/virtualNetworks/join/action"}
#: Resource Graph lists a subscription (resourcecontainers) and its endpoints only if the caller may read them.
ENDPOINT_READER_ACTIONS = {
    "Microsoft.Resources/subscriptions/read",
    "Microsoft.Network/privateEndpoints/read",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read",
    "Microsoft.Network/networkInterfaces/read",  # the names Azure gave an endpoint (docs/security.md)
}
#: `pedns audit`'s and `pedns resolve`'s optional role: reads only.
AUDIT_READER_ACTIONS = {
    "Microsoft.Resources/subscriptions/read",
    "Microsoft.Network/privateDnsZones/read",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks/read",
    "Microsoft.Network/privateDnsZones/A/read",  # resolve: the record in a zone outside the hub (a shadow)
    "Microsoft.Network/privateDnsZones/AAAA/read",
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/dnsResolvers/inboundEndpoints/read",  # Resource Graph lists them only to a reader
    "Microsoft.Network/dnsForwardingRulesets/read",
    "Microsoft.Network/dnsForwardingRulesets/forwardingRules/read",  # ARM child resources
    "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks/read",
}

EVENT_TYPES = ["Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Resources.ResourceDeleteSuccess"]
ENDPOINT_OPERATIONS = ["Microsoft.Network/privateEndpoints/write", "Microsoft.Network/privateEndpoints/delete"]
ZONE_GROUP_OPERATIONS = [
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/delete",
]

REQUIRED_PEDNS_SETTINGS = {
    "PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP", "PEDNS_SOURCE_SUBSCRIPTIONS", "PEDNS_TENANT_ID",
    "PEDNS_OWNER_ID", "PEDNS_TTL", "PEDNS_CLOUD", "PEDNS_CREDENTIAL", "PEDNS_MANAGED_IDENTITY_CLIENT_ID",
    "PEDNS_INDEX_TABLE_ENDPOINT", "PEDNS_CREATE_ZONES", "PEDNS_HUB_VNET_IDS", "PEDNS_RECONCILE_SCHEDULE",
}


def all_templates():
    return {rel(path): parse(rel(path)) for path in bicep_files()}


def role_of(template, relpath, assignment):
    """'custom:<roles file>' for a custom role defined beside the assignment, else the built-in GUID."""
    role_id = assignment["properties"]["roleDefinitionId"]
    if role_id == "readerRoleId":  # spoke: its own definition, or the management group's one
        return "custom:endpoint-reader.json"
    call = function_call(role_id, "subscription_resource_id") or function_call(role_id, "management_group_resource_id")
    assert call is not None, f"{relpath}: roleDefinitionId is not subscription/managementGroupResourceId(...): {role_id}"
    assert call["parameters"]["resource_type"] == ROLE_DEFINITION
    name = call["parameters"]["resource_name_1"]
    defined_here = [d for d in resources(template, ROLE_DEFINITION).values() if d["name"] == name]
    if defined_here:
        (definition,) = defined_here
        return "custom:" + roles_file_of(template, relpath, definition)
    return evaluate(template, relpath, name, {})


def roles_file_of(template, relpath, definition):
    """The infra/roles file a role definition's actions come from (`<variable>.actions`, the variable
    a loadJsonContent of that file)."""
    (permissions,) = definition["properties"]["permissions"]
    accessor = permissions["actions"]["operator"]["operands"]
    assert "actions" == accessor["operand_2"], f"{relpath}: actions are not <roles file>.actions"
    load = function_call(template["variables"][accessor["operand_1"]]["value"], "load_json_content")
    assert load is not None, f"{relpath}: role definition without an infra/roles file"
    return load["parameters"]["file_path"].rsplit("/", 1)[-1]


def parameters_reached(template, value):
    """The template's parameters that `value` depends on, through variables and `${...}` strings."""
    params, variables = template.get("parameters", {}), template.get("variables", {})
    found, seen = set(), set()

    def visit(v):
        for item in walk(v):
            if not isinstance(item, str):
                continue
            names = re.findall(r"[A-Za-z_]\w*", item) if "${" in item else [item]
            for name in names:
                if name in params:
                    found.add(name)
                elif name in variables and name not in seen:
                    seen.add(name)
                    visit(variables[name]["value"])

    visit(value)
    return found


# -- role assignments -----------------------------------------------------------------------------

def test_every_role_assignment_has_the_expected_role_and_scope():
    found = {}
    for relpath, template in all_templates().items():
        for name, assignment in resources(template, ROLE_ASSIGNMENT).items():
            found[(relpath, name)] = (role_of(template, relpath, assignment), assignment.get("scope"))

    assert EXPECTED_ASSIGNMENTS == found


def test_every_role_assignment_goes_to_a_service_principal():
    """principalType also spares ARM the directory lookup of an identity created moments before in the
    same deployment (PrincipalNotFound while it replicates)."""
    for relpath, template in all_templates().items():
        for name, assignment in resources(template, ROLE_ASSIGNMENT).items():
            assert "ServicePrincipal" == assignment["properties"]["principalType"], (relpath, name)


@pytest.mark.parametrize("path", bicep_files(), ids=rel)
def test_no_broad_built_in_role_is_referenced(path):
    text = path.read_text().lower()

    assert [] == [guid for guid in FORBIDDEN_ROLE_GUIDS if guid in text]


def test_no_role_name_grants_by_wildcard():
    for path in (INFRA / "roles").glob("*.json"):
        actions = json.loads(path.read_text())["actions"]
        assert [] == [a for a in actions if "*" in a], path.name


# -- custom roles ---------------------------------------------------------------------------------

def test_dns_role_files_hold_exactly_the_expected_actions():
    assert DNS_RECORD_ACTIONS == set(role_file("dns-records.json")["actions"])
    assert DNS_ZONE_CREATION_ACTIONS == set(role_file("dns-zones.json")["actions"])
    assert DNS_LIST_ALL_ACTIONS == set(role_file("dns-list-all.json")["actions"])
    assert VNET_JOIN_ACTIONS == set(role_file("vnet-join.json")["actions"])
    assert ENDPOINT_READER_ACTIONS == set(role_file("endpoint-reader.json")["actions"])
    assert AUDIT_READER_ACTIONS == set(role_file("audit-reader.json")["actions"])
    assert all(a.endswith("/read") for a in AUDIT_READER_ACTIONS)


#: uniqueString(resourceGroup().id) as pycep reads it.
HUB_HASH = {"function": {"type": "unique_string", "parameters": {"base_string": {"function": {
    "type": "resource_group", "parameters": {"resource_group_name": None, "subscription_id": None},
    "property_name": "id"}}}}}


def dns_assignments(allow_zone_creation):
    """The DNS roles' actions the hub identity is assigned, by assignment, for one hub's setting."""
    relpath = "modules/dns-access.bicep"
    template = parse(relpath)
    definitions = resources(template, ROLE_DEFINITION)
    assigned = {}
    for name, res in template["resources"].items():
        if res["type"] != ROLE_ASSIGNMENT:
            continue
        condition = res["config"].get("condition")
        if condition is not None and not evaluate(template, relpath, condition, {"allowZoneCreation": allow_zone_creation}):
            continue
        role = unwrap(res["config"])["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]
        (definition,) = [d for d in definitions.values() if d["name"] == role]
        (permissions,) = definition["properties"]["permissions"]
        assert [] == permissions["dataActions"]
        assigned[name] = evaluate(template, relpath, permissions["actions"], {"allowZoneCreation": allow_zone_creation})
    return assigned


@pytest.mark.parametrize(
    ("allow_zone_creation", "expected"),
    [(False, DNS_RECORD_ACTIONS), (True, DNS_RECORD_ACTIONS | DNS_ZONE_CREATION_ACTIONS)],
    ids=["records-only", "with-zone-creation"],
)
def test_the_identity_gets_zone_writes_only_when_zone_creation_is_enabled(allow_zone_creation, expected):
    actions = [a for role in dns_assignments(allow_zone_creation).values() for a in role]

    assert expected == set(actions)
    assert len(expected) == len(actions)


def test_hub_lists_all_record_types_only_when_asked_and_tells_the_app_and_the_role_alike():
    template = parse("hub/main.bicep")
    module = unwrap(template["modules"]["dnsAccess"]["config"])
    setting = template["variables"]["pednsSettings"]["value"]["PEDNS_LIST_ALL_RECORD_TYPES"]

    assert ("bool", False) == (template["parameters"]["listAllRecordTypes"]["type"],
                               template["parameters"]["listAllRecordTypes"]["default"])
    assert "listAllRecordTypes" == module["params"]["allowListAllRecordTypes"]
    assert ("true", "false") == (evaluate(template, "hub/main.bicep", setting, {"listAllRecordTypes": True}),
                                 evaluate(template, "hub/main.bicep", setting, {"listAllRecordTypes": False}))


def test_every_dns_role_definition_is_the_same_whichever_hub_deploys_it():
    """Hubs sharing the DNS resource group write the same definitions: no hub setting (zone
    creation, principal) reaches a definition's id, name, actions or scopes, only its condition."""
    template = parse("modules/dns-access.bicep")
    definitions = {name: res["config"] for name, res in template["resources"].items() if res["type"] == ROLE_DEFINITION}

    reached = {name: parameters_reached(template, unwrap(config)) for name, config in definitions.items()}

    assert {"recordsRole": set(), "zonesRole": set(), "listAllRole": set()} == reached
    assert "allowZoneCreation" == definitions["zonesRole"]["condition"]
    assert "allowListAllRecordTypes" == definitions["listAllRole"]["condition"]
    assert "condition" not in definitions["recordsRole"]
    assert len({unwrap(c)["name"] for c in definitions.values()}) == len(definitions)  # three ids, three roles


def test_the_record_lister_role_grants_all_read_and_nothing_else():
    template = parse("modules/dns-access.bicep")
    definition = resources(template, ROLE_DEFINITION)["listAllRole"]
    (permissions,) = definition["properties"]["permissions"]

    assert DNS_LIST_ALL_ACTIONS == set(evaluate(template, "modules/dns-access.bicep", permissions["actions"], {}))


def test_dns_roles_are_assignable_to_the_dns_resource_group_only():
    template = parse("modules/dns-access.bicep")

    for definition in resources(template, ROLE_DEFINITION).values():
        (scope,) = definition["properties"]["assignableScopes"]
        assert "resource_group" == scope["function"]["type"]
        assert {"resource_group_name": None, "subscription_id": None} == scope["function"]["parameters"]


@pytest.mark.parametrize(
    ("relpath", "module"),
    [("hub/main.bicep", "dnsAccess"), ("hub/main.bicep", "vnetJoinAccess"), ("hub/main.bicep", "zones"),
     ("modules/notifications.bicep", "queueAccess")],
)
def test_a_hub_deployment_into_a_shared_resource_group_has_a_name_of_its_own(relpath, module):
    template = parse(relpath)
    config = unwrap(template["modules"][module]["config"])

    hub_hash = "${uniqueString(resourceGroup().id)}"  # resourceGroup(): the hub's own, where this template runs
    if "hubSuffix" in template.get("variables", {}):
        assert HUB_HASH == template["variables"]["hubSuffix"]["value"]
        hub_hash = "${hubSuffix}"

    assert "resource_group" == config["scope"]["function"]["type"]  # another hub may deploy there too
    assert hub_hash in config["name"]


def test_hub_grants_dns_rights_in_the_dns_resource_group_only():
    module = unwrap(parse("hub/main.bicep")["modules"]["dnsAccess"]["config"])

    scope = module["scope"]["function"]
    assert "resource_group" == scope["type"]
    assert {"subscription_id": "dnsSubscriptionId", "resource_group_name": "dnsResourceGroupName"} == scope["parameters"]
    assert "createZonesAtRuntime" == module["params"]["allowZoneCreation"]


def test_hub_grants_vnet_join_only_with_zone_creation():
    config = parse("hub/main.bicep")["modules"]["vnetJoinAccess"]["config"]

    source = config["loop_type"]["detail"]["array_name"]
    assert "'condition': 'createZonesAtRuntime'" in source
    assert "'true_value': 'hubVnetIds', 'false_value': []" in source


@pytest.mark.parametrize(
    ("relpath", "scope_function"),
    [("modules/vnet-join-access.bicep", "resource_group"), ("spoke/main.bicep", "subscription"),
     ("mg/endpoint-reader-role.bicep", "management_group"), ("mg/audit-reader-role.bicep", "management_group"),
     ("hub/audit-reader-role.bicep", "resource_group")],
)
def test_other_custom_roles_have_the_expected_actions_and_one_assignable_scope(relpath, scope_function):
    template = parse(relpath)
    expected = {"modules/vnet-join-access.bicep": VNET_JOIN_ACTIONS, "mg/audit-reader-role.bicep": AUDIT_READER_ACTIONS,
                "hub/audit-reader-role.bicep": AUDIT_READER_ACTIONS}.get(relpath, ENDPOINT_READER_ACTIONS)
    (definition,) = resources(template, ROLE_DEFINITION).values()
    (permissions,) = definition["properties"]["permissions"]

    assert expected == set(evaluate(template, relpath, permissions["actions"], {}))
    (scope,) = definition["properties"]["assignableScopes"]
    assert scope_function == scope["function"]["type"]


def test_the_audit_reader_can_be_assigned_on_a_hub_dns_resource_group_outside_the_management_group():
    """The management group's role is assignable at the group only; the resource group template
    defines the same actions there and assigns them to the hub identity, at that group itself."""
    template = parse("hub/audit-reader-role.bicep")
    assignment = resources(template, ROLE_ASSIGNMENT)["auditAssignment"]
    (definition,) = resources(template, ROLE_DEFINITION).values()
    (scope,) = definition["properties"]["assignableScopes"]

    assert "resourceGroup" == template["globals"]["scope"]["value"]
    assert ({"resource_group_name": None, "subscription_id": None}, "id") == (
        scope["function"]["parameters"], scope["function"]["property_name"])
    assert "scope" not in assignment
    assert "functionPrincipalId" == assignment["properties"]["principalId"]
    assert set() == parameters_reached(template, definition)  # the same definition for every hub


def test_spoke_reader_assignment_is_at_subscription_scope_for_the_function_identity():
    template = parse("spoke/main.bicep")
    assignment = resources(template, ROLE_ASSIGNMENT)["readerAssignment"]

    assert "scope" not in assignment  # targetScope subscription: the subscription itself
    assert "subscription" == template["globals"]["scope"]["value"]
    assert "functionPrincipalId" == assignment["properties"]["principalId"]


def test_management_group_reader_assignment_is_optional_and_goes_to_the_function_identity_at_the_group():
    template = parse("mg/endpoint-reader-role.bicep")
    config = template["resources"]["readerAssignment"]["config"]
    assignment = resources(template, ROLE_ASSIGNMENT)["readerAssignment"]
    role_id = function_call(assignment["properties"]["roleDefinitionId"], "management_group_resource_id")

    assert "managementGroup" == template["globals"]["scope"]["value"]
    assert "scope" not in assignment  # the management group itself: every subscription below it
    assert "functionPrincipalId" == assignment["properties"]["principalId"]
    assert "" == template["parameters"]["functionPrincipalId"]["default"]  # default: define the role only
    assert "not" == config["condition"]["operator"]["type"]
    assert "functionPrincipalId" in str(config["condition"])
    assert ("Microsoft.Authorization/roleDefinitions", "roleGuid") == (
        role_id["parameters"]["resource_type"], role_id["parameters"]["resource_name_1"])


# -- event wiring ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("include_zone_groups", "expected"),
    [(True, ENDPOINT_OPERATIONS + ZONE_GROUP_OPERATIONS), (False, ENDPOINT_OPERATIONS)],
    ids=["with-zone-groups", "endpoints-only"],
)
def test_event_filter_passes_only_private_endpoint_operations(include_zone_groups, expected):
    relpath = "modules/event-subscription.bicep"
    template = parse(relpath)
    sub = resources(template, "Microsoft.EventGrid/systemTopics/eventSubscriptions")["eventSubscription"]
    flt = sub["properties"]["filter"]

    (advanced,) = flt["advancedFilters"]
    assert ("StringIn", "data.operationName") == (advanced["operatorType"], advanced["key"])
    assert expected == evaluate(template, relpath, advanced["values"], {"includeZoneGroupEvents": include_zone_groups})
    assert EVENT_TYPES == evaluate(template, relpath, flt["includedEventTypes"], {})


def test_spoke_includes_zone_group_events_by_default_and_targets_the_events_function():
    template = parse("spoke/main.bicep")
    params = unwrap(template["modules"]["events"]["config"])["params"]

    assert True is template["parameters"]["includeZoneGroupEvents"]["default"]
    assert "events" == template["parameters"]["functionName"]["default"]
    assert "includeZoneGroupEvents" == params["includeZoneGroupEvents"]
    assert "functionName" == params["functionName"]


@pytest.mark.parametrize("symbol", ["eventSubscription", "connectionSubscription"])
def test_event_subscription_delivers_to_the_function_with_retries_and_identity_dead_lettering(symbol):
    template = parse("modules/event-subscription.bicep")
    props = resources(template, "Microsoft.EventGrid/systemTopics/eventSubscriptions")[symbol]["properties"]
    destination = resolve(template, props["destination"])

    assert "AzureFunction" == destination["endpointType"]
    assert "${functionAppId}/functions/${functionName}" == destination["properties"]["resourceId"]
    assert {"maxDeliveryAttempts": 30, "eventTimeToLiveInMinutes": 1440} == resolve(template, props["retryPolicy"])
    dead_letter = resolve(template, props["deadLetterWithResourceIdentity"])
    assert {"type": "SystemAssigned"} == dead_letter["identity"]
    assert "StorageBlob" == dead_letter["deadLetterDestination"]["endpointType"]
    assert "deadLetterDestination" not in props  # no key-based dead-lettering


def test_the_connection_filter_passes_only_private_endpoint_connection_changes_and_is_on_by_default():
    relpath = "modules/event-subscription.bicep"
    template = parse(relpath)
    sub = resources(template, "Microsoft.EventGrid/systemTopics/eventSubscriptions")["connectionSubscription"]
    flt = sub["properties"]["filter"]

    (advanced,) = flt["advancedFilters"]
    assert ("StringEndsWith", "data.operationName") == (advanced["operatorType"], advanced["key"])
    assert ["/privateEndpointConnections/write", "/privateEndpointConnections/delete"] == evaluate(
        template, relpath, advanced["values"], {})
    assert EVENT_TYPES == evaluate(template, relpath, flt["includedEventTypes"], {})
    assert True is template["parameters"]["includeConnectionEvents"]["default"]
    spoke = parse("spoke/main.bicep")
    assert "includeConnectionEvents" == unwrap(spoke["modules"]["events"]["config"])["params"]["includeConnectionEvents"]


def test_system_topic_is_the_subscription_topic_with_its_own_identity():
    topic = resources(parse("modules/event-topic.bicep"), "Microsoft.EventGrid/systemTopics")["topic"]

    assert "Microsoft.Resources.Subscriptions" == topic["properties"]["topicType"]
    assert {"type": "SystemAssigned"} == topic["identity"]
    assert "global" == topic["location"]


def test_an_existing_system_topic_and_its_resource_group_are_only_read_never_written():
    topic_module = parse("modules/event-topic.bicep")
    spoke = parse("spoke/main.bicep")
    topic = unwrap(spoke["modules"]["topic"]["config"])

    # The module creates its topic only without useExisting, and otherwise reads the one there.
    assert "'operator': {'type': 'not'" in str(topic_module["resources"]["topic"]["config"]["condition"])
    assert "useExisting" in str(topic_module["resources"]["topic"]["config"]["condition"])
    assert ["name"] == list(topic_module["resources"]["existingTopic"]["config"])  # `existing`: no body to write
    assert "useExisting" in str(topic_module["outputs"]["principalId"]["value"])
    # The spoke writes the resource group only without useExistingSystemTopic and hands the flag down.
    assert "useExistingSystemTopic" in str(spoke["resources"]["eventGroup"]["config"]["condition"])
    assert "useExistingSystemTopic" == topic["params"]["useExisting"]
    assert (False, "bool") == (spoke["parameters"]["useExistingSystemTopic"]["default"],
                               spoke["parameters"]["useExistingSystemTopic"]["type"])


@pytest.mark.parametrize(
    ("relpath", "role"),
    [("spoke/main.bicep", "readerRoleId"), ("mg/endpoint-reader-role.bicep", "roleGuid")],
)
def test_the_reader_assignment_name_holds_its_role_so_a_role_switch_is_a_new_assignment(relpath, role):
    assignment = parse(relpath)["resources"]["readerAssignment"]["config"]
    assignment = unwrap(assignment)

    name = function_call(assignment["name"], "guid")
    assert role in name["parameters"].values()
    assert "functionPrincipalId" in name["parameters"].values()


# -- storage and function app ---------------------------------------------------------------------

def test_storage_accepts_only_entra_id_over_tls12_https_without_public_blobs():
    (account,) = resources(parse("modules/storage.bicep"), "Microsoft.Storage/storageAccounts").values()
    props = account["properties"]

    assert (False, "TLS1_2", False, True) == (
        props["allowSharedKeyAccess"], props["minimumTlsVersion"], props["allowBlobPublicAccess"],
        props["supportsHttpsTrafficOnly"],
    )


def test_blob_containers_are_private():
    containers = resources(parse("modules/storage.bicep"), "Microsoft.Storage/storageAccounts/blobServices/containers")

    assert {"deploymentContainer", "deadLetterContainer"} == set(containers)
    assert {"None"} == {c["properties"]["publicAccess"] for c in containers.values()}


def test_function_app_is_https_only_linux_python_313_flex_consumption():
    template = parse("modules/functionapp.bicep")
    (site,) = resources(template, "Microsoft.Web/sites").values()
    (plan,) = resources(template, "Microsoft.Web/serverfarms").values()
    props = site["properties"]

    assert True is props["httpsOnly"]
    assert "1.2" == props["siteConfig"]["minTlsVersion"]
    assert "ftpsState" not in props["siteConfig"]  # Flex Consumption refuses it ("FTPS not supported")
    assert {"name": "python", "version": "3.13"} == props["functionAppConfig"]["runtime"]
    assert "UserAssignedIdentity" == props["functionAppConfig"]["deployment"]["storage"]["authentication"]["type"]
    assert ("FC1", "FlexConsumption", True) == (plan["sku"]["name"], plan["sku"]["tier"], plan["properties"]["reserved"])
    assert "functionapp,linux" == site["kind"]
    assert "UserAssigned" == site["identity"]["type"]


def test_basic_auth_publishing_is_off():
    policies = resources(parse("modules/functionapp.bicep"), "Microsoft.Web/sites/basicPublishingCredentialsPolicies")

    assert {"ftp": False, "scm": False} == {p["name"]: p["properties"]["allow"] for p in policies.values()}


def test_application_insights_takes_entra_id_telemetry_only():
    (insights,) = resources(parse("modules/monitoring.bicep"), "Microsoft.Insights/components").values()

    assert True is insights["properties"]["DisableLocalAuth"]


def test_log_alert_rules_are_not_validated_against_a_component_that_may_have_no_data_yet():
    """A first deployment creates Application Insights and its alert rules together; the queries are
    checked offline (test_kql.py) instead of by Azure at creation."""
    rules = resources(parse("modules/alerts.bicep"), "Microsoft.Insights/scheduledQueryRules")

    assert {"alert"} == set(rules)
    assert {"LogAlert"} == {rule["kind"] for rule in rules.values()}
    assert {True} == {rule["properties"]["skipQueryValidation"] for rule in rules.values()}


def test_the_log_analytics_workspace_accepts_no_shared_key():
    (workspace,) = resources(parse("modules/monitoring.bicep"), "Microsoft.OperationalInsights/workspaces").values()

    assert True is workspace["properties"]["features"]["disableLocalAuth"]


# -- app settings ---------------------------------------------------------------------------------

def test_every_pedns_setting_in_infra_is_one_the_app_reads():
    from shared.settings import SETTING_NAMES

    used = {
        name
        for path in [*bicep_files(), *INFRA.rglob("*.parameters.json")]
        for name in re.findall(r"PEDNS_[A-Z0-9_]+", path.read_text())
    }

    assert set() == used - set(SETTING_NAMES)


def test_hub_sets_the_required_pedns_settings_with_managed_identity():
    settings = parse("hub/main.bicep")["variables"]["pednsSettings"]["value"]

    assert REQUIRED_PEDNS_SETTINGS <= set(settings)
    assert "managed-identity" == settings["PEDNS_CREDENTIAL"]


def test_hub_passes_management_groups_comma_joined_and_none_by_default():
    template = parse("hub/main.bicep")
    setting = function_call(template["variables"]["pednsSettings"]["value"]["PEDNS_SOURCE_MANAGEMENT_GROUPS"], "join")
    param = template["parameters"]["sourceManagementGroupIds"]

    assert {"input_array": "sourceManagementGroupIds", "delimiter": ","} == setting["parameters"]
    assert ("array", []) == (param["type"], param["default"])
    assert "sourceSubscriptionIds" in template["parameters"]


def test_pedns_settings_override_anything_passed_in_additional_settings():
    app = unwrap(parse("hub/main.bicep")["modules"]["app"]["config"])
    union = function_call(app["params"]["appSettings"], "union")

    assert ["additionalAppSettings", "optionalSettings", "hostSettings", "pednsSettings"] == list(union["parameters"].values())


def test_host_storage_is_identity_based_with_the_accounts_own_service_uris():
    settings = parse("hub/main.bicep")["variables"]["hostSettings"]["value"]

    assert "managedidentity" == settings["AzureWebJobsStorage__credential"]
    assert "AzureWebJobsStorage__clientId" in settings
    assert "AzureWebJobsStorage" not in settings
    # __accountName works only in the public cloud with default DNS (Functions reference, host storage).
    assert "AzureWebJobsStorage__accountName" not in settings
    for service in ("blob", "queue", "table"):
        assert f"'operand_2': '{service}Endpoint'" in str(settings[f"AzureWebJobsStorage__{service}ServiceUri"])


def test_the_storage_module_outputs_each_service_endpoint_of_the_account():
    outputs = parse("modules/storage.bicep")["outputs"]

    for service in ("blob", "queue", "table"):
        assert f"'primaryEndpoints', 'operand_2': '{service}'" in str(outputs[f"{service}Endpoint"]["value"])


@pytest.mark.parametrize("relpath", ["hub/main.bicep", "modules/functionapp.bicep"])
def test_the_maximum_instance_count_may_be_as_low_as_one_and_is_low_by_default(relpath):
    param = parse(relpath)["parameters"]["maximumInstanceCount"]
    bounds = {d["type"]: d["argument"] for d in param["decorators"] if d["type"] in ("min_value", "max_value")}

    assert ({"min_value": 1, "max_value": 1000}, 10) == (bounds, param["default"])


@pytest.mark.parametrize("path", bicep_files(), ids=rel)
def test_no_keys_or_connection_secrets_are_read(path):
    text = path.read_text()

    assert [] == re.findall(r"listKeys|AccountKey=|SharedAccessKey|InstrumentationKey=", text)


# -- example parameter files ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("params_file", "template"),
    [("examples/hub.parameters.json", "hub/main.bicep"), ("examples/spoke.parameters.json", "spoke/main.bicep")],
)
def test_example_parameters_fit_their_template(params_file, template):
    given = set(json.loads((INFRA / params_file).read_text())["parameters"])
    declared = parse(template)["parameters"]
    required = {name for name, p in declared.items() if "default" not in p}

    assert set() == given - set(declared)
    assert set() == required - given


def test_spoke_reader_role_id_points_at_the_pedns_reader_role_either_way():
    template = parse("spoke/main.bicep")
    call = function_call(template["variables"]["readerRoleId"]["value"], "subscription_resource_id")
    (definition,) = resources(template, ROLE_DEFINITION).values()

    assert ROLE_DEFINITION == call["parameters"]["resource_type"]
    choice = call["parameters"]["resource_name_1"]["operator"]
    assert ("createReaderRole", "readerRoleGuid") == (choice["operands"]["condition"], choice["operands"]["true_value"])
    assert "readerRoleGuid" == definition["name"]
    assert "endpointReaderRoleDefinitionId" in str(choice["operands"]["false_value"])


# -- app teams' notifications ---------------------------------------------------------------------

def test_the_notification_topic_takes_cloudevents_and_entra_id_tokens_only():
    template = parse("modules/notifications.bicep")
    (topic,) = resources(template, "Microsoft.EventGrid/topics").values()

    assert ("CloudEventSchemaV1_0", True) == (topic["properties"]["inputSchema"], topic["properties"]["disableLocalAuth"])
    assert {"type": "SystemAssigned"} == topic["identity"]  # delivers to the example queue without a key


def test_the_pedns_identity_may_only_send_to_the_notification_topic():
    template = parse("modules/notifications.bicep")
    sender = resources(template, ROLE_ASSIGNMENT)["sender"]
    hub = unwrap(parse("hub/main.bicep")["modules"]["notify"]["config"])

    assert ("topic", "senderPrincipalId") == (sender["scope"], sender["properties"]["principalId"])
    assert "'operand_1': 'identity'" in str(hub["params"]["senderPrincipalId"])
    assert "'principalId'" in str(hub["params"]["senderPrincipalId"])


def test_the_example_subscription_delivers_both_event_types_to_a_queue_with_the_topics_identity():
    relpath = "modules/notifications.bicep"
    template = parse(relpath)
    config = template["resources"]["appTeamQueue"]["config"]
    props = unwrap(config)["properties"]

    assert "queueStorageAccountId" in str(config["condition"])  # only when a queue is named
    assert ["pedns.endpoint.changed", "pedns.endpoint.skipped"] == evaluate(
        template, relpath, props["filter"]["includedEventTypes"], {})
    delivery = props["deliveryWithResourceIdentity"]
    assert ({"type": "SystemAssigned"}, "StorageQueue") == (delivery["identity"], delivery["destination"]["endpointType"])
    assert "CloudEventSchemaV1_0" == props["eventDeliverySchema"]
    assert "destination" not in props  # never a destination without the topic's identity


def test_the_hub_deploys_notifications_by_default_and_passes_the_topic_endpoint():
    template = parse("hub/main.bicep")
    setting = template["variables"]["pednsSettings"]["value"]["PEDNS_NOTIFY_TOPIC_ENDPOINT"]

    assert (True, "bool") == (template["parameters"]["notifications"]["default"],
                              template["parameters"]["notifications"]["type"])
    assert "notifications" in str(template["modules"]["notify"]["config"]["condition"])
    assert "notifications" in str(setting) and "notify" in str(setting) and "endpoint" in str(setting)


def test_the_storage_account_holds_the_queue_the_reconcile_continues_on():
    """functions/reconcile.py triggers on and writes to this queue through AzureWebJobsStorage."""
    from functions.reconcile import QUEUE

    template = parse("modules/storage.bicep")
    [queue] = resources(template, "Microsoft.Storage/storageAccounts/queueServices/queues").values()

    assert ("reconcileQueueName", QUEUE) == (queue["name"], template["parameters"]["reconcileQueueName"]["default"])
