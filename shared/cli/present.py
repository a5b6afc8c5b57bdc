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
from ..core.catalogue import Catalogue
from ..core.catalogue_row import CatalogueRow
from ..core.model import RecordSet, ResourceId
from ..core.pins import pin_of
from ..core.plan.pins import in_force
from ..core.results import EndpointResult
from ..outcomes import EXIT_USAGE, Kind, Outcome
from ..parsing.inputs import MAX_SHOWN, terminal_text
from ..usecases.audit import AuditReport

__all__ = ["MAX_MESSAGE", "age", "audit_lines", "change_line", "event_line", "explanation_lines", "failure_line",
           "plain", "reconcile_lines",
           "record_doc", "records_lines", "summary", "summary_line", "switch_lines", "switch_name_line",
           "switch_plan_lines", "table", "text", "verb", "zones_doc", "zones_lines"]

#: Longest error message printed (one lists every bad setting; input quoted in it is capped already).
MAX_MESSAGE = 4000


def text(value: object, limit: int | None = MAX_SHOWN) -> str:
    """`value` safe for a terminal: control characters escaped, long values cut with `…`."""
    return terminal_text(value, limit)


def plain(markdown: str) -> str:
    """Text written as Markdown for the README's tables (a remedy: ``set `PEDNS_CREATE_ZONES` ``) as a
    terminal shows it: without the backticks. JSON keeps it verbatim (the README's text, tested)."""
    return markdown.replace("`", "")


def verb(action: str, applied: bool) -> str:
    """`create` for a change that was written, `would create` for one that was not."""
    return action if applied else f"would {action}"


def change_line(change: dict[str, Any]) -> str:
    """One change of an endpoint result's JSON (`action`, `zone`, `name`, `type`, `before`, `after`,
    `applied`): `create A web.privatelink.blob.core.windows.net: - -> 10.0.0.4`; a write that only
    records a claim moves no IPs: `claim A web.privatelink.blob.core.windows.net: 10.0.0.4 (unchanged)`."""
    before = text(", ".join(change.get("before", []))) or "-"
    after = text(", ".join(change.get("after", []))) or "-"
    ips = f"{after} (unchanged)" if change["action"] == "claim" else f"{before} -> {after}"
    return (f"{verb(change['action'], bool(change.get('applied')))} {text(change.get('type', 'A'))} "
            f"{text(change['name'])}.{text(change['zone'])}: {ips}")


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


def failure_line(outcome: Outcome, exc: BaseException) -> str:
    """A command that raised, as one line: `pedns: error: …` for what the user can fix (input,
    usage, settings), `pedns: failed: …` for processing that failed, `pedns: interrupted`."""
    if outcome.kind is Kind.INTERRUPTED:
        return "pedns: interrupted"
    return f"pedns: {'error' if outcome.exit_code == EXIT_USAGE else 'failed'}: {text(exc, MAX_MESSAGE)}"


# -- pedns records --------------------------------------------------------------------------------


def record_doc(record: RecordSet, *, owner_id: str, now: float) -> dict[str, Any]:
    """One A or AAAA record set of the hub as `pedns records --json` prints it. `status` is `ours` (stamped
    with `owner_id`) or `foreign`; for ours, its holder and standby claimants with their claims' age.
    The set's own name is `recordFqdn` (`name`.`zone`): `fqdn` means the public service name in every
    document pedns prints, and a record set in the hub does not know it."""
    state = ownership.ownership(record, owner_id)
    doc: dict[str, Any] = {
        "zone": record.key.zone, "name": record.key.name, "type": record.type, "recordFqdn": record.key.fqdn,
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
    pin = pin_of(record)
    if pin is not None:  # `pedns switch`: in force while a claimant in its region claims the name
        doc["pin"] = {"region": pin.region, "since": pin.since, "inForce": in_force(pin, claims)}
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
    if any("pin" in d for d in docs):  # the column only when a name is pinned (`pedns switch`)
        pinned = [(*row, _pin_cell(d.get("pin"))) for row, d in zip(rows, docs)]
        return table(("ZONE", "NAME", "TYPE", "IPS", "HOLDER (AGE)", "STANDBY (AGE)", "PIN"), pinned)
    return table(("ZONE", "NAME", "TYPE", "IPS", "HOLDER (AGE)", "STANDBY (AGE)"), rows)


def _pin_cell(pin: dict[str, Any] | None) -> str:
    if not pin:
        return "-"
    return text(pin["region"]) + ("" if pin["inForce"] else " (dormant: no claimant there)")


# -- summaries ------------------------------------------------------------------------------------


def summary(results: Iterable[dict[str, Any]], *, failed: Sequence[str] = ("error",)) -> dict[str, Any]:
    """Counts of endpoint results (their JSON), in the shape of `ReconcileReport.summary()`: endpoints
    by status, changes by action, skips by reason, and the results whose status is in `failed`."""
    statuses: dict[str, int] = {}
    changes = {"create": 0, "update": 0, "delete": 0, "claim": 0}
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
        "claimed": changes["claim"], "skipped": dict(sorted(skipped.items())),
        "failed": sum(n for status, n in statuses.items() if status in failed),
    }


