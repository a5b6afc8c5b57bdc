"""What ARM checks before any resource: auth, api-version, routes; plus throttling, faults and the admin routes."""

from __future__ import annotations

import http.client
import time

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.privatedns import PrivateDnsManagementClient
from emu_helpers import AUTH, DNS_API, NETWORK_API, StaticCredential, pe_path, raw, zone_id

from emulator import Emulator, Faults


def test_request_without_authorization_is_authentication_failed(emu):
    status, headers, body = raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}")

    assert (401, "AuthenticationFailed", True) == (status, body["error"]["code"], "www-authenticate" in headers)


def test_request_with_a_non_bearer_authorization_is_authentication_failed(emu):
    status, _, _ = raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers={"Authorization": "Basic eDp5"})

    assert 401 == status


def test_request_without_api_version_is_missing_api_version_parameter(emu):
    status, _, body = raw(emu, "GET", zone_id(emu), headers=AUTH)

    assert (400, "MissingApiVersionParameter") == (status, body["error"]["code"])


def test_unknown_resource_type_is_invalid_resource_type(emu):
    path = f"/subscriptions/{emu.hub_subscription}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n?api-version={NETWORK_API}"

    status, _, body = raw(emu, "GET", path, headers=AUTH)

    assert (404, "InvalidResourceType") == (status, body["error"]["code"])


def test_unsupported_method_on_a_resource_is_method_not_allowed(emu):
    status, _, body = raw(emu, "POST", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", {}, AUTH)

    assert (405, "MethodNotAllowed") == (status, body["error"]["code"])


def test_malformed_subscription_id_is_invalid_subscription_id(emu):
    status, _, body = raw(emu, "GET", f"/subscriptions/not-a-guid/providers/Microsoft.Network/privateEndpoints?api-version={NETWORK_API}", headers=AUTH)

    assert (400, "InvalidSubscriptionId") == (status, body["error"]["code"])


def test_requests_log_method_decoded_path_and_status(emu):
    raw(emu, "GET", pe_path(emu, "pe%201") + f"?api-version={NETWORK_API}", headers=AUTH)

    assert [("GET", pe_path(emu, "pe 1"), 404)] == emu.requests


# ---------------------------------------------------------------- throttling

def _dns(emu: Emulator, retries: int = 0) -> PrivateDnsManagementClient:
    return PrivateDnsManagementClient(StaticCredential(), emu.hub_subscription, base_url=emu.base_url,
                                      connection_verify=emu.ca_path, retry_total=retries)


def test_normal_answers_carry_the_remaining_reads_header(emu):
    path = zone_id(emu) + f"?api-version={DNS_API}"

    first = raw(emu, "GET", path, headers=AUTH)[1]["x-ms-ratelimit-remaining-subscription-reads"]
    second = raw(emu, "GET", path, headers=AUTH)[1]["x-ms-ratelimit-remaining-subscription-reads"]

    assert (249, 248) == (int(first), int(second))


def test_writes_report_remaining_writes(emu, dns):
    status = raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"}, AUTH)[1]

    assert "199" == status["x-ms-ratelimit-remaining-subscription-writes"]


def test_empty_read_bucket_answers_429_with_retry_after(emu):
    emu.set_faults(Faults(throttle=True, read_bucket=2, read_refill=0.5))
    dns = _dns(emu)
    for _ in range(2):
        list(dns.private_zones.list())

    with pytest.raises(HttpResponseError) as caught:
        list(dns.private_zones.list())

    assert (429, "SubscriptionRequestsThrottled") == (caught.value.status_code, caught.value.error.code)
    assert 2 == int(caught.value.response.headers["Retry-After"])


def test_throttling_is_per_subscription(emu):
    emu.set_faults(Faults(throttle=True, read_bucket=1, read_refill=0.1))
    list(_dns(emu).private_zones.list())

    spoke = PrivateDnsManagementClient(StaticCredential(), emu.spoke_subscription, base_url=emu.base_url,
                                       connection_verify=emu.ca_path, retry_total=0)

    assert [] == list(spoke.private_zones.list())


def test_throttling_is_per_kind_of_request(emu, zone):
    emu.set_faults(Faults(throttle=True, read_bucket=1, read_refill=0.1))
    dns = _dns(emu)
    list(dns.private_zones.list())

    status = dns.record_sets.delete(emu.hub_resource_group, zone, "A", "ghost",
                                    cls=lambda r, *_: r.http_response.status_code)

    assert 204 == status


def test_sdk_retry_waits_for_retry_after_and_then_succeeds(emu):
    emu.set_faults(Faults(throttle=True, read_bucket=1, read_refill=5.0))
    dns = _dns(emu, retries=2)
    list(dns.private_zones.list())
    started = time.monotonic()

    listed = list(dns.private_zones.list())

    assert ([], True) == (listed, time.monotonic() - started >= 0.9)
    assert [429, 200] == [status for *_, status in emu.requests[-2:]]


def test_throttle_off_never_answers_429(emu):
    emu.set_faults(Faults(read_bucket=1, read_refill=0.01))
    path = zone_id(emu) + f"?api-version={DNS_API}"

    statuses = {raw(emu, "GET", path, headers=AUTH)[0] for _ in range(3)}

    assert {404} == statuses


# ---------------------------------------------------------------- faults

def _statuses_under_faults(faults: Faults, n: int = 30) -> list[int]:
    with Emulator(faults=faults) as emu:
        path = f"/subscriptions/{emu.spoke_subscription}/providers/Microsoft.Network/privateEndpoints?api-version={NETWORK_API}"
        for _ in range(n):
            try:
                raw(emu, "GET", path, headers=AUTH)
            except (http.client.HTTPException, OSError):
                pass
        return [status for *_, status in emu.requests]


def test_faults_with_the_same_seed_repeat_exactly():
    first = _statuses_under_faults(Faults(fault_rate=0.5, seed=42))
    second = _statuses_under_faults(Faults(fault_rate=0.5, seed=42))

    assert first == second
    assert {0, 200, 500, 503} == set(first)


def test_faults_with_another_seed_differ():
    assert _statuses_under_faults(Faults(fault_rate=0.5, seed=42)) != _statuses_under_faults(Faults(fault_rate=0.5, seed=43))


def test_fault_rate_zero_injects_nothing():
    assert {200} == set(_statuses_under_faults(Faults(fault_rate=0.0, seed=42), n=10))


def test_dropped_writes_are_applied_whole_or_not_at_all(emu, dns, zone):
    emu.set_faults(Faults(fault_rate=0.6, seed=7))
    for i in range(30):
        body = {"properties": {"ttl": 10, "metadata": {"n": str(i)}, "aRecords": [{"ipv4Address": f"10.0.0.{i + 1}"}]}}
        try:
            raw(emu, "PUT", zone_id(emu) + f"/A/r{i}?api-version={DNS_API}", body, AUTH)
        except (http.client.HTTPException, OSError):
            pass
    dropped = {path.rsplit("/", 1)[-1] for method, path, status in emu.requests if status == 0}
    emu.set_faults(Faults())

    stored = {r.name: r for r in dns.record_sets.list_by_type(emu.hub_resource_group, zone, "A")}

    assert (True, True) == (bool(dropped & stored.keys()), bool(dropped - stored.keys()))
    assert all(r.properties.metadata == {"n": r.name[1:]} and r.properties.a_records == [{"ipv4Address": f"10.0.0.{int(r.name[1:]) + 1}"}]
               for r in stored.values())


def test_latency_delays_each_answer(emu):
    emu.set_faults(Faults(latency_ms=150))
    started = time.monotonic()

    raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers=AUTH)

    assert True is (time.monotonic() - started >= 0.15)


