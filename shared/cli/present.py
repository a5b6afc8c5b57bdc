"""How the CLI shows things: verbs for changes, aligned tables, the hub's records, summaries.

Pure: documents in, lines of text out. Every value that came from input or ARM goes through
`text()` (`shared.parsing.inputs.terminal_text`), so an id or a record name cannot rewrite the terminal.
A change that was written reads with a plain verb (`create …`); one that was not (a dry run) reads
`would create …`, whatever command printed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..core import ownership
from ..parsing.inputs import MAX_SHOWN, terminal_text
from ..core.model import RecordSet, ResourceId

__all__ = ["age", "change_line", "record_doc", "summary", "summary_line", "table", "text", "verb"]


def text(value: object, limit: int | None = MAX_SHOWN) -> str:
    """`value` safe for a terminal: control characters escaped, long values cut with `…`."""
    return terminal_text(value, limit)


def verb(action: str, applied: bool) -> str:
    """`create` for a change that was written, `would create` for one that was not."""
    return action if applied else f"would {action}"


def change_line(change: dict[str, Any]) -> str:
    """One change of an endpoint result's JSON (`action`, `zone`, `name`, `type`, `before`, `after`,
    `applied`): `create A web.privatelink.blob.core.windows.net: - -> 10.0.0.4`."""
    before = text(", ".join(change.get("before", []))) or "-"
    after = text(", ".join(change.get("after", []))) or "-"
    return (f"{verb(change['action'], bool(change.get('applied')))} {text(change.get('type', 'A'))} "
            f"{text(change['name'])}.{text(change['zone'])}: {before} -> {after}")


def table(header: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "") -> list[str]:
    """Rows as aligned columns (values already made safe), the last column not padded."""
    rows = [list(header), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return [indent + "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]


def age(seconds: float) -> str:
    """A claim's age, to the coarsest unit that fits: `42s`, `5m`, `3h`, `2d`."""
    s = max(int(seconds), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size:
            return f"{s // size}{unit}"
    return f"{s}s"


def short_endpoint(endpoint_id: str) -> str:
    """`<resource group>/<endpoint name>` of a private endpoint id (the table's form; JSON has the id)."""
    try:
        rid = ResourceId(endpoint_id)
        return f"{rid.resource_group}/{rid.name}"
    except Exception:  # not an id: shown as is
        return endpoint_id


# -- pedns records --------------------------------------------------------------------------------


def record_doc(record: RecordSet, *, owner_id: str, now: float) -> dict[str, Any]:
    """One A or AAAA record set of the hub as `pedns records --json` prints it. `status` is `ours` (stamped
    with `owner_id`) or `foreign`; for ours, its holder and standby claimants with their claims' age."""
    state = ownership.ownership(record, owner_id)
    doc: dict[str, Any] = {
        "zone": record.key.zone, "name": record.key.name, "type": record.type, "fqdn": record.key.fqdn,
        "ips": list(record.ips), "status": "ours" if state == "ours" else "foreign",
    }
    if state != "ours":
        doc["owner"] = ownership.owner_of(record)
        doc["detail"] = ownership.foreign_detail(record)
        return doc
    holder = ownership.holder(record)
    claims = ownership.claims(record)

    def claim_doc(endpoint_id: ResourceId) -> dict[str, Any]:
        claim = claims.get(endpoint_id)
        out: dict[str, Any] = {"endpoint": str(endpoint_id)}
        if claim is not None:
            out.update(since=claim.since, ageSeconds=max(int(now) - claim.since, 0))
        return out

    doc["holder"] = claim_doc(holder) if holder is not None else None
    doc["standby"] = [claim_doc(c) for c in sorted(claims, key=lambda c: (claims[c].since, c.key)) if c != holder]
    return doc


def _claim_cell(claim: dict[str, Any] | None) -> str:
    if not claim:
        return "-"
    shown = text(short_endpoint(claim["endpoint"]))
    return f"{shown} ({age(claim['ageSeconds'])})" if "ageSeconds" in claim else shown


def records_lines(docs: Sequence[dict[str, Any]]) -> list[str]:
    """`pedns records` as text: one aligned row per record set, holder and standby with their claims' age."""
    if not docs:
        return ["(no record sets)"]
    rows = []
    for d in docs:
        if d["status"] == "ours":
            who, standby = _claim_cell(d.get("holder")), ", ".join(_claim_cell(c) for c in d["standby"]) or "-"
        else:
            wanted = ", ".join(text(short_endpoint(e)) for e in d.get("wantedBy", []))
            who, standby = f"foreign: {text(d['detail'])}", f"wanted by {wanted}" if wanted else "-"
        rows.append((text(d["zone"]), text(d["name"]), text(d.get("type", "A")), text(", ".join(d["ips"])) or "-",
                     who, standby))
    return table(("ZONE", "NAME", "TYPE", "IPS", "HOLDER (AGE)", "STANDBY (AGE)"), rows)


# -- summaries ------------------------------------------------------------------------------------


def summary(results: Iterable[dict[str, Any]], *, failed: Sequence[str] = ("error",)) -> dict[str, Any]:
    """Counts of endpoint results (their JSON), in the shape of `ReconcileReport.summary()`: endpoints
    by status, changes by action, skips by reason, and the results whose status is in `failed`."""
    statuses: dict[str, int] = {}
    changes = {"create": 0, "update": 0, "delete": 0}
    skipped: dict[str, int] = {}
    endpoints = 0
    for r in results:
        endpoints += 1
        status = r.get("status", "")
        statuses[status] = statuses.get(status, 0) + 1
        for change in r.get("changes", []):
            changes[change["action"]] = changes.get(change["action"], 0) + 1
        for skip in r.get("skipped", []):
            skipped[skip["reason"]] = skipped.get(skip["reason"], 0) + 1
    return {
        "endpoints": endpoints, "statuses": dict(sorted(statuses.items())),
        "created": changes["create"], "updated": changes["update"], "deleted": changes["delete"],
        "skipped": dict(sorted(skipped.items())),
        "failed": sum(n for status, n in statuses.items() if status in failed),
    }


def summary_line(counts: dict[str, Any], *, dry_run: bool, what: str = "endpoint(s)") -> str:
    """`2 endpoint(s) (2 converged): 1 created, 0 updated, 1 deleted, 0 failed; skipped: 1 standby`
    (`would be created` in a dry run)."""
    would = "would be " if dry_run else ""
    skipped = ", ".join(f"{n} {text(reason)}" for reason, n in counts["skipped"].items()) or "none"
    statuses = ", ".join(f"{n} {text(status)}" for status, n in counts["statuses"].items())
    return (f"{counts['endpoints']} {what}{f' ({statuses})' if statuses else ''}: "
            f"{counts['created']} {would}created, {counts['updated']} {would}updated, "
            f"{counts['deleted']} {would}deleted, {counts['failed']} failed; skipped: {skipped}")
