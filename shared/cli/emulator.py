"""`pedns emulator …`: the local ARM emulator, a development tool shipped only in the repository."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..outcomes import EXIT_USAGE
from .parser import GLOBAL_FLAGS, UsageError


def run(argv: list[str], *, before: Sequence[str] = ()) -> int:
    """The emulator's own command line, its flags handed over untouched. pedns's global flags
    (`before` the command, or `--json` after it) mean nothing to it and are refused with one line:
    it prints export lines and `ready`, never JSON, and has no log levels of its own."""
    refused = next((flag for flag in (*before, *(a for a in argv if a == "--json")) if flag in GLOBAL_FLAGS), None)
    if refused == "--json":
        raise UsageError("--json: 'pedns emulator' has no JSON output (it prints export lines, then 'ready')")
    if refused is not None:
        raise UsageError(f"{refused}: 'pedns emulator' takes only its own flags (see 'pedns emulator --help')")
    try:
        # Imported here, not at the top: the emulator is a development tool that an installed pedns
        # does not have (the function package leaves it out), and no other command needs it.
        import emulator
    except ImportError:
        print("pedns: error: the emulator is a development tool; install pedns from its repository", file=sys.stderr)
        return EXIT_USAGE
    return int(emulator.main(argv))
