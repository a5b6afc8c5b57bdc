"""The plan's rules one by one (shared/core/plan/): each named scenario calls the rule itself with
the current record sets and the desire, and says what it expects. `decide` composing them is tested
in test_plan.py and test_dual_stack_pure.py."""

from __future__ import annotations

import ast
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builders import pe_id
from shared.core import ownership
from shared.core.model import DesiredRecord, NameState, RecordKey, RecordSet, sort_ips
from shared.core.ownership import Claim
from shared.core.plan import Decision, Policy, Write, decide, holder_to_verify
from shared.core.plan.claims import merged_claims, updated_claims
from shared.core.plan.holders import choose_holder, holder_ips, holder_of, is_handover, rank, served_by
from shared.core.plan.managed import adoptable, managed_sets
from shared.core.plan.policy import apply_policy, upsert_only
from shared.core.plan.rules import await_holder, foreign_name, free_name, release, serve, withdraw, write_type

KEY = RecordKey("privatelink.blob.core.windows.net", "acct")
FQDN = "acct.blob.core.windows.net"
A, B, C = pe_id("pe-a"), pe_id("pe-b"), pe_id("pe-c")
POLICY = Policy()
ADOPT = Policy(adopt_zones=frozenset({KEY.zone}))


def want(endpoint, *ips: str) -> DesiredRecord:
    return DesiredRecord(KEY, FQDN, sort_ips(ips), endpoint)


def claim(endpoint, since: int, location: str = "westeurope", vnet_hash: str = "") -> Claim:
    return Claim(endpoint, since, location, vnet_hash)


def ours(rtype, ips, holder, *claims: Claim, extra: dict | None = None, owner: str = "pedns") -> RecordSet:
    metadata = ownership.stamp(owner, holder, {c.endpoint_id: c for c in claims}, keep=extra)
    return RecordSet(KEY, tuple(ips), 10, f"e-{rtype}", metadata, type=rtype)


def hand_made(rtype, *ips: str, ttl: int = 300) -> RecordSet:
    return RecordSet(KEY, ips, ttl, f"t-{rtype}", {"createdBy": "hand"}, type=rtype)


def adopted(rtype, ips, holder, *claims: Claim, note: str) -> RecordSet:
    return ours(rtype, ips, holder, *claims, extra={"createdBy": "hand", ownership.ADOPTED_KEY: note})


def sets(*records: RecordSet, desire: DesiredRecord | None = None, policy: Policy = POLICY):
    return managed_sets(KEY, NameState(KEY, records), desire, policy)


def shape(d: Decision) -> list[tuple[str, str, tuple[str, ...] | None]]:
    return [(w.type, w.action, w.record.ips if w.record else None) for w in d.writes]


# -- a free name (rules.free_name) ---------------------------------------------------------------


def test_free_name_is_created_for_the_first_claim_one_set_per_type_with_one_stamp():
    d = free_name(KEY, A, want(A, "10.0.0.4", "fd00::4"), claim(A, 7), POLICY)

    assert ("held", A, ("10.0.0.4", "fd00::4")) == (d.outcome, d.holder, d.ips)
    assert [("A", "create", ("10.0.0.4",)), ("AAAA", "create", ("fd00::4",))] == shape(d)
    assert d.written("A").metadata == d.written("AAAA").metadata
    assert {A: claim(A, 7)} == ownership.claims(d.written("A"))


def test_free_name_withdrawn_from_is_absent_and_writes_nothing():
    assert Decision(KEY, "absent") == free_name(KEY, A, None, None, POLICY)


# -- a foreign or adoptable name (rules.foreign_name, managed.adoptable) -------------------------


@pytest.mark.parametrize("record", [
    pytest.param(hand_made("A", "10.9.9.9"), id="unstamped"),
    pytest.param(ours("A", ["10.9.9.9"], B, claim(B, 1), owner="other-team"), id="other-owner-id"),
    pytest.param(RecordSet(KEY, ("10.9.9.9",), 10, "e", {}, auto_registered=True), id="auto-registered"),
])
def test_foreign_name_is_reported_foreign_and_left_alone(record):
    current = sets(record, desire=want(A, "10.0.0.4"))

    d = foreign_name(KEY, A, want(A, "10.0.0.4"), current, {})

    assert Decision(KEY, "foreign", foreign=(record,)) == d
    assert Decision(KEY, "absent", foreign=(record,)) == foreign_name(KEY, A, None, sets(record), {})


