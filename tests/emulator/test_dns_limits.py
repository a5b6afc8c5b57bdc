"""Private DNS's own request limits under `throttle`: per zone for record sets and virtual network links,
per subscription for zone writes (get per zone, list by resource group per resource group), each a token
bucket as deep as Microsoft's per-minute rate (azure-docs includes/dns-limits.md) that answers 429
`ResourceRequestsThrottled` with `Retry-After` when empty. The clock is the test's: buckets refill
only when it moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
from azure.core.rest import HttpRequest
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from emu_helpers import DNS_API, MANAGEMENT_SCOPE, StaticCredential

from emulator import Emulator, Faults
from emulator._dnslimits import RATES, classify
from emulator._http import Request

ZONE = "privatelink.blob.core.windows.net"
OTHER_ZONE = "privatelink.vaultcore.azure.net"
VNET = "/subscriptions/00000000-0000-4000-8000-0000000000b1/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(clock: Clock) -> Iterator[Emulator]:
    """An emulator throttling as `--throttle` does, on the test's clock, with two hub zones holding a
    record set and a virtual network link each, and the first zone also in another resource group and
    in the spoke subscription (all seeded in-process: no tokens taken)."""
    with Emulator(faults=Faults(throttle=True), clock=clock) as emu:
        for zone in (ZONE, OTHER_ZONE):
            emu.apply("PUT", zone_path(emu, zone), {"location": "global"})
            emu.apply("PUT", zone_path(emu, zone) + "/A/existing", {"properties": {"ttl": 10}})
            emu.apply("PUT", zone_path(emu, zone) + "/virtualNetworkLinks/existing", link("existing"))
        emu.apply("PUT", zone_path(emu, rg="rg-other"), {"location": "global"})
        emu.apply("PUT", zone_path(emu, sub=emu.spoke_subscription), {"location": "global"})
        yield emu


@pytest.fixture
def client(limited: Emulator) -> ARMPipelineClient:
    """One keep-alive HTTPS client without retries: every answer reaches the test."""
    return ARMPipelineClient(
        base_url=limited.base_url,
        policies=[RetryPolicy(retry_total=0), BearerTokenCredentialPolicy(StaticCredential(), MANAGEMENT_SCOPE)],
        connection_verify=limited.ca_path,
    )


def zone_path(emu: Emulator, zone: str = ZONE, rg: str | None = None, sub: str | None = None) -> str:
    return (f"/subscriptions/{sub or emu.hub_subscription}/resourceGroups/{rg or emu.hub_resource_group}"
            f"/providers/Microsoft.Network/privateDnsZones/{zone}")


Call = tuple[str, str, Any, dict[str, str]]  # method, path, body, headers


def send(client: ARMPipelineClient, call: Call) -> tuple[int, dict[str, str], Any]:
    method, path, body, headers = call
    url = client.format_url(f"{path}?api-version={DNS_API}")
    request = HttpRequest(method, url, json=body, headers=headers) if body is not None else \
        HttpRequest(method, url, headers=headers)
    response = client.send_request(request)
    text = response.text()
    return response.status_code, dict(response.headers), (response.json() if text else None)


def record(i: int) -> dict[str, Any]:
    return {"properties": {"ttl": 10 + i}}


def link(vnet: str) -> dict[str, Any]:
    return {"location": "global", "properties": {"virtualNetwork": {"id": VNET + vnet}}}


#: Each limit: the calls that use it (the i-th), and the operation Microsoft's table names.
LIMITS: dict[str, tuple[tuple[str, str], Callable[[Emulator, int], Call]]] = {
    "record-create": (("recordSets", "create"), lambda e, i: ("PUT", zone_path(e) + f"/A/new{i}", record(i), {})),
    "record-update": (("recordSets", "update"), lambda e, i: ("PUT", zone_path(e) + "/A/existing", record(i), {})),
    "record-patch": (("recordSets", "update"), lambda e, i: ("PATCH", zone_path(e) + "/A/existing", record(i), {})),
    "record-delete": (("recordSets", "delete"), lambda e, i: ("DELETE", zone_path(e) + f"/A/gone{i}", None, {})),
    "record-get": (("recordSets", "get"), lambda e, i: ("GET", zone_path(e) + "/A/existing", None, {})),
    "record-list": (("recordSets", "list"), lambda e, i: ("GET", zone_path(e) + "/A", None, {})),
    "record-list-all": (("recordSets", "list"), lambda e, i: ("GET", zone_path(e) + "/ALL", None, {})),
    "zone-create": (("zones", "create"), lambda e, i: ("PUT", zone_path(e, f"z{i}.example"), {"location": "global"}, {})),
    "zone-update": (("zones", "update"), lambda e, i: ("PUT", zone_path(e), {"location": "global"}, {})),
    "zone-delete": (("zones", "delete"), lambda e, i: ("DELETE", zone_path(e, f"gone{i}.example"), None, {})),
    "zone-get": (("zones", "get"), lambda e, i: ("GET", zone_path(e), None, {})),
    "zone-list-by-subscription": (("zones", "listBySubscription"), lambda e, i: (
        "GET", f"/subscriptions/{e.hub_subscription}/providers/Microsoft.Network/privateDnsZones", None, {})),
    "zone-list-by-resource-group": (("zones", "listByResourceGroup"), lambda e, i: (
        "GET", zone_path(e).rsplit("/", 1)[0], None, {})),
    "link-create": (("virtualNetworkLinks", "create"), lambda e, i: (
        "PUT", zone_path(e) + f"/virtualNetworkLinks/l{i}", link(f"v{i}"), {})),
    "link-update": (("virtualNetworkLinks", "update"), lambda e, i: (
        "PUT", zone_path(e) + "/virtualNetworkLinks/existing", link("existing"), {})),
    "link-delete": (("virtualNetworkLinks", "delete"), lambda e, i: (
        "DELETE", zone_path(e) + f"/virtualNetworkLinks/gone{i}", None, {})),
    "link-get": (("virtualNetworkLinks", "get"), lambda e, i: (
        "GET", zone_path(e) + "/virtualNetworkLinks/existing", None, {})),
    "link-list": (("virtualNetworkLinks", "list"), lambda e, i: (
        "GET", zone_path(e) + "/virtualNetworkLinks", None, {})),
}

#: Microsoft's figures (includes/dns-limits.md, ms.date 10/08/2024), restated so a change to the table is seen.
PUBLISHED = {
    ("recordSets", "create"): 60, ("recordSets", "update"): 60, ("recordSets", "delete"): 60,
    ("recordSets", "get"): 200, ("recordSets", "list"): 100,
    ("zones", "create"): 40, ("zones", "update"): 40, ("zones", "delete"): 40, ("zones", "get"): 200,
    ("zones", "listBySubscription"): 60, ("zones", "listByResourceGroup"): 100,
    ("virtualNetworkLinks", "create"): 60, ("virtualNetworkLinks", "update"): 60,
    ("virtualNetworkLinks", "delete"): 60, ("virtualNetworkLinks", "get"): 100, ("virtualNetworkLinks", "list"): 20,
}


def use_up(client: ARMPipelineClient, emu: Emulator, name: str, start: int = 0) -> list[int]:
    """Send a limit's whole per-minute rate; returns the statuses."""
    operation, call = LIMITS[name]
    return [send(client, call(emu, start + i))[0] for i in range(PUBLISHED[operation])]


