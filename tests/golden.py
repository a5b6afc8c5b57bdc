"""Golden outputs: what pedns did in every test, written to files, so a change of shape can be shown
to change nothing (`make golden`, docs/architecture.md "Proving a refactor changed nothing").

Loaded with `-p golden` and `PEDNS_GOLDEN=<dir>`: each test writes `<dir>/<test id>.json` holding
- `doors`: what each outermost door call returned (`EndpointResult` / reconcile report JSON) or raised;
- `logs`: every `pedns*` log line with its logger name and level;
- `calls`: calls to each in-memory port method, and the emulator's requests (method, path, status);
- `hub`: the record sets left in the in-memory stores and the emulator at the end (etags dropped);
- `metrics`: every `InMemoryMetrics` count and observation; `events`: every CloudEvent a notifier built.
Run it on two trees (the same test files) and `diff -r` the two directories. Hypothesis runs
derandomized with no example database, so the property tests draw the same examples each time.

The doors and classes are found by dotted name; a refactor that moves them updates `DOORS` and
`PORTS` here (and nothing else).
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest

#: (module, attribute) of every door whose outermost calls are recorded (missing ones are skipped).
DOORS = [
    ("shared.service", "Service.converge"),
    ("shared.service", "Service.converge_safely"),
    ("shared.service", "Service.release"),
    ("shared.service", "Service.converge_target"),
    ("shared.service", "Service.handle_event"),
    ("shared.service", "Service.replay"),
    ("shared.service", "Service.plan"),
    ("shared.reconcile", "reconcile"),
    ("shared.usecases.reconcile", "reconcile"),
]
#: In-memory ports whose calls are counted, with the methods counted.
PORTS = [
    ("shared.testing", "InMemoryZoneStore", ("list_zones", "get", "list", "create", "replace", "delete", "create_zone",
                                            "linked_networks")),
    ("shared.testing", "InMemoryEndpointReader", ("get", "platform_names", "endpoints", "endpoints_pointing_at",
                                                 "subscriptions", "zones", "zone_links", "networks",
                                                 "endpoint_addresses")),
    ("shared.testing", "InMemoryClaimIndex", ("lookup", "store", "forget", "rebuild")),
]
METRICS = ("shared.testing", "InMemoryMetrics")
NOTIFIER = [("shared.notify", "Notifier"), ("shared.observers.notify", "Notifier")]

_HEX = re.compile(r"\b[0-9a-f]{32}\b")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
_SECONDS = re.compile(r"\b\d+\.\d+( ?s\b|ms\b)")
_PORT = re.compile(r"127\.0\.0\.1:\d+|localhost:\d+|port=\d+")
_EPOCH = re.compile(r"\b1[6-9]\d{8}(\.\d+)?\b")  # claim stamps and times from time.time()
_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{40,}")  # operation ids, skip tokens
_LONG_HEX = re.compile(r"\b[0-9a-f]{16,}\b")


def _norm(text: str) -> str:
    for pattern, label in ((_UUID, "<uuid>"), (_HEX, "<hex>"), (_SECONDS, "<t>"), (_PORT, "<host>"),
                           (_EPOCH, "<epoch>"), (_TOKEN, "<token>"), (_LONG_HEX, "<hex>")):
        text = pattern.sub(label, text)
    return text


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reset()

    def reset(self) -> None:
        self.lock_ = threading.Lock()
        self.depth = 0
        self.doors: list[Any] = []
        self.logs: list[str] = []
        self.calls: dict[str, int] = {}
        self.metrics: list[str] = []
        self.events: list[Any] = []
        self.stores: list[Any] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("pedns"):
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001
                message = str(record.msg)
            with self.lock_:
                self.logs.append(_norm(f"{record.levelname} {record.name}: {message}"))


REC = _Recorder()


def _json(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if value is None:
        return None
    return repr(value)


def _door(name: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # One depth for all threads: a door called from a thread another door started (the reconcile's
        # pool) is not outermost. Threads racing as independent workers are NONDETERMINISTIC below.
        with REC.lock_:
            outer = REC.depth == 0
            REC.depth += 1
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            if outer:
                with REC.lock_:
                    REC.doors.append({"raised": type(exc).__name__, "message": _norm(str(exc))})
            raise
        finally:
            with REC.lock_:
                REC.depth -= 1
        if outer:
            with REC.lock_:
                REC.doors.append(json.loads(_norm(json.dumps(_json(result), sort_keys=True))))
        return result

    return wrapper


def _counted(label: str, fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with REC.lock_:
            REC.calls[label] = REC.calls.get(label, 0) + 1
        return fn(*args, **kwargs)

    return wrapper


def _resolve(module: str, attr: str) -> tuple[Any, str] | None:
    try:
        owner: Any = importlib.import_module(module)
    except ImportError:
        return None
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part, None)
        if owner is None:
            return None
    return (owner, name) if hasattr(owner, name) else None


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("PEDNS_GOLDEN"):
        return
    from hypothesis import settings

    settings.register_profile("golden", database=None, derandomize=True)
    settings.load_profile("golden")
    logging.getLogger().addHandler(REC)
    for module, attr in DOORS:
        found = _resolve(module, attr)
        if found:
            owner, name = found
            setattr(owner, name, _door(attr, getattr(owner, name)))
    for module, cls, methods in PORTS:
        found = _resolve(module, cls)
        if found:
            klass = getattr(*found)
            for method in methods:
                setattr(klass, method, _counted(f"{cls}.{method}", getattr(klass, method)))
            init = klass.__init__

            def registering(self: Any, *a: Any, __init: Any = init, **k: Any) -> None:
                __init(self, *a, **k)
                REC.stores.append(self)

            klass.__init__ = registering
    found = _resolve(*METRICS)
    if found:
        klass = getattr(*found)
        for method in ("count", "observe"):
            original = getattr(klass, method)

            def kept(self: Any, name: str, value: Any = 1, *, __o: Any = original, __m: str = method, **dims: Any) -> Any:
                with REC.lock_:
                    REC.metrics.append(f"{__m} {name} {value!r} {sorted(dims.items())}")
                return __o(self, name, value, **dims)

            setattr(klass, method, kept)
    for module, cls in NOTIFIER:
        found = _resolve(module, cls)
        if found:
            klass = getattr(*found)
            original = klass.events

            def events(self: Any, *a: Any, __o: Any = original, **k: Any) -> Any:
                out = __o(self, *a, **k)
                REC.events.extend(json.loads(_norm(json.dumps(
                    [{k2: v for k2, v in e.items() if k2 not in ("id", "time")} for e in out], sort_keys=True))))
                return out

            klass.events = events


def _hub(stores: list[Any]) -> list[str]:
    out = []
    for store in stores:
        if hasattr(store, "records") and hasattr(store, "_zones"):
            out.append(sorted(_norm(f"{r.type} {r.key} {r.ips} {r.ttl} {sorted(r.metadata.items())} "
                                    f"{r.auto_registered}") for r in store.records()))
    return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    if not os.environ.get("PEDNS_GOLDEN"):
        yield
        return
    yield
    doc: dict[str, Any] = {
        "doors": REC.doors, "logs": sorted(REC.logs), "calls": dict(sorted(REC.calls.items())),
        "metrics": sorted(REC.metrics), "events": REC.events, "hub": _hub(REC.stores),
    }
    emu = getattr(item, "funcargs", {}).get("emu")
    if emu is not None:
        try:
            doc["requests"] = sorted(_norm(f"{m} {p} {s}") for m, p, s in emu.requests)
            snap = emu.snapshot()
            doc["emulatorRecords"] = sorted(
                _norm(json.dumps({k: v for k, v in r.items() if k != "etag"}, sort_keys=True))
                for key, r in snap.get("recordSets", {}).items())
        except Exception as exc:  # noqa: BLE001
            doc["emulator"] = repr(exc)
    path = Path(os.environ["PEDNS_GOLDEN"]) / (re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)[:200] + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, sort_keys=True, default=str) + "\n")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    REC.reset()


#: Tests whose outputs differ between two runs of the same tree (threads racing, wall-clock lags,
#: concurrent requests the test does not wait for): listed apart, never failing the comparison.
NONDETERMINISTIC = (
    "test_properties.py_test_concurrent_workers_converge_on_shared_names",  # four threads race
    "test_burst.py_test_a_burst_with_faults",  # concurrent workers against injected faults
    "test_clouds.py_test_the_credential_is_asked_for_the_clouds_audience",  # an AAAA GET the test does not await
    "test_graph.py_test_a_new_endpoint_is_invisible_until_the_lag_passes",  # polls until a wall-clock lag passes
    "test_graph.py_test_a_deleted_endpoint_is_listed_with_its_old_body_during_the_lag",  # the same
    "test_graph.py_test_an_update_shows_the_old_body_during_the_lag",  # the same
    "test_cli.py_test_processing_failure_exits_1",  # injected faults follow the arrival of parallel reads
    "test_zone_creation_lro.py_test_two_invocations_creating_the_same_zone_at_once",  # two threads race
)


def _diff(a: Path, b: Path) -> int:
    """The tests whose golden outputs differ between two recordings (normalized again, so recordings
    made before a change of `_norm` compare too); a test present in one only is listed as such."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = [n for n in names if not ((a / n).exists() and (b / n).exists())
              or _norm((a / n).read_text()) != _norm((b / n).read_text())]
    noisy = [n for n in differ if any(pattern in n for pattern in NONDETERMINISTIC)]
    real = [n for n in differ if n not in noisy]
    for name in real:
        where = "" if (a / name).exists() and (b / name).exists() else (" (only in " + (str(a) if (a / name).exists() else str(b)) + ")")
        print(name + where)
    if noisy:
        print(f"({len(noisy)} nondeterministic test(s) differ too: {', '.join(sorted(set(p for p in NONDETERMINISTIC for n in noisy if p in n)))})")
    print(f"{len(real)} of {len(names)} test(s) differ")
    return 1 if real else 0


if __name__ == "__main__":  # python tests/golden.py A B
    import sys

    raise SystemExit(_diff(Path(sys.argv[1]), Path(sys.argv[2])))
