"""Which subscriptions pedns serves: listed ones and those under management groups (cached, refreshed),
and what happens to an event from outside: refused, with a warning naming it and a count."""

from __future__ import annotations

import logging

import pytest

from builders import SPOKE, SPOKE2, SuffixResolver, endpoint
from shared.errors import InvalidInput, PednsError, TransientError
from shared.parsing.events import parse_event
from shared.usecases.scope import EARLY_REFRESH_SECONDS, SourceScope
from shared.service import Service
from shared.errors import OutOfScope
from shared.testing import InMemoryEndpointReader, InMemoryMetrics, InMemoryZoneStore

THIRD = "33333333-3333-3333-3333-333333333333"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def estate() -> InMemoryEndpointReader:
    reader = InMemoryEndpointReader()
    reader.groups = {"mg-root": {"mg-child"}, "mg-child": {SPOKE}}
    return reader


def test_subscriptions_under_a_management_group_at_any_depth_are_in_scope(estate):
    scope = SourceScope(management_groups=("mg-root",), resolve=estate.subscriptions)

    assert (True, False) == (scope.contains(SPOKE), scope.contains(SPOKE2))


def test_a_subscription_added_under_the_group_later_is_accepted_after_one_early_refresh(estate):
    clock = Clock()
    scope = SourceScope(management_groups=("mg-root",), resolve=estate.subscriptions, clock=clock)
    assert not scope.contains(SPOKE2)

    estate.groups["mg-child"].add(SPOKE2)
    clock.now += EARLY_REFRESH_SECONDS - 1
    refused_within_a_minute = scope.contains(SPOKE2)
    clock.now += 1

    assert (False, True) == (refused_within_a_minute, scope.contains(SPOKE2))


def test_known_members_are_answered_from_the_cache(estate):
    clock = Clock()
    scope = SourceScope(management_groups=("mg-root",), resolve=estate.subscriptions, clock=clock,
                        refresh_seconds=300)
    for _ in range(50):
        scope.contains(SPOKE)
    clock.now += 299
    scope.contains(SPOKE)
    queries_before_expiry = estate.listings.count("subscriptions")
    clock.now += 1
    scope.contains(SPOKE)

    assert (1, 2) == (queries_before_expiry, estate.listings.count("subscriptions"))


def test_a_failing_refresh_keeps_the_cached_scope_and_without_one_is_transient(estate):
    clock = Clock()
    calls = {"n": 0}

    def flaky(groups):
        calls["n"] += 1
        if calls["n"] > 1:
            raise PednsError("Resource Graph: HTTP 503")
        return estate.subscriptions(groups)

    scope = SourceScope(management_groups=("mg-root",), resolve=flaky, clock=clock)
    assert scope.contains(SPOKE)
    clock.now += 1000
    assert scope.contains(SPOKE)  # the old answer, not a refusal

    def down(groups):
        raise PednsError("Resource Graph: HTTP 503")

    with pytest.raises(TransientError, match="mg-root"):
        SourceScope(management_groups=("mg-root",), resolve=down).contains(SPOKE)


def test_nothing_configured_accepts_every_subscription():
    scope = SourceScope()

    assert (True, True) == (scope.everything, scope.contains(THIRD))


def test_management_groups_without_a_resolver_is_a_wiring_error():
    with pytest.raises(ValueError, match="resolver"):
        SourceScope(management_groups=("mg",))


def _event(sub: str) -> dict:
    from tools.lab import Lab

    lab = Lab.__new__(Lab)  # only its event builder: no clients
    lab.spoke = sub
    pe = endpoint("a", sub=sub)
    return lab.event(pe.id.value)


def test_an_event_from_outside_the_scope_is_refused_with_a_warning_and_a_count(estate, caplog):
    metrics = InMemoryMetrics()
    store = InMemoryZoneStore(["privatelink.blob.core.windows.net"])
    estate.put(endpoint("a", sub=THIRD))
    service = Service(reader=estate, store=store, resolver=SuffixResolver(), metrics=metrics,
                      scope=SourceScope([SPOKE2], ("mg-root",), resolve=estate.subscriptions))
    event = parse_event(_event(THIRD))

    with caplog.at_level(logging.WARNING, logger="pedns.service"), pytest.raises(OutOfScope) as refused:
        service.handle_event(event)

    assert isinstance(refused.value, InvalidInput)
    assert ([], 1) == (store.records(), metrics.total("events_refused_scope"))
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert THIRD in warning.getMessage() and "PEDNS_SOURCE_MANAGEMENT_GROUPS" in warning.getMessage()


def test_an_event_from_a_subscription_under_the_group_is_handled(estate):
    store = InMemoryZoneStore(["privatelink.blob.core.windows.net"])
    estate.put(endpoint("a", sub=SPOKE))
    service = Service(reader=estate, store=store, resolver=SuffixResolver(),
                      scope=SourceScope((), ("mg-root",), resolve=estate.subscriptions))

    [result] = service.handle_event(parse_event(_event(SPOKE)))

    assert ("converged", 1) == (result.status, len(store.records()))
