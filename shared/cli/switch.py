"""`pedns switch --to-region REGION | --clear [--zone Z] [--name N] [--dry-run]`: move this
deployment's shared names to their claimants in a region and pin them there, or clear the pins
(`shared/usecases/switch.py`). The plan, the DR gaps and the time it will take are printed before
the first write; progress goes to stderr on a terminal."""

from __future__ import annotations

import argparse
import time

from ..core.desired import valid_dns_name
from ..core.regions import unknown_region
from ..core.results import Handling, SwitchReport
from ..errors import InvalidInput
from ..outcomes import EXIT_FAILED, EXIT_OK
from ..usecases.switch import switch
from .present import switch_lines, switch_plan_lines, text
from .records import _zone
from .runtime import HUB, connect, observers_of, read_settings
from .terminal import print_json, switch_progress


def run(args: argparse.Namespace) -> int:
    settings = read_settings(*HUB)
    region = None if args.clear else _region(args.to_region, settings.cloud)
    zone, name = _zone(args.zone), _name(args.name)  # all input checked before anything is read or written
    service = connect(settings)
    started = time.time()

    def announce(report: SwitchReport) -> None:  # before the first write
        if not args.json:
            for line in switch_plan_lines(report.to_json()):
                print(line, flush=True)

    report = switch(service, region=region, zone=zone, name=name, dry_run=args.dry_run, announce=announce,
                    progress=None if args.quiet else switch_progress())
    handling = Handling("cli", started, time.time(), reason=report.reason)
    observers = observers_of(service)
    observers.converged(report.results, handling)
    observers.switched(report, handling)
    doc = report.to_json()
    if args.json:
        print_json(doc)
    else:
        for line in switch_lines(doc):
            print(line)
    return EXIT_OK if report.ok else EXIT_FAILED


def _region(value: str, cloud: str) -> str:
    """`--to-region` as claims record a location (`West US 2` → `westus2`), a region of the cloud."""
    problem = unknown_region(value, cloud)
    if problem is not None:
        raise InvalidInput(f"--to-region {text(problem)}")
    return value.strip().lower().replace(" ", "")


def _name(value: str | None) -> str | None:
    """`--name` as a record name relative to its zone (lower case; `@` the apex)."""
    if value is None:
        return None
    name = value.strip().lower().rstrip(".")
    if name != "@" and not valid_dns_name(name):
        raise InvalidInput(f"--name {text(value)} is not a record name")
    return name
