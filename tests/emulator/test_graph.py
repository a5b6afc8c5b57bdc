"""Resource Graph over HTTPS: the three supported queries, scope, paging, quota, throttling and lag."""

from __future__ import annotations

import http.client
import re
import time

import pytest
from emu_helpers import AUTH, GRAPH_API, GRAPH_PATH, NETWORK_API, pe_body, pe_path, raw, seed_endpoint, send
from emu_helpers import graph as query_graph

import emulator
from emulator import (
    EMULATOR_TENANT_ID,
    ENDPOINTS_QUERY,
    SUBSCRIPTIONS_QUERY,
    TARGET_QUERY_TEMPLATE,
    Emulator,
    Faults,
    kql_string,
    target_query,
)
from emulator import _cli as emulator_cli
from emulator._graph import History

SUB_A = "00000000-0000-4000-8000-00000000000a"
SUB_B = "00000000-0000-4000-8000-00000000000b"
SUB_C = "00000000-0000-4000-8000-00000000000c"
TARGET = "/subscriptions/00000000-0000-4000-8000-0000000000ee/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acct"
OTHER = "/subscriptions/00000000-0000-4000-8000-0000000000ee/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/other"

SUPPORT = "Please provide below info when asking for support:"
INVALID_QUERY = [
    {"code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the Azure Resource Graph "
                                        "service and fix the error before retrying."},
    {"code": "UnsupportedByEmulator", "message": "the pedns emulator answers only the queries listed in emulator/README.md"},
]


#: Resource Graph immediately consistent (which Azure never promises): these tests are about what a
#: query answers, not when. The lag has its own tests below, which set it themselves, and
#: `test_by_default_a_new_endpoint_is_not_listed_at_once` shows the default.
pytestmark = pytest.mark.graph_lag_ms(0)


def _ids(body) -> list[str]:
    return [row["id"] for row in body["data"]]


def _names(body) -> list[str]:
    return [row["id"].rsplit("/", 1)[-1] for row in body["data"]]


def _all_pages(emu: Emulator, query: str, top: int, **scope) -> list[dict]:
    pages, token = [], None
    while True:
        options = {"$top": top, **({"$skipToken": token} if token else {})}
        status, _, body = query_graph(emu, query, options=options, **scope)
        assert 200 == status, body
        pages.append(body)
        token = body.get("$skipToken")
        if token is None:
            return pages


# ---------------------------------------------------------------- Q1 and paging

def test_endpoints_query_pages_2500_endpoints_by_1000_with_skip_tokens(emu):
    ids = [seed_endpoint(emu, SUB_A, f"pe{i:04d}") for i in range(2500)]

    pages = _all_pages(emu, ENDPOINTS_QUERY, 1000)

    assert [(2500, 1000, True), (2500, 1000, True), (2500, 500, False)] == [
        (p["totalRecords"], p["count"], "$skipToken" in p) for p in pages]
    assert sorted(ids, key=str.lower) == [i for p in pages for i in _ids(p)]
    assert [("POST", GRAPH_PATH, 200)] * 3 == emu.requests


def test_endpoints_query_answers_the_documented_row_and_page_shape(emu):
    subnet = f"/subscriptions/{SUB_A}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
    seed_endpoint(emu, SUB_A.upper(), "pe1", targets=(TARGET,), subnet={"id": subnet},
                  customDnsConfigs=[{"fqdn": "acct.blob.core.windows.net", "ipAddresses": ["10.1.0.4"]}])

    status, _, body = query_graph(emu, ENDPOINTS_QUERY)

    assert 200 == status
    assert {"totalRecords": 1, "count": 1, "resultTruncated": "false", "facets": []} == {
        k: v for k, v in body.items() if k != "data"}
    assert [{
        "id": f"/subscriptions/{SUB_A}/resourceGroups/rg-spoke/providers/Microsoft.Network/privateEndpoints/pe1",
        "subscriptionId": SUB_A,
        "location": "westeurope",
        "provisioningState": "Succeeded",
        "subnetId": subnet,
        "customDnsConfigs": [{"fqdn": "acct.blob.core.windows.net", "ipAddresses": ["10.1.0.4"]}],
        "privateLinkServiceConnections": [{"name": "c0", "properties": {"privateLinkServiceId": TARGET, "groupIds": ["blob"]}}],
        "manualPrivateLinkServiceConnections": [],
    }] == body["data"]


