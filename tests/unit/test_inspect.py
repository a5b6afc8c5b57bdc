"""`shared.usecases.inspect`: what `pedns explain` and `pedns records` show, over the in-memory hub."""

from __future__ import annotations

from builders import SuffixResolver, endpoint, pe_id
from shared.core.desired import DesirePolicy
from shared.core.model import RecordKey, RecordSet, Scope, Unreadable
from shared.usecases.inspect import (current_records, explain_desire, explain_endpoint, foreign_wanted,
                                     foreign_wanted_by, shown_records)
from worlds import BLOB, MemoryWorld as World

OWNER = "pedns"  # Policy()'s default owner id


def test_an_endpoint_still_being_provisioned_is_explained_as_not_ready_with_no_records():
    pe = endpoint("a", state="Updating", configs={})

    doc = explain_desire(pe, SuffixResolver(), DesirePolicy(), source="a.json")

    assert ("not-ready", [], "a.json") == (doc["status"], doc["records"], doc["source"])


def test_an_endpoint_file_is_explained_with_the_records_it_needs():
    doc = explain_desire(endpoint("a"), SuffixResolver(), DesirePolicy(), source="a.json")

    assert [{"zone": BLOB, "name": "aacct", "type": "A", "fqdn": "aacct.blob.core.windows.net", "ips": ["10.0.1.4"]}] \
        == doc["records"]


def test_a_live_explanation_shows_the_holder_and_claimants_of_each_name_it_touches():
    w = World()
    a = endpoint("a", {"shared.blob.core.windows.net": ["10.0.1.4"]})
    b = endpoint("b", {"shared.blob.core.windows.net": ["10.0.1.5"]})
    w.create(a)
    w.create(b)

    doc = explain_endpoint(w.service, b.id)

    [current] = doc["current"]
    assert (str(a.id), sorted([str(a.id), str(b.id)]), ["10.0.1.4"]) \
        == (current["holder"], current["claims"], current["ips"])


def test_a_live_explanation_of_an_endpoint_not_ready_says_so():
    w = World()
    w.put(endpoint("a", state="Updating", configs={}))

    doc = explain_endpoint(w.service, pe_id("a"))

    assert ("not-ready", [], []) == (doc["status"], doc["records"], doc["skipped"])


def test_a_free_name_is_current_as_not_existing():
    assert [{"zone": BLOB, "name": "free", "exists": False}] == current_records(World().store, [RecordKey(BLOB, "free")])


def _foreign_world():
    """`a` published; `b` wants a name someone else wrote by hand; `c` cannot be read."""
    w = World()
    a, b = endpoint("a"), endpoint("b")
    w.create(a)
    w.put(b)
    w.seed(RecordSet(RecordKey(BLOB, "bacct"), ("192.168.7.7",), 3600, None, {"team": "dba"}))
    w.reader.unreadable.append(Unreadable(pe_id("c"), "properties.privateLinkServiceConnections: Input should be a valid list"))
    return w, a, b


def test_the_foreign_names_endpoints_want_are_found_from_the_listing_alone():
    w, _, b = _foreign_world()
    reads = w.endpoint_reads()

    wanted = foreign_wanted_by(w.reader.endpoints(Scope()), w.service.desire_of, w.service.snapshot(), OWNER)

    assert ({RecordKey(BLOB, "bacct"): {str(b.id)}}, reads) == (wanted, w.endpoint_reads())


def test_the_records_shown_are_ours_and_the_foreign_ones_wanted():
    w, _, b = _foreign_world()
    snapshot = w.service.snapshot()

    everything = [r.key.name for r in shown_records(snapshot, owner_id=OWNER)]
    wanted = [r.key.name for r in shown_records(snapshot, owner_id=OWNER,
                                                wanted_foreign=foreign_wanted(w.service, b.id, snapshot))]
    only_b = [r.key.name for r in shown_records(snapshot, owner_id=OWNER, endpoint_id=b.id,
                                                wanted_foreign={RecordKey(BLOB, "bacct")})]
    other_zone = list(shown_records(snapshot, owner_id=OWNER, zone="privatelink.documents.azure.com"))

    assert (["aacct"], ["aacct", "bacct"], ["bacct"], []) == (everything, wanted, only_b, other_zone)
