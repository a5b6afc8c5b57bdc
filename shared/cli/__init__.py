"""`pedns`: the same service as the functions, from a terminal.

Exit codes: 0 success (an endpoint skipped for a stated reason is a success), 1 processing
failed (ARM errors left after retries), 2 unusable input or usage. Errors are one line on
stderr, never a traceback. With `--json`, stdout carries only the JSON document.

Input files are read with a size limit (`shared.parsing.inputs`), and text output escapes control
characters and cuts long values in whatever came from input (ids, file names, messages), so a
hostile event id cannot clear the screen or forge a line.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..core import ownership
from ..errors import ConfigError, InvalidInput, NotReady, PednsError
from ..core.model import ResourceId
from ..settings import Settings

log = logging.getLogger("pedns.cli")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _global_flags(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """`--json`, `-v`, `-q`: on the top parser with their defaults, and on every subcommand with no
    default at all (`SUPPRESS`), so `pedns --json zones` and `pedns zones --json` both work and a
    subcommand does not reset what was given before it."""
    default = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout; logs go to stderr",
                        **default)
    parser.add_argument("-v", "--verbose", action="count", help="pedns's debug logs (-vv adds azure-core's HTTP traces)",
                        **(default or {"default": 0}))
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only", **default)


#: The global flags, as they may precede the subcommand.
GLOBAL_FLAGS = frozenset({"--json", "-v", "-vv", "-vvv", "--verbose", "-q", "--quiet"})


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _global_flags(common, suppress=True)

    p = _Parser(prog="pedns", description="Event-driven DNS records for Azure Private Endpoints.")
    _global_flags(p, suppress=False)
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    sub.add_parser("emulator", help="run the local ARM emulator (HTTPS); prints export lines, then 'ready' "
                                    "(see 'pedns emulator --help')")

    ev = sub.add_parser("events", parents=[common], help="process Event Grid deliveries")
    ev_sub = ev.add_subparsers(dest="events_command", required=True, parser_class=_Parser, metavar="SUBCOMMAND")
    apply_ = ev_sub.add_parser("apply", parents=[common],
                               help="process deliveries from files (Event Grid or CloudEvents JSON, e.g. dead-lettered blobs)")
    apply_.add_argument("files", nargs="+", metavar="FILE")
    apply_.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    ex = sub.add_parser("explain", parents=[common],
                        help="the records an endpoint needs, and why it does not get others")
    ex.add_argument("endpoints", nargs="+", metavar="ENDPOINT",
                    help="a private endpoint resource id (read from ARM) or a path to its ARM GET JSON")

    rc = sub.add_parser("reconcile", parents=[common], help="converge every endpoint in scope")
    rc.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    rc.add_argument("--subscription", action="append", default=[], metavar="ID",
                    help="only this subscription's endpoints are listed and changed (repeatable; must be in scope)")

    rp = sub.add_parser("replay", parents=[common], help="converge the named endpoints now")
    rp.add_argument("endpoints", nargs="+", metavar="ENDPOINT_ID")
    rp.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    rl = sub.add_parser("release", parents=[common],
                        help="withdraw an endpoint's claims whatever ARM says (e.g. deleted while pedns was down)")
    rl.add_argument("endpoints", nargs="+", metavar="ENDPOINT_ID")
    rl.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")

    sub.add_parser("audit", parents=[common],
                   help="find what breaks private name resolution that no A record can fix (reads only)")

    rs = sub.add_parser("records", parents=[common],
                        help="the record sets pedns owns in the hub zones: IPs, holder, standby claimants, claim age")
    rs.add_argument("--zone", metavar="ZONE", help="only this hub zone (e.g. privatelink.blob.core.windows.net)")
    rs.add_argument("--endpoint", metavar="ENDPOINT_ID",
                    help="only the names this private endpoint claims, plus the foreign ones it wants")

    zn = sub.add_parser("zones", parents=[common], help="list the zone catalogue")
    zn.add_argument("filter", nargs="?", metavar="FILTER",
                    help="only rows whose service, resource type, subresource or a zone contains FILTER (any case)")
    zn.add_argument("--cloud", choices=["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"],
                    help="default: PEDNS_CLOUD, else AzureCloud")
    return p


class _TerminalFormatter(logging.Formatter):
    """Log lines with control characters escaped: a log message may quote input (event ids)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return _term(super().formatMessage(record), limit=_MAX_LOG_LINE)


