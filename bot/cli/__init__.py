"""The command line, `python -m bot COMMAND`: a thin layer over the library, one module per command
(console and ask share one). Every command has --help. The CLI sits above every other layer: nothing
of the bot imports it."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bot.cli import casualties, console, extract, failures, ingest, run
from bot.config import ConfigError

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="News-alert bot: reads articles, files statements, fighting updates and casualty "
        "figures as alerts, and posts them to Slack, Matrix or the console.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the bot does")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in (extract, run, ingest, casualties, failures, console):  # the order of the help's list
        command.add_parser(sub)
    return parser


def _verbose_everywhere(parser: argparse.ArgumentParser) -> None:
    """`-v` before or after the command (`python -m bot run -v`): what people type either way."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                                 help="log what the bot does")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _verbose_everywhere(parser)
    args = parser.parse_args(argv)
    from bot.service.logs import setup_logging

    setup_logging(level=logging.INFO if args.verbose else logging.WARNING)
    handler: Handler = args.handler
    from bot.service.app import StartupError
    from bot.service.logs import scrub
    from bot.store.errors import DatabaseError

    try:
        return handler(args)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"error: could not start {scrub(str(exc))}", file=sys.stderr)
        return 2
    except DatabaseError as exc:  # unreachable server, bad credentials, unwritable file
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        print(f"error: database: {scrub(reason)}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the database's folder cannot be created
        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        return 2
