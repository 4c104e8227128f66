"""`python -m bot ingest URL|FILE|DIR [--all-sources]`: store articles now, without delivering.

URLs are read like the chat's `read URL` command (URL guard per `fetch.allow_private`), files and
folders like the `extract` command; every article goes through `Pipeline.process`, so stories,
alerts and dedup are exactly those of a normal run. `--all-sources` polls every configured source
once, ignoring their intervals but not their backoff.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.progress import ProgressBar
from bot.config import DEFAULT_CONFIG, Config, load_config

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

async def ingest(
    config: Config, targets: list[str], *, all_sources: bool = False, out: TextIO | None = None,
    err: TextIO | None = None, transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Ingest targets (and/or every source) into the configured store; print a summary. Exit code."""
    from bot.ingest.files import ArticleFileError, read_articles
    from bot.ingest.lang import settle_language
    from bot.ingest.pages import ReadError, read_url
    from bot.service.pipeline import Pipeline, RunReport
    from bot.store import Store

    out = out or sys.stdout
    err = err or sys.stderr
    store = await asyncio.to_thread(Store.open, config.database)
    pipeline = Pipeline(config, store, {}, transport=transport)
    report = RunReport()
    errors: list[str] = []
    skipped = 0
    try:
        for target in targets:
            if re.match(r"^https?://", target, re.IGNORECASE):
                try:
                    article = await read_url(target, fetcher=pipeline.fetcher, source="ingest")
                except ReadError as exc:
                    errors.append(str(exc))
                    continue
                await store.run(pipeline.process, article, report)
                continue
            try:
                articles = await asyncio.to_thread(
                    list, read_articles(Path(target), max_bytes=config.fetch.max_bytes, skip_bad_lines=True))
            except (ArticleFileError, OSError) as exc:
                errors.append(str(exc))
                continue
            bar = ProgressBar(len(articles), err, label=Path(target).name)
            for article in articles:
                if article.text.strip():
                    await store.run(pipeline.process, settle_language(article), report)
                else:
                    skipped += 1
                    log.info("%s: article %s has no text; skipped", target, article.id)
                bar.step()
        if all_sources:
            bar = ProgressBar(len(config.sources), err, label="sources")

            async def one(source: Any) -> None:
                await pipeline.poll(source, report, force=True)
                bar.step()

            await asyncio.gather(*(one(s) for s in config.sources))
    finally:
        await pipeline.fetcher.aclose()
        await asyncio.to_thread(store.close)
    summary = (f"{report.articles_new} new article(s), {report.articles_seen} already stored, "
               f"{report.alerts_new} new alert(s)")
    if skipped:
        summary += f", {skipped} empty skipped"
    if report.failed_sources:
        summary += f"; failed sources: {', '.join(report.failed_sources)}"
    print(summary, file=out)
    for problem in errors:
        print(f"error: {problem}", file=err)
    return 1 if errors or report.failed_sources else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    if not args.targets and not args.all_sources:
        print("error: give a URL, a file or a folder, or --all-sources", file=sys.stderr)
        return 2
    config = load_config(Path(args.config))
    return asyncio.run(ingest(config, list(args.targets), all_sources=args.all_sources))


def add_parser(sub: Any) -> None:
    """Register the `ingest` subcommand on the CLI's subparsers."""
    p = sub.add_parser(
        "ingest", help="store articles from URLs, files or folders now (or poll every source once)",
        description="Store articles into the database without delivering anything: a web page (URL), a "
        ".txt/.md/.html/.json/.jsonl file or a folder; with --all-sources, poll every configured source "
        "once. Alerts are extracted and stored; the next `run` delivers them.",
    )
    p.add_argument("targets", nargs="*", metavar="URL|FILE|DIR", help="what to ingest")
    p.add_argument("--all-sources", action="store_true", help="poll every configured source once")
    p.add_argument("-c", "--config", default=str(DEFAULT_CONFIG), help="configuration file (default: %(default)s)")
    p.set_defaults(handler=cmd_ingest)
