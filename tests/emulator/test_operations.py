"""Long-running operations as Azure records them (zone, link and private endpoint writes), the
private endpoint's provisioning transition, and ARM's refusal of api-versions a route lacks.

Sources: azure-cli recordings `privatedns/…/test_PutZone_ZoneExistsIfNoneMatchFailure_ExpectError.yaml`
and `test_PutLink_LinkExistsIfNoneMatchFailure_ExpectError.yaml` (PUT 202 `{}` with Azure-AsyncOperation
and Location; status poll 202 InProgress, then 200 Succeeded, or 200 Failed with PreconditionFailed),
and `network/…/test_abs_privatendpoint_with_default.yaml` (PE PUT 201 `Updating` with
Azure-AsyncOperation; poll 200 InProgress then Succeeded; a later GET `Succeeded` with customDnsConfigs)."""

from __future__ import annotations

import base64
import copy
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError
from emu_helpers import AUTH, DNS_API, NETWORK_API, ZONE, graph, pe_path, raw, zone_id

from emulator import ENDPOINTS_QUERY, Emulator, Faults
from tests.fixtures import load

VNET = "/subscriptions/{sub}/resourceGroups/rg-hub-net/providers/Microsoft.Network/virtualNetworks/vnet-hub"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _link(emu: Emulator) -> dict:
    return {"location": "global", "properties": {"virtualNetwork": {"id": VNET.format(sub=emu.hub_subscription)},
                                                 "registrationEnabled": False}}


def _wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# -- Private DNS: zone and link PUTs are long-running ------------------------------------------------

def test_a_zone_put_answers_202_with_the_recorded_polling_headers(emu):
    status, headers, body = raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"}, AUTH)

    status_url, result_url = urlsplit(headers["azure-asyncoperation"]), urlsplit(headers["location"])
    op_id = unquote(status_url.path.rsplit("/", 1)[1])
    assert (202, {}) == (status, body)
    assert status_url.path.startswith(
        f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}"
        "/providers/Microsoft.Network/privateDnsOperationStatuses/")
    assert "/providers/Microsoft.Network/privateDnsOperationResults/" in result_url.path
    assert [DNS_API] == parse_qs(status_url.query)["api-version"]
    assert base64.b64decode(op_id).decode().startswith("FrontEndAsyncOperation;UpsertPrivateDnsZone;")


def test_the_zone_exists_once_its_put_is_answered_and_its_operation_succeeds(emu):
    _, headers, _ = raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"}, AUTH)

    poll = raw(emu, "GET", _path(headers["azure-asyncoperation"]), headers=AUTH)
    zone = raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers=AUTH)

    assert (200, {"status": "Succeeded"}) == (poll[0], poll[2])
    assert (200, "Succeeded") == (zone[0], zone[2]["properties"]["provisioningState"])


def test_recorded_sequence_if_none_match_on_an_existing_zone_fails_the_operation_not_the_put():
    with Emulator(faults=Faults(operation_delay_ms=300)) as emu:
        raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"}, AUTH)
        before = raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers=AUTH)[1]["etag"]

        put = raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"},
                  {**AUTH, "If-None-Match": "*"})
        running = raw(emu, "GET", _path(put[1]["azure-asyncoperation"]), headers=AUTH)
        time.sleep(0.35)
        finished = raw(emu, "GET", _path(put[1]["azure-asyncoperation"]), headers=AUTH)

        after = raw(emu, "GET", zone_id(emu) + f"?api-version={DNS_API}", headers=AUTH)[1]["etag"]
    assert (202, {}) == (put[0], put[2])
    assert (202, {"status": "InProgress"}) == (running[0], running[2])
    assert {"azure-asyncoperation", "location"} <= set(running[1])
    assert (200, {"error": {"code": "PreconditionFailed",
                            "message": f"The Zone {ZONE} exists already and hence cannot be created again."},
                  "status": "Failed"}) == (finished[0], finished[2])
    assert before == after  # the failed operation changed nothing


def test_the_sdk_poller_reports_the_failed_operation_as_an_error_with_its_code(emu, dns, zone):
    with pytest.raises(HttpResponseError) as caught:
        dns.private_zones.begin_create_or_update(emu.hub_resource_group, zone, {"location": "global"},
                                                 match_condition=MatchConditions.IfMissing, etag="*").result()

    assert ("PreconditionFailed", 200) == (caught.value.error.code, caught.value.status_code)


def test_the_sdk_poller_waits_out_an_operation_in_progress_unchanged():
    with Emulator(faults=Faults(operation_delay_ms=200)) as emu:
        from azure.mgmt.privatedns import PrivateDnsManagementClient
        from emu_helpers import StaticCredential

        dns = PrivateDnsManagementClient(StaticCredential(), emu.hub_subscription, base_url=emu.base_url,
                                         connection_verify=emu.ca_path, retry_total=0)
        created = dns.private_zones.begin_create_or_update(emu.hub_resource_group, ZONE, {"location": "global"},
                                                           polling_interval=0.1).result(timeout=10)
        polls = [s for m, p, s in emu.requests if "privateDnsOperationStatuses" in p]

    assert ("Succeeded", 202, 200) == (created.properties.provisioning_state, polls[0], polls[-1])


