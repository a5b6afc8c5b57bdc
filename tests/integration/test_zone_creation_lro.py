"""Zone creation (`PEDNS_CREATE_ZONES`) against Azure's recorded long-running sequence, through
pedns's own code: `AzureZoneStore.create_zone` and the service, on the emulator over HTTPS.

Azure answers a zone or link PUT with 202 and an `Azure-AsyncOperation`; with `If-None-Match: *` on
a zone that exists, the PUT is still 202 and the *operation* ends `Failed` with `PreconditionFailed`
(azure-cli recording `test_PutZone_ZoneExistsIfNoneMatchFailure_ExpectError`). A zone created by
someone else at the same time (another invocation, a person) must not fail pedns, and the hub
networks must still get their links."""

from __future__ import annotations

import threading

import pytest

from emulator import Faults
from shared.adapters.credentials import make_credential
from shared.adapters.privatedns import AzureZoneStore
from shared.settings import Settings
from tools.lab import delivery

pytestmark = pytest.mark.integration

ZONE = "privatelink.blob.core.windows.net"
HUB_A = "/subscriptions/{sub}/resourceGroups/rg-hub-weu/providers/Microsoft.Network/virtualNetworks/vnet-hub"
HUB_B = "/subscriptions/{sub}/resourceGroups/rg-hub-neu/providers/Microsoft.Network/virtualNetworks/vnet-hub"


def hubs(emu) -> tuple[str, str]:
    return HUB_A.format(sub=emu.hub_subscription), HUB_B.format(sub=emu.hub_subscription)


def store_for(emu, **kwargs) -> AzureZoneStore:
    settings = Settings.from_env(emu.env())
    return AzureZoneStore(make_credential(settings), settings, **kwargs)


def linked(lab, zone: str = ZONE) -> list[tuple[str, str]]:
    """(link name, network id) of every link of the zone."""
    return sorted((link.name, link.properties.virtual_network.id)
                  for link in lab.dns.virtual_network_links.list(lab.rg, zone))


