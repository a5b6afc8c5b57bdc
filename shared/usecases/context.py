"""What every use case works with: the ports, the options, the clock, the metrics and the scope.

One `Context` per app (the wiring builds it; `shared.service.Service` is one), shared by every
door. It holds no per-call state: a convergence keeps that in its own `Run`
(`shared/usecases/converge.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ..core.desired import DesirePolicy, desire
from ..core.model import Desired, NameState, PrivateEndpoint, RecordKey, RecordSet
from ..core.plan import Policy
from ..core.ports import (ClaimIndex, EndpointReader, EstateReader, Metrics, NoIndex, Resolver, Unlimited,
                          WriteCapacity, ZoneStore)
from ..core.snapshot import Snapshot
from .scope import SourceScope


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    policy: Policy = Policy()
    desire: DesirePolicy = DesirePolicy()
    create_zones: bool = False
    hub_vnet_ids: tuple[str, ...] = ()
    source_subscriptions: frozenset[str] = frozenset()  # when no SourceScope is given
    tenant_id: str = ""
    not_ready_give_up_seconds: int = 3600
    dry_run: bool = False  # PEDNS_MODE=dry-run: every door only reports what it would do


class Context:
    def __init__(
        self,
        *,
        reader: EndpointReader,
        store: ZoneStore,
        resolver: Resolver,
        index: ClaimIndex | None = None,
        options: ServiceOptions = ServiceOptions(),
        clock: Callable[[], float] = time.time,
        estate: EstateReader | None = None,
        scope: SourceScope | None = None,
        metrics: Metrics,
        capacity: WriteCapacity | None = None,
    ) -> None:
        self.reader = reader
        self.store = store
        self.resolver = resolver
        self.index: ClaimIndex = index or NoIndex()
        self.options = options
        self.clock = clock
        # The in-memory reader of shared.testing is an estate reader too.
        self.estate: EstateReader = estate if estate is not None else reader  # type: ignore[assignment]
        self.scope = scope or SourceScope(options.source_subscriptions)
        self.metrics: Metrics = metrics
        self.capacity: WriteCapacity = capacity or Unlimited()  # the zones' room for writes (the reconcile's lanes)

    def desire_of(self, pe: PrivateEndpoint) -> Desired:
        """The records `pe` needs, as the catalogue and the desire policy say (pure)."""
        return desire(pe, self.resolver, self.options.desire)

    def snapshot(self) -> Snapshot:
        """List every A and AAAA record set of every hub zone (their claims are the claim index's truth)."""
        zones = self.store.list_zones()
        sets: dict[RecordKey, list[RecordSet]] = {}
        for zone in zones:
            for record in self.store.list(zone):
                sets.setdefault(record.key, []).append(record)
        return Snapshot(set(zones), {key: NameState(key, tuple(found)) for key, found in sets.items()})
