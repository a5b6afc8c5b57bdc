"""`shared.outcomes`: one table from pedns's exceptions to what every door does with them, and the
CLI's exit codes and error lines that follow from it (the functions' side: tests/functions/test_function_outcomes.py)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import shared.cli as cli
from shared.cli import events as cli_events
from shared.errors import (Conflict, ConfigError, InvalidInput, NotFound, NotReady, OutOfScope, PednsError,
                           PermanentError, TransientError)
from shared.observers.fanout import Observers
from shared.outcomes import Kind, outcome_of
from shared.settings import Settings

#: exception → (kind, status, exit code, HTTP status, retried by Event Grid, observers hear `failed`)
TABLE = [
    pytest.param(OutOfScope("event e: out of scope"), (Kind.OUT_OF_SCOPE, "rejected", 2, 400, False, False),
                 id="out-of-scope"),
    pytest.param(InvalidInput("bad id"), (Kind.REJECTED, "rejected", 2, 400, False, False), id="invalid-input"),
    pytest.param(cli.UsageError("unknown flag"), (Kind.REJECTED, "rejected", 2, 400, False, False), id="usage"),
    pytest.param(ConfigError("PEDNS_TTL: bad"), (Kind.MISCONFIGURED, "error", 2, 500, True, False), id="config"),
    pytest.param(NotReady("still Updating"), (Kind.RETRY, "not-ready", 1, None, True, True), id="not-ready"),
    pytest.param(TransientError("429"), (Kind.RETRY, "error", 1, None, True, True), id="transient"),
    pytest.param(PermanentError("403"), (Kind.RETRY, "error", 1, None, True, True), id="permanent"),
    pytest.param(Conflict("412"), (Kind.FAILED, "error", 1, None, True, False), id="conflict"),
    pytest.param(NotFound("404"), (Kind.FAILED, "error", 1, None, True, False), id="not-found"),
    pytest.param(PednsError("other"), (Kind.FAILED, "error", 1, None, True, False), id="pedns-error"),
    pytest.param(KeyboardInterrupt(), (Kind.INTERRUPTED, "interrupted", 130, None, False, False), id="interrupted"),
]


@pytest.mark.parametrize(("exc", "expected"), TABLE)
def test_each_kind_of_failure_has_one_outcome_for_every_door(exc, expected):
    outcome = outcome_of(exc)

    assert expected == (outcome.kind, outcome.status, outcome.exit_code, outcome.http_status, outcome.retry,
                        outcome.observers_hear_failed)


@pytest.mark.parametrize("exc", [ValueError("a bug"), RuntimeError("a bug"), SystemExit(3)], ids=type)
def test_an_exception_pedns_does_not_raise_on_purpose_has_no_outcome(exc):
    assert None is outcome_of(exc)


# -- the CLI ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _logging_left_as_found():
    """`main` sets up logging for a terminal (root handler, levels): put it back for the other tests."""
    names = ("", "pedns", "pedns.metrics", "pedns.telemetry", "azure", "urllib3")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = logging.getLogger().handlers[:]
    yield
    logging.getLogger().handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


#: exception → (exit code, the one line on stderr)
CLI = [
    pytest.param(OutOfScope("x: out of scope"), (2, "pedns: error: x: out of scope"), id="out-of-scope"),
    pytest.param(InvalidInput("bad\x1b[2Jid"), (2, "pedns: error: bad\\x1b[2Jid"), id="invalid-input"),
    pytest.param(ConfigError("PEDNS_TTL: bad"), (2, "pedns: error: PEDNS_TTL: bad"), id="config"),
    pytest.param(NotReady("still Updating"), (1, "pedns: failed: still Updating"), id="not-ready"),
    pytest.param(TransientError("429"), (1, "pedns: failed: 429"), id="transient"),
    pytest.param(PermanentError("403"), (1, "pedns: failed: 403"), id="permanent"),
    pytest.param(Conflict("412"), (1, "pedns: failed: 412"), id="conflict"),
    pytest.param(KeyboardInterrupt(), (130, "pedns: interrupted"), id="interrupted"),
]


@pytest.mark.parametrize(("exc", "expected"), CLI)
def test_a_command_that_raises_exits_with_its_outcomes_code_and_one_line(exc, expected, monkeypatch, capsys):
    def command(args):
        raise exc

    monkeypatch.setitem(cli._COMMANDS, "zones", command)

    code = cli.main(["zones"])

    assert expected == (code, capsys.readouterr().err.rstrip("\n"))


def test_a_wrong_command_line_is_a_usage_error():
    assert 2 == cli.main(["replay"])


def test_a_bug_in_a_command_is_not_hidden_behind_an_exit_code(monkeypatch):
    def command(args):
        raise ValueError("a bug")

    monkeypatch.setitem(cli._COMMANDS, "zones", command)

    with pytest.raises(ValueError, match="a bug"):
        cli.main(["zones"])


class _Raising:
    """A service that accepts every event's source, then raises `exc` handling it."""

    def __init__(self, exc):
        self.exc = exc

    def source_refusal(self, subscription_id, tenant_id=""):
        return None

    def handle_event(self, event, **kwargs):
        raise self.exc


#: exception → (the event's status, exit code, the level and message logged as pedns.cli on stderr)
EVENTS = [
    pytest.param(OutOfScope("out of scope"), ("rejected", 0, "ERROR", "rejected: out of scope"), id="out-of-scope"),
    pytest.param(InvalidInput("bad"), ("rejected", 0, "ERROR", "rejected: bad"), id="invalid-input"),
    pytest.param(ConfigError("PEDNS_TTL: bad"), ("error", 1, "ERROR", "event {id}: PEDNS_TTL: bad"), id="config"),
    pytest.param(NotReady("still Updating"), ("not-ready", 1, "WARNING", "still Updating"), id="not-ready"),
    pytest.param(TransientError("429"), ("error", 1, "ERROR", "event {id}: 429"), id="transient"),
]


@pytest.mark.parametrize(("exc", "expected"), EVENTS)
def test_events_apply_reports_each_failed_event_with_its_outcomes_status(exc, expected, monkeypatch, capsys):
    delivery = Path(__file__).parents[1] / "fixtures/events/eventgrid-pe-write-success.json"
    event_id = json.loads(delivery.read_text())[0]["id"]
    monkeypatch.setattr(cli_events, "read_settings", lambda *require: Settings.from_env({}))
    monkeypatch.setattr(cli_events, "connect", lambda settings: _Raising(exc))
    told = []

    class Failed:
        def converged(self, results, handling): ...
        def reconciled(self, report, handling): ...
        def failed(self, error, handling):
            told.append((type(error), handling.door, handling.told_as, handling.event_id))

    monkeypatch.setattr(cli_events, "observers_of", lambda service: Observers([Failed()]))

    code = cli.main(["events", "apply", "--json", str(delivery)])

    out, err = capsys.readouterr()
    doc = json.loads(out)
    [entry] = doc["results"]
    assert (code == 0) == doc["ok"]
    status, exit_code, level, message = expected
    assert (status, exit_code, [f"{level} pedns.cli: {message.format(id=event_id)}"]) \
        == (entry["status"], code, [line for line in err.splitlines() if " pedns.cli: " in line])
    # the observers hear of a failure as the Event Grid trigger tells them (shared.outcomes)
    heard = [(type(exc), "cli", "event", event_id)] if outcome_of(exc).observers_hear_failed else []
    assert heard == told
