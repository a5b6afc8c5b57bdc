"""The claim index without a table: choosing the index from settings, the Azurite-only connection
string, the entity encoding, and the reconcile rebuilding the index from its scan."""

from __future__ import annotations

import hashlib

import pytest

from builders import SuffixResolver, endpoint, pe_id
from shared.errors import ConfigError
from shared.core.model import RecordKey
from shared.usecases.reconcile import reconcile
from shared.service import Service
from shared.core.ports import NoIndex
from shared.settings import Settings
from shared.testing import InMemoryClaimIndex, InMemoryEndpointReader, InMemoryZoneStore

BLOB = "privatelink.blob.core.windows.net"
SECRET = "c2VjcmV0LWtleS1vZi1hLXJlYWwtYWNjb3VudA=="
#: The emulator's settings: PEDNS_INDEX_CONNECTION_STRING and the emulator credential are refused
#: with the real ARM endpoint (tests/unit/test_settings.py).
EMULATOR = {"PEDNS_CREDENTIAL": "emulator", "PEDNS_ARM_ENDPOINT": "https://127.0.0.1:8443"}


@pytest.mark.parametrize("value", [
    "UseDevelopmentStorage=true",
    f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={SECRET};"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
    f"AccountName=devstoreaccount1;AccountKey={SECRET};TableEndpoint=http://localhost:10002/devstoreaccount1",
    f"AccountName=devstoreaccount1;AccountKey={SECRET};TableEndpoint=http://[::1]:10002/devstoreaccount1",
], ids=["use-development-storage", "ipv4-loopback", "localhost", "ipv6-loopback"])
def test_an_azurite_connection_string_is_accepted(value):
    assert value == Settings.from_env({**EMULATOR, "PEDNS_INDEX_CONNECTION_STRING": value}).index_connection_string


@pytest.mark.parametrize("value", [
    f"DefaultEndpointsProtocol=https;AccountName=prod;AccountKey={SECRET};EndpointSuffix=core.windows.net",
    f"AccountName=prod;AccountKey={SECRET};TableEndpoint=https://prod.table.core.windows.net",
    f"AccountName=x;AccountKey={SECRET};TableEndpoint=http://127.0.0.1:1/x;BlobEndpoint=https://prod.blob.core.windows.net",
    f"AccountName=x;AccountKey={SECRET};TableEndpoint=http://127.0.0.2.nip.io:1/x",
], ids=["real-account-by-suffix", "real-table-endpoint", "one-real-endpoint-among-loopback", "loopback-lookalike"])
def test_a_connection_string_for_a_real_account_is_refused_with_one_line_that_hides_the_key(value):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"PEDNS_INDEX_CONNECTION_STRING": value})

    message = str(caught.value)
    assert (1, False, True) == (len(message.splitlines()), SECRET in message,
                                "PEDNS_INDEX_CONNECTION_STRING" in message)


def make_index(env):
    from shared.adapters.tables import make_index

    return make_index(Settings.from_env({**EMULATOR, **env}))


def test_without_a_table_the_index_is_noindex_so_the_service_scans():
    assert NoIndex is type(make_index({}))


@pytest.mark.parametrize("env", [
    {"PEDNS_INDEX_CONNECTION_STRING": "UseDevelopmentStorage=true"},
    {"PEDNS_INDEX_TABLE_ENDPOINT": "https://acct.table.core.windows.net"},
], ids=["azurite", "account-endpoint"])
def test_a_configured_table_gives_the_table_index(env):
    from shared.adapters.tables import TableClaimIndex

    assert TableClaimIndex is type(make_index(env))


def test_the_account_endpoint_uses_the_configured_table_and_the_apps_credential():
    from shared.adapters.credentials import EmulatorCredential

    index = make_index({"PEDNS_INDEX_TABLE_ENDPOINT": "https://acct.table.core.windows.net/",
                        "PEDNS_INDEX_TABLE_NAME": "claims"})

    table = index._table
    assert ("https://acct.table.core.windows.net", "claims", EmulatorCredential) == (
        table.url, table.table_name, type(table.credential))


