"""What a failure means at each door: one table from pedns's exceptions to an `Outcome`.

A door (the Event Grid trigger, the replay endpoint, the CLI) catches what a handling raised, asks
`outcome_of(exc)` and acts on the answer: acknowledge the event or raise so Event Grid delivers it
again, the replay endpoint's HTTP status, the CLI's exit code, the status a result line shows, and
whether the observers hear `failed`. What a door prints or logs about it stays the door's own.

| kind          | raised                                  | status      | exit | HTTP | Event Grid       | observers hear `failed` |
|---------------|-----------------------------------------|-------------|------|------|------------------|-------------------------|
| out-of-scope  | OutOfScope                              | rejected    | 2    | 400  | acknowledged     | no                      |
| rejected      | InvalidInput (the CLI's UsageError too) | rejected    | 2    | 400  | acknowledged     | no                      |
| misconfigured | ConfigError                             | error       | 2    | 500  | raised, retried  | no                      |
| retry         | NotReady                                | not-ready   | 1    | -    | raised, retried  | yes                     |
| retry         | TransientError, PermanentError          | error       | 1    | -    | raised, retried  | yes                     |
| failed        | any other PednsError                    | error       | 1    | -    | raised, retried  | no                      |
| interrupted   | KeyboardInterrupt (the CLI only)        | interrupted | 130  | -    | -                | no                      |

HTTP `-`: the replay endpoint does not answer it itself; the exception reaches the Functions host,
which answers 500. A PermanentError is retried too: Event Grid redelivers it until it dead-letters
the event, which keeps it for a replay. Anything that is not in the table (a bug) has no outcome:
`outcome_of` returns None and the door lets it raise.

The reconcile timer answers no one and is not redelivered: a run that raised has failed, and the
timer tells the observers `failed` for every PednsError, whatever its kind.

Pure: imports only the errors.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import overload

from .errors import ConfigError, InvalidInput, NotReady, OutOfScope, PednsError, PermanentError, TransientError

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "Kind", "Outcome", "outcome_of"]

#: The CLI's exit codes: success (an endpoint skipped for a stated reason is a success), processing
#: failed, unusable input or usage or settings, interrupted (128 + SIGINT).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Kind(enum.StrEnum):
    OUT_OF_SCOPE = "out-of-scope"
    REJECTED = "rejected"
    MISCONFIGURED = "misconfigured"
    RETRY = "retry"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: Kind
    #: What a result line says of it (`pedns events apply`; an endpoint result's status).
    status: str
    #: The CLI's exit code.
    exit_code: int
    #: The replay endpoint's answer; None: the exception reaches the Functions host (500).
    http_status: int | None
    #: The Event Grid trigger raises, so Event Grid delivers the event again (False: acknowledged).
    retry: bool
    #: The door tells the observers `failed` before it raises.
    observers_hear_failed: bool


#: Most specific first: the first row whose exception types match is the outcome.
_TABLE: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], Outcome], ...] = (
    (OutOfScope, Outcome(Kind.OUT_OF_SCOPE, "rejected", EXIT_USAGE, 400, retry=False, observers_hear_failed=False)),
    (InvalidInput, Outcome(Kind.REJECTED, "rejected", EXIT_USAGE, 400, retry=False, observers_hear_failed=False)),
    (ConfigError, Outcome(Kind.MISCONFIGURED, "error", EXIT_USAGE, 500, retry=True, observers_hear_failed=False)),
    (NotReady, Outcome(Kind.RETRY, "not-ready", EXIT_FAILED, None, retry=True, observers_hear_failed=True)),
    ((TransientError, PermanentError),
     Outcome(Kind.RETRY, "error", EXIT_FAILED, None, retry=True, observers_hear_failed=True)),
    (PednsError, Outcome(Kind.FAILED, "error", EXIT_FAILED, None, retry=True, observers_hear_failed=False)),
    (KeyboardInterrupt,
     Outcome(Kind.INTERRUPTED, "interrupted", EXIT_INTERRUPTED, None, retry=False, observers_hear_failed=False)),
)


@overload
def outcome_of(exc: PednsError | KeyboardInterrupt) -> Outcome: ...
@overload
def outcome_of(exc: BaseException) -> Outcome | None: ...
def outcome_of(exc: BaseException) -> Outcome | None:
    """The outcome of a handling that raised `exc`; None for an exception pedns does not raise on
    purpose (the door lets it propagate)."""
    return next((outcome for types, outcome in _TABLE if isinstance(exc, types)), None)
