"""Where the CLI's output goes: one JSON document or text lines on stdout; log lines and the
`[n/total]` progress on stderr.

Log lines escape control characters like the rest of the output (`present.text`): a log message may
quote input (event ids).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from ..core.results import EndpointResult, SwitchedName
from .present import text

__all__ = ["MAX_LOG_LINE", "Progress", "print_json", "reconcile_progress", "setup_logging", "switch_progress"]

#: Longest log line (HTTP traces with -vv included).
MAX_LOG_LINE = 16000
#: Loggers that trace HTTP (azure-core's logging policies, urllib3's request lines): only with -vv.
_HTTP_LOGGERS = ("azure", "urllib3")


class _TerminalFormatter(logging.Formatter):
    """Log lines with control characters escaped: a log message may quote input (event ids)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return text(super().formatMessage(record), MAX_LOG_LINE)


def setup_logging(args: argparse.Namespace) -> None:
    """Default: pedns's info. -q: warnings. -v: pedns's debug too. -vv: also the HTTP traces of
    azure-core (Authorization redacted by azure-core) and urllib3."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_TerminalFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if args.verbose >= 2 else logging.WARNING if args.quiet else logging.INFO)
    logging.getLogger("pedns").setLevel(logging.DEBUG if args.verbose else logging.NOTSET)
    # Without Application Insights the metrics are log lines (shared.observers.metrics.LogMetrics): with -v only.
    for name in ("pedns.metrics", "pedns.telemetry"):
        logging.getLogger(name).setLevel(logging.NOTSET if args.verbose else logging.WARNING)
    for name in _HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if args.verbose >= 2 else logging.WARNING)


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2) + "\n")


class Progress:
    """`[n/total]` on stderr, rewritten in place, only when stderr is a terminal and there is more
    than one step (with -q or `--json` to a terminal too: it is not output)."""

    def __init__(self, total: int) -> None:
        self.total, self.n = total, 0
        self.on = total > 1 and sys.stderr.isatty()

    def step(self) -> None:
        self.n += 1
        if self.on:
            print(f"\r[{self.n}/{self.total}]", end="", file=sys.stderr, flush=True)

    def clear(self) -> None:
        """Before a line of output: the counter is redrawn at the next step."""
        if self.on:
            print("\r" + " " * len(f"[{self.total}/{self.total}]") + "\r", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        self.clear()


def reconcile_progress() -> Callable[[int, int, EndpointResult], None]:
    """The reconcile's progress on stderr: `[n/total]` in place on a terminal; otherwise a line for
    each endpoint with changes or a failure, for the last one and for every thousandth."""
    tty = sys.stderr.isatty()

    def progress(n: int, total: int, result: EndpointResult) -> None:
        noteworthy = result.changes or not result.ok
        if tty:
            print(f"\r[{n}/{total}]", end="\n" if n == total else "", file=sys.stderr, flush=True)
        elif noteworthy or n == total or n % 1000 == 0:
            print(f"[{n}/{total}] {result.reported_status:<10} {result.endpoint}", file=sys.stderr, flush=True)

    return progress


def switch_progress(clock: Callable[[], float] = time.monotonic) -> Callable[[int, int, SwitchedName], None]:
    """The switch's progress on stderr, only on a terminal: `[n/total] about N s left`, in place, the
    time left from the pace so far (Private DNS's limit shows in it as soon as it holds writes back)."""
    tty, started = sys.stderr.isatty(), clock()

    def progress(n: int, total: int, name: SwitchedName) -> None:
        if not tty:
            return
        left = (clock() - started) / n * (total - n)
        print(f"\r[{n}/{total}] about {left:.0f} s left ", end="\n" if n == total else "", file=sys.stderr, flush=True)

    return progress
