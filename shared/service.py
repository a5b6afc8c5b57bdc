"""`Service`: the use cases (shared/usecases) behind one object, for the doors and the tests.

A thin facade: it holds the ports and options (it is the use cases' `Context`) and each method
hands over to one use case, named for the reason to converge. The rules live in the use cases and
the core; nothing is decided here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from .core.model import ResourceId
from .core.ports import ClaimIndex, EndpointReader, EstateReader, Metrics, Resolver, WriteCapacity, ZoneStore
from .core.results import EndpointResult
from .core.snapshot import Snapshot
from .observers.metrics import LogMetrics
from .parsing.events import ResourceEvent
from .usecases import admission, approval
from .usecases import converge as converging
from .usecases import handle_event as handling
from .usecases import replay as replaying
from .usecases.context import Context, ServiceOptions
from .usecases.scope import SourceScope

__all__ = ["Service", "ServiceOptions"]


class Service(Context):
    """The ports and options every use case needs, with a method per door. `metrics` defaults to
    `LogMetrics` (a log line per count)."""

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
        metrics: Metrics | None = None,
        capacity: WriteCapacity | None = None,
    ) -> None:
        super().__init__(reader=reader, store=store, resolver=resolver, index=index, options=options, clock=clock,
                         estate=estate, scope=scope, metrics=metrics or LogMetrics(), capacity=capacity)

    def handle_event(self, event: ResourceEvent, *, dry_run: bool = False) -> list[EndpointResult]:
        return handling.handle_event(self, event, dry_run=dry_run)

    def converge(self, endpoint_id: ResourceId, *, dry_run: bool = False,
                 snapshot: Snapshot | None = None) -> EndpointResult:
        return converging.converge(self, endpoint_id, dry_run=dry_run, snapshot=snapshot)

    def release(self, endpoint_id: ResourceId, *, dry_run: bool = False) -> EndpointResult:
        return converging.release(self, endpoint_id, dry_run=dry_run)

    def converge_safely(self, endpoint_id: ResourceId, *, dry_run: bool = False) -> EndpointResult:
        """`converge`, with a failure reported as this endpoint's result instead of raised."""
        return converging.safely(self, endpoint_id, lambda: self.converge(endpoint_id, dry_run=dry_run),
                                 dry_run=dry_run)

    def converge_target(self, target_id: ResourceId, *, dry_run: bool = False) -> list[EndpointResult]:
        return approval.converge_target(self, target_id, dry_run=dry_run)

    def replay(self, endpoint_ids: Iterable[ResourceId], *, dry_run: bool = False, release: bool = False,
               progress: Callable[[EndpointResult], None] | None = None) -> list[EndpointResult]:
        return replaying.replay(self, endpoint_ids, dry_run=dry_run, release_claims=release, progress=progress)

    def source_refusal(self, subscription_id: str, tenant_id: str = "") -> tuple[str, str] | None:
        return admission.source_refusal(self, subscription_id, tenant_id)

    def check_source(self, subscription_id: str, tenant_id: str = "", *, what: str) -> None:
        admission.check_source(self, subscription_id, tenant_id, what=what)
