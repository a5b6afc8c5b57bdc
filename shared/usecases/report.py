"""What a decision means for the endpoint being converged: the records it holds or stands by for,
the names it was not given and why, and the log lines an operator reads for them."""

from __future__ import annotations

import logging

from ..core import ownership
from ..core.model import DesiredRecord, Reason, RecordSet, ResourceId, Skip
from ..core.plan import Decision
from ..core.results import EndpointResult, RecordState

# The service's logger name, kept when the service was split into use cases: operators' queries
# and alerts (infra/kql) select these lines by it.
log = logging.getLogger("pedns.service")

_NEEDS_ATTENTION = (Reason.UNMAPPED, Reason.INVALID, Reason.ZONE_MISSING, Reason.NAME_MISMATCH)


def report(decision: Decision, endpoint_id: ResourceId, want: DesiredRecord | None, result: EndpointResult) -> None:
    """Add what `decision` means for `endpoint_id` to its result; a standby or a foreign name is
    logged here, when it is decided."""
    key = decision.key
    if decision.outcome == "held":
        result.records.append(RecordState(key, want.fqdn if want else key.fqdn, decision.ips, "held",
                                          str(endpoint_id)))
    elif decision.outcome == "standby" and want is not None:
        holder = str(decision.holder)
        result.records.append(RecordState(key, want.fqdn, want.ips, "standby", holder))
        skip(result, want, Reason.STANDBY, f"{holder} holds the name")
        level = logging.WARNING if decision.action != "none" and not result.dry_run else logging.DEBUG
        log.log(level, "shared name %s: %s holds it, %s stands by", key, holder, endpoint_id)
    if decision.foreign and want is not None:
        # Foreign outright, or beside the record sets this endpoint's claim is already on.
        typed = len(decision.foreign) > 1 or decision.outcome != "foreign" or want.types != ("A",)
        detail = "; ".join(_foreign_detail(s, typed) for s in decision.foreign)
        skip(result, want, Reason.FOREIGN, detail)
        log.log(logging.DEBUG if result.dry_run else logging.WARNING,
                "%s wants %s but %s: left untouched", endpoint_id, key, detail)


def skip(result: EndpointResult, want: DesiredRecord, reason: Reason, detail: str) -> None:
    result.skipped.append(Skip(want.fqdn, reason, detail, want.key))


def zone_missing(result: EndpointResult, want: DesiredRecord) -> None:
    """The name's zone is not in the hub (and pedns does not create zones)."""
    skip(result, want, Reason.ZONE_MISSING, f"the hub has no private DNS zone {want.key.zone}")


def log_skips(result: EndpointResult, context: str) -> None:
    """Permanent outcomes are not retried, so they are logged where an operator looks: with the
    event id (or the door) and the endpoint. Standby and foreign were logged when decided."""
    for skipped in result.skipped:
        if skipped.reason in (Reason.STANDBY, Reason.FOREIGN):
            continue
        level = logging.WARNING if skipped.reason in _NEEDS_ATTENTION else logging.INFO
        log.log(level, "%s: %s: %s not published: %s%s", context, result.endpoint, skipped.fqdn or "(endpoint)",
                skipped.reason.value, f" ({skipped.detail})" if skipped.detail else "")


def _foreign_detail(record: RecordSet, typed: bool) -> str:
    """Why a record set is not pedns's; `typed` names its type (where A alone would mislead)."""
    detail = ownership.foreign_detail(record)
    return f"the {record.type} record set is {detail}" if typed else detail
