"""The app as Azure loads it: the function package that `.funcignore` leaves, indexed by the real
Functions Python worker library (azure-functions-runtime on Python 3.13, the version the Bicep
deploys) in its own virtual environment, with the app's requirements as pip resolves them there.

`make test` builds that environment (`.venv/functions-worker`, from a Python 3.13 on PATH or in
pyenv). Without one the tests here skip and say why; they never pass without indexing."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKER_PYTHON = ROOT / ".venv" / "functions-worker" / "bin" / "python"
INDEXER = Path(__file__).resolve().parent / "index_app.py"
FUNCTION_APP_BICEP = ROOT / "infra" / "modules" / "functionapp.bicep"


# -- the package, as .funcignore (gitignore syntax) shapes it -------------------------------------------

def _patterns() -> list[tuple[bool, bool, bool, str]]:
    """(negated, directory only, anchored, glob) of every .funcignore line."""
    out = []
    for line in (ROOT / ".funcignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:] if negated else line
        dir_only = line.endswith("/")
        line = line.strip("/") if dir_only else line.lstrip("/")
        out.append((negated, dir_only, "/" in line, line))
    return out


def ignored(relpath: str, is_dir: bool, patterns=None) -> bool:
    """Whether gitignore rules leave `relpath` (posix, relative to the app root) out; the last match wins."""
    result = False
    for negated, dir_only, anchored, glob in patterns if patterns is not None else _patterns():
        if dir_only and not is_dir:
            continue
        target = relpath if anchored else relpath.rsplit("/", 1)[-1]
        if fnmatch.fnmatchcase(target, glob):
            result = not negated
    return result


def package_files() -> list[str]:
    """The files `func azure functionapp publish` would upload (excluded folders are not entered)."""
    patterns, files = _patterns(), []
    for folder, dirs, names in os.walk(ROOT):
        rel_folder = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = sorted(d for d in dirs if not ignored(prefix + d, True, patterns))
        files.extend(prefix + n for n in sorted(names) if not ignored(prefix + n, False, patterns))
    return files


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("package") / "wwwroot"
    for rel in package_files():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target / rel)
    return target


@pytest.fixture(scope="module")
def indexed(package) -> dict:
    if not WORKER_PYTHON.exists():
        pytest.skip(f"no Functions worker environment at {WORKER_PYTHON.relative_to(ROOT)}: `make test` builds it "
                    "from Python 3.13 (PATH or pyenv: `pyenv install 3.13`); the real worker's indexing did NOT run")
    # The worker's environment only: no PEDNS_* settings (indexing must not need them), no repository on the path.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    proc = subprocess.run([str(WORKER_PYTHON), "-I", str(INDEXER), str(package)], capture_output=True, text=True,
                          cwd=package, env=env, timeout=180)
    assert 0 == proc.returncode, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def by_name(indexed: dict) -> dict[str, dict]:
    return {f["name"]: f for f in indexed["functions"]}


# -- the package ------------------------------------------------------------------------------------

def test_the_package_holds_the_app_and_nothing_for_development():
    files = package_files()
    tops = {f.split("/", 1)[0] for f in files}

    assert {"function_app.py", "host.json", "requirements.txt", "functions", "shared"} <= tops
    assert set() == tops & {"tests", "tools", "emulator", "infra", "docs", "benchmarks", "node_modules",
                            "package.json", "package-lock.json", ".ruff_cache", ".venv", "Makefile", ".ci"}
    assert "shared/testing.py" not in files
    assert [] == [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


@pytest.mark.parametrize(
    ("relpath", "is_dir", "expected"),
    [("node_modules", True, True), ("shared/testing.py", False, True), ("shared/service.py", False, False),
     ("package-lock.json", False, True), ("functions/__pycache__", True, True), ("host.json", False, False)],
)
def test_the_funcignore_reader_follows_gitignore_rules(relpath, is_dir, expected):
    assert expected == ignored(relpath, is_dir)


# -- the real worker's indexing -------------------------------------------------------------------------

def test_the_worker_runs_the_python_the_bicep_deploys_with_the_azure_functions_line_for_it(indexed):
    deployed = re.search(r"runtime:\s*\{\s*name:\s*'python'\s*version:\s*'(\d+\.\d+)'", FUNCTION_APP_BICEP.read_text())
    major, minor = (int(x) for x in indexed["azure_functions"].split(".")[:2])

    assert deployed is not None
    assert deployed.group(1) == ".".join(indexed["python"].split(".")[:2])
    assert (major, minor) >= (2, 1)  # 2.x on Python 3.13; CloudEvents decoding from 2.1.0


def test_the_worker_indexes_the_app_from_the_package(indexed):
    assert ("Success", None) == (indexed["status"], indexed["error"])
    assert ["events", "reconcile", "reconcile_continue", "replay"] == sorted(by_name(indexed))
    assert all(f["indexed_by_worker"] and f["script_file"] == "function_app.py" for f in indexed["functions"])


def test_events_is_an_event_grid_trigger(indexed):
    assert [{"direction": "IN", "type": "eventGridTrigger", "name": "event"}] == by_name(indexed)["events"]["bindings"]


def test_replay_is_an_http_post_on_api_replay_with_a_function_key(indexed):
    trigger, output = by_name(indexed)["replay"]["bindings"]

    assert ("IN", "httpTrigger", ["POST"], "replay", "FUNCTION") == (
        trigger["direction"], trigger["type"], trigger["methods"], trigger["route"], trigger["authLevel"])
    assert {"direction": "OUT", "type": "http", "name": "$return"} == output


def test_reconcile_is_a_timer_on_the_schedule_setting_not_run_on_startup(indexed):
    [timer] = [b for b in by_name(indexed)["reconcile"]["bindings"] if b["direction"] == "IN"]

    assert ("IN", "timerTrigger", "%PEDNS_RECONCILE_SCHEDULE%", False) == (
        timer["direction"], timer["type"], timer["schedule"], timer["runOnStartup"])


def test_the_reconcile_and_its_continuation_ask_for_the_next_run_on_one_queue_that_triggers_it(indexed):
    """The queue is created by infra/modules/storage.bicep in the account of AzureWebJobsStorage."""
    queue = ("queue", "pedns-reconcile", "AzureWebJobsStorage")
    for name in ("reconcile", "reconcile_continue"):
        [out] = [b for b in by_name(indexed)[name]["bindings"] if b["direction"] == "OUT"]
        assert ("continuation", *queue) == (out["name"], out["type"], out["queueName"], out["connection"])
    [trigger] = [b for b in by_name(indexed)["reconcile_continue"]["bindings"] if b["direction"] == "IN"]
    assert ("message", "queueTrigger", *queue[1:]) == (
        trigger["name"], trigger["type"], trigger["queueName"], trigger["connection"])


def test_the_workers_event_grid_converter_gives_both_schemas_their_event_type(indexed):
    decoded = indexed["decoded"]

    assert ("EventGridEvent", "Microsoft.Resources.ResourceWriteSuccess") == (
        decoded["eventgrid"]["class"], decoded["eventgrid"]["event_type"])
    assert ("CloudEvent", "Microsoft.Resources.ResourceWriteSuccess") == (
        decoded["cloudevents"]["class"], decoded["cloudevents"]["event_type"])