def test_missing_values_are_empty_strings_and_missing_dynamics_null(emu):
    seed_endpoint(emu, SUB_A, "pe1", customDnsConfigs=None)

    row = query_graph(emu, ENDPOINTS_QUERY)[2]["data"][0]

    assert ("", None) == (row["subnetId"], row["customDnsConfigs"])


def test_order_is_by_lower_cased_id(emu):
    for name in ("b", "A", "c"):
        seed_endpoint(emu, SUB_A, name)

    assert ["A", "b", "c"] == _names(query_graph(emu, ENDPOINTS_QUERY)[2])


def test_default_page_is_100_rows(emu):
    for i in range(101):
        seed_endpoint(emu, SUB_A, f"pe{i:03d}")

    body = query_graph(emu, ENDPOINTS_QUERY)[2]

    assert (101, 100, True) == (body["totalRecords"], body["count"], "$skipToken" in body)


def test_skip_option_starts_later(emu):
    for i in range(5):
        seed_endpoint(emu, SUB_A, f"pe{i}")

    body = query_graph(emu, ENDPOINTS_QUERY, options={"$skip": 3, "$top": 1})[2]

    assert (["pe3"], 5, True) == (_names(body), body["totalRecords"], "$skipToken" in body)


def test_query_whitespace_is_normalised(emu):
    seed_endpoint(emu, SUB_A, "pe1")
    reflowed = "  " + "\n\n   ".join(ENDPOINTS_QUERY.split(" ")) + "\t\n"

    status, _, body = query_graph(emu, reflowed)

    assert (200, ["pe1"]) == (status, _names(body))


def test_the_sdk_pipeline_posts_a_query(emu, arm):
    seed_endpoint(emu, SUB_A, "pe1")

    status, body = send(arm, "POST", GRAPH_PATH, {"query": ENDPOINTS_QUERY, "subscriptions": [SUB_A]}, api=GRAPH_API)

    assert (200, ["pe1"]) == (status, _names(body))


def test_by_default_a_new_endpoint_is_not_listed_at_once():
    with Emulator() as lagging:
        seed_endpoint(lagging, SUB_A, "pe1")
        started = time.monotonic()

        first = _names(query_graph(lagging, ENDPOINTS_QUERY)[2])
        waited = _poll(lagging, ["pe1"])

    assert (2000, [], True) == (Faults().graph_lag_ms, first, time.monotonic() - started >= 1.9)
    assert 0 < waited


def test_an_endpoint_put_over_https_is_visible_at_once_with_lag_zero(emu, arm):
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body(("acct.blob.core.windows.net", ["10.1.0.4"])))

    body = query_graph(emu, ENDPOINTS_QUERY)[2]

    assert ["pe1"] == _names(body)
    assert [{"fqdn": "acct.blob.core.windows.net", "ipAddresses": ["10.1.0.4"]}] == body["data"][0]["customDnsConfigs"]


# ---------------------------------------------------------------- scope

@pytest.fixture
def tree(emu):
    """Subscriptions A under corp, B under corp/corp-eu, C left at the tenant root; one endpoint each."""
    for sub in (SUB_A, SUB_B, SUB_C):
        seed_endpoint(emu, sub, f"pe-{sub[-1]}")
    emu.add_management_group("corp")
    emu.add_management_group("corp-eu", parent="corp")
    emu.move_subscription(SUB_A, "corp")
    emu.move_subscription(SUB_B, "corp-eu")
    return emu


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({}, ["pe-a", "pe-b", "pe-c"]),
        ({"subscriptions": [SUB_C]}, ["pe-c"]),
        ({"subscriptions": [SUB_A.upper(), SUB_C]}, ["pe-a", "pe-c"]),
        ({"management_groups": ["corp"]}, ["pe-a", "pe-b"]),
        ({"management_groups": ["CORP-EU"]}, ["pe-b"]),
        ({"management_groups": [EMULATOR_TENANT_ID]}, ["pe-a", "pe-b", "pe-c"]),
    ],
    ids=["everything", "one-subscription", "two-subscriptions", "group-with-nested-group", "nested-group",
         "tenant-root-group"],
)
def test_scope_selects_subscriptions(tree, scope, expected):
    assert expected == _names(query_graph(tree, ENDPOINTS_QUERY, **scope)[2])


