"""`python -m bot failures`: entries whose article could not be processed, retried or parked.

An entry that fails is read again on the next polls; after `PARK_AFTER` failures it is parked: skipped
from then on and listed here with its error, for an admin to look at (`--retry` puts them back in line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from bot.config import DEFAULT_CONFIG, load_config


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "failures",
        help="entries that could not be processed: those still retried and those parked with their error",
        description="List the entries (feed items, files) whose article failed to be stored or processed: "
        "retried on the next polls, then parked (skipped) after repeated failures, with the last error.",
    )
    p.add_argument("-c", "--config", default=str(DEFAULT_CONFIG), help="configuration file (default: %(default)s)")
    p.add_argument("--source", help="only this source")
    p.add_argument("--retry", action="store_true", help="unpark them: the next poll tries them again")
    p.set_defaults(handler=cmd_failures)


def cmd_failures(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from bot.ingest.urls import redact_urls
    from bot.store import Store

    out = out or sys.stdout
    config = load_config(Path(args.config))
    store = Store.open(config.database)
    try:
        rows = store.entry_failures(source=args.source)
        if not rows:
            out.write("no failed entries\n")
            return 0
        for row in rows:
            state = "parked" if row["parked_at"] else "retrying"
            error = redact_urls(row["last_error"] or "")
            out.write(f"{state:8}  {row['source']}  {row['entry_key']}  ({row['attempts']} failure(s), last "
                      f"{row['last_failed_at']:%Y-%m-%d %H:%M} UTC)\n          {error}\n")
        if args.retry:
            store.retry_failed_entries(args.source)
            out.write(f"{len(rows)} entry(ies) will be tried again on the next poll\n")
    finally:
        store.close()
    return 0