def summary_line(counts: dict[str, Any], *, dry_run: bool, what: str = "endpoint(s)") -> str:
    """`2 endpoint(s) (2 converged): 1 created, 0 updated, 1 deleted, 0 failed; skipped: 1 standby`
    (`would be created` in a dry run)."""
    statuses = ", ".join(f"{n} {text(status)}" for status, n in counts["statuses"].items())
    return f"{counts['endpoints']} {what}{f' ({statuses})' if statuses else ''}: {_counted(counts, dry_run=dry_run)}"


def _counted(counts: dict[str, Any], *, dry_run: bool) -> str:
    """`1 created, 0 updated, 1 deleted, 0 failed; skipped: 1 standby`; claims (writes that moved no
    IPs) only when there were some: `…, 1 deleted, 2 claimed, 0 failed`."""
    would = "would be " if dry_run else ""
    skipped = ", ".join(f"{n} {text(reason)}" for reason, n in counts["skipped"].items()) or "none"
    claimed = f"{counts['claimed']} {would}claimed, " if counts.get("claimed") else ""
    return (f"{counts['created']} {would}created, {counts['updated']} {would}updated, "
            f"{counts['deleted']} {would}deleted, {claimed}{counts['failed']} failed; skipped: {skipped}")


# -- pedns events apply ---------------------------------------------------------------------------


#: How a skip without a name reads (an empty fqdn, an entry that is not an object, a refused endpoint).
NO_NAME = "(no name)"


def event_line(entry: dict[str, Any]) -> str:
    """One result of a delivery file: `<file> event <id>: <status> <endpoint> <change>; <change>;
    skipped …; <message>`, each change as `replay` and `reconcile` print it (`change_line`)."""
    status = entry.get("status", "")
    target = text(entry.get("endpoint", ""))
    changes = "; ".join(change_line(c) for c in entry.get("changes", []))
    skipped = ", ".join(f"{text(s['fqdn']) or NO_NAME} ({s['reason']})" for s in entry.get("skipped", []))
    message = text(entry.get("message", ""), MAX_MESSAGE)
    detail = "; ".join(x for x in (changes, f"skipped {skipped}" if skipped else "", message) if x)
    return f"{text(entry['file'])} event {text(entry['event'])}: {status} {target} {detail}".rstrip()


# -- pedns explain, replay, release ---------------------------------------------------------------