def test_foreign_name_gets_no_new_claim_beside_our_own_set():
    theirs, mine = hand_made("AAAA", "fd00::9"), ours("A", ["10.0.0.9"], B, claim(B, 1))
    current = sets(mine, theirs, desire=want(A, "10.0.0.4"))

    d = foreign_name(KEY, A, want(A, "10.0.0.4"), current, merged_claims(current.ours))

    assert ("foreign", (theirs,)) == (d.outcome, d.foreign)


@pytest.mark.parametrize("desire", [pytest.param(want(B, "10.0.0.9"), id="keeps-up"),
                                    pytest.param(None, id="lets-go")])
def test_foreign_name_does_not_apply_to_claims_already_on_our_own_set(desire):
    mine, theirs = ours("A", ["10.0.0.9"], B, claim(B, 1)), hand_made("AAAA", "fd00::9")
    current = sets(mine, theirs, desire=desire)

    assert foreign_name(KEY, B, desire, current, merged_claims(current.ours)) is None
    assert (frozenset({"AAAA"}), (theirs,)) == (current.blocked, current.left_alone)


def test_foreign_name_does_not_apply_to_a_name_this_endpoint_adopts():
    theirs = hand_made("A", "10.9.9.9")
    current = sets(theirs, desire=want(A, "10.0.0.4"), policy=ADOPT)

    assert foreign_name(KEY, A, want(A, "10.0.0.4"), current, {}) is None
    assert (True, {"A": theirs}, frozenset(), ()) == (current.adopting, current.managed, current.blocked,
                                                      current.left_alone)
    assert {"createdBy": "hand", ownership.ADOPTED_KEY: "300|10.9.9.9"} == current.keep["A"]


@pytest.mark.parametrize("record, desire, policy, expected", [
    pytest.param(hand_made("A", "10.9.9.9"), want(A, "10.0.0.4"), ADOPT, True, id="unstamped-in-an-adopt-zone"),
    pytest.param(hand_made("A", "10.9.9.9"), want(A, "10.0.0.4"), POLICY, False, id="zone-not-listed"),
    pytest.param(hand_made("A", "10.9.9.9"), None, ADOPT, False, id="nobody-wants-it"),
    pytest.param(hand_made("AAAA", "fd00::9"), want(A, "10.0.0.4"), ADOPT, False, id="a-type-not-wanted"),
    pytest.param(ours("A", ["10.9.9.9"], B, claim(B, 1), owner="other-team"), want(A, "10.0.0.4"), ADOPT, False,
                 id="another-deployments"),
    pytest.param(RecordSet(KEY, ("10.9.9.9",), 10, "e", {}, auto_registered=True), want(A, "10.0.0.4"), ADOPT,
                 False, id="auto-registered"),
    pytest.param(hand_made("A", *(f"10.1.{i}.{j}" for i in range(3) for j in range(12))), want(A, "10.0.0.4"),
                 ADOPT, False, id="too-large-to-remember"),
])
def test_adoptable(record, desire, policy, expected):
    assert expected == adoptable(KEY, (record,), desire, policy)


# -- the claims (claims.py) ----------------------------------------------------------------------


def test_merged_claims_keep_the_oldest_of_each_endpoints():
    a = ours("A", ["10.0.0.4"], A, claim(A, 5), claim(B, 2))
    aaaa = ours("AAAA", ["fd00::4"], A, claim(A, 3))

    assert {A: claim(A, 3), B: claim(B, 2)} == merged_claims((a, aaaa))


def test_updated_claims_keep_the_endpoints_age_withdraw_it_and_drop_the_gone():
    claims = {A: claim(A, 1), B: claim(B, 2), C: claim(C, 3)}

    kept, dropped = updated_claims(claims, B, claim(B, 99), {C: None, A: want(A, "10.0.0.4")})
    withdrawn, _ = updated_claims(claims, B, None, {})

    assert ({A: claim(A, 1), B: claim(B, 2)}, (C,)) == (kept, dropped)
    assert {A: claim(A, 1), C: claim(C, 3)} == withdrawn
    assert 3 == len(claims)  # the caller's claims stay as they were


# -- a release (rules.release, rules.withdraw) ---------------------------------------------------


def test_release_deletes_our_sets_when_the_last_claim_leaves():
    current = sets(ours("A", ["10.0.0.4"], A, claim(A, 1)), ours("AAAA", ["fd00::4"], A, claim(A, 1)))

    d = release(KEY, None, current, ())

    assert ("released", None, ()) == (d.outcome, d.holder, d.ips)
    assert [("A", "delete", None), ("AAAA", "delete", None)] == shape(d)
    assert [("e-A", ("10.0.0.4",)), ("e-AAAA", ("fd00::4",))] == [(w.etag, w.before) for w in d.writes]