def test_a_subscription_moved_under_a_group_after_start_is_in_the_next_query(tree, arm):
    before = _names(query_graph(tree, ENDPOINTS_QUERY, management_groups=["corp"])[2])

    status, _ = send(arm, "PUT", f"/providers/Microsoft.Management/managementGroups/corp-eu/subscriptions/{SUB_C}", api="2023-04-01")
    after = _names(query_graph(tree, ENDPOINTS_QUERY, management_groups=["corp"])[2])

    assert (["pe-a", "pe-b"], 200, ["pe-a", "pe-b", "pe-c"]) == (before, status, after)


def test_subscriptions_and_management_groups_in_one_request_are_refused_as_azure_does(tree):
    status, _, body = query_graph(tree, ENDPOINTS_QUERY, management_groups=["corp"], subscriptions=[SUB_C])

    assert (400, ["InvalidScope"]) == (status, [d["code"] for d in body["error"]["details"]])


def test_an_unknown_management_group_is_bad_request(tree):
    status, _, body = query_graph(tree, ENDPOINTS_QUERY, management_groups=["corp", "nope"])

    assert (400, "BadRequest", ["ManagementGroupNotFound"]) == (
        status, body["error"]["code"], [d["code"] for d in body["error"]["details"]])
    assert body["error"]["message"].startswith(SUPPORT)


def test_a_malformed_subscription_is_bad_request(emu):
    status, _, body = query_graph(emu, ENDPOINTS_QUERY, subscriptions=["not-a-guid"])

    assert (400, "InvalidSubscriptionId") == (status, body["error"]["details"][0]["code"])


# ---------------------------------------------------------------- Q2

def test_target_query_finds_automatic_and_manual_connections_to_the_target_only(emu):
    seed_endpoint(emu, SUB_A, "pe-auto", targets=(TARGET.upper(),))
    seed_endpoint(emu, SUB_B, "pe-manual", manual=(TARGET,))
    seed_endpoint(emu, SUB_A, "pe-other", targets=(OTHER,))
    seed_endpoint(emu, SUB_A, "pe-none")
    seed_endpoint(emu, SUB_A, "pe-mixed", targets=(OTHER,), manual=(TARGET,))

    status, _, body = query_graph(emu, target_query(TARGET))

    assert (200, ["pe-auto", "pe-mixed", "pe-manual"]) == (status, _names(body))
    assert {"pe-mixed": [{"name": "c0", "properties": {"privateLinkServiceId": OTHER, "groupIds": ["blob"]}}]} == {
        n: r["privateLinkServiceConnections"] for n, r in zip(_names(body), body["data"]) if n == "pe-mixed"}


def test_an_endpoint_with_two_connections_to_the_target_is_listed_twice(emu):
    seed_endpoint(emu, SUB_A, "pe-twice", targets=(TARGET,), manual=(TARGET,))

    body = query_graph(emu, target_query(TARGET))[2]

    assert (["pe-twice", "pe-twice"], 2) == (_names(body), body["totalRecords"])


def test_target_literal_is_compared_as_written(emu):
    """The template lower-cases the connection's id, not the literal: an upper-case literal finds nothing."""
    seed_endpoint(emu, SUB_A, "pe1", targets=(TARGET,))

    body = query_graph(emu, TARGET_QUERY_TEMPLATE.replace("{target}", kql_string(TARGET)))[2]

    assert [] == body["data"]


def test_target_literal_escapes_are_unescaped(emu):
    odd = TARGET + "/it's\\here"
    seed_endpoint(emu, SUB_A, "pe1", targets=(odd,))

    assert ["pe1"] == _names(query_graph(emu, target_query(odd))[2])


def test_target_query_respects_scope(emu):
    seed_endpoint(emu, SUB_A, "pe-a", targets=(TARGET,))
    seed_endpoint(emu, SUB_B, "pe-b", targets=(TARGET,))

    assert ["pe-b"] == _names(query_graph(emu, target_query(TARGET), subscriptions=[SUB_B])[2])


# ---------------------------------------------------------------- Q3

