"""`python -m bot run [--once]`: ingest the sources, store and deliver alerts (once, or until Ctrl-C)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_CONFIG, load_config


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "run", help="ingest the sources, store and deliver alerts (once, or as a service until Ctrl-C)",
        description="Ingest the configured sources, extract alerts, store them and deliver the new ones to "
        "the configured outputs. With --once: do it one time, print a digest, exit.",
    )
    p.add_argument("-c", "--config", default=str(DEFAULT_CONFIG), help="configuration file (default: %(default)s)")
    p.add_argument("--once", action="store_true", help="one pass, a digest on the console, then exit")
    p.set_defaults(handler=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.service.app import run_forever, run_once
    from bot.service.logs import setup_logging

    config = load_config(Path(args.config))
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