#: Loggers that trace HTTP (azure-core's logging policies, urllib3's request lines): only with -vv.
_HTTP_LOGGERS = ("azure", "urllib3")


def _setup_logging(args: argparse.Namespace) -> None:
    """Default: pedns's info. -q: warnings. -v: pedns's debug too. -vv: also the HTTP traces of
    azure-core (Authorization redacted by azure-core) and urllib3."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if args.verbose >= 2 else logging.WARNING if args.quiet else logging.INFO)
    logging.getLogger("pedns").setLevel(logging.DEBUG if args.verbose else logging.NOTSET)
    # Without Application Insights the metrics are log lines (shared.observers.metrics.LogMetrics): with -v only.
    for name in ("pedns.metrics", "pedns.telemetry"):
        logging.getLogger(name).setLevel(logging.NOTSET if args.verbose else logging.WARNING)
    for name in _HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if args.verbose >= 2 else logging.WARNING)


def _print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


#: Longest error message printed (one lists every bad setting; input quoted in it is capped already).
_MAX_MESSAGE = 4000
#: Longest log line (HTTP traces with -vv included).
_MAX_LOG_LINE = 16000


def _term(value: object, limit: int | None = None) -> str:
    """Text from input, safe for a terminal: control characters escaped, long values cut with `…`
    (`shared.parsing.inputs.terminal_text`; ids are capped at 300 characters unless `limit` says otherwise)."""
    from ..parsing.inputs import MAX_SHOWN, terminal_text

    return terminal_text(value, MAX_SHOWN if limit is None else limit)


def _error(prefix: str, exc: BaseException) -> None:
    print(f"pedns: {prefix}: {_term(exc, limit=_MAX_MESSAGE)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((i for i, a in enumerate(argv) if a not in GLOBAL_FLAGS), len(argv))
    if argv[first:first + 1] == ["emulator"]:  # its flags are the emulator's own: hand them over untouched
        return _run_emulator(argv[first + 1:])
    try:
        args = _parser().parse_args(argv)
    except UsageError as exc:
        _error("error", exc)
        return EXIT_USAGE
    _setup_logging(args)
    try:
        return _COMMANDS[args.command](args)
    except (ConfigError, InvalidInput, UsageError) as exc:
        _error("error", exc)
        return EXIT_USAGE
    except PednsError as exc:
        _error("failed", exc)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("pedns: interrupted", file=sys.stderr)
        return 130


# -- commands ------------------------------------------------------------------------------------


def _run_emulator(argv: list[str]) -> int:
    try:
        import emulator
    except ImportError:
        print("pedns: error: the emulator is a development tool; install pedns from its repository", file=sys.stderr)
        return EXIT_USAGE
    return int(emulator.main(argv))


HUB = ("PEDNS_DNS_SUBSCRIPTION_ID", "PEDNS_DNS_RESOURCE_GROUP")


def _settings(*require: str) -> Settings:
    return Settings.from_env(require=require)


def _service(settings: Settings):  # type: ignore[no-untyped-def]
    from ..wiring import build_service

    return build_service(settings)


def _observers(service: Any) -> Any:
    """Who hears of the changes a command made, after it made them (`shared.observers.fanout`): the metrics
    (exported only with APPLICATIONINSIGHTS_CONNECTION_STRING) and the app teams' notifications
    (with PEDNS_NOTIFY_TOPIC_ENDPOINT). Failing to build them never fails the command."""
    from ..observers.fanout import Observers
    from ..wiring import observers_for

    try:
        return observers_for(_settings(), service.metrics)
    except Exception:  # noqa: BLE001 - the DNS work is done
        log.exception("the observers (metrics, notifications) could not be built; none will be told")
        return Observers()


def _handling(started: float, event: Any = None) -> Any:
    from ..core.results import Handling

    return Handling("cli", started, time.time(), event.id if event else "", event.time if event else None)


def _cmd_events(args: argparse.Namespace) -> int:
    from ..parsing.events import MAX_DELIVERY_BYTES, parse_delivery
    from ..parsing.inputs import read_bounded

    deliveries = []
    for name in args.files:  # read and validate every file before changing anything
        shown = _term(name)
        data = read_bounded(name, what=shown, max_bytes=MAX_DELIVERY_BYTES)
        try:
            deliveries.append((name, parse_delivery(data)))
        except InvalidInput as exc:
            raise InvalidInput(f"{shown}: {exc}") from None
    service = _service(_settings(*HUB))
    for name, events in deliveries:  # ... and every event's scope: one refusal changes nothing at all
        for event in events:
            refusal = _refusal(service, event)
            if refusal:
                raise InvalidInput(f"{_term(name)}: event {_term(event.id)}: {refusal}")
    out: list[dict[str, Any]] = []
    failed = 0
    total = sum(len(events) for _, events in deliveries)
    observers = _observers(service)
    progress = _Progress(total)
    for name, events in deliveries:
        for event in events:
            progress.step()
            entry: dict[str, Any] = {"file": name, "event": event.id}
            entries = [entry]
            started = time.time()
            try:
                results = service.handle_event(event, dry_run=args.dry_run)
            except InvalidInput as exc:
                entry.update(status="rejected", message=str(exc))
                log.error("rejected: %s", exc)
            except NotReady as exc:
                entry.update(status="not-ready", message=str(exc))
                log.warning("%s", exc)
                failed += 1
            except PednsError as exc:
                entry.update(status="error", message=str(exc))
                log.error("event %s: %s", event.id, exc)
                failed += 1
            else:
                if event.action is None:
                    entry.update(status="ignored", message=event.ignore_reason)
                elif not results:
                    entry.update(status="converged", message=f"no endpoint points at {event.resource_id}")
                else:
                    entries = [{**entry, **result.to_json()} for result in results]
                    failed += sum(0 if result.ok else 1 for result in results)
                if event.action is not None:
                    observers.converged(results, _handling(started, event))
            out.extend(entries)
            if not args.json:
                progress.clear()
                for line in entries:
                    _print_event_line(line)
    progress.done()
    if args.json:
        _print_json(out)
    else:
        from .present import summary, summary_line

        counts = summary(out, failed=("error", "not-ready"))
        print(summary_line(counts, dry_run=args.dry_run or any(e.get("dryRun") for e in out),
                           what=f"result(s) of {total} event(s)"))
    return EXIT_FAILED if failed else EXIT_OK


class _Progress:
    """`[n/total]` on stderr, rewritten in place, only when stderr is a terminal and there is more
    than one step (with -q or `--json` to a terminal too: it is not output)."""

    def __init__(self, total: int) -> None:
        self.total, self.n = total, 0
        self.on = total > 1 and sys.stderr.isatty()

    def step(self) -> None:
        self.n += 1
        if self.on:
            print(f"\r[{self.n}/{self.total}]", end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        """Before a line of output: the counter is redrawn at the next step."""
        if self.on:
            print("\r" + " " * len(f"[{self.total}/{self.total}]") + "\r", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        self.clear()


def _refusal(service: Any, event: Any) -> str:
    """Why the service would refuse `event` for its source (scope or tenant), or "" if it would not:
    asked before anything changes, without the warning and `events_refused_scope` count of the
    event path (an operator replaying files is not a spoke sending events). An event that is not
    ours is never refused: it is ignored."""
    if event.action is None:
        return ""
    refusal = service.source_refusal(event.subscription_id or event.resource_id.subscription_id, event.tenant_id)
    return f"{_term(refusal[1])}; nothing was changed" if refusal else ""


def _print_event_line(entry: dict[str, Any]) -> None:
    status = entry.get("status", "")
    target = _term(entry.get("endpoint", ""))
    from .present import verb

    changes = ", ".join(f"{verb(c['action'], c['applied'])} {_term(c.get('type', 'A'))} "
                        f"{_term(c['name'])}.{_term(c['zone'])}" for c in entry.get("changes", []))
    skipped = ", ".join(f"{_term(s['fqdn'])} ({s['reason']})" for s in entry.get("skipped", []))
    message = _term(entry.get("message", ""), limit=_MAX_MESSAGE)
    detail = "; ".join(x for x in (changes, f"skipped {skipped}" if skipped else "", message) if x)
    print(f"{_term(entry['file'])} event {_term(entry['event'])}: {status} {target} {detail}".rstrip())


def _cmd_explain(args: argparse.Namespace) -> int:
    from ..parsing.endpoint import parse_private_endpoint_id

    service = None
    settings = _settings()
    docs = []
    for target in args.endpoints:  # everything is read before anything is printed
        if not target.startswith("/subscriptions/") and Path(target).is_file():
            docs.append(explain_file(Path(target), settings))
            continue
        if not target.startswith("/"):
            raise InvalidInput(f"{target}: neither a file nor a private endpoint resource id")
        endpoint_id = parse_private_endpoint_id(target, field="ENDPOINT")
        service = service or _service(_settings(*HUB))
        docs.append(explain_live(service, endpoint_id))
    if args.json:
        _print_json(docs)
    else:
        for doc in docs:
            _print_explanation(doc)
    return EXIT_OK


#: The most `pedns explain FILE` reads: an endpoint's ARM GET body is a few KiB.
MAX_ENDPOINT_FILE_BYTES = 1024 * 1024


def explain_file(path: Path, settings: Settings) -> dict[str, Any]:
    """What an endpoint in ARM GET shape needs, with no Azure access."""
    from ..core.desired import desire, not_ready
    from ..parsing.endpoint import parse_private_endpoint
    from ..core.model import by_type
    from ..core.results import skip_json
    from ..wiring import catalogue_for, options_for

    from ..parsing.inputs import load_json, read_bounded

    shown = _term(path)
    body = load_json(read_bounded(path, what=shown, max_bytes=MAX_ENDPOINT_FILE_BYTES), what=shown,
                     max_bytes=MAX_ENDPOINT_FILE_BYTES)
    if not isinstance(body, dict):
        raise InvalidInput(f"{shown}: expected a private endpoint object (ARM GET shape)")
    try:
        pe = parse_private_endpoint(body)
    except InvalidInput as exc:
        hint = " (an API example? pass its responses.200.body)" if "responses" in body else ""
        raise InvalidInput(f"{shown}: {exc}{hint}") from None
    doc: dict[str, Any] = {"endpoint": str(pe.id), "source": str(path)}
    reason = not_ready(pe)
    if reason:
        return {**doc, "status": "not-ready", "records": [], "skipped": [], "message": reason}
    wanted = desire(pe, catalogue_for(settings), options_for(settings).desire)
    return {
        **doc,
        "records": [{"zone": r.key.zone, "name": r.key.name, "type": rtype, "fqdn": r.fqdn, "ips": list(ips)}
                    for r in wanted.records for rtype, ips in by_type(r.ips)],
        "skipped": [skip_json(s) for s in wanted.skipped],
    }


def explain_live(service: Any, endpoint_id: ResourceId) -> dict[str, Any]:
    """A dry run for one endpoint plus the current state and owner of every name it touches."""
    try:
        result = service.converge(endpoint_id, dry_run=True)
    except NotReady as exc:
        return {"endpoint": str(endpoint_id), "status": "not-ready", "records": [], "skipped": [], "message": str(exc)}
    doc = result.to_json()
    keys = {(r["zone"], r["name"]) for r in doc["records"]} | {
        (s["zone"], s["name"]) for s in doc["skipped"] if "zone" in s
    } | {(c["zone"], c["name"]) for c in doc["changes"]}
    from ..core.model import RecordKey

    current = []
    for zone, name in sorted(keys):
        try:
            sets = service.store.get(RecordKey(zone, name)).sets
        except PednsError:
            sets = ()
        if not sets:
            current.append({"zone": zone, "name": name, "exists": False})
        for record in sets:  # each record type at the name (A, AAAA)
            holder = ownership.holder(record)
            current.append({
                "zone": zone, "name": name, "type": record.type, "exists": True, "ips": list(record.ips),
                "owner": ownership.owner_of(record),
                "holder": str(holder) if holder else "",
                "autoRegistered": record.auto_registered,
                "claims": sorted(str(c) for c in ownership.claims(record)),
            })
    doc["current"] = current
    return doc


def _print_explanation(doc: dict[str, Any]) -> None:
    t = _term
    print(t(doc["endpoint"]))
    if doc.get("message"):
        print(f"  {doc.get('status', '')}: {t(doc['message'], limit=_MAX_MESSAGE)}")
    records = [(t(r["name"]), t(r["zone"]), t(r.get("type", "A")), t(", ".join(r["ips"]))) for r in doc["records"]]
    name_width = max((len(name) for name, _, _, _ in records), default=0)
    zone_width = max((len(zone) for _, zone, _, _ in records), default=0)
    for name, zone, rtype, ips in records:
        print(f"  record  {name:<{name_width}}  {zone:<{zone_width}}  {rtype:<4}  {ips}")
    for s in doc["skipped"]:
        where = f" -> {t(s['name'])}.{t(s['zone'])}" if "zone" in s else ""
        detail = f" ({t(s['detail'], limit=_MAX_MESSAGE)})" if s.get("detail") else ""
        print(f"  skipped {t(s['fqdn'])}{where}: {s['reason']}{detail}")
    from .present import change_line

    for c in doc.get("changes", []):  # `explain` is a dry run: "would …"; replay and release say what they did
        print(f"  {change_line(c)}")
    for cur in doc.get("current", []):
        if cur["exists"]:
            owner = t(cur["owner"]) or ("auto-registered" if cur["autoRegistered"] else "not pedns")
            print(f"  current {t(cur.get('type', 'A'))} {t(cur['name'])}.{t(cur['zone'])}: {t(', '.join(cur['ips']))} owner={owner} "
                  f"holder={t(cur['holder']) or '-'}")
    if not doc["records"] and not doc["skipped"] and not doc.get("message"):
        print("  (no records)")


def _cmd_reconcile(args: argparse.Namespace) -> int:
    import uuid

    from ..usecases.reconcile import reconcile

    for value in args.subscription:
        try:
            uuid.UUID(value)
        except ValueError:
            raise InvalidInput(f"--subscription {value!r} is not a subscription id (a GUID)") from None
    settings = _settings(*HUB)
    if not args.subscription and not (settings.source_subscriptions or settings.source_management_groups):
        raise ConfigError("missing setting(s): PEDNS_SOURCE_SUBSCRIPTIONS or PEDNS_SOURCE_MANAGEMENT_GROUPS "
                          "(or pass --subscription)")
    service = _service(settings)
    tty = sys.stderr.isatty()

    def progress(n: int, total: int, result: Any) -> None:
        noteworthy = result.changes or not result.ok
        if tty:
            print(f"\r[{n}/{total}]", end="\n" if n == total else "", file=sys.stderr, flush=True)
        elif noteworthy or n == total or n % 1000 == 0:
            print(f"[{n}/{total}] {result.status:<10} {result.endpoint}", file=sys.stderr, flush=True)

    started = time.time()
    report = reconcile(service, subscriptions=args.subscription or None, dry_run=args.dry_run,
                       progress=None if args.quiet else progress, concurrency=settings.reconcile_concurrency)
    handling, observers = _handling(started), _observers(service)
    observers.converged(report.endpoints, handling)
    observers.reconciled(report, handling)
    doc = report.to_json()
    if args.json:
        _print_json(doc)
    else:
        from .present import change_line

        for result, result_doc in zip(report.endpoints, doc["endpoints"]):
            for change in result_doc["changes"]:
                print(f"{change_line(change)}  ({_term(result.endpoint.rsplit('/', 1)[-1])})")
            if not result.ok:
                print(f"failed {_term(result.endpoint)}: {_term(result.message, limit=_MAX_MESSAGE)}")
        print(_reconcile_summary(doc["summary"], dry_run=args.dry_run or settings.mode == "dry-run"))
    return EXIT_OK if report.ok else EXIT_FAILED


def _reconcile_summary(summary: dict[str, Any], *, dry_run: bool) -> str:
    would = "would be " if dry_run else ""
    skipped = ", ".join(f"{n} {reason}" for reason, n in summary["skipped"].items()) or "none"
    return (f"{summary['endpoints']} endpoint(s) ({summary['listed']} listed, {summary['confirmed']} confirmed with ARM"
            f"{', %d claimant(s) out of scope left alone' % summary['outOfScope'] if summary['outOfScope'] else ''}): "
            f"{summary['created']} {would}created, {summary['updated']} {would}updated, "
            f"{summary['deleted']} {would}deleted, {summary['failed']} failed; skipped: {skipped}")


def _cmd_audit(args: argparse.Namespace) -> int:
    from ..wiring import audit_for

    settings = _settings(*HUB)
    report = audit_for(_service(settings), settings)
    if args.json:
        _print_json(report.to_json())
    else:
        for f in report.findings:
            print(f"{f.code:<21} {f.resource}\n  {f.detail}\n  what to do: {f.remedy}")
        for check, why in report.skipped.items():
            print(f"skipped {check}: {why}")
        for check, why in report.not_run.items():
            print(f"not run {check}: {why}")
        counts = ", ".join(f"{v} {k}" for k, v in report.checked.items())
        print(f"{len(report.findings)} finding(s); checked {counts}")
    return EXIT_OK if report.complete else EXIT_FAILED


def _ids(values: Sequence[str]) -> list[ResourceId]:
    from ..parsing.endpoint import parse_private_endpoint_id

    return [parse_private_endpoint_id(v, field="ENDPOINT_ID") for v in values]


def _cmd_replay(args: argparse.Namespace, *, release: bool = False) -> int:
    from .present import summary, summary_line

    ids = _ids(args.endpoints)
    service = _service(_settings(*HUB))
    started = time.time()
    progress = _Progress(len(ids))  # [n/total] on a terminal's stderr
    results = service.replay(ids, dry_run=args.dry_run, release=release, progress=lambda _: progress.step())
    progress.done()
    _observers(service).converged(results, _handling(started))
    docs = [r.to_json() for r in results]
    if args.json:
        _print_json(docs)
    else:
        for doc in docs:
            _print_explanation({**doc, "current": []})
            print(f"  status: {doc['status']}")
        print(summary_line(summary(docs), dry_run=args.dry_run or any(d["dryRun"] for d in docs)))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def _cmd_records(args: argparse.Namespace) -> int:
    """The record sets pedns owns in the hub, from one listing (`Service.snapshot`): IPs, holder,
    standby claimants and the age of their claims, plus the foreign record sets an endpoint in scope
    wants (`wantedBy`: from the estate listing and each endpoint's desire, no per-endpoint read). With
    `--endpoint`, only the names that endpoint claims, plus the foreign ones it wants (from a dry run
    against the same listing)."""
    import time

    from ..core.desired import valid_dns_name
    from ..parsing.endpoint import parse_private_endpoint_id
    from ..core.model import Reason
    from .present import record_doc, records_lines

    zone = None
    if args.zone is not None:
        zone = args.zone.strip().lower().rstrip(".")
        if not valid_dns_name(zone):
            raise InvalidInput(f"--zone {_term(args.zone)} is not a DNS zone name")
    endpoint_id = parse_private_endpoint_id(args.endpoint, field="--endpoint") if args.endpoint else None
    settings = _settings(*HUB)
    service = _service(settings)
    snapshot = service.snapshot()
    if zone is not None and zone not in snapshot.zones:
        raise InvalidInput(f"--zone {_term(zone)}: not a zone of the hub resource group "
                           f"{_term(settings.dns_resource_group)}")
    now = time.time()
    owner = settings.owner_id
    wanted_foreign: set[Any] = set()
    wanted_by: dict[Any, set[str]] = {}
    if endpoint_id is None and not service.scope.query.everything:
        wanted_by = _wanted_by(service, snapshot)
        wanted_foreign = set(wanted_by)
    elif endpoint_id is None:
        log.info("foreign names endpoints want are shown when PEDNS_SOURCE_SUBSCRIPTIONS or "
                 "PEDNS_SOURCE_MANAGEMENT_GROUPS is set, or for one endpoint with --endpoint")
    if endpoint_id is not None:
        try:  # what it wants, from a dry run against the same listing (no GET per record set)
            result = service.converge(endpoint_id, dry_run=True, snapshot=snapshot)
        except NotReady as exc:
            log.warning("%s; the names it wants but others own are not shown", exc)
        else:
            wanted_foreign = {s.key for s in result.skipped if s.reason == Reason.FOREIGN and s.key is not None}
    docs = []
    for key in sorted(snapshot.records, key=lambda k: (k.zone, k.name)):
        if zone is not None and key.zone != zone:
            continue
        for record in snapshot.records[key].sets:  # A, then AAAA
            ours = ownership.ownership(record, owner) == "ours"
            if endpoint_id is None:
                if not ours and key not in wanted_foreign:
                    continue
            elif key not in wanted_foreign and (not ours or endpoint_id not in ownership.claims(record)):
                continue
            doc = record_doc(record, owner_id=owner, now=now)
            if not ours and key in wanted_by:
                doc["wantedBy"] = sorted(wanted_by[key])
            docs.append(doc)
    if args.json:
        _print_json(docs)
    else:
        for line in records_lines(docs):
            print(line)
    return EXIT_OK


def _wanted_by(service: Any, snapshot: Any) -> dict[Any, set[str]]:
    """Record names with a record set pedns does not own → the endpoints in scope that want them:
    one estate listing (Resource Graph pages) and each endpoint's desire, worked out offline."""
    from ..core.model import Unreadable

    found: dict[Any, set[str]] = {}
    for pe in service.estate.endpoints(service.scope.query):
        if isinstance(pe, Unreadable):
            continue
        for record in service.desire_of(pe).records:
            state = snapshot.records.get(record.key)
            if state is not None and any(ownership.ownership(s, service.options.policy.owner_id) != "ours"
                                         for s in state.sets):
                found.setdefault(record.key, set()).add(str(pe.id))
    return found


def _cmd_zones(args: argparse.Namespace) -> int:
    from ..wiring import catalogue_for

    settings = _settings()
    if args.cloud:
        settings = settings.model_copy(update={"cloud": args.cloud})
    catalogue = catalogue_for(settings)
    rows = catalogue.rows
    if args.filter:
        needle = args.filter.lower()
        rows = [r for r in rows if any(needle in value.lower() for value in
                                       (r.service, r.resource_type, r.subresource or "", *r.zones))]
    if args.json:
        _print_json({
            "cloud": settings.cloud, "docsVersion": catalogue.docs_version,
            "rows": [{"service": r.service, "resourceType": r.resource_type, "subresource": r.subresource,
                      "zones": list(r.zones), "forwarders": list(r.forwarders), "custom": r.custom,
                      **({"notes": r.notes} if r.notes else {})} for r in rows],
        })
        return EXIT_OK
    matching = f" matching {_term(args.filter)}" if args.filter else ""
    print(f"# {settings.cloud}: {len(rows)} rows{matching} (Microsoft docs {catalogue.docs_version})")
    for r in rows:
        mark = " [custom]" if r.custom else ""
        print(f"{r.service}{mark}\n  {r.resource_type} / {r.subresource or '-'}\n  zones: {', '.join(r.zones)}")
    return EXIT_OK


_COMMANDS = {
    "audit": _cmd_audit,
    "events": _cmd_events,
    "explain": _cmd_explain,
    "records": _cmd_records,
    "reconcile": _cmd_reconcile,
    "replay": _cmd_replay,
    "release": lambda a: _cmd_replay(a, release=True),
    "zones": _cmd_zones,
}

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
