"""Private DNS's own limits on the client (issue 19, item 2): which window a request counts
against, the windows themselves, and the pacer holding requests to them. Pure, with a fake clock."""

from __future__ import annotations

import pytest

from shared.adapters._dns_limits import PER_MINUTE, Window, dns_limit
from shared.adapters._pipeline import Pacer
from shared.adapters.patience import patience
from builders import FakeClock
from shared.errors import TransientError

HOST = "https://management.azure.com"
SUB = "00000000-0000-4000-8000-0000000000a1"
ZONES = f"{HOST}/subscriptions/{SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones"
ZONE = f"{ZONES}/privatelink.blob.core.windows.net"
Z = ("management.azure.com", "subscriptions", SUB.lower(), "resourcegroups", "rg-dns",
     "privatelink.blob.core.windows.net")
S = ("management.azure.com", "subscriptions", SUB.lower())

CASES = [
    ("PUT", f"{ZONE}/A/shop", {"If-None-Match": "*"}, ((*Z, "record", "create"), 60)),
    ("PUT", f"{ZONE}/AAAA/shop", {"If-Match": '"e1"'}, ((*Z, "record", "update"), 60)),
    ("PATCH", f"{ZONE}/A/shop", {}, ((*Z, "record", "update"), 60)),
    ("DELETE", f"{ZONE}/A/shop", {"If-Match": '"e1"'}, ((*Z, "record", "delete"), 60)),
    ("GET", f"{ZONE}/A/shop?api-version=2024-06-01", {}, ((*Z, "record", "get"), 200)),
    ("GET", f"{ZONE}/A?api-version=2024-06-01&$top=1000", {}, ((*Z, "record", "list"), 100)),
    ("GET", f"{ZONE}/ALL", {}, ((*Z, "record", "list"), 100)),
    ("GET", ZONE, {}, ((*Z, "zone", "get"), 200)),
    ("PUT", ZONE, {"If-None-Match": "*"}, ((*S, "zone", "create"), 40)),
    ("DELETE", ZONE, {}, ((*S, "zone", "delete"), 40)),
    ("GET", ZONES, {}, ((*S, "zones", "list-group"), 100)),  # per subscription, as the table says
    ("GET", f"{HOST}/subscriptions/{SUB}/providers/Microsoft.Network/privateDnsZones", {},
     ((*S, "zones", "list-subscription"), 60)),
    ("PUT", f"{ZONE}/virtualNetworkLinks/hub", {}, ((*Z, "link", "update"), 60)),
    ("GET", f"{ZONE}/virtualNetworkLinks/hub", {}, ((*Z, "link", "get"), 100)),
]


@pytest.mark.parametrize(("method", "url", "headers", "expected"), CASES,
                         ids=[f"{c[0]} {c[1].rsplit('/', 2)[-2:]}" for c in CASES])
def test_each_request_counts_against_the_window_microsoft_documents(method, url, headers, expected):
    assert expected == dns_limit(method, url, headers)


@pytest.mark.parametrize("url", [
    f"{HOST}/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe",
    f"{ZONE}/virtualNetworkLinks",  # a zone's links listed: no published limit
    f"{HOST}/providers/Microsoft.ResourceGraph/resources",
])
def test_requests_private_dns_does_not_limit_count_against_no_window(url):
    assert dns_limit("GET", url, {}) is None


def test_a_zone_name_in_other_case_or_encoded_is_the_same_window():
    a = dns_limit("PUT", f"{ZONE}/A/shop", {"If-None-Match": "*"})
    b = dns_limit("PUT", f"{ZONES}/PrivateLink.Blob.Core.Windows.Net/A/other", {"if-none-match": "*"})
    assert a == b


def test_a_window_grants_n_slots_a_minute_then_queues_each_sixty_seconds_after_its_nth_predecessor():
    window = Window()
    waits = [window.slot(("z",), 3, now)[0] for now in (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 61.5)]

    assert [0.0, 0.0, 0.0, 57.0, 57.0, 57.0, 58.5] == waits  # slots at 0, 1, 2, 60, 61, 62, 120


def test_a_window_never_allows_more_than_n_in_any_sixty_seconds():
    window = Window()
    slots = sorted(now + window.slot(("z",), 60, now)[0] for now in [i * 0.25 for i in range(400)])

    assert max(sum(1 for s in slots if start <= s < start + 60) for start in slots) == 60


