"""Event Grid's publish API for a custom topic (CloudEvents 1.0 input), as azure-eventgrid's
EventGridPublisherClient calls it, and the `/_emulator/events` listing of what arrived."""

from __future__ import annotations

import http.client
import json
import re
import ssl
import time
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.core.messaging import CloudEvent
from azure.eventgrid import EventGridPublisherClient
from emu_helpers import raw

from emulator import EMULATOR_TOKEN, Emulator, Faults

TOPIC_PATH = "/eventgrid/topics/pedns-notify/api/events"
BATCH = "application/cloudevents-batch+json; charset=utf-8"
BEARER = {"Authorization": f"Bearer {EMULATOR_TOKEN}"}  # the one token that holds EventGrid Data Sender by default


class ScopeRecorder:
    """A credential that remembers the scopes it was asked for."""

    def __init__(self, token: str = EMULATOR_TOKEN) -> None:
        self.scopes: list[tuple[str, ...]] = []
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


def event(i: int = 1, **changes: Any) -> dict[str, Any]:
    body = {"specversion": "1.0", "id": f"e{i}", "source": "/pedns/pedns", "type": "pedns.endpoint.changed",
            "subject": "/subscriptions/x", "time": "2025-01-01T00:00:00.000Z", "data": {"n": i}}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def post(emu: Emulator, payload: bytes, *, content_type: str = BATCH, path: str = TOPIC_PATH,
         query: str = "?api-version=2018-01-01", headers: dict[str, str] | None = None, method: str = "POST"):
    """One raw request to a topic; returns (status, parsed JSON or None)."""
    context = ssl.create_default_context(cafile=emu.ca_path)
    conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=context, timeout=10)
    try:
        conn.request(method, path + query, body=payload,
                     headers={"Content-Type": content_type, **BEARER, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)
    finally:
        conn.close()


def send(emu: Emulator, events: list[dict[str, Any]], **kwargs: Any):
    return post(emu, json.dumps(events).encode(), **kwargs)


# -- the SDK --------------------------------------------------------------------------------------


def test_the_sdk_publishes_cloud_events_with_an_event_grid_token_and_they_are_kept_as_received(emu):
    credential = ScopeRecorder()
    client = EventGridPublisherClient(emu.topic_endpoint(), credential)
    sent = CloudEvent(source="/pedns/pedns", type="pedns.endpoint.changed", data={"endpoint": "/subscriptions/x"},
                      subject="/subscriptions/x")

    client.send([sent], connection_verify=emu.ca_path, retry_total=0)

    (received,) = emu.events()
    assert ({"specversion": "1.0", "id": sent.id, "source": "/pedns/pedns", "type": "pedns.endpoint.changed",
             "subject": "/subscriptions/x", "data": {"endpoint": "/subscriptions/x"}}
            == {k: v for k, v in received.items() if k != "time"})
    assert [("https://eventgrid.azure.net/.default",)] == credential.scopes
    assert [("pedns-notify", 200)] == emu.topic_requests


def test_the_sdk_sees_a_refusal_as_an_error(emu):
    client = EventGridPublisherClient(emu.topic_endpoint(), ScopeRecorder())
    emu.set_faults(Faults(topic_error_status=503))

    with pytest.raises(HttpResponseError) as caught:
        client.send([event()], connection_verify=emu.ca_path, retry_total=0)

    assert (503, []) == (caught.value.status_code, emu.events())


def test_a_topic_refuses_keys_as_a_topic_with_local_auth_disabled_does(emu):
    from azure.core.credentials import AzureKeyCredential

    client = EventGridPublisherClient(emu.topic_endpoint(), AzureKeyCredential("key"))

    with pytest.raises(ClientAuthenticationError):
        client.send([event()], connection_verify=emu.ca_path, retry_total=0)
    assert [] == emu.events()


def test_the_sdk_sees_a_token_without_the_sender_role_as_an_authentication_error(emu):
    client = EventGridPublisherClient(emu.topic_endpoint(), ScopeRecorder("a-principal-without-the-role"))

    with pytest.raises(ClientAuthenticationError) as caught:
        client.send([event()], connection_verify=emu.ca_path, retry_total=0)

    assert (401, [], [("pedns-notify", 401)]) == (caught.value.status_code, emu.events(), emu.topic_requests)


# -- who may publish (EventGrid Data Sender) ------------------------------------------------------

#: Azure's message to a principal without EventGrid Data Sender (azure-sdk-for-python, eventgrid
#: recordings `test_eg_publisher_client.pyTestEventGridPublisherClienttest_send_token_credential.json`),
#: with this emulator's topic id and the request id in `Report '…'`.
NOT_A_SENDER = re.compile(
    r"The principal associated with access token presented with the incoming request does not have permission "
    r"to send data to (?P<topic>\S+)\. Report '(?P<request>[0-9a-f-]{36}):2:\d{1,2}/\d{1,2}/\d{4} "
    r"\d{1,2}:\d{2}:\d{2} [AP]M \(UTC\)' to our forums for assistance or raise a support ticket\.")


def publish_as(emu: Emulator, token: str, topic: str = "pedns-notify"):
    return raw(emu, "POST", f"/eventgrid/topics/{topic}/api/events?api-version=2018-01-01", [event()],
               headers={"Content-Type": BATCH, "Authorization": f"Bearer {token}"})


def test_a_token_without_the_sender_role_is_refused_as_azure_records_it(emu):
    status, headers, body = publish_as(emu, "a-principal-without-the-role", topic="Pedns-Notify")

    error = body["error"]
    found = NOT_A_SENDER.fullmatch(error["message"])
    assert (401, "Unauthorized", [{"code": "Unauthorized", "message": error["message"]}]) == (
        status, error["code"], error["details"])
    assert found, error["message"]
    topic = f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}" \
            "/providers/Microsoft.EventGrid/topics/Pedns-Notify"
    assert (topic, headers["x-ms-request-id"]) == (found["topic"], found["request"])
    assert "www-authenticate" not in headers  # none recorded: the SDK's token policy does not try again
    assert ([], [("pedns-notify", 401)]) == (emu.events(), emu.topic_requests)


