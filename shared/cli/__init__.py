"""`pedns`: the same service as the functions, from a terminal.

Exit codes (`shared.outcomes`): 0 success (an endpoint skipped for a stated reason is a success),
1 processing failed (ARM errors left after retries), 2 unusable input, usage or settings, 130
interrupted; 141 when the reader closed the output early (`pedns zones | head`), quietly. Errors are one line on stderr, never a traceback. With `--json`, stdout carries only the JSON document.

Input files are read with a size limit (`shared.parsing.inputs`), and text output escapes control
characters and cuts long values in whatever came from input (ids, file names, messages), so a
hostile event id cannot clear the screen or forge a line.

One module per command group (`events`, `explain`, `reconcile`, `replay` with `release`, `records`,
`switch`, `audit`, `resolve`, `forwarders`, `zones`, `emulator`), each with a `run(args) -> exit code`; the command line in `parser`;
what is shown in `present` (pure) and where it goes in `terminal`; what the commands build from the
environment in `runtime`. Every command logs as `pedns.cli`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ..errors import PednsError
from ..outcomes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, outcome_of
from . import audit, emulator, events, explain, forwarders, reconcile, records, replay, resolve, switch, zones
from .explain import MAX_ENDPOINT_FILE_BYTES, explain_file, explain_live
from .parser import GLOBAL_FLAGS, UsageError, build_parser
from .present import failure_line
from .terminal import setup_logging

__all__ = ["EXIT_BROKEN_PIPE", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "GLOBAL_FLAGS", "MAX_ENDPOINT_FILE_BYTES",
           "UsageError", "explain_file", "explain_live", "main"]

#: The reader closed stdout before the output ended: 128 + SIGPIPE, what a shell reports for a
#: Unix tool that SIGPIPE ended (as 130 is 128 + SIGINT).
EXIT_BROKEN_PIPE = 128 + 13

#: The command line's parser (the README's command table is checked against it).
_parser = build_parser

_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "audit": audit.run,
    "events": events.run,
    "explain": explain.run,
    "forwarders": forwarders.run,
    "records": records.run,
    "reconcile": reconcile.run,
    "replay": replay.run,
    "release": replay.release,
    "resolve": resolve.run,
    "switch": switch.run,
    "zones": zones.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code. Output cut short by the reader (`pedns zones | head`) ends the
    command quietly with `EXIT_BROKEN_PIPE`, as SIGPIPE ends a Unix tool: no traceback, no error line."""
    try:
        code = _run(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # inside the try: a pipe closed after the last print fails here, not at exit
        return code
    except BrokenPipeError:
        # Python would try to flush stdout again at exit and complain: point it at /dev/null.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(argv: list[str]) -> int:
    first = next((i for i, a in enumerate(argv) if a not in GLOBAL_FLAGS), len(argv))
    try:
        if argv[first:first + 1] == ["emulator"]:  # its flags are the emulator's own: hand them over untouched
            return emulator.run(argv[first + 1:], before=argv[:first])
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return _failed(exc)
    setup_logging(args)
    try:
        return _COMMANDS[args.command](args)
    except (PednsError, KeyboardInterrupt) as exc:
        return _failed(exc)


def _failed(exc: PednsError | KeyboardInterrupt) -> int:
    """One line on stderr and the exit code, as `shared.outcomes` says."""
    outcome = outcome_of(exc)
    print(failure_line(outcome, exc), file=sys.stderr)
    return outcome.exit_code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
