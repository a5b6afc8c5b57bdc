"""Writing one name's decision to the hub: each record set with its own etag precondition, and
the check that follows a create made without reading the name first."""

from __future__ import annotations

import logging

from ..core import ownership
from ..core.model import RECORD_TYPES, NameState, RecordKey
from ..core.plan import Decision
from ..core.ports import ZoneStore
from ..core.results import Change, EndpointResult
from ..errors import Conflict

log = logging.getLogger("pedns.service")  # the service's name, kept for infra/kql (see report.py)


class Writer:
    """Writes decisions to `store` (or, in a dry run, only reports them) for one endpoint's result."""

    def __init__(self, store: ZoneStore, owner_id: str, result: EndpointResult, *, dry_run: bool) -> None:
        self.store = store
        self.owner_id = owner_id
        self.result = result
        self.dry_run = dry_run

    def apply(self, decision: Decision, current: NameState, *, optimistic: bool = False) -> NameState:
        """Write the decision, each record set with its own precondition; the name as it is now stored.

        A 412 on one type (after another was written) raises `Conflict`: the caller reads the name
        again and decides anew, and what was already written then needs no write. `optimistic`: the
        name was assumed free without a read; see `_after_optimistic`."""
        progress = [current]  # the name as written so far, for `_after_optimistic` when a write fails
        try:
            state = self._write(decision, progress)
        except Conflict:
            if optimistic:
                self._after_optimistic(decision.key, progress[0])
            raise
        if optimistic:
            self._after_optimistic(decision.key, state)
        return state

    def _write(self, decision: Decision, progress: list[NameState]) -> NameState:
        state = progress[0]
        for write in decision.writes:
            after = write.record.ips if write.record is not None and write.action != "delete" else ()
            if not self.dry_run:
                if write.action == "create":
                    assert write.record is not None
                    state = state.with_set(write.type, self.store.create(write.record))
                elif write.action == "update":
                    assert write.record is not None and write.etag
                    state = state.with_set(write.type, self.store.replace(write.record, etag=write.etag))
                else:
                    assert write.etag
                    self.store.delete(decision.key, write.type, etag=write.etag)
                    state = state.with_set(write.type, None)
                progress[0] = state
            self.result.changes.append(Change(write.action, decision.key, write.before, after, not self.dry_run,
                                              write.type, decision.handover and write.action != "delete"))
            if decision.adopted and write.action == "update":  # a dry run adopts nothing: it only says so
                log.log(logging.INFO if self.dry_run else logging.WARNING, "%s %s %s (was %s) for %s",
                        "would adopt" if self.dry_run else "adopted", write.type, decision.key,
                        ", ".join(write.before) or "empty", self.result.endpoint)
        if decision.restored:
            log.log(logging.INFO if self.dry_run else logging.WARNING,
                    "%s %s to what it held before pedns adopted it (%s)",
                    "would restore" if self.dry_run else "restored", decision.key, ", ".join(decision.ips))
        for dropped in decision.dropped:
            log.info("%s the stale claim of %s on %s", "would drop" if self.dry_run else "dropped", dropped,
                     decision.key)
        return state

    def _after_optimistic(self, key: RecordKey, created: NameState) -> None:
        """After creating a name's record sets without reading it first, make sure no record set of
        another type was there (a create's `If-None-Match: *` guards its own type only). One that is
        not ours makes the name foreign, so what was just created is taken back; one of ours (an
        IPv6-only holder's AAAA, say) means the name was not free after all. Either way raises
        `Conflict`: the caller reads the name and decides again."""
        others = tuple(t for t in RECORD_TYPES if created.of(t) is None)
        beside = self.store.get(key, others) if others else NameState(key)
        if not beside.sets:
            return
        if any(ownership.ownership(s, self.owner_id) == "foreign" for s in beside.sets):
            for record in created.sets:
                if record.etag:
                    self.store.delete(key, record.type, etag=record.etag)
                    self.result.changes.append(Change("delete", key, record.ips, (), True, record.type))
            if created.sets:
                log.warning("%s: a record set not created by pedns is there too; took back the %s just created",
                            key, "/".join(s.type for s in created.sets))
        raise Conflict(f"{key}: not free after all")
