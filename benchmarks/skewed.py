"""The skewed estate under Private DNS's per-zone limits (issue 19, item 6): a first fill run as the
timer runs it, until complete, then a drift.

    python -m benchmarks.skewed [--endpoints 10000] [--subscriptions 100] [--scale 10] [--latency-ms 20]
                                [--budget 420] [--drift 0.1] [--concurrency 8]

10,000 private endpoints in 100 subscriptions over 20 hub zones, skewed as real estates are: 40 % blob,
15 % each in two more zones (file, queue), the other 30 % spread over 17 zones. The emulator runs in
this process with `--throttle` (ARM's buckets, Private DNS's per-zone limits) and the given latency;
pedns runs in this process too, as the function app would: one service (one pacer) for every run,
each run `in_turn` under the lease with the time budget of `PEDNS_RECONCILE_BUDGET_SECONDS`, and a
run that ends incomplete continued at once (`shared/usecases/runs.py`), as the queue trigger does.

Time is compressed (`benchmarks/virtual_time.py`): the emulator's limits, the pacer, the budget and
every figure below run on one clock `--scale` times faster than the machine's. The work itself
(Python, TLS) takes real time, which that clock sees `--scale` times longer, so request-bound phases
read slower than they would, never faster.

1. **First fill**: every endpoint in ARM, no record in the hub. Runs until one completes.
2. **Drift**: a share of the endpoints drifted at random, a third each missing, stale and orphaned.
3. **Converged**: one more run, which must change nothing.

Per zone: records, writes, the time of the zone's last write, writes a minute while it was
written, and the floor the limits force: its records at 60 a minute (the issue's floor), and for the
drift also the floor per kind of write (creates, updates and deletes have a minute each, so the
three kinds may run side by side). Measures; asserts nothing. `make bench-skewed` runs it.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from benchmarks import estate
from benchmarks.estate import DNS_API, NET_API, SERVICES, ip, put_record, record_path, sub_id
from benchmarks.virtual_time import VirtualTime
from emulator import Emulator, Faults
from shared.adapters._pipeline import Pacer
from shared.core.ports import LocalLease
from shared.core.results import EndpointResult, ReconcileReport
from shared.parsing.endpoint import parse_private_endpoint
from shared.settings import Settings
from shared.usecases.reconcile import reconcile
from shared.usecases.runs import in_turn
from shared.wiring import build_service, catalogue_for, options_for

PER_MINUTE = 60
TIMER_SECONDS = 15 * 60


def service_of(i: int) -> int:
    """40 % blob (service 0), 15 % file (1), 15 % queue (2), the rest spread over services 3-19."""
    slot = i % 100
    if slot < 40:
        return 0
    if slot < 55:
        return 1
    if slot < 70:
        return 2
    return 3 + (i // 100 + slot) % (len(SERVICES) - 3)


def endpoint_body(i: int, subs: int) -> dict[str, Any]:
    return estate.endpoint_body(i, subs, service_of(i))


@dataclass
class Wanted:
    zone: str
    name: str
    ip: str
    metadata: dict[str, str]


def seed(emu: Emulator, settings: Settings, n: int, subs: int) -> dict[int, Wanted]:
    """The endpoints in ARM and the hub's zones, empty; what each endpoint's record must be."""
    catalogue, options = catalogue_for(settings), options_for(settings)
    wanted: dict[int, Wanted] = {}
    now = int(time.time())
    for i in range(n):
        body = endpoint_body(i, subs)
        status, answer = emu.apply("PUT", body["id"], body, api_version=NET_API)
        assert status in (200, 201), answer
        written = estate.written_record(parse_private_endpoint(body), catalogue, options, now)
        wanted[i] = Wanted(written.key.zone, written.key.name, ip(i), dict(written.metadata))
    for zone in sorted({w.zone for w in wanted.values()}):
        emu.apply("PUT", record_path(settings, zone, "x").rsplit("/A/", 1)[0], {"location": "global"},
                  api_version=DNS_API)
    return wanted


def drift(emu: Emulator, settings: Settings, wanted: dict[int, Wanted], share: float, subs: int,
          rng: random.Random) -> dict[int, str]:
    """`share` of the endpoints at random, a third each: record missing, stale IP, orphan."""
    chosen = rng.sample(sorted(wanted), int(len(wanted) * share))
    kinds: dict[int, str] = {}
    for k, i in enumerate(chosen):
        w = wanted[i]
        kind = ("missing", "stale", "orphan")[k % 3]
        kinds[i] = kind
        if kind == "missing":
            emu.apply("DELETE", record_path(settings, w.zone, w.name), api_version=DNS_API)
        elif kind == "stale":
            put_record(emu, settings, w.zone, w.name, ip(i, bump=1), w.metadata, settings.ttl)
        else:
            emu.apply("DELETE", endpoint_body(i, subs)["id"], api_version=NET_API)
    return kinds


@dataclass
class Run:
    started: float
    ended: float
    report: ReconcileReport | None
    generation: int


@dataclass
class Phase:
    """Every run of one phase and every write, on the virtual clock."""

    label: str
    runs: list[Run] = field(default_factory=list)
    writes: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # zone → times
    kinds: Counter[tuple[str, str]] = field(default_factory=Counter)  # (zone, action) → writes
    started: float = 0.0
    ended: float = 0.0


def run_phase(label: str, service: Any, vt: VirtualTime, budget: float, concurrency: int) -> Phase:
    """Runs as the function app runs them: a continuation at once after an incomplete run; after a
    chain that stops incomplete, the next timer."""
    phase = Phase(label, started=vt.now())
    lease = LocalLease()

    def progress(n: int, total: int, result: EndpointResult) -> None:
        at = vt.now()
        for change in result.changes:
            if change.applied:
                phase.writes[change.key.zone].append(at)
                phase.kinds[change.key.zone, change.action] += 1

    generation = 0
    while True:
        started = vt.now()
        outcome = in_turn(lease, lambda: reconcile(service, budget=budget, clock=vt.now, concurrency=concurrency,
                                                   progress=progress), generation=generation)
        phase.runs.append(Run(started, vt.now(), outcome.report, generation))
        left = outcome.report.left_endpoints if outcome.report else 0
        print(f"  {label}: run {len(phase.runs)} (generation {generation}) {vt.now() - started:.0f} s, "
              f"{'complete' if outcome.report and outcome.report.complete else f'{left} left'}", flush=True)
        if outcome.report is not None and outcome.report.complete:
            break
        if outcome.continuation is not None:
            generation = outcome.continuation
            continue
        generation = 0  # the chain stopped: the next timer starts a new one
        vt.sleep(TIMER_SECONDS - vt.now() % TIMER_SECONDS)
    phase.ended = vt.now()
    return phase


def exact(emu: Emulator, wanted: dict[int, Wanted], gone: set[int]) -> tuple[int, int]:
    """(records exactly as wanted, records wrong, missing or left over)."""
    have: dict[tuple[str, str], list[str]] = {}
    for rid, rs in emu.snapshot()["recordSets"].items():
        parts = rid.split("/")
        if parts[-2] == "a":
            have[parts[-3], parts[-1]] = sorted(a["ipv4Address"] for a in rs["properties"].get("aRecords", []))
    good = sum(1 for i, w in wanted.items() if i not in gone and have.get((w.zone, w.name)) == [w.ip])
    expected = len(wanted) - len(gone)
    return good, (expected - good) + max(0, len(have) - expected)


def zone_table(phase: Phase, records: Counter[str], per_kind: dict[str, int] | None) -> list[str]:
    head = "| zone | records | writes | last write (s) | writes/min while written | floor: records at 60/min (s) |"
    lines = [head + (" floor per kind (s) |" if per_kind is not None else ""),
             "|---" * (6 + (per_kind is not None)) + "|"]
    for zone, count in records.most_common():
        times = phase.writes.get(zone, [])
        last = (max(times) - phase.started) if times else 0.0
        span = (max(times) - min(times)) if len(times) > 1 else 0.0
        rate = f"{len(times) / (span / 60):.0f}" if span > 0 else "-"
        row = f"| {zone} | {count} | {len(times)} | {last:.0f} | {rate} | {count * 60 / PER_MINUTE:.0f} |"
        if per_kind is not None:
            row += f" {per_kind.get(zone, 0) * 60 / PER_MINUTE:.0f} |"
        lines.append(row)
    return lines


def runs_table(phase: Phase, budget: float) -> list[str]:
    lines = ["| run | generation | started (s) | took (s) | endpoints done | left | complete |", "|---" * 7 + "|"]
    for k, run in enumerate(phase.runs, 1):
        r = run.report
        done = sum(1 for e in r.endpoints if e.changes) if r else 0
        lines.append(f"| {k} | {run.generation} | {run.started - phase.started:.0f} | {run.ended - run.started:.0f} | "
                     f"{done} | {r.left_endpoints if r else '-'} | {r.complete if r else 'skipped'} |")
    over = [run for run in phase.runs if run.ended - run.started > budget + 10]
    lines.append("")
    lines.append(f"Runs over their budget plus 10 s: {len(over)}; runs at once: never (one process, one lease, "
                 f"each run ends before the next starts).")
    return lines


def summary(phase: Phase, emu_requests: list[tuple[str, str, int]], floor: float, label: str) -> list[str]:
    total = phase.ended - phase.started
    throttled = sum(1 for _, _, status in emu_requests if status == 429)
    failed = sum(sum(1 for e in run.report.endpoints if not e.ok) for run in phase.runs if run.report)
    return [f"- {label}: {total:.0f} s from the first run's start to the last run's end in {len(phase.runs)} run(s); "
            f"the busiest zone's floor is {floor:.0f} s: **{total / floor:.2f}x** (target 1.2x).",
            f"- 429 answers: {throttled}; failed endpoints over all runs: {failed}; writes: "
            f"{sum(len(t) for t in phase.writes.values())}."]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.skewed", description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoints", type=int, default=10_000)
    p.add_argument("--subscriptions", type=int, default=100)
    p.add_argument("--scale", type=float, default=10.0, help="how much faster the virtual clock runs")
    p.add_argument("--latency-ms", type=int, default=20, help="virtual milliseconds per request")
    p.add_argument("--budget", type=float, default=420.0, help="each run's budget (PEDNS_RECONCILE_BUDGET_SECONDS)")
    p.add_argument("--drift", type=float, default=0.1)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--seed", type=int, default=19)
    args = p.parse_args(argv)
    n, subs, vt = args.endpoints, args.subscriptions, VirtualTime(args.scale)
    real_latency = max(1, round(args.latency_ms / args.scale))
    throttled = Faults(throttle=True, latency_ms=real_latency, graph_lag_ms=0)
    real_started = time.monotonic()

    with Emulator(faults=Faults(graph_lag_ms=0), clock=vt.now) as emu:
        env = {**emu.env(), "PEDNS_SOURCE_SUBSCRIPTIONS": ",".join(sub_id(i) for i in range(subs))}
        settings = Settings.from_env(env)
        wanted = seed(emu, settings, n, subs)
        records = Counter(w.zone for w in wanted.values())
        emu.set_faults(throttled)
        service = build_service(settings, pacer=Pacer(clock=vt.now, sleep=vt.sleep))
        print(f"first fill of {n:,} endpoints (scale {args.scale:g}):", flush=True)
        emu.clear_requests()
        fill = run_phase("first fill", service, vt, args.budget, args.concurrency)
        fill_requests = emu.requests
        fill_good, fill_bad = exact(emu, wanted, set())

        kinds = drift(emu, settings, wanted, args.drift, subs, random.Random(args.seed))
        drifted = Counter(wanted[i].zone for i in kinds)
        per_kind = {zone: max(Counter(kinds[i] for i in kinds if wanted[i].zone == zone).values())
                    for zone in drifted}
        emu.set_faults(throttled)  # full buckets and windows again: a fresh hour
        service = build_service(settings, pacer=Pacer(clock=vt.now, sleep=vt.sleep))  # a new worker
        vt.sleep(61)  # the fill's last minute is out of every window
        print(f"{args.drift:.0%} drift:", flush=True)
        emu.clear_requests()
        after = run_phase("drift", service, vt, args.budget, args.concurrency)
        drift_requests = emu.requests
        gone = {i for i, kind in kinds.items() if kind == "orphan"}
        drift_good, drift_bad = exact(emu, wanted, gone)

        again = run_phase("converged", service, vt, args.budget, args.concurrency)
        again_changes = sum(len(t) for t in again.writes.values())

    busiest = records.most_common(1)[0][1] * 60 / PER_MINUTE
    drift_floor = drifted.most_common(1)[0][1] * 60 / PER_MINUTE
    kind_floor = max(per_kind.values()) * 60 / PER_MINUTE
    print(f"\n# Skewed estate: {n:,} private endpoints, {subs} subscriptions, {len(records)} hub zones\n")
    print(f"Emulator with `--throttle` (ARM's buckets, Private DNS's per-zone limits) and `--latency-ms "
          f"{args.latency_ms}` (virtual); reconcile concurrency {args.concurrency}, budget {args.budget:.0f} s a run; "
          f"time compressed {args.scale:g}x (`benchmarks/virtual_time.py`): every figure is virtual seconds; "
          f"the benchmark took {time.monotonic() - real_started:.0f} s of real time.\n")
    print("## First fill (every record missing)\n")
    print("\n".join(runs_table(fill, args.budget)))
    print()
    print("\n".join(zone_table(fill, records, None)))
    print()
    print("\n".join(summary(fill, fill_requests, busiest, "First fill")))
    print(f"- Records exact afterwards: {fill_good:,} of {n:,}; wrong, missing or extra: {fill_bad}.")
    print(f"\n## {args.drift:.0%} drift ({len(kinds):,} endpoints: "
          f"{', '.join(f'{v} {k}' for k, v in sorted(Counter(kinds.values()).items()))})\n")
    print("\n".join(runs_table(after, args.budget)))
    print()
    print("\n".join(zone_table(after, drifted, per_kind)))
    print()
    print("\n".join(summary(after, drift_requests, drift_floor, "Drift")))
    drift_total = after.ended - after.started
    print(f"- Against the floor per kind of write (the busiest zone's largest kind at 60/min: {kind_floor:.0f} s): "
          f"{drift_total / kind_floor:.2f}x.")
    print(f"- Records exact afterwards: {drift_good:,} of {n - len(gone):,}; wrong, missing or extra: {drift_bad}. "
          f"One more run changed {again_changes} record(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