def test_subscriptions_query_lists_known_subscriptions_by_default(emu):
    seed_endpoint(emu, SUB_B, "pe1")
    emu.add_management_group("corp")
    emu.move_subscription(SUB_C, "corp")

    status, _, body = query_graph(emu, SUBSCRIPTIONS_QUERY)

    assert (200, [{"subscriptionId": SUB_B}, {"subscriptionId": SUB_C}]) == (status, body["data"])


def test_subscriptions_query_lists_the_subscriptions_in_scope(tree):
    under = query_graph(tree, SUBSCRIPTIONS_QUERY, management_groups=["corp"])[2]
    named = query_graph(tree, SUBSCRIPTIONS_QUERY, subscriptions=[SUB_C.upper()])[2]

    assert ([SUB_A, SUB_B], [SUB_C]) == ([r["subscriptionId"] for r in under["data"]],
                                         [r["subscriptionId"] for r in named["data"]])


def test_subscriptions_query_pages(tree):
    pages = _all_pages(tree, SUBSCRIPTIONS_QUERY, 2)

    assert [[SUB_A, SUB_B], [SUB_C]] == [[r["subscriptionId"] for r in p["data"]] for p in pages]


# ---------------------------------------------------------------- refusals

@pytest.mark.parametrize(
    "query",
    [
        "resources | take 1",
        ENDPOINTS_QUERY.replace("asc", "desc"),
        ENDPOINTS_QUERY.replace("resources", "Resources", 1),
        ENDPOINTS_QUERY + " | limit 5",
        ENDPOINTS_QUERY.replace("| order by id asc", ""),
        TARGET_QUERY_TEMPLATE.replace("{target}", '"' + TARGET.lower() + '"'),
        TARGET_QUERY_TEMPLATE.replace("{target}", "'a\\nb'"),
        TARGET_QUERY_TEMPLATE,
        SUBSCRIPTIONS_QUERY.replace("subscriptionId asc", "subscriptionId desc"),
    ],
    ids=["other-query", "other-order", "other-case", "appended-operator", "no-order", "double-quoted-literal",
         "other-escape", "placeholder-left-in", "q3-desc"],
)
def test_an_unsupported_query_is_refused_with_resource_graphs_error_shape(emu, query):
    seed_endpoint(emu, SUB_A, "pe1")

    status, _, body = query_graph(emu, query)

    assert (400, "BadRequest", INVALID_QUERY) == (status, body["error"]["code"], body["error"]["details"])
    assert body["error"]["message"].startswith(SUPPORT)


@pytest.mark.parametrize(
    "options",
    [{"$top": 0}, {"$top": 1001}, {"$top": "10"}, {"$top": True}, {"$skip": -1}],
    ids=["zero", "above-1000", "string", "boolean", "negative-skip"],
)
def test_bad_paging_options_are_bad_request(emu, options):
    status, _, body = query_graph(emu, ENDPOINTS_QUERY, options=options)

    assert (400, "InvalidQueryOptions") == (status, body["error"]["details"][0]["code"])


def test_top_of_1000_is_accepted(emu):
    assert 200 == query_graph(emu, ENDPOINTS_QUERY, options={"$top": 1000})[0]


@pytest.mark.parametrize(
    ("query", "scope"),
    [(SUBSCRIPTIONS_QUERY, {}), (ENDPOINTS_QUERY, {"subscriptions": [SUB_A]}), (target_query(TARGET), {})],
    ids=["other-query", "other-scope", "q2"],
)
def test_a_skip_token_from_another_query_or_scope_is_refused(emu, query, scope):
    for i in range(3):
        seed_endpoint(emu, SUB_A, f"pe{i}")
    token = query_graph(emu, ENDPOINTS_QUERY, options={"$top": 1})[2]["$skipToken"]

    status, _, body = query_graph(emu, query, options={"$skipToken": token}, **scope)

    assert (400, "InvalidSkipToken") == (status, body["error"]["details"][0]["code"])


def test_a_garbled_skip_token_is_refused(emu):
    status, _, body = query_graph(emu, ENDPOINTS_QUERY, options={"$skipToken": "not*a*token"})

    assert (400, "InvalidSkipToken") == (status, body["error"]["details"][0]["code"])


