"""The estate benchmark: a reconcile of 10,000 private endpoints in 100 subscriptions, 20 hub zones.

    python -m benchmarks.estate [--endpoints 10000] [--subscriptions 100] [--drift 0.1] [--latency-ms 20]

Runs the emulator in this process with ARM's throttling on (`--throttle`: reads 250 + 25/s,
writes and deletes 200 + 10/s per subscription; Private DNS's own limits per zone, e.g. 60 record
set creates a minute; Resource Graph 15 queries per 5 s, immediately consistent here) and the given
latency, seeds it in-process (no HTTP: seeding is not what is measured), and runs `pedns reconcile
--json` as a child process, so its peak RSS is its own. Three runs:

1. converged: every record already right;
2. drifted: a share of the endpoints drifted, split evenly between a missing record, a stale IP and
   an orphan (the endpoint deleted, its record left);
3. converged again, to show the drift run ended exactly converged;
4. converged, listing every record type of a zone at once (`PEDNS_LIST_ALL_RECORD_TYPES`, which
   needs `Microsoft.Network/privateDnsZones/ALL/read`);

then one approval (a connection event on a target with two endpoints). Prints a Markdown report:
requests by kind from the emulator's log, 429s, wall time, the reconcile's peak RSS, and the
previous design's cost for the same estate. Measures; asserts nothing. `make bench-estate` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from typing import Any

from emulator import Emulator, Faults
from shared.core.desired import desire
from shared.parsing.endpoint import parse_private_endpoint
from shared.core.catalogue import Catalogue
from shared.core.model import NameState, PrivateEndpoint, RecordSet
from shared.core.plan import decide
from shared.service import ServiceOptions
from shared.settings import Settings
from shared.wiring import build_service, catalogue_for, options_for

DNS_API = "2024-06-01"
NET_API = "2024-05-01"

#: (resource provider type, subresource, public DNS suffix) for 20 services with 20 distinct hub zones.
SERVICES = [
    ("Microsoft.Storage/storageAccounts", "blob", "blob.core.windows.net"),
    ("Microsoft.Storage/storageAccounts", "file", "file.core.windows.net"),
    ("Microsoft.Storage/storageAccounts", "queue", "queue.core.windows.net"),
    ("Microsoft.Storage/storageAccounts", "table", "table.core.windows.net"),
    ("Microsoft.Storage/storageAccounts", "dfs", "dfs.core.windows.net"),
    ("Microsoft.Storage/storageAccounts", "web", "web.core.windows.net"),
    ("Microsoft.KeyVault/vaults", "vault", "vault.azure.net"),
    ("Microsoft.Sql/servers", "sqlServer", "database.windows.net"),
    ("Microsoft.DocumentDB/databaseAccounts", "Sql", "documents.azure.com"),
    ("Microsoft.ServiceBus/namespaces", "namespace", "servicebus.windows.net"),
    ("Microsoft.Web/sites", "sites", "azurewebsites.net"),
    ("Microsoft.ContainerRegistry/registries", "registry", "azurecr.io"),
    ("Microsoft.CognitiveServices/accounts", "account", "cognitiveservices.azure.com"),
    ("Microsoft.Search/searchServices", "searchService", "search.windows.net"),
    ("Microsoft.DBforPostgreSQL/flexibleServers", "postgresqlServer", "postgres.database.azure.com"),
    ("Microsoft.DBforMySQL/flexibleServers", "mysqlServer", "mysql.database.azure.com"),
    ("Microsoft.Cache/Redis", "redisCache", "redis.cache.windows.net"),
    ("Microsoft.SignalRService/SignalR", "signalr", "service.signalr.net"),
    ("Microsoft.AppConfiguration/configurationStores", "configurationStores", "azconfig.io"),
    ("Microsoft.EventGrid/topics", "topic", "eventgrid.azure.net"),
]


def sub_id(i: int) -> str:
    return f"{i:08x}-5eed-4000-8000-{i:012x}"


def endpoint_body(i: int, subs: int, service: int | None = None) -> dict[str, Any]:
    """Endpoint `i` in subscription i % subs, for service `service` (default: i % 20, an even spread)."""
    sub = sub_id(i % subs)
    rtype, group, suffix = SERVICES[i % len(SERVICES) if service is None else service]
    name = f"res{i:05d}"
    target = f"/subscriptions/{sub}/resourceGroups/rg-data/providers/{rtype}/{name}"
    vnet = f"/subscriptions/{sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet"
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-{i:05d}",
        "location": "westeurope",
        "properties": {
            "provisioningState": "Succeeded",
            "subnet": {"id": f"{vnet}/subnets/pe"},
            "privateLinkServiceConnections": [{"name": f"c{i}", "properties": {
                "privateLinkServiceId": target, "groupIds": [group],
                "privateLinkServiceConnectionState": {"status": "Approved"}}}],
            "customDnsConfigs": [{"fqdn": f"{name}.{suffix}", "ipAddresses": [ip(i)]}],
        },
    }


def ip(i: int, bump: int = 0) -> str:
    n = i + bump * 40_000
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def record_path(settings: Settings, zone: str, name: str) -> str:
    return (f"/subscriptions/{settings.dns_subscription_id}/resourceGroups/{settings.dns_resource_group}"
            f"/providers/Microsoft.Network/privateDnsZones/{zone}/A/{name}")


def written_record(pe: PrivateEndpoint, catalogue: Catalogue, options: ServiceOptions, now: int) -> RecordSet:
    """The A record set pedns writes for an endpoint with one name, in an empty zone (its stamp and claim)."""
    [wanted] = desire(pe, catalogue, options.desire).records
    written = decide(wanted.key, NameState(wanted.key), pe.id, wanted, policy=options.policy, now=now,
                     location=pe.location).written("A")
    assert written is not None
    return written


def seed(emu: Emulator, settings: Settings, n: int, subs: int) -> dict[int, tuple[str, str, dict[str, str]]]:
    """Endpoints in ARM and their records already in the hub, as pedns would have written them."""
    catalogue, options = catalogue_for(settings), options_for(settings)
    zones: set[str] = set()
    records: dict[int, tuple[str, str, dict[str, str]]] = {}
    now = int(time.time())
    for i in range(n):
        body = endpoint_body(i, subs)
        status, answer = emu.apply("PUT", body["id"], body, api_version=NET_API)
        assert status in (200, 201), answer
        written = written_record(parse_private_endpoint(body), catalogue, options, now)
        records[i] = (written.key.zone, written.key.name, dict(written.metadata))
        zones.add(written.key.zone)
    assert len(zones) == len(SERVICES), sorted(zones)
    for zone in zones:
        path = record_path(settings, zone, "x").rsplit("/A/", 1)[0]
        emu.apply("PUT", path, {"location": "global"}, api_version=DNS_API)
    for i, (zone, name, metadata) in records.items():
        put_record(emu, settings, zone, name, ip(i), metadata, settings.ttl)
    return records


def put_record(emu: Emulator, settings: Settings, zone: str, name: str, address: str,
               metadata: dict[str, str], ttl: int) -> None:
    status, answer = emu.apply("PUT", record_path(settings, zone, name), {"properties": {
        "ttl": ttl, "metadata": metadata, "aRecords": [{"ipv4Address": address}]}}, api_version=DNS_API)
    assert status in (200, 201), answer


def drift(emu: Emulator, settings: Settings, records: dict[int, tuple[str, str, dict[str, str]]],
          n: int, share: float, subs: int) -> dict[str, int]:
    """Spread `share` of the endpoints evenly over the estate, a third each of three kinds of drift."""
    count = int(n * share)
    step = n // count
    kinds = Counter()
    for k, i in enumerate(range(0, n, step)[:count]):
        zone, name, metadata = records[i]
        kind = ("missing", "stale", "orphan")[k % 3]
        kinds[kind] += 1
        if kind == "missing":
            emu.apply("DELETE", record_path(settings, zone, name), api_version=DNS_API)
        elif kind == "stale":
            put_record(emu, settings, zone, name, ip(i, bump=1), metadata, settings.ttl)
        else:
            emu.apply("DELETE", endpoint_body(i, subs)["id"], api_version=NET_API)
    return dict(kinds)


def classify(method: str, path: str) -> str:
    p = path.lower()
    if p.startswith("/providers/microsoft.resourcegraph"):
        return "Resource Graph query (POST)"
    if "/privatednszonegroups" in p:
        return "GET endpoint zone groups"
    if "/privateendpoints/" in p:
        return f"{method} endpoint"
    if "/privatednszones" in p:
        tail = p.split("/privatednszones", 1)[1].strip("/").split("/")
        if method == "GET" and len(tail) <= 1:
            return "GET zone list"
        if method == "GET" and len(tail) == 2:
            return "GET record list (page)"
        return f"{method} record set"
    return f"{method} other"


def run_cli(env: dict[str, str], *args: str) -> tuple[dict[str, Any], float, int, int]:
    """`pedns reconcile --json` in a child: (document, seconds, peak RSS in MB, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "shared.cli", "reconcile", "--json", "-q", *args],
                          env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pedns reconcile failed ({proc.returncode}): {proc.stderr[-2000:]}")
    # ru_maxrss of children is the largest child so far: report it only when this child set it.
    return json.loads(proc.stdout), seconds, round(max(peak, before) / 1024), proc.returncode