def test_release_gives_an_adopted_record_back_what_it_held():
    record = adopted("A", ["10.0.0.4"], A, claim(A, 1), note="3600|10.9.9.9")

    d = release(KEY, None, sets(record), ())

    assert ("released", True, ("10.9.9.9",)) == (d.outcome, d.restored, d.ips)
    assert RecordSet(KEY, ("10.9.9.9",), 3600, "e-A", {"createdBy": "hand"}) == d.written()


def test_release_when_the_last_claimant_is_found_gone_is_absent_for_the_endpoint_that_wants_it():
    # (decide never gets here with a desire: the endpoint's own claim remains; the rule still says what it means)
    d = release(KEY, want(A, "10.0.0.4"), sets(ours("A", ["10.0.0.4"], B, claim(B, 1))), (B,))

    assert ("absent", (B,)) == (d.outcome, d.dropped)


def test_withdraw_deletes_a_set_or_restores_an_adopted_one():
    assert Write("A", "delete", None, "e-A", ("10.0.0.4",)) == withdraw(KEY, "A", ours("A", ["10.0.0.4"], A))
    restored = withdraw(KEY, "AAAA", adopted("AAAA", ["fd00::4"], A, note="60|fd00::9"))
    assert ("update", ("fd00::9",), 60) == (restored.action, restored.record.ips, restored.record.ttl)


# -- serving a holder and its standbys (rules.serve, rules.write_type, rules.await_holder) -------


def test_serve_the_endpoint_that_holds_with_its_own_addresses():
    current = sets(ours("A", ["10.0.0.4"], A, claim(A, 1)))
    claims = {A: claim(A, 1)}

    d = serve(KEY, A, want(A, "10.0.0.5", "fd00::5"), current, claims, A, ("10.0.0.5", "fd00::5"),
              old_holder=A, dropped=(), policy=POLICY)

    assert ("held", A, False) == (d.outcome, d.holder, d.handover)
    assert [("A", "update", ("10.0.0.5",)), ("AAAA", "create", ("fd00::5",))] == shape(d)


def test_serve_a_standby_stamps_its_claim_and_keeps_the_holders_addresses():
    current = sets(ours("A", ["10.0.0.4"], A, claim(A, 1)))
    claims = {A: claim(A, 1), B: claim(B, 2)}

    d = serve(KEY, B, want(B, "10.1.0.4"), current, claims, A, ("10.0.0.4",), old_holder=A, dropped=(),
              policy=POLICY)

    assert ("standby", A, ("10.0.0.4",)) == (d.outcome, d.holder, d.ips)
    assert {A, B} == set(ownership.claims(d.written())) and A == ownership.holder(d.written())


def test_serve_a_hand_over_withdraws_the_type_the_new_holder_has_no_address_of():
    claims = (claim(A, 1), claim(B, 2))
    current = sets(ours("A", ["10.0.0.4"], A, *claims), ours("AAAA", ["fd00::4"], A, *claims))

    d = serve(KEY, A, None, current, {B: claim(B, 2)}, B, ("10.1.0.4",), old_holder=A, dropped=(), policy=POLICY)

    assert ("released", B, True) == (d.outcome, d.holder, d.handover)
    assert [("A", "update", ("10.1.0.4",)), ("AAAA", "delete", None)] == shape(d)


def test_serve_writes_no_type_beside_a_foreign_set():
    current = sets(ours("A", ["10.0.0.9"], B, claim(B, 1)), hand_made("AAAA", "fd00::9"), desire=want(B, "10.0.0.9"))

    d = serve(KEY, B, want(B, "10.0.0.9", "fd00::4"), current, {B: claim(B, 1)}, B, ("10.0.0.9", "fd00::4"),
              old_holder=B, dropped=(), policy=POLICY)

    assert ([], ("10.0.0.9",), (hand_made("AAAA", "fd00::9"),)) == (shape(d), d.ips, d.foreign)


def test_write_type_is_none_when_the_set_already_says_it_all():
    current = sets(ours("A", ["10.0.0.4"], A, claim(A, 1)))

    assert write_type(KEY, "A", ("10.0.0.4",), A, current, {A: claim(A, 1)}, POLICY) is None
    assert "update" == write_type(KEY, "A", ("10.0.0.4",), A, current, {A: claim(A, 1)}, Policy(ttl=300)).action