def explanation_lines(doc: dict[str, Any]) -> list[str]:
    """An endpoint's records, skips, changes and (for `explain`) the current record sets at its names."""
    t = text
    lines = [t(doc["endpoint"])]
    if doc.get("message"):
        lines.append(f"  {doc.get('status', '')}: {t(doc['message'], MAX_MESSAGE)}")
    records = [(t(r["name"]), t(r["zone"]), t(r.get("type", "A")), t(", ".join(r["ips"]))) for r in doc["records"]]
    name_width = max((len(name) for name, _, _, _ in records), default=0)
    zone_width = max((len(zone) for _, zone, _, _ in records), default=0)
    for name, zone, rtype, ips in records:
        lines.append(f"  record  {name:<{name_width}}  {zone:<{zone_width}}  {rtype:<4}  {ips}")
    for s in doc["skipped"]:
        where = f" -> {t(s['name'])}.{t(s['zone'])}" if "zone" in s else ""
        detail = f" ({t(s['detail'], MAX_MESSAGE)})" if s.get("detail") else ""
        lines.append(f"  skipped {t(s['fqdn']) or NO_NAME}{where}: {s['reason']}{detail}")
    for c in doc.get("changes", []):  # `explain` is a dry run: "would …"; replay and release say what they did
        lines.append(f"  {change_line(c)}")
    for cur in doc.get("current", []):
        if cur["exists"]:
            owner = t(cur["owner"]) or ("auto-registered" if cur["autoRegistered"] else "not pedns")
            pin = f" pin={t(cur['pin']['region'])}" if cur.get("pin") else ""
            lines.append(f"  current {t(cur.get('type', 'A'))} {t(cur['name'])}.{t(cur['zone'])}: "
                         f"{t(', '.join(cur['ips']))} owner={owner} holder={t(cur['holder']) or '-'}{pin}")
    if not doc["records"] and not doc["skipped"] and not doc.get("message"):
        lines.append("  (no records)")
    return lines


# -- pedns reconcile ------------------------------------------------------------------------------


def reconcile_lines(results: Sequence[EndpointResult], doc: dict[str, Any], *, dry_run: bool) -> list[str]:
    """Every change (with the endpoint's name), every failed endpoint, and the summary of `doc`
    (`ReconcileReport.to_json()` of the report `results` came from)."""
    lines = []
    for result, result_doc in zip(results, doc["endpoints"]):
        for change in result_doc["changes"]:
            lines.append(f"{change_line(change)}  ({text(result.endpoint.rsplit('/', 1)[-1])})")
        if not result.ok:
            lines.append(f"failed {text(result.endpoint)}: {text(result.message, MAX_MESSAGE)}")
    lines.append(reconcile_summary(doc["summary"], dry_run=dry_run))
    return lines


def reconcile_summary(summary: dict[str, Any], *, dry_run: bool) -> str:
    return (f"{summary['endpoints']} endpoint(s) ({summary['listed']} listed, {summary['confirmed']} confirmed with ARM"
            f"{', %d claimant(s) out of scope left alone' % summary['outOfScope'] if summary['outOfScope'] else ''}): "
            f"{_counted(summary, dry_run=dry_run)}"
            + ("" if summary.get("complete", True) else
               f"; INCOMPLETE: the time budget ran out with {summary['left']['endpoints']} endpoint(s) and "
               f"{summary['left']['records']} record name(s) left for the next run"))


# -- pedns switch ---------------------------------------------------------------------------------


def _switch_target(doc: dict[str, Any]) -> str:
    return f"to {text(doc['region'])}" if doc.get("region") else "back (pins cleared)"


def switch_plan_lines(doc: dict[str, Any]) -> list[str]:
    """What a switch is about to do (`SwitchReport.to_json()` before its writes), the DR gaps first
    and prominent, and how long Private DNS's write rate makes it take."""
    c, would = doc["counts"], "would " if doc["dryRun"] else ""
    region = text(doc.get("region", ""))
    gaps = f", {c['gap']} DR gap(s)" if doc["gaps"] else ""
    if doc.get("region"):
        lines = [f"switch {_switch_target(doc)}: {c['moved']} name(s) {would}move, {c['pinned']} {would}only get "
                 f"the pin, {c['unchanged']} already pinned there{gaps}"]
    else:
        lines = [f"switch {_switch_target(doc)}: {c['moved']} name(s) {would}move, {c['unpinned']} {would}only "
                 f"lose the pin{gaps}"]
    if doc["gaps"]:
        lines.append(f"DR GAPS: {len(doc['gaps'])} name(s) have no claimant in {region} that is there and wants "
                     f"the name; the switch leaves them where they are:")
        for g in doc["gaps"]:
            who = ", ".join(f"{text(short_endpoint(cl['endpoint']))} ({text(cl['region']) or '?'})"
                            for cl in g.get("claimants", []))
            detail = f"; {text(g['detail'], MAX_MESSAGE)}" if g.get("detail") else ""
            lines.append(f"  gap {text(g['name'])}.{text(g['zone'])}: {text(', '.join(g['before'])) or '-'}"
                         f" claimants: {who or '-'}{detail}")
    writes = doc["writes"]
    if writes:
        zone, most = max(writes.items(), key=lambda kv: (kv[1], kv[0]))
        lines.append(f"time: {sum(writes.values())} record set write(s) in {len(writes)} zone(s); the busiest, "
                     f"{text(zone)}, has {most}: about {doc['estimateSeconds']} s at Private DNS's 60 writes a "
                     f"minute per zone")
    return lines