def test_a_link_put_with_if_none_match_on_an_existing_link_fails_its_operation_as_recorded(emu, zone):
    path = zone_id(emu) + f"/virtualNetworkLinks/hub?api-version={DNS_API}"
    first = raw(emu, "PUT", path, _link(emu), AUTH)

    again = raw(emu, "PUT", path, _link(emu), {**AUTH, "If-None-Match": "*"})
    outcome = raw(emu, "GET", _path(again[1]["azure-asyncoperation"]), headers=AUTH)

    op_id = unquote(urlsplit(first[1]["azure-asyncoperation"]).path.rsplit("/", 1)[1])
    assert (202, 202) == (first[0], again[0])
    assert base64.b64decode(op_id).decode().startswith("FrontEndAsyncOperation;UpsertVirtualNetworkLink;")
    assert {"error": {"code": "PreconditionFailed",
                      "message": f"The Virtual Network link hub for the Private DNS zone {ZONE} exists already "
                                 "and hence cannot be created again."},
            "status": "Failed"} == outcome[2]


def test_the_location_url_answers_204_when_done_and_the_error_when_failed(emu, zone):
    ok = raw(emu, "PUT", zone_id(emu) + f"/virtualNetworkLinks/hub?api-version={DNS_API}", _link(emu), AUTH)
    failed = raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"},
                 {**AUTH, "If-None-Match": "*"})

    assert 204 == raw(emu, "GET", _path(ok[1]["location"]), headers=AUTH)[0]
    answer = raw(emu, "GET", _path(failed[1]["location"]), headers=AUTH)
    assert (412, "PreconditionFailed") == (answer[0], answer[2]["error"]["code"])


def test_an_unknown_operation_is_not_found(emu):
    path = (f"/subscriptions/{emu.hub_subscription}/resourceGroups/{emu.hub_resource_group}/providers/"
            f"Microsoft.Network/privateDnsOperationStatuses/bm9wZQ==?api-version={DNS_API}")

    assert 404 == raw(emu, "GET", path, headers=AUTH)[0]


def test_record_set_writes_stay_synchronous(emu, zone):
    status, headers, _ = raw(emu, "PUT", zone_id(emu) + f"/A/acct?api-version={DNS_API}",
                             {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}, AUTH)

    assert (201, False) == (status, "azure-asyncoperation" in headers)


def test_an_a_record_set_without_records_answers_an_empty_a_records_array_as_recorded(emu, zone):
    recorded = load("recordsets/recorded-a-create-201.json")["properties"]

    status, _, body = raw(emu, "PUT", zone_id(emu) + f"/A/empty?api-version={DNS_API}",
                          {"properties": {"ttl": 3600}}, {**AUTH, "If-None-Match": "*"})

    assert 201 == status
    assert set(recorded) == set(body["properties"])
    assert [] == body["properties"]["aRecords"] == recorded["aRecords"]


# -- private endpoints: the network provider's operation and the provisioning transition ------------

def _full_body(emu: Emulator, name: str = "pe1") -> dict:
    """A private endpoint in ARM GET shape, as the tests and the demo seed them."""
    body = copy.deepcopy(load("endpoints/storage-blob.json"))
    body["id"] = pe_path(emu, name)
    body["name"] = name
    return body