def test_impatience_reserves_nothing():
    window = Window()
    for _ in range(2):
        window.slot(("z",), 2, 0.0)

    assert ((59.0, False), (0.0, True)) == (window.slot(("z",), 2, 1.0, patience=5.0),
                                            window.slot(("other",), 2, 1.0, patience=5.0))
    assert (59.0, True) == window.slot(("z",), 2, 1.0)  # the impatient one took no slot


def test_a_block_holds_every_request_of_the_window_until_it_ends():
    window = Window()
    window.block(("z",), 30.0)

    assert ((20.0, True), (0.0, True)) == (window.slot(("z",), 60, 10.0), window.slot(("y",), 60, 10.0))


class Counts:
    def __init__(self) -> None:
        self.counted = []

    def count(self, name, value=1, **dimensions):
        self.counted.append((name, dimensions))


def test_the_pacer_holds_the_sixty_first_create_in_one_zone_for_a_minute_and_counts_the_wait():
    clock, counts = FakeClock(), Counts()
    pacer = Pacer(clock=clock, sleep=clock.sleep, metrics=counts)
    key, rate = dns_limit("PUT", f"{ZONE}/A/x", {"If-None-Match": "*"})

    for _ in range(61):
        pacer.take_slot(key, rate)

    assert ([60.0], [("paced_waits", {"limit": "private-dns"})]) == (clock.slept, counts.counted)


def test_another_zone_has_its_own_minute():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    for zone in ("privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net"):
        key, rate = dns_limit("PUT", f"{ZONES}/{zone}/A/x", {"If-None-Match": "*"})
        for _ in range(60):
            pacer.take_slot(key, rate)

    assert [] == clock.slept


def test_with_patience_a_long_wait_is_a_transient_failure_at_once():
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    key, rate = dns_limit("PUT", f"{ZONE}/A/x", {"If-None-Match": "*"})
    for _ in range(60):
        pacer.take_slot(key, rate)

    with patience(5.0), pytest.raises(TransientError, match="60 creates a minute .*would wait 60 s"):
        pacer.take_slot(key, rate)
    assert [] == clock.slept


def test_every_documented_rate_is_in_the_table():
    assert {("record", op) for op in ("create", "update", "delete", "get", "list")} <= set(PER_MINUTE)
    assert (60, 200, 100, 40) == (PER_MINUTE["record", "create"], PER_MINUTE["record", "get"],
                                  PER_MINUTE["record", "list"], PER_MINUTE["zone", "create"])


def test_headroom_tells_the_free_slots_and_when_the_next_comes_without_reserving_any():
    window = Window()
    assert (3, 0.0) == window.headroom(("z",), 3, 0.0)
    for now in (0.0, 10.0):
        window.slot(("z",), 3, now)
    assert (1, 0.0) == window.headroom(("z",), 3, 20.0)
    window.slot(("z",), 3, 20.0)

    assert (0, 40.0) == window.headroom(("z",), 3, 20.0)  # the first slot frees at 60
    assert (0, 40.0) == window.headroom(("z",), 3, 20.0)  # asking reserved nothing
    assert (1, 0.0) == window.headroom(("z",), 3, 60.0)
    window.block(("y",), 30.0)
    assert (0, 20.0) == window.headroom(("y",), 3, 10.0)  # a Retry-After holds it back too


def test_the_capacity_reports_each_kinds_room_in_its_zone_from_the_pacer():
    """The reconcile's lanes ask it (shared/usecases/lanes.py): one zone's full create window
    leaves its deletes and another zone's creates their room."""
    from shared.adapters.capacity import PacedCapacity
    from shared.core.ports import Headroom
    from shared.settings import Settings

    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    settings = Settings.from_env({"PEDNS_DNS_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000001",
                                  "PEDNS_DNS_RESOURCE_GROUP": "rg-dns"})
    store = PacedCapacity(pacer, settings)
    key, rate = dns_limit("PUT", f"{settings.arm_base_url}/subscriptions/00000000-0000-0000-0000-000000000001/"
                          "resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/"
                          "privatelink.blob.core.windows.net/A/x", {"If-None-Match": "*"})
    for _ in range(60):
        pacer.take_slot(key, rate)

    assert [Headroom(0, 60.0), Headroom(60), Headroom(60), Headroom(60)] == [
        store.headroom("privatelink.blob.core.windows.net", "create"),
        store.headroom("privatelink.blob.core.windows.net", "delete"),
        store.headroom("privatelink.blob.core.windows.net", "update"),
        store.headroom("privatelink.vaultcore.azure.net", "create")]
