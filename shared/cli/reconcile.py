"""`pedns reconcile`: converge every endpoint in scope (or in the `--subscription`s named), as the
timer does."""

from __future__ import annotations

import argparse
import time
import uuid

from ..errors import ConfigError, InvalidInput
from ..outcomes import EXIT_FAILED, EXIT_OK
from ..usecases.reconcile import reconcile
from .runtime import HUB, connect, handling_since, observers_of, read_settings
from .present import reconcile_lines
from .terminal import print_json, reconcile_progress


def run(args: argparse.Namespace) -> int:
    for value in args.subscription:
        try:
            uuid.UUID(value)
        except ValueError:
            raise InvalidInput(f"--subscription {value!r} is not a subscription id (a GUID)") from None
    settings = read_settings(*HUB)
    if not args.subscription and not (settings.source_subscriptions or settings.source_management_groups):
        raise ConfigError("missing setting(s): PEDNS_SOURCE_SUBSCRIPTIONS or PEDNS_SOURCE_MANAGEMENT_GROUPS "
                          "(or pass --subscription)")
    service = connect(settings)
    progress = reconcile_progress()
    started = time.time()
    report = reconcile(service, subscriptions=args.subscription or None, dry_run=args.dry_run,
                       progress=None if args.quiet else progress, concurrency=settings.reconcile_concurrency,
                       budget=args.budget)
    handling, observers = handling_since(started, stands_for="reconcile"), observers_of(service)
    observers.converged(report.endpoints, handling)
    observers.reconciled(report, handling)
    doc = report.to_json()
    if args.json:
        print_json(doc)
    else:
        for line in reconcile_lines(report.endpoints, doc, dry_run=args.dry_run or settings.mode == "dry-run"):
            print(line)
    return EXIT_OK if report.ok else EXIT_FAILED