def test_a_pe_put_names_its_operation_which_succeeds(emu):
    status, headers, _ = raw(emu, "PUT", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", _full_body(emu), AUTH)

    url = urlsplit(headers["azure-asyncoperation"])
    assert 201 == status
    assert url.path.startswith(f"/subscriptions/{emu.spoke_subscription}/providers/Microsoft.Network/locations/")
    assert {"status": "Succeeded"} == raw(emu, "GET", _path(headers["azure-asyncoperation"]), headers=AUTH)[2]


def test_without_a_provisioning_delay_a_full_body_reads_back_as_given(emu):
    given = _full_body(emu)
    raw(emu, "PUT", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", given, AUTH)

    read = raw(emu, "GET", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", headers=AUTH)[2]

    assert given["properties"] == read["properties"]


def test_with_a_provisioning_delay_a_put_reads_updating_then_as_given():
    # Resource Graph without lag: this is about what every read shows during the transition, not when
    # Resource Graph catches up.
    with Emulator(faults=Faults(provisioning_delay_ms=400, graph_lag_ms=0)) as emu:
        given = _full_body(emu)
        put = raw(emu, "PUT", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", given, AUTH)
        early = raw(emu, "GET", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", headers=AUTH)
        listed = graph(emu, ENDPOINTS_QUERY)[2]["data"]
        running = raw(emu, "GET", _path(put[1]["azure-asyncoperation"]), headers=AUTH)[2]
        time.sleep(0.45)
        late = raw(emu, "GET", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", headers=AUTH)
        done = raw(emu, "GET", _path(put[1]["azure-asyncoperation"]), headers=AUTH)[2]
        listed_late = graph(emu, ENDPOINTS_QUERY)[2]["data"]

    assert (201, "Updating", []) == (put[0], put[2]["properties"]["provisioningState"],
                                     put[2]["properties"]["customDnsConfigs"])
    assert ("Updating", [], put[1]["etag"]) == (early[2]["properties"]["provisioningState"],
                                                early[2]["properties"]["customDnsConfigs"], early[1]["etag"])
    assert [("Updating", [])] == [(r["provisioningState"], r["customDnsConfigs"]) for r in listed]
    assert ({"status": "InProgress"}, {"status": "Succeeded"}) == (running, done)
    assert given["properties"] == late[2]["properties"]
    assert late[1]["etag"] != early[1]["etag"]
    assert [("Succeeded", given["properties"]["customDnsConfigs"])] == [
        (r["provisioningState"], r["customDnsConfigs"]) for r in listed_late]


def test_during_provisioning_the_platform_fills_in_the_connections_a_bare_put_leaves_out():
    target = "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
    body = {"location": "westeurope", "properties": {
        "privateLinkServiceConnections": [{"name": "auto", "properties": {"privateLinkServiceId": target,
                                                                          "groupIds": ["vault"]}}],
        "manualPrivateLinkServiceConnections": [{"name": "manual", "properties": {"privateLinkServiceId": target,
                                                                                  "groupIds": ["vault"]}}]}}
    recorded = load("endpoints/recorded-bot-pe-manual-put-updating.json")["properties"]
    with Emulator(faults=Faults(provisioning_delay_ms=5000)) as emu:
        put = raw(emu, "PUT", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", body, AUTH)[2]["properties"]

    auto, manual = put["privateLinkServiceConnections"][0], put["manualPrivateLinkServiceConnections"][0]
    assert ({"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"}, "Succeeded") == (
        auto["properties"]["privateLinkServiceConnectionState"], auto["properties"]["provisioningState"])
    assert (recorded["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"]
            ["status"], "Microsoft.Network/privateEndpoints/manualPrivateLinkServiceConnections") == (
        manual["properties"]["privateLinkServiceConnectionState"]["status"], manual["type"])
    assert set(recorded) - {"subnet"} <= set(put)  # networkInterfaces, ipConfigurations, … (the subnet is the caller's)


def test_a_zone_group_writes_its_records_only_once_provisioning_is_done():
    with Emulator(faults=Faults(provisioning_delay_ms=400)) as emu:
        raw(emu, "PUT", zone_id(emu) + f"?api-version={DNS_API}", {"location": "global"}, AUTH)
        raw(emu, "PUT", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", _full_body(emu), AUTH)
        group = {"properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone_id(emu)}}]}}
        raw(emu, "PUT", pe_path(emu, "pe1") + f"/privateDnsZoneGroups/default?api-version={NETWORK_API}", group, AUTH)

        def records() -> list[str]:
            listed = raw(emu, "GET", zone_id(emu) + f"/A?api-version={DNS_API}", headers=AUTH)[2]["value"]
            return [r["name"] for r in listed]

        early = records()
        _wait_until(lambda: records() == ["stappdata"])

    assert [] == early


def test_an_unfinished_provisioning_finishes_after_a_restart(tmp_path):
    state = tmp_path / "state.json"
    with Emulator(state_file=state, faults=Faults(provisioning_delay_ms=200)) as emu:
        raw(emu, "PUT", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", _full_body(emu), AUTH)
    time.sleep(0.25)

    with Emulator(state_file=state) as emu:
        read = raw(emu, "GET", pe_path(emu, "pe1") + f"?api-version={NETWORK_API}", headers=AUTH)[2]

    assert "Succeeded" == read["properties"]["provisioningState"]


# -- api-versions ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "version"),
    [("zone", "2099-01-01"), ("zone", NETWORK_API), ("pe", DNS_API), ("pe", "2019-01-01"), ("pes", "garbage")],
    ids=["dns-future", "dns-with-network-version", "pe-with-dns-version", "pe-too-old", "pe-list-garbage"],
)
def test_an_api_version_the_route_does_not_implement_is_refused_like_arm(emu, path, version):
    url = {"zone": zone_id(emu), "pe": pe_path(emu, "pe1"),
           "pes": f"/subscriptions/{emu.spoke_subscription}/providers/Microsoft.Network/privateEndpoints"}[path]

    status, _, body = raw(emu, "GET", f"{url}?api-version={version}", headers=AUTH)

    assert (400, "NoRegisteredProviderFound") == (status, body["error"]["code"])
    assert version in body["error"]["message"]


@pytest.mark.parametrize("version", ["2018-09-01", "2020-06-01", "2024-06-01"])
def test_the_private_dns_api_versions_are_accepted(emu, version):
    assert 404 == raw(emu, "GET", zone_id(emu) + f"?api-version={version}", headers=AUTH)[0]


@pytest.mark.parametrize("version", ["2022-01-01", "2024-05-01", "2025-03-01"])
def test_the_network_api_versions_are_accepted(emu, version):
    assert 404 == raw(emu, "GET", pe_path(emu, "pe1") + f"?api-version={version}", headers=AUTH)[0]
