"""Event intake: Event Grid / CloudEvents deliveries → ResourceEvent (shared.parsing.events).

Real Microsoft-published payloads (tests/fixtures/events, sources in its README), one field
changed per test.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.errors import InvalidInput
from shared.parsing.events import ResourceEvent, parse_delivery, parse_event
from shared.core.model import ResourceId
from tests.fixtures import load, load_bytes

SUB = "11111111-2222-3333-4444-555555555555"
PE_ID = f"/subscriptions/{SUB}/resourceGroups/rg-spoke-app/providers/Microsoft.Network/privateEndpoints/pe-stappdata-blob"


def pe_write() -> dict:
    return load("events/eventgrid-pe-write-success.json")[0]


def pe_delete() -> dict:
    return load("events/eventgrid-pe-delete-success.json")[0]


def ce_write() -> dict:
    return load("events/cloudevents-pe-write-success.json")


def with_resource(event: dict, resource: str) -> dict:
    event["data"]["resourceUri"] = resource
    event["subject"] = resource
    return event


def message(exc: pytest.ExceptionInfo[InvalidInput]) -> str:
    return str(exc.value)


# --- what is handled --------------------------------------------------------------------------


def test_a_private_endpoint_write_from_the_docs_sample_is_a_write_of_that_endpoint():
    [event] = parse_delivery(load_bytes("events/eventgrid-pe-write-success.json"))

    assert event == ResourceEvent(
        id="4db48cba-50a2-455a-93b4-de41a3b5b7f6",
        schema="eventgrid",
        event_type="Microsoft.Resources.ResourceWriteSuccess",
        operation_name="Microsoft.Network/privateEndpoints/write",
        resource_id=ResourceId(PE_ID),
        subscription_id=SUB,
        tenant_id="99999999-8888-7777-6666-555555555555",
        correlation_id="6f0c6d0e-3c2b-4d8e-9a1f-2b3c4d5e6f70",
        time=datetime(2018, 7, 19, 18, 38, 4, 611735, tzinfo=timezone.utc),
        action="write",
    )


def test_the_lower_case_resourcegroups_of_the_sample_is_returned_canonical():
    [event] = parse_delivery(load_bytes("events/eventgrid-pe-write-success.json"))

    assert "/resourcegroups/" in pe_write()["data"]["resourceUri"]
    assert PE_ID == event.resource_id.value


def test_a_private_endpoint_delete_is_a_delete_of_that_endpoint():
    [event] = parse_delivery(load_bytes("events/eventgrid-pe-delete-success.json"))

    assert ("delete", ResourceId(PE_ID), "19a69642-1aad-4a96-a5ab-8d05494513ce") == (
        event.action, event.resource_id, event.id)


def test_a_cloudevents_write_is_parsed_like_its_event_grid_twin():
    [eg] = parse_delivery(load_bytes("events/eventgrid-pe-write-success.json"))
    [ce] = parse_delivery(load_bytes("events/cloudevents-pe-write-success.json"))

    assert ("cloudevents", eg.action, eg.resource_id, eg.time, eg.subscription_id) == (
        ce.schema, ce.action, ce.resource_id, ce.time, ce.subscription_id)


def test_a_cloudevents_array_yields_one_event_per_item_in_order():
    events = parse_delivery(load_bytes("events/cloudevents-batch.json"))

    assert ["write", None, "delete"] == [e.action for e in events]


def test_an_event_grid_single_object_is_accepted_like_an_array_of_one():
    [event] = parse_delivery(json.dumps(pe_write()))

    assert "write" == event.action


def test_an_already_decoded_body_is_accepted():
    [event] = parse_delivery(load("events/eventgrid-pe-delete-success.json"))

    assert "delete" == event.action


def test_event_type_and_operation_compare_case_insensitively():
    event = pe_write()
    event["eventType"] = "microsoft.resources.resourcewritesuccess"
    event["data"]["operationName"] = "MICROSOFT.NETWORK/PRIVATEENDPOINTS/WRITE"

    assert "write" == parse_event(event).action


def test_json_encoded_string_authorization_claims_and_http_request_are_accepted():
    [event] = parse_delivery(load_bytes("events/eventgrid-pe-write-success.encoded-strings.json"))

    assert "write" == event.action


@pytest.mark.parametrize("field", ["authorization", "claims", "httpRequest", "correlationId", "tenantId",
                                   "resourceProvider", "status"])
def test_informational_fields_may_be_absent(field):
    event = pe_delete()  # the delete sample carries every field, httpRequest included
    del event["data"][field]

    assert "delete" == parse_event(event).action


def test_subject_is_the_fallback_when_resource_uri_is_absent():
    event = pe_write()
    del event["data"]["resourceUri"]

    assert ResourceId(PE_ID) == parse_event(event).resource_id


def test_the_subscription_comes_from_the_id_when_data_has_none():
    event = pe_write()
    del event["data"]["subscriptionId"]

    assert SUB == parse_event(event).subscription_id


def test_an_event_without_time_has_time_none():
    event = pe_write()
    del event["eventTime"]

    assert None is parse_event(event).time


def test_a_dead_lettered_event_with_extra_top_level_fields_is_accepted():
    event = pe_write()
    event.update(deadLetterReason="MaxDeliveryAttemptsExceeded", deliveryAttempts=30,
                 lastDeliveryOutcome="Probation", publishTime="2018-07-19T18:38:05.000Z")

    assert "write" == parse_event(event).action


# --- zone groups: a change of who manages the records --------------------------------------------


def test_a_zone_group_write_is_a_write_of_the_parent_endpoint():
    [event] = parse_delivery(load_bytes("events/eventgrid-pe-zone-group-write-success.json"))

    assert ("write", ResourceId(PE_ID)) == (event.action, event.resource_id)
    assert "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write" == event.operation_name


def test_a_zone_group_delete_is_a_write_of_the_parent_endpoint():
    event = load("events/eventgrid-pe-zone-group-write-success.json")[0]
    event["eventType"] = "Microsoft.Resources.ResourceDeleteSuccess"
    event["data"]["operationName"] = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/delete"

    assert ("write", ResourceId(PE_ID)) == (parse_event(event).action, parse_event(event).resource_id)


def test_a_zone_group_event_for_a_non_zone_group_id_is_rejected():
    event = load("events/eventgrid-pe-zone-group-write-success.json")[0]
    with_resource(event, PE_ID)

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert "data.resourceUri is not a private endpoint zone group id" in message(exc)


# --- acknowledged and ignored ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("events/docs-eventgrid-resource-write-success.json",
         "operation Microsoft.Storage/storageAccounts/write is not a private endpoint write or delete"),
        ("events/docs-eventgrid-resource-delete-success.json",
         "operation Microsoft.Storage/storageAccounts/delete is not a private endpoint write or delete"),
        ("events/docs-eventgrid-resource-action-success.json",
         "event type Microsoft.Resources.ResourceActionSuccess is not handled"),
        ("events/docs-eventgrid-subscription-validation.json",
         "subscription validation event: the handshake is answered by the trigger"),
        ("events/dotnet-sdk-eventgrid-resource-write-success.json",
         "operation Microsoft.EventGrid/eventSubscriptions/write is not a private endpoint write or delete"),
        ("events/go-sdk-eventgrid-resource-delete-success.json",
         "operation Microsoft.EventGrid/eventSubscriptions/write is not a private endpoint write or delete"),
    ],
    ids=["docs-storage-write", "docs-storage-delete", "docs-action", "docs-validation", "dotnet-placeholders",
         "go-delete-paired-with-write"],
)
def test_published_samples_for_other_things_are_ignored_with_a_reason(fixture, reason):
    [event] = parse_delivery(load_bytes(fixture))

    assert (None, reason) == (event.action, event.ignore_reason)


@pytest.mark.parametrize(
    ("event_type", "operation", "reason"),
    [
        ("Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Network/privateEndpoints/delete",
         "event type Microsoft.Resources.ResourceWriteSuccess does not match operation Microsoft.Network/privateEndpoints/delete"),
        ("Microsoft.Resources.ResourceDeleteSuccess", "Microsoft.Network/privateEndpoints/write",
         "event type Microsoft.Resources.ResourceDeleteSuccess does not match operation Microsoft.Network/privateEndpoints/write"),
        ("Microsoft.Resources.ResourceWriteFailure", "Microsoft.Network/privateEndpoints/write",
         "event type Microsoft.Resources.ResourceWriteFailure is not handled"),
        ("Microsoft.Resources.ResourceWriteCancel", "Microsoft.Network/privateEndpoints/write",
         "event type Microsoft.Resources.ResourceWriteCancel is not handled"),
        ("Microsoft.Resources.ResourceDeleteFailure", "Microsoft.Network/privateEndpoints/delete",
         "event type Microsoft.Resources.ResourceDeleteFailure is not handled"),
        ("Microsoft.Resources.ResourceActionSuccess", "Microsoft.Network/privateEndpoints/write",
         "event type Microsoft.Resources.ResourceActionSuccess is not handled"),
        ("Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Network/privateEndpoints/privateLinkServiceProxies/write",
         "operation Microsoft.Network/privateEndpoints/privateLinkServiceProxies/write is not a private endpoint write or delete"),
        ("Microsoft.Resources.ResourceDeleteSuccess", "Microsoft.Storage/storageAccounts/privateEndpointConnections/write",
         "operation Microsoft.Storage/storageAccounts/privateEndpointConnections/write is not a private endpoint write or delete"),
        ("Microsoft.Storage.BlobCreated", "Microsoft.Network/privateEndpoints/write",
         "event type Microsoft.Storage.BlobCreated is not handled"),
    ],
    ids=["write-type-delete-op", "delete-type-write-op", "write-failure", "write-cancel", "delete-failure",
         "action-success", "other-pe-child", "approval-type-mismatch", "other-publisher"],
)
def test_other_pairs_are_ignored_with_a_reason(event_type, operation, reason):
    event = pe_write()
    event["eventType"] = event_type
    event["data"]["operationName"] = operation

    result = parse_event(event)

    assert (None, reason) == (result.action, result.ignore_reason)


def test_an_ignored_event_is_not_checked_for_a_private_endpoint_id():
    event = pe_write()
    event["eventType"] = "Microsoft.Resources.ResourceActionSuccess"
    with_resource(event, "/subscriptions/{subscription-id}/whatever/../x")

    assert None is parse_event(event).action


def test_an_event_of_another_publisher_needs_no_resource_data():
    [event] = parse_delivery(json.dumps(load("events/docs-eventgrid-subscription-validation.json")[0] | {
        "eventType": "Microsoft.Storage.BlobCreated", "data": "not an object"}))

    assert "event type Microsoft.Storage.BlobCreated is not handled" == event.ignore_reason


def test_an_empty_array_is_an_empty_delivery():
    assert [] == parse_delivery(b"[]")


# --- rejected: one line naming the event id ----------------------------------------------------------


def test_a_resource_that_is_not_a_private_endpoint_is_rejected_naming_event_and_field():
    event = with_resource(pe_write(), PE_ID.replace("privateEndpoints", "networkInterfaces"))

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert message(exc).startswith(
        "event 4db48cba-50a2-455a-93b4-de41a3b5b7f6: data.resourceUri is not a private endpoint id: ")
    assert "\n" not in message(exc)


def test_the_subscription_in_the_id_must_match_data_subscription_id():
    event = pe_write()
    event["data"]["subscriptionId"] = "22222222-3333-4444-5555-666666666666"

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert "data.subscriptionId '22222222-3333-4444-5555-666666666666' does not match" in message(exc)


def test_a_subscription_id_differing_only_in_case_matches():
    event = pe_write()
    event["data"]["subscriptionId"] = SUB.upper()

    assert "write" == parse_event(event).action


def test_a_handled_event_without_operation_name_is_rejected():
    event = pe_write()
    del event["data"]["operationName"]

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert "data.operationName is missing" in message(exc)


def test_a_handled_event_without_any_resource_is_rejected():
    event = pe_write()
    del event["data"]["resourceUri"]
    del event["subject"]

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert "data.resourceUri is missing" in message(exc)


def test_a_message_with_a_hostile_event_id_stays_on_one_line():
    event = with_resource(pe_write(), "/x")
    event["id"] = "evil\nid\x1b[31m"

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert "\n" not in message(exc) and "\x1b" not in message(exc)
    assert message(exc).startswith("event 'evil\\nid\\x1b[31m': ")


VALID_RG = "rg-spoke-app"
PREFIX = f"/subscriptions/{SUB}/resourceGroups/"
TAIL = "/providers/Microsoft.Network/privateEndpoints/"

NOT_PE_IDS = {
    "empty": "",
    "relative": f"subscriptions/{SUB}/resourceGroups/{VALID_RG}{TAIL}pe1",
    "not-a-guid": f"/subscriptions/subId/resourceGroups/{VALID_RG}{TAIL}pe1",
    "guid-in-braces": f"/subscriptions/{{{SUB}}}/resourceGroups/{VALID_RG}{TAIL}pe1",
    "other-type": f"{PREFIX}{VALID_RG}/providers/Microsoft.Network/networkInterfaces/pe1",
    "other-namespace": f"{PREFIX}{VALID_RG}/providers/Microsoft.Storage/privateEndpoints/pe1",
    "child-resource": f"{PREFIX}{VALID_RG}{TAIL}pe1/privateLinkServiceConnections/c1",
    "trailing-slash": f"{PREFIX}{VALID_RG}{TAIL}pe1/",
    "dot-dot-segment": f"{PREFIX}{VALID_RG}{TAIL}pe1/../pe2",
    "dot-dot-name": f"{PREFIX}{VALID_RG}{TAIL}..",
    "double-slash": f"{PREFIX}{VALID_RG}/providers/Microsoft.Network//privateEndpoints/pe1",
    "percent-encoded": f"{PREFIX}{VALID_RG}{TAIL}pe%2F1",
    "query": f"{PREFIX}{VALID_RG}{TAIL}pe1?api-version=2024-05-01",
    "fragment": f"{PREFIX}{VALID_RG}{TAIL}pe1#x",
    "space": f"{PREFIX}{VALID_RG}{TAIL}pe 1",
    "trailing-newline": f"{PREFIX}{VALID_RG}{TAIL}pe1\n",
    "nul": f"{PREFIX}{VALID_RG}{TAIL}pe1\x00",
    "tab-in-rg": f"{PREFIX}rg\tx{TAIL}pe1",
    "kelvin-sign-in-network": f"{PREFIX}{VALID_RG}/providers/Microsoft.Networ\u212a/privateEndpoints/pe1",
    "cyrillic-e-in-name": f"{PREFIX}{VALID_RG}{TAIL}p\u0435-1",
    "fullwidth-slash": f"{PREFIX}{VALID_RG}{TAIL[:-1]}\uff0fpe1",
    "name-starts-with-dash": f"{PREFIX}{VALID_RG}{TAIL}-pe1",
    "name-ends-with-dot": f"{PREFIX}{VALID_RG}{TAIL}pe1.",
    "name-81-chars": f"{PREFIX}{VALID_RG}{TAIL}{'p' * 81}",
    "rg-ends-with-dot": f"{PREFIX}rg.{TAIL}pe1",
    "rg-91-chars": f"{PREFIX}{'r' * 91}{TAIL}pe1",
    "rg-with-slash-trick": f"{PREFIX}rg/../rg2{TAIL}pe1",
    "missing-providers": f"{PREFIX}{VALID_RG}/Microsoft.Network/privateEndpoints/pe1",
}


@pytest.mark.parametrize("resource", list(NOT_PE_IDS.values()), ids=list(NOT_PE_IDS))
def test_resource_ids_that_are_not_private_endpoints_are_rejected(resource):
    event = with_resource(pe_write(), resource)
    if not resource:
        del event["subject"]

    with pytest.raises(InvalidInput) as exc:
        parse_event(event)
    assert message(exc).startswith("event 4db48cba-50a2-455a-93b4-de41a3b5b7f6: ")
    assert "\n" not in message(exc)


VALID_PE_IDS = {
    "lower-case-segments": f"/subscriptions/{SUB}/resourcegroups/{VALID_RG}/providers/microsoft.network/privateendpoints/pe1",
    "upper-guid": f"/subscriptions/{SUB.upper()}/resourceGroups/{VALID_RG}{TAIL}pe1",
    "rg-with-parens-and-dots": f"{PREFIX}rg(app).v2_x{TAIL}pe1",
    "rg-90-chars": f"{PREFIX}{'r' * 90}{TAIL}pe1",
    "name-80-chars": f"{PREFIX}{VALID_RG}{TAIL}{'p' * 80}",
    "name-with-underscore-end": f"{PREFIX}{VALID_RG}{TAIL}bot_pename000005_",
    "name-one-char": f"{PREFIX}{VALID_RG}{TAIL}p",
}


@pytest.mark.parametrize("resource", list(VALID_PE_IDS.values()), ids=list(VALID_PE_IDS))
def test_private_endpoint_ids_within_arm_naming_rules_are_accepted(resource):
    event = with_resource(pe_write(), resource)

    assert ResourceId(resource) == parse_event(event).resource_id


def _delivery(**changes) -> bytes:
    event = pe_write()
    for dotted, value in changes.items():
        target = event
        *path, last = dotted.split("__")
        for part in path:
            target = target[part]
        target[last] = value
    return json.dumps([event]).encode()


BAD_DELIVERIES = {
    "not-json": (b'[{"id": "1",', "delivery is not valid JSON"),
    "not-utf8": (b"\xff\xfe[]", "delivery is not UTF-8"),
    "top-level-number": (b"42", "delivery is not a JSON object or array: int"),
    "top-level-string": (b'"hello"', "delivery is not a JSON object or array: str"),
    "top-level-null": (b"null", "delivery is not a JSON object or array: NoneType"),
    "array-of-strings": (b'["x"]', "delivery item 0 is not a JSON object: str"),
    "deep-nesting": (b"[" * 100_000 + b"]" * 100_000, "delivery nests deeper than 64 levels"),
    "deep-nesting-in-data": (_delivery(data__claims=json.loads("[" * 65 + "]" * 65)), "delivery nests deeper than 64 levels"),
    "huge-integer": (b'[{"id": ' + b"9" * 5000 + b"}]", "delivery has a number of 5000 characters"),
    "integer-past-pythons-limit": (b'[{"id": "1", "deliveryAttempts": ' + b"1" * 4301 + b"}]",
                                   "delivery has a number of 4301 characters"),
    "nan": (b'[{"id": NaN}]', "delivery is not valid JSON: NaN is not a JSON value"),
    "number-overflowing-in-claims": (_delivery(data__claims={"x": 1.5}).replace(b'"x": 1.5', b'"x": 1e999'),
                                     "delivery is not valid JSON: number 1e999 overflows to infinity"),
    "event-type-twice": (_delivery()[:-2] + b', "eventType": "Microsoft.Resources.ResourceDeleteSuccess"}]',
                         'delivery is not valid JSON: duplicate key "eventType"'),
    "resource-uri-twice-in-data": (_delivery().replace(b'"resourceUri": ', b'"resourceUri": "/subscriptions/x", "resourceUri": ', 1),
                                   'delivery is not valid JSON: duplicate key "resourceUri"'),
    "missing-id": (json.dumps([{k: v for k, v in pe_write().items() if k != "id"}]).encode(), "event (no id): id: Field required"),
    "empty-id": (_delivery(id=""), "event (no id): id: String should have at least 1 character"),
    "numeric-id": (_delivery(id=1234), "event 1234: id: Input should be a valid string"),
    "missing-event-type": (json.dumps([{k: v for k, v in pe_write().items() if k != "eventType"}]).encode(), "eventType: Field required"),
    "event-type-not-string": (_delivery(eventType=["Microsoft.Resources.ResourceWriteSuccess"]), "eventType: Input should be a valid string"),
    "event-time-not-a-time": (_delivery(eventTime="yesterday"), "eventTime is not an ISO 8601 time: 'yesterday'"),
    "event-time-number": (_delivery(eventTime=1531. ), "eventTime: Input should be a valid string"),
    "subject-not-string": (_delivery(subject={"a": 1}), "subject: Input should be a valid string"),
    "data-missing": (json.dumps([{k: v for k, v in pe_write().items() if k != "data"}]).encode(), "data is missing"),
    "data-is-string": (_delivery(data=json.dumps(pe_write()["data"])), "data is not a JSON object"),
    "data-is-list": (_delivery(data=[]), "data is not a JSON object"),
    "resource-uri-number": (_delivery(data__resourceUri=7), "data.resourceUri: Input should be a valid string"),
    "operation-name-list": (_delivery(data__operationName=["x"]), "data.operationName: Input should be a valid string"),
    "subscription-id-number": (_delivery(data__subscriptionId=1), "data.subscriptionId: Input should be a valid string"),
    "tenant-id-object": (_delivery(data__tenantId={}), "data.tenantId: Input should be a valid string"),
    "cloudevents-wrong-specversion": (json.dumps(ce_write() | {"specversion": "0.3"}).encode(), "specversion: Input should be '1.0'"),
    "cloudevents-missing-source": (json.dumps({k: v for k, v in ce_write().items() if k != "source"}).encode(), "source: Field required"),
    "cloudevents-type-null": (json.dumps(ce_write() | {"type": None}).encode(), "type: Input should be a valid string"),
    "cloudevents-not-a-pe": (json.dumps(ce_write() | {"data": ce_write()["data"] | {"resourceUri": "/subscriptions/x"}}).encode(),
                             "data.resourceUri is not a private endpoint id"),
}


@pytest.mark.parametrize(("body", "expected"), list(BAD_DELIVERIES.values()), ids=list(BAD_DELIVERIES))
def test_bad_deliveries_are_rejected_with_one_line_naming_the_problem(body, expected):
    with pytest.raises(InvalidInput) as exc:
        parse_delivery(body)

    assert expected in message(exc)
    assert "\n" not in message(exc)


def test_an_oversized_body_is_rejected_before_it_is_decoded():
    body = b"[" + b" " * 2_000_000 + b"]"

    with pytest.raises(InvalidInput) as exc:
        parse_delivery(body)
    assert "delivery is 2000002 bytes, over the limit of 1048576" == message(exc)


def test_the_size_limit_is_configurable():
    with pytest.raises(InvalidInput, match="over the limit of 100"):
        parse_delivery(load_bytes("events/eventgrid-pe-write-success.json"), max_bytes=100)


def test_an_oversized_str_body_is_rejected_by_its_utf8_size():
    with pytest.raises(InvalidInput, match="delivery is 6 bytes, over the limit of 5"):
        parse_delivery('"\u00e9\u00e9"', max_bytes=5)


def test_one_bad_event_rejects_the_whole_delivery():
    good, bad = pe_write(), with_resource(pe_write(), "/nope")

    with pytest.raises(InvalidInput):
        parse_delivery(json.dumps([good, bad]))


def test_a_utf8_bom_is_tolerated():
    [event] = parse_delivery(b"\xef\xbb\xbf" + load_bytes("events/eventgrid-pe-write-success.json"))

    assert "write" == event.action


# --- never anything but InvalidInput ---------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
event_keys = st.sampled_from(["id", "eventType", "subject", "eventTime", "data", "topic", "specversion", "type",
                              "source", "time"])
data_keys = st.sampled_from(["resourceUri", "operationName", "subscriptionId", "tenantId", "correlationId",
                             "authorization", "claims", "httpRequest"])


@st.composite
def mutated_events(draw):
    event = draw(st.sampled_from([pe_write, pe_delete, ce_write]))()
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            event[draw(event_keys)] = draw(json_values)
        elif isinstance(event.get("data"), dict):
            event["data"][draw(data_keys)] = draw(json_values | st.sampled_from(list(NOT_PE_IDS.values())))
    return event


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_nothing_but_invalid_input(body):
    try:
        parse_delivery(body)
    except InvalidInput as exc:
        assert "\n" not in str(exc)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_raises_nothing_but_invalid_input(value):
    try:
        parse_delivery(json.dumps(value))
    except InvalidInput as exc:
        assert "\n" not in str(exc)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_events(), min_size=1, max_size=3))
def test_mutated_real_events_parse_or_raise_invalid_input(events):
    try:
        parsed = parse_delivery(json.dumps(events).encode())
    except InvalidInput as exc:
        assert "\n" not in str(exc)
        return
    for event in parsed:
        assert event.action in ("write", "delete", None)
        assert (event.action is None) == bool(event.ignore_reason)
        if event.action is not None:
            assert "privateendpoints" == event.resource_id.resource_type.split("/")[-1].lower()


TARGET = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acct"


@pytest.mark.parametrize(
    ("event_type", "operation", "resource", "target"),
    [
        pytest.param("Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Storage/storageAccounts/privateEndpointConnections/write",
                     f"{TARGET}/privateEndpointConnections/pe-a.5f0c1b7e-2e7b-4b8e-9a55-b0e4e2b1c3d4", TARGET, id="approval"),
        pytest.param("Microsoft.Resources.ResourceDeleteSuccess", "microsoft.storage/storageaccounts/privateendpointconnections/delete",
                     f"{TARGET.lower()}/privateendpointconnections/pe-a", TARGET.lower(), id="removal-lower-case"),
        pytest.param("Microsoft.Resources.ResourceWriteSuccess", "Microsoft.Network/privateLinkServices/privateEndpointConnections/write",
                     "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Network/"
                     "privateLinkServices/pls/privateEndpointConnections/c1",
                     "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.Network/"
                     "privateLinkServices/pls", id="private-link-service"),
        pytest.param("Microsoft.Resources.ResourceWriteSuccess", "Microsoft.DBforPostgreSQL/flexibleServers/privateEndpointConnections/write",
                     "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/"
                     "flexibleServers/pg1/privateEndpointConnections/c1",
                     "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/"
                     "flexibleServers/pg1", id="any-provider"),
    ],
)
def test_a_connection_change_on_a_target_names_the_target(event_type, operation, resource, target):
    event = pe_write()
    event["eventType"] = event_type
    event["data"]["operationName"] = operation
    with_resource(event, resource)

    result = parse_event(event)

    assert ("target", ResourceId(target)) == (result.action, result.resource_id)


@pytest.mark.parametrize(
    "resource",
    [
        pytest.param(f"{TARGET}/privateEndpointConnections/../x", id="dot-dot"),
        pytest.param(f"{TARGET}/privateEndpointConnections/a/b", id="extra-segment"),
        pytest.param(f"{TARGET}/privateEndpointConnections/", id="no-name"),
        pytest.param(f"{TARGET}/privateEndpointConnections/a%2f", id="percent"),
        pytest.param("/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a"
                     "/privateEndpointConnections/c", id="bad-subscription"),
    ],
)
def test_a_connection_event_with_a_bad_id_is_rejected(resource):
    event = pe_write()
    event["data"]["operationName"] = "Microsoft.Storage/storageAccounts/privateEndpointConnections/write"
    with_resource(event, resource)

    with pytest.raises(InvalidInput, match="not a private endpoint connection id"):
        parse_event(event)