def test_write_type_leaves_a_set_it_would_adopt_but_not_serve():
    theirs = hand_made("AAAA", "fd00::9")
    current = sets(theirs, desire=want(A, "10.0.0.4", "fd00::4"), policy=ADOPT)

    assert current.adopting and write_type(KEY, "AAAA", (), A, current, {A: claim(A, 1)}, ADOPT) is None


def test_await_holder_writes_nothing_and_asks_for_the_new_holders_desire():
    current = sets(ours("A", ["10.0.0.4"], A, claim(A, 1), claim(B, 2)))

    assert Decision(KEY, "released", needs=B) == await_holder(KEY, None, B, current)
    assert Decision(KEY, "standby", needs=B) == await_holder(KEY, want(C, "10.2.0.4"), B, current)


# -- who holds a shared name (holders.py) --------------------------------------------------------

PREFER_WEST = Policy(prefer_regions=frozenset({"westeurope"}))


def test_rank_puts_preferred_first_then_the_oldest_then_the_endpoint_id():
    oldest, west_b, west_a, newest = claim(A, 0, "eastus"), claim(B, 5, "westeurope"), claim(A, 5, "WestEurope"), \
        claim(C, 9, "eastus", "beef")
    claims = [newest, west_b, oldest, west_a]

    assert [west_a, west_b, oldest, newest] == sorted(claims, key=lambda c: rank(c, PREFER_WEST))
    assert [oldest, west_a, west_b, newest] == sorted(claims, key=lambda c: rank(c, POLICY))
    assert newest == min(claims, key=lambda c: rank(c, Policy(prefer_vnet_hashes=frozenset({"beef"}))))


@pytest.mark.parametrize("old, claims, policy, expected", [
    pytest.param(A, [claim(A, 9), claim(B, 1)], POLICY, A, id="the-holder-keeps-it"),
    pytest.param(A, [claim(A, 1, "eastus"), claim(B, 9)], PREFER_WEST, B, id="preferred-displaces-not-preferred"),
    pytest.param(A, [claim(A, 9), claim(B, 1)], PREFER_WEST, A, id="preferred-holder-stays"),
    pytest.param(A, [claim(B, 3), claim(C, 2)], POLICY, C, id="holder-gone-oldest-next"),
    pytest.param(None, [claim(C, 2), claim(B, 2)], POLICY, B, id="tie-endpoint-id"),
])
def test_choose_holder(old, claims, policy, expected):
    assert expected == choose_holder(old, {c.endpoint_id: c for c in claims}, policy)


def test_holder_of_sets_that_disagree_is_the_one_a_fail_over_would_pick():
    claims = {A: claim(A, 1), B: claim(B, 5)}
    disagreeing = (ours("A", ["10.0.0.9"], B, claim(B, 5)), ours("AAAA", ["fd00::4"], A, claim(A, 1)))

    assert A == holder_of(disagreeing, claims, POLICY)
    assert B == holder_of(disagreeing, {}, POLICY)  # none has a claim: the first named
    assert B == holder_of(disagreeing[:1], claims, POLICY) and holder_of((), claims, POLICY) is None


def test_served_by_counts_only_the_sets_of_that_holder():
    managed = {"A": ours("A", ["10.0.0.9"], B), "AAAA": ours("AAAA", ["fd00::4"], A)}

    assert (("fd00::4",), ("10.0.0.9",)) == (served_by(managed, A), served_by(managed, B))


@pytest.mark.parametrize("new, old, endpoint, candidates, expected", [
    pytest.param(A, A, A, {}, ("10.0.0.4",), id="own-addresses"),
    pytest.param(B, B, A, {}, ("10.9.9.9",), id="the-holder-stays"),
    pytest.param(B, A, A, {B: want(B, "10.1.0.4")}, ("10.1.0.4",), id="hand-over-to-a-known-desire"),
    pytest.param(B, A, A, {}, None, id="hand-over-desire-unknown"),
    pytest.param(B, A, A, {B: None}, None, id="hand-over-to-one-gone"),
])
def test_holder_ips(new, old, endpoint, candidates, expected):
    assert expected == holder_ips(new, old, endpoint, want(endpoint, "10.0.0.4"), ("10.9.9.9",), candidates)


def test_is_handover():
    assert (False, False, True) == (is_handover(None, A), is_handover(A, A), is_handover(A, B))


# -- never stand by for a holder that is gone (holders.holder_to_verify) -------------------------


