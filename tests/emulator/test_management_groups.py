"""Management groups over HTTPS: the group tree, subscriptions in groups, descendants, persistence."""

from __future__ import annotations

import json

import pytest
from emu_helpers import AUTH, MG_API, MG_PREFIX, mg_path, raw, seed_endpoint, send

from emulator import EMULATOR_TENANT_ID, Emulator

SUB_A = "00000000-0000-4000-8000-00000000000a"
SUB_B = "00000000-0000-4000-8000-00000000000b"
ROOT_REF = {"id": MG_PREFIX + EMULATOR_TENANT_ID, "name": EMULATOR_TENANT_ID, "displayName": "Tenant Root Group"}


def _put_group(arm, name: str, parent: str | None = None, display: str | None = None):
    props: dict = {}
    if display is not None:
        props["displayName"] = display
    if parent is not None:
        props["details"] = {"parent": {"id": MG_PREFIX + parent}}
    return send(arm, "PUT", mg_path(name), {"properties": props})


def _parent_of(group_body) -> str:
    return group_body["properties"]["details"]["parent"]["name"]


# ---------------------------------------------------------------- groups

def test_put_without_parent_creates_under_the_tenant_root_group(emu, arm):
    status, body = _put_group(arm, "Corp", display="Contoso corp")

    assert 200 == status
    assert {"id": MG_PREFIX + "Corp", "type": "Microsoft.Management/managementGroups", "name": "Corp"} == {
        k: body[k] for k in ("id", "type", "name")}
    assert (EMULATOR_TENANT_ID, "Contoso corp", ROOT_REF) == (
        body["properties"]["tenantId"], body["properties"]["displayName"], body["properties"]["details"]["parent"])


def test_put_under_a_parent_answers_the_parents_id_name_and_display_name(emu, arm):
    _put_group(arm, "corp", display="Contoso")

    _, body = _put_group(arm, "corp-eu", parent="CORP")

    assert ({"id": MG_PREFIX + "corp", "name": "corp", "displayName": "Contoso"}, "corp-eu") == (
        body["properties"]["details"]["parent"], body["properties"]["displayName"])


def test_get_answers_what_put_stored_and_404_when_missing(emu, arm):
    _, stored = _put_group(arm, "corp")

    assert ((200, stored), 404) == (send(arm, "GET", mg_path("corp")), send(arm, "GET", mg_path("ghost"))[0])


def test_the_tenant_root_group_always_exists(emu, arm):
    status, body = send(arm, "GET", mg_path(EMULATOR_TENANT_ID))

    assert (200, "Tenant Root Group", None) == (status, body["properties"]["displayName"], body["properties"]["details"]["parent"])


def test_a_missing_parent_is_bad_request(emu, arm):
    status, body = _put_group(arm, "corp-eu", parent="corp")

    assert (400, "ParentManagementGroupNotFound", 404) == (
        status, body["error"]["code"], send(arm, "GET", mg_path("corp-eu"))[0])


@pytest.mark.parametrize(
    "parent_id",
    ["/subscriptions/00000000-0000-4000-8000-00000000000a", "corp", 7],
    ids=["subscription-id", "bare-name", "not-a-string"],
)
def test_a_parent_that_is_not_a_group_id_is_bad_request(emu, arm, parent_id):
    _put_group(arm, "corp")

    status, _ = send(arm, "PUT", mg_path("child"), {"properties": {"details": {"parent": {"id": parent_id}}}})

    assert 400 == status


@pytest.mark.parametrize("name", ["a" * 91, "ends-with-dot.", "has%20space", "slash%2Fin"])
def test_an_invalid_group_id_is_bad_request(emu, name):
    status, _, body = raw(emu, "PUT", mg_path(name), {}, AUTH)

    assert (400, "InvalidManagementGroupId") == (status, body["error"]["code"])


def test_put_again_updates_the_display_name_and_keeps_the_parent(emu, arm):
    _put_group(arm, "corp")
    _put_group(arm, "corp-eu", parent="corp")

    _, body = _put_group(arm, "corp-eu", display="Europe")

    assert ("Europe", "corp", 2) == (body["properties"]["displayName"], _parent_of(body), body["properties"]["details"]["version"])


def test_put_with_another_parent_moves_the_group(emu, arm):
    for name in ("corp", "lab", "team"):
        _put_group(arm, name)

    _, body = _put_group(arm, "team", parent="lab")

    assert "lab" == _parent_of(body)


def test_a_group_cannot_move_below_itself(emu, arm):
    _put_group(arm, "corp")
    _put_group(arm, "corp-eu", parent="corp")

    status, body = _put_group(arm, "corp", parent="corp-eu")

    assert (400, "InvalidManagementGroupParent") == (status, body["error"]["code"])