def measure(emu: Emulator, env: dict[str, str], label: str) -> dict[str, Any]:
    emu.clear_requests()
    doc, seconds, rss, code = run_cli(env)
    kinds = Counter(classify(m, p) for m, p, _ in emu.requests)
    throttled = sum(1 for _, _, s in emu.requests if s == 429)
    reads = sum(v for k, v in kinds.items() if k.startswith("GET") or k.startswith("Resource Graph"))
    writes = sum(v for k, v in kinds.items() if k.startswith(("PUT", "PATCH", "DELETE")))
    return {"label": label, "seconds": seconds, "rss": rss, "exit": code, "kinds": kinds, "429": throttled,
            "reads": reads, "writes": writes, "summary": doc["summary"]}


def approval(emu: Emulator, settings: Settings, subs: int, n: int) -> dict[str, Any]:
    """A connection event on one target that two endpoints (in two subscriptions) point at."""
    first, second = endpoint_body(n + 1, subs), endpoint_body(n + 2, subs)
    second["properties"]["privateLinkServiceConnections"] = first["properties"]["privateLinkServiceConnections"]
    for body in (first, second):
        body["properties"]["customDnsConfigs"][0]["fqdn"] = first["properties"]["customDnsConfigs"][0]["fqdn"]
        emu.apply("PUT", body["id"], body, api_version=NET_API)
    target = first["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"]
    from shared.core.model import ResourceId

    service = build_service(settings)
    emu.clear_requests()
    started = time.perf_counter()
    results = service.converge_target(ResourceId(target))
    seconds = time.perf_counter() - started
    kinds = Counter(classify(m, p) for m, p, _ in emu.requests)
    return {"seconds": seconds, "kinds": kinds, "results": [r.status for r in results]}


