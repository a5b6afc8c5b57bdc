"""`pedns audit`: what breaks private name resolution that no A record can fix (reads only)."""

from __future__ import annotations

import argparse

from ..outcomes import EXIT_FAILED, EXIT_OK
from ..wiring import audit_for
from .runtime import HUB, connect, read_settings
from .present import audit_lines
from .terminal import print_json


def run(args: argparse.Namespace) -> int:
    settings = read_settings(*HUB)
    report = audit_for(connect(settings), settings)
    if args.json:
        print_json(report.to_json())
    else:
        for line in audit_lines(report):
            print(line)
    return EXIT_OK if report.complete else EXIT_FAILED
