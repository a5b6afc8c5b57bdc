"""The hub's ARM URLs through pedns's own adapters, on the emulator over HTTPS: a DNS resource group
that does not exist is one clear error naming it, and no value pedns puts into a URL path can add
path segments, even one that skipped the settings' validation (`Settings.model_copy`)."""

from __future__ import annotations

import pytest

from shared.adapters.arm import ArmEndpointReader
from shared.adapters.credentials import make_credential
from shared.adapters.privatedns import AzureZoneStore
from shared.core.model import RecordKey, ResourceId
from shared.errors import InvalidInput, NotFound, PermanentError
from shared.settings import Settings

pytestmark = pytest.mark.integration

BLOB = "privatelink.blob.core.windows.net"


def unchecked(emu, **fields) -> Settings:
    """The emulator's settings as `Settings.from_env` reads them, then `fields` set without validation."""
    return Settings.from_env(emu.env()).model_copy(update=fields)


def store_for(settings: Settings) -> AzureZoneStore:
    return AzureZoneStore(make_credential(settings), settings)


# --- a DNS resource group that does not exist ------------------------------------------------------

@pytest.mark.parametrize("read", ["list_zones", "list", "get", "linked_networks"])
def test_every_hub_read_in_a_group_that_does_not_exist_names_the_group(emu, lab, read):
    """The repro: the emulator answered 200 with nothing where ARM answers 404 ResourceGroupNotFound,
    and `pedns records` printed "(no record sets)" and exited 0. A missing record set is no such
    error: `get` answers an empty name for it (the hub exists below)."""
    store = store_for(Settings.from_env({**emu.env(), "PEDNS_DNS_RESOURCE_GROUP": "rg-x"}))
    call = {"list_zones": store.list_zones, "list": lambda: list(store.list(BLOB)),
            "get": lambda: store.get(RecordKey(BLOB, "absent")), "linked_networks": lambda: store.linked_networks(BLOB)}

    with pytest.raises(PermanentError) as caught:
        call[read]()

    assert str(caught.value).startswith(
        f"the DNS resource group 'rg-x' does not exist in subscription {emu.hub_subscription} "
        "(PEDNS_DNS_RESOURCE_GROUP, PEDNS_DNS_SUBSCRIPTION_ID): ")
    assert () == store_for(Settings.from_env(emu.env())).get(RecordKey(BLOB, "absent")).sets


# --- nothing injects path segments -------------------------------------------------------------------

def test_the_resource_group_is_one_path_segment_of_the_record_listing(emu, lab):
    """`rg-x/../<hub>` unencoded would list the hub's records (the client removes the dot segment)."""
    lab.put_record(BLOB, "web", ["10.0.0.4"])
    store = store_for(unchecked(emu, dns_resource_group=f"rg-x/../{emu.hub_resource_group}"))

    with pytest.raises(PermanentError, match=f"the DNS resource group 'rg-x/../{emu.hub_resource_group}' does not exist"):
        list(store.list(BLOB))


def test_the_subscription_is_one_path_segment_of_the_record_listing(emu, lab):
    lab.put_record(BLOB, "web", ["10.0.0.4"])
    store = store_for(unchecked(emu, dns_subscription_id=f"{emu.spoke_subscription}/../{emu.hub_subscription}"))

    with pytest.raises(PermanentError, match="HTTP 400 InvalidSubscriptionId"):
        list(store.list(BLOB))


def test_a_record_name_is_one_path_segment_though_the_sdk_does_not_encode_it(emu, lab):
    """azure-mgmt-privatedns sends the relative record set name as given (`skip_quote=True`): unencoded,
    `x/../web` would read `web`; encoded, it is one (invalid) name."""
    lab.put_record(BLOB, "web", ["10.0.0.4"])
    store = store_for(Settings.from_env(emu.env()))

    with pytest.raises(PermanentError, match=r"InvalidRecordSetName\) The record set name 'x/../web' is invalid"):
        store.get(RecordKey(BLOB, "x/../web"))
    assert ("10.0.0.4",) == store.get(RecordKey(BLOB, "web")).sets[0].ips


@pytest.mark.parametrize("key", [RecordKey(BLOB, ".."), RecordKey("..", "web")], ids=["name", "zone"])
def test_a_dot_segment_is_refused_before_any_request(emu, lab, key):
    store = store_for(Settings.from_env(emu.env()))
    emu.clear_requests()

    with pytest.raises(InvalidInput, match="cannot be a segment of an ARM URL"):
        store.get(key)

    assert [] == emu.requests


def test_an_endpoint_id_cannot_walk_to_another_endpoint(emu, lab):
    """A resource id is sent segment by segment: `pe-gone/../pe-real` is refused, never read as pe-real."""
    real = lab.blob_endpoint("pe-real", "real", "10.0.30.4")
    lab.put_endpoint(real)
    settings = Settings.from_env(emu.env())
    reader = ArmEndpointReader(make_credential(settings), settings)
    base = real["id"].rsplit("/", 1)[0]

    with pytest.raises(InvalidInput, match="'..' cannot be a segment of an ARM URL"):
        reader.get(ResourceId(f"{base}/pe-gone/../pe-real"))
    with pytest.raises(NotFound):
        reader.get(ResourceId(f"{base}/pe-real?x=1"))
    assert "pe-real" == reader.get(ResourceId(real["id"])).id.value.rsplit("/", 1)[1]
    reader.close()