def test_the_parent_display_name_is_live(emu, arm):
    _put_group(arm, "corp")
    _put_group(arm, "corp-eu", parent="corp")
    _put_group(arm, "corp", display="Renamed")

    assert "Renamed" == send(arm, "GET", mg_path("corp-eu"))[1]["properties"]["details"]["parent"]["displayName"]


def test_list_answers_the_root_and_every_group(emu, arm):
    _put_group(arm, "corp")

    status, body = send(arm, "GET", MG_PREFIX.rstrip("/") + f"?api-version={MG_API}")

    assert (200, [EMULATOR_TENANT_ID, "corp"]) == (status, [g["name"] for g in body["value"]])


def test_delete_removes_an_empty_group(emu, arm):
    _put_group(arm, "corp")

    assert (204, 404, 204) == (send(arm, "DELETE", mg_path("corp"))[0], send(arm, "GET", mg_path("corp"))[0],
                               send(arm, "DELETE", mg_path("corp"))[0])


def test_delete_is_refused_while_child_groups_or_subscriptions_remain(emu, arm):
    _put_group(arm, "corp")
    _put_group(arm, "corp-eu", parent="corp")
    send(arm, "PUT", mg_path("corp-eu", "subscriptions", SUB_A))

    with_child = send(arm, "DELETE", mg_path("corp"))
    with_subscription = send(arm, "DELETE", mg_path("corp-eu"))

    assert [(400, "ManagementGroupHasChildren")] * 2 == [(s, b["error"]["code"]) for s, b in (with_child, with_subscription)]


def test_the_tenant_root_group_cannot_be_deleted_or_changed(emu, arm):
    assert (400, 400) == (send(arm, "DELETE", mg_path(EMULATOR_TENANT_ID))[0], _put_group(arm, EMULATOR_TENANT_ID)[0])


@pytest.mark.parametrize("version", ["2021-04-01", "2023-04-01"])
def test_the_documented_api_versions_are_accepted(emu, version):
    assert 200 == raw(emu, "PUT", mg_path("corp", api=version), {}, AUTH)[0]


def test_another_api_version_is_invalid_api_version_parameter(emu):
    status, _, body = raw(emu, "GET", mg_path("corp", api="2020-01-01"), headers=AUTH)

    assert (400, "InvalidApiVersionParameter") == (status, body["error"]["code"])


def test_auth_is_required_and_requests_are_logged(emu):
    no_auth = raw(emu, "GET", mg_path("corp"))[0]
    raw(emu, "PUT", mg_path("corp"), {}, AUTH)

    assert (401, [("GET", MG_PREFIX + "corp", 401), ("PUT", MG_PREFIX + "corp", 200)]) == (no_auth, emu.requests)


# ---------------------------------------------------------------- subscriptions in groups

def test_put_subscription_places_it_under_the_group(emu, arm):
    _put_group(arm, "corp")

    status, body = send(arm, "PUT", mg_path("corp", "subscriptions", SUB_A.upper()))

    assert (200, {
        "id": f"{MG_PREFIX}corp/subscriptions/{SUB_A}",
        "type": "Microsoft.Management/managementGroups/subscriptions",
        "name": SUB_A,
        "properties": {"parent": {"id": MG_PREFIX + "corp"}, "displayName": SUB_A, "state": "Active",
                       "tenant": EMULATOR_TENANT_ID},
    }) == (status, body)


def test_moving_a_subscription_removes_it_from_its_previous_group(emu, arm):
    _put_group(arm, "corp")
    _put_group(arm, "lab")
    send(arm, "PUT", mg_path("corp", "subscriptions", SUB_A))

    send(arm, "PUT", mg_path("lab", "subscriptions", SUB_A))

    assert (404, 200) == (send(arm, "GET", mg_path("corp", "subscriptions", SUB_A))[0],
                          send(arm, "GET", mg_path("lab", "subscriptions", SUB_A))[0])


def test_delete_subscription_moves_it_back_to_the_tenant_root_group(emu, arm):
    _put_group(arm, "corp")
    send(arm, "PUT", mg_path("corp", "subscriptions", SUB_A))

    status, _ = send(arm, "DELETE", mg_path("corp", "subscriptions", SUB_A))
    root_status, root_body = send(arm, "GET", mg_path(EMULATOR_TENANT_ID, "subscriptions", SUB_A))

    assert (200, 200, MG_PREFIX + EMULATOR_TENANT_ID) == (status, root_status, root_body["properties"]["parent"]["id"])