def table(runs: list[dict[str, Any]]) -> list[str]:
    kinds = sorted({k for r in runs for k in r["kinds"]})
    lines = ["| | " + " | ".join(r["label"] for r in runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for kind in kinds:
        lines.append(f"| {kind} | " + " | ".join(str(r["kinds"].get(kind, 0)) for r in runs) + " |")
    for name, key in (("**reads** (ARM + Resource Graph)", "reads"), ("**writes**", "writes"),
                      ("429 answers", "429"), ("peak RSS of `pedns reconcile` (MB)", "rss")):
        lines.append(f"| {name} | " + " | ".join(str(r[key]) for r in runs) + " |")
    lines.append("| wall time (s) | " + " | ".join(f"{r['seconds']:.1f}" for r in runs) + " |")
    lines.append("| report: created / updated / deleted / failed | " + " | ".join(
        "{created} / {updated} / {deleted} / {failed}".format(**r["summary"]) for r in runs) + " |")
    lines.append("| report: endpoints confirmed with ARM | " + " | ".join(
        str(r["summary"]["confirmed"]) for r in runs) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.estate", description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoints", type=int, default=10_000)
    p.add_argument("--subscriptions", type=int, default=100)
    p.add_argument("--drift", type=float, default=0.1)
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--concurrency", type=int, default=8)
    args = p.parse_args(argv)
    n, subs = args.endpoints, args.subscriptions

    # Resource Graph immediately consistent (`graph_lag_ms=0`; the emulator's default lags 2 s as Azure
    # lags "typically by seconds"): each run measures a reconcile of the estate as it was just made,
    # not the index catching up.
    throttled = Faults(throttle=True, latency_ms=args.latency_ms, graph_lag_ms=0)
    with Emulator(faults=Faults(graph_lag_ms=0)) as emu:
        env = {**os.environ, **emu.env(), "PEDNS_SOURCE_SUBSCRIPTIONS": ",".join(sub_id(i) for i in range(subs)),
               "PEDNS_RECONCILE_CONCURRENCY": str(args.concurrency)}
        env.pop("PEDNS_INDEX_CONNECTION_STRING", None)
        settings = Settings.from_env(env)
        started = time.perf_counter()
        records = seed(emu, settings, n, subs)
        seeded = time.perf_counter() - started
        emu.set_faults(throttled)
        converged = measure(emu, env, "converged")
        emu.set_faults(throttled)  # full buckets again
        kinds = drift(emu, settings, records, n, args.drift, subs)
        drifted = measure(emu, env, f"{args.drift:.0%} drift")
        emu.set_faults(throttled)
        again = measure(emu, env, "converged again")
        emu.set_faults(throttled)
        listing_all = measure(emu, {**env, "PEDNS_LIST_ALL_RECORD_TYPES": "true"}, "converged, `ALL/read`")
        emu.set_faults(throttled)
        approve = approval(emu, settings, subs, n)

    drifted_records = sum(kinds.values())
    creates_updates = kinds.get("missing", 0) + kinds.get("stale", 0)
    forced = max(0.0, (creates_updates - 200) / 10.0)
    old_reads = n + subs * -(-(n // subs) // 100) + 1 + len(SERVICES) * max(1, -(-(n // len(SERVICES)) // 100))
    print(f"# Estate benchmark: {n:,} private endpoints, {subs} subscriptions, {len(SERVICES)} hub zones\n")
    print(f"Emulator with `--throttle` (ARM's buckets, Private DNS's per-zone limits, Resource Graph 15 queries / 5 s "
          f"with no lag) and `--latency-ms "
          f"{args.latency_ms}`; reconcile concurrency {args.concurrency}; seeded in {seeded:.1f} s (not measured).")
    print(f"Drift: {drifted_records:,} endpoints ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}).\n")
    print("\n".join(table([converged, drifted, again, listing_all])))
    print()
    print(f"- Drift run: {drifted['writes']} writes for {drifted_records} drifted records; "
          f"{drifted['reads'] - converged['reads']} reads beyond the converged run's {converged['reads']} "
          f"({(drifted['reads'] - converged['reads']) / max(1, drifted_records):.2f} per drifted endpoint).")
    print(f"- The hub write bucket alone forces {forced:.1f} s for {creates_updates} creates and updates "
          f"(200 at once, then 10/s); the drift run took {drifted['seconds']:.1f} s "
          f"({drifted['seconds'] / forced if forced else float('nan'):.2f}x).")
    print(f"- Exit codes: {converged['exit']}, {drifted['exit']}, {again['exit']}; the third run found "
          f"{again['summary']['created'] + again['summary']['updated'] + again['summary']['deleted']} changes.")
    print(f"- Approval on a target with two endpoints: {sum(approve['kinds'].values())} requests "
          f"({', '.join(f'{v} {k}' for k, v in sorted(approve['kinds'].items()))}), "
          f"{approve['seconds'] * 1000:.0f} ms, results {approve['results']}.")
    print(f"- Previous design (one zone-group GET per endpoint, subscription lists of 100, default record "
          f"pages of 100), same estate: about {old_reads:,} reads, sequential.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
