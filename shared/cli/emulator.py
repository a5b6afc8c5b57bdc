"""`pedns emulator …`: the local ARM emulator, a development tool shipped only in the repository."""

from __future__ import annotations

import sys

from ..outcomes import EXIT_USAGE


def run(argv: list[str]) -> int:
    """The emulator's own command line, its flags handed over untouched."""
    try:
        # Imported here, not at the top: the emulator is a development tool that an installed pedns
        # does not have (the function package leaves it out), and no other command needs it.
        import emulator
    except ImportError:
        print("pedns: error: the emulator is a development tool; install pedns from its repository", file=sys.stderr)
        return EXIT_USAGE
    return int(emulator.main(argv))
