"""`pedns explain ENDPOINT…`: the records an endpoint needs and why it does not get others, from
ARM (a dry run plus the current record sets at its names) or from a file in ARM GET shape."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ..core.model import ResourceId
from ..errors import InvalidInput
from ..outcomes import EXIT_OK
from ..parsing.endpoint import parse_private_endpoint, parse_private_endpoint_id
from ..parsing.inputs import load_json, read_bounded
from ..service import Service
from ..settings import Settings
from ..usecases.inspect import explain_desire, explain_endpoint
from ..wiring import catalogue_for, options_for
from .runtime import HUB, connect, read_settings
from .present import explanation_lines, text
from .terminal import print_json

__all__ = ["MAX_ENDPOINT_FILE_BYTES", "explain_file", "explain_live", "run"]

#: The most `pedns explain FILE` reads: an endpoint's ARM GET body is a few KiB.
MAX_ENDPOINT_FILE_BYTES = 1024 * 1024


def run(args: argparse.Namespace) -> int:
    service = None
    settings = read_settings()
    docs = []
    for target in args.endpoints:  # everything is read before anything is printed
        if not target.lower().startswith("/subscriptions/"):
            if not (os.path.lexists(target) or _looks_like_path(target)):
                raise InvalidInput(f"{text(target)}: neither a file nor a private endpoint resource id")
            docs.append(explain_file(Path(target), settings))  # "no such file", "not a regular file", …
            continue
        endpoint_id = parse_private_endpoint_id(target, field="ENDPOINT")
        service = service or connect(read_settings(*HUB))
        docs.append(explain_live(service, endpoint_id))
    if args.json:
        print_json(docs)
    else:
        for doc in docs:
            for line in explanation_lines(doc):
                print(line)
    return EXIT_OK


def _looks_like_path(target: str) -> bool:
    """A target that is no resource id but reads as a file's path (a separator, or `.json`): when it
    does not exist, it is told as a missing file, like `events apply` tells it."""
    return "/" in target or os.sep in target or target.lower().endswith(".json")


def explain_file(path: Path, settings: Settings) -> dict[str, Any]:
    """What an endpoint in ARM GET shape needs, with no Azure access."""
    shown = text(path)
    body = load_json(read_bounded(path, what=shown, max_bytes=MAX_ENDPOINT_FILE_BYTES), what=shown,
                     max_bytes=MAX_ENDPOINT_FILE_BYTES)
    if not isinstance(body, dict):
        raise InvalidInput(f"{shown}: expected a private endpoint object (ARM GET shape)")
    try:
        pe = parse_private_endpoint(body)
    except InvalidInput as exc:
        hint = " (an API example? pass its responses.200.body)" if "responses" in body else ""
        raise InvalidInput(f"{shown}: {exc}{hint}") from None
    return explain_desire(pe, catalogue_for(settings), options_for(settings).desire, source=str(path))


def explain_live(service: Service, endpoint_id: ResourceId) -> dict[str, Any]:
    """A dry run for one endpoint plus the current state and owner of every name it touches."""
    return explain_endpoint(service, endpoint_id)