@pytest.mark.parametrize(
    ("body", "code"),
    [({}, "InvalidRequestContent"), ({"query": ENDPOINTS_QUERY, "subscriptions": "x"}, "InvalidRequestContent"),
     ({"query": ENDPOINTS_QUERY, "options": {"resultFormat": "table"}}, "InvalidQueryOptions"),
     ({"query": ENDPOINTS_QUERY, "facets": [{"expression": "location"}]}, "InvalidQueryOptions")],
    ids=["no-query", "subscriptions-not-a-list", "table-format", "facets"],
)
def test_malformed_or_unsupported_requests_are_bad_request(emu, body, code):
    status, _, answer = raw(emu, "POST", f"{GRAPH_PATH}?api-version={GRAPH_API}", body, AUTH)

    assert (400, code) == (status, answer["error"]["details"][0]["code"])


@pytest.mark.parametrize("version", ["2019-04-01", "2021-04-01", "latest"])
def test_an_unknown_api_version_is_invalid_api_version_parameter(emu, version):
    status, headers, body = query_graph(emu, ENDPOINTS_QUERY, api=version)

    assert (400, "InvalidApiVersionParameter", False) == (
        status, body["error"]["code"], "x-ms-user-quota-remaining" in headers)


@pytest.mark.parametrize("version", ["2021-03-01", "2022-10-01", "2024-04-01"])
def test_the_documented_api_versions_are_accepted(emu, version):
    assert 200 == query_graph(emu, ENDPOINTS_QUERY, api=version)[0]


def test_authorization_and_api_version_are_required(emu):
    no_auth = raw(emu, "POST", f"{GRAPH_PATH}?api-version={GRAPH_API}", {"query": ENDPOINTS_QUERY})[0]
    no_version = raw(emu, "POST", GRAPH_PATH, {"query": ENDPOINTS_QUERY}, AUTH)[2]["error"]["code"]

    assert (401, "MissingApiVersionParameter") == (no_auth, no_version)


def test_get_is_method_not_allowed(emu):
    status, _, body = raw(emu, "GET", f"{GRAPH_PATH}?api-version={GRAPH_API}", headers=AUTH)

    assert (405, "MethodNotAllowed") == (status, body["error"]["code"])


# ---------------------------------------------------------------- quota and throttling

def test_every_answer_carries_the_quota_headers(emu):
    answers = [query_graph(emu, ENDPOINTS_QUERY), query_graph(emu, "resources"), query_graph(emu, ENDPOINTS_QUERY)]

    assert [(200, "14"), (400, "13"), (200, "12")] == [(s, h["x-ms-user-quota-remaining"]) for s, h, _ in answers]
    assert all(re.fullmatch(r"00:00:0[1-5]", h["x-ms-user-quota-resets-after"]) for _, h, _ in answers)


@pytest.mark.parametrize("start", [123.002, 0.1, 1e6 + 0.3, 7.7])
def test_a_fresh_window_never_resets_later_than_its_length(start):
    """`start + 5.0 - now` rounds to 5.000000000000014 for start 123.002: a 6 s header for a 5 s window."""
    from emulator._faults import Injector

    injector = Injector(Faults(graph_window_seconds=5.0), clock=lambda: start)

    assert 5.0 == injector.take_graph("x")[2]


def test_an_exhausted_quota_under_throttle_is_429_rate_limiting_with_only_the_quota_headers(emu):
    """As Azure documents it (Learn, "Guidance for throttled requests in Azure Resource Graph"): the
    quota headers, and no Retry-After."""
    emu.set_faults(Faults(throttle=True, graph_quota=2, graph_window_seconds=30))
    for _ in range(2):
        assert 200 == query_graph(emu, ENDPOINTS_QUERY)[0]

    status, headers, body = query_graph(emu, ENDPOINTS_QUERY)

    assert (429, "RateLimiting", "0") == (status, body["error"]["code"], headers["x-ms-user-quota-remaining"])
    assert body["error"]["message"].startswith(SUPPORT)
    assert "Client application has been throttled" in body["error"]["message"]
    assert "retry-after" not in headers
    assert re.fullmatch(r"00:00:[23]\d", headers["x-ms-user-quota-resets-after"])


