"""The command line: a thin layer over the library. Every command has --help."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import DEFAULT_CONFIG, Config, ConfigError, load_config
from bot.core.models import alert_to_dict
from bot.ingest.cli import add_parser as add_ingest_parser
from bot.service import casualties_cli
from bot.service.conversation_cli import add_parser as add_conversation_commands

Handler = Callable[[argparse.Namespace], int]


def _config(args: argparse.Namespace) -> Config:
    return load_config(Path(args.config))


EXTRACT_EXIT = """exit status: 0 every article was read; 1 some articles failed (each is named on stderr with
its error, the others' alerts are printed); 2 a file could not be read as articles."""


def cmd_extract(args: argparse.Namespace) -> int:
    from bot.core.extract import extract_alerts
    from bot.core.extract.confidence import is_pushed
    from bot.ingest.files import ArticleFileError, read_articles

    out = sys.stdout
    failed = 0
    try:
        for path in args.paths:
            for article in read_articles(Path(path)):
                try:
                    alerts = extract_alerts(article)
                except Exception as exc:  # one bad article must not cost the others their alerts
                    failed += 1
                    print(f"failed: article {article.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                for alert in alerts:
                    if not args.all and not is_pushed(alert):
                        continue
                    out.write(json.dumps(alert_to_dict(alert), ensure_ascii=False) + "\n")
    except ArticleFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if failed:
        print(f"{failed} article(s) failed", file=sys.stderr)
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from bot.service.app import run_forever, run_once

    config = _config(args)
    from bot.service.logs import setup_logging

    setup_logging(level=logging.INFO if args.verbose else logging.WARNING, fmt=config.log_format,
                  secrets=config.secrets())
    if args.once:
        report = asyncio.run(run_once(config))
        print(f"{report.articles_new} new article(s), {report.alerts_new} new alert(s), "
              f"{report.delivered} delivered" + (f"; failed sources: {', '.join(report.failed_sources)}"
                                                 if report.failed_sources else ""), file=sys.stderr)
        return 1 if report.failed_sources else 0
    try:
        asyncio.run(run_forever(config))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="News-alert bot: reads articles, files statements, fighting updates and casualty "
        "figures as alerts, and posts them to Slack, Matrix or the console.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the bot does")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("-c", "--config", default=str(DEFAULT_CONFIG), help="configuration file (default: %(default)s)")

    p = sub.add_parser(
        "extract",
        help="print the alerts found in articles, as JSON lines (no database needed)",
        description="Read articles (a .jsonl file of articles, a .txt/.md/.html file, or a folder) and "
        "print one JSON object per alert, in the schema of the evaluation kit, with its `confidence`. "
        "By default only the alerts that would be pushed to chats are printed.",
        epilog=EXTRACT_EXIT,
    )
    p.add_argument("paths", nargs="+", metavar="ARTICLES", help="a .jsonl/.json/.txt/.md/.html file or folder")
    p.add_argument("--all", action="store_true",
                   help="print every alert found, also those below the push threshold (each has its confidence)")
    p.set_defaults(handler=cmd_extract)

    p = sub.add_parser(
        "run", help="ingest the sources, store and deliver alerts (once, or as a service until Ctrl-C)",
        description="Ingest the configured sources, extract alerts, store them and deliver the new ones to "
        "the configured outputs. With --once: do it one time, print a digest, exit.",
    )
    with_config(p)
    p.add_argument("--once", action="store_true", help="one pass, a digest on the console, then exit")
    p.set_defaults(handler=cmd_run)
    add_ingest_parser(sub)
    casualties_cli.add_parser(sub)
    add_conversation_commands(sub)  # console, ask
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
    from sqlalchemy.exc import DBAPIError

    from bot.service.app import StartupError
    from bot.service.logs import scrub

    try:
        return handler(args)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"error: could not start {scrub(str(exc))}", file=sys.stderr)
        return 2
    except DBAPIError as exc:  # unreachable server, bad credentials, unwritable file
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        print(f"error: database: {scrub(reason)}", file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. the database's folder cannot be created
        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        return 2
