"""The other claimants of a name, as ARM shows them now: what a fail-over needs to know.

A standby becomes the holder only with the IPs its endpoint wants now, and nobody stands by for a
holder that is gone. Each claimant is read once per convergence, however many names it shares.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..core.desired import not_ready
from ..core.model import Desired, DesiredRecord, PrivateEndpoint, RecordKey, ResourceId
from ..core.ports import EndpointReader
from ..errors import InvalidInput, NotFound

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)


class Claimants:
    def __init__(self, reader: EndpointReader, desire_of: Callable[[PrivateEndpoint], Desired]) -> None:
        self._reader = reader
        self._desire_of = desire_of
        self._seen: dict[ResourceId, PrivateEndpoint | None] = {}

    def _peer(self, other: ResourceId) -> PrivateEndpoint | None:
        """Another claimant as ARM shows it (None: gone, or a body too broken to claim anything), read once.

        Another endpoint's body never fails this one's convergence: its bad names are skipped by
        the parser and claim nothing; a body whose envelope cannot be read (no connections array, an id
        of the wrong shape) claims nothing at all, so a standby takes over from it, as from a holder
        that is gone. It is logged here; its own convergence reports it to its owner."""
        if other not in self._seen:
            try:
                self._seen[other] = self._reader.get(other)
            except NotFound:
                self._seen[other] = None
            except InvalidInput as exc:
                log.warning("claimant %s cannot be read, so it claims nothing: %s", other, exc)
                self._seen[other] = None
        return self._seen[other]

    def endpoint(self, other: ResourceId) -> PrivateEndpoint | None:
        """Another claimant as it was read (None: gone, or claiming nothing), read once."""
        return self._peer(other)

    def desire_for(self, other: ResourceId, key: RecordKey) -> DesiredRecord | None:
        """What another claimant wants for `key` now (None: gone, withdrawn, or not ready)."""
        pe = self._peer(other)
        if pe is None or not_ready(pe):
            return None
        return next((r for r in self._desire_of(pe).records if r.key == key), None)

    def gone(self, holder: ResourceId, key: RecordKey) -> bool:
        """Whether a holder no longer exists or no longer wants `key` (one that is still being
        provisioned keeps its name)."""
        pe = self._peer(holder)
        if pe is None:
            return True
        return not not_ready(pe) and not any(r.key == key for r in self._desire_of(pe).records)
