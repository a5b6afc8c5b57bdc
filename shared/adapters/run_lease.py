"""The reconcile's lease (`RunLease`) in the claim index's table: one entity, taken and given back
with etag-guarded writes, so two instances never both believe they hold it.

Entity: PartitionKey "meta", RowKey "reconcile-run", `Holder` and `Until` (seconds since the epoch,
by the clock of the instance that wrote it: instances' clocks agree to well under the lease's
minutes). An expired entity is taken over with If-Match on its etag.

If the table cannot be reached the run goes on without the lease (logged): two runs at once are
safe (every write is etag-guarded, every decision level-triggered), only wasteful, and DNS work
never waits on the index's table.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableClient, UpdateMode

from ..core.ports import Held, LocalLease, RunLease
from ..settings import Settings
from ._errors import translate
from .tables import META, table_client

log = logging.getLogger("pedns.adapters.run_lease")

LEASE = "reconcile-run"


class TableRunLease:
    def __init__(self, table: TableClient, *, clock: Callable[[], float] = time.time) -> None:
        self._table = table
        self._clock = clock

    def acquire(self, holder: str, seconds: float) -> Held | None:
        try:
            return self._acquire(holder, seconds)
        except Exception as exc:  # noqa: BLE001 - the run goes on without it (module docstring)
            log.warning("reconcile lease: %s; running without it", translate(exc, "taking the reconcile's lease"))
            return None

    def release(self, holder: str) -> None:
        try:
            current = self._get()
            if current is not None and current.get("Holder") == holder:
                self._table.delete_entity(META, LEASE, etag=current.metadata["etag"],
                                          match_condition=MatchConditions.IfNotModified)
        except (ResourceModifiedError, ResourceNotFoundError):
            pass  # taken over or gone meanwhile: not ours to give back
        except Exception as exc:  # noqa: BLE001 - it expires by itself
            log.warning("reconcile lease: %s; it expires by itself", translate(exc, "giving back the reconcile's lease"))

    def _acquire(self, holder: str, seconds: float) -> Held | None:
        now = self._clock()
        entity = {"PartitionKey": META, "RowKey": LEASE, "Holder": holder, "Until": now + seconds}
        current = self._get()
        try:
            if current is None:
                self._table.create_entity(entity)
                return None
            held = Held(str(current.get("Holder", "")), float(current.get("Until", 0.0)))
            if held.holder != holder and held.until > now:
                return held
            self._table.update_entity(entity, mode=UpdateMode.REPLACE, etag=current.metadata["etag"],
                                      match_condition=MatchConditions.IfNotModified)
            return None
        except (ResourceExistsError, ResourceModifiedError):
            won = self._get()  # another instance took it between our read and our write
            return Held(str(won.get("Holder", "")), float(won.get("Until", 0.0))) if won else Held("", now)

    def _get(self) -> Any:
        try:
            return self._table.get_entity(META, LEASE)
        except ResourceNotFoundError as exc:
            if getattr(exc, "error_code", None) == "TableNotFound":
                self._table.create_table()
            return None


def make_lease(settings: Settings) -> RunLease:
    """The table's lease when the claim index has a table, else the process's own."""
    table = table_client(settings)
    return LocalLease() if table is None else TableRunLease(table)