def test_the_emulator_credentials_token_holds_the_sender_role_unless_told_otherwise():
    with Emulator() as default, Emulator(topic_senders=["other"]) as told:
        assert (EMULATOR_TOKEN,) == tuple(default.topic_senders)
        assert (200, 401, 200) == (publish_as(default, EMULATOR_TOKEN)[0], publish_as(told, EMULATOR_TOKEN)[0],
                                   publish_as(told, "other")[0])


def test_who_holds_the_sender_role_changes_at_run_time_and_through_the_admin_route(emu):
    emu.set_topic_senders([])
    nobody = publish_as(emu, EMULATOR_TOKEN)[0]
    put = raw(emu, "PUT", "/_emulator/topic-senders", {"value": ["b", "a"]})
    listed = raw(emu, "GET", "/_emulator/topic-senders")

    assert (401, 200, {"value": ["a", "b"]}, ["a", "b"]) == (nobody, put[0], listed[2], emu.topic_senders)
    assert (200, 401) == (publish_as(emu, "a")[0], publish_as(emu, EMULATOR_TOKEN)[0])


@pytest.mark.parametrize("body", [{"value": "a"}, {"value": [""]}, {"value": [1]}, ["a"], {"tokens": ["a"]}],
                         ids=["not-a-list", "empty-token", "not-a-string", "not-an-object", "unknown-field"])
def test_the_admin_route_refuses_what_is_not_a_list_of_tokens(emu, body):
    status, _, answer = raw(emu, "PUT", "/_emulator/topic-senders", body)

    assert (400, "BadRequest", [EMULATOR_TOKEN]) == (status, answer["error"]["code"], emu.topic_senders)


# -- what a topic checks --------------------------------------------------------------------------


def test_a_batch_is_taken_whole_in_order_and_answered_200_without_a_body(emu):
    assert (200, None) == send(emu, [event(1), event(2)])

    assert ["e1", "e2"] == [e["id"] for e in emu.events()]


def test_a_single_event_in_structured_mode_is_taken(emu):
    status, _ = post(emu, json.dumps(event(7)).encode(), content_type="application/cloudevents+json")

    assert (200, ["e7"]) == (status, [e["id"] for e in emu.events()])


@pytest.mark.parametrize(
    ("headers", "query"),
    [({"Authorization": ""}, "?api-version=2018-01-01"), ({"Authorization": "Basic dTpw"}, "?api-version=2018-01-01"),
     ({"aeg-sas-key": "k"}, "?api-version=2018-01-01")],
    ids=["no-token", "not-bearer", "key"],
)
def test_without_a_bearer_token_the_answer_is_401(emu, headers, query):
    status, body = send(emu, [event()], headers=headers, query=query)

    assert (401, "Unauthorized") == (status, body["error"]["code"])
    assert [] == emu.events()