def test_the_rates_are_microsofts():
    assert PUBLISHED == RATES


@pytest.mark.parametrize("name", list(LIMITS))
def test_each_limit_answers_429_with_retry_after_past_its_rate_in_a_minute(limited, client, name):
    operation, call = LIMITS[name]
    rate = PUBLISHED[operation]

    statuses = use_up(client, limited, name)
    status, headers, body = send(client, call(limited, rate))

    assert [] == [s for s in statuses if s == 429]
    assert (429, "ResourceRequestsThrottled", str(-(-60 // rate))) == (status, body["error"]["code"], headers["Retry-After"])
    assert f"exceeded the limit of '{rate}' for time interval '00:01:00'" in body["error"]["message"]
    assert ["code", "message"] == sorted(body["error"])
    assert 429 == limited.requests[-1][2]


@pytest.mark.parametrize("name, wait", [("record-create", 1.0), ("zone-create", 1.5), ("link-list", 3.0)])
def test_a_bucket_gives_one_more_request_each_sixtieth_of_its_rate_and_refills_to_its_rate(limited, client, clock, name, wait):
    operation, call = LIMITS[name]
    rate = PUBLISHED[operation]
    use_up(client, limited, name)
    clock.now += wait - 0.25
    too_early = send(client, call(limited, 1000))[0]
    clock.now += 0.251

    on_time = [send(client, call(limited, 1001 + i))[0] for i in range(2)]
    clock.now += 3600
    refilled = [send(client, call(limited, 2000 + i))[0] for i in range(rate + 1)]

    assert (429, 429) == (too_early, on_time[1])
    assert 429 != on_time[0]
    assert ([], 429) == ([s for s in refilled[:rate] if s == 429], refilled[rate])


@pytest.mark.parametrize("name", ["record-create", "record-get", "record-list", "zone-get", "link-create", "link-list"])
def test_a_per_zone_limit_leaves_another_zone_alone(limited, client, name):
    operation, call = LIMITS[name]
    use_up(client, limited, name)
    method, path, body, headers = call(limited, 999)

    status = send(client, (method, path.replace(ZONE, OTHER_ZONE), body, headers))[0]

    assert send(client, call(limited, 998))[0] == 429
    assert 429 != status


@pytest.mark.parametrize("name", ["zone-create", "zone-update", "zone-delete"])
def test_zone_writes_are_limited_per_subscription_whatever_the_resource_group_or_zone(limited, client, name):
    operation, call = LIMITS[name]
    use_up(client, limited, name)
    method, path, body, headers = call(limited, 999)
    another_group = path.replace(limited.hub_resource_group, "rg-other")
    another_zone = path.replace(ZONE, OTHER_ZONE) if ZONE in path else path.replace("999", "998")
    spoke = path.replace(limited.hub_subscription, limited.spoke_subscription)

    statuses = [send(client, (method, p, body, headers))[0] for p in (another_group, another_zone, spoke)]

    assert [429, 429] == statuses[:2]
    assert 429 != statuses[2]


def test_zone_listings_are_limited_per_resource_group(limited, client):
    use_up(client, limited, "zone-list-by-resource-group")
    _, path, _, _ = LIMITS["zone-list-by-resource-group"][1](limited, 0)

    statuses = [send(client, ("GET", p, None, {}))[0]
                for p in (path, path.replace(limited.hub_resource_group, "rg-other"))]

    assert 429 == statuses[0]
    assert 429 != statuses[1]


def test_create_update_delete_get_and_list_are_separate_buckets(limited, client):
    use_up(client, limited, "record-create")

    others = {name: send(client, LIMITS[name][1](limited, 999))[0]
              for name in ("record-update", "record-delete", "record-get", "record-list")}

    assert 429 == send(client, LIMITS["record-create"][1](limited, 998))[0]
    assert {name: False for name in others} == {name: s == 429 for name, s in others.items()}


def test_a_put_with_if_none_match_star_is_a_create_even_on_an_existing_name(limited, client):
    use_up(client, limited, "record-create")

    status, _, body = send(client, ("PUT", zone_path(limited) + "/A/existing", record(0), {"If-None-Match": "*"}))
    update = send(client, ("PUT", zone_path(limited) + "/A/existing", record(0), {}))[0]

    assert (429, "ResourceRequestsThrottled", 200) == (status, body["error"]["code"], update)


def test_the_sdk_reads_the_throttling_error_in_arms_shape(limited, client):
    use_up(client, limited, "record-create")
    dns = PrivateDnsManagementClient(StaticCredential(), limited.hub_subscription, base_url=limited.base_url,
                                     connection_verify=limited.ca_path, retry_total=0)

    with pytest.raises(HttpResponseError) as caught:
        dns.record_sets.create_or_update(limited.hub_resource_group, ZONE, "A", "one-more", record(0))

    assert (429, "ResourceRequestsThrottled", "1") == (
        caught.value.status_code, caught.value.error.code, caught.value.response.headers["Retry-After"])


def test_changing_faults_refills_the_private_dns_buckets(limited, client):
    use_up(client, limited, "link-list")

    limited.set_faults(Faults(throttle=True))

    assert 429 != send(client, LIMITS["link-list"][1](limited, 0))[0]


@pytest.mark.parametrize("name", ["record-create", "link-list", "zone-create"])
def test_without_throttle_nothing_is_limited(limited, client, name):
    limited.set_faults(Faults())

    statuses = use_up(client, limited, name) + use_up(client, limited, name, start=500)

    assert [] == [s for s in statuses if s == 429]


# ---------------------------------------------------------------- what a request is

def _request(method: str, path: str, headers: dict[str, str] | None = None) -> Request:
    message = Message()
    for key, value in (headers or {}).items():
        message[key] = value
    return Request(method, path, {"api-version": DNS_API}, message, b"", "https://127.0.0.1")


SUB = "00000000-0000-4000-8000-0000000000a1"
RG = f"/subscriptions/{SUB}/resourceGroups/RG-Hub/providers/Microsoft.Network"
Z = f"{RG}/privateDnsZones/Privatelink.Blob.Core.Windows.Net"
ZONE_SCOPE = (SUB, "rg-hub", "privatelink.blob.core.windows.net")
EXISTING = {
    ("recordSets", f"/subscriptions/{SUB}/resourcegroups/rg-hub/providers/microsoft.network/privatednszones/"
                   "privatelink.blob.core.windows.net/a/there"),
    ("zones", f"/subscriptions/{SUB}/resourcegroups/rg-hub/providers/microsoft.network/privatednszones/"
              "privatelink.blob.core.windows.net"),
    ("links", f"/subscriptions/{SUB}/resourcegroups/rg-hub/providers/microsoft.network/privatednszones/"
              "privatelink.blob.core.windows.net/virtualnetworklinks/there"),
}


@pytest.mark.parametrize("method, path, headers, expected", [
    ("PUT", f"{Z}/A/new", {}, ("recordSets", "create", ZONE_SCOPE)),
    ("PUT", f"{Z}/A/There.", {}, ("recordSets", "update", ZONE_SCOPE)),
    ("PUT", f"{Z}/A/there", {"If-None-Match": "*"}, ("recordSets", "create", ZONE_SCOPE)),
    ("PUT", f"{Z}/A/there", {"If-Match": "etag"}, ("recordSets", "update", ZONE_SCOPE)),
    ("PATCH", f"{Z}/A/there", {}, ("recordSets", "update", ZONE_SCOPE)),
    ("DELETE", f"{Z}/AAAA/absent", {}, ("recordSets", "delete", ZONE_SCOPE)),
    ("GET", f"{Z}/TXT/there", {}, ("recordSets", "get", ZONE_SCOPE)),
    ("GET", f"{Z}/A", {}, ("recordSets", "list", ZONE_SCOPE)),
    ("GET", f"{Z}/ALL", {}, ("recordSets", "list", ZONE_SCOPE)),
    ("PUT", Z, {}, ("zones", "update", (SUB,))),
    ("PUT", f"{RG}/privateDnsZones/new.example", {}, ("zones", "create", (SUB,))),
    ("PUT", Z, {"If-None-Match": "*"}, ("zones", "create", (SUB,))),
    ("PATCH", Z, {}, ("zones", "update", (SUB,))),
    ("DELETE", Z, {}, ("zones", "delete", (SUB,))),
    ("GET", Z, {}, ("zones", "get", ZONE_SCOPE)),
    ("GET", f"{RG}/privateDnsZones", {}, ("zones", "listByResourceGroup", (SUB, "rg-hub"))),
    ("GET", f"/subscriptions/{SUB}/providers/Microsoft.Network/privateDnsZones", {},
     ("zones", "listBySubscription", (SUB,))),
    ("PUT", f"{Z}/virtualNetworkLinks/new", {}, ("virtualNetworkLinks", "create", ZONE_SCOPE)),
    ("PUT", f"{Z}/virtualNetworkLinks/There", {}, ("virtualNetworkLinks", "update", ZONE_SCOPE)),
    ("PATCH", f"{Z}/virtualNetworkLinks/there", {}, ("virtualNetworkLinks", "update", ZONE_SCOPE)),
    ("DELETE", f"{Z}/virtualNetworkLinks/there", {}, ("virtualNetworkLinks", "delete", ZONE_SCOPE)),
    ("GET", f"{Z}/virtualNetworkLinks/there", {}, ("virtualNetworkLinks", "get", ZONE_SCOPE)),
    ("GET", f"{Z}/virtualNetworkLinks", {}, ("virtualNetworkLinks", "list", ZONE_SCOPE)),
])
def test_a_request_is_classified_as_microsofts_table_names_it(method, path, headers, expected):
    operation = classify(_request(method, path, headers), lambda collection, lid: (collection, lid) in EXISTING)

    assert expected == (operation.family, operation.operation, operation.scope)


@pytest.mark.parametrize("method, path", [
    ("GET", f"{RG}/privateEndpoints/pe1"),
    ("PUT", f"{RG}/privateEndpoints/pe1"),
    ("GET", f"{RG}/privateDnsOperationStatuses/abc"),
    ("GET", f"/subscriptions/{SUB}/providers/Microsoft.Network/privateEndpoints"),
    ("POST", f"{Z}/A"),
    ("PUT", f"{Z}/ALL/x"),
    ("GET", f"{Z}/NS/x"),
    ("GET", "/providers/Microsoft.Management/managementGroups"),
])
def test_requests_private_dns_does_not_limit_are_not_classified(method, path):
    assert None is classify(_request(method, path), lambda collection, lid: False)
