"""Every command's `--help` explains every option and argument: the pedns parser walked into each
subcommand, and the emulator's own parser (`pedns emulator --help`)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from emulator._cli import _parser as emulator_parser
from shared.cli.parser import build_parser


def commands(parser: argparse.ArgumentParser, name: str = "pedns") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """`parser` and every subcommand's parser below it, by their command line."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                yield from commands(child, f"{name} {sub}")


def undocumented(parser: argparse.ArgumentParser) -> list[str]:
    """The options and arguments of `parser` whose help is missing, and subcommands listed without one."""
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest for choice in action._choices_actions if choice.help}
            missing += [f"subcommand {sub}" for sub in action.choices if sub not in listed]
            continue
        if not action.help or action.help == argparse.SUPPRESS or not action.help.strip():
            missing.append("/".join(action.option_strings) or action.metavar or action.dest)
    return missing


PARSERS = [*commands(build_parser()), ("pedns emulator (its own flags)", emulator_parser())]


@pytest.mark.parametrize(("command", "parser"), PARSERS, ids=[name for name, _ in PARSERS])
def test_every_option_and_argument_has_help(command, parser):
    assert [] == undocumented(parser)
    assert parser.format_help()  # renders


def test_the_walk_reaches_every_command():
    reached = {name for name, _ in commands(build_parser())}

    assert {"pedns events apply", "pedns explain", "pedns replay", "pedns release", "pedns reconcile",
            "pedns records", "pedns audit", "pedns zones", "pedns emulator"} <= reached