@pytest.mark.parametrize("query", ["", "?api-version=2024-06-01"], ids=["missing", "namespace-version"])
def test_an_api_version_other_than_the_topics_is_refused(emu, query):
    status, body = send(emu, [event()], query=query)

    assert (400, "InvalidApiVersion") == (status, body["error"]["details"][0]["code"])


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_a_content_type_other_than_cloudevents_is_refused(emu, content_type):
    status, body = send(emu, [event()], content_type=content_type)

    assert (400, "BadRequest", "InvalidContentType") == (
        status, body["error"]["code"], body["error"]["details"][0]["code"])


@pytest.mark.parametrize(
    "bad",
    [event(id=None), event(source=""), event(type=None), event(specversion="0.3"), event(specversion=None),
     event(data_base64="eA=="), "not an object"],
    ids=["no-id", "empty-source", "no-type", "old-specversion", "no-specversion", "data-and-base64", "string"],
)
def test_an_event_without_the_required_cloudevents_attributes_refuses_the_whole_batch(emu, bad):
    status, body = send(emu, [event(1), bad])

    assert (400, "InputJsonInvalid") == (status, body["error"]["details"][0]["code"])
    assert body["error"]["message"].startswith("Event 1: ")
    assert [] == emu.events()


@pytest.mark.parametrize(
    ("payload", "content_type"),
    [(b"{not json", BATCH), (json.dumps(event()).encode(), BATCH), (b"[]", BATCH)],
    ids=["not-json", "object-as-batch", "empty"],
)
def test_a_body_that_is_not_a_batch_of_events_is_refused(emu, payload, content_type):
    status, body = post(emu, payload, content_type=content_type)

    assert (400, "InputJsonInvalid") == (status, body["error"]["details"][0]["code"])


def test_a_request_over_one_mebibyte_is_413_and_nothing_is_kept(emu):
    big = [event(1, data={"pad": "x" * (1024 * 1024)})]

    status, body = send(emu, big)

    assert (413, "RequestEntityTooLarge") == (status, body["error"]["code"])
    assert {"code", "message", "details"} == set(body["error"])
    assert [] == emu.events()


def test_only_post_is_allowed_and_unknown_topic_paths_are_404(emu):
    assert 405 == post(emu, b"", method="GET")[0]
    assert 404 == post(emu, b"[]", path="/eventgrid/topics/x/other")[0]


def test_publishes_are_not_arm_requests(emu):
    send(emu, [event()])

    assert ([], [("pedns-notify", 200)]) == (emu.requests, emu.topic_requests)


# -- faults and the admin routes ------------------------------------------------------------------


def test_a_topic_fault_is_set_through_the_admin_route_and_fails_every_publish(emu):
    status, _, _ = raw(emu, "POST", "/_emulator/faults", {"topic_error_status": 500})

    answers = [send(emu, [event(i)])[0] for i in range(2)]

    assert (200, [500, 500], []) == (status, answers, emu.events())


@pytest.mark.parametrize("value", [200, 99, 600])
def test_a_topic_fault_must_be_an_error_status(value):
    with pytest.raises(ValueError, match="topic_error_status"):
        Faults(topic_error_status=value)


def test_a_topic_delay_answers_every_publish_that_late(emu):
    emu.set_faults(Faults(topic_delay_ms=300))

    started = time.monotonic()
    status, _ = send(emu, [event()])

    assert (200, True) == (status, time.monotonic() - started >= 0.3)


def test_a_topic_delay_must_not_be_negative():
    with pytest.raises(ValueError, match="topic_delay_ms"):
        Faults(topic_delay_ms=-1)


def test_events_are_listed_newest_last_by_topic_and_cleared(emu):
    send(emu, [event(1)])
    send(emu, [event(2)], path="/eventgrid/topics/other-topic/api/events")
    send(emu, [event(3)])

    everything = raw(emu, "GET", "/_emulator/events")[2]["value"]
    one_topic = raw(emu, "GET", "/_emulator/events?topic=pedns-notify")[2]["value"]
    cleared = raw(emu, "DELETE", "/_emulator/events")[0]

    assert (["e1", "e2", "e3"], ["e1", "e3"]) == ([e["id"] for e in everything], [e["id"] for e in one_topic])
    assert (204, []) == (cleared, emu.events())
    assert event(1) == everything[0]  # as received


def test_env_names_the_topic_only_when_asked(emu):
    assert "PEDNS_NOTIFY_TOPIC_ENDPOINT" not in emu.env()
    assert f"{emu.base_url}{TOPIC_PATH}" == emu.env(notifications=True)["PEDNS_NOTIFY_TOPIC_ENDPOINT"]
