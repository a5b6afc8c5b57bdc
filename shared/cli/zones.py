"""`pedns zones [FILTER]`: the zone catalogue of a cloud, custom rules included."""

from __future__ import annotations

import argparse

from ..outcomes import EXIT_OK
from ..wiring import catalogue_for
from .runtime import read_settings
from .present import zones_doc, zones_lines
from .terminal import print_json


def run(args: argparse.Namespace) -> int:
    settings = read_settings()
    if args.cloud:
        settings = settings.model_copy(update={"cloud": args.cloud})
    catalogue = catalogue_for(settings)
    rows = list(catalogue.rows)
    if args.filter:
        needle = args.filter.lower()
        rows = [r for r in rows if any(needle in value.lower() for value in
                                       (r.service, r.resource_type, r.subresource or "", *r.zones))]
    if args.json:
        print_json(zones_doc(settings.cloud, catalogue, rows))
        return EXIT_OK
    for line in zones_lines(settings.cloud, catalogue, rows, args.filter):
        print(line)
    return EXIT_OK
