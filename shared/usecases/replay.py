"""Converge (or release) endpoints an operator names: `POST /api/replay`, `pedns replay`,
`pedns release`. Every id is checked against the scope before anything changes; then each endpoint
is converged on its own, a failure being its result rather than the request's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from ..core.model import ResourceId
from ..core.results import EndpointResult
from .admission import check_source
from .context import Context
from .converge import converge, release, safely, shared_listing
from .report import log_skips


def replay(ctx: Context, endpoint_ids: Iterable[ResourceId], *, dry_run: bool = False, release_claims: bool = False,
           progress: Callable[[EndpointResult], None] | None = None) -> list[EndpointResult]:
    """Converge (or, with `release_claims`, release) the named endpoints; `progress` hears of each result."""
    ids = list(endpoint_ids)
    for endpoint_id in ids:  # refuse the whole request before changing anything
        check_source(ctx, endpoint_id.subscription_id, what=str(endpoint_id))
    step = release if release_claims else converge
    listing = shared_listing(ctx)  # one listing of the hub for the whole run, if any endpoint needs one
    results = []
    for endpoint_id in ids:
        results.append(safely(ctx, endpoint_id, partial(step, ctx, endpoint_id, dry_run=dry_run, listing=listing),
                              dry_run=dry_run))
        log_skips(results[-1], "replay")
        if progress is not None:
            progress(results[-1])
    return results