def a_person_creates_the_zone_linked_to(lab, vnet_id: str) -> None:
    lab.dns.private_zones.begin_create_or_update(lab.rg, ZONE, {"location": "global"}).result()
    lab.dns.virtual_network_links.begin_create_or_update(lab.rg, ZONE, "hub-by-hand", {
        "location": "global", "properties": {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": False}}).result()


def zone_traffic(emu) -> list[tuple[str, str, int]]:
    """(method, what, status) of the zone's PUTs and of every operation status poll."""
    out = []
    for method, path, status in emu.requests:
        if "privateDnsOperationStatuses" in path:
            out.append((method, "operation", status))
        elif method == "PUT" and path.lower().endswith(f"/privatednszones/{ZONE}"):
            out.append((method, "zone", status))
    return out


# -- the adapter ------------------------------------------------------------------------------------

def test_create_zone_creates_the_zone_and_links_it_to_every_hub_network(emu):
    from tools.lab import Lab

    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
    store = store_for(emu)

    store.create_zone(ZONE, link_vnet_ids=hubs(emu))

    assert [("PUT", "zone", 202), ("GET", "operation", 200)] == zone_traffic(emu)[:2]
    assert sorted(hubs(emu)) == sorted(vnet for _, vnet in linked(lab))
    assert all(name.startswith("pedns-vnet-hub-") for name, _ in linked(lab))
    assert 2 == len({name for name, _ in linked(lab)})  # same network name in two groups: two links
    lab.close()


def test_recorded_sequence_a_zone_someone_else_created_is_not_an_error_and_the_missing_link_is_made(emu):
    from tools.lab import Lab

    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
    hub_a, hub_b = hubs(emu)
    a_person_creates_the_zone_linked_to(lab, hub_a)
    etag = lab.dns.private_zones.get(lab.rg, ZONE).etag
    emu.clear_requests()

    store_for(emu).create_zone(ZONE, link_vnet_ids=[hub_a, hub_b])

    # PUT 202, then the operation: 200 {"status": "Failed", "error": {"code": "PreconditionFailed"}}
    assert [("PUT", "zone", 202), ("GET", "operation", 200)] == zone_traffic(emu)[:2]
    assert etag == lab.dns.private_zones.get(lab.rg, ZONE).etag  # the create-only PUT changed nothing
    assert sorted([hub_a, hub_b]) == sorted(vnet for _, vnet in linked(lab))  # hub A keeps its one link
    assert "hub-by-hand" in [name for name, _ in linked(lab)]
    lab.close()


def test_the_failed_operation_is_polled_through_in_progress_first(emu):
    from tools.lab import Lab

    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
    lab.create_zones(ZONE)
    emu.set_faults(Faults(operation_delay_ms=150))
    emu.clear_requests()

    store_for(emu, lro_poll_seconds=0.05).create_zone(ZONE, link_vnet_ids=[])

    traffic = zone_traffic(emu)
    assert ("PUT", "zone", 202) == traffic[0]
    assert ("GET", "operation", 202) == traffic[1]  # {"status": "InProgress"}
    assert ("GET", "operation", 200) == traffic[-1]  # {"status": "Failed", "error": {"code": "PreconditionFailed"}}
    lab.close()


def test_two_invocations_creating_the_same_zone_at_once_both_succeed_and_link_each_network_once(emu):
    from tools.lab import Lab

    lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
    emu.set_faults(Faults(operation_delay_ms=100))
    stores = [store_for(emu, lro_poll_seconds=0.05) for _ in range(2)]
    start, errors = threading.Barrier(2), []

    def invocation(store: AzureZoneStore) -> None:
        start.wait()
        try:
            store.create_zone(ZONE, link_vnet_ids=hubs(emu))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=invocation, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert [] == errors
    assert sorted(hubs(emu)) == sorted(vnet for _, vnet in linked(lab))
    lab.close()


# -- the service and the function ------------------------------------------------------------------

class PersonFirst:
    """The hub store as the service sees it, except that a person creates the zone (linked to one hub
    network under their own link name) just before pedns's own create reaches Azure."""

    def __init__(self, store, lab, vnet_id: str) -> None:
        self._store, self._lab, self._vnet_id = store, lab, vnet_id

    def create_zone(self, zone, *, link_vnet_ids):
        a_person_creates_the_zone_linked_to(self._lab, self._vnet_id)
        return self._store.create_zone(zone, link_vnet_ids=link_vnet_ids)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_the_service_with_zone_creation_survives_a_zone_created_meanwhile_and_publishes(emu, monkeypatch):
    from shared.core.model import ResourceId
    from shared.wiring import build_service
    from tools.lab import Lab

    hub_a, hub_b = hubs(emu)
    env = {**emu.env(), "PEDNS_CREATE_ZONES": "true", "PEDNS_HUB_VNET_IDS": f"{hub_a},{hub_b}"}
    lab = Lab(env, spoke_subscription=emu.spoke_subscription)  # no zones: pedns finds ZONE missing
    pe = lab.blob_endpoint("pe-new-zone", "newzone", "10.0.9.4")
    lab.put_endpoint(pe)
    service = build_service(Settings.from_env(env))
    service.store = PersonFirst(service.store, lab, hub_a)
    emu.clear_requests()

    result = service.converge(ResourceId(pe["id"]))

    assert result.ok, result.to_json()
    assert {(ZONE, "newzone"): ["10.0.9.4"]} == lab.names()
    assert sorted([hub_a, hub_b]) == sorted(vnet for _, vnet in linked(lab))
    assert ("PUT", "zone", 202) in zone_traffic(emu)
    lab.close()


def test_a_write_event_for_a_missing_zone_creates_and_links_it_through_the_function(emu, monkeypatch, host):
    from functions import _runtime
    from shared.settings import SETTING_NAMES
    from tools.lab import Lab

    hub_a, hub_b = hubs(emu)
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    env = {**emu.env(), "PEDNS_CREATE_ZONES": "true", "PEDNS_HUB_VNET_IDS": f"{hub_a},{hub_b}",
           "PEDNS_RECONCILE_SCHEDULE": "0 */15 * * * *"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _runtime.reset()
    lab = Lab(env, spoke_subscription=emu.spoke_subscription)
    pe = lab.blob_endpoint("pe-fn", "fnzone", "10.0.9.5")
    lab.put_endpoint(pe)

    try:
        [result] = host.deliver(delivery(lab.event(pe["id"], "write")))
    finally:
        _runtime.reset()

    assert result.ok, result.error
    assert {(ZONE, "fnzone"): ["10.0.9.5"]} == lab.names()
    assert sorted([hub_a, hub_b]) == sorted(vnet for _, vnet in linked(lab))
    lab.close()