@pytest.mark.parametrize("decision, candidates, expected", [
    pytest.param(Decision(KEY, "standby", holder=A), {}, A, id="standby-for-an-unread-holder"),
    pytest.param(Decision(KEY, "standby", holder=A), {A: want(A, "10.0.0.4")}, None, id="holder-already-read"),
    pytest.param(Decision(KEY, "standby", holder=A), {A: None}, None, id="holder-already-dropped"),
    pytest.param(Decision(KEY, "standby"), {}, None, id="no-holder-named"),
    pytest.param(Decision(KEY, "standby", needs=B), {}, None, id="needs-a-desire-first"),
    pytest.param(Decision(KEY, "held", holder=A), {}, None, id="held"),
    pytest.param(Decision(KEY, "released", holder=A), {}, None, id="released"),
    pytest.param(Decision(KEY, "foreign"), {}, None, id="foreign"),
])
def test_holder_to_verify(decision, candidates, expected):
    assert expected == holder_to_verify(decision, candidates)


def test_a_holder_found_gone_is_dropped_and_the_standby_takes_over():
    """The caller's loop: check the holder named, mark it gone, decide again."""
    current = NameState(KEY, (ours("A", ["10.0.0.4"], A, claim(A, 1)),))
    candidates: dict = {}

    first = decide(KEY, current, B, want(B, "10.1.0.4"), policy=POLICY, now=5, candidates=candidates)
    gone = holder_to_verify(first, candidates)
    candidates[gone] = None
    second = decide(KEY, current, B, want(B, "10.1.0.4"), policy=POLICY, now=5, candidates=candidates)

    assert ("standby", A) == (first.outcome, gone)
    assert ("held", (A,), ("10.1.0.4",)) == (second.outcome, second.dropped, second.ips)
    assert holder_to_verify(second, candidates) is None


# -- upsert-only, a filter applied afterwards (policy.py) ----------------------------------------


def test_upsert_only_drops_the_deletes_and_keeps_the_rest_of_the_decision():
    claims = (claim(A, 1),)
    current = sets(ours("A", ["10.0.0.4"], A, *claims), adopted("AAAA", ["fd00::4"], A, *claims, note="60|fd00::9"))
    decided = release(KEY, None, current, ())

    kept = upsert_only(decided)

    assert [("A", "delete", None), ("AAAA", "update", ("fd00::9",))] == shape(decided)
    assert [("AAAA", "update", ("fd00::9",))] == shape(kept)
    assert (decided.outcome, decided.ips, decided.restored) == (kept.outcome, kept.ips, kept.restored)


def test_apply_policy_filters_only_with_upsert_only():
    decided = release(KEY, None, sets(ours("A", ["10.0.0.4"], A, claim(A, 1))), ())

    assert decided is apply_policy(decided, POLICY)
    assert Decision(KEY, "released") == apply_policy(decided, Policy(upsert_only=True))


ips = st.lists(st.sampled_from(["10.0.0.4", "10.0.0.5", "fd00::4"]), max_size=2).map(tuple)
records = st.builds(RecordSet, st.just(KEY), ips, st.sampled_from([10, 300]), st.sampled_from(["e", None]),
                    st.just({}), st.just(False), st.sampled_from(["A", "AAAA"]))
writes = st.builds(Write, st.sampled_from(["A", "AAAA"]), st.sampled_from(["create", "update", "delete"]),
                   st.one_of(st.none(), records), st.sampled_from(["e", None]), ips)
decisions = st.builds(Decision, st.just(KEY), st.sampled_from(["held", "standby", "foreign", "released", "absent"]),
                      st.lists(writes, max_size=3).map(tuple), ips, st.sampled_from([None, A, B]),
                      st.sampled_from([None, B]), st.booleans(), st.booleans())


@given(decisions)
def test_upsert_only_never_leaves_a_delete_and_never_changes_another_write(decision):
    kept = upsert_only(decision)

    assert all(w.action != "delete" for w in kept.writes)
    assert [w for w in decision.writes if w.action != "delete"] == list(kept.writes)
    assert decision == replace(kept, writes=decision.writes)


# -- the plan's modules stay pure ----------------------------------------------------------------

PLAN = Path(__file__).resolve().parents[2] / "shared" / "core" / "plan"


@pytest.mark.parametrize("path", sorted(PLAN.glob("*.py")), ids=lambda p: p.name)
def test_the_plan_imports_only_the_core_the_errors_and_the_standard_library(path):
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # . the package, .. the core, ... shared
            base = "shared.core.plan".rsplit(".", node.level - 1)[0]
            found.update([f"{base}.{node.module}"] if node.module else [f"{base}.{a.name}" for a in node.names])
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module or "")

    assert set() == {m for m in found if not m.startswith(("shared.core.", "shared.errors"))
                     and m.split(".")[0] not in sys.stdlib_module_names}