@pytest.mark.parametrize(
    "faults",
    [{"fault_rate": 1.5}, {"latency_ms": -1}, {"read_bucket": 0}, {"write_refill": 0}],
    ids=["rate-above-one", "negative-latency", "empty-bucket", "no-refill"],
)
def test_faults_refuse_impossible_settings(faults):
    with pytest.raises(ValueError):
        Faults(**faults)


# ---------------------------------------------------------------- admin routes

def test_admin_route_sets_faults(emu):
    status, _, body = raw(emu, "POST", "/_emulator/faults", {"throttle": True, "read_bucket": 3, "seed": 5})

    assert (200, Faults(throttle=True, read_bucket=3, seed=5)) == (status, emu.faults)
    assert True is body["throttle"]


def test_admin_route_refuses_unknown_fault_fields(emu):
    status, _, body = raw(emu, "POST", "/_emulator/faults", {"thrDottle": True})

    assert (400, Faults()) == (status, emu.faults)


def test_admin_route_lists_requests_without_needing_auth(emu):
    raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers=AUTH)

    status, _, body = raw(emu, "GET", "/_emulator/requests")

    assert (200, [{"method": "GET", "path": zone_id(emu), "status": 404}]) == (status, body["value"])


def test_admin_requests_are_not_logged_as_arm_requests(emu):
    raw(emu, "GET", "/_emulator/requests")

    assert [] == emu.requests


def test_clear_requests_empties_the_log(emu):
    raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers=AUTH)

    emu.clear_requests()

    assert [] == emu.requests


def test_env_points_pedns_at_the_emulator(emu):
    assert {
        "PEDNS_ARM_ENDPOINT": emu.base_url,
        "PEDNS_CA_BUNDLE": emu.ca_path,
        "PEDNS_DNS_SUBSCRIPTION_ID": emu.hub_subscription,
        "PEDNS_DNS_RESOURCE_GROUP": "rg-hub-dns",
        "PEDNS_SOURCE_SUBSCRIPTIONS": emu.spoke_subscription,
        "PEDNS_CREDENTIAL": "emulator",
    } == emu.env()