def test_graph_retry_after_adds_the_seconds_until_the_quota_resets(emu):
    emu.set_faults(Faults(throttle=True, graph_quota=1, graph_window_seconds=30, graph_retry_after=True))
    query_graph(emu, ENDPOINTS_QUERY)

    status, headers, _ = query_graph(emu, ENDPOINTS_QUERY)

    assert (429, True) == (status, 25 <= int(headers["retry-after"]) <= 30)


def test_the_quota_is_per_caller(emu):
    emu.set_faults(Faults(throttle=True, graph_quota=1, graph_window_seconds=30))
    query_graph(emu, ENDPOINTS_QUERY, token="alice")

    assert (429, 200) == (query_graph(emu, ENDPOINTS_QUERY, token="alice")[0],
                          query_graph(emu, ENDPOINTS_QUERY, token="bob")[0])


def test_the_quota_comes_back_when_the_window_ends(emu):
    emu.set_faults(Faults(throttle=True, graph_quota=1, graph_window_seconds=0.3))
    query_graph(emu, ENDPOINTS_QUERY)
    refused = query_graph(emu, ENDPOINTS_QUERY)[0]
    deadline = time.monotonic() + 5
    while (status := query_graph(emu, ENDPOINTS_QUERY)[0]) == 429 and time.monotonic() < deadline:
        time.sleep(0.05)

    assert (429, 200) == (refused, status)


def test_without_throttle_an_exhausted_quota_is_only_reported(emu):
    emu.set_faults(Faults(graph_quota=1, graph_window_seconds=30))

    answers = [query_graph(emu, ENDPOINTS_QUERY) for _ in range(3)]

    assert [(200, "0")] * 3 == [(s, h["x-ms-user-quota-remaining"]) for s, h, _ in answers]


def test_graph_queries_do_not_use_the_subscription_buckets(emu):
    emu.set_faults(Faults(throttle=True, read_bucket=1, write_bucket=1, read_refill=0.01, write_refill=0.01))
    for _ in range(3):
        assert 200 == query_graph(emu, ENDPOINTS_QUERY, subscriptions=[emu.spoke_subscription])[0]

    status, headers, _ = raw(emu, "GET", pe_path(emu, "ghost") + f"?api-version={NETWORK_API}", headers=AUTH)

    assert (404, "0") == (status, headers["x-ms-ratelimit-remaining-subscription-reads"])


def test_injected_faults_reach_graph_queries(emu):
    emu.set_faults(Faults(fault_rate=1.0, seed=3))
    for _ in range(12):
        try:
            query_graph(emu, ENDPOINTS_QUERY)
        except (http.client.HTTPException, OSError):
            pass

    statuses = {status for *_, status in emu.requests}
    assert (True, True) == (bool(statuses), statuses <= {0, 500, 503})


def test_latency_delays_graph_answers(emu):
    emu.set_faults(Faults(latency_ms=150))
    started = time.monotonic()

    query_graph(emu, ENDPOINTS_QUERY)

    assert time.monotonic() - started >= 0.15


# ---------------------------------------------------------------- consistency lag

def _poll(emu: Emulator, want, timeout: float = 5.0) -> float:
    """Seconds until the endpoint names listed by Q1 equal `want`."""
    started = time.monotonic()
    while _names(query_graph(emu, ENDPOINTS_QUERY)[2]) != want:
        assert time.monotonic() - started < timeout, "the lagging view never caught up"
        time.sleep(0.03)
    return time.monotonic() - started


def test_a_new_endpoint_is_invisible_until_the_lag_passes(emu, arm):
    emu.set_faults(Faults(graph_lag_ms=300))
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body())
    started = time.monotonic()

    first = _names(query_graph(emu, ENDPOINTS_QUERY)[2])
    _poll(emu, ["pe1"])

    assert ([], True) == (first, time.monotonic() - started >= 0.25)


def test_a_deleted_endpoint_is_listed_with_its_old_body_during_the_lag(emu, arm):
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body(("acct.blob.core.windows.net", ["10.1.0.4"])))
    emu.set_faults(Faults(graph_lag_ms=300))
    send(arm, "DELETE", pe_path(emu, "pe1"))

    during = query_graph(emu, ENDPOINTS_QUERY)[2]["data"]
    waited = _poll(emu, [])

    assert (["10.1.0.4"], True) == ([ip for row in during for c in row["customDnsConfigs"] for ip in c["ipAddresses"]],
                                    waited > 0.1)