def test_the_row_key_is_the_sha256_of_the_lower_cased_id():
    from shared.adapters.tables import row_key

    endpoint_id = pe_id("PE-A")

    assert hashlib.sha256(str(endpoint_id).lower().encode()).hexdigest() == row_key(endpoint_id)


def test_ids_differing_only_in_case_share_a_row_key():
    from shared.adapters.tables import row_key

    assert row_key(pe_id("pe-a")) == row_key(pe_id("PE-A"))


def test_keys_are_stored_as_a_sorted_json_list_of_zone_bar_name_and_read_back():
    from shared.adapters.tables import decode_keys, encode_keys

    keys = {RecordKey(BLOB, "b"), RecordKey(BLOB, "@"), RecordKey("privatelink.documents.azure.com", "a")}

    text = encode_keys(keys)

    assert ('["privatelink.blob.core.windows.net|@","privatelink.blob.core.windows.net|b",'
            '"privatelink.documents.azure.com|a"]', keys) == (text, decode_keys(text))


@pytest.mark.parametrize("text", ['{"a": 1}', '["no-bar"]', '["|name"]', "not json"],
                         ids=["not-a-list", "no-separator", "empty-zone", "not-json"])
def test_a_corrupt_entry_is_refused(text):
    from shared.adapters.tables import decode_keys

    with pytest.raises(ValueError):
        decode_keys(text)


class RecordingIndex(InMemoryClaimIndex):
    def __init__(self) -> None:
        super().__init__()
        self.rebuilds: list[dict] = []
        self.stores: list = []

    def rebuild(self, claims):
        self.rebuilds.append({k: set(v) for k, v in claims.items()})
        super().rebuild(claims)

    def store(self, endpoint_id, keys):
        self.stores.append(endpoint_id)
        super().store(endpoint_id, keys)


def reconciled(*, dry_run: bool) -> tuple[RecordingIndex, Service]:
    reader, store, index = InMemoryEndpointReader(), InMemoryZoneStore([BLOB]), RecordingIndex()
    service = Service(reader=reader, store=store, resolver=SuffixResolver(), index=index)
    pe = endpoint("a")
    reader.put(pe)
    service.converge(pe.id)
    reconcile(service, subscriptions=[pe.id.subscription_id], dry_run=dry_run)
    return index, service


def test_reconcile_rebuilds_the_index_from_its_scan():
    index, _ = reconciled(dry_run=False)

    assert [{pe_id("a"): {RecordKey(BLOB, "aacct")}}] == index.rebuilds


def test_a_converged_reconcile_writes_no_index_entry():
    index, service = reconciled(dry_run=False)
    index.stores.clear()

    reconcile(service, subscriptions=[pe_id("a").subscription_id])

    assert [] == index.stores


def test_a_dry_run_reconcile_leaves_the_index_alone():
    index, _ = reconciled(dry_run=True)

    assert [] == index.rebuilds


def test_the_in_memory_rebuild_merges_with_what_was_stored():
    index = InMemoryClaimIndex()
    index.store(pe_id("a"), {RecordKey(BLOB, "new")})

    index.rebuild({pe_id("a"): {RecordKey(BLOB, "old")}, pe_id("b"): {RecordKey(BLOB, "b")}})

    assert ({RecordKey(BLOB, "new"), RecordKey(BLOB, "old")}, {RecordKey(BLOB, "b")}) == (
        index.lookup(pe_id("a")), index.lookup(pe_id("b")))


def test_a_plain_http_table_endpoint_is_refused_in_one_line():
    from shared.errors import ConfigError
    from shared.settings import Settings

    with pytest.raises(ConfigError, match=r"PEDNS_INDEX_TABLE_ENDPOINT: must be an https:// URL") as info:
        Settings.from_env({"PEDNS_INDEX_TABLE_ENDPOINT": "http://acct.table.core.windows.net"})
    assert 1 == len(str(info.value).splitlines())