def test_a_subscription_holding_resources_sits_under_the_root_until_moved(emu, arm):
    seed_endpoint(emu, SUB_B, "pe1")

    assert 200 == send(arm, "GET", mg_path(EMULATOR_TENANT_ID, "subscriptions", SUB_B))[0]


def test_a_subscription_id_must_be_a_guid(emu, arm):
    _put_group(arm, "corp")

    status, body = send(arm, "PUT", mg_path("corp", "subscriptions", "not-a-guid"))

    assert (400, "InvalidSubscriptionId") == (status, body["error"]["code"])


def test_a_subscription_cannot_go_under_a_missing_group(emu, arm):
    assert 404 == send(arm, "PUT", mg_path("ghost", "subscriptions", SUB_A))[0]


def test_emulator_helpers_create_groups_and_move_subscriptions(emu, arm):
    emu.add_management_group("corp", display_name="Contoso")
    emu.add_management_group("corp-eu", parent="corp")
    emu.move_subscription(SUB_A, "corp-eu")

    with pytest.raises(ValueError):
        emu.add_management_group("orphan", parent="ghost")

    assert ("corp", 200, []) == (_parent_of(send(arm, "GET", mg_path("corp-eu"))[1]),
                                 send(arm, "GET", mg_path("corp-eu", "subscriptions", SUB_A))[0],
                                 [r for r in emu.requests if r[0] != "GET"])


# ---------------------------------------------------------------- descendants

@pytest.fixture
def tree(emu):
    emu.add_management_group("corp")
    emu.add_management_group("corp-eu", parent="corp")
    emu.add_management_group("corp-us", parent="corp")
    emu.move_subscription(SUB_A, "corp")
    emu.move_subscription(SUB_B, "corp-eu")
    return emu


def test_descendants_lists_groups_then_subscriptions_at_any_depth(tree, arm):
    status, body = send(arm, "GET", mg_path("corp", "descendants"))

    assert 200 == status
    assert [
        ("Microsoft.Management/managementGroups", MG_PREFIX + "corp-eu", "corp"),
        ("Microsoft.Management/managementGroups", MG_PREFIX + "corp-us", "corp"),
        ("Microsoft.Management/managementGroups/subscriptions", f"/subscriptions/{SUB_A}", "corp"),
        ("Microsoft.Management/managementGroups/subscriptions", f"/subscriptions/{SUB_B}", "corp-eu"),
    ] == [(d["type"], d["id"], d["properties"]["parent"]["id"].rsplit("/", 1)[-1]) for d in body["value"]]


def test_descendants_pages_with_next_link(tree, arm):
    names, url = [], mg_path("corp", "descendants", api=None) + f"?api-version={MG_API}&$top=3"
    while url:
        _, body = send(arm, "GET", url)
        names.append([d["name"] for d in body["value"]])
        url = body.get("nextLink")

    assert [["corp-eu", "corp-us", SUB_A], [SUB_B]] == names


def test_descendants_of_the_root_include_unplaced_subscriptions(tree, arm):
    seed_endpoint(tree, "00000000-0000-4000-8000-00000000000c", "pe1")

    body = send(arm, "GET", mg_path(EMULATOR_TENANT_ID, "descendants"))[1]

    assert ["corp", "corp-eu", "corp-us", SUB_A, SUB_B, "00000000-0000-4000-8000-00000000000c"] == [
        d["name"] for d in body["value"]]


def test_descendants_of_a_missing_group_is_404(emu, arm):
    assert 404 == send(arm, "GET", mg_path("ghost", "descendants"))[0]


# ---------------------------------------------------------------- persistence

def test_groups_and_placements_survive_a_restart(tmp_path):
    state = tmp_path / "state.json"
    with Emulator(state_file=state) as first:
        first.add_management_group("corp", display_name="Contoso")
        first.add_management_group("corp-eu", parent="corp")
        first.move_subscription(SUB_A, "corp-eu")
        before = first.apply("GET", mg_path("corp-eu", api=None))[1]

    with Emulator(state_file=state) as second:
        after = second.apply("GET", mg_path("corp-eu", api=None))[1]
        placed = second.apply("GET", mg_path("corp-eu", "subscriptions", SUB_A, api=None))[0]

    assert (before, 200) == (after, placed)
    assert {"managementGroups", "subscriptionParents"} <= set(json.loads(state.read_text()))


def test_a_state_file_without_the_new_kinds_still_loads(tmp_path):
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format": 1, "privateEndpoints": {}, "zoneGroups": {}, "zones": {}, "links": {},
                                 "recordSets": {}}))

    with Emulator(state_file=state) as emu:
        emu.add_management_group("corp")

        assert (1, {}) == (len(emu.snapshot()["managementGroups"]), emu.snapshot()["subscriptionParents"])