def switch_name_line(name: dict[str, Any], *, dry_run: bool) -> str:
    """One name a switch moved, pinned or failed on: `move shop.privatelink.blob.core.windows.net:
    rg/pe-east (10.0.1.4) -> rg/pe-west (10.1.1.4)`."""
    where = f"{text(name['name'])}.{text(name['zone'])}"
    state = name["state"]
    if state == "failed":
        return f"failed {where}: {text(name.get('detail', ''), MAX_MESSAGE)}"
    action = {"moved": "move", "pinned": "pin", "unpinned": "unpin", "unchanged": "keep"}[state]
    before, after = text(", ".join(name["before"])) or "-", text(", ".join(name["after"])) or "-"
    holder, target = text(short_endpoint(name["holder"])), text(short_endpoint(name["target"]))
    shown = (f"{holder} ({before}) -> {target} ({after})" if state == "moved"
             else f"{target} keeps it ({after})")
    return f"{verb(action, not dry_run) if state != 'unchanged' else 'keep'} {where}: {shown}"


def switch_lines(doc: dict[str, Any]) -> list[str]:
    """After the switch: each name it moved, pinned or failed on (a dry run: would), and the counts."""
    dry = doc["dryRun"]
    lines = [switch_name_line(n, dry_run=dry) for n in doc["names"] if n["state"] != "unchanged"]
    c = doc["counts"]
    would = "would be " if dry else ""
    lines.append(f"{c['moved']} {would}moved, {c['pinned']} {would}pinned, {c['unpinned']} {would}unpinned, "
                 f"{c['unchanged']} unchanged, {c['gap']} gap(s), {c['failed']} failed; "
                 f"{doc['pinsInForce']} pin(s) in force")
    return lines


# -- pedns audit ----------------------------------------------------------------------------------


def audit_lines(report: AuditReport) -> list[str]:
    """Each finding with what to do, the checks skipped or not run, and the counts checked."""
    lines = [f"{f.code:<21} {text(f.resource)}\n  {text(f.detail, MAX_MESSAGE)}\n  what to do: {plain(f.remedy)}"
             for f in report.findings]  # resources and details come from ARM and Resource Graph
    lines += [f"skipped {check}: {text(why, MAX_MESSAGE)}" for check, why in report.skipped.items()]
    lines += [f"not run {check}: {text(why, MAX_MESSAGE)}" for check, why in report.not_run.items()]
    counts = ", ".join(f"{v} {k}" for k, v in report.checked.items())
    lines.append(f"{len(report.findings)} finding(s); checked {counts}")
    return lines


# -- pedns zones ----------------------------------------------------------------------------------


def zones_doc(cloud: str, catalogue: Catalogue, rows: Sequence[CatalogueRow]) -> dict[str, Any]:
    """`pedns zones --json`: the cloud, the docs version and the rows shown."""
    return {
        "cloud": cloud, "docsVersion": catalogue.docs_version,
        "rows": [{"service": r.service, "resourceType": r.resource_type, "subresource": r.subresource,
                  "zones": list(r.zones), "forwarders": list(r.forwarders), "custom": r.custom,
                  **({"notes": r.notes} if r.notes else {})} for r in rows],
    }


def zones_lines(cloud: str, catalogue: Catalogue, rows: Sequence[CatalogueRow], needle: str | None) -> list[str]:
    """`pedns zones` as text: a heading, then each row's service, resource type / subresource and zones."""
    matching = f" matching {text(needle)}" if needle else ""
    lines = [f"# {cloud}: {len(rows)} rows{matching} (Microsoft docs {catalogue.docs_version})"]
    for r in rows:
        mark = " [custom]" if r.custom else ""
        lines.append(f"{r.service}{mark}\n  {r.resource_type} / {r.subresource or '-'}\n  zones: {', '.join(r.zones)}")
    return lines
