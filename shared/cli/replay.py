"""`pedns replay ENDPOINT_ID…` converges the named endpoints now; `pedns release ENDPOINT_ID…`
withdraws their claims whatever ARM says."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from ..core.model import ResourceId
from ..core.results import results_json
from ..outcomes import EXIT_FAILED, EXIT_OK
from ..parsing.endpoint import parse_private_endpoint_id
from .runtime import HUB, connect, handling_since, observers_of, read_settings
from .present import explanation_lines, summary, summary_line
from .terminal import Progress, print_json


def run(args: argparse.Namespace, *, release: bool = False) -> int:
    ids = _ids(args.endpoints)
    service = connect(read_settings(*HUB))
    started = time.time()
    progress = Progress(len(ids))  # [n/total] on a terminal's stderr
    results = service.replay(ids, dry_run=args.dry_run, release=release, progress=lambda _: progress.step())
    progress.done()
    observers_of(service).converged(results, handling_since(started, stands_for="replay"))
    answer = results_json(results)  # what POST /api/replay answers
    docs = answer["results"]
    if args.json:
        print_json(answer)
    else:
        for doc in docs:
            for line in explanation_lines({**doc, "current": []}):
                print(line)
            print(f"  status: {doc['status']}")
        print(summary_line(summary(docs), dry_run=args.dry_run or any(d["dryRun"] for d in docs)))
    return EXIT_OK if answer["ok"] else EXIT_FAILED


def release(args: argparse.Namespace) -> int:
    return run(args, release=True)


def _ids(values: Sequence[str]) -> list[ResourceId]:
    return [parse_private_endpoint_id(v, field="ENDPOINT_ID") for v in values]