def test_an_update_shows_the_old_body_during_the_lag(emu, arm):
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body(location="westeurope"))
    emu.set_faults(Faults(graph_lag_ms=300))
    send(arm, "PUT", pe_path(emu, "pe1"), pe_body(location="northeurope"))
    started = time.monotonic()

    during = query_graph(emu, ENDPOINTS_QUERY)[2]["data"][0]["location"]
    while query_graph(emu, ENDPOINTS_QUERY)[2]["data"][0]["location"] != "northeurope":
        assert time.monotonic() - started < 5
        time.sleep(0.03)

    assert ("westeurope", True) == (during, time.monotonic() - started >= 0.25)


def test_lag_applies_to_the_target_query_too(emu):
    emu.set_faults(Faults(graph_lag_ms=300))
    seed_endpoint(emu, SUB_A, "pe1", targets=(TARGET,))

    assert [] == query_graph(emu, target_query(TARGET))[2]["data"]


# ---------------------------------------------------------------- in-process seeding

def test_apply_runs_requests_in_process_without_logging_them(emu):
    status, body = emu.apply("PUT", pe_path(emu, "pe 1"), pe_body())
    fetched = emu.apply("GET", pe_path(emu, "pe 1"))[0]
    answer = emu.apply("POST", GRAPH_PATH, {"query": ENDPOINTS_QUERY})[1]

    assert (201, "pe 1", 200, ["pe 1"], []) == (status, body["name"], fetched, _names(answer), emu.requests)


def test_apply_works_before_start():
    emu = Emulator()

    status, _ = emu.apply("PUT", f"/subscriptions/{SUB_A}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1",
                          pe_body())

    assert (201, 1) == (status, len(emu.snapshot()["privateEndpoints"]))


def test_the_endpoint_history_forgets_what_the_lag_no_longer_needs():
    history = History()
    old, new = {"v": 1}, {"v": 2}
    history.record("pe", None, old, now=10.0, lag=0.3)
    history.record("pe", old, new, now=10.1, lag=0.3)

    during = history.view({"pe": new}, now=10.3, lag=0.3)
    kept = len(history)
    after = history.view({"pe": new}, now=12.0, lag=0.3)

    assert ({"pe": old}, 1, {"pe": new}, 0) == (during, kept, after, len(history))


# ---------------------------------------------------------------- settings

def test_graph_settings_are_faults_fields_and_admin_route_fields(emu):
    status, _, body = raw(emu, "POST", "/_emulator/faults",
                          {"graph_lag_ms": 300, "graph_quota": 3, "graph_window_seconds": 2, "graph_retry_after": True})

    assert (200, Faults(graph_lag_ms=300, graph_quota=3, graph_window_seconds=2, graph_retry_after=True)) == (
        status, emu.faults)
    assert (300, 3, 2, True) == (body["graph_lag_ms"], body["graph_quota"], body["graph_window_seconds"],
                                 body["graph_retry_after"])


@pytest.mark.parametrize(
    "faults", [{"graph_lag_ms": -1}, {"graph_quota": 0}, {"graph_window_seconds": 0}],
    ids=["negative-lag", "no-quota", "no-window"],
)
def test_impossible_graph_settings_are_refused(faults):
    with pytest.raises(ValueError):
        Faults(**faults)


def test_cli_flags_set_the_graph_faults():
    args = emulator_cli._parser().parse_args(["--graph-lag-ms", "250", "--graph-quota", "4", "--graph-window-seconds", "1.5",
                                              "--graph-retry-after"])

    assert (250, 4, 1.5, True) == (args.graph_lag_ms, args.graph_quota, args.graph_window_seconds, args.graph_retry_after)


def test_the_cli_defaults_are_the_faults_defaults_azure_like():
    args = emulator_cli._parser().parse_args([])

    assert Faults() == emulator_cli._faults(args)
    assert (2000, False) == (args.graph_lag_ms, args.graph_retry_after)


def test_cli_refuses_an_impossible_graph_quota(capsys):
    code = emulator.main(["--graph-quota", "0"])

    assert (2, True) == (code, capsys.readouterr().err.startswith("pedns emulator: error:"))
